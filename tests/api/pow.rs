//! The invisible proof of work (issue #14): issued per site, solved by the
//! client, checked once, bound to the site, expiring; a missing proof never
//! stops the no-JavaScript form.

use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app, spawn_app_with};
use majlis::pow::{Issued, solve};

async fn challenge(app: &TestApp, site: &str) -> Issued {
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/pow?site={site}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    resp.json().await.unwrap()
}

async fn solved(app: &TestApp, site: &str) -> String {
    solve(&challenge(app, site).await).unwrap().encode()
}

/// The status and stored findings of one valid submission with `pow`.
async fn post_with(app: &TestApp, pow: &str) -> (u16, String, String) {
    let mut body = app.valid_comment("news").await;
    body["pow"] = json!(pow);
    let resp = app.post_comment("news", "a", &body).await;
    let status = resp.status().as_u16();
    let v: Value = resp.json().await.unwrap();
    let id = v["id"].as_str().unwrap_or_default().to_string();
    let row = app
        .texts(&format!(
            "SELECT status || ' ' || findings FROM comments WHERE id = '{id}'"
        ))
        .await;
    let (stored, findings) = row
        .first()
        .and_then(|r| r.split_once(' '))
        .map(|(s, f)| (s.to_string(), f.to_string()))
        .unwrap_or_default();
    (status, stored, findings)
}

#[tokio::test]
async fn a_solved_proof_is_accepted_once_and_a_replay_is_held() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let c = challenge(&app, "news").await;
    assert_eq!(c.algorithm, "SHA-256");
    assert!(c.salt.contains("&site=news"), "{}", c.salt);
    let pow = solve(&c).unwrap().encode();
    let (status, stored, findings) = post_with(&app, &pow).await;
    assert_eq!((status, stored.as_str()), (202, "pending"));
    assert!(!findings.contains("proof_of_work"), "{findings}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM pow_spent").await, Some(1));
    // The same proof again: answered like any other, held for a moderator.
    let (status, stored, findings) = post_with(&app, &pow).await;
    assert_eq!((status, stored.as_str()), (202, "held"));
    assert!(findings.contains("\"proof_of_work_failed\""), "{findings}");
    assert!(findings.contains("replayed"), "{findings}");
}

#[tokio::test]
async fn a_proof_for_another_site_or_a_forged_one_is_held() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.add_site(site("other")).await;
    let elsewhere = solved(&app, "other").await;
    let (_, stored, findings) = post_with(&app, &elsewhere).await;
    assert_eq!(stored, "held");
    assert!(findings.contains("other_site"), "{findings}");
    let c = challenge(&app, "news").await;
    let mut forged = solve(&c).unwrap();
    forged.number += 1;
    let (_, stored, findings) = post_with(&app, &forged.encode()).await;
    assert_eq!(stored, "held");
    assert!(findings.contains("wrong_number"), "{findings}");
    let (_, stored, _) = post_with(&app, "bm90IGEgcHJvb2Y=").await;
    assert_eq!(stored, "held");
}

#[tokio::test]
async fn the_no_javascript_form_posts_with_the_image_code_alone() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let body = app.valid_comment("news").await;
    assert_eq!(app.post_comment("news", "a", &body).await.status(), 202);
    let findings = app.texts("SELECT findings FROM comments").await;
    assert_eq!(findings, vec!["[]".to_string()]);
}

#[tokio::test]
async fn invalid_fields_do_not_spend_the_proof() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let pow = solved(&app, "news").await;
    let mut body = app.valid_comment("news").await;
    let email = body["email"].clone();
    body["email"] = json!("reader.example.com");
    body["pow"] = json!(pow);
    assert_eq!(app.post_comment("news", "a", &body).await.status(), 422);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM pow_spent").await, Some(0));
    body["email"] = email;
    assert_eq!(app.post_comment("news", "a", &body).await.status(), 202);
    let stored = app.texts("SELECT status FROM comments").await;
    assert_eq!(stored, vec!["pending".to_string()]);
}

#[tokio::test]
async fn an_expired_proof_is_held() {
    let app = spawn_app_with(|s| s.captcha.ttl_secs = 1).await;
    let mut s = site("open");
    s.captcha = majlis::domain::CaptchaMode::Off;
    app.add_site(s).await;
    let c = challenge(&app, "open").await;
    let pow = solve(&c).unwrap().encode();
    // The expiry is whole seconds inside the signed salt: wait until the
    // clock has passed it (a condition, not a guess).
    let (expires, _) = majlis::pow::salt_params(&c.salt).unwrap();
    while majlis::service::now_ms() / 1000 <= expires {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mut body = app.valid_comment_without_captcha();
    body["pow"] = json!(pow);
    assert_eq!(app.post_comment("open", "a", &body).await.status(), 202);
    let rows = app
        .texts("SELECT status || ' ' || findings FROM comments")
        .await;
    assert!(
        rows[0].starts_with("held ") && rows[0].contains("expired"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn the_puzzle_grows_harder_with_the_volume_of_an_address() {
    let app = spawn_app_with(|s| {
        s.spam.pow_base_maxnumber = 1_000;
        s.spam.pow_max_maxnumber = 1_000_000;
    })
    .await;
    let mut s = site("news");
    s.captcha = majlis::domain::CaptchaMode::Off;
    app.add_site(s).await;
    assert_eq!(challenge(&app, "news").await.maxnumber, 1_000);
    for _ in 0..4 {
        let body = app.valid_comment_without_captcha();
        assert_eq!(app.post_comment("news", "a", &body).await.status(), 202);
    }
    // Four comments from this address in the last hour: three times the base.
    assert_eq!(challenge(&app, "news").await.maxnumber, 3_000);
}
