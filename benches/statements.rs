//! Statements per accepted submission: starts majlis in process on a fresh
//! database, sends new comments (as the load bench's submission scenario
//! does: a new reader each time, rules on, no code, pre-moderation) one at a
//! time and then 32 at once, and counts the statements sqlx issues (its
//! `sqlx::query` events), per submission and by statement, background jobs
//! included (they show as their own lines).
//!
//!   cargo bench --bench statements                 # SQLite
//!   MAJLIS_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench statements
//!
//! On PostgreSQL, `BEGIN` and `COMMIT` are statements like any other; on
//! SQLite they do not pass through sqlx's statement log and are not counted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

mod support;

use majlis::config::Settings;
use majlis::domain::{CaptchaMode, Lang, ModerationMode, Site, SiteKey, new_id};
use majlis::moderation::PolicyConfig;
use majlis::startup::Application;
use tracing_subscriber::layer::SubscriberExt;

/// Statements seen, by their first words.
#[derive(Clone, Default)]
struct Counter(Arc<Mutex<BTreeMap<String, u64>>>);

impl Counter {
    fn take(&self) -> BTreeMap<String, u64> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

struct Statement(Option<String>);

impl tracing::field::Visit for Statement {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "db.statement" || (field.name() == "summary" && self.0.is_none()) {
            self.0 = Some(value.to_string());
        }
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "db.statement" || (field.name() == "summary" && self.0.is_none()) {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Counter {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if !event.metadata().target().starts_with("sqlx::query") {
            return;
        }
        let mut s = Statement(None);
        event.record(&mut s);
        let text = s.0.unwrap_or_default();
        let key: String = text
            .trim_start_matches('"')
            .split_whitespace()
            .take(6)
            .collect::<Vec<_>>()
            .join(" ");
        *self.0.lock().unwrap().entry(key).or_default() += 1;
    }
}

fn submission(n: usize) -> serde_json::Value {
    serde_json::json!({
        "name": "قارئ",
        "email": format!("r{n}-{}@example.com", new_id()),
        "title": "تعليق على الخبر",
        "body": format!("هذا تعليق رقم {n} {} يناقش الخبر بهدوء ويشكر الكاتب على عرض المعلومات بوضوح.", new_id()),
        "accept_terms": true,
    })
}

async fn submit(client: &reqwest::Client, base: &str, n: usize) {
    let r = client
        .post(format!(
            "{base}/api/v1/sites/bench-open/articles/a-{}/comments",
            n % 50
        ))
        .json(&submission(n))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "submission {n}: {}", r.status());
}

fn report(label: &str, n: usize, counts: &BTreeMap<String, u64>) {
    let total: u64 = counts.values().sum();
    println!(
        "\n{label}: {total} statements for {n} submissions = {:.2} per submission",
        total as f64 / n as f64
    );
    let mut rows: Vec<_> = counts.iter().collect();
    rows.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
    for (k, v) in rows {
        println!("  {:>7.2}  {v:>6}  {k}", *v as f64 / n as f64);
    }
}

#[tokio::main]
async fn main() {
    let counter = Counter::default();
    let filter = tracing_subscriber::EnvFilter::new("error,sqlx::query=debug");
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry()
            .with(filter)
            .with(counter.clone()),
    )
    .unwrap();
    let pg = std::env::var("MAJLIS_BENCH_PG")
        .ok()
        .filter(|s| !s.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let db_url = support::database(pg.as_deref(), dir.path(), "bench").await;
    let settings = Settings::from_toml_over_defaults(&format!(
        "[server]\nport = 0\n[database]\nurl = \"{db_url}\"\n[demo]\nenabled = false\n\
         [api]\nrate_limit_per_minute = 0\n[log]\nlevel = \"error\"\n"
    ))
    .unwrap();
    let app = Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let store = app.store().clone();
    store
        .insert_site(
            &Site {
                key: SiteKey::parse("bench-open").unwrap(),
                name: "bench-open".into(),
                allowed_origins: vec![],
                default_lang: Lang::Ar,
                moderation_mode: ModerationMode::Pre,
                max_body_chars: 2000,
                terms_url: String::new(),
                terms_version: "1".into(),
                captcha: CaptchaMode::Off,
                spam_threshold: majlis::moderation::spam::DEFAULT_SPAM_THRESHOLD,
                auto_close_days: None,
                rules_text: Default::default(),
                likes: false,
            },
            1,
        )
        .await
        .unwrap();
    // One client is one address: lift the per-address cap, as the load bench does.
    let mut policy = PolicyConfig::seed();
    policy.rate.max_per_hour_ip = 0;
    store
        .save_site_policy("bench-open", &serde_json::to_string(&policy).unwrap(), 0, 1)
        .await
        .unwrap();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    // Warm: the compiled policy, the connections and their prepared statements.
    for n in 0..40 {
        submit(&client, &base, n).await;
    }
    counter.take();

    const ONE_BY_ONE: usize = 200;
    for n in 0..ONE_BY_ONE {
        submit(&client, &base, 1000 + n).await;
    }
    let single = counter.take();

    const AT_ONCE: usize = 32;
    const ROUNDS: usize = 10;
    for round in 0..ROUNDS {
        let sends = (0..AT_ONCE).map(|i| submit(&client, &base, 10_000 + round * AT_ONCE + i));
        futures_util::future::join_all(sends).await;
    }
    let concurrent = counter.take();

    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("\nstatements per accepted submission, {backend}");
    report("one at a time", ONE_BY_ONE, &single);
    report(
        &format!("{AT_ONCE} at once ({ROUNDS} rounds)"),
        AT_ONCE * ROUNDS,
        &concurrent,
    );
    if let Some(base) = pg.as_deref() {
        store.close().await;
        support::drop_database(base, &db_url).await;
    }
}
