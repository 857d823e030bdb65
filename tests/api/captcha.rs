use serde_json::{Value, json};

use crate::helpers::{site, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_challenge_is_a_png_data_url_with_expiry_and_no_store() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let resp = app
        .client
        .get(app.url("/api/v1/captcha?site=news"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let v: Value = resp.json().await.unwrap();
    let id = v["id"].as_str().unwrap();
    assert_eq!(app.latest_captcha().unwrap().0, id);
    assert!(
        v["image"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,")
    );
    let expires = time::OffsetDateTime::parse(
        v["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let ttl = expires - time::OffsetDateTime::now_utc();
    assert!(ttl > time::Duration::minutes(9) && ttl <= time::Duration::minutes(10));

    let png = app
        .client
        .get(app.url(&format!("/api/v1/captcha/{id}.png")))
        .send()
        .await
        .unwrap();
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(png.headers()["cache-control"], "no-store");
    let bytes = png.bytes().await.unwrap();
    use base64::Engine;
    let inline = base64::engine::general_purpose::STANDARD
        .decode(
            v["image"]
                .as_str()
                .unwrap()
                .trim_start_matches("data:image/png;base64,"),
        )
        .unwrap();
    assert_eq!(bytes.as_ref(), inline.as_slice());
    // The size the answer states is the image's own (PNG IHDR, big-endian).
    let size = |at: usize| {
        u32::from_be_bytes([inline[at], inline[at + 1], inline[at + 2], inline[at + 3]])
    };
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(200), Some(64))
    );
    assert_eq!((size(16), size(20)), (200, 64));
}

#[tokio::test]
async fn a_challenge_for_an_unknown_site_is_404() {
    let app = spawn_app().await;
    let resp = app
        .client
        .get(app.url("/api/v1/captcha?site=nosuch"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

async fn post_with(app: &crate::helpers::TestApp, site: &str, id: &str, answer: &str) -> u16 {
    let mut body = app.valid_comment(site).await;
    body["captcha_id"] = json!(id);
    body["captcha_answer"] = json!(answer);
    app.post_comment(site, "a", &body).await.status().as_u16()
}

#[tokio::test]
async fn a_wrong_answer_is_400_and_burns_the_challenge() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let (id, answer) = app.solve_captcha("news").await;
    let resp = {
        let mut body = app.valid_comment("news").await;
        body["captcha_id"] = json!(id);
        body["captcha_answer"] = json!("wrong");
        app.post_comment("news", "a", &body).await
    };
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "captcha_invalid");
    assert_eq!(
        post_with(&app, "news", &id, &answer).await,
        400,
        "right answer after a wrong one"
    );
    assert_eq!(app.stored_count("news").await, 0);
}

#[tokio::test]
async fn a_solved_challenge_cannot_be_used_twice() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let (id, answer) = app.solve_captcha("news").await;
    assert_eq!(post_with(&app, "news", &id, &answer).await, 202);
    assert_eq!(post_with(&app, "news", &id, &answer).await, 400);
    assert_eq!(app.stored_count("news").await, 1);
}

#[tokio::test]
async fn the_answer_is_compared_case_insensitively_and_trimmed() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let (id, answer) = app.solve_captcha("news").await;
    let flipped: String = answer
        .chars()
        .map(|c| {
            if c.is_uppercase() {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect();
    assert_eq!(
        post_with(&app, "news", &id, &format!(" {flipped} ")).await,
        202
    );
}

#[tokio::test]
async fn missing_empty_expired_and_foreign_challenges_are_refused() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.add_site(site("other")).await;
    // Missing fields entirely: the answer is a required field like the others.
    let mut body = app.valid_comment("news").await;
    body.as_object_mut().unwrap().remove("captcha_id");
    body.as_object_mut().unwrap().remove("captcha_answer");
    assert_eq!(app.post_comment("news", "a", &body).await.status(), 422);
    // An answer without its challenge.
    body["captcha_answer"] = json!("abcde");
    assert_eq!(app.post_comment("news", "a", &body).await.status(), 400);
    // Empty answer.
    let (id, _) = app.solve_captcha("news").await;
    assert_eq!(post_with(&app, "news", &id, "").await, 422);
    // Unknown id.
    assert_eq!(
        post_with(&app, "news", "0123456789abcdef", "abcde").await,
        400
    );
    // Expired: back-date the row.
    let (id, answer) = app.solve_captcha("news").await;
    app.exec(&format!(
        "UPDATE captcha_challenges SET expires_at = 1 WHERE id = '{id}'"
    ))
    .await;
    assert_eq!(post_with(&app, "news", &id, &answer).await, 400);
    // Issued for another site.
    let (id, answer) = app.solve_captcha("other").await;
    assert_eq!(post_with(&app, "news", &id, &answer).await, 400);
    assert_eq!(app.stored_count("news").await, 0);
}

#[tokio::test]
async fn a_site_can_turn_the_captcha_off() {
    let app = spawn_app().await;
    let mut s = site("nocode");
    s.captcha = majlis::domain::CaptchaMode::Off;
    app.add_site(s).await;
    let body = json!({
        "name": "Sam", "email": "sam@example.com", "title": "Hello there",
        "body": "A comment without a captcha.", "accept_terms": true
    });
    assert_eq!(app.post_comment("nocode", "a", &body).await.status(), 202);
}

#[tokio::test]
async fn the_answer_is_never_stored_in_clear() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let (id, answer) = app.solve_captcha("news").await;
    // The store returns the challenge row: only a keyed hash, never the answer.
    let row = app.store.take_challenge(&id).await.unwrap().unwrap();
    assert_ne!(row.answer_hash.to_lowercase(), answer.to_lowercase());
    assert_eq!(row.answer_hash.len(), 64);
}

#[tokio::test]
async fn an_audio_code_is_one_wav_clip_only_when_asked_for() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let plain: Value = app
        .client
        .get(app.url("/api/v1/captcha?site=news"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(plain.get("audio_url").is_none());
    let none = app
        .client
        .get(app.url(&format!(
            "/api/v1/captcha/{}.wav",
            plain["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 404);
    let v: Value = app
        .client
        .get(app.url("/api/v1/captcha?site=news&audio=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = v["audio_url"].as_str().unwrap();
    let wav = app.client.get(app.url(url)).send().await.unwrap();
    assert_eq!(wav.status(), 200);
    assert_eq!(wav.headers()["content-type"], "audio/wav");
    assert_eq!(wav.headers()["cache-control"], "no-store");
    let bytes = wav.bytes().await.unwrap();
    assert_eq!(&bytes[0..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WAVE");
    // Five characters of about 1.6 s each plus pauses.
    assert!(bytes.len() > 5 * 60_000, "{} bytes", bytes.len());
    // Once used, the clip is gone with the challenge.
    let id = v["id"].as_str().unwrap();
    let answer = app.answer(id);
    assert_eq!(post_with(&app, "news", id, &answer).await, 202);
    assert_eq!(
        app.client.get(app.url(url)).send().await.unwrap().status(),
        404
    );
}

#[tokio::test]
async fn one_client_address_gets_a_bounded_number_of_codes_per_minute() {
    let app = spawn_app_with(|s| s.captcha.max_per_minute_per_ip = 3).await;
    app.add_site(site("news")).await;
    let issue = |spoof: &'static str| {
        app.client
            .get(app.url("/api/v1/captcha?site=news"))
            .header("X-Forwarded-For", spoof)
            .send()
    };
    for spoof in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        assert_eq!(issue(spoof).await.unwrap().status(), 200);
    }
    // Another X-Forwarded-For from an untrusted peer is the same client.
    let limited = issue("198.51.100.4").await.unwrap();
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=120).contains(&retry));
    let v: Value = limited.json().await.unwrap();
    assert_eq!(v["error"], "rate_limited");

    // The no-JavaScript section still shows, with a notice instead of a code.
    let page = app
        .client
        .get(app.url("/embed/news/rain?lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Too many requests"), "{html}");
    assert!(!html.contains("/api/v1/captcha/"));
}
