//! Scale benchmark: bulk-loads a large archive (by default 1,000,000
//! comments over 20,000 articles, 90 % published) straight into a fresh
//! database, starts the release binary on it and measures, one request at a
//! time: the published list of articles never read before (cold) and again
//! (warm), counts, the moderation queue's first page (API), the dashboard
//! queue with filters and with a text search, export throughput, database
//! size, start-up time and peak RSS.
//!
//!   cargo bench --bench scale                                  # SQLite
//!   MAJLIS_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench scale
//!
//! MAJLIS_SCALE_COMMENTS and MAJLIS_SCALE_ARTICLES change the size.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use majlis::config::Settings;
use majlis::domain::{Lang, ModerationMode, Site, SiteKey, new_id};
use majlis::storage::{ApiKeyRecord, QueueFilter, QueueTab, Store};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

fn status_kb(pid: u32, key: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
}

fn pct(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let at = |p: f64| {
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    (at(0.5), at(0.99))
}

async fn size_mb(db_url: &str) -> f64 {
    if let Some(path) = db_url.strip_prefix("sqlite://") {
        let len = |p: String| std::fs::metadata(p).map_or(0, |m| m.len());
        return (len(path.to_string()) + len(format!("{path}-wal"))) as f64 / 1e6;
    }
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(db_url)
        .await
        .unwrap();
    let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    bytes as f64 / 1e6
}

fn start(db_url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_majlis"))
        .env("MAJLIS__SERVER__PORT", port.to_string())
        .env("MAJLIS__DATABASE__URL", db_url)
        .env("MAJLIS__DEMO__ENABLED", "false")
        .env("MAJLIS__LOG__LEVEL", "error")
        .env("MAJLIS__API__RATE_LIMIT_PER_MINUTE", "0")
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

/// `n` requests of `path(i)`, one at a time: (p50, p99) in ms.
async fn timed(
    client: &reqwest::Client,
    key: Option<&str>,
    n: usize,
    path: impl Fn(usize) -> String,
) -> (f64, f64) {
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let mut req = client.get(path(i));
        if let Some(key) = key {
            req = req.bearer_auth(key);
        }
        let t = Instant::now();
        let resp = req.send().await.unwrap();
        assert!(resp.status().is_success(), "{}", resp.status());
        resp.bytes().await.unwrap();
        times.push(t.elapsed());
    }
    pct(times)
}

/// `n` calls of a storage query: (p50, p99) in ms.
async fn timed_store(store: &Store, n: usize, filter: impl Fn(usize) -> QueueFilter) -> (f64, f64) {
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let f = filter(i);
        let t = Instant::now();
        store.dashboard_queue(&f).await.unwrap();
        times.push(t.elapsed());
    }
    pct(times)
}

#[tokio::main]
async fn main() {
    let comments = env_usize("MAJLIS_SCALE_COMMENTS", 1_000_000);
    let articles = env_usize("MAJLIS_SCALE_ARTICLES", 20_000).max(1);
    let per_article = (comments / articles).max(1);
    let pg = std::env::var("MAJLIS_BENCH_PG")
        .ok()
        .filter(|s| !s.is_empty());
    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    let dir = tempfile::tempdir().unwrap();
    let db_url = support::database(pg.as_deref(), dir.path(), "scale").await;
    let settings =
        Settings::from_toml_over_defaults(&format!("[database]\nurl = \"{db_url}\"\n")).unwrap();
    let store = Store::connect(&settings.database).await.unwrap();
    store.migrate().await.unwrap();
    let site = Site {
        key: SiteKey::parse("scale").unwrap(),
        name: "scale".into(),
        allowed_origins: vec![],
        default_lang: Lang::Ar,
        moderation_mode: ModerationMode::Pre,
        max_body_chars: 2000,
        terms_url: String::new(),
        terms_version: "1".into(),
        captcha: majlis::domain::CaptchaMode::Off,
        spam_threshold: majlis::moderation::spam::DEFAULT_SPAM_THRESHOLD,
        auto_close_days: None,
        rules_text: Default::default(),
        likes: false,
    };
    store.insert_site(&site, 1).await.unwrap();
    let key = majlis::auth::generate_api_key();
    store
        .insert_api_key(
            &ApiKeyRecord {
                id: new_id(),
                site_key: "scale".into(),
                role: "admin".into(),
                label: "scale".into(),
                created_at: 1,
                revoked_at: None,
            },
            &majlis::auth::hash_api_key(&key),
        )
        .await
        .unwrap();
    let now = majlis::service::now_ms();
    let seeded = Instant::now();
    store
        .seed_bulk("scale", "a-", articles, per_article, now)
        .await
        .unwrap();
    let seed_secs = seeded.elapsed().as_secs_f64();
    let total = articles * per_article;
    eprintln!(
        "seeded {total} comments over {articles} articles in {seed_secs:.1} s ({:.0}/s)",
        total as f64 / seed_secs
    );
    let size = size_mb(&db_url).await;

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    majlis::webhooks::install_crypto_provider();
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut server = start(&db_url, port);
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status() == 200
        {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "no start");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let ready_ms = started.elapsed().as_secs_f64() * 1000.0;
    let pid = server.id();

    // Articles spread over the archive, each read first cold, then warm.
    let n = 300.min(articles);
    let article = |i: usize| 1 + (i * 7919) % articles;
    let list = |i: usize| {
        format!(
            "{base}/api/v1/sites/scale/articles/a-{}/comments",
            article(i)
        )
    };
    let cold = timed(&client, None, n, list).await;
    let warm = timed(&client, None, n, list).await;
    let counts = timed(&client, None, n, |i| {
        let keys: Vec<String> = (0..20)
            .map(|j| format!("a-{}", article(i * 20 + j)))
            .collect();
        format!(
            "{base}/api/v1/sites/scale/counts?articles={}",
            keys.join(",")
        )
    })
    .await;
    let queue = timed(&client, Some(&key), 100, |i| {
        let status = ["pending", "published"][i % 2];
        format!("{base}/api/v1/sites/scale/moderation/queue?status={status}&limit=50")
    })
    .await;
    let filter = |tab: QueueTab, _i: usize| QueueFilter {
        sites: vec!["scale".into()],
        tab,
        article: None,
        from: None,
        until: None,
        email: None,
        comment: None,
        text: None,
        oldest_first: false,
        limit: 50,
        offset: 0,
    };
    let dash_pending = timed_store(&store, 100, |i| filter(QueueTab::Pending, i)).await;
    let dash_email = timed_store(&store, 100, |i| QueueFilter {
        email: Some(format!("reader{}@example.com", (i * 31) % 5000)),
        ..filter(QueueTab::Published, i)
    })
    .await;
    let dash_article = timed_store(&store, 100, |i| QueueFilter {
        article: Some(format!("a-{}", article(i))),
        ..filter(QueueTab::Published, i)
    })
    .await;
    let dash_text = timed_store(&store, 20, |i| QueueFilter {
        text: Some(format!("المقال {}", article(i))),
        ..filter(QueueTab::Pending, i)
    })
    .await;
    let tabs = {
        let mut times = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            store.tab_counts(&["scale".into()]).await.unwrap();
            times.push(t.elapsed());
        }
        pct(times)
    };

    // Export: the whole site as NDJSON.
    let t = Instant::now();
    let mut resp = client
        .get(format!("{base}/api/v1/sites/scale/export"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(chunk) = resp.chunk().await.unwrap() {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let export_secs = t.elapsed().as_secs_f64();
    let peak_mb = status_kb(pid, "VmHWM:") / 1024.0;
    let _ = server.kill();
    let _ = server.wait();
    store.close().await;
    if let Some(base) = pg.as_deref() {
        support::drop_database(base, &db_url).await;
    }

    println!();
    println!(
        "majlis scale benchmark: {backend}, {total} comments over {articles} articles, one request at a time"
    );
    println!(
        "seeding: {seed_secs:.0} s; database size: {size:.0} MB; start-up to ready: {ready_ms:.0} ms"
    );
    println!("{:<52} {:>9} {:>9}", "page", "p50 ms", "p99 ms");
    let rows = [
        ("published list, article never read (cold), API", cold),
        ("published list, same articles again (warm), API", warm),
        ("counts of 20 articles, API", counts),
        (
            "moderation queue, first page (pending/published), API",
            queue,
        ),
        ("dashboard queue, pending tab, first page", dash_pending),
        ("dashboard queue, published, filtered by email", dash_email),
        (
            "dashboard queue, published, filtered by article",
            dash_article,
        ),
        ("dashboard queue, pending, text search", dash_text),
        ("dashboard tab counts (every tab)", tabs),
    ];
    for (name, (p50, p99)) in rows {
        println!("{name:<52} {p50:>9.2} {p99:>9.2}");
    }
    println!(
        "export: {lines} comments, {:.1} MB in {export_secs:.1} s ({:.0} comments/s, {:.1} MB/s)",
        bytes as f64 / 1e6,
        lines as f64 / export_secs,
        bytes as f64 / 1e6 / export_secs
    );
    println!("peak RSS of majlis: {peak_mb:.1} MB");
}
