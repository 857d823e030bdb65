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
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use majlis::config::Settings;
use majlis::domain::{Lang, ModerationMode, Site, SiteKey, new_id};
use majlis::moderation::PolicyConfig;
use majlis::storage::Store;

const ARTICLES: usize = 1000;
const PUBLISHED: usize = 50;
const PENDING: usize = 10;

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

async fn database(pg: Option<&str>, dir: &std::path::Path) -> String {
    match pg {
        None => format!("sqlite://{}/bench.db", dir.display()),
        Some(base) => {
            let name = format!("majlis_bench_{}", new_id());
            let admin = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(base)
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&admin)
                .await
                .unwrap();
            let (prefix, _) = base.rsplit_once('/').unwrap();
            format!("{prefix}/{name}")
        }
    }
}

/// Drop the benchmark's PostgreSQL database (seeded with 60,000 comments).
async fn drop_database(base: &str, db_url: &str) {
    let Some((_, name)) = db_url.rsplit_once('/') else {
        return;
    };
    let dropped = match sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(base)
        .await
    {
        Ok(admin) => sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&admin)
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    if let Err(e) = dropped {
        eprintln!("could not drop the benchmark database {name}: {e}");
    }
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
        // ...and so is one network (the per-network budget of codes).
        .env("MAJLIS__SPAM__MAX_CODES_PER_MINUTE_PER_NETWORK", "0")
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
    let db_url = database(pg.as_deref(), dir.path()).await;
    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };

    // Schema and seed data, written before majlis starts.
    let settings =
        Settings::from_toml_over_defaults(&format!("[database]\nurl = \"{db_url}\"\n")).unwrap();
    let store = Store::connect(&settings.database).await.unwrap();
    store.migrate().await.unwrap();
    store.insert_site(&site("bench", true), 1).await.unwrap();
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
    eprintln!(
        "seeded {ARTICLES} articles x ({PUBLISHED} published + {PENDING} pending) in {:.1?}",
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
            include_str!("lua/submit.lua"),
        ),
        ("captcha issuance", "/api/v1/captcha?site=bench".into(), ""),
        (
            "captcha + proof-of-work issuance",
            "/".into(),
            include_str!("lua/issuance.lua"),
        ),
    ];
    // MAJLIS_BENCH_ONLY=submissions (a name prefix) runs the baseline and
    // the matching scenarios only.
    let only = std::env::var("MAJLIS_BENCH_ONLY").unwrap_or_default();
    let mut rows = Vec::new();
    for (name, path, script) in scenarios {
        if !only.is_empty() && !name.starts_with("static") && !name.starts_with(only.as_str()) {
            continue;
        }
        // Reads are measured warm, as on a live site: 2 s of the same load
        // first fills the read cache (1,000 articles) and the connections.
        if !name.starts_with("submissions") && !name.starts_with("captcha") {
            wrk(&base, &path, script, 2, pid);
        }
        let (p50, p99, errors, rps, peak) = wrk(&base, &path, script, secs, pid);
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
        drop_database(base, &db_url).await;
    }

    let baseline = rows.first().map_or(1.0, |r| r.rps.max(1.0));
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
}
