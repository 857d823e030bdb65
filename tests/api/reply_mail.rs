//! Reply notifications: a commenter who ticks "email me replies" hears of
//! a reply once it is published, then at most one mail per comment per hour
//! naming every reply of that hour, through the outbox, with the one-click
//! unsubscribe.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::email::app_with_sink;
use crate::helpers::{TestApp, site};
use crate::smtp::{Mail, Sink};

const HOUR_MS: i64 = 3_600_000;

/// A comment of article `a` approved by `key`, from a reader who ticked the
/// box (or not); returns (id, email).
async fn parent(app: &TestApp, key: &str, notify: Option<bool>) -> (String, String) {
    let mut body = app.valid_comment("news").await;
    if let Some(n) = notify {
        body["notify_replies"] = json!(n);
    }
    body["article_url"] = json!("https://news.example/a");
    let resp = app.post_comment("news", "a", &body).await;
    assert_eq!(resp.status(), 202);
    let id = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    approve(app, key, &id).await;
    (id, body["email"].as_str().unwrap().to_string())
}

async fn approve(app: &TestApp, key: &str, id: &str) {
    let resp = app.decide(key, "news", id, "approve", None).await;
    assert_eq!(resp.status(), 200);
}

/// A reply by `name` to `parent`, approved.
async fn approved_reply(app: &TestApp, key: &str, parent: &str, name: &str, text: &str) {
    let mut body = app.valid_comment("news").await;
    body["parent_id"] = json!(parent);
    body["name"] = json!(name);
    body["body"] = json!(text);
    let resp = app.post_comment("news", "a", &body).await;
    assert_eq!(resp.status(), 202);
    let id = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    approve(app, key, &id).await;
}

fn is_reply_mail(m: &Mail) -> bool {
    m.subject().contains("ردود جديدة")
}

/// Reply mails that reached `to`, waiting (at most 30 s) for `n`.
async fn reply_mails(sink: &Sink, to: &str, n: usize) -> Vec<Mail> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got: Vec<Mail> = sink
            .mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == to) && is_reply_mail(m))
            .collect();
        if got.len() >= n {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "expected {n} reply mails to {to}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn open_notices(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM reply_notices")
        .await
        .unwrap_or(0)
}

/// Bring every open notice's hour to its end (as if it had passed), then
/// wait until the worker has handled them all.
async fn hour_passes(app: &TestApp) {
    app.exec("UPDATE reply_notices SET due_at = 0").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while open_notices(app).await > 0 {
        assert!(
            Instant::now() < deadline,
            "the due notices were not handled"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Reply mails queued in the outbox for `to`, sent or not.
async fn queued_reply_mails(app: &TestApp, to: &str) -> usize {
    app.store
        .outbox_messages("news", None, 1000)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.message.to_addr == to && m.message.kind == "comment_replies")
        .count()
}

#[tokio::test]
async fn an_approved_reply_mails_the_commenter_who_asked_once_with_a_working_unsubscribe() {
    let (app, sink) = app_with_sink().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let (parent_id, to) = parent(&app, &key, Some(true)).await;
    approved_reply(&app, &key, &parent_id, "سارة", "أتفق معك في النقطة الأولى.").await;
    // The first reply is mailed at once, with no hour passing.
    let mail = reply_mails(&sink, &to, 1).await.remove(0);
    let text = mail.text();
    assert!(
        text.contains("سارة") && text.contains("أتفق معك في النقطة الأولى."),
        "{text}"
    );
    assert!(text.contains("https://news.example/a"), "{text}");
    assert!(
        mail.header("List-Unsubscribe").is_some(),
        "{:?}",
        mail.headers()
    );
    assert_eq!(queued_reply_mails(&app, &to).await, 1);

    // A reply after the mail waits a full hour from it: at most one mail an
    // hour.
    let mailed_at = app
        .scalar("SELECT MAX(reply_mailed_at) FROM comments")
        .await
        .unwrap();
    approved_reply(&app, &key, &parent_id, "خالد", "وأنا أيضا أوافق على ذلك.").await;
    let due = app
        .scalar("SELECT due_at FROM reply_notices")
        .await
        .unwrap();
    assert_eq!(due, mailed_at + HOUR_MS, "due {due}, mail at {mailed_at}");
    assert!(due > majlis::service::now_ms());

    // One click in the mail stops them.
    let path = mail.links("unsubscribe").remove(0);
    let resp = app
        .client
        .post(app.url(&path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    hour_passes(&app).await;
    assert_eq!(
        queued_reply_mails(&app, &to).await,
        1,
        "none after unsubscribing"
    );
}

#[tokio::test]
async fn replies_within_the_hour_go_into_one_mail_naming_each() {
    let (app, sink) = app_with_sink().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    // Asked for through the page without JavaScript: a ticked box.
    let (captcha_id, answer) = app.solve_captcha("news").await;
    let resp = app
        .client
        .post(app.url("/api/v1/sites/news/articles/a/comments"))
        .form(&[
            ("name", "ليلى"),
            ("email", "layla@example.org"),
            ("title", "سؤال للكاتب"),
            ("body", "هل من مصدر لهذه الأرقام؟"),
            ("accept_terms", "on"),
            ("notify_replies", "on"),
            ("captcha_id", captcha_id.as_str()),
            ("captcha_answer", answer.as_str()),
            ("lang", "ar"),
        ])
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let stored = app.stored("news").await;
    let parent_id = stored.iter().find(|c| c.name == "ليلى").unwrap().id.clone();
    approve(&app, &key, &parent_id).await;
    approved_reply(&app, &key, &parent_id, "منى", "سؤال وجيه.").await;
    // The first reply's mail goes out at once; the replies of the hour after
    // it wait for one mail.
    reply_mails(&sink, "layla@example.org", 1).await;
    approved_reply(
        &app,
        &key,
        &parent_id,
        "سارة",
        "المصدر تقرير البنك المركزي.",
    )
    .await;
    approved_reply(
        &app,
        &key,
        &parent_id,
        "خالد",
        "وهناك أيضا أرقام الإحصاء الرسمية.",
    )
    .await;
    assert_eq!(open_notices(&app).await, 1, "one notice for the comment");
    assert_eq!(queued_reply_mails(&app, "layla@example.org").await, 1);
    hour_passes(&app).await;
    let mail = reply_mails(&sink, "layla@example.org", 2).await.remove(1);
    let text = mail.text();
    for expected in [
        "سارة",
        "المصدر تقرير البنك المركزي.",
        "خالد",
        "أرقام الإحصاء",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    assert!(
        !text.contains("سؤال وجيه."),
        "named in the first mail: {text}"
    );
    assert_eq!(queued_reply_mails(&app, "layla@example.org").await, 2);
}

#[tokio::test]
async fn without_the_box_ticked_a_reply_mails_nobody() {
    let (app, _sink) = app_with_sink().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    // The box is there, unticked, on both forms.
    let page = app
        .client
        .get(app.url("/embed/news/a?lang=ar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"name="notify_replies" type="checkbox">"#),
        "{page}"
    );
    let js = app
        .client
        .get(app.url("/embed.js"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(js.contains("notify_replies"));
    for notify in [None, Some(false)] {
        let (parent_id, to) = parent(&app, &key, notify).await;
        approved_reply(&app, &key, &parent_id, "سارة", "رد على تعليق بلا اشتراك.").await;
        assert_eq!(open_notices(&app).await, 0);
        hour_passes(&app).await;
        assert_eq!(queued_reply_mails(&app, &to).await, 0);
    }
    // A non-boolean is a field error like any other.
    let mut body = app.valid_comment("news").await;
    body["notify_replies"] = json!("yes");
    let resp = app.post_comment("news", "a", &body).await;
    assert_eq!(resp.status(), 422);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["fields"]["notify_replies"][0]["code"], "invalid_type");
}
