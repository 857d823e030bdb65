//! Silent traps: a honeypot field and a minimum fill time. A trapped
//! submission is answered like any other and stored as spam, named.

use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app, spawn_app_with};
use crate::webhooks::{Receiver, fast, subscribe};

/// The one comment stored for `site`: (status, findings).
async fn only_stored(app: &TestApp, site: &str) -> (String, String) {
    let all = app.stored(site).await;
    assert_eq!(all.len(), 1, "{all:?}");
    (
        all[0].status.as_str().to_string(),
        serde_json::to_string(&all[0].findings).unwrap(),
    )
}

/// An app that wants three seconds between a code and its answer.
async fn patient_app() -> TestApp {
    let app = spawn_app_with(|s| s.captcha.min_fill_secs = 3).await;
    app.add_site(site("news")).await;
    app
}

/// The reader took a minute: move the code's issue time back.
async fn back_date_code(app: &TestApp, id: &str) {
    app.exec(&format!(
        "UPDATE captcha_challenges SET created_at = created_at - 60000 WHERE id = '{id}'"
    ))
    .await;
}

#[tokio::test]
async fn a_filled_honeypot_gets_the_usual_answer_and_is_stored_as_spam() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let mut body = app.valid_comment("news").await;
    body["website"] = json!("https://cheap-pills.example");
    let resp = app.post_comment("news", "a", &body).await;
    assert_eq!(resp.status(), 202);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "pending");
    let (status, findings) = only_stored(&app, "news").await;
    assert_eq!(status, "spam");
    assert!(findings.contains("\"honeypot\""), "{findings}");
}

#[tokio::test]
async fn a_filled_honeypot_in_the_plain_form_gets_the_usual_success_page() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let (id, answer) = app.solve_captcha("news").await;
    let resp = app
        .client
        .post(app.url("/api/v1/sites/news/articles/a/comments"))
        .form(&[
            ("name", "Sam"),
            ("email", "sam@example.com"),
            ("title", "Hello there"),
            ("body", "A comment typed by a program."),
            ("accept_terms", "on"),
            ("captcha_id", id.as_str()),
            ("captcha_answer", answer.as_str()),
            ("website", "x"),
            ("lang", "en"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let html = resp.text().await.unwrap();
    assert!(html.contains(majlis::i18n::t(majlis::domain::Lang::En, "form.received")));
    let (status, findings) = only_stored(&app, "news").await;
    assert_eq!(status, "spam");
    assert!(findings.contains("\"honeypot\""), "{findings}");
}

#[tokio::test]
async fn an_answer_sent_faster_than_a_person_can_is_stored_as_spam() {
    let app = patient_app().await;
    let body = app.valid_comment("news").await;
    let resp = app.post_comment("news", "a", &body).await;
    assert_eq!(resp.status(), 202);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "pending");
    let (status, findings) = only_stored(&app, "news").await;
    assert_eq!(status, "spam");
    assert!(findings.contains("\"filled_too_fast\""), "{findings}");
}

#[tokio::test]
async fn a_reader_who_takes_their_time_and_leaves_the_honeypot_empty_is_not_trapped() {
    let app = patient_app().await;
    let mut body = app.valid_comment("news").await;
    back_date_code(&app, body["captcha_id"].as_str().unwrap()).await;
    body["website"] = json!("");
    let resp = app.post_comment("news", "a", &body).await;
    assert_eq!(resp.status(), 202);
    let (status, findings) = only_stored(&app, "news").await;
    assert_eq!(status, "pending");
    assert!(!findings.contains("honeypot"), "{findings}");
    assert!(!findings.contains("filled_too_fast"), "{findings}");
}

#[tokio::test]
async fn a_trapped_comment_on_a_post_moderated_site_is_neither_published_nor_announced() {
    let app = spawn_app_with(fast).await;
    let mut s = site("news");
    s.moderation_mode = majlis::domain::ModerationMode::Post;
    app.add_site(s).await;
    let admin = app.api_key("news", "admin").await;
    let rx = Receiver::start().await;
    subscribe(
        &app,
        &admin,
        &rx.url(),
        &["comment.created", "comment.published", "comment.rejected"],
    )
    .await;
    let mut body = app.valid_comment("news").await;
    body["website"] = json!("bot");
    let resp = app.post_comment("news", "a", &body).await;
    assert_eq!(resp.status(), 202);
    let trapped = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = app
        .post_comment("news", "a", &app.valid_comment("news").await)
        .await;
    assert_eq!(resp.status(), 201);
    let person = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let about =
        |id: &str| format!("SELECT COUNT(*) FROM webhook_deliveries WHERE payload LIKE '%{id}%'");
    assert!(app.scalar(&about(&person)).await.unwrap() > 0);
    assert_eq!(app.scalar(&about(&trapped)).await, Some(0));
    let published = app.published("news", "a").await;
    assert_eq!(published["comments"].as_array().unwrap().len(), 1);
    assert_eq!(published["comments"][0]["id"], person.as_str());
}

#[tokio::test]
async fn both_forms_carry_a_honeypot_hidden_from_people_and_assistive_technology() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let html = app
        .client
        .get(app.url("/embed/news/a"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<div class=\"majlis-trap\" aria-hidden=\"true\">"));
    assert!(html.contains("name=\"website\" type=\"text\" tabindex=\"-1\" autocomplete=\"off\""));
    let js = app
        .client
        .get(app.url("/embed.js"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(js.contains("name:\"website\",type:\"text\",tabindex:\"-1\",autocomplete:\"off\""));
    assert!(js.contains("el(\"div\",{\"class\":\"trap\",\"aria-hidden\":\"true\"}"));
}
