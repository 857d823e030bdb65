//! `majlis import`: sample exports of each source system (tests/fixtures/import/)
//! keep their authors, times, statuses, threads and reply links; a second run
//! creates nothing; a malformed file fails with its line (or record) and
//! imports nothing. Through the library entry point the CLI calls, and once
//! through the CLI itself.

use std::path::{Path, PathBuf};

use majlis::domain::CommentStatus;
use majlis::import::{self, Format, ImportBatch, UrlMap};
use majlis::service::{ImportOptions, ImportReport, import_comments};
use majlis::storage::QueueItem;

use crate::helpers::{TestApp, site, spawn_app};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn url_map() -> UrlMap {
    UrlMap::parse(&std::fs::read_to_string(fixture("url-map.txt")).unwrap()).unwrap()
}

/// An Isso database built from the SQL script beside the fixtures.
async fn isso_db(dir: &Path, script: &str) -> PathBuf {
    use sqlx::Connection;
    let path = dir.join("isso.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let mut conn = sqlx::sqlite::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    let sql = std::fs::read_to_string(fixture(script)).unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    path
}

async fn read(format: Format, name: &str) -> Result<ImportBatch, import::ImportError> {
    match format {
        Format::Isso => {
            let dir = tempfile::tempdir().unwrap();
            let path = isso_db(dir.path(), name).await;
            let (threads, comments) = majlis::storage::read_isso(&path).await?;
            import::from_isso(threads, comments)
        }
        _ => import::parse_file(format, &fixture(name)),
    }
}

async fn run(app: &TestApp, format: Format, name: &str, options: &ImportOptions) -> ImportReport {
    let batch = read(format, name).await.unwrap();
    import_comments(
        &app.store,
        "news",
        format,
        batch,
        options,
        majlis::service::now_ms(),
        &|_, _| {},
    )
    .await
    .unwrap()
}

async fn news_app() -> TestApp {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app
}

fn by_name<'a>(stored: &'a [QueueItem], name: &str) -> &'a QueueItem {
    stored
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no comment by {name}"))
}

fn ms(rfc3339: &str) -> i64 {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .unwrap();
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn created(report: &ImportReport, status: CommentStatus) -> usize {
    report.created.get(status.as_str()).copied().unwrap_or(0)
}

/// (source id, source parent id) of every imported comment of a source.
async fn reply_links(app: &TestApp, source: &str) -> Vec<String> {
    app.texts(&format!(
        "SELECT source_id || '>' || COALESCE(source_parent_id, '-') FROM imported_comments \
         WHERE source = '{source}' ORDER BY source_id"
    ))
    .await
}

#[tokio::test]
async fn a_disqus_export_keeps_authors_times_statuses_threads_and_reply_links() {
    let app = news_app().await;
    let options = ImportOptions {
        url_map: url_map(),
        ..ImportOptions::default()
    };
    let report = run(&app, Format::Disqus, "disqus.xml", &options).await;
    assert_eq!((report.threads_in_file, report.comments_in_file), (2, 6));
    assert_eq!(report.created_total(), 6, "{report:?}");
    assert_eq!(created(&report, CommentStatus::Published), 3);
    assert_eq!(created(&report, CommentStatus::Pending), 1);
    assert_eq!(created(&report, CommentStatus::Deleted), 1);
    assert_eq!(created(&report, CommentStatus::Spam), 1);
    assert_eq!((report.articles_new, report.articles_existing), (2, 0));

    let stored = app.stored("news").await;
    assert_eq!(stored.len(), 6);
    let layla = by_name(&stored, "ليلى");
    assert_eq!(layla.email, "layla@example.org");
    assert_eq!(layla.created_at, ms("2013-05-01T09:15:30Z"));
    assert_eq!(layla.published_at, Some(ms("2013-05-01T09:15:30Z")));
    assert_eq!(layla.article_key, "الميزانية");
    assert_eq!(layla.article_title.as_deref(), Some("الميزانية الجديدة"));
    assert_eq!(
        layla.body,
        "ميزانية طموحة، لكن أين التفاصيل؟\n\nانظروا الأرقام (https://data.example/budget)"
    );
    assert_eq!(
        by_name(&stored, "عمر").body,
        "أتفق معك يا ليلى.\nالتفاصيل في الملحق."
    );
    assert_eq!(by_name(&stored, "Guest").status.as_str(), "deleted");
    assert_eq!(by_name(&stored, "Best Deals").status.as_str(), "spam");
    let sam = by_name(&stored, "Sam");
    assert_eq!(sam.status.as_str(), "pending");
    assert_eq!(sam.body, "Waiting for the moderators — is the dam full?");
    // The moved page is filed under its new address's key.
    assert_eq!(sam.article_key, "rain-season");
    assert_eq!(
        sam.article_url.as_deref(),
        Some("https://news.example/2014/01/rain-season/")
    );
    assert_eq!(sam.article_title.as_deref(), Some("Rain season & the dams"));
    assert_eq!(by_name(&stored, "Nour & Co").status.as_str(), "published");

    assert_eq!(
        reply_links(&app, "disqus").await,
        [
            "9001>-",
            "9002>9001",
            "9003>9002",
            "9004>-",
            "9005>-",
            "9006>9005"
        ]
    );
    // Imported history is public at once, oldest first, and counted.
    let list = app.published("news", "rain-season").await;
    let items = list["comments"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["name"], "Nour & Co");
    assert_eq!(
        app.scalar("SELECT published_count FROM articles WHERE article_key = 'الميزانية'")
            .await,
        Some(2)
    );
    // Each comment's audit trail says where it came from.
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'imported' AND note LIKE 'disqus %'"
        )
        .await,
        Some(6)
    );
}

#[tokio::test]
async fn a_second_run_of_the_same_file_creates_nothing() {
    let app = news_app().await;
    let options = ImportOptions {
        url_map: url_map(),
        ..ImportOptions::default()
    };
    let first = run(&app, Format::Disqus, "disqus.xml", &options).await;
    assert_eq!(first.created_total(), 6);
    let again = run(&app, Format::Disqus, "disqus.xml", &options).await;
    assert_eq!(again.created_total(), 0, "{again:?}");
    assert_eq!(again.skipped["already imported (same source id)"].len(), 6);
    assert_eq!((again.articles_new, again.articles_existing), (0, 0));
    assert_eq!(app.stored_count("news").await, 6);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM articles").await, Some(2));
}

#[tokio::test]
async fn a_dry_run_reports_what_a_run_creates_and_writes_nothing() {
    let app = news_app().await;
    let dry = ImportOptions {
        dry_run: true,
        url_map: url_map(),
        ..ImportOptions::default()
    };
    let planned = run(&app, Format::Disqus, "disqus.xml", &dry).await;
    assert!(planned.dry_run);
    assert_eq!(planned.created_total(), 6);
    assert_eq!(planned.articles_new, 2);
    assert_eq!(app.stored_count("news").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM articles").await, Some(0));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM imported_comments").await,
        Some(0)
    );
    // Without the map, the old address still has a path segment to take a key from.
    let unmapped = run(
        &app,
        Format::Disqus,
        "disqus.xml",
        &ImportOptions {
            dry_run: true,
            ..ImportOptions::default()
        },
    )
    .await;
    assert_eq!(unmapped.created_total(), 6);
    let real = run(
        &app,
        Format::Disqus,
        "disqus.xml",
        &ImportOptions {
            url_map: url_map(),
            ..ImportOptions::default()
        },
    )
    .await;
    assert_eq!(real.created, planned.created);
}

#[tokio::test]
async fn a_wordpress_export_keeps_line_breaks_replies_and_statuses_and_skips_pingbacks() {
    let app = news_app().await;
    let report = run(
        &app,
        Format::Wordpress,
        "wordpress.xml",
        &ImportOptions::default(),
    )
    .await;
    assert_eq!(
        report.threads_in_file, 2,
        "items without comments are no threads"
    );
    assert_eq!(report.created_total(), 5, "{report:?}");
    assert_eq!(created(&report, CommentStatus::Published), 2);
    assert_eq!(created(&report, CommentStatus::Pending), 1);
    assert_eq!(created(&report, CommentStatus::Spam), 1);
    assert_eq!(created(&report, CommentStatus::Deleted), 1);
    assert_eq!(report.skipped["a pingback, not a reader comment"].len(), 1);
    let stored = app.stored("news").await;
    let khaled = by_name(&stored, "خالد");
    assert_eq!(
        khaled.body,
        "الأمطار هذا العام غزيرة.\nالسدود ممتلئة تماماً.\n\nشكراً على التقرير."
    );
    assert_eq!(khaled.created_at, ms("2015-02-02T10:05:00Z"));
    assert_eq!(khaled.article_key, "rain");
    assert_eq!(khaled.article_title.as_deref(), Some("موسم الأمطار"));
    assert_eq!(
        by_name(&stored, "Mona").body,
        "Replying to Khaled: the dams & rivers are full."
    );
    assert_eq!(by_name(&stored, "سارة").status.as_str(), "pending");
    assert_eq!(by_name(&stored, "Old reader").status.as_str(), "deleted");
    assert_eq!(by_name(&stored, "Spammer").article_key, "about");
    assert_eq!(
        reply_links(&app, "wordpress").await,
        ["31>-", "32>31", "34>31", "40>-", "41>-"]
    );
    let again = run(
        &app,
        Format::Wordpress,
        "wordpress.xml",
        &ImportOptions::default(),
    )
    .await;
    assert_eq!(again.created_total(), 0);
}

#[tokio::test]
async fn an_isso_database_keeps_its_threads_deleted_parents_and_pending_comments() {
    let app = news_app().await;
    let report = run(&app, Format::Isso, "isso.sql", &ImportOptions::default()).await;
    assert_eq!(report.created_total(), 5, "{report:?}");
    assert_eq!(created(&report, CommentStatus::Published), 3);
    assert_eq!(created(&report, CommentStatus::Deleted), 1);
    assert_eq!(created(&report, CommentStatus::Pending), 1);
    let stored = app.stored("news").await;
    let youssef = by_name(&stored, "يوسف");
    assert_eq!(youssef.body, "مباراة رائعة!\nالدفاع كان ممتازاً.");
    assert_eq!(youssef.created_at, 1_529_913_600_250);
    assert_eq!(youssef.article_key, "world-cup");
    // Isso keeps paths: the site's origin completes them.
    assert_eq!(
        youssef.article_url.as_deref(),
        Some("https://news.example/2018/06/world-cup/")
    );
    assert_eq!(by_name(&stored, "Rania").email, "rania@example.org");
    // No author in the source: the site's language names them.
    let anonymous: Vec<&QueueItem> = stored.iter().filter(|c| c.name == "مجهول").collect();
    assert_eq!(anonymous.len(), 2);
    assert!(
        anonymous
            .iter()
            .any(|c| c.status.as_str() == "deleted" && c.body.is_empty())
    );
    assert!(
        anonymous
            .iter()
            .any(|c| c.body == "A reply to a deleted comment: 1 < 2.")
    );
    assert_eq!(by_name(&stored, "Lina").status.as_str(), "pending");
    assert_eq!(
        reply_links(&app, "isso").await,
        ["1>-", "2>1", "3>2", "4>3", "5>-"]
    );
    let again = run(&app, Format::Isso, "isso.sql", &ImportOptions::default()).await;
    assert_eq!(again.created_total(), 0);
}

#[tokio::test]
async fn a_remark42_backup_skips_its_metadata_and_keeps_offsets_as_utc() {
    let app = news_app().await;
    let report = run(
        &app,
        Format::Remark42,
        "remark42.jsonl",
        &ImportOptions::default(),
    )
    .await;
    assert_eq!((report.threads_in_file, report.comments_in_file), (2, 4));
    assert_eq!(created(&report, CommentStatus::Published), 3);
    assert_eq!(created(&report, CommentStatus::Deleted), 1);
    let stored = app.stored("news").await;
    let huda = by_name(&stored, "هدى");
    assert_eq!(huda.created_at, ms("2020-03-01T07:00:00.123Z"));
    assert_eq!(huda.body, "الانتخابات القادمة مهمة جداً.");
    assert_eq!(huda.article_key, "elections");
    assert_eq!(huda.article_title.as_deref(), Some("الانتخابات"));
    assert_eq!(
        by_name(&stored, "Adam").body,
        "I agree, register here (https://vote.example/)."
    );
    assert_eq!(by_name(&stored, "deleted").status.as_str(), "deleted");
    assert_eq!(by_name(&stored, "مجهول").article_key, "water");
    assert_eq!(
        reply_links(&app, "remark42").await,
        ["r-1>-", "r-2>r-1", "r-3>r-2", "r-4>-"]
    );
}

#[tokio::test]
async fn a_malformed_file_fails_with_its_line_and_imports_nothing() {
    let app = news_app().await;
    for (format, name, place) in [
        (Format::Disqus, "disqus-malformed.xml", "line 53"),
        (Format::Wordpress, "wordpress-malformed.xml", "line 85"),
        (Format::Remark42, "remark42-malformed.jsonl", "line 4"),
        (Format::Isso, "isso-malformed.sql", "comments row id 5"),
    ] {
        let err = read(format, name).await.unwrap_err().to_string();
        assert!(err.contains(place), "{name}: {err}");
        assert!(err.starts_with("malformed"), "{name}: {err}");
    }
    assert_eq!(app.stored_count("news").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM imported_comments").await,
        Some(0)
    );
}

#[tokio::test]
async fn with_moderate_imported_comments_wait_in_the_queue_with_their_findings() {
    let app = news_app().await;
    let options = ImportOptions {
        moderate: true,
        url_map: url_map(),
        ..ImportOptions::default()
    };
    let report = run(&app, Format::Disqus, "disqus.xml", &options).await;
    assert_eq!(created(&report, CommentStatus::Published), 0);
    // Deleted and spam stay what they were; the rest wait for a moderator.
    assert_eq!(created(&report, CommentStatus::Deleted), 1);
    assert_eq!(created(&report, CommentStatus::Spam), 1);
    let waiting = created(&report, CommentStatus::Pending)
        + created(&report, CommentStatus::Held)
        + created(&report, CommentStatus::Rejected);
    assert_eq!(waiting, 4);
    assert_eq!(
        app.published("news", "rain-season").await["comments"],
        serde_json::json!([])
    );
}

#[tokio::test]
async fn the_cli_imports_with_a_dry_run_report_and_fails_on_a_malformed_file() {
    let app = news_app().await;
    let cli = |args: &[&str]| {
        crate::helpers::majlis_cli(&app.db_url)
            .args(args)
            .output()
            .unwrap()
    };
    let file = fixture("disqus.xml");
    let map = fixture("url-map.txt");
    let file = file.to_str().unwrap();
    let map = map.to_str().unwrap();
    let base = [
        "import",
        "--site",
        "news",
        "--format",
        "disqus",
        file,
        "--url-map",
        map,
    ];
    let dry = cli(&[&base[..], &["--dry-run"]].concat());
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let out = String::from_utf8_lossy(&dry.stdout);
    assert!(out.contains("dry run: nothing was written"), "{out}");
    assert!(out.contains("would create: 6 comments"), "{out}");
    assert_eq!(app.stored_count("news").await, 0);

    let real = cli(&base);
    assert!(
        real.status.success(),
        "{}",
        String::from_utf8_lossy(&real.stderr)
    );
    assert!(String::from_utf8_lossy(&real.stdout).contains("created: 6 comments"));
    let again = cli(&base);
    let out = String::from_utf8_lossy(&again.stdout);
    assert!(out.contains("created: 0 comments"), "{out}");
    assert!(
        out.contains("already imported (same source id): 6"),
        "{out}"
    );

    let bad = fixture("disqus-malformed.xml");
    let broken = cli(&[
        "import",
        "--site",
        "news",
        "--format",
        "disqus",
        bad.to_str().unwrap(),
    ]);
    assert!(!broken.status.success());
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(err.contains("line 53"), "{err}");
    assert_eq!(app.stored_count("news").await, 6);
}
