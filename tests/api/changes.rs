//! The change feed: every change of a site's comments, read in order with a
//! cursor, none skipped or repeated, even under concurrent writers (and on
//! PostgreSQL, two instances writing at once).

use std::collections::HashSet;

use serde_json::{Value, json};

use majlis::storage::Backend;

use crate::helpers::{
    TestApp, backend, site, spawn_app, spawn_app_with, spawn_second_instance_with,
};

async fn feed(app: &TestApp, key: &str, query: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/sites/news/changes{query}")))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
}

/// Pages of `limit` from `after` until `n` entries are read, then one more
/// read to show nothing else is there. On PostgreSQL an entry appears once
/// every older writing transaction (of any database of the server, such as
/// a parallel test's) has ended, so the reader polls until it has them.
async fn read_n(
    app: &TestApp,
    key: &str,
    after: &str,
    limit: u32,
    n: usize,
) -> (Vec<Value>, String) {
    let mut out = Vec::new();
    let mut cursor = after.to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let resp = feed(app, key, &format!("?after={cursor}&limit={limit}")).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["cache-control"], "no-store");
        let page: Value = resp.json().await.unwrap();
        let changes = page["changes"].as_array().unwrap();
        assert!(changes.len() <= limit as usize);
        out.extend(changes.iter().cloned());
        cursor = page["next_cursor"].as_str().unwrap().to_string();
        if out.len() >= n && !page["has_more"].as_bool().unwrap() {
            assert_eq!(out.len(), n, "more entries than changes: {out:?}");
            return (out, cursor);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of {n} entries",
            out.len()
        );
        if changes.is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn the_feed_lists_every_change_in_order_and_resumes_from_its_cursor() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.add_site(site("other")).await;
    let key = app.api_key("news", "moderator").await;

    let empty: Value = feed(&app, &key, "").await.json().await.unwrap();
    assert_eq!(empty["changes"], json!([]));
    assert_eq!(empty["has_more"], false);
    let start = empty["next_cursor"].as_str().unwrap().to_string();

    let a = app.submit("news", "a-1").await;
    let b = app.submit("news", "a-1").await;
    let c = app.submit("news", "a-2").await;
    app.submit("other", "a-1").await;
    for (id, action, body) in [
        (&a, "approve", None),
        (&b, "reject", Some(json!({"reason": "off_topic"}))),
        (&c, "spam", None),
    ] {
        assert_eq!(
            app.decide(&key, "news", id, action, body).await.status(),
            200
        );
    }

    // Pages of two, followed by cursor, give the six changes once each, in
    // the order they were made, with each comment as it is now.
    let (all, end) = read_n(&app, &key, &start, 2, 6).await;
    let seen: Vec<(String, String, String)> = all
        .iter()
        .map(|c| {
            (
                c["comment"]["id"].as_str().unwrap().to_string(),
                c["change"].as_str().unwrap().to_string(),
                c["comment"]["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let s = |id: &String, change: &str, status: &str| (id.clone(), change.into(), status.into());
    assert_eq!(
        seen,
        vec![
            s(&a, "created", "published"),
            s(&b, "created", "rejected"),
            s(&c, "created", "spam"),
            s(&a, "published", "published"),
            s(&b, "rejected", "rejected"),
            s(&c, "spam", "spam"),
        ]
    );
    assert_eq!(all[0]["comment"]["article"], "a-1");
    assert!(all[0]["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(all.last().unwrap()["cursor"].as_str().unwrap(), end);

    // Nothing new: the same cursor back, to poll with again.
    let again: Value = feed(&app, &key, &format!("?after={end}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["changes"], json!([]));
    assert_eq!(again["next_cursor"], end.as_str());
    // A later change shows up after the cursor.
    assert_eq!(
        app.decide(&key, "news", &b, "approve", None).await.status(),
        200
    );
    let (later, _) = read_n(&app, &key, &end, 10, 1).await;
    assert_eq!(later.len(), 1);
    assert_eq!(later[0]["change"], "published");
    assert_eq!(later[0]["comment"]["id"], b.as_str());

    for bad in [
        "?after=x",
        "?after=1-",
        "?after=-1-2",
        "?limit=0",
        "?limit=501",
    ] {
        let resp = feed(&app, &key, bad).await;
        assert_eq!(resp.status(), 400, "{bad}");
        assert_eq!(
            resp.json::<Value>().await.unwrap()["error"],
            "invalid_parameter",
            "{bad}"
        );
    }
    let other_key = app.api_key("other", "moderator").await;
    let elsewhere = feed(&app, &other_key, "").await;
    assert_eq!(elsewhere.status(), 404);
    assert_eq!(
        elsewhere.json::<Value>().await.unwrap()["error"],
        "site_not_found"
    );
    let anonymous = app
        .client
        .get(app.url("/api/v1/sites/news/changes"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn concurrent_writers_are_read_back_once_each_across_pages() {
    // This test is about order, not capacity: on a busy machine a write
    // waits for the database rather than answering 503, and one address on
    // one network may write all it wants.
    let patient = |s: &mut majlis::config::Settings| {
        s.database.acquire_timeout_ms = 30_000;
        s.spam.max_per_hour_per_network = 0;
    };
    let first = spawn_app_with(patient).await;
    first.add_open_site("news").await;
    // On PostgreSQL a second instance writes to the same database at once.
    let second = match backend() {
        Backend::Postgres => Some(spawn_second_instance_with(&first, patient).await),
        Backend::Sqlite => None,
    };
    let key = first.api_key("news", "moderator").await;
    const WRITERS: usize = 8;
    const EACH: usize = 125;

    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let client = first.client.clone();
        let base = first.address.clone();
        let key = key.clone();
        let done = done.clone();
        tokio::spawn(async move {
            // Poll while the writers write, then until the feed has caught up.
            let mut seen: Vec<(String, String)> = Vec::new();
            let mut cursor = String::new();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
            loop {
                let writers_done = done.load(std::sync::atomic::Ordering::SeqCst);
                let page: Value = client
                    .get(format!(
                        "{base}/api/v1/sites/news/changes?after={cursor}&limit=50"
                    ))
                    .bearer_auth(&key)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                for c in page["changes"].as_array().unwrap() {
                    seen.push((
                        c["cursor"].as_str().unwrap().to_string(),
                        c["comment"]["id"].as_str().unwrap().to_string(),
                    ));
                }
                cursor = page["next_cursor"].as_str().unwrap().to_string();
                // Done once the writers are and every change is read (on
                // PostgreSQL the last ones may appear a moment later).
                if writers_done
                    && seen.len() >= WRITERS * EACH
                    && !page["has_more"].as_bool().unwrap()
                {
                    return seen;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "only {} entries",
                    seen.len()
                );
                if page["changes"].as_array().unwrap().is_empty() {
                    // Poll as an integrator would, not in a tight loop.
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            }
        })
    };

    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let app = match (&second, w % 2) {
            (Some(second), 1) => second,
            _ => &first,
        };
        let client = app.client.clone();
        let base = app.address.clone();
        writers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..EACH {
                let body = json!({
                    "name": "Writer", "email": format!("w{w}-{i}@example.com"),
                    "title": "Feed under load",
                    "body": format!("comment {w}-{i} written while the feed is read"),
                    "accept_terms": true
                });
                let resp = client
                    .post(format!("{base}/api/v1/sites/news/articles/a-{w}/comments"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = resp.status();
                let v: Value = resp.json().await.unwrap();
                assert_eq!(status, 202, "{v}");
                ids.push(v["id"].as_str().unwrap().to_string());
            }
            ids
        }));
    }
    let mut written = HashSet::new();
    for w in writers {
        written.extend(w.await.unwrap());
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = reader.await.unwrap();

    assert_eq!(written.len(), WRITERS * EACH);
    let ids: Vec<&String> = seen.iter().map(|(_, id)| id).collect();
    let unique: HashSet<&String> = ids.iter().copied().collect();
    assert_eq!(ids.len(), WRITERS * EACH, "every change read exactly once");
    assert_eq!(unique.len(), ids.len());
    assert!(unique.iter().all(|id| written.contains(*id)));
    let cursors: HashSet<&String> = seen.iter().map(|(c, _)| c).collect();
    assert_eq!(cursors.len(), seen.len());
}
