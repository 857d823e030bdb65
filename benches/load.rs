//! Load benchmark: starts a release build of majlis on a fresh database,
//! seeds 1,000 articles with 50 published (and 10 pending) comments each,
//! drives it with `wrk` (2 threads, 64 connections) and prints requests/s,
//! p50/p99 latency and peak RSS per scenario, each also as a ratio to a static
//! in-memory answer of the same server measured in the same run.
//!
//!   cargo bench --bench load                 # SQLite
//!   MAJLIS_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench load
//!
//! Settings: MAJLIS_BENCH_SECS (default 10) per scenario. Needs `wrk`
//! (Debian package). The load generator shares the machine with majlis.
//!
//! The thread scenarios read one article of 50 top-level comments and 200
//! replies as the embed does (`order=featured&limit=20`, three replies under
//! each comment), against the static answer closest in size to that list
//! (printed), then again while this process likes its comments at
//! `MAJLIS_BENCH_LIKES` per second (default 500), each like a new reader
//! address behind the trusted proxy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use majlis::config::Settings;
use majlis::domain::{Lang, ModerationMode, Site, SiteKey};
use majlis::moderation::PolicyConfig;
use majlis::storage::Store;

const ARTICLES: usize = 1000;
const PUBLISHED: usize = 50;
const PENDING: usize = 10;
/// The long discussion: top-level comments and replies of article `thread`.
const THREAD_TOP: usize = 50;
const THREAD_REPLIES: usize = 200;
const THREAD_LIST: &str = "/api/v1/sites/bench/articles/thread/comments?order=featured&limit=20";

struct Row {
    name: &'static str,
    rps: f64,
    p50_us: u64,
    p99_us: u64,
    errors: u64,
    peak_rss_mb: f64,
}

fn site(key: &str, captcha: bool) -> Site {
    Site {
        key: SiteKey::parse(key).unwrap(),
        name: key.into(),
        allowed_origins: vec![],
        default_lang: Lang::Ar,
        moderation_mode: ModerationMode::Pre,
        max_body_chars: 2000,
        terms_url: String::new(),
        terms_version: "1".into(),
        captcha: if captcha {
            majlis::domain::CaptchaMode::Always
        } else {
            majlis::domain::CaptchaMode::Off
        },
        spam_threshold: majlis::moderation::spam::DEFAULT_SPAM_THRESHOLD,
        auto_close_days: None,
        rules_text: Default::default(),
        likes: false,
    }
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn wrk(base: &str, path: &str, script: &str, secs: u64, pid: u32) -> (u64, u64, u64, f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let lua = dir.path().join("s.lua");
    let report = include_str!("lua/report.lua");
    std::fs::write(&lua, format!("{script}\n{report}")).unwrap();
    let mut child = Command::new("wrk")
        .args([
            "-t2",
            "-c64",
            &format!("-d{secs}s"),
            "--timeout",
            "5s",
            "-s",
        ])
        .arg(&lua)
        .arg(format!("{base}{path}"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("wrk (apt-get install wrk)");
    let mut peak = rss_mb(pid);
    while child.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_millis(100));
        peak = peak.max(rss_mb(pid));
    }
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    if let Some(statuses) = text.lines().find(|l| l.starts_with("MAJLIS_STATUSES ")) {
        eprintln!(
            "answers by status ({path}{}): {}",
            if script.is_empty() { "" } else { ", scripted" },
            &statuses[16..]
        );
    }
    let line = text
        .lines()
        .find(|l| l.starts_with("MAJLIS "))
        .unwrap_or_else(|| panic!("wrk: {text}"));
    let field = |k: &str| -> f64 {
        line.split_whitespace()
            .find_map(|f| f.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    (
        field("p50") as u64,
        field("p99") as u64,
        field("errors") as u64,
        field("rps"),
        peak,
    )
}

fn start(db_url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_majlis"))
        .env("MAJLIS__SERVER__PORT", port.to_string())
        .env("MAJLIS__DATABASE__URL", db_url)
        .env("MAJLIS__DEMO__ENABLED", "false")
        .env("MAJLIS__LOG__LEVEL", "error")
        // wrk is one client address: without this the per-address budget
        // would turn the issuance measure into 429s.
        .env("MAJLIS__CAPTCHA__MAX_PER_MINUTE_PER_IP", "0")
        // ...and so is one network (the per-network budgets of codes and
        // of comments: the submission scenarios would meet 429s after 1,200).
        .env("MAJLIS__SPAM__MAX_CODES_PER_MINUTE_PER_NETWORK", "0")
        .env("MAJLIS__SPAM__MAX_PER_HOUR_PER_NETWORK", "0")
        // The liker is one process giving each like a reader address in
        // X-Forwarded-For; wrk sends none and is keyed by its own address.
        .env("MAJLIS__SERVER__TRUSTED_PROXIES", "[\"127.0.0.1\"]")
        .env("MAJLIS__LIKES__MAX_PER_MINUTE_PER_IP", "0")
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_ready(base: &str) -> Duration {
    let started = Instant::now();
    // reqwest's TLS needs a process-wide rustls provider (majlis uses ring).
    majlis::webhooks::install_crypto_provider();
    let client = reqwest::Client::new();
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status() == 200
        {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "majlis did not start"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::main]
async fn main() {
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("SKIPPED load benchmark: install wrk (apt-get install wrk)");
        return;
    }
    let secs: u64 = std::env::var("MAJLIS_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let pg = std::env::var("MAJLIS_BENCH_PG")
        .ok()
        .filter(|s| !s.is_empty());
    // What one security-code image costs to draw on one core: the ceiling of
    // issuance once the pre-rendered pool is empty.
    let drawn = Instant::now();
    for _ in 0..200 {
        std::hint::black_box(majlis::captcha::render(5).unwrap());
    }
    let render_ms = drawn.elapsed().as_secs_f64() * 1000.0 / 200.0;
    let dir = tempfile::tempdir().unwrap();
    let db_url = support::database(pg.as_deref(), dir.path(), "bench").await;
    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };

    // Schema and seed data, written before majlis starts.
    let settings =
        Settings::from_toml_over_defaults(&format!("[database]\nurl = \"{db_url}\"\n")).unwrap();
    let store = Store::connect(&settings.database).await.unwrap();
    store.migrate().await.unwrap();
    let mut bench_site = site("bench", true);
    bench_site.likes = true;
    store.insert_site(&bench_site, 1).await.unwrap();
    store
        .insert_site(&site("bench-open", false), 1)
        .await
        .unwrap();
    // One load generator is one IP: lift the per-IP cap for the submission site.
    let mut policy = PolicyConfig::seed();
    policy.rate.max_per_hour_ip = 0;
    store
        .save_site_policy("bench-open", &serde_json::to_string(&policy).unwrap(), 0, 1)
        .await
        .unwrap();
    let seeded = Instant::now();
    let now = majlis::service::now_ms();
    store
        .seed_articles("bench", "a-", ARTICLES, PUBLISHED, PENDING, now)
        .await
        .unwrap();
    store
        .seed_articles("bench-open", "a-", ARTICLES, 0, 0, now)
        .await
        .unwrap();
    let thread_ids = store
        .seed_thread("bench", "thread", THREAD_TOP, THREAD_REPLIES, now)
        .await
        .unwrap();
    eprintln!(
        "seeded {ARTICLES} articles x ({PUBLISHED} published + {PENDING} pending) and one of \
         {THREAD_TOP} comments + {THREAD_REPLIES} replies in {:.1?}",
        seeded.elapsed()
    );
    store.close().await;

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(&db_url, port);
    let ready = wait_ready(&base).await;
    let pid = server.id();
    // Let the captcha pool fill before measuring anything.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let counts: Vec<String> = (1..=20).map(|i| format!("a-{i}")).collect();
    let counts_path = format!("/api/v1/sites/bench/counts?articles={}", counts.join(","));
    // The static answer closest in size to the thread's list.
    let client = reqwest::Client::new();
    let size_of = |path: String| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move {
            client
                .get(url)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
                .len()
        }
    };
    let list_bytes = size_of(THREAD_LIST.to_string()).await;
    let mut statics = Vec::new();
    for path in [
        "/embed.js",
        "/embed-more.js",
        "/static/dashboard.js",
        "/static/form.css",
        "/healthz",
    ] {
        statics.push((size_of(path.to_string()).await, path));
    }
    let (static_bytes, static_path) = statics
        .into_iter()
        .min_by_key(|(n, _)| n.abs_diff(list_bytes))
        .unwrap();
    eprintln!(
        "thread list: {list_bytes} bytes; static answer of about that size: {static_path}, {static_bytes} bytes"
    );
    let likes_per_sec: u64 = std::env::var("MAJLIS_BENCH_LIKES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let scenarios: Vec<(&'static str, String, &'static str)> = vec![
        ("static baseline (/healthz)", "/healthz".into(), ""),
        (
            "published list, one article",
            "/api/v1/sites/bench/articles/a-1/comments".into(),
            "",
        ),
        (
            "published list, 1,000 articles",
            "/".into(),
            include_str!("lua/articles.lua"),
        ),
        ("counts for 20 articles", counts_path, ""),
        (
            "submissions, rules on, no captcha",
            "/".into(),
            concat!(
                include_str!("lua/readers.lua"),
                include_str!("lua/submit.lua")
            ),
        ),
        (
            "submissions, near-copies (a flood)",
            "/".into(),
            concat!(
                include_str!("lua/readers.lua"),
                include_str!("lua/submit-copies.lua")
            ),
        ),
        ("captcha issuance", "/api/v1/captcha?site=bench".into(), ""),
        (
            "captcha + proof-of-work issuance",
            "/".into(),
            include_str!("lua/issuance.lua"),
        ),
        ("thread: static answer, same size", static_path.into(), ""),
        ("thread: list, 50 + 200 replies", THREAD_LIST.into(), ""),
        ("thread: list during likes", THREAD_LIST.into(), ""),
    ];
    // MAJLIS_BENCH_ONLY=submissions (a name prefix) runs the baseline and
    // the matching scenarios only.
    let only = std::env::var("MAJLIS_BENCH_ONLY").unwrap_or_default();
    let mut rows = Vec::new();
    let mut likes_done = None;
    for (name, path, script) in scenarios {
        if !only.is_empty() && !name.starts_with("static") && !name.starts_with(only.as_str()) {
            continue;
        }
        // Reads are measured warm, as on a live site: 2 s of the same load
        // first fills the read cache (1,000 articles) and the connections.
        // Submissions too: the first one compiles the site's posting rules,
        // which the submissions behind it wait for, and a live site compiles
        // them once, not in every burst.
        if !name.starts_with("captcha") {
            wrk(&base, &path, script, 2, pid);
        }
        let liker = name
            .ends_with("during likes")
            .then(|| Liker::start(&base, &thread_ids, likes_per_sec));
        let (p50, p99, errors, rps, peak) = if liker.is_some() {
            let (b, p, sc) = (base.clone(), path.clone(), script.to_string());
            tokio::task::spawn_blocking(move || wrk(&b, &p, &sc, secs, pid))
                .await
                .unwrap()
        } else {
            wrk(&base, &path, script, secs, pid)
        };
        if let Some(liker) = liker {
            likes_done = Some(liker.stop().await);
        }
        rows.push(Row {
            name,
            rps,
            p50_us: p50,
            p99_us: p99,
            errors,
            peak_rss_mb: peak,
        });
    }
    let _ = server.kill();
    let _ = server.wait();
    if let Some(base) = pg.as_deref() {
        support::drop_database(base, &db_url).await;
    }

    let baseline = rows.first().map_or(1.0, |r| r.rps.max(1.0));
    let rps_of = |prefix: &str| rows.iter().find(|r| r.name.starts_with(prefix));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!();
    println!(
        "majlis load benchmark: {backend}, {cores} cores shared by majlis and wrk (-t2 -c64 -d{secs}s)"
    );
    println!("start-up to ready: {:.0} ms", ready.as_secs_f64() * 1000.0);
    println!("security-code image: {render_ms:.2} ms to draw on one core (before the load)");
    println!(
        "{:<36} {:>10} {:>9} {:>9} {:>8} {:>10} {:>9}",
        "scenario", "req/s", "p50 ms", "p99 ms", "errors", "peak RSS", "vs static"
    );
    for r in &rows {
        println!(
            "{:<36} {:>10.0} {:>9.2} {:>9.2} {:>8} {:>7.1} MB {:>8.0}%",
            r.name,
            r.rps,
            r.p50_us as f64 / 1000.0,
            r.p99_us as f64 / 1000.0,
            r.errors,
            r.peak_rss_mb,
            100.0 * r.rps / baseline
        );
    }
    let (Some(same_size), Some(thread), Some(during)) = (
        rps_of("thread: static"),
        rps_of("thread: list,"),
        rps_of("thread: list during"),
    ) else {
        return;
    };
    println!();
    println!(
        "thread (50 comments + 200 replies, {list_bytes}-byte list): list {:.0} % of the \
         same-size static answer ({static_path}, {static_bytes} bytes)",
        100.0 * thread.rps / same_size.rps.max(1.0)
    );
    if let Some(done) = likes_done {
        println!("like answers by status (0: none): {:?}", done.statuses);
        println!(
            "likes: {:.0}/s sustained of {likes_per_sec}/s asked ({} liked, {} refused, {} failed, \
             like p99 {:.2} ms); list p99 {:.2} ms during likes vs {:.2} ms without ({:.2}x), \
             list req/s {:.0} vs {:.0}",
            done.ok as f64 / done.secs,
            done.ok,
            done.refused,
            done.failed,
            done.p99_us as f64 / 1000.0,
            during.p99_us as f64 / 1000.0,
            thread.p99_us as f64 / 1000.0,
            during.p99_us as f64 / thread.p99_us.max(1) as f64,
            during.rps,
            thread.rps,
        );
    }
}

/// Likes at a steady rate while a scenario runs: each tick likes the next
/// comment of the thread as the next reader (a new address every full round
/// of the thread's comments), so every like is a new one.
struct Liker {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<LikesDone>,
}

struct LikesDone {
    /// Answers by status (0: no answer).
    statuses: std::collections::BTreeMap<u16, u64>,
    ok: u64,
    refused: u64,
    failed: u64,
    secs: f64,
    p99_us: u64,
}

impl Liker {
    fn start(base: &str, ids: &[String], per_sec: u64) -> Liker {
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let base = base.to_string();
        let ids = ids.to_vec();
        let task = tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / per_sec.max(1)));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let inflight = std::sync::Arc::new(tokio::sync::Semaphore::new(256));
            let results = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let started = Instant::now();
            let mut n: usize = 0;
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stopped.changed() => break,
                }
                let Ok(permit) = inflight.clone().acquire_owned().await else {
                    break;
                };
                let id = &ids[n % ids.len()];
                let reader = n / ids.len();
                let url = format!("{base}/api/v1/sites/bench/comments/{id}/like");
                let addr = format!(
                    "10.{}.{}.{}",
                    (reader >> 16) & 255,
                    (reader >> 8) & 255,
                    reader & 255
                );
                let (client, results) = (client.clone(), results.clone());
                n += 1;
                tokio::spawn(async move {
                    let t = Instant::now();
                    let status = client
                        .post(url)
                        .header("X-Forwarded-For", addr)
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0);
                    results.lock().unwrap().push((status, t.elapsed()));
                    drop(permit);
                });
            }
            let secs = started.elapsed().as_secs_f64();
            // The likes still in flight finish before counting.
            let _ = inflight.acquire_many(256).await;
            let mut results = std::mem::take(&mut *results.lock().unwrap());
            results.sort_by_key(|(_, d)| *d);
            let p99 = results
                .get(results.len().saturating_mul(99) / 100)
                .map_or(0, |(_, d)| d.as_micros() as u64);
            let mut statuses = std::collections::BTreeMap::new();
            for (s, _) in &results {
                *statuses.entry(*s).or_insert(0) += 1;
            }
            LikesDone {
                statuses,
                ok: results.iter().filter(|(s, _)| *s == 200).count() as u64,
                refused: results
                    .iter()
                    .filter(|(s, _)| (400..500).contains(s))
                    .count() as u64,
                failed: results.iter().filter(|(s, _)| *s == 0 || *s >= 500).count() as u64,
                secs,
                p99_us: p99,
            }
        });
        Liker { stop, task }
    }

    async fn stop(self) -> LikesDone {
        let _ = self.stop.send(true);
        self.task.await.unwrap()
    }
}
