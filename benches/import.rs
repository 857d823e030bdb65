//! `cargo bench --bench import`: 100,000 Disqus comments (2,000 threads, a
//! third of them replies, Arabic and Latin text with markup) generated into
//! an export file, then parsed and imported into a fresh SQLite database in
//! one transaction. Prints the time of each step; the target is under 60 s.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write;
use std::time::Instant;

use majlis::domain::{Lang, ModerationMode, Site, SiteKey};
use majlis::import::{self, Format};
use majlis::service::{ImportOptions, import_comments};
use majlis::storage::{ConnectOptions, Store};

const COMMENTS: usize = 100_000;
const THREADS: usize = 2_000;

fn export() -> String {
    let mut s = String::with_capacity(COMMENTS * 700);
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\">\n");
    for t in 0..THREADS {
        let _ = write!(
            s,
            "  <thread dsq:id=\"{t}\">\n    <link>https://news.example/2015/{t}/story-{t}/</link>\n    <title>مقال رقم {t}</title>\n    <createdAt>2015-01-01T00:00:00Z</createdAt>\n  </thread>\n"
        );
    }
    for i in 0..COMMENTS {
        let thread = i % THREADS;
        let parent = if i % 3 == 2 && i >= THREADS {
            format!("\n    <parent dsq:id=\"{}\"/>", 100_000 + i - THREADS)
        } else {
            String::new()
        };
        let deleted = i % 50 == 0;
        let _ = write!(
            s,
            "  <post dsq:id=\"{}\">\n    <message><![CDATA[<p>تعليق رقم {i} على المقال: الميزانية والأمطار والسدود، وما قاله الوزير أمس.</p><p>Comment {i} with a <a href=\"https://example.org/{i}\">link</a> &amp; more text.</p>]]></message>\n    <createdAt>2016-{:02}-{:02}T{:02}:{:02}:00Z</createdAt>\n    <isDeleted>{deleted}</isDeleted>\n    <isSpam>false</isSpam>\n    <author>\n      <email>reader{}@example.org</email>\n      <name>قارئ {}</name>\n    </author>\n    <thread dsq:id=\"{thread}\"/>{parent}\n  </post>\n",
            100_000 + i,
            1 + i % 12,
            1 + i % 28,
            i % 24,
            i % 60,
            i % 5_000,
            i % 5_000,
        );
    }
    s.push_str("</disqus>\n");
    s
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("disqus.xml");
        let started = Instant::now();
        std::fs::write(&file, export()).unwrap();
        let size = std::fs::metadata(&file).unwrap().len();
        println!(
            "generated {COMMENTS} comments on {THREADS} threads: {:.1} MB in {:.2?}",
            size as f64 / 1e6,
            started.elapsed()
        );
        let store = Store::connect(ConnectOptions {
            url: format!("sqlite://{}/majlis.db", dir.path().display()).into(),
            max_connections: 4,
            acquire_timeout_ms: 5_000,
            sqlite_synchronous: "full".into(),
            refresh_statistics: true,
        })
        .await
        .unwrap();
        store.migrate().await.unwrap();
        let site = Site {
            key: SiteKey::parse("news").unwrap(),
            name: "News".into(),
            allowed_origins: vec!["https://news.example".into()],
            default_lang: Lang::Ar,
            moderation_mode: ModerationMode::Pre,
            max_body_chars: 2000,
            terms_url: String::new(),
            terms_version: "1".into(),
            captcha: majlis::domain::CaptchaMode::Always,
            spam_threshold: majlis::moderation::spam::DEFAULT_SPAM_THRESHOLD,
            auto_close_days: None,
            rules_text: Default::default(),
            likes: false,
        };
        store.insert_site(&site, majlis::service::now_ms()).await.unwrap();

        let total = Instant::now();
        let parse = Instant::now();
        let batch = import::parse_file(Format::Disqus, &file).unwrap();
        let parse = parse.elapsed();
        let write = Instant::now();
        let report = import_comments(
            &store,
            "news",
            Format::Disqus,
            batch,
            &ImportOptions::default(),
            majlis::service::now_ms(),
            &|_, _| {},
        )
        .await
        .unwrap();
        let write = write.elapsed();
        let total = total.elapsed();
        assert_eq!(report.created_total(), COMMENTS);
        println!("parse: {parse:.2?}; plan and write (one transaction): {write:.2?}");
        println!(
            "imported {} comments on {} articles in {total:.2?} ({:.0} comments/s; target: under 60 s)",
            report.created_total(),
            report.articles_new,
            COMMENTS as f64 / total.as_secs_f64()
        );
        let again = Instant::now();
        let batch = import::parse_file(Format::Disqus, &file).unwrap();
        let rerun = import_comments(
            &store,
            "news",
            Format::Disqus,
            batch,
            &ImportOptions::default(),
            majlis::service::now_ms(),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!(rerun.created_total(), 0);
        println!("second run: 0 created, {} skipped in {:.2?}", rerun.skipped_total(), again.elapsed());
    });
}
