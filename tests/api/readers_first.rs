//! A reader's mistake in a field never costs them their security code; the
//! code is still spent by any real attempt (issue #14, "readers first").

use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app};

async fn post_form(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/sites/news/articles/a/comments"))
        .form(fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_typo_in_the_email_keeps_the_code_for_the_corrected_submission() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let mut body = app.valid_comment("news").await;
    let good_email = body["email"].clone();
    body["email"] = json!("reader.example.com");
    let resp = app.post_comment("news", "a", &body).await;
    assert_eq!(resp.status(), 422);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "validation_failed");
    assert!(v["fields"]["email"].is_array(), "{v}");
    assert!(v["fields"]["captcha_answer"].is_null(), "{v}");
    // The same code, answered the same way, with the email corrected.
    body["email"] = good_email;
    assert_eq!(app.post_comment("news", "a", &body).await.status(), 202);
    assert_eq!(app.stored_count("news").await, 1);
}

#[tokio::test]
async fn a_wrong_code_with_valid_fields_is_spent_and_cannot_be_replayed() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let mut body = app.valid_comment("news").await;
    let answer = body["captcha_answer"].clone();
    body["captcha_answer"] = json!("wrong");
    let resp = app.post_comment("news", "a", &body).await;
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "captcha_invalid");
    body["captcha_answer"] = answer;
    assert_eq!(app.post_comment("news", "a", &body).await.status(), 400);
    assert_eq!(app.stored_count("news").await, 0);
}

#[tokio::test]
async fn an_empty_code_is_reported_with_the_other_fields_on_the_first_submit() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let (id, answer) = app.solve_captcha("news").await;
    let resp = app
        .post_comment(
            "news",
            "a",
            &json!({"captcha_id": id, "captcha_answer": ""}),
        )
        .await;
    assert_eq!(resp.status(), 422);
    let v: Value = resp.json().await.unwrap();
    for field in [
        "name",
        "email",
        "title",
        "body",
        "accept_terms",
        "captcha_answer",
    ] {
        assert!(v["fields"][field].is_array(), "{field} missing from {v}");
    }
    assert_eq!(v["fields"]["captcha_answer"][0]["code"], "required");
    // Leaving it blank was not an attempt: the code still works.
    let mut body = app.valid_comment("news").await;
    body["captcha_id"] = json!(id);
    body["captcha_answer"] = json!(answer);
    assert_eq!(app.post_comment("news", "a", &body).await.status(), 202);
}

#[tokio::test]
async fn a_form_with_a_typo_comes_back_with_the_same_code_and_answer() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let (id, answer) = app.solve_captcha("news").await;
    let issued = app.scalar("SELECT COUNT(*) FROM captcha_challenges").await;
    let mut fields = vec![
        ("name", "سارة"),
        ("email", "sara.example.com"),
        ("title", "سؤال للكاتب"),
        ("body", "هل هناك مصادر إضافية؟"),
        ("accept_terms", "on"),
        ("captcha_id", id.as_str()),
        ("captcha_answer", answer.as_str()),
        ("lang", "en"),
    ];
    let resp = post_form(&app, &fields).await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Enter a valid email address."));
    assert!(html.contains(&format!("name=\"captcha_id\" value=\"{id}\"")));
    assert!(html.contains(&format!("/api/v1/captcha/{id}.png")));
    assert!(html.contains(&format!("value=\"{answer}\"")));
    // No second code was issued for the page shown again.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM captcha_challenges").await,
        issued
    );
    fields[1] = ("email", "sara@example.com");
    assert_eq!(post_form(&app, &fields).await.status(), 202);
    assert_eq!(app.stored_count("news").await, 1);
}

#[tokio::test]
async fn a_form_with_a_wrong_code_comes_back_with_a_new_one() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let (id, _) = app.solve_captcha("news").await;
    let resp = post_form(
        &app,
        &[
            ("name", "سارة"),
            ("email", "sara@example.com"),
            ("title", "سؤال للكاتب"),
            ("body", "هل هناك مصادر إضافية؟"),
            ("accept_terms", "on"),
            ("captcha_id", id.as_str()),
            ("captcha_answer", "wrong"),
            ("lang", "en"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.unwrap();
    let (new_id, _) = app.latest_captcha().unwrap();
    assert_ne!(new_id, id);
    assert!(html.contains(&format!("name=\"captcha_id\" value=\"{new_id}\"")));
    assert!(!html.contains(&id));
}
