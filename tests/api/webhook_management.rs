//! Managing subscriptions: pause and change, ping, redeliver, rotate the
//! signing secret with an overlap during which both secrets sign.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, site, spawn_app_with};
use crate::webhooks::{Received, Receiver, app_with_site, fast, subscribe};

/// The Standard Webhooks check of a receiver that knows `secret`: any of
/// the space-separated signatures verifies.
fn verifies_with(secret: &str, r: &Received) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let signed = format!(
        "{}.{}.{}",
        r.header("webhook-id"),
        r.header("webhook-timestamp"),
        r.body
    );
    r.header("webhook-signature").split(' ').any(|sig| {
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(signed.as_bytes());
        STANDARD
            .decode(sig.strip_prefix("v1,").unwrap_or_default())
            .is_ok_and(|s| mac.verify_slice(&s).is_ok())
    })
}

async fn app() -> (TestApp, String) {
    let app = spawn_app_with(fast).await;
    app.add_site(site("news")).await;
    let admin = app.api_key("news", "admin").await;
    (app, admin)
}

async fn post(app: &TestApp, key: &str, path: &str, body: Option<Value>) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url(&format!("/api/v1/sites/news/webhooks/{path}")))
        .bearer_auth(key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

async fn patch(app: &TestApp, key: &str, hook: &str, body: Value) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/api/v1/sites/news/webhooks/{hook}")))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn ping(app: &TestApp, key: &str, hook: &str) -> String {
    let resp = post(app, key, &format!("{hook}/ping"), None).await;
    assert_eq!(resp.status(), 202);
    let v: Value = resp.json().await.unwrap();
    v["delivery"].as_str().unwrap().to_string()
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    app.texts("SELECT action FROM audit_log WHERE action LIKE 'webhook_%' ORDER BY created_at, id")
        .await
}

#[tokio::test]
async fn a_ping_is_a_signed_ping_event_even_for_a_paused_subscription() {
    let (app, admin) = app().await;
    let rx = Receiver::start().await;
    let (hook, secret) = subscribe(&app, &admin, &rx.url(), &["comment.published"]).await;
    let resp = patch(&app, &admin, &hook, json!({"enabled": false})).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["enabled"], false);
    let delivery = ping(&app, &admin, &hook).await;
    let got = rx.wait_for("the ping", |g| !g.is_empty()).await;
    assert_eq!(got[0].header("webhook-id"), delivery);
    assert!(verifies_with(&secret, &got[0]), "{:#?}", got[0]);
    let body = got[0].json();
    assert_eq!(body["type"], "ping");
    assert_eq!(body["data"]["webhook_id"], hook.as_str());
    assert_eq!(body["data"]["site"], "news");
    assert_eq!(
        audit_actions(&app).await,
        ["webhook_created", "webhook_updated", "webhook_ping"]
    );
}

#[tokio::test]
async fn a_paused_subscription_queues_no_events_until_enabled_again() {
    let (app, admin) = app().await;
    let rx = Receiver::start().await;
    let (hook, _) = subscribe(&app, &admin, &rx.url(), &["comment.created"]).await;
    let count = || async {
        app.scalar(&format!(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = '{hook}'"
        ))
        .await
        .unwrap()
    };
    assert_eq!(
        patch(&app, &admin, &hook, json!({"enabled": false}))
            .await
            .status(),
        200
    );
    app.submit("news", "a-1").await;
    assert_eq!(count().await, 0);
    let resp = patch(
        &app,
        &admin,
        &hook,
        json!({"enabled": true, "events": ["comment.created", "comment.published"],
               "description": "CMS"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["events"], json!(["comment.created", "comment.published"]));
    assert_eq!(v["description"], "CMS");
    app.submit("news", "a-1").await;
    assert_eq!(count().await, 1);
}

#[tokio::test]
async fn a_change_is_validated_and_another_sites_subscription_is_not_found() {
    let (app, admin) = app().await;
    let rx = Receiver::start().await;
    let (hook, _) = subscribe(&app, &admin, &rx.url(), &["comment.created"]).await;
    let resp = patch(
        &app,
        &admin,
        &hook,
        json!({"events": ["comment.nope"], "url": "ftp://x"}),
    )
    .await;
    assert_eq!(resp.status(), 422);
    let v: Value = resp.json().await.unwrap();
    assert!(v["fields"]["events"].is_array(), "{v}");
    assert!(v["fields"]["url"].is_array(), "{v}");
    let resp = patch(&app, &admin, "nope", json!({"enabled": false})).await;
    assert_eq!(resp.status(), 404);
    app.add_site(site("other")).await;
    let other = app.api_key("other", "admin").await;
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/sites/other/webhooks/{hook}/ping")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let moderator = app.api_key("news", "moderator").await;
    assert_eq!(
        post(&app, &moderator, &format!("{hook}/ping"), None)
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn a_rotated_secret_signs_with_both_during_the_overlap_and_only_the_new_after() {
    let (app, admin) = app().await;
    let rx = Receiver::start().await;
    let (hook, old) = subscribe(&app, &admin, &rx.url(), &["comment.published"]).await;
    let resp = post(
        &app,
        &admin,
        &format!("{hook}/rotate-secret"),
        Some(json!({"overlap_secs": 3600})),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    let new = v["secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert!(v["previous_secret_valid_until"].is_string(), "{v}");

    ping(&app, &admin, &hook).await;
    let got = rx.wait_for("a ping in the overlap", |g| g.len() == 1).await;
    assert_eq!(got[0].header("webhook-signature").split(' ').count(), 2);
    assert!(verifies_with(&old, &got[0]));
    assert!(verifies_with(&new, &got[0]));

    // The overlap ends (back-dated rather than waited for).
    app.exec(&format!(
        "UPDATE webhooks SET previous_secret_until = 1 WHERE id = '{hook}'"
    ))
    .await;
    ping(&app, &admin, &hook).await;
    let got = rx
        .wait_for("a ping after the overlap", |g| g.len() == 2)
        .await;
    assert_eq!(got[1].header("webhook-signature").split(' ').count(), 1);
    assert!(verifies_with(&new, &got[1]));
    assert!(!verifies_with(&old, &got[1]));

    let bad = post(
        &app,
        &admin,
        &format!("{hook}/rotate-secret"),
        Some(json!({"overlap_secs": 604801})),
    )
    .await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn redelivery_sends_the_same_webhook_id_again() {
    let (app, admin) = app().await;
    let rx = Receiver::start().await;
    let (hook, secret) = subscribe(&app, &admin, &rx.url(), &["comment.created"]).await;
    let delivery = ping(&app, &admin, &hook).await;
    rx.wait_for("the first delivery", |g| g.len() == 1).await;
    // Delivered once recorded (the receiver answered before the log was written).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app
        .scalar(&format!(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE id = '{delivery}' AND status = 'delivered'"
        ))
        .await
        != Some(1)
    {
        assert!(std::time::Instant::now() < deadline, "never marked delivered");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let resp = post(
        &app,
        &admin,
        &format!("{hook}/deliveries/{delivery}/redeliver"),
        None,
    )
    .await;
    assert_eq!(resp.status(), 202);
    let got = rx.wait_for("the redelivery", |g| g.len() == 2).await;
    assert_eq!(got[1].header("webhook-id"), delivery);
    assert_eq!(got[1].body, got[0].body);
    assert!(verifies_with(&secret, &got[1]));
    let missing = post(
        &app,
        &admin,
        &format!("{hook}/deliveries/msg_nope/redeliver"),
        None,
    )
    .await;
    assert_eq!(missing.status(), 404);
}

/// Wait until an event of type `event` has arrived.
async fn arrives(rx: &Receiver, event: &str) {
    rx.wait_for(event, |g| g.iter().any(|r| r.json()["type"] == event))
        .await;
}

/// `method` on `path` of the site's API with `key`; the answer's status.
async fn call(app: &TestApp, key: &str, method: &str, path: &str, body: Option<Value>) -> u16 {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app
        .client
        .request(method, app.url(&format!("/api/v1/sites/news/{path}")))
        .bearer_auth(key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn every_change_that_queues_a_delivery_wakes_the_delivery_loop() {
    // An hour between polls: what arrives during the test was woken for.
    let an_hour = |s: &mut majlis::config::Settings| {
        fast(s);
        s.webhooks.poll_interval_ms = 3_600_000;
    };
    let (app, admin) = app_with_site(an_hour).await;
    let rx = Receiver::start().await;
    let every = majlis::webhooks::EVENT_TYPES;
    let (hook, _) = subscribe(&app, &admin, &rx.url(), &every).await;
    let id = app.submit("news", "a-1").await;
    let email = app.store.comment("news", &id).await.unwrap().unwrap().email;
    arrives(&rx, "comment.created").await;
    let resp = app.decide(&admin, "news", &id, "approve", None).await;
    assert_eq!(resp.status(), 200);
    arrives(&rx, "comment.published").await;
    let edit = json!({"title": "عنوان مصحح", "body": "نص مصحح بعد التعديل"});
    let path = format!("comments/{id}");
    assert_eq!(call(&app, &admin, "PATCH", &path, Some(edit)).await, 200);
    arrives(&rx, "comment.edited").await;
    let path = format!("comments/{id}/feature");
    assert_eq!(call(&app, &admin, "POST", &path, None).await, 200);
    arrives(&rx, "comment.featured").await;
    let close = json!({"open": false});
    assert_eq!(
        call(&app, &admin, "PUT", "articles/a-1", Some(close)).await,
        200
    );
    arrives(&rx, "article.closed").await;
    let erase = json!({"email": email});
    assert_eq!(
        call(&app, &admin, "POST", "privacy/erase", Some(erase)).await,
        200
    );
    arrives(&rx, "comment.erased").await;
    let path = format!("comments/{id}");
    assert_eq!(call(&app, &admin, "DELETE", &path, None).await, 204);
    arrives(&rx, "comment.deleted").await;
    ping(&app, &admin, &hook).await;
    arrives(&rx, "ping").await;
}

/// `majlis <args>` on the app's database with its webhook settings: stdout,
/// or the stderr of a failure.
fn cli(app: &TestApp, args: &[&str]) -> Result<String, String> {
    let out = crate::helpers::majlis_cli(&app.db_url)
        .env("MAJLIS__WEBHOOKS__ALLOW_HTTP", "true")
        .env("MAJLIS__WEBHOOKS__ALLOW_PRIVATE_NETWORKS", "true")
        .args(args)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).unwrap())
    } else {
        Err(String::from_utf8(out.stderr).unwrap())
    }
}

#[tokio::test]
async fn the_command_line_manages_subscriptions_and_the_serving_instance_delivers_its_events() {
    let (app, admin) = app().await;
    let rx = Receiver::start().await;
    let url = rx.url();
    let secret = cli(
        &app,
        &[
            "webhook",
            "add",
            "--site=news",
            &format!("--url={url}"),
            "--event=article.closed",
        ],
    )
    .unwrap();
    let secret = secret.trim();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let listed = cli(&app, &["webhook", "list", "--site=news"]).unwrap();
    let hook = listed.split_whitespace().next().unwrap().to_string();
    assert!(
        listed.contains(&url) && listed.contains("active"),
        "{listed}"
    );
    // Refused as the API refuses.
    let refused = cli(
        &app,
        &[
            "webhook",
            "add",
            "--site=news",
            "--url=ftp://x",
            "--event=comment.nope",
        ],
    )
    .unwrap_err();
    assert!(
        refused.starts_with("majlis: validation_failed"),
        "{refused}"
    );
    let missing = cli(&app, &["webhook", "list", "--site=nosuch"]).unwrap_err();
    assert!(missing.starts_with("majlis: site_not_found"), "{missing}");

    // This process runs no delivery loop: the serving instance's poll finds
    // what the command queued and delivers it, signed with the secret the
    // command printed.
    assert_eq!(
        call(
            &app,
            &admin,
            "PUT",
            "articles/a-1",
            Some(json!({"open": true}))
        )
        .await,
        201
    );
    cli(&app, &["article", "close", "--site=news", "a-1"]).unwrap();
    arrives(&rx, "article.closed").await;
    let got = rx.received();
    assert!(verifies_with(secret, &got[0]), "{:#?}", got[0]);

    cli(
        &app,
        &["webhook", "update", "--site=news", &hook, "--enabled=false"],
    )
    .unwrap();
    let listed = cli(&app, &["webhook", "list", "--site=news"]).unwrap();
    assert!(listed.contains("paused"), "{listed}");
    cli(&app, &["webhook", "remove", "--site=news", &hook]).unwrap();
    let gone = cli(&app, &["webhook", "remove", "--site=news", &hook]).unwrap_err();
    assert!(gone.starts_with("majlis: not_found"), "{gone}");
    assert!(app.store.webhooks("news").await.unwrap().is_empty());
    assert_eq!(
        audit_actions(&app).await,
        ["webhook_created", "webhook_updated", "webhook_deleted"]
    );
}
