//! The NDJSON export of a site (admin key).

use serde_json::Value;

use crate::helpers::{site, spawn_app};

#[tokio::test]
async fn an_admin_exports_every_comment_of_the_site_as_ndjson() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.add_site(site("other")).await;
    let admin = app.api_key("news", "admin").await;
    let moderator = app.api_key("news", "moderator").await;
    let a = app.submit("news", "rain").await;
    let b = app.submit("news", "budget").await;
    app.submit("other", "rain").await;
    app.decide(&moderator, "news", &a, "approve", None).await;
    app.decide(&moderator, "news", &b, "spam", None).await;

    let resp = reqwest::Client::new()
        .get(app.url("/api/v1/sites/news/export"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/x-ndjson"
    );
    let text = resp.text().await.unwrap();
    assert!(text.ends_with('\n'));
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], a.as_str());
    assert_eq!(lines[0]["status"], "published");
    assert_eq!(lines[1]["id"], b.as_str());
    assert_eq!(lines[1]["status"], "spam");
    assert!(lines[0]["email"].as_str().unwrap().contains('@'));
    // Each line carries the comment's audit trail.
    assert_eq!(lines[0]["audit"][0]["action"], "submitted");
    assert_eq!(lines[0]["audit"][1]["action"], "approve");
    assert_eq!(lines[0]["audit"][1]["to_status"], "published");
    assert_eq!(lines[1]["audit"][1]["action"], "spam");
}

#[tokio::test]
async fn the_export_needs_an_admin_key_of_the_same_site() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.add_site(site("other")).await;
    let moderator = app.api_key("news", "moderator").await;
    let foreign = app.api_key("other", "admin").await;
    let client = reqwest::Client::new();
    let url = app.url("/api/v1/sites/news/export");
    assert_eq!(client.get(&url).send().await.unwrap().status(), 401);
    let resp = client
        .get(&url)
        .bearer_auth(&moderator)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = client.get(&url).bearer_auth(&foreign).send().await.unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn a_large_export_streams_every_row_once_in_order() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let admin = app.api_key("news", "admin").await;
    app.submit("news", "rain").await;
    app.exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1100) \
         INSERT INTO comments (id, site_key, article_id, status, flagged, author_name, \
         author_email, title, body, lang, terms_version, ip_hash, body_fingerprint, findings, \
         created_at, published_at, updated_at) \
         SELECT c.id || '-' || n.i, c.site_key, c.article_id, c.status, c.flagged, c.author_name, \
         c.author_email, c.title, c.body, c.lang, c.terms_version, c.ip_hash, c.body_fingerprint, \
         c.findings, c.created_at + (n.i / 2), c.published_at, c.updated_at \
         FROM comments c CROSS JOIN n",
    )
    .await;
    let text = reqwest::Client::new()
        .get(app.url("/api/v1/sites/news/export"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1101);
    let mut ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    let times: Vec<time::OffsetDateTime> = lines
        .iter()
        .map(|l| {
            let t = l["created_at"].as_str().unwrap();
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap()
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 1101);
}

#[tokio::test]
async fn majlis_export_writes_the_same_ndjson_to_stdout() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let a = app.submit("news", "rain").await;
    let b = app.submit("news", "budget").await;
    // With every log line on (the database's statements and notices among
    // them), stdout still holds the NDJSON alone: logs go to stderr.
    let out = crate::helpers::majlis_cli(&app.db_url)
        .env("MAJLIS__LOG__LEVEL", "debug")
        .args(["export", "--site", "news"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [a.as_str(), b.as_str()]);

    let missing = crate::helpers::majlis_cli(&app.db_url)
        .args(["export", "--site", "nosuch"])
        .output()
        .unwrap();
    assert!(!missing.status.success());

    // To a file, with a progress bar on stderr.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("news.ndjson");
    let out = crate::helpers::majlis_cli(&app.db_url)
        .args(["export", "--site", "news", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let progress = String::from_utf8(out.stderr).unwrap();
    assert!(progress.contains("100% 2/2"), "{progress}");
    assert!(progress.contains("2 comments written"), "{progress}");
    let written = std::fs::read_to_string(&file).unwrap();
    let ids: Vec<String> = written
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, [a.clone(), b.clone()]);
}
