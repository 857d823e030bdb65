//! Privacy requests (export and erasure of one person's data), the
//! retention purge of client-address hashes, and per-API-key rate limits.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, backend, site, spawn_app, spawn_app_with, spawn_second_instance_with,
};

/// Submit a comment as `email` (with a solved captcha) and return its id.
async fn submit_as(app: &TestApp, site: &str, article: &str, email: &str, n: u32) -> String {
    let mut body = app.valid_comment(site).await;
    body["email"] = json!(email);
    body["name"] = json!("Layla Haddad");
    body["body"] = json!(format!("Comment number {n} on the report, with thanks."));
    let resp = app.post_comment(site, article, &body).await;
    assert_eq!(resp.status(), 202, "{}", resp.text().await.unwrap());
    let v: Value = resp.json().await.unwrap();
    // Back-date the person's comments so the posting rules' per-email rate
    // limit lets the next one through (their order stays the same).
    app.exec(&format!(
        "UPDATE comments SET created_at = created_at - 7200000 WHERE author_email = '{}'",
        email.to_lowercase()
    ))
    .await;
    v["id"].as_str().unwrap().to_string()
}

async fn privacy(
    app: &TestApp,
    key: &str,
    site: &str,
    what: &str,
    body: Value,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/sites/{site}/privacy/{what}")))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The same, its answer as JSON.
async fn privacy_json(app: &TestApp, key: &str, site: &str, what: &str, body: Value) -> Value {
    privacy(app, key, site, what, body)
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_privacy_export_returns_everything_stored_about_an_address() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.add_site(site("other")).await;
    let admin = app.api_key("news", "admin").await;
    let moderator = app.api_key("news", "moderator").await;
    let a = submit_as(&app, "news", "rain", "layla@example.org", 1).await;
    let b = submit_as(&app, "news", "budget", "Layla@Example.org", 2).await;
    app.submit("news", "rain").await; // someone else
    submit_as(&app, "other", "rain", "layla@example.org", 3).await; // another site
    assert_eq!(
        app.decide(&moderator, "news", &a, "approve", None)
            .await
            .status(),
        200
    );

    let resp = privacy(
        &app,
        &admin,
        "news",
        "export",
        json!({"email": "LAYLA@example.org"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["email"], "layla@example.org");
    let comments = v["comments"].as_array().unwrap();
    let ids: Vec<&str> = comments.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [a.as_str(), b.as_str()]);
    assert_eq!(comments[0]["status"], "published");
    assert_eq!(comments[0]["name"], "Layla Haddad");
    assert_eq!(comments[0]["audit"][0]["action"], "submitted");
    assert_eq!(comments[0]["audit"][1]["action"], "approve");
    assert!(comments[0]["ip_hash"].as_str().unwrap().len() == 32);
    assert_eq!(comments[1]["status"], "pending");
    // The publication notice mailed to the person.
    let mail = v["mail"].as_array().unwrap();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0]["kind"], "comment_published");
    assert_eq!(mail[0]["comment_id"], a.as_str());
    assert!(v["unsubscribed_at"].is_null());
    assert_eq!(v["blocks"], json!([]));

    // Nobody else's data, and nothing for an unknown address.
    let v: Value = privacy_json(
        &app,
        &admin,
        "news",
        "export",
        json!({"email": "nobody@example.org"}),
    )
    .await;
    assert_eq!(v["comments"], json!([]));
    assert_eq!(v["mail"], json!([]));
}

#[tokio::test]
async fn erasure_anonymizes_the_comments_and_keeps_the_text_unless_asked() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let admin = app.api_key("news", "admin").await;
    let moderator = app.api_key("news", "moderator").await;
    let a = submit_as(&app, "news", "rain", "layla@example.org", 1).await;
    let b = submit_as(&app, "news", "rain", "layla@example.org", 2).await;
    let other = app.submit("news", "rain").await;
    for id in [&a, &other] {
        app.decide(&moderator, "news", id, "approve", None).await;
    }
    // Warm the read cache so the erasure must invalidate it.
    assert_eq!(
        app.published("news", "rain").await["comments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let resp = privacy(
        &app,
        &admin,
        "news",
        "erase",
        json!({"email": "layla@example.org"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v, json!({"comments": 2, "mail": 1, "removed_text": false}));

    // Still public, without a name; the other reader is untouched.
    let list = app.published("news", "rain").await;
    let mine = list["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == a.as_str())
        .unwrap()
        .clone();
    assert_eq!(mine["name"], "");
    assert!(mine["body"].as_str().unwrap().contains("Comment number 1"));
    let full: Value = app
        .get_json(&moderator, &format!("/api/v1/sites/news/comments/{b}"))
        .await;
    assert_eq!(full["email"], "");
    assert_eq!(full["name"], "");
    assert_eq!(full["ip_hash"], "");
    let kept: Value = app
        .get_json(&moderator, &format!("/api/v1/sites/news/comments/{other}"))
        .await;
    assert!(kept["email"].as_str().unwrap().contains('@'));

    // Audited with the key, and nothing is left to find.
    let audit: Value = app
        .get_json(
            &moderator,
            &format!("/api/v1/sites/news/comments/{a}/audit"),
        )
        .await;
    let last = audit["entries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "privacy_erase");
    assert_eq!(last["actor_kind"], "api_key");
    let again: Value = privacy_json(
        &app,
        &admin,
        "news",
        "export",
        json!({"email": "layla@example.org"}),
    )
    .await;
    assert_eq!(again["comments"], json!([]));
    assert_eq!(again["mail"], json!([]));
    let again: Value = privacy_json(
        &app,
        &admin,
        "news",
        "erase",
        json!({"email": "layla@example.org"}),
    )
    .await;
    assert_eq!(again["comments"], 0);
    // Each request is on record, the one that found nothing too: counts, never the address.
    let requests = app
        .texts("SELECT details FROM audit_log WHERE action = 'privacy_erase_request'")
        .await;
    assert_eq!(requests.len(), 2, "{requests:?}");
    let counts: Vec<Value> = requests
        .iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    assert!(
        counts.iter().any(|c| c["comments"].as_i64() > Some(0)),
        "{counts:?}"
    );
    assert!(
        counts.contains(&json!({"comments": 0, "mail": 0})),
        "{counts:?}"
    );
    let leaked = app
        .scalar("SELECT COUNT(*) FROM audit_log WHERE details LIKE '%layla@example.org%'")
        .await;
    assert_eq!(leaked, Some(0));
}

#[tokio::test]
async fn erasure_with_remove_text_deletes_the_comments_and_their_edit_history() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let admin = app.api_key("news", "admin").await;
    let moderator = app.api_key("news", "moderator").await;
    let a = submit_as(&app, "news", "rain", "layla@example.org", 1).await;
    app.decide(&moderator, "news", &a, "approve", None).await;
    let edited = app
        .client
        .patch(app.url(&format!("/api/v1/sites/news/comments/{a}")))
        .bearer_auth(&moderator)
        .json(&json!({"body": "An edited comment on the report.", "reason": "tidy"}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 200);
    assert_eq!(
        app.published("news", "rain").await["comments"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let v: Value = privacy_json(
        &app,
        &admin,
        "news",
        "erase",
        json!({"email": "layla@example.org", "remove_text": true}),
    )
    .await;
    assert_eq!(v["comments"], 1);
    assert_eq!(v["removed_text"], true);

    assert_eq!(app.published("news", "rain").await["comments"], json!([]));
    let counts: Value = app
        .client
        .get(app.url("/api/v1/sites/news/counts?articles=rain"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counts["counts"]["rain"], 0);
    let full: Value = app
        .get_json(&moderator, &format!("/api/v1/sites/news/comments/{a}"))
        .await;
    assert_eq!(full["status"], "deleted");
    assert_eq!(full["body"], "");
    assert_eq!(full["title"], "");
    let audit: Value = app
        .get_json(
            &moderator,
            &format!("/api/v1/sites/news/comments/{a}/audit"),
        )
        .await;
    let text = audit.to_string();
    assert!(!text.contains("Comment number 1"), "{text}");
    assert!(
        audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["details"].is_null())
    );
}

#[tokio::test]
async fn privacy_requests_need_an_admin_key_of_the_site_and_a_valid_email() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.add_site(site("other")).await;
    let admin = app.api_key("news", "admin").await;
    let moderator = app.api_key("news", "moderator").await;
    let foreign = app.api_key("other", "admin").await;
    for what in ["export", "erase"] {
        let url = app.url(&format!("/api/v1/sites/news/privacy/{what}"));
        let body = json!({"email": "layla@example.org"});
        let none = app.client.post(&url).json(&body).send().await.unwrap();
        assert_eq!(none.status(), 401);
        assert_eq!(
            privacy(&app, &moderator, "news", what, body.clone())
                .await
                .status(),
            403
        );
        assert_eq!(
            privacy(&app, &foreign, "news", what, body.clone())
                .await
                .status(),
            404
        );
        let bad = privacy(
            &app,
            &admin,
            "news",
            what,
            json!({"email": "not an address"}),
        )
        .await;
        assert_eq!(bad.status(), 422);
        let v: Value = bad.json().await.unwrap();
        assert_eq!(v["error"], "validation_failed");
        assert_eq!(v["fields"]["email"][0]["code"], "invalid_email");
        let missing = privacy(&app, &admin, "news", what, json!({})).await;
        assert_eq!(missing.status(), 422);
        let unknown = privacy(
            &app,
            &admin,
            "news",
            what,
            json!({"email": "a@b.org", "x": 1}),
        )
        .await;
        assert_eq!(unknown.status(), 400);
    }
}

#[tokio::test]
async fn client_address_hashes_are_cleared_after_the_retention() {
    let app = spawn_app_with(|s| {
        s.privacy.ip_hash_retention_days = 1;
        s.privacy.purge_interval_secs = 1;
    })
    .await;
    app.add_site(site("news")).await;
    let moderator = app.api_key("news", "moderator").await;
    let old = app.submit("news", "rain").await;
    let fresh = app.submit("news", "rain").await;
    let two_days = 2 * 86_400_000;
    app.exec(&format!(
        "UPDATE comments SET created_at = created_at - {two_days} WHERE id = '{old}'"
    ))
    .await;
    let hash_of = |id: String| {
        let (app, moderator) = (&app, &moderator);
        async move {
            let path = format!("/api/v1/sites/news/comments/{id}");
            let v = app.get_json(moderator, &path).await;
            v["ip_hash"].as_str().unwrap().to_string()
        }
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !hash_of(old.clone()).await.is_empty() {
        assert!(Instant::now() < deadline, "the old hash was never cleared");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(hash_of(fresh).await.len(), 32);
}

async fn moderation_get(app: &TestApp, key: &str) -> reqwest::Response {
    app.client
        .get(app.url("/api/v1/sites/news/moderation/queue?status=pending"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn each_api_key_has_a_request_budget_per_minute() {
    let app = spawn_app_with(|s| s.api.rate_limit_per_minute = 5).await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let other = app.api_key("news", "moderator").await;
    for _ in 0..5 {
        assert_eq!(moderation_get(&app, &key).await.status(), 200);
    }
    let limited = moderation_get(&app, &key).await;
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=120).contains(&retry), "{retry}");
    let v: Value = limited.json().await.unwrap();
    assert_eq!(v["error"], "rate_limited");
    // Another key has its own budget; public endpoints are not counted.
    assert_eq!(moderation_get(&app, &other).await.status(), 200);
    assert_eq!(app.published("news", "rain").await["comments"], json!([]));
}

#[tokio::test]
async fn instances_on_one_postgresql_share_a_key_budget() {
    if backend() != majlis::storage::Backend::Postgres {
        eprintln!("skipped: several instances need PostgreSQL (set TEST_DATABASE_URL)");
        return;
    }
    let one = spawn_app_with(|s| s.api.rate_limit_per_minute = 6).await;
    one.add_site(site("news")).await;
    let two = spawn_second_instance_with(&one, |s| s.api.rate_limit_per_minute = 6).await;
    let key = one.api_key("news", "moderator").await;
    let mut ok = 0;
    let mut limited = 0;
    for i in 0..10 {
        let app = if i % 2 == 0 { &one } else { &two };
        match moderation_get(app, &key).await.status().as_u16() {
            200 => ok += 1,
            429 => limited += 1,
            s => panic!("unexpected {s}"),
        }
    }
    // The window may turn during the loop, which can admit a few more.
    assert!((6..=9).contains(&ok), "ok={ok} limited={limited}");
    assert!(limited >= 1);
}

#[tokio::test]
async fn erasure_drops_webhook_deliveries_that_carry_the_persons_comments() {
    let app = spawn_app_with(|s| {
        s.webhooks.allow_http = true;
        s.webhooks.allow_private_networks = true;
        s.webhooks.retry_base_secs = 3600;
        s.webhooks.retry_max_secs = 3600;
    })
    .await;
    app.add_site(site("news")).await;
    let admin = app.api_key("news", "admin").await;
    // A receiver that is never there: deliveries stay in the outbox.
    let created = app
        .client
        .post(app.url("/api/v1/sites/news/webhooks"))
        .bearer_auth(&admin)
        .json(&json!({"url": "http://127.0.0.1:9/hook", "events": ["comment.created"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let hook: Value = created.json().await.unwrap();
    let hook = hook["id"].as_str().unwrap().to_string();
    submit_as(&app, "news", "rain", "layla@example.org", 1).await;
    app.submit("news", "rain").await; // someone else
    let path = format!("/api/v1/sites/news/webhooks/{hook}/deliveries");
    let log = || async { app.get_json(&admin, &path).await.to_string() };
    let before = log().await;
    assert!(before.contains("Layla Haddad"), "{before}");

    privacy(
        &app,
        &admin,
        "news",
        "erase",
        json!({"email": "layla@example.org"}),
    )
    .await;
    let after = log().await;
    assert!(!after.contains("Layla Haddad"), "{after}");
    assert!(
        after.contains("comment.created"),
        "the other reader's delivery stays: {after}"
    );
}
