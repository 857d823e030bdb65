//! What a submission may say about its article: a URL on one of the site's
//! origins and a plain title, filling only what is empty; the moderators'
//! `PUT .../articles/{article}` stays the authority.

use serde_json::{Value, json};

use crate::email::{add_moderator, use_sink};
use crate::helpers::{TestApp, site, spawn_app_with};
use crate::smtp::Sink;
use crate::webhooks::{Receiver, fast, subscribe};

const EVIL_URL: &str = "https://evil.example/login";
const PHISHING_TITLE: &str = "Your account is locked: sign in again";

async fn article(app: &TestApp, key: &str, article: &str) -> Value {
    app.get_json(key, &format!("/api/v1/sites/news/articles/{article}"))
        .await
}

async fn submit_claiming(app: &TestApp, article: &str, url: &str, title: &str) -> (String, String) {
    let mut body = app.valid_comment("news").await;
    body["article_url"] = json!(url);
    body["article_title"] = json!(title);
    let resp = app.post_comment("news", article, &body).await;
    assert_eq!(resp.status(), 202, "{}", resp.text().await.unwrap());
    let v: Value = resp.json().await.unwrap();
    (
        v["id"].as_str().unwrap().to_string(),
        body["email"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_foreign_article_url_and_its_title_never_reach_mail_webhooks_or_the_api() {
    let sink = Sink::start().await;
    let port = sink.port;
    let app = spawn_app_with(|s| {
        use_sink(s, port);
        s.email.digest_interval_secs = 0;
        fast(s);
    })
    .await;
    app.add_site(site("news")).await;
    add_moderator(&app, "mod@news.example", &["news"]).await;
    let admin = app.api_key("news", "admin").await;
    let moderator = app.api_key("news", "moderator").await;
    let rx = Receiver::start().await;
    subscribe(
        &app,
        &admin,
        &rx.url(),
        &["comment.created", "comment.published"],
    )
    .await;

    // The phishing sequence: the first, anonymous comment claims the
    // article lives elsewhere, under a title of the attacker's choosing.
    let (id, commenter) = submit_claiming(&app, "budget", EVIL_URL, PHISHING_TITLE).await;
    let digest = sink.wait_for_to("mod@news.example", 1).await.remove(0);
    assert_eq!(
        app.decide(&moderator, "news", &id, "approve", None)
            .await
            .status(),
        200
    );
    let published = sink.wait_for_to(&commenter, 1).await.remove(0);
    let hooks = rx.wait_for("created and published", |g| g.len() >= 2).await;
    let api = article(&app, &moderator, "budget").await;
    let queue = app.queue(&moderator, "news", "published").await;

    let mut seen: Vec<(String, String)> = vec![
        ("digest".into(), digest.text() + &digest.html()),
        (
            "published mail".into(),
            published.text() + &published.html(),
        ),
        ("article API".into(), api.to_string()),
        ("moderation queue".into(), queue.to_string()),
    ];
    seen.extend(
        hooks
            .iter()
            .map(|h| (format!("webhook {}", h.json()["type"]), h.body.clone())),
    );
    for (what, text) in &seen {
        assert!(
            !text.contains("evil.example"),
            "{what} carries the foreign URL: {text}"
        );
        assert!(
            !text.contains(PHISHING_TITLE),
            "{what} carries the foreign title: {text}"
        );
    }
    assert!(api["url"].is_null(), "{api}");
    assert!(api["title"].is_null(), "{api}");
    for h in &hooks {
        assert!(h.json()["data"]["article"]["url"].is_null());
    }

    // A page of the site fills what is empty; it never replaces it.
    submit_claiming(
        &app,
        "budget",
        "https://news.example/2026/budget",
        "The budget",
    )
    .await;
    submit_claiming(
        &app,
        "budget",
        "https://news.example/other",
        "Another title",
    )
    .await;
    let api = article(&app, &moderator, "budget").await;
    assert_eq!(api["url"], "https://news.example/2026/budget");
    assert_eq!(api["title"], "The budget");

    // The moderators' PUT stays the authority and corrects both.
    let resp = app
        .client
        .put(app.url("/api/v1/sites/news/articles/budget"))
        .bearer_auth(&moderator)
        .json(&json!({"url": "https://news.example/budget-2027", "title": "The 2027 budget"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let api = article(&app, &moderator, "budget").await;
    assert_eq!(api["url"], "https://news.example/budget-2027");
    assert_eq!(api["title"], "The 2027 budget");
}

#[tokio::test]
async fn a_title_carrying_a_link_is_ignored_and_a_title_with_bidi_controls_is_refused() {
    let app = spawn_app_with(|_| {}).await;
    app.add_site(site("news")).await;
    let moderator = app.api_key("news", "moderator").await;
    submit_claiming(
        &app,
        "rain",
        "https://news.example/rain",
        "Log in at https://evil.example/login",
    )
    .await;
    let api = article(&app, &moderator, "rain").await;
    assert_eq!(api["url"], "https://news.example/rain");
    assert!(api["title"].is_null(), "{api}");

    let mut body = app.valid_comment("news").await;
    body["article_title"] = json!("Rain\u{202E}nigol");
    let resp = app.post_comment("news", "rain", &body).await;
    assert_eq!(resp.status(), 422);
}
