use serde_json::{Value, json};

use crate::helpers::{site, spawn_app};

#[tokio::test]
async fn a_comment_is_queued_then_published_after_approval() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;

    let id = app.submit("news", "article-1").await;
    assert!(
        app.published("news", "article-1").await["comments"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let queue = app.queue(&key, "news", "pending").await;
    assert_eq!(queue["items"][0]["id"], id.as_str());

    let resp = app.decide(&key, "news", &id, "approve", None).await;
    assert_eq!(resp.status(), 200);
    let list = app.published("news", "article-1").await;
    let comments = list["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0]["id"], id.as_str());
    assert_eq!(comments[0]["name"], "أحمد");
    assert!(comments[0]["published_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn the_answer_is_202_pending_and_never_contains_the_email() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let body = app.valid_comment("news").await;
    let resp = app.post_comment("news", "a", &body).await;
    assert_eq!(resp.status(), 202);
    let text = resp.text().await.unwrap();
    assert!(!text.contains(body["email"].as_str().unwrap()));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["status"], "pending");
    assert!(v["id"].as_str().unwrap().len() >= 16);
}

#[tokio::test]
async fn a_post_moderated_site_publishes_at_once_with_201() {
    let app = spawn_app().await;
    let mut s = site("live");
    s.moderation_mode = majlis::domain::ModerationMode::Post;
    app.add_site(s).await;
    let body = app.valid_comment("live").await;
    let resp = app.post_comment("live", "a", &body).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "published");
    assert_eq!(
        app.published("live", "a").await["comments"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn arabic_text_round_trips_byte_exact_after_nfc() {
    let app = spawn_app().await;
    let mut s = site("live");
    s.moderation_mode = majlis::domain::ModerationMode::Post;
    app.add_site(s).await;
    let mut body = app.valid_comment("live").await;
    let text = "بِسْمِ اللَّهِ، هذا تعليقٌ طويلٌ بعض الشيء\nمع سطر ثانٍ 👍🏽 و«علامات» — وأرقام ١٢٣ و e\u{301}";
    body["body"] = json!(text);
    let resp = app.post_comment("live", "a", &body).await;
    assert_eq!(resp.status(), 201);
    let list = app.published("live", "a").await;
    let stored = list["comments"][0]["body"].as_str().unwrap();
    let expected: String = unicode_normalization::UnicodeNormalization::nfc(text).collect();
    assert_eq!(stored.as_bytes(), expected.as_bytes());
}

#[tokio::test]
async fn article_url_and_title_register_the_article_on_first_submission() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let mut body = app.valid_comment("news").await;
    body["article_url"] = json!("https://news.example/2026/11/rain");
    body["article_title"] = json!("موسم الأمطار");
    assert_eq!(app.post_comment("news", "rain", &body).await.status(), 202);
    let q = app.queue(&key, "news", "pending").await;
    assert_eq!(q["items"][0]["article"], "rain");
    assert_eq!(
        q["items"][0]["article_url"],
        "https://news.example/2026/11/rain"
    );
    assert_eq!(q["items"][0]["article_title"], "موسم الأمطار");
}

#[tokio::test]
async fn a_closed_article_refuses_comments_with_403_and_stores_nothing() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.submit("news", "old").await;
    app.exec("UPDATE articles SET closed = 1 WHERE article_key = 'old'")
        .await;
    let body = app.valid_comment("news").await;
    let resp = app.post_comment("news", "old", &body).await;
    assert_eq!(resp.status(), 403);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "article_closed");
    assert_eq!(app.stored_count("news").await, 1);
}

#[tokio::test]
async fn articles_close_by_themselves_after_the_sites_auto_close_age() {
    let app = spawn_app().await;
    let mut s = site("news");
    s.auto_close_days = Some(7);
    app.add_site(s).await;
    app.submit("news", "aging").await;
    app.submit("news", "aging").await;
    let eight_days_ago = majlis::service::now_ms() - 8 * 24 * 3600 * 1000;
    app.exec(&format!(
        "UPDATE articles SET created_at = {eight_days_ago} WHERE article_key = 'aging'"
    ))
    .await;
    let body = app.valid_comment("news").await;
    assert_eq!(app.post_comment("news", "aging", &body).await.status(), 403);
}

#[tokio::test]
async fn an_unknown_site_is_404() {
    let app = spawn_app().await;
    let resp = app.post_comment("nosuch", "a", &json!({})).await;
    assert_eq!(resp.status(), 404);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "site_not_found");
}

#[tokio::test]
async fn a_form_post_without_javascript_gets_a_localized_success_page() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let (id, answer) = app.solve_captcha("news").await;
    let resp = app
        .client
        .post(app.url("/api/v1/sites/news/articles/a/comments"))
        .form(&[
            ("name", "سارة"),
            ("email", "sara@example.com"),
            ("title", "سؤال للكاتب"),
            ("body", "هل هناك مصادر إضافية؟\r\nشكراً."),
            ("accept_terms", "on"),
            ("captcha_id", id.as_str()),
            ("captcha_answer", answer.as_str()),
            ("lang", "ar"),
            ("return_to", "https://news.example/a"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = resp.text().await.unwrap();
    assert!(html.contains("dir=\"rtl\""));
    assert!(html.contains("وسيظهر بعد المراجعة"));
    assert!(html.contains("https://news.example/a"));
    assert_eq!(app.stored_count("news").await, 1);
}

#[tokio::test]
async fn a_failed_form_post_shows_errors_keeps_input_escaped_and_keeps_the_unspent_code() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let (id, _) = app.solve_captcha("news").await;
    let resp = app
        .client
        .post(app.url("/api/v1/sites/news/articles/a/comments"))
        .form(&[
            ("name", "<script>alert(1)</script>"),
            ("email", "not-an-email"),
            ("title", "\"><img src=x onerror=alert(1)>"),
            ("body", "short"),
            ("captcha_id", id.as_str()),
            ("captcha_answer", "nope"),
            ("lang", "en"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || html.contains("&lt;script&gt;")
    );
    assert!(!html.contains("<img src=x"));
    assert!(html.contains("Enter a valid email address."));
    assert!(html.contains("You must accept the terms of use."));
    assert!(html.contains("aria-invalid=\"true\""));
    // Invalid fields are found before the code is checked: the same code
    // comes back, still unspent.
    assert!(html.contains(&format!("name=\"captcha_id\" value=\"{id}\"")));
    assert_eq!(app.stored_count("news").await, 0);
}
