//! Codes a person reads (reasons, decisions, statuses, finding categories)
//! appear as labels in their language, in mail and on the dashboard.

use serde_json::json;

use crate::email::app_with_sink;
use crate::helpers::{TestApp, site};

const PASSWORD: &str = "a long password 1";
/// Held by the rules: an insult aimed at the writer.
const HELD_BODY: &str = "الكاتب حمـــار ولا يفهم شيئا";

/// Codes that must not be read raw on an Arabic page.
const RAW: [&str; 19] = [
    "submitted",
    "approve",
    "reject",
    "spam",
    "delete",
    "edit",
    "pending",
    "held",
    "published",
    "rejected",
    "deleted",
    "off_topic",
    "religion",
    "insult",
    "banned_term",
    "protected_entity_insult",
    "api_key",
    "system",
    "moderator",
];

/// The text a reader sees: tags dropped (attribute values are not read).
fn visible(html: &str) -> String {
    regex::Regex::new(r"(?s)<[^>]*>")
        .unwrap()
        .replace_all(html, " ")
        .to_string()
}

fn raw_codes_in(page: &str) -> Vec<&'static str> {
    let text = visible(page);
    RAW.into_iter()
        .filter(|code| {
            // A word of its own: a list's name (`insult-ar`) is a name.
            regex::Regex::new(&format!(r"(?i)(^|[^\w-]){code}($|[^\w-])"))
                .unwrap()
                .is_match(&text)
        })
        .collect()
}

async fn held(app: &TestApp) -> String {
    let mut body = app.valid_comment("news").await;
    body["body"] = json!(HELD_BODY);
    let resp = app.post_comment("news", "a-1", &body).await;
    assert_eq!(resp.status(), 202);
    resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_rejection_mail_in_arabic_names_the_reason_in_arabic() {
    let (app, sink) = app_with_sink().await;
    app.add_site(site("news")).await;
    let admin = app.api_key("news", "admin").await;
    let key = app.api_key("news", "moderator").await;
    let r = app
        .client
        .put(app.url("/api/v1/sites/news/email-settings"))
        .bearer_auth(&admin)
        .json(&json!({"notify_rejected": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let id = app.submit("news", "a").await;
    let r = app
        .decide(
            &key,
            "news",
            &id,
            "reject",
            Some(json!({"reason": "off_topic"})),
        )
        .await;
    assert_eq!(r.status(), 200);
    let mail = sink.wait_for(1).await.remove(0);
    assert!(
        mail.text().contains("السبب: خارج الموضوع"),
        "{}",
        mail.text()
    );
    assert!(!mail.text().contains("off_topic") && !mail.html().contains("off_topic"));
}

#[tokio::test]
async fn the_arabic_audit_and_stats_pages_show_no_raw_code() {
    let (app, _sink) = app_with_sink().await;
    app.add_site(site("news")).await;
    app.create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    app.exec("UPDATE moderators SET lang = 'ar'").await;
    let key = app.api_key("news", "moderator").await;
    let approved = app.submit("news", "a-1").await;
    let rejected = app.submit("news", "a-1").await;
    let spam = app.submit("news", "a-1").await;
    let edited = held(&app).await;
    app.decide(&key, "news", &approved, "approve", None).await;
    app.decide(&key, "news", &spam, "spam", Some(json!({"reason": "spam"})))
        .await;
    let dash = app.login("mod@news.example", PASSWORD).await;
    let queue = dash.page("/dashboard?tab=held").await;
    assert!(queue.contains("كلمة محظورة"), "{queue}");
    assert_eq!(
        raw_codes_in(&queue),
        Vec::<&str>::new(),
        "{}",
        visible(&queue)
    );
    let r = dash
        .post(
            &format!("/dashboard/comments/news/{rejected}/reject"),
            &[("reason", "religion")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = dash
        .post(
            &format!("/dashboard/comments/news/{edited}/edit"),
            &[("title", "عنوان مصحح"), ("body", "نص مصحح بعد التعديل")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = dash
        .post(&format!("/dashboard/comments/news/{approved}/delete"), &[])
        .await;
    assert_eq!(r.status(), 303);

    let audit = dash.page("/dashboard/audit").await;
    assert!(audit.contains("خارج") || audit.contains("دين"), "{audit}");
    assert!(audit.contains("بانتظار المراجعة"), "statuses are labelled");
    assert_eq!(
        raw_codes_in(&audit),
        Vec::<&str>::new(),
        "{}",
        visible(&audit)
    );
    let stats = dash.page("/dashboard/stats").await;
    assert!(stats.contains("دين"), "{stats}");
    assert_eq!(
        raw_codes_in(&stats),
        Vec::<&str>::new(),
        "{}",
        visible(&stats)
    );
}
