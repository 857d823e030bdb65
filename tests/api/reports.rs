//! Reader reports (#18): one per address per comment, protected like a
//! comment, held after enough networks on post-moderated sites, dismissed
//! or acted on by moderators, never shown publicly.

use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app, spawn_app_with};
use majlis::domain::ModerationMode;

async fn pow(app: &TestApp, site: &str) -> String {
    let issued: majlis::pow::Issued = app
        .client
        .get(app.url(&format!("/api/v1/pow?site={site}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    majlis::pow::solve(&issued).unwrap().encode()
}

/// A report from the client at `ip` (the test server trusts the loopback
/// proxy, so `X-Forwarded-For` is the reader's address).
async fn report_from(app: &TestApp, ip: &str, id: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/sites/news/comments/{id}/reports")))
        .header("X-Forwarded-For", ip)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn report_with_code(app: &TestApp, ip: &str, id: &str, reason: &str) -> reqwest::Response {
    let (captcha_id, answer) = app.solve_captcha("news").await;
    report_from(
        app,
        ip,
        id,
        json!({"reason": reason, "note": "شتيمة للكاتب", "captcha_id": captcha_id, "captcha_answer": answer}),
    )
    .await
}

async fn proxied_app() -> TestApp {
    spawn_app_with(|s| s.server.trusted_proxies = vec!["127.0.0.1".into()]).await
}

/// A published comment of a post-moderated site `news`.
async fn published_comment(app: &TestApp) -> String {
    let mut s = site("news");
    s.moderation_mode = ModerationMode::Post;
    app.add_site(s).await;
    let resp = app
        .post_comment("news", "a", &app.valid_comment("news").await)
        .await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    v["id"].as_str().unwrap().to_string()
}

async fn reported(app: &TestApp, key: &str) -> Value {
    app.get_json(key, "/api/v1/sites/news/reports").await
}

/// The comment's audit trail names each of `actions`.
async fn assert_audited(app: &TestApp, key: &str, id: &str, actions: &[&str]) {
    let audit = app
        .get_json(key, &format!("/api/v1/sites/news/comments/{id}/audit"))
        .await
        .to_string();
    for action in actions {
        assert!(audit.contains(action), "{action}: {audit}");
    }
}

/// The comment has no open report left to dismiss.
async fn assert_nothing_to_dismiss(app: &TestApp, key: &str, id: &str) {
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/sites/news/comments/{id}/reports/dismiss")))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404, "nothing left to dismiss");
}

#[tokio::test]
async fn a_second_report_from_one_address_is_answered_alike_and_stored_once() {
    let app = proxied_app().await;
    let id = published_comment(&app).await;
    let key = app.api_key("news", "moderator").await;
    for _ in 0..2 {
        let resp = report_with_code(&app, "203.0.113.7", &id, "insult").await;
        assert_eq!(resp.status(), 201);
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v, json!({"status": "received"}));
    }
    let list = reported(&app, &key).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let item = &list["items"][0];
    assert_eq!(item["comment"]["id"], id.as_str());
    assert_eq!(item["reports"], 1);
    assert_eq!(item["reasons"], json!([{"reason": "insult", "count": 1}]));
    assert_eq!(item["notes"], json!(["شتيمة للكاتب"]));
    // Only keyed hashes are stored, never the address.
    let stored = app.texts("SELECT ip_hash FROM comment_reports").await;
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains("203.0.113"));
    // Readers see nothing of it.
    let list = app.published("news", "a").await;
    let text = list.to_string();
    assert!(
        !text.contains("report") && !text.contains("شتيمة للكاتب"),
        "{text}"
    );
}

#[tokio::test]
async fn a_report_needs_the_code_a_reason_the_site_offers_and_a_published_comment() {
    let app = proxied_app().await;
    let id = published_comment(&app).await;
    let ip = "203.0.113.8";
    // No code: a field error; a wrong one: refused.
    let resp = report_from(&app, ip, &id, json!({"reason": "spam"})).await;
    assert_eq!(resp.status(), 422);
    let resp = report_from(
        &app,
        ip,
        &id,
        json!({"reason": "spam", "captcha_id": "nope", "captcha_answer": "wrong"}),
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["error"],
        "captcha_invalid"
    );
    // "Illegal content" only where the site offers it.
    let resp = report_with_code(&app, ip, &id, "illegal").await;
    assert_eq!(resp.status(), 422);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["fields"]["reason"][0]["code"], "invalid_choice");
    let admin = app.api_key("news", "admin").await;
    let resp = app
        .client
        .put(app.url("/api/v1/sites/news/reports/settings"))
        .bearer_auth(&admin)
        .json(&json!({"hold_after": 0, "illegal_reason": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let config: Value = app
        .client
        .get(app.url("/api/v1/sites/news/config"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        config["report_reasons"]
            .as_array()
            .unwrap()
            .contains(&json!("illegal"))
    );
    assert_eq!(
        report_with_code(&app, ip, &id, "illegal").await.status(),
        201
    );
    // A pending comment cannot be reported.
    let mut pre = site("pre");
    pre.captcha = majlis::domain::CaptchaMode::Off;
    app.add_site(pre).await;
    let pending: Value = app
        .post_comment("pre", "a", &app.valid_comment_without_captcha())
        .await
        .json()
        .await
        .unwrap();
    let pending = pending["id"].as_str().unwrap();
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/sites/pre/comments/{pending}/reports")))
        .json(&json!({"reason": "spam", "pow": pow(&app, "pre").await}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn reports_from_enough_networks_hold_a_comment_on_a_post_moderated_site() {
    let app = proxied_app().await;
    let id = published_comment(&app).await;
    let admin = app.api_key("news", "admin").await;
    let resp = app
        .client
        .put(app.url("/api/v1/sites/news/reports/settings"))
        .bearer_auth(&admin)
        .json(&json!({"hold_after": 3, "illegal_reason": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Two addresses of one network count once.
    for ip in ["198.51.100.1", "198.51.100.2", "203.0.113.9"] {
        assert_eq!(
            report_with_code(&app, ip, &id, "insult").await.status(),
            201
        );
    }
    let list = app.published("news", "a").await;
    assert_eq!(
        list["comments"].as_array().unwrap().len(),
        1,
        "2 networks so far"
    );
    assert_eq!(
        report_with_code(&app, "192.0.2.4", &id, "sectarian")
            .await
            .status(),
        201
    );
    let list = app.published("news", "a").await;
    assert_eq!(list["comments"], json!([]), "held after the third network");
    let key = app.api_key("news", "moderator").await;
    let held = app.queue(&key, "news", "held").await;
    assert_eq!(held["items"][0]["id"], id.as_str());
    let audit = app
        .get_json(&key, &format!("/api/v1/sites/news/comments/{id}/audit"))
        .await
        .to_string();
    assert!(audit.contains("hold_reported"), "{audit}");
}

#[tokio::test]
async fn moderators_dismiss_or_act_on_reports_and_both_are_audited() {
    let app = proxied_app().await;
    let id = published_comment(&app).await;
    let key = app.api_key("news", "moderator").await;
    assert_eq!(
        report_with_code(&app, "203.0.113.10", &id, "spam")
            .await
            .status(),
        201
    );
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/sites/news/comments/{id}/reports/dismiss")))
        .bearer_auth(&key)
        .json(&json!({"note": "fair criticism"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(reported(&app, &key).await["items"], json!([]));
    assert_eq!(
        app.published("news", "a").await["comments"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Dismissed reports do not come back; a new report opens the case again.
    assert_eq!(
        report_with_code(&app, "203.0.113.11", &id, "insult")
            .await
            .status(),
        201
    );
    assert_eq!(reported(&app, &key).await["items"][0]["reports"], 1);
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/sites/news/comments/{id}/reports/act")))
        .bearer_auth(&key)
        .json(&json!({"action": "reject", "reason": "insult"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap()["status"], "rejected");
    assert_eq!(reported(&app, &key).await["items"], json!([]));
    assert_eq!(app.published("news", "a").await["comments"], json!([]));
    assert_audited(
        &app,
        &key,
        &id,
        &["dismiss_reports", "act_on_reports", "reject"],
    )
    .await;
    assert_nothing_to_dismiss(&app, &key, &id).await;
}

#[tokio::test]
async fn a_site_without_codes_takes_a_report_only_with_a_solved_proof_of_work() {
    let app = spawn_app().await;
    let mut s = site("news");
    s.moderation_mode = ModerationMode::Post;
    s.captcha = majlis::domain::CaptchaMode::Off;
    app.add_site(s).await;
    let v: Value = app
        .post_comment("news", "a", &app.valid_comment_without_captcha())
        .await
        .json()
        .await
        .unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    let resp = report_from(&app, "", &id, json!({"reason": "spam"})).await;
    assert_eq!(resp.status(), 400);
    let proof = pow(&app, "news").await;
    let resp = report_from(&app, "", &id, json!({"reason": "spam", "pow": proof})).await;
    assert_eq!(resp.status(), 201);
}

#[tokio::test]
async fn the_dashboards_reported_tab_shows_count_reasons_and_notes_and_acts() {
    let app = proxied_app().await;
    let id = published_comment(&app).await;
    for (ip, reason) in [("203.0.113.20", "insult"), ("198.51.100.20", "insult")] {
        assert_eq!(report_with_code(&app, ip, &id, reason).await.status(), 201);
    }
    app.create_moderator(
        "mod@news.example",
        "moderator",
        &["news"],
        "a long passphrase 1",
    )
    .await;
    let dash = app.login("mod@news.example", "a long passphrase 1").await;
    let page = dash.page("/dashboard/reported").await;
    assert!(page.contains(&format!("id=\"r-{id}\"")), "{page}");
    assert!(page.contains("2 reports"), "{page}");
    assert!(page.contains("Insults or abuse × 2"), "{page}");
    assert!(page.contains("شتيمة للكاتب"), "{page}");
    assert!(!page.contains("203.0.113"), "reporters are never shown");
    // Rejecting needs a reason; with one, the comment goes and so do its reports.
    let path = format!("/dashboard/reported/news/{id}/reject");
    assert_eq!(dash.post(&path, &[]).await.status(), 400);
    let resp = dash.post(&path, &[("reason", "insult")]).await;
    assert_eq!(resp.status(), 303);
    let page = dash.page("/dashboard/reported?done=acted").await;
    assert!(page.contains("No open reports."), "{page}");
    assert_eq!(app.published("news", "a").await["comments"], json!([]));
    let audit = dash.page(&format!("/dashboard/audit?comment={id}")).await;
    assert!(audit.contains("Act on reports"), "{audit}");
}

#[tokio::test]
async fn the_page_without_javascript_reports_a_comment_with_a_code() {
    let app = proxied_app().await;
    let id = published_comment(&app).await;
    let key = app.api_key("news", "moderator").await;
    let section = app
        .client
        .get(app.url("/embed/news/a?lang=ar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = format!("/embed/news/a/report/{id}?lang=ar");
    assert!(section.contains(&link), "{section}");
    let form = app
        .client
        .get(app.url(&link))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("شتائم أو إساءة"), "{form}");
    assert!(
        !form.contains("value=\"illegal\""),
        "not offered by this site"
    );
    let (captcha_id, _) = app.latest_captcha().unwrap();
    // No reason: the form again, in Arabic, with a new code.
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/sites/news/comments/{id}/reports")))
        .header("X-Forwarded-For", "203.0.113.30")
        .form(&[
            ("captcha_id", captcha_id.as_str()),
            ("captcha_answer", app.answer(&captcha_id).as_str()),
            ("lang", "ar"),
            ("return_to", "/embed/news/a?lang=ar"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("majlis-reason-error"));
    let (captcha_id, _) = app.latest_captcha().unwrap();
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/sites/news/comments/{id}/reports")))
        .header("X-Forwarded-For", "203.0.113.30")
        .form(&[
            ("reason", "sectarian"),
            ("note", "تحريض طائفي"),
            ("captcha_id", captcha_id.as_str()),
            ("captcha_answer", app.answer(&captcha_id).as_str()),
            ("lang", "ar"),
            ("return_to", "/embed/news/a?lang=ar"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let page = resp.text().await.unwrap();
    assert!(page.contains("سيراجع المشرفون"), "{page}");
    assert!(page.contains("href=\"/embed/news/a?lang=ar\""), "{page}");
    let list = reported(&app, &key).await;
    assert_eq!(list["items"][0]["reasons"][0]["reason"], "sectarian");
}

#[tokio::test]
async fn approving_a_comment_held_by_reports_closes_its_reports_with_an_audit_row() {
    let app = proxied_app().await;
    let id = published_comment(&app).await;
    let admin = app.api_key("news", "admin").await;
    let resp = app
        .client
        .put(app.url("/api/v1/sites/news/reports/settings"))
        .bearer_auth(&admin)
        .json(&json!({"hold_after": 1, "illegal_reason": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        report_with_code(&app, "203.0.113.40", &id, "insult")
            .await
            .status(),
        201
    );
    let key = app.api_key("news", "moderator").await;
    assert_eq!(
        app.queue(&key, "news", "held").await["items"][0]["id"],
        id.as_str()
    );
    assert_eq!(reported(&app, &key).await["items"][0]["reports"], 1);
    let resp = app.decide(&key, "news", &id, "approve", None).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        reported(&app, &key).await["items"],
        json!([]),
        "the approval answered the reports"
    );
    assert_audited(
        &app,
        &key,
        &id,
        &["hold_reported", "approve", "dismiss_reports"],
    )
    .await;
    assert_nothing_to_dismiss(&app, &key, &id).await;
}

#[tokio::test]
async fn rejecting_a_reported_comment_from_the_queue_acts_on_its_reports() {
    let app = proxied_app().await;
    let id = published_comment(&app).await;
    assert_eq!(
        report_with_code(&app, "203.0.113.41", &id, "insult")
            .await
            .status(),
        201
    );
    let key = app.api_key("news", "moderator").await;
    assert_eq!(reported(&app, &key).await["items"][0]["reports"], 1);
    // The ordinary queue decision, not the Reported tab's "act".
    let resp = app.decide(&key, "news", &id, "reject", None).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        reported(&app, &key).await["items"],
        json!([]),
        "the rejection answered the reports"
    );
    assert_audited(&app, &key, &id, &["reject", "act_on_reports"]).await;
}

const SETTINGS: &str = "/api/v1/sites/news/reports/settings";

#[tokio::test]
async fn admins_change_report_settings_on_the_dashboard_settings_page() {
    let app = proxied_app().await;
    app.add_site(site("news")).await;
    app.create_moderator(
        "admin@news.example",
        "admin",
        &["news"],
        "a long passphrase 1",
    )
    .await;
    let dash = app.login("admin@news.example", "a long passphrase 1").await;
    let page = dash.page("/dashboard/settings?site=news").await;
    assert!(
        page.contains("action=\"/dashboard/settings/news/reports\""),
        "{page}"
    );
    assert!(page.contains("name=\"hold_after\""), "{page}");
    let path = "/dashboard/settings/news/reports";
    // Without the token: refused, nothing changed.
    let no_token = dash
        .client
        .post(format!("{}{path}", app.address))
        .form(&[("hold_after", "5"), ("illegal_reason", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 403);
    let key = app.api_key("news", "moderator").await;
    assert_eq!(
        app.get_json(&key, SETTINGS).await,
        json!({"hold_after": 0, "illegal_reason": false})
    );
    let resp = dash
        .post(path, &[("hold_after", "3"), ("illegal_reason", "on")])
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(
        app.get_json(&key, SETTINGS).await,
        json!({"hold_after": 3, "illegal_reason": true})
    );
    let page = dash.page("/dashboard/settings?site=news").await;
    assert!(page.contains("value=\"3\""), "{page}");
    // Out of range: refused with the API's code, nothing changed.
    let resp = dash.post_for_json(path, &[("hold_after", "5000")]).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["error"],
        "invalid_parameter"
    );
    // An unticked box turns the reason off.
    let resp = dash.post(path, &[("hold_after", "0")]).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(
        app.get_json(&key, SETTINGS).await,
        json!({"hold_after": 0, "illegal_reason": false})
    );
    let audit = dash.page("/dashboard/audit?site=news").await;
    assert!(audit.contains("Report settings"), "{audit}");
}
