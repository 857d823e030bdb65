//! The spam score (issue #14): a burst of first-time addresses on one
//! article, every spam signal with its weight in the queue, a hold with
//! `spam` suggested over the site's threshold, and `captcha =
//! "when-suspicious"`, which asks for the code only when the proof of work
//! or the score calls for it.

use serde_json::{Value, json};

use crate::helpers::{TestApp, own_words, site, spawn_app_with};
use majlis::pow::{Issued, solve};

const PASSWORD: &str = "correct horse battery staple";

async fn app() -> TestApp {
    let app = spawn_app_with(|s| s.server.trusted_proxies = vec!["127.0.0.1".into()]).await;
    app.add_site(site("news")).await;
    app
}

async fn solved_pow(app: &TestApp) -> String {
    let resp = app
        .client
        .get(app.url("/api/v1/pow?site=news"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let c: Issued = resp.json().await.unwrap();
    solve(&c).unwrap().encode()
}

/// Post `body` to article `article` from `ip`; the HTTP status and answer.
async fn post(app: &TestApp, ip: &str, article: &str, body: &Value) -> (u16, Value) {
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/sites/news/articles/{article}/comments")))
        .header("X-Forwarded-For", ip)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// The stored status and findings of a comment.
async fn stored(app: &TestApp, id: &str) -> (String, Vec<Value>) {
    let status = app
        .texts(&format!("SELECT status FROM comments WHERE id = '{id}'"))
        .await;
    let findings = app
        .texts(&format!("SELECT findings FROM comments WHERE id = '{id}'"))
        .await;
    (
        status[0].clone(),
        serde_json::from_str(&findings[0]).unwrap(),
    )
}

fn weight_of(findings: &[Value], code: &str) -> Option<u64> {
    findings
        .iter()
        .find(|f| f["code"] == code)
        .map(|f| f["weight"].as_u64().unwrap_or(0))
}

async fn admin_patch(app: &TestApp, key: &str, change: Value) -> reqwest::Response {
    app.client
        .patch(app.url("/api/v1/sites/news/settings"))
        .bearer_auth(key)
        .json(&change)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_burst_of_first_time_addresses_on_one_article_weighs_in_but_holds_nothing_alone() {
    let app = app().await;
    // A regular: commented before the window, so not a newcomer.
    let c = app.valid_comment("news").await;
    let (s, v) = post(&app, "198.51.100.7", "old", &c).await;
    assert_eq!(s, 202);
    let regular = v["id"].as_str().unwrap().to_string();
    app.exec(&format!(
        "UPDATE comments SET created_at = created_at - 3600000 WHERE id = '{regular}'"
    ))
    .await;
    // The regular, then newcomers on the same article (and one elsewhere).
    let c = app.valid_comment("news").await;
    assert_eq!(post(&app, "198.51.100.7", "hot", &c).await.0, 202);
    let c = app.valid_comment("news").await;
    assert_eq!(post(&app, "192.0.2.200", "other", &c).await.0, 202);
    for n in 1..=7 {
        let c = app.valid_comment("news").await;
        let (s, v) = post(&app, &format!("203.0.{n}.9"), "hot", &c).await;
        assert_eq!(s, 202);
        let (status, findings) = stored(&app, v["id"].as_str().unwrap()).await;
        // Seven newcomers, the regular does not count: no burst yet.
        assert_eq!(weight_of(&findings, "first_time_burst"), None, "{n}");
        assert_eq!(status, "pending");
    }
    let c = app.valid_comment("news").await;
    let (s, v) = post(&app, "203.0.8.9", "hot", &c).await;
    assert_eq!(s, 202);
    let (status, findings) = stored(&app, v["id"].as_str().unwrap()).await;
    assert_eq!(
        weight_of(&findings, "first_time_burst"),
        Some(3),
        "{findings:?}"
    );
    let burst = findings
        .iter()
        .find(|f| f["code"] == "first_time_burst")
        .unwrap();
    assert_eq!(burst["matched"], "8");
    // 3 for the burst and 2 for the missing proof of work: under 6.
    assert_eq!(weight_of(&findings, "spam_score"), Some(5));
    assert_eq!(status, "pending", "{findings:?}");
    // The regular is no newcomer, however many newcomers there are.
    let c = app.valid_comment("news").await;
    let (_, v) = post(&app, "198.51.100.7", "hot", &c).await;
    let (_, findings) = stored(&app, v["id"].as_str().unwrap()).await;
    assert_eq!(weight_of(&findings, "first_time_burst"), None);
}

#[tokio::test]
async fn spam_signals_over_the_site_threshold_hold_with_spam_suggested() {
    let app = app().await;
    let admin = app.api_key("news", "admin").await;
    let moderator = app.api_key("news", "moderator").await;
    // A first comment with a link, with a solved proof: 3, under 6.
    let mut c = app.valid_comment("news").await;
    c["body"] = json!("Good piece, more at https://example.org/reading today");
    c["pow"] = json!(solved_pow(&app).await);
    let (s, v) = post(&app, "198.51.100.1", "a", &c).await;
    assert_eq!(s, 202);
    let (status, findings) = stored(&app, v["id"].as_str().unwrap()).await;
    // Held by the link rule itself, but not suggested as spam.
    assert_eq!(status, "held");
    assert_eq!(weight_of(&findings, "first_comment_link"), Some(3));
    let score = findings.iter().find(|f| f["code"] == "spam_score").unwrap();
    assert_eq!(
        (score["action"].as_str(), score["matched"].as_str()),
        (Some("allow"), Some("3/6"))
    );
    // The same without a proof of work, on a site whose threshold is 5.
    let resp = admin_patch(&app, &admin, json!({"spam_threshold": 5})).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["spam_threshold"], 5);
    let mut c = app.valid_comment("news").await;
    c["body"] = json!("Cheap watches, more at https://example.org/deals today");
    let (s, v) = post(&app, "198.51.100.2", "a", &c).await;
    assert_eq!(s, 202);
    let id = v["id"].as_str().unwrap().to_string();
    let (status, findings) = stored(&app, &id).await;
    assert_eq!(status, "held");
    assert_eq!(weight_of(&findings, "proof_of_work_missing"), Some(2));
    let score = findings.iter().find(|f| f["code"] == "spam_score").unwrap();
    assert_eq!(
        (
            score["action"].as_str(),
            score["matched"].as_str(),
            score["weight"].as_u64()
        ),
        (Some("hold"), Some("5/5"), Some(5))
    );
    // The moderation API proposes spam for that one only.
    let q = app.queue(&moderator, "news", "held").await;
    let items = q["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        let want = if item["id"] == id.as_str() {
            json!("spam")
        } else {
            Value::Null
        };
        assert_eq!(item["suggested_action"], want, "{item}");
    }
    // The dashboard queue shows the suggestion and the weights.
    app.create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    let dash = app.login("mod@news.example", PASSWORD).await;
    let page = dash.page("/dashboard?tab=held").await;
    assert_eq!(page.matches("suggested: spam").count(), 1, "{page}");
    assert!(page.contains("class=\"spam suggested\""), "{page}");
    assert!(page.contains("+5") && page.contains("+2") && page.contains("+3"));
    // 0 turns the score's hold off.
    assert_eq!(
        admin_patch(&app, &admin, json!({"spam_threshold": 0}))
            .await
            .status(),
        200
    );
    let mut c = app.valid_comment("news").await;
    c["body"] = json!(format!("{} https://example.org/x", own_words(3)));
    let (_, v) = post(&app, "198.51.100.3", "a", &c).await;
    let (_, findings) = stored(&app, v["id"].as_str().unwrap()).await;
    let score = findings.iter().find(|f| f["code"] == "spam_score").unwrap();
    assert_eq!(score["action"], "allow");
    let resp = admin_patch(&app, &admin, json!({"spam_threshold": -1})).await;
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn the_captcha_setting_takes_the_old_on_off_and_the_three_modes() {
    let app = app().await;
    let admin = app.api_key("news", "admin").await;
    for (sent, mode, enabled) in [
        (json!(false), "off", false),
        (json!(true), "always", true),
        (json!("when-suspicious"), "when-suspicious", true),
        (json!("off"), "off", false),
        (json!("always"), "always", true),
    ] {
        let resp = admin_patch(&app, &admin, json!({ "captcha": sent })).await;
        assert_eq!(resp.status(), 200, "{sent}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(
            (v["captcha_mode"].as_str(), v["captcha"].as_bool()),
            (Some(mode), Some(enabled))
        );
        let cfg: Value = app
            .client
            .get(app.url("/api/v1/sites/news/config"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            (cfg["captcha"].as_str(), cfg["captcha_enabled"].as_bool()),
            (Some(mode), Some(enabled))
        );
    }
    let resp = admin_patch(&app, &admin, json!({"captcha": "sometimes"})).await;
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "invalid_parameter");
    // The dashboard's settings form offers the three.
    app.create_moderator("admin@news.example", "admin", &["news"], PASSWORD)
        .await;
    let dash = app.login("admin@news.example", PASSWORD).await;
    let resp = dash
        .post(
            "/dashboard/settings/news",
            &[
                ("moderation", "pre"),
                ("captcha", "when-suspicious"),
                ("spam_threshold", "9"),
            ],
        )
        .await;
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let s = app.store.site("news").await.unwrap().unwrap();
    assert_eq!(
        (s.captcha, s.spam_threshold),
        (majlis::domain::CaptchaMode::WhenSuspicious, 9)
    );
    let page = dash.page("/dashboard/settings?site=news").await;
    assert!(
        page.contains("<option value=\"when-suspicious\" selected>"),
        "{page}"
    );
}

async fn when_suspicious_app() -> TestApp {
    let app = app().await;
    let admin = app.api_key("news", "admin").await;
    assert_eq!(
        admin_patch(&app, &admin, json!({"captcha": "when-suspicious"}))
            .await
            .status(),
        200
    );
    app
}

fn without_code(mut c: Value) -> Value {
    let o = c.as_object_mut().unwrap();
    o.remove("captcha_id");
    o.remove("captcha_answer");
    c
}

#[tokio::test]
async fn when_suspicious_takes_a_solved_proof_without_a_code_and_asks_for_one_otherwise() {
    let app = when_suspicious_app().await;
    // A reader's browser: the proof, no code.
    let mut c = without_code(app.valid_comment_without_captcha());
    c["pow"] = json!(solved_pow(&app).await);
    let (s, v) = post(&app, "198.51.100.1", "a", &c).await;
    assert_eq!(s, 202, "{v}");
    let (status, _) = stored(&app, v["id"].as_str().unwrap()).await;
    assert_eq!(status, "pending");
    // No proof (a program, or a form without JavaScript) and no code.
    let c = without_code(app.valid_comment_without_captcha());
    let (s, v) = post(&app, "198.51.100.2", "a", &c).await;
    assert_eq!((s, v["error"].as_str()), (400, Some("captcha_required")));
    // A refused proof and no code.
    let mut c = without_code(app.valid_comment_without_captcha());
    c["pow"] = json!("bm90IGEgcHJvb2Y=");
    let (s, v) = post(&app, "198.51.100.2", "a", &c).await;
    assert_eq!((s, v["error"].as_str()), (400, Some("captcha_required")));
    assert_eq!(app.stored_count("news").await, 1);
    // The same proof again (spent): the code is asked for.
    let pow = solved_pow(&app).await;
    let mut c = without_code(app.valid_comment_without_captcha());
    c["pow"] = json!(pow);
    assert_eq!(post(&app, "198.51.100.3", "a", &c).await.0, 202);
    let mut c = without_code(app.valid_comment_without_captcha());
    c["pow"] = json!(pow);
    let (s, v) = post(&app, "198.51.100.4", "a", &c).await;
    assert_eq!((s, v["error"].as_str()), (400, Some("captcha_required")));
    assert_eq!(app.stored_count("news").await, 2);
    // With the code, a submission without a proof posts as on "always".
    let mut c = app.valid_comment("news").await;
    let (s, _) = post(&app, "198.51.100.5", "a", &c).await;
    assert_eq!(s, 202);
    // A wrong code is a wrong code.
    c = app.valid_comment("news").await;
    c["captcha_answer"] = json!("zzzzz");
    let (s, v) = post(&app, "198.51.100.6", "a", &c).await;
    assert_eq!((s, v["error"].as_str()), (400, Some("captcha_invalid")));
}

#[tokio::test]
async fn a_suspicious_submission_is_asked_for_the_code_and_posts_with_it_and_the_same_proof() {
    let app = when_suspicious_app().await;
    let admin = app.api_key("news", "admin").await;
    assert_eq!(
        admin_patch(&app, &admin, json!({"spam_threshold": 3}))
            .await
            .status(),
        200
    );
    let spent = || app.scalar("SELECT COUNT(*) FROM pow_spent");
    let mut c = without_code(app.valid_comment_without_captcha());
    c["body"] = json!("Cheap watches at https://example.org/deals, today only");
    c["pow"] = json!(solved_pow(&app).await);
    let (s, v) = post(&app, "198.51.100.1", "a", &c).await;
    assert_eq!((s, v["error"].as_str()), (400, Some("captcha_required")));
    // Nothing stored, the proof not spent.
    assert_eq!(app.stored_count("news").await, 0);
    assert_eq!(spent().await, Some(0));
    // The form shows the image; the reader types it and sends again.
    let (id, answer) = app.solve_captcha("news").await;
    c["captcha_id"] = json!(id);
    c["captcha_answer"] = json!(answer);
    let (s, v) = post(&app, "198.51.100.1", "a", &c).await;
    assert_eq!(s, 202, "{v}");
    let (status, findings) = stored(&app, v["id"].as_str().unwrap()).await;
    assert_eq!(status, "held");
    assert_eq!(spent().await, Some(1));
    assert!(
        !findings.iter().any(|f| f["code"] == "proof_of_work_failed"),
        "{findings:?}"
    );
}

#[tokio::test]
async fn a_trap_on_a_when_suspicious_site_is_answered_as_usual_and_stored_as_spam() {
    let app = when_suspicious_app().await;
    let mut c = without_code(app.valid_comment_without_captcha());
    c["pow"] = json!(solved_pow(&app).await);
    c["website"] = json!("https://spam.example");
    let (s, v) = post(&app, "198.51.100.1", "a", &c).await;
    assert_eq!(s, 202, "{v}");
    let (status, findings) = stored(&app, v["id"].as_str().unwrap()).await;
    assert_eq!(status, "spam");
    assert_eq!(weight_of(&findings, "honeypot"), Some(10));
}

#[tokio::test]
async fn the_form_without_javascript_shows_the_code_unless_the_site_is_off() {
    let app = when_suspicious_app().await;
    let admin = app.api_key("news", "admin").await;
    for (mode, shown) in [("when-suspicious", true), ("always", true), ("off", false)] {
        assert_eq!(
            admin_patch(&app, &admin, json!({"captcha": mode}))
                .await
                .status(),
            200
        );
        let page = app
            .client
            .get(app.url("/embed/news/rain?lang=en"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(page.contains("name=\"captcha_answer\""), shown, "{mode}");
    }
    // Sent without the code from that form on "when-suspicious": asked again
    // for the code, on the page.
    assert_eq!(
        admin_patch(&app, &admin, json!({"captcha": "when-suspicious"}))
            .await
            .status(),
        200
    );
    let resp = app
        .client
        .post(app.url("/api/v1/sites/news/articles/rain/comments"))
        .form(&[
            ("name", "Reader"),
            ("email", "reader@example.com"),
            ("title", "A title"),
            ("body", own_words(1).as_str()),
            ("accept_terms", "on"),
            ("lang", "en"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains("Please type the security code shown"),
        "{page}"
    );
    assert!(page.contains("name=\"captcha_answer\""));
}
