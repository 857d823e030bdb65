//! Several majlis processes on one PostgreSQL behave as one.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::{backend, site, spawn_app, spawn_second_instance};

#[tokio::test]
async fn published_lists_answer_with_an_etag_and_304_when_unchanged() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let url = app.url("/api/v1/sites/news/articles/a/comments");
    let first = app.client.get(&url).send().await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(
        first.headers()["cache-control"],
        "public, max-age=5, stale-while-revalidate=30"
    );
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let again = app
        .client
        .get(&url)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert!(again.bytes().await.unwrap().is_empty());

    // A publication changes the answer and its tag at once.
    let key = app.api_key("news", "moderator").await;
    let id = app.submit("news", "a").await;
    assert_eq!(
        app.decide(&key, "news", &id, "approve", None)
            .await
            .status(),
        200
    );
    let changed = app
        .client
        .get(&url)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
    let v: Value = changed.json().await.unwrap();
    assert_eq!(v["comments"][0]["id"], id.as_str());

    let counts = app.url("/api/v1/sites/news/counts?articles=a");
    let c1 = app.client.get(&counts).send().await.unwrap();
    let tag = c1.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(
        app.client
            .get(&counts)
            .header("If-None-Match", &tag)
            .send()
            .await
            .unwrap()
            .status(),
        304
    );
}

#[tokio::test]
async fn two_instances_share_captchas_and_see_each_others_publications_before_the_cache_expires() {
    if backend().name() != "postgres" {
        eprintln!(
            "SKIPPED two-instance test: needs TEST_DATABASE_URL (PostgreSQL); SQLite is single-process"
        );
        return;
    }
    let a = spawn_app().await;
    a.add_site(site("news")).await;
    let b = spawn_second_instance(&a).await;
    let key = a.api_key("news", "moderator").await;

    // A code issued by one instance verifies on the other.
    let body = a.valid_comment("news").await;
    let resp = b.post_comment("news", "a", &body).await;
    assert_eq!(resp.status(), 202);
    let id = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // B caches the empty list; A publishes; B shows it well before its
    // cached list expires (30 s): the notification, not the expiry, did it.
    assert!(
        b.published("news", "a").await["comments"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        a.decide(&key, "news", &id, "approve", None).await.status(),
        200
    );
    let start = Instant::now();
    loop {
        if b.published("news", "a").await["comments"]
            .as_array()
            .unwrap()
            .len()
            == 1
        {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "instance B still serves the old list"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!(
        "publication visible on the other instance after {:?}",
        start.elapsed()
    );
}
