use serde_json::{Value, json};

use crate::helpers::{site, spawn_app};

async fn field_codes(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn every_length_rule_accepts_its_maximum_and_rejects_one_more() {
    let app = spawn_app().await;
    let mut s = site("live");
    s.moderation_mode = majlis::domain::ModerationMode::Post;
    app.add_site(s).await;
    let cases = [("name", 60usize), ("title", 120), ("body", 2000)];
    for (field, max) in cases {
        let mut ok = app.valid_comment("live").await;
        ok[field] = json!("ع".repeat(max));
        assert_eq!(
            app.post_comment("live", "a", &ok).await.status(),
            201,
            "{field} at max"
        );
        let mut too_long = app.valid_comment("live").await;
        too_long[field] = json!("ع".repeat(max + 1));
        let (status, v) =
            field_codes(app.post_comment_lang("live", "a", &too_long, "en").await).await;
        assert_eq!(status, 422, "{field} at max+1");
        assert_eq!(v["error"], "validation_failed");
        assert_eq!(v["fields"][field][0]["code"], "too_long");
        assert_eq!(
            v["fields"][field][0]["message"],
            format!("Must be at most {max} characters.")
        );
    }
    let cases = [("name", 2usize), ("title", 3), ("body", 5)];
    for (field, min) in cases {
        let mut ok = app.valid_comment("live").await;
        ok[field] = json!("ب".repeat(min));
        assert_eq!(
            app.post_comment("live", "a", &ok).await.status(),
            201,
            "{field} at min"
        );
        let mut short = app.valid_comment("live").await;
        short[field] = json!("ب".repeat(min - 1));
        let (status, v) = field_codes(app.post_comment_lang("live", "a", &short, "ar").await).await;
        assert_eq!(status, 422);
        assert_eq!(v["fields"][field][0]["code"], "too_short");
        assert_eq!(
            v["fields"][field][0]["message"],
            format!("يجب ألا يقل عن {min} حرفًا.")
        );
    }
    let mut email = app.valid_comment("live").await;
    email["email"] = json!(long_email(254));
    assert_eq!(
        app.post_comment("live", "a", &email).await.status(),
        201,
        "email at 254"
    );
    email = app.valid_comment("live").await;
    email["email"] = json!(long_email(255));
    let (status, v) = field_codes(app.post_comment("live", "a", &email).await).await;
    assert_eq!(status, 422);
    assert_eq!(v["fields"]["email"][0]["code"], "too_long");
}

#[tokio::test]
async fn a_sites_own_body_limit_is_enforced() {
    let app = spawn_app().await;
    let mut s = site("short");
    s.max_body_chars = 100;
    app.add_site(s).await;
    let mut body = app.valid_comment("short").await;
    body["body"] = json!("x".repeat(101));
    let (status, v) = field_codes(app.post_comment("short", "a", &body).await).await;
    assert_eq!(status, 422);
    assert_eq!(v["fields"]["body"][0]["code"], "too_long");
}

#[tokio::test]
async fn messages_follow_accept_language_then_the_sites_language() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let (_, en) = field_codes(
        app.post_comment_lang("news", "a", &json!({}), "en-GB,en;q=0.9")
            .await,
    )
    .await;
    assert_eq!(
        en["fields"]["name"][0]["message"],
        "This field is required."
    );
    assert_eq!(en["message"], "Some fields need your attention.");
    let (_, ar) = field_codes(app.post_comment("news", "a", &json!({})).await).await;
    assert_eq!(ar["fields"]["name"][0]["message"], "هذا الحقل مطلوب.");
    for f in ["name", "email", "title", "body", "accept_terms"] {
        assert!(ar["fields"][f][0]["code"].as_str().is_some(), "{f}");
    }
    assert_eq!(
        ar["fields"]["accept_terms"][0]["code"],
        "terms_not_accepted"
    );
}

#[tokio::test]
async fn bad_emails_control_characters_and_bidi_tricks_are_refused() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("email", json!("a@"), "invalid_email"),
        ("email", json!("a b@c.d"), "invalid_email"),
        ("email", json!("@b.c"), "invalid_email"),
        ("name", json!("x\r\nBcc: evil@test"), "control_characters"),
        ("name", json!("evil\u{202E}gnp.exe"), "invisible_characters"),
        ("name", json!("Mod\u{200B}erator"), "invisible_characters"),
        ("title", json!("line\u{2028}break"), "invisible_characters"),
        (
            "body",
            json!("nul \u{0000} inside the body"),
            "control_characters",
        ),
        (
            "body",
            json!("escape \u{001b}[31m inside"),
            "control_characters",
        ),
        ("name", json!("   "), "required"),
        ("accept_terms", json!(false), "terms_not_accepted"),
        ("accept_terms", json!("yes"), "invalid_type"),
        ("name", json!(123), "invalid_type"),
        ("body", json!(["x"]), "invalid_type"),
        ("article_url", json!("javascript:alert(1)"), "invalid_url"),
    ];
    for (field, value, code) in cases {
        let mut body = app.valid_comment("news").await;
        body[field] = value.clone();
        let (status, v) = field_codes(app.post_comment("news", "a", &body).await).await;
        assert_eq!(status, 422, "{field}={value}");
        assert_eq!(v["fields"][field][0]["code"], code, "{field}={value}: {v}");
    }
    assert_eq!(app.stored_count("news").await, 0);
}

#[tokio::test]
async fn unknown_fields_are_rejected_so_status_cannot_be_assigned() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let mut body = app.valid_comment("news").await;
    body["status"] = json!("published");
    let (status, v) = field_codes(app.post_comment("news", "a", &body).await).await;
    assert_eq!(status, 422);
    assert_eq!(v["fields"]["status"][0]["code"], "unknown_field");
    assert_eq!(app.stored_count("news").await, 0);
}

#[tokio::test]
async fn only_json_and_form_bodies_are_accepted() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let body = app.valid_comment("news").await;
    for ct in [
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/xml",
    ] {
        let resp = app
            .client
            .post(app.url("/api/v1/sites/news/articles/a/comments"))
            .header("Content-Type", ct)
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 415, "{ct}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["error"], "unsupported_media_type");
    }
    let resp = app
        .client
        .post(app.url("/api/v1/sites/news/articles/a/comments"))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415, "no content type");
    assert_eq!(app.stored_count("news").await, 0);
}

#[tokio::test]
async fn malformed_json_is_400_and_oversized_bodies_413() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    for raw in [
        "{\"name\": ",
        "[1,2,3]",
        "{\"name\":\"\\ud800\"}",
        "\u{feff}{}",
    ] {
        let resp = app
            .client
            .post(app.url("/api/v1/sites/news/articles/a/comments"))
            .header("Content-Type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{raw}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["error"], "malformed_json");
    }
    let mut huge = app.valid_comment("news").await;
    huge["body"] = json!("x".repeat(70_000));
    let resp = app.post_comment("news", "a", &huge).await;
    assert_eq!(resp.status(), 413);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "payload_too_large");
    assert_eq!(app.stored_count("news").await, 0);
}

#[tokio::test]
async fn invalid_utf8_and_repeated_fields_in_a_form_are_field_errors() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let resp = app
        .client
        .post(app.url("/api/v1/sites/news/articles/a/comments"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("name=%FF%FE&title=a&title=b&lang=en")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Is not valid UTF-8 text."));
    assert!(html.contains("Was sent more than once."));
    assert_eq!(app.stored_count("news").await, 0);
}

/// A syntactically valid address of exactly `len` characters (labels ≤ 63).
fn long_email(len: usize) -> String {
    let last = len - 2 - 3 * 64;
    format!(
        "a@{}.{}.{}.{}",
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(63),
        "e".repeat(last)
    )
}
