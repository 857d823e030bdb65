//! Email through a real SMTP conversation on loopback: moderator alerts and
//! digests with single-use decision links, commenter notices with
//! unsubscribe, and the outbox surviving SMTP outages and several workers.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use majlis::config::Settings;
use majlis::domain::{ModerationMode, new_id};
use majlis::email::{LinkAction, LinkSigner};
use majlis::service::now_ms;
use majlis::startup::Application;
use majlis::storage::{ModeratorRecord, SiteEmailSettings};
use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app_with, test_settings};
use crate::smtp::{Mail, Sink};

const HELD_BODY: &str = "الكاتب حمـــار ولا يفهم شيئا <script>alert(1)</script>";

pub(crate) fn use_sink(s: &mut Settings, port: u16) {
    s.email.smtp_host = "127.0.0.1".into();
    s.email.smtp_port = port;
    s.email.smtp_tls = "none".into();
    s.email.from_address = "comments@news.example".into();
    s.email.poll_interval_ms = 100;
    s.email.retry_base_secs = 0;
    s.email.max_attempts = 1000;
    s.email.send_timeout_secs = 5;
    s.email.digest_interval_secs = 3600;
}

pub(crate) async fn app_with_sink() -> (TestApp, Sink) {
    app_with_sink_and(|_| {}).await
}

/// `app_with_sink` with more settings changed.
pub(crate) async fn app_with_sink_and(tweak: impl FnOnce(&mut Settings)) -> (TestApp, Sink) {
    let sink = Sink::start().await;
    let port = sink.port;
    let app = spawn_app_with(|s| {
        use_sink(s, port);
        tweak(s);
    })
    .await;
    (app, sink)
}

pub(crate) async fn add_moderator(app: &TestApp, email: &str, sites: &[&str]) -> String {
    let id = new_id();
    app.store
        .insert_moderator(&ModeratorRecord {
            id: id.clone(),
            email: email.into(),
            role: "moderator".into(),
            password_hash: "unused".into(),
            lang: "ar".into(),
            disabled_at: None,
            sites: sites.iter().map(|s| s.to_string()).collect(),
            created_at: now_ms(),
        })
        .await
        .unwrap();
    id
}

/// Submit a comment the posting rules hold; returns (id, commenter email).
async fn submit_held(app: &TestApp, site: &str, article: &str) -> (String, String) {
    let mut body = app.valid_comment(site).await;
    body["body"] = json!(HELD_BODY);
    body["article_url"] = json!(format!("https://news.example/{article}"));
    body["article_title"] = json!("مقال عن الاقتصاد");
    let resp = app.post_comment(site, article, &body).await;
    assert_eq!(resp.status(), 202);
    let v: Value = resp.json().await.unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    let held = app.store.comment(site, &id).await.unwrap().unwrap();
    assert_eq!(held.status.as_str(), "held");
    (id, body["email"].as_str().unwrap().to_string())
}

async fn status_of(app: &TestApp, site: &str, id: &str) -> String {
    app.store
        .comment(site, id)
        .await
        .unwrap()
        .unwrap()
        .status
        .as_str()
        .to_string()
}

async fn audit_len(app: &TestApp, site: &str, id: &str) -> usize {
    app.store.audit_for_comment(site, id).await.unwrap().len()
}

fn link(mail: &Mail, action: &str) -> String {
    mail.links("decide")
        .into_iter()
        .find(|path| {
            let token = path.trim_start_matches("/email/decide/");
            let payload = token.split('.').next().unwrap();
            use base64::Engine;
            let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap();
            String::from_utf8(raw)
                .unwrap()
                .contains(&format!("\n{action}\n"))
        })
        .unwrap_or_else(|| panic!("no {action} link in {}", mail.text()))
}

#[tokio::test]
async fn holding_a_comment_mails_each_moderator_of_the_site_in_its_language_within_seconds() {
    let (app, sink) = app_with_sink().await;
    app.add_site(site("news")).await;
    app.add_site(site("other")).await;
    add_moderator(&app, "mod1@news.example", &["news"]).await;
    add_moderator(&app, "mod2@news.example", &["news"]).await;
    add_moderator(&app, "elsewhere@other.example", &["other"]).await;
    let (_, _) = submit_held(&app, "news", "a").await;
    // Delivered by the outbox worker on its own, with no further request.
    let mails = sink.wait_for(2).await;
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["mod1@news.example", "mod2@news.example"]);
    let mail = &mails[0];
    assert_eq!(mail.from, "comments@news.example");
    assert!(
        mail.subject().starts_with("تعليق محجوز للمراجعة"),
        "{}",
        mail.subject()
    );
    assert!(mail.header("From").unwrap().contains("Site news"));
    let html = mail.html();
    assert!(html.contains(r#"lang="ar" dir="rtl""#), "{html}");
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{html}"
    );
    assert!(!html.contains("<script>"));
    assert!(html.contains("https://news.example/a"));
    assert!(html.contains("مقال عن الاقتصاد"));
    let text = mail.text();
    assert!(
        text.contains("حمـــار"),
        "the body excerpt is quoted: {text}"
    );
    assert!(
        text.contains("<script>alert(1)</script>"),
        "plain text stays raw"
    );
    assert_eq!(mail.links("decide").len(), 2, "approve and reject: {text}");
    assert!(mail.header("List-Unsubscribe").is_none());
    assert!(
        mail.header("Message-ID")
            .unwrap()
            .ends_with("@news.example>")
    );
    // Findings are listed for the moderator.
    assert!(html.contains("<li>"), "{html}");
    // Settled: no third message for the other site's moderator.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.mails().len(), 2);
}

#[tokio::test]
async fn a_click_and_confirm_publishes_as_that_moderator_and_the_commenter_hears_of_it() {
    let (app, sink) = app_with_sink().await;
    app.add_site(site("news")).await;
    let moderator = add_moderator(&app, "mod@news.example", &["news"]).await;
    let (id, commenter) = submit_held(&app, "news", "a").await;
    let alert = sink.wait_for_to("mod@news.example", 1).await.remove(0);
    let approve = link(&alert, "approve");

    // GET (a mail scanner's prefetch, or the moderator's click) changes nothing.
    for _ in 0..2 {
        let page = app.client.get(app.url(&approve)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["cache-control"], "no-store");
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
        let body = page.text().await.unwrap();
        assert!(body.contains(r#"method="post""#), "{body}");
        assert!(body.contains("هل تريد نشر هذا التعليق؟"), "{body}");
        assert!(body.contains("&#60;script&#62;"), "{body}");
    }
    assert_eq!(status_of(&app, "news", &id).await, "held");

    let done = app.client.post(app.url(&approve)).send().await.unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("نُشر التعليق."));
    assert_eq!(status_of(&app, "news", &id).await, "published");
    let audit = app.store.audit_for_comment("news", &id).await.unwrap();
    let (last, _) = audit.last().unwrap();
    assert_eq!(last.actor_kind, "moderator");
    assert_eq!(last.actor_id, moderator);
    assert_eq!(last.action, "approve");
    assert_eq!(last.to_status.as_deref(), Some("published"));

    let notice = sink.wait_for_to(&commenter, 1).await.remove(0);
    assert_eq!(notice.to, std::slice::from_ref(&commenter));
    assert!(
        notice.subject().starts_with("نُشر تعليقك"),
        "{}",
        notice.subject()
    );
    assert!(notice.text().contains("https://news.example/a"));
    assert!(notice.html().contains(r#"href="https://news.example/a""#));
    assert!(notice.html().contains(r#"dir="rtl""#));
    let unsubscribe = notice.header("List-Unsubscribe").unwrap();
    assert!(unsubscribe.starts_with("<http://") && unsubscribe.contains("/email/unsubscribe/"));
    assert_eq!(
        notice.header("List-Unsubscribe-Post").unwrap(),
        "List-Unsubscribe=One-Click"
    );
    assert!(notice.header("To").unwrap().contains(&commenter));
}

#[tokio::test]
async fn mail_a_change_queues_goes_out_at_once_not_at_the_next_poll() {
    // An hour between polls: what arrives during the test was woken for.
    let (app, sink) = app_with_sink_and(|s| s.email.poll_interval_ms = 3_600_000).await;
    app.add_site(site("news")).await;
    add_moderator(&app, "mod@news.example", &["news"]).await;
    let (_, commenter) = submit_held(&app, "news", "a").await;
    let alert = sink.wait_for_to("mod@news.example", 1).await.remove(0);
    let approve = link(&alert, "approve");
    let done = app.client.post(app.url(&approve)).send().await.unwrap();
    assert_eq!(done.status(), 200);
    sink.wait_for_to(&commenter, 1).await;
}

#[tokio::test]
async fn a_decision_link_works_once_and_used_expired_tampered_or_crossed_links_change_nothing() {
    let (app, sink) = app_with_sink().await;
    app.add_site(site("news")).await;
    let moderator = add_moderator(&app, "mod@news.example", &["news"]).await;
    let (id, _) = submit_held(&app, "news", "a").await;
    let alert = sink.wait_for_to("mod@news.example", 1).await.remove(0);
    let reject = link(&alert, "reject");
    let approve = link(&alert, "approve");

    // Tampered signature: 400, nothing changes.
    let (payload, tag) = reject.rsplit_once('.').unwrap();
    let flipped = if tag.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{payload}.{flipped}{}", &tag[1..]);
    for r in [
        app.client.get(app.url(&tampered)).send().await.unwrap(),
        app.client.post(app.url(&tampered)).send().await.unwrap(),
        app.client
            .post(app.url("/email/decide/not-a-token"))
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(r.status(), 400);
    }
    // A link signed for another comment's id does not verify for this one.
    let key = app
        .store
        .instance_secret("email_links", now_ms())
        .await
        .unwrap();
    let signer = LinkSigner::new(key);
    let expired = signer.decision("news", &id, &moderator, LinkAction::Approve, now_ms() - 1);
    for r in [
        app.client
            .get(app.url(&format!("/email/decide/{expired}")))
            .send()
            .await
            .unwrap(),
        app.client
            .post(app.url(&format!("/email/decide/{expired}")))
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(r.status(), 410);
        assert!(r.text().await.unwrap().contains("انتهت صلاحية"));
    }
    // A validly signed link for a moderator of another site does nothing.
    app.add_site(site("other")).await;
    let outsider = add_moderator(&app, "outsider@other.example", &["other"]).await;
    let foreign = signer.decision(
        "news",
        &id,
        &outsider,
        LinkAction::Approve,
        now_ms() + 60_000,
    );
    let r = app
        .client
        .post(app.url(&format!("/email/decide/{foreign}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(status_of(&app, "news", &id).await, "held");
    let before = audit_len(&app, "news", &id).await;
    assert_eq!(before, 1);

    // First use works.
    let r = app.client.post(app.url(&reject)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(status_of(&app, "news", &id).await, "rejected");
    assert_eq!(audit_len(&app, "news", &id).await, 2);

    // Second use, and the other action of the same mail, change nothing.
    let again = app.client.post(app.url(&reject)).send().await.unwrap();
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("استُخدم هذا الرابط"));
    let page = app.client.get(app.url(&reject)).send().await.unwrap();
    assert_eq!(page.status(), 409);
    let other = app.client.post(app.url(&approve)).send().await.unwrap();
    assert_eq!(other.status(), 409);
    assert_eq!(status_of(&app, "news", &id).await, "rejected");
    assert_eq!(audit_len(&app, "news", &id).await, 2);
    // Rejection notices are off by default.
    let outbox = app.store.outbox_messages("news", None, 100).await.unwrap();
    assert!(outbox.iter().all(|m| m.message.kind != "comment_rejected"));
}

#[tokio::test]
async fn header_injection_attempts_produce_no_extra_header_or_recipient() {
    let (app, sink) = app_with_sink().await;
    let mut s = site("news");
    s.name = "News\r\nBcc: evil@attacker.example\r\nX-Injected: 1".into();
    s.moderation_mode = ModerationMode::Post;
    app.add_site(s).await;
    app.store
        .set_site_email_settings(
            "news",
            &SiteEmailSettings {
                from_name: Some("Desk\nBcc: evil2@attacker.example".into()),
                ..SiteEmailSettings::default()
            },
            now_ms(),
        )
        .await
        .unwrap();
    // Injection through the commenter's fields is refused at validation.
    for (field, value) in [
        ("name", "Ali\r\nBcc: evil@attacker.example"),
        ("name", "Ali\u{2028}Bcc: evil@attacker.example"),
        ("title", "Hi\nBcc: evil@attacker.example"),
        ("email", "a@example.com\r\nBcc: evil@attacker.example"),
        ("article_title", "T\r\nBcc: evil@attacker.example"),
    ] {
        let mut body = app.valid_comment("news").await;
        body[field] = json!(value);
        let r = app.post_comment("news", "a", &body).await;
        assert_eq!(r.status(), 422, "{field}");
    }
    assert_eq!(app.stored_count("news").await, 0);
    // A published comment's notice carries the poisoned site names safely.
    let body = app.valid_comment("news").await;
    let commenter = body["email"].as_str().unwrap().to_string();
    assert_eq!(app.post_comment("news", "a", &body).await.status(), 201);
    let mails = sink.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.mails().len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to, [commenter]);
    let names: Vec<String> = mail
        .headers()
        .into_iter()
        .map(|(k, _)| k.to_ascii_lowercase())
        .collect();
    assert!(
        !names.iter().any(|n| n == "bcc" || n == "x-injected"),
        "{names:?}"
    );
    assert_eq!(names.iter().filter(|n| *n == "to").count(), 1);
    let head = mail.data.split("\r\n\r\n").next().unwrap();
    for line in head.split("\r\n") {
        assert!(!line.to_ascii_lowercase().starts_with("bcc"), "{line}");
    }
    assert!(mail.header("From").unwrap().contains("Desk"));
}

#[tokio::test]
async fn with_smtp_down_the_submission_answers_at_once_and_the_mail_arrives_when_it_is_back() {
    let (app, sink) = app_with_sink().await;
    app.add_site(site("news")).await;
    add_moderator(&app, "mod@news.example", &["news"]).await;
    let admin = app.api_key("news", "admin").await;
    sink.stop().await;

    // The submission is answered with SMTP down; the alert is only queued, so
    // the outbox holds it unsent the moment the answer arrives. (No timing
    // bound: a busy machine makes any fixed one flaky.)
    let (id, _) = submit_held(&app, "news", "a").await;
    let rows = app.store.outbox_messages("news", None, 10).await.unwrap();
    assert_eq!(rows.len(), 1, "the alert waits in the outbox");
    assert_ne!(
        rows[0].status, "sent",
        "the submission never waits for SMTP"
    );
    // The alert waits in the outbox, retried.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows = app.store.outbox_messages("news", None, 10).await.unwrap();
        assert_eq!(rows.len(), 1);
        if rows[0].attempts >= 2 {
            assert_eq!(rows[0].status, "pending");
            assert!(rows[0].last_error.is_some());
            break;
        }
        assert!(Instant::now() < deadline, "no retry seen: {rows:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let listing: Value = app
        .get_json(&admin, "/api/v1/sites/news/outbox?status=pending")
        .await;
    assert_eq!(listing["counts"]["pending"], 1, "{listing}");
    assert_eq!(listing["items"][0]["comment_id"], id.as_str());
    assert!(sink.mails().is_empty());
    // Operators see the backlog in the metrics.
    let backlog = "majlis_mail_outbox{site=\"news\",status=\"pending\"} 1";
    assert!(app.metrics().await.contains(backlog));

    sink.restart().await;
    let mails = sink.wait_for(1).await;
    assert_eq!(mails[0].to, ["mod@news.example"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while app
        .store
        .outbox_messages("news", Some("sent"), 10)
        .await
        .unwrap()
        .len()
        != 1
    {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.mails().len(), 1, "delivered exactly once");
    assert!(!app.metrics().await.contains("majlis_mail_outbox{"));
}

#[tokio::test]
async fn after_the_last_attempt_a_message_is_failed_and_listed_for_admins() {
    let sink = Sink::start().await;
    let port = sink.port;
    sink.stop().await;
    let app = spawn_app_with(|s| {
        use_sink(s, port);
        s.email.max_attempts = 2;
    })
    .await;
    app.add_site(site("news")).await;
    add_moderator(&app, "mod@news.example", &["news"]).await;
    let admin = app.api_key("news", "admin").await;
    let moderator_key = app.api_key("news", "moderator").await;
    submit_held(&app, "news", "a").await;
    let url = app.url("/api/v1/sites/news/outbox?status=failed");
    let deadline = Instant::now() + Duration::from_secs(30);
    let listing = loop {
        let v: Value = app
            .client
            .get(&url)
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["counts"]["failed"] == 1 {
            break v;
        }
        assert!(Instant::now() < deadline, "{v}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let item = &listing["items"][0];
    assert_eq!(item["status"], "failed");
    assert_eq!(item["attempts"], 2);
    assert_eq!(item["kind"], "moderator_alert");
    assert!(!item["last_error"].as_str().unwrap().is_empty());
    let text = app.metrics().await;
    assert!(text.contains("majlis_mail_outbox{site=\"news\",status=\"failed\"} 1"));
    assert!(!text.contains("majlis_mail_outbox{site=\"news\",status=\"pending\"}"));
    let r = app
        .client
        .get(&url)
        .bearer_auth(&moderator_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = app.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn pending_comments_reach_the_moderators_in_one_digest_and_only_once() {
    let (app, sink) = app_with_sink_and(|s| s.email.digest_interval_secs = 0).await;
    app.add_site(site("news")).await;
    add_moderator(&app, "mod@news.example", &["news"]).await;
    let first = app.submit("news", "a").await;
    let second = app.submit("news", "b").await;
    let mails = sink.wait_for(1).await;
    let digest = &mails[0];
    assert_eq!(digest.to, ["mod@news.example"]);
    assert!(
        digest.subject().contains("بانتظار المراجعة"),
        "{}",
        digest.subject()
    );
    // Both comments may land in one digest or in two consecutive ones; each
    // comment appears in exactly one, with its own pair of links.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mails = sink.mails();
    let mut links = 0;
    for m in &mails {
        links += m.links("decide").len();
    }
    assert_eq!(links, 4, "two links per comment, once: {mails:#?}");
    let all: String = mails.iter().map(|m| m.text()).collect();
    assert_eq!(all.matches("رأي في المقال").count(), 2);
    // Decided comments do not reappear; a new one gets a new digest.
    let before = mails.len();
    let key = app.api_key("news", "moderator").await;
    app.decide(&key, "news", &first, "approve", None).await;
    app.decide(&key, "news", &second, "approve", None).await;
    app.submit("news", "c").await;
    let to_moderator = sink.wait_for_to("mod@news.example", before + 1).await;
    let newest = to_moderator.last().unwrap();
    assert_eq!(newest.links("decide").len(), 2, "only the new comment");
}

#[tokio::test]
async fn unsubscribed_commenters_get_no_more_notices_and_a_get_changes_nothing() {
    let (app, sink) = app_with_sink().await;
    let mut s = site("news");
    s.moderation_mode = ModerationMode::Post;
    app.add_site(s).await;
    let mut body = app.valid_comment("news").await;
    let commenter = body["email"].as_str().unwrap().to_string();
    assert_eq!(app.post_comment("news", "a", &body).await.status(), 201);
    let notice = sink.wait_for_to(&commenter, 1).await.remove(0);
    let path = notice.links("unsubscribe").remove(0);

    let page = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains(r#"method="post""#));
    assert!(!app.store.is_unsubscribed("news", &commenter).await.unwrap());
    let tampered = format!("{path}x");
    let r = app.client.post(app.url(&tampered)).send().await.unwrap();
    assert_eq!(r.status(), 400);
    // RFC 8058 one-click, as a mail client sends it.
    let r = app
        .client
        .post(app.url(&path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(app.store.is_unsubscribed("news", &commenter).await.unwrap());

    // The next published comment by the same address queues no mail at all
    // (the outbox row would be written with the comment).
    let (cid, answer) = app.solve_captcha("news").await;
    body["captcha_id"] = json!(cid);
    body["captcha_answer"] = json!(answer);
    body["body"] = json!("تعليق ثان مختلف تماماً عن الأول، شكراً.");
    body["title"] = json!("رأي آخر");
    app.exec("UPDATE comments SET created_at = created_at - 3600000")
        .await;
    let r = app.post_comment("news", "b", &body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let rows = app.store.outbox_messages("news", None, 100).await.unwrap();
    let to_commenter: Vec<_> = rows
        .iter()
        .filter(|m| m.message.to_addr == commenter)
        .collect();
    assert_eq!(
        to_commenter.len(),
        1,
        "only the notice sent before: {rows:?}"
    );
}

#[tokio::test]
async fn sites_choose_whether_commenters_hear_of_publication_and_rejection() {
    let (app, sink) = app_with_sink().await;
    app.add_site(site("news")).await;
    let admin = app.api_key("news", "admin").await;
    let key = app.api_key("news", "moderator").await;
    let url = app.url("/api/v1/sites/news/email-settings");
    let defaults: Value = app
        .client
        .get(&url)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        defaults,
        json!({"from_name": null, "moderator_alerts": true,
               "notify_published": true, "notify_rejected": false})
    );
    let r = app
        .client
        .put(&url)
        .bearer_auth(&key)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "admins only");
    let r = app
        .client
        .put(&url)
        .bearer_auth(&admin)
        .json(&json!({"from_name": "Desk\r\nBcc: evil@attacker.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = app
        .client
        .put(&url)
        .bearer_auth(&admin)
        .json(&json!({"notify_published": false, "notify_rejected": true, "from_name": "مكتب التحرير"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["notify_published"], false);
    assert_eq!(v["moderator_alerts"], true, "fields left out are kept");
    let published = app.submit("news", "a").await;
    let rejected = app.submit("news", "a").await;
    app.decide(&key, "news", &published, "approve", None).await;
    let r = app
        .decide(
            &key,
            "news",
            &rejected,
            "reject",
            Some(json!({"reason": "off_topic <b>"})),
        )
        .await;
    assert_eq!(r.status(), 200);
    let mails = sink.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.mails().len(), 1, "no published notice");
    let mail = &mails[0];
    assert!(
        mail.subject().starts_with("لم يُنشر تعليقك"),
        "{}",
        mail.subject()
    );
    assert!(mail.text().contains("السبب: off_topic <b>"));
    assert!(mail.html().contains("off_topic &#60;b&#62;"));
    assert!(mail.header("List-Unsubscribe").is_some());
    assert!(mail.header("From").unwrap().contains("مكتب التحرير"));
    let rows = app.store.outbox_messages("news", None, 100).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].message.comment_id.as_deref(),
        Some(rejected.as_str())
    );
}

#[tokio::test]
async fn english_sites_mail_in_english_left_to_right() {
    let (app, sink) = app_with_sink().await;
    let mut s = site("daily");
    s.default_lang = majlis::domain::Lang::En;
    app.add_site(s).await;
    add_moderator(&app, "mod@daily.example", &["daily"]).await;
    submit_held(&app, "daily", "a").await;
    let mail = sink.wait_for(1).await.remove(0);
    assert!(
        mail.subject().starts_with("Comment held for review"),
        "{}",
        mail.subject()
    );
    assert!(mail.html().contains(r#"lang="en" dir="ltr""#));
    assert!(mail.text().contains("Approve: http://"));
}

#[tokio::test]
async fn without_smtp_messages_are_logged_and_kept_in_the_outbox() {
    let app = spawn_app_with(|s| s.email.poll_interval_ms = 100).await;
    app.add_site(site("news")).await;
    add_moderator(&app, "mod@news.example", &["news"]).await;
    submit_held(&app, "news", "a").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows = app.store.outbox_messages("news", None, 10).await.unwrap();
        assert_eq!(rows.len(), 1);
        if rows[0].status == "logged" {
            assert!(rows[0].message.body_text.contains("/email/decide/"));
            break;
        }
        assert!(Instant::now() < deadline, "{rows:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn two_workers_on_one_database_deliver_each_message_exactly_once() {
    let (app, sink) = app_with_sink_and(|s| s.email.batch_size = 2).await;
    // A second majlis instance on the same database and the same relay.
    let mut settings = test_settings(&app.db_url);
    use_sink(&mut settings, sink.port);
    settings.email.batch_size = 2;
    settings.demo.enabled = false;
    let second = Application::build(settings).await.unwrap();
    tokio::spawn(second.run_until_stopped());

    let mut s = site("news");
    s.moderation_mode = ModerationMode::Post;
    app.add_site(s).await;
    const N: usize = 12;
    // A backlog both workers retry while the relay is down, then race for
    // when it is back.
    sink.stop().await;
    for i in 0..N {
        let r = app
            .post_comment("news", &format!("a{i}"), &app.valid_comment("news").await)
            .await;
        assert_eq!(r.status(), 201);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows = app.store.outbox_messages("news", None, 100).await.unwrap();
        if rows.len() == N && rows.iter().all(|m| m.attempts >= 1) {
            break;
        }
        assert!(Instant::now() < deadline, "{rows:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sink.restart().await;
    sink.wait_for(N).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while app
        .store
        .outbox_messages("news", Some("sent"), 100)
        .await
        .unwrap()
        .len()
        != N
    {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mails = sink.mails();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for m in &mails {
        *seen.entry(m.header("Message-ID").unwrap()).or_default() += 1;
    }
    assert_eq!(mails.len(), N, "{seen:?}");
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
}

/// Every way an address could be spelled in a link: as is, percent-encoded,
/// and in each base64 alphabet with and without padding.
fn spellings(addr: &str) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut out = vec![
        addr.to_string(),
        addr.replace('@', "%40"),
        addr.replace('@', "%40").replace('.', "%2E"),
    ];
    for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
        out.push(engine.encode(addr));
    }
    out
}

/// Whatever a token decodes to, in either base64 alphabet, piece by piece.
fn decodings(token: &str) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    token
        .split(['.', '/', '?', '&', '='])
        .flat_map(|piece| {
            [URL_SAFE_NO_PAD.decode(piece), STANDARD_NO_PAD.decode(piece)]
                .into_iter()
                .flatten()
                .map(|b| String::from_utf8_lossy(&b).to_string())
        })
        .collect()
}

#[tokio::test]
async fn no_mail_link_carries_the_address_in_any_encoding_and_the_opaque_link_unsubscribes() {
    let (app, sink) = app_with_sink().await;
    let mut s = site("news");
    s.moderation_mode = ModerationMode::Post;
    app.add_site(s).await;
    let commenter = "layla.haddad@example.org";
    let mut body = app.valid_comment("news").await;
    body["email"] = json!(commenter);
    assert_eq!(app.post_comment("news", "a", &body).await.status(), 201);
    let notice = sink.wait_for_to(commenter, 1).await.remove(0);

    let links: Vec<String> = notice
        .text()
        .split_whitespace()
        .chain(notice.html().split(['"', '<', '>']))
        .chain(notice.header("List-Unsubscribe").iter().map(String::as_str))
        .filter(|w| w.contains("/email/"))
        .map(str::to_string)
        .collect();
    assert!(!links.is_empty(), "{}", notice.text());
    for link in &links {
        for spelled in spellings(commenter) {
            assert!(!link.contains(&spelled), "{link} carries {spelled}");
        }
        for decoded in decodings(link) {
            assert!(
                !decoded.contains("example.org"),
                "{link} decodes to {decoded:?}"
            );
        }
    }

    let path = notice.links("unsubscribe").remove(0);
    let r = app
        .client
        .post(app.url(&path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(app.store.is_unsubscribed("news", commenter).await.unwrap());
}

#[tokio::test]
async fn an_unsubscribe_link_of_the_earlier_signed_form_still_works() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use hmac::{Hmac, Mac};
    let (app, _sink) = app_with_sink().await;
    app.add_site(site("news")).await;
    let key = app
        .texts("SELECT value FROM instance_secrets WHERE name = 'email_links'")
        .await
        .remove(0);
    // The earlier form: base64url(payload).base64url(HMAC-SHA256).
    let payload = "u\nnews\nold@example.org";
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&hex::decode(key).unwrap()).unwrap();
    mac.update(b"majlis-email-link-v1\n");
    mac.update(payload.as_bytes());
    let token = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    );
    let r = app
        .client
        .post(app.url(&format!("/email/unsubscribe/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        app.store
            .is_unsubscribed("news", "old@example.org")
            .await
            .unwrap()
    );
}
