//! Webhooks end to end: subscriptions through the API, deliveries to a
//! receiver on loopback started by the test, signatures checked by
//! recomputing the Standard Webhooks HMAC, retries, backlog after recovery,
//! the address policy, and every event type.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::{TestApp, site, spawn_app, spawn_app_with};

const HELD_BODY: &str = "الكاتب حمـــار ولا يفهم شيئا";

/// One request the receiver got, and the status it answered.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    headers: HashMap<String, String>,
    pub(crate) body: String,
    pub(crate) answered: u16,
}

impl Received {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// A minimal HTTP/1.1 receiver on 127.0.0.1 that records every request and
/// answers with the status currently set (200 unless switched).
pub(crate) struct Receiver {
    port: u16,
    status: Arc<AtomicU16>,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub(crate) async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let status = Arc::new(AtomicU16::new(200));
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let (st, g) = (status.clone(), got.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (st, g) = (st.clone(), g.clone());
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut reader = BufReader::new(read);
                    let mut line = String::new();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let mut headers = HashMap::new();
                    loop {
                        line.clear();
                        reader.read_line(&mut line).await.unwrap();
                        let l = line.trim_end();
                        if l.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = l.split_once(':') {
                            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                        }
                    }
                    let len: usize = headers
                        .get("content-length")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0; len];
                    reader.read_exact(&mut body).await.unwrap();
                    let answered = st.load(Ordering::SeqCst);
                    g.lock().unwrap().push(Received {
                        headers,
                        body: String::from_utf8(body).unwrap(),
                        answered,
                    });
                    let resp = format!(
                        "HTTP/1.1 {answered} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                    let _ = write.write_all(resp.as_bytes()).await;
                    let _ = write.shutdown().await;
                });
            }
        });
        Receiver { port, status, got }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Requests answered 2xx.
    fn accepted(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| (200..300).contains(&r.answered))
            .collect()
    }

    /// Wait (bounded) until `done` holds for what was received.
    pub(crate) async fn wait_for(
        &self,
        what: &str,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.received();
            if done(&got) {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {got:#?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Test settings: loopback and plain http allowed explicitly, fast retries.
pub(crate) fn fast(s: &mut majlis::config::Settings) {
    s.webhooks.allow_http = true;
    s.webhooks.allow_private_networks = true;
    s.webhooks.poll_interval_ms = 50;
    s.webhooks.retry_base_secs = 1;
    s.webhooks.retry_max_secs = 1;
    s.webhooks.timeout_ms = 2000;
}

/// An app with the site `news` and an admin key of it.
pub(crate) async fn app_with_site(
    tweak: impl FnOnce(&mut majlis::config::Settings),
) -> (TestApp, String) {
    let app = spawn_app_with(tweak).await;
    app.add_site(site("news")).await;
    let admin = app.api_key("news", "admin").await;
    (app, admin)
}

async fn create(app: &TestApp, key: &str, site: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/sites/{site}/webhooks")))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Subscribe `url` to `events`; returns (id, secret).
pub(crate) async fn subscribe(
    app: &TestApp,
    key: &str,
    url: &str,
    events: &[&str],
) -> (String, String) {
    let resp = create(app, key, "news", json!({"url": url, "events": events})).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    (
        v["id"].as_str().unwrap().to_string(),
        v["secret"].as_str().unwrap().to_string(),
    )
}

pub(crate) async fn deliveries(app: &TestApp, key: &str, hook: &str, query: &str) -> Value {
    let resp = app
        .client
        .get(app.url(&format!(
            "/api/v1/sites/news/webhooks/{hook}/deliveries{query}"
        )))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

/// Wait (bounded) until the delivery log satisfies `done`.
async fn wait_log(
    app: &TestApp,
    key: &str,
    hook: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let log = deliveries(app, key, hook, "?limit=100").await["deliveries"]
            .as_array()
            .unwrap()
            .clone();
        if done(&log) {
            return log;
        }
        assert!(Instant::now() < deadline, "timed out; log: {log:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The Standard Webhooks check a receiver does.
pub(crate) fn verify(secret: &str, r: &Received) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let signed = format!(
        "{}.{}.{}",
        r.header("webhook-id"),
        r.header("webhook-timestamp"),
        r.body
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(signed.as_bytes());
    let expected = STANDARD.decode(
        r.header("webhook-signature")
            .strip_prefix("v1,")
            .unwrap_or_default(),
    );
    expected.is_ok_and(|sig| mac.verify_slice(&sig).is_ok())
}

fn field_codes(v: &Value, field: &str) -> Vec<String> {
    v["fields"][field]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["code"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn deliveries_are_signed_as_standard_webhooks_describes() {
    let (app, admin) = app_with_site(fast).await;
    let rx = Receiver::start().await;
    let (hook, secret) = subscribe(&app, &admin, &rx.url(), &["comment.created"]).await;
    assert!(secret.starts_with("whsec_"));
    let id = app.submit("news", "a-1").await;

    let got = rx.wait_for("one delivery", |g| !g.is_empty()).await;
    let r = &got[0];
    assert!(verify(&secret, r), "signature does not verify: {r:#?}");
    assert!(r.header("webhook-id").starts_with("msg_"));
    assert_eq!(r.header("content-type"), "application/json");
    let ts: i64 = r.header("webhook-timestamp").parse().unwrap();
    assert!((ts - majlis::service::now_ms() / 1000).abs() < 60);
    // Tampering with the body breaks the signature.
    let mut forged = r.clone();
    forged.body = forged.body.replace("news", "evil");
    assert!(!verify(&secret, &forged));
    // Another subscription's secret does not verify it either.
    assert!(!verify(&majlis::webhooks::new_secret(), r));

    let v = r.json();
    assert_eq!(v["type"], "comment.created");
    assert!(v["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["data"]["id"], id.as_str());
    assert_eq!(v["data"]["site"], "news");
    assert_eq!(v["data"]["article"]["key"], "a-1");
    assert_eq!(v["data"]["status"], "pending");
    assert!(v["data"].get("email").is_none() && v["data"].get("ip_hash").is_none());

    let log = wait_log(&app, &admin, &hook, |l| {
        l.first().is_some_and(|d| d["status"] == "delivered")
    })
    .await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["id"], r.header("webhook-id"));
    assert_eq!(log[0]["event"], "comment.created");
    assert_eq!(log[0]["attempts"], 1);
    assert_eq!(log[0]["last_status_code"], 200);
    assert_eq!(log[0]["payload"], v);
}

#[tokio::test]
async fn every_event_type_reaches_a_subscriber_of_all_events() {
    let (app, admin) = app_with_site(fast).await;
    let moderator = app.api_key("news", "moderator").await;
    let rx = Receiver::start().await;
    let all = [
        "comment.created",
        "comment.held",
        "comment.published",
        "comment.rejected",
        "comment.deleted",
        "article.closed",
    ];
    let (_, secret) = subscribe(&app, &admin, &rx.url(), &all).await;

    let approved = app.submit("news", "a-1").await;
    let rejected = app.submit("news", "a-1").await;
    let mut held_body = app.valid_comment("news").await;
    held_body["body"] = json!(HELD_BODY);
    let resp = app.post_comment("news", "a-1", &held_body).await;
    assert_eq!(resp.status(), 202);
    let held = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.store
            .comment("news", &held)
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str(),
        "held"
    );
    assert_eq!(
        app.decide(&moderator, "news", &approved, "approve", None)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.decide(&moderator, "news", &rejected, "spam", None)
            .await
            .status(),
        200
    );
    let resp = app
        .client
        .delete(app.url(&format!("/api/v1/sites/news/comments/{approved}")))
        .bearer_auth(&moderator)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let resp = app
        .client
        .put(app.url("/api/v1/sites/news/articles/a-1"))
        .bearer_auth(&moderator)
        .json(&json!({"open": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // created ×3, held, published, rejected, deleted, closed.
    let got = rx.wait_for("eight events", |g| g.len() >= 8).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got_after = rx.received();
    assert_eq!(
        got_after.len(),
        got.len(),
        "no event is sent twice: {got_after:#?}"
    );
    let mut by_type: HashMap<String, Vec<Value>> = HashMap::new();
    for r in &got {
        assert!(verify(&secret, r));
        let v = r.json();
        by_type
            .entry(v["type"].as_str().unwrap().to_string())
            .or_default()
            .push(v);
    }
    assert_eq!(by_type["comment.created"].len(), 3);
    let one = |t: &str| {
        assert_eq!(by_type[t].len(), 1, "{t}: {by_type:#?}");
        by_type[t][0]["data"].clone()
    };
    assert_eq!(one("comment.held")["id"], held.as_str());
    let published = one("comment.published");
    assert_eq!(published["id"], approved.as_str());
    assert_eq!(published["previous_status"], "pending");
    assert_eq!(published["actor"], "api_key");
    assert!(published["published_at"].is_string());
    let rejected_data = one("comment.rejected");
    assert_eq!(rejected_data["id"], rejected.as_str());
    assert_eq!(rejected_data["status"], "spam");
    let deleted = one("comment.deleted");
    assert_eq!(deleted["id"], approved.as_str());
    assert_eq!(deleted["previous_status"], "published");
    let closed = one("article.closed");
    assert_eq!(closed["article"]["key"], "a-1");
    assert_eq!(closed["reason"], "closed");

    // Closing again, or repeating a decision, emits nothing new.
    let resp = app
        .client
        .put(app.url("/api/v1/sites/news/articles/a-1"))
        .bearer_auth(&moderator)
        .json(&json!({"open": false, "title": "renamed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        app.decide(&moderator, "news", &rejected, "spam", None)
            .await
            .status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(rx.received().len(), got.len());
}

#[tokio::test]
async fn a_subscriber_gets_only_the_events_it_asked_for() {
    let (app, admin) = app_with_site(fast).await;
    let moderator = app.api_key("news", "moderator").await;
    let rx = Receiver::start().await;
    let (hook, _) = subscribe(&app, &admin, &rx.url(), &["comment.published"]).await;
    app.submit("news", "a-1").await;
    let published = app.submit("news", "a-1").await;
    assert_eq!(
        app.decide(&moderator, "news", &published, "approve", None)
            .await
            .status(),
        200
    );
    let got = rx.wait_for("the published event", |g| !g.is_empty()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.received().len(), 1, "{got:#?}");
    assert_eq!(got[0].json()["type"], "comment.published");
    assert_eq!(got[0].json()["data"]["id"], published.as_str());
    let log = deliveries(&app, &admin, &hook, "").await;
    assert_eq!(log["deliveries"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_rules_decisions_at_submission_are_events_too() {
    let app = spawn_app_with(fast).await;
    let mut s = site("live");
    s.moderation_mode = majlis::domain::ModerationMode::Post;
    app.add_site(s).await;
    let admin = app.api_key("live", "admin").await;
    let rx = Receiver::start().await;
    let resp = create(
        &app,
        &admin,
        "live",
        json!({"url": rx.url(), "events": ["comment.created", "comment.published", "comment.rejected"]}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    // Post-moderation publishes at once.
    let body = app.valid_comment("live").await;
    let resp = app.post_comment("live", "a-1", &body).await;
    assert_eq!(resp.status(), 201);
    let published = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The rules reject (and store) an obscene one.
    let mut body = app.valid_comment("live").await;
    body["body"] = json!("تعليق فيه كلمة س.ك.س واضحة");
    let resp = app.post_comment("live", "a-1", &body).await;
    assert_eq!(resp.status(), 422);
    let got = rx.wait_for("four events", |g| g.len() >= 4).await;
    let events: Vec<(String, String, String)> = got
        .iter()
        .map(|r| {
            let v = r.json();
            (
                v["type"].as_str().unwrap().to_string(),
                v["data"]["status"].as_str().unwrap().to_string(),
                v["data"]["actor"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for expected in [
        ("comment.created", "published"),
        ("comment.published", "published"),
        ("comment.created", "rejected"),
        ("comment.rejected", "rejected"),
    ] {
        assert_eq!(
            events
                .iter()
                .filter(|(t, s, a)| (t.as_str(), s.as_str()) == expected && a == "rules")
                .count(),
            1,
            "{expected:?} in {events:?}"
        );
    }
    assert!(
        got.iter()
            .any(|r| r.json()["data"]["id"] == published.as_str()
                && r.json()["data"]["published_at"].is_string())
    );
    let rejection = got
        .iter()
        .map(Received::json)
        .find(|v| v["type"] == "comment.rejected")
        .unwrap();
    assert_eq!(
        rejection["data"]["reason"], "banned_term",
        "a rejection by the rules names the deciding finding"
    );
}

#[tokio::test]
async fn a_failing_receiver_gets_retries_and_once_recovered_the_backlog_exactly_once() {
    let (app, admin) = app_with_site(fast).await;
    let rx = Receiver::start().await;
    rx.answer(500);
    let (hook, secret) = subscribe(&app, &admin, &rx.url(), &["comment.created"]).await;
    for _ in 0..3 {
        app.submit("news", "a-1").await;
    }
    // Every message is tried at least twice while the receiver fails.
    let log = wait_log(&app, &admin, &hook, |l| {
        l.len() == 3 && l.iter().all(|d| d["attempts"].as_i64().unwrap() >= 2)
    })
    .await;
    for d in &log {
        assert_eq!(d["status"], "pending");
        assert_eq!(d["last_status_code"], 500);
        assert!(d["last_error"].as_str().unwrap().contains("500"));
        assert!(d["next_attempt_at"].is_string());
    }
    let failed_ids: Vec<String> = log
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    // Each failed attempt carried the same webhook-id for its message.
    let tried = rx.received();
    for id in &failed_ids {
        assert!(
            tried
                .iter()
                .filter(|r| r.header("webhook-id") == id)
                .count()
                >= 2
        );
    }

    rx.answer(204);
    let log = wait_log(&app, &admin, &hook, |l| {
        l.iter().all(|d| d["status"] == "delivered")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let accepted = rx.accepted();
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for r in &accepted {
        assert!(verify(&secret, r));
        *per_id
            .entry(r.header("webhook-id").to_string())
            .or_default() += 1;
    }
    assert_eq!(per_id.len(), 3, "{per_id:?}");
    assert!(
        per_id.values().all(|n| *n == 1),
        "a message was accepted twice: {per_id:?}"
    );
    for d in &log {
        assert!(failed_ids.contains(&d["id"].as_str().unwrap().to_string()));
        // Every attempt is in the log: the failures, then the success.
        let attempts = d["attempt_log"].as_array().unwrap();
        assert_eq!(
            attempts.len() as i64,
            d["attempts"].as_i64().unwrap(),
            "{d:#}"
        );
        let (last, failures) = attempts.split_last().unwrap();
        assert!(failures.len() >= 2);
        for (n, a) in failures.iter().enumerate() {
            assert_eq!(a["attempt"], n as i64 + 1);
            assert_eq!(a["status_code"], 500);
            assert!(a["error"].as_str().unwrap().contains("500"));
            assert!(a["duration_ms"].as_i64().unwrap() >= 0);
        }
        assert_eq!(last["status_code"], 204);
        assert!(last["error"].is_null());
        assert_eq!(d["last_status_code"], 204);
        assert!(d["last_error"].is_null());
        assert!(d["delivered_at"].is_string());
        assert!(d["next_attempt_at"].is_null());
    }
}

#[tokio::test]
async fn a_delivery_is_marked_failed_after_the_last_attempt() {
    let (app, admin) = app_with_site(|s| {
        fast(s);
        s.webhooks.max_attempts = 2;
    })
    .await;
    let rx = Receiver::start().await;
    rx.answer(503);
    let (hook, _) = subscribe(&app, &admin, &rx.url(), &["comment.created"]).await;
    app.submit("news", "a-1").await;
    let log = wait_log(&app, &admin, &hook, |l| {
        l.first().is_some_and(|d| d["status"] == "failed")
    })
    .await;
    assert_eq!(log[0]["attempts"], 2);
    assert_eq!(log[0]["last_status_code"], 503);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(rx.received().len(), 2, "no attempt after giving up");
    let failed = deliveries(&app, &admin, &hook, "?status=failed").await;
    assert_eq!(failed["deliveries"].as_array().unwrap().len(), 1);
    let delivered = deliveries(&app, &admin, &hook, "?status=delivered").await;
    assert!(delivered["deliveries"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn an_unreachable_receiver_is_logged_without_a_status_code() {
    let (app, admin) = app_with_site(fast).await;
    // A port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (hook, _) = subscribe(
        &app,
        &admin,
        &format!("http://127.0.0.1:{port}/"),
        &["comment.created"],
    )
    .await;
    app.submit("news", "a-1").await;
    let log = wait_log(&app, &admin, &hook, |l| {
        l.first()
            .is_some_and(|d| d["attempts"] == 1 && !d["last_error"].is_null())
    })
    .await;
    assert!(log[0]["last_status_code"].is_null());
    assert_eq!(log[0]["status"], "pending");
    let first = &log[0]["attempt_log"][0];
    assert!(first["status_code"].is_null());
    assert_eq!(first["error"], log[0]["last_error"]);
}

#[tokio::test]
async fn an_article_closed_by_age_is_announced_once_by_the_sweep() {
    let app = spawn_app_with(|s| {
        fast(s);
        s.webhooks.close_sweep_secs = 0;
    })
    .await;
    let mut s = site("news");
    s.auto_close_days = Some(30);
    app.add_site(s).await;
    let admin = app.api_key("news", "admin").await;
    let rx = Receiver::start().await;
    let (_, secret) = subscribe(&app, &admin, &rx.url(), &["article.closed"]).await;
    app.submit("news", "old").await;
    app.submit("news", "new").await;
    // Back-date one article past the site's auto-close age.
    app.exec(&format!(
        "UPDATE articles SET created_at = created_at - {} WHERE article_key = 'old'",
        31_i64 * 24 * 3600 * 1000
    ))
    .await;
    let got = rx.wait_for("article.closed", |g| !g.is_empty()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        rx.received().len(),
        1,
        "announced once: {:#?}",
        rx.received()
    );
    assert!(verify(&secret, &got[0]));
    let v = got[0].json();
    assert_eq!(v["type"], "article.closed");
    assert_eq!(v["data"]["article"]["key"], "old");
    assert_eq!(v["data"]["reason"], "age");
}

#[tokio::test]
async fn a_scheduled_close_in_the_past_is_announced_at_once() {
    let (app, admin) = app_with_site(fast).await;
    let moderator = app.api_key("news", "moderator").await;
    let rx = Receiver::start().await;
    subscribe(&app, &admin, &rx.url(), &["article.closed"]).await;
    let resp = app
        .client
        .put(app.url("/api/v1/sites/news/articles/a-9"))
        .bearer_auth(&moderator)
        .json(&json!({"closes_at": "2020-01-01T00:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let got = rx.wait_for("article.closed", |g| !g.is_empty()).await;
    assert_eq!(got[0].json()["data"]["reason"], "closes_at");
    // Opening it again and closing it again is a new event.
    for body in [json!({"open": true}), json!({"open": false})] {
        let resp = app
            .client
            .put(app.url("/api/v1/sites/news/articles/a-9"))
            .bearer_auth(&moderator)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let got = rx
        .wait_for("a second article.closed", |g| g.len() >= 2)
        .await;
    assert_eq!(got[1].json()["data"]["reason"], "closed");
    assert_ne!(got[0].header("webhook-id"), got[1].header("webhook-id"));
}

#[tokio::test]
async fn private_and_plain_http_targets_are_refused_by_default() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let admin = app.api_key("news", "admin").await;
    for (url, code) in [
        ("http://127.0.0.1:9/hook", "https_required"),
        ("http://example.org/hook", "https_required"),
        ("https://10.0.0.1/hook", "private_address"),
        ("https://127.0.0.1/hook", "private_address"),
        ("https://[::1]/hook", "private_address"),
        (
            "https://169.254.169.254/latest/meta-data",
            "private_address",
        ),
        ("https://[::ffff:192.168.1.1]/", "private_address"),
        ("https://localhost/hook", "private_address"),
        ("https://user:pw@example.org/hook", "url_credentials"),
        ("ftp://example.org/", "invalid_url"),
        ("not a url", "invalid_url"),
    ] {
        let resp = create(
            &app,
            &admin,
            "news",
            json!({"url": url, "events": ["comment.created"]}),
        )
        .await;
        assert_eq!(resp.status(), 422, "{url}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["error"], "validation_failed");
        assert_eq!(field_codes(&v, "url"), [code], "{url}: {v}");
        assert!(
            !v["fields"]["url"][0]["message"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }
    let list: Value = app.get_json(&admin, "/api/v1/sites/news/webhooks").await;
    assert!(list["webhooks"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn events_and_description_are_validated() {
    let (app, admin) = app_with_site(fast).await;
    let rx = Receiver::start().await;
    let resp = create(&app, &admin, "news", json!({"url": rx.url(), "events": []})).await;
    assert_eq!(resp.status(), 422);
    assert_eq!(
        field_codes(&resp.json().await.unwrap(), "events"),
        ["required"]
    );
    let resp = create(
        &app,
        &admin,
        "news",
        json!({"url": rx.url(), "events": ["comment.created", "comment.exploded"]}),
    )
    .await;
    assert_eq!(resp.status(), 422);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(field_codes(&v, "events"), ["unknown_event"]);
    assert!(
        v["fields"]["events"][0]["message"]
            .as_str()
            .unwrap()
            .contains("comment.exploded")
    );
    let resp = create(
        &app,
        &admin,
        "news",
        json!({"url": rx.url(), "events": ["comment.created"], "description": "x".repeat(201)}),
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert_eq!(
        field_codes(&resp.json().await.unwrap(), "description"),
        ["too_long"]
    );
    // Unknown fields, wrong types and other media types are refused.
    let resp = create(
        &app,
        &admin,
        "news",
        json!({"url": rx.url(), "events": ["comment.created"], "secret": "mine"}),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let resp = create(
        &app,
        &admin,
        "news",
        json!({"url": rx.url(), "events": "comment.created"}),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let resp = app
        .client
        .post(app.url("/api/v1/sites/news/webhooks"))
        .bearer_auth(&admin)
        .header("content-type", "text/plain")
        .body(json!({"url": rx.url(), "events": ["comment.created"]}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
}

#[tokio::test]
async fn the_secret_is_shown_once_and_subscriptions_can_be_listed_and_deleted() {
    let (app, admin) = app_with_site(fast).await;
    let rx = Receiver::start().await;
    let resp = create(
        &app,
        &admin,
        "news",
        json!({"url": rx.url(), "events": ["comment.created", "comment.created", "article.closed"], "description": "CMS"}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let created: Value = resp.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    let secret = created["secret"].as_str().unwrap();
    assert_eq!(STANDARD.decode(&secret[6..]).unwrap().len(), 32);
    assert_eq!(
        created["events"],
        json!(["comment.created", "article.closed"])
    );
    assert_eq!(created["description"], "CMS");

    let list: Value = app.get_json(&admin, "/api/v1/sites/news/webhooks").await;
    let hooks = list["webhooks"].as_array().unwrap();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0]["id"], id.as_str());
    assert_eq!(hooks[0]["url"], rx.url());
    assert!(hooks[0].get("secret").is_none());
    assert!(!list.to_string().contains(secret));

    app.submit("news", "a-1").await;
    rx.wait_for("a delivery", |g| !g.is_empty()).await;
    let delete = || {
        app.client
            .delete(app.url(&format!("/api/v1/sites/news/webhooks/{id}")))
            .bearer_auth(&admin)
            .send()
    };
    assert_eq!(delete().await.unwrap().status(), 204);
    let again = delete().await.unwrap();
    assert_eq!(again.status(), 404);
    assert_eq!(again.json::<Value>().await.unwrap()["error"], "not_found");
    // Subscribing and removing are audited once each, naming the key; the
    // refused second removal wrote nothing.
    for action in ["webhook_created", "webhook_deleted"] {
        let rows = app
            .store
            .audit_log(&majlis::storage::AuditFilter {
                sites: vec!["news".into()],
                action: Some(action.into()),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "{action}");
        assert_eq!(rows[0].entry.actor_kind, "api_key", "{action}");
        assert_eq!(rows[0].entry.note.as_deref(), Some(id.as_str()), "{action}");
    }
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/sites/news/webhooks/{id}/deliveries")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    // Nothing is sent to a deleted subscription.
    let before = rx.received().len();
    app.submit("news", "a-1").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(rx.received().len(), before);
}

#[tokio::test]
async fn a_site_has_a_bounded_number_of_subscriptions() {
    let (app, admin) = app_with_site(|s| {
        fast(s);
        s.webhooks.max_per_site = 2;
    })
    .await;
    let rx = Receiver::start().await;
    for _ in 0..2 {
        subscribe(&app, &admin, &rx.url(), &["comment.created"]).await;
    }
    let resp = create(
        &app,
        &admin,
        "news",
        json!({"url": rx.url(), "events": ["comment.created"]}),
    )
    .await;
    assert_eq!(resp.status(), 409);
    assert_eq!(resp.json::<Value>().await.unwrap()["error"], "conflict");
}

#[tokio::test]
async fn webhooks_need_an_admin_key_of_their_own_site() {
    let (app, admin) = app_with_site(fast).await;
    app.add_site(site("other")).await;
    let other_admin = app.api_key("other", "admin").await;
    let moderator = app.api_key("news", "moderator").await;
    let rx = Receiver::start().await;
    let (id, _) = subscribe(&app, &admin, &rx.url(), &["comment.created"]).await;
    let body = json!({"url": rx.url(), "events": ["comment.created"]});

    let requests = |key: Option<&str>, site: &str| {
        let base = format!("/api/v1/sites/{site}/webhooks");
        let mut reqs = vec![
            app.client.get(app.url(&base)),
            app.client.post(app.url(&base)).json(&body),
            app.client.delete(app.url(&format!("{base}/{id}"))),
            app.client.get(app.url(&format!("{base}/{id}/deliveries"))),
        ];
        if let Some(k) = key {
            reqs = reqs.into_iter().map(|r| r.bearer_auth(k)).collect();
        }
        reqs
    };
    for (key, site, status, code) in [
        (None, "news", 401, "unauthorized"),
        (Some("not-a-key"), "news", 401, "unauthorized"),
        (Some(moderator.as_str()), "news", 403, "forbidden"),
        (Some(other_admin.as_str()), "news", 404, "site_not_found"),
    ] {
        for req in requests(key, site) {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), status, "{key:?} on {site}");
            assert_eq!(resp.json::<Value>().await.unwrap()["error"], code);
        }
    }
    // Another site's admin cannot reach this subscription through its own site either.
    for req in requests(Some(other_admin.as_str()), "other")
        .into_iter()
        .skip(2)
    {
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 404);
        assert_eq!(resp.json::<Value>().await.unwrap()["error"], "not_found");
    }
    // Still there for its owner.
    let log = deliveries(&app, &admin, &id, "").await;
    assert!(log["deliveries"].is_array());
}

#[tokio::test]
async fn the_delivery_log_pages_with_a_cursor_and_checks_its_parameters() {
    let (app, admin) = app_with_site(fast).await;
    let rx = Receiver::start().await;
    let (hook, _) = subscribe(&app, &admin, &rx.url(), &["comment.created"]).await;
    for _ in 0..3 {
        app.submit("news", "a-1").await;
    }
    wait_log(&app, &admin, &hook, |l| {
        l.len() == 3 && l.iter().all(|d| d["status"] == "delivered")
    })
    .await;
    let mut seen = Vec::new();
    let mut query = "?limit=2".to_string();
    loop {
        let page = deliveries(&app, &admin, &hook, &query).await;
        for d in page["deliveries"].as_array().unwrap() {
            seen.push(d["id"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => query = format!("?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 3);
    seen.dedup();
    assert_eq!(seen.len(), 3);
    for bad in ["?status=lost", "?limit=0", "?limit=101", "?cursor=%%%"] {
        let resp = app
            .client
            .get(app.url(&format!(
                "/api/v1/sites/news/webhooks/{hook}/deliveries{bad}"
            )))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
        assert_eq!(
            resp.json::<Value>().await.unwrap()["error"],
            "invalid_parameter"
        );
    }
}

#[tokio::test]
async fn the_webhook_backlog_is_a_metric() {
    let (app, admin) = app_with_site(fast).await;
    let rx = Receiver::start().await;
    rx.answer(500);
    subscribe(&app, &admin, &rx.url(), &["comment.created"]).await;
    app.submit("news", "a-1").await;
    rx.wait_for("an attempt", |g| !g.is_empty()).await;
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("majlis_webhook_backlog{site=\"news\"} 1"),
        "{text}"
    );
}

#[tokio::test]
async fn finished_deliveries_leave_the_log_after_the_retention_period() {
    let (app, admin) = app_with_site(|s| {
        fast(s);
        s.webhooks.close_sweep_secs = 0;
    })
    .await;
    let rx = Receiver::start().await;
    let (hook, _) = subscribe(&app, &admin, &rx.url(), &["comment.created"]).await;
    app.submit("news", "a-1").await;
    app.submit("news", "a-1").await;
    wait_log(&app, &admin, &hook, |l| {
        l.len() == 2 && l.iter().all(|d| d["status"] == "delivered")
    })
    .await;
    // One of them is older than the 30 days kept by default.
    app.exec(&format!(
        "UPDATE webhook_deliveries SET created_at = created_at - {} \
         WHERE id = (SELECT MIN(id) FROM webhook_deliveries)",
        31_i64 * 24 * 3600 * 1000
    ))
    .await;
    wait_log(&app, &admin, &hook, |l| l.len() == 1).await;
}

#[tokio::test]
async fn a_delivery_whose_subscription_is_gone_is_closed_not_retried() {
    let (app, _) = app_with_site(fast).await;
    let now = majlis::service::now_ms();
    app.exec(&format!(
        "INSERT INTO webhook_deliveries (id, webhook_id, site_key, event_type, payload, status, \
         attempts, next_attempt_at, created_at) \
         VALUES ('msg_orphan', 'gone', 'news', 'comment.created', '{{}}', 'pending', 0, {now}, {now})"
    ))
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = app
            .store
            .webhook_deliveries("gone", None, 10, None)
            .await
            .unwrap();
        if log.first().is_some_and(|d| d.status.as_str() == "failed") {
            assert_eq!(log[0].attempts, 1);
            assert!(
                log[0]
                    .last_error
                    .as_deref()
                    .unwrap()
                    .contains("no longer exists")
            );
            break;
        }
        assert!(Instant::now() < deadline, "{log:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn dashboard_decisions_and_closing_an_article_there_emit_events() {
    let (app, admin) = app_with_site(fast).await;
    let password = "a long enough passphrase";
    app.create_moderator("mod@news.example", "moderator", &["news"], password)
        .await;
    let rx = Receiver::start().await;
    let (_, secret) = subscribe(
        &app,
        &admin,
        &rx.url(),
        &["comment.published", "article.closed"],
    )
    .await;
    let id = app.submit("news", "a-1").await;
    let dash = app.login("mod@news.example", password).await;
    dash.post(&format!("/dashboard/comments/news/{id}/approve"), &[])
        .await;
    let page = dash.page("/dashboard/articles?site=news").await;
    let start = page.find("/dashboard/articles/news/").unwrap() + "/dashboard/articles/news/".len();
    let article_id = page[start..].split('/').next().unwrap().to_string();
    let resp = dash
        .post(&format!("/dashboard/articles/news/{article_id}/close"), &[])
        .await;
    assert_eq!(resp.status(), 303);
    let got = rx.wait_for("two events", |g| g.len() >= 2).await;
    let types: Vec<String> = got
        .iter()
        .map(|r| {
            assert!(verify(&secret, r));
            r.json()["type"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(
        types.contains(&"comment.published".to_string()),
        "{types:?}"
    );
    assert!(types.contains(&"article.closed".to_string()), "{types:?}");
    let published = got
        .iter()
        .find(|r| r.json()["type"] == "comment.published")
        .unwrap()
        .json();
    assert_eq!(published["data"]["actor"], "moderator");
}

/// Submit a comment as a named person; returns its id.
async fn submit_named(app: &TestApp, name: &str, email: &str, text: &str) -> String {
    let mut body = app.valid_comment("news").await;
    body["name"] = json!(name);
    body["email"] = json!(email);
    body["body"] = json!(text);
    let resp = app.post_comment("news", "a-1", &body).await;
    assert_eq!(resp.status(), 202, "{}", resp.text().await.unwrap());
    resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn an_edit_through_the_api_or_the_dashboard_is_a_comment_edited_event() {
    let (app, admin) = app_with_site(fast).await;
    let moderator = app.api_key("news", "moderator").await;
    app.create_moderator(
        "mod@news.example",
        "moderator",
        &["news"],
        "a long password 1",
    )
    .await;
    let rx = Receiver::start().await;
    let (_, secret) = subscribe(&app, &admin, &rx.url(), &["comment.edited"]).await;
    let id = app.submit("news", "a-1").await;
    app.decide(&moderator, "news", &id, "approve", None).await;

    let resp = app
        .client
        .patch(app.url(&format!("/api/v1/sites/news/comments/{id}")))
        .bearer_auth(&moderator)
        .json(&json!({"body": "The text as the API corrected it."}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let got = rx.wait_for("the API edit", |g| !g.is_empty()).await;
    assert!(verify(&secret, &got[0]));
    let v = got[0].json();
    assert_eq!(v["type"], "comment.edited");
    assert_eq!(v["data"]["id"], id.as_str());
    assert_eq!(v["data"]["body"], "The text as the API corrected it.");
    assert_eq!(v["data"]["status"], "published");
    assert_eq!(v["data"]["actor"], "api_key");
    assert!(v["data"]["actor_id"].is_string());

    let dash = app.login("mod@news.example", "a long password 1").await;
    let resp = dash
        .post(
            &format!("/dashboard/comments/news/{id}/edit"),
            &[
                ("title", "Corrected title"),
                ("body", "The text as a moderator corrected it."),
            ],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let got = rx.wait_for("the dashboard edit", |g| g.len() >= 2).await;
    let v = got
        .iter()
        .map(Received::json)
        .find(|v| v["data"]["actor"] == "moderator")
        .unwrap();
    assert_eq!(v["type"], "comment.edited");
    assert_eq!(v["data"]["title"], "Corrected title");
    assert_eq!(v["data"]["body"], "The text as a moderator corrected it.");
}

#[tokio::test]
async fn an_erasure_is_a_comment_erased_event_and_queued_deliveries_lose_the_erased_data() {
    let (app, admin) = app_with_site(|s| {
        fast(s);
        // Failed attempts wait long: deliveries stay queued until released.
        s.webhooks.retry_base_secs = 3600;
        s.webhooks.retry_max_secs = 3600;
    })
    .await;
    let moderator = app.api_key("news", "moderator").await;
    let rx = Receiver::start().await;
    let events = [
        "comment.created",
        "comment.published",
        "comment.deleted",
        "comment.erased",
    ];
    let (hook, _) = subscribe(&app, &admin, &rx.url(), &events).await;
    rx.answer(503);
    let text = "Zaytoun groves remember every winter of this valley.";
    let id = submit_named(&app, "Layla Haddad", "layla@example.org", text).await;
    app.decide(&moderator, "news", &id, "approve", None).await;
    // Both deliveries tried once and refused: queued, carrying the name.
    // The attempt counts when it is leased, so wait for the answer too:
    // a send still in flight would be answered 200 below.
    let log = wait_log(&app, &admin, &hook, |l| {
        l.len() == 2
            && l.iter()
                .all(|d| d["attempts"] == 1 && d["last_status_code"] == 503)
    })
    .await;
    assert!(json!(log).to_string().contains("Layla Haddad"));
    rx.answer(200);

    let resp = app
        .client
        .post(app.url("/api/v1/sites/news/privacy/erase"))
        .bearer_auth(&admin)
        .json(&json!({"email": "layla@example.org", "remove_text": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let stored = app.texts("SELECT payload FROM webhook_deliveries").await;
    assert_eq!(stored.len(), 3, "no event is dropped: {stored:#?}");
    for p in &stored {
        assert!(!p.contains("Layla") && !p.contains("Zaytoun"), "{p}");
    }
    let erased = rx
        .wait_for("comment.erased", |g| {
            g.iter().any(|r| r.json()["type"] == "comment.erased")
        })
        .await
        .into_iter()
        .map(|r| r.json())
        .find(|v| v["type"] == "comment.erased")
        .unwrap();
    assert_eq!(erased["data"]["id"], id.as_str());
    assert_eq!(erased["data"]["status"], "deleted");
    assert_eq!(erased["data"]["previous_status"], "published");
    assert_eq!(erased["data"]["text_removed"], true);
    assert_eq!(erased["data"]["actor"], "api_key");
    assert!(erased["data"].get("name").is_none() && erased["data"].get("body").is_none());

    // The queued deliveries still go out, without the erased data.
    app.exec("UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE status = 'pending'")
        .await;
    let got = rx
        .wait_for("the two queued deliveries", |g| {
            g.iter().filter(|r| r.answered == 200).count() >= 3
        })
        .await;
    for r in got.iter().filter(|r| r.answered == 200) {
        assert!(
            !r.body.contains("Layla") && !r.body.contains("Zaytoun"),
            "{}",
            r.body
        );
        assert_eq!(r.json()["data"]["id"], id.as_str());
    }
}

#[tokio::test]
async fn a_rejection_event_names_its_reason_and_who_decided() {
    let (app, admin) = app_with_site(fast).await;
    let moderator = app.api_key("news", "moderator").await;
    let rx = Receiver::start().await;
    subscribe(&app, &admin, &rx.url(), &["comment.rejected"]).await;
    let id = app.submit("news", "a-1").await;
    let resp = app
        .decide(
            &moderator,
            "news",
            &id,
            "reject",
            Some(json!({"reason": "off_topic"})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let got = rx.wait_for("the rejection", |g| !g.is_empty()).await;
    let v = got[0].json();
    assert_eq!(v["type"], "comment.rejected");
    assert_eq!(v["data"]["reason"], "off_topic");
    assert_eq!(v["data"]["actor"], "api_key");
    let key_id = app
        .texts("SELECT id FROM api_keys WHERE role = 'moderator'")
        .await;
    assert_eq!(v["data"]["actor_id"], key_id[0].as_str());
}

#[tokio::test]
async fn webhook_secrets_are_sealed_at_rest_and_deliveries_still_verify() {
    let (app, admin) = app_with_site(fast).await;
    let rx = Receiver::start().await;
    let (hook, secret) = subscribe(&app, &admin, &rx.url(), &["comment.created"]).await;
    let key_part = secret.strip_prefix("whsec_").unwrap();
    let stored = app.texts("SELECT secret FROM webhooks").await.remove(0);
    assert!(stored.starts_with("sealed:v1:"), "{stored}");
    assert!(!stored.contains(key_part) && !stored.contains(&secret));

    // A row stored in clear by an earlier version is sealed at startup.
    app.exec(&format!(
        "UPDATE webhooks SET secret = '{secret}' WHERE id = '{hook}'"
    ))
    .await;
    let resealed = app.store.seal_webhook_secrets().await.unwrap();
    assert_eq!(resealed, 1);
    let stored_again = app.texts("SELECT secret FROM webhooks").await.remove(0);
    assert!(stored_again.starts_with("sealed:v1:") && !stored_again.contains(key_part));

    app.submit("news", "a-1").await;
    let got = rx.wait_for("one delivery", |g| !g.is_empty()).await;
    assert!(
        verify(&secret, &got[0]),
        "the secret shown at creation verifies"
    );

    // Rotation: the operator renames the instance secret; the next start
    // seals every row with a new key and drops the old one.
    app.exec(
        "UPDATE instance_secrets SET name = 'webhook_secrets.previous' \
         WHERE name = 'webhook_secrets'",
    )
    .await;
    let restarted =
        majlis::storage::Store::connect(&crate::helpers::test_settings(&app.db_url).database)
            .await
            .unwrap();
    assert_eq!(restarted.seal_webhook_secrets().await.unwrap(), 1);
    let rotated = app.texts("SELECT secret FROM webhooks").await.remove(0);
    assert_ne!(
        rotated.split(':').nth(2),
        stored_again.split(':').nth(2),
        "a new key id"
    );
    let hooks = restarted.webhooks("news").await.unwrap();
    assert_eq!(hooks[0].secret, secret);
    let left = app
        .texts("SELECT name FROM instance_secrets WHERE name LIKE 'webhook_secrets%'")
        .await;
    assert_eq!(left, ["webhook_secrets"]);
}

#[tokio::test]
async fn a_secret_that_does_not_open_is_a_failed_attempt_retried_later() {
    let (app, admin) = app_with_site(|s| {
        fast(s);
        s.webhooks.retry_base_secs = 3600;
        s.webhooks.retry_max_secs = 3600;
    })
    .await;
    let rx = Receiver::start().await;
    let (hook, _) = subscribe(&app, &admin, &rx.url(), &["comment.created"]).await;
    // As if sealed under an instance secret since replaced.
    app.exec(&format!(
        "UPDATE webhooks SET secret = 'sealed:v1:00000000:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' \
         WHERE id = '{hook}'"
    ))
    .await;
    app.submit("news", "a-1").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let row = loop {
        let rows = app
            .texts(
                "SELECT status || ' ' || COALESCE(last_error, '') FROM webhook_deliveries \
                 WHERE last_attempt_at IS NOT NULL",
            )
            .await;
        if let Some(r) = rows.into_iter().next() {
            break r;
        }
        assert!(Instant::now() < deadline, "no attempt recorded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(row, "pending the subscription's secret cannot be opened");
    assert!(rx.received().is_empty(), "nothing unsigned goes out");
}

#[tokio::test]
async fn submissions_arriving_together_are_each_stored_counted_and_announced_once() {
    // Many at once are written together (group commit, and on PostgreSQL
    // in one statement): each still gets its own events, once per
    // subscription, and every published one is counted under its article.
    let app = spawn_app_with(|s| {
        fast(s);
        s.spam.max_per_hour_per_network = 0;
    })
    .await;
    let mut s = site("news");
    s.moderation_mode = majlis::domain::ModerationMode::Post;
    s.captcha = majlis::domain::CaptchaMode::Off;
    app.add_site(s).await;
    let mut policy = majlis::moderation::PolicyConfig::seed();
    policy.rate.max_per_hour_ip = 0;
    app.store
        .save_site_policy("news", &serde_json::to_string(&policy).unwrap(), 0, 1)
        .await
        .unwrap();
    let admin = app.api_key("news", "admin").await;
    let rx = Receiver::start().await;
    let (both, _) = subscribe(
        &app,
        &admin,
        &rx.url(),
        &["comment.created", "comment.published"],
    )
    .await;
    let (created, _) = subscribe(&app, &admin, &rx.url(), &["comment.created"]).await;

    // One first, so the site's policy is compiled before the others come.
    const WRITERS: usize = 8;
    const EACH: usize = 3;
    const N: usize = 1 + WRITERS * EACH;
    let first = app.valid_comment_without_captcha();
    let mut answers = vec![(
        "a-0".to_string(),
        app.post_comment("news", "a-0", &first).await,
    )];
    let writers = (0..WRITERS).map(|w| {
        let app = &app;
        let bodies: Vec<Value> = (0..EACH)
            .map(|_| app.valid_comment_without_captcha())
            .collect();
        async move {
            let mut out = Vec::new();
            for (i, body) in bodies.iter().enumerate() {
                let article = format!("a-{}", (w + i) % 3);
                out.push((
                    article.clone(),
                    app.post_comment("news", &article, body).await,
                ));
            }
            out
        }
    });
    answers.extend(
        futures_util::future::join_all(writers)
            .await
            .into_iter()
            .flatten(),
    );
    let mut stored: Vec<(String, String, String)> = Vec::new();
    for (article, resp) in answers {
        assert!(resp.status().is_success(), "{}", resp.status());
        let v: Value = resp.json().await.unwrap();
        stored.push((
            article,
            v["id"].as_str().unwrap().to_string(),
            v["status"].as_str().unwrap().to_string(),
        ));
    }
    let published = |article: &str| {
        stored
            .iter()
            .filter(|(a, _, s)| a == article && s == "published")
            .count()
    };
    assert!(published("a-0") + published("a-1") + published("a-2") > 0);
    let counts: Value = app
        .client
        .get(app.url("/api/v1/sites/news/counts?articles=a-0,a-1,a-2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for article in ["a-0", "a-1", "a-2"] {
        assert_eq!(counts["counts"][article], published(article), "{article}");
    }

    let of = |log: &[Value], event: &str| -> Vec<String> {
        let mut ids: Vec<String> = log
            .iter()
            .filter(|d| d["event"] == event)
            .map(|d| d["payload"]["data"]["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let mut all: Vec<String> = stored.iter().map(|(_, id, _)| id.clone()).collect();
    all.sort();
    let mut all_published: Vec<String> = stored
        .iter()
        .filter(|(_, _, s)| s == "published")
        .map(|(_, id, _)| id.clone())
        .collect();
    all_published.sort();
    let both_log = deliveries(&app, &admin, &both, "?limit=100").await["deliveries"]
        .as_array()
        .unwrap()
        .clone();
    let created_log = deliveries(&app, &admin, &created, "?limit=100").await["deliveries"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(of(&both_log, "comment.created"), all);
    assert_eq!(of(&both_log, "comment.published"), all_published);
    assert_eq!(of(&created_log, "comment.created"), all);
    assert_eq!(created_log.len(), N);
    let mut ids: Vec<&str> = both_log
        .iter()
        .chain(&created_log)
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), both_log.len() + created_log.len());
    assert!(ids.iter().all(|id| id.starts_with("msg_")));
}
