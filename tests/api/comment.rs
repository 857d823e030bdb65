//! One comment over the API: read, moderator edit, soft delete.

use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app};

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

fn url(app: &TestApp, id: &str) -> String {
    app.url(&format!("/api/v1/sites/news/comments/{id}"))
}

#[tokio::test]
async fn a_published_comment_is_public_and_a_pending_one_is_not() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let id = app.submit("news", "rain").await;

    let resp = reqwest::get(url(&app, &id)).await.unwrap();
    assert_eq!(resp.status(), 404);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "comment_not_found");

    app.decide(&key, "news", &id, "approve", None).await;
    let resp = reqwest::get(url(&app, &id)).await.unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["article"], "rain");
    assert!(v["published_at"].as_str().unwrap().ends_with('Z'));
    assert!(v.get("email").is_none(), "{v}");
    assert!(v.get("findings").is_none(), "{v}");
}

#[tokio::test]
async fn a_moderator_key_sees_the_full_comment_of_any_status() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.add_site(site("other")).await;
    let key = app.api_key("news", "moderator").await;
    let other = app.api_key("other", "moderator").await;
    let id = app.submit("news", "rain").await;

    let resp = client()
        .get(url(&app, &id))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "pending");
    assert!(v["email"].as_str().unwrap().contains('@'));
    assert!(v["findings"].is_array());

    let foreign = client()
        .get(url(&app, &id))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 404);
    let bogus = client()
        .get(url(&app, &id))
        .bearer_auth("not-a-key")
        .send()
        .await
        .unwrap();
    assert_eq!(bogus.status(), 401);
    let missing = client()
        .get(url(&app, "nosuch"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn a_moderator_edit_changes_the_text_and_the_audit_keeps_the_original() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let id = app.submit("news", "rain").await;
    app.decide(&key, "news", &id, "approve", None).await;
    let before = app.published("news", "rain").await;
    let original_body = before["comments"][0]["body"].as_str().unwrap().to_string();

    let resp = client()
        .patch(url(&app, &id))
        .bearer_auth(&key)
        .json(&json!({"body": "A shorter, edited comment.", "reason": "removed a link"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["body"], "A shorter, edited comment.");
    assert_eq!(v["title"], "رأي في المقال");

    let after = app.published("news", "rain").await;
    assert_eq!(after["comments"][0]["body"], "A shorter, edited comment.");

    let audit: Value = client()
        .get(url(&app, &format!("{id}/audit")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let edit = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "edit")
        .expect("an edit entry");
    assert_eq!(edit["note"], "removed a link");
    assert_eq!(edit["actor_kind"], "api_key");
    assert_eq!(edit["details"]["original"]["body"], original_body.as_str());
    assert_eq!(edit["details"]["original"]["title"], "رأي في المقال");
}

#[tokio::test]
async fn an_invalid_edit_is_422_and_changes_nothing() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let id = app.submit("news", "rain").await;
    let resp = client()
        .patch(url(&app, &id))
        .bearer_auth(&key)
        .json(&json!({"title": "x", "body": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let v: Value = resp.json().await.unwrap();
    assert!(v["fields"]["title"].is_array());
    assert!(v["fields"]["body"].is_array());
    let unknown = client()
        .patch(url(&app, &id))
        .bearer_auth(&key)
        .json(&json!({"status": "published"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let anon = client()
        .patch(url(&app, &id))
        .json(&json!({"body": "Something else entirely."}))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);
}

#[tokio::test]
async fn deleting_a_comment_hides_it_is_audited_and_blocks_edits() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let id = app.submit("news", "rain").await;
    app.decide(&key, "news", &id, "approve", None).await;
    assert_eq!(
        app.published("news", "rain").await["comments"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let resp = client()
        .delete(url(&app, &id))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let again = client()
        .delete(url(&app, &id))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 204);

    assert!(
        app.published("news", "rain").await["comments"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(reqwest::get(url(&app, &id)).await.unwrap().status(), 404);
    let q = app.queue(&key, "news", "deleted").await;
    assert_eq!(q["items"][0]["id"], id.as_str());
    assert_eq!(app.stored_count("news").await, 1);

    let edit = client()
        .patch(url(&app, &id))
        .bearer_auth(&key)
        .json(&json!({"body": "Trying to edit a deleted comment."}))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), 409);

    let missing = client()
        .delete(url(&app, "nosuch"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

/// An edit re-fingerprints the body: the repeat rule then sees the text as it now reads, not
/// the text the moderator replaced.
#[tokio::test]
async fn after_an_edit_the_repeat_rule_sees_the_new_text_not_the_old() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let id = app.submit("news", "rain").await;
    let original = app
        .texts(&format!("SELECT body FROM comments WHERE id = '{id}'"))
        .await
        .remove(0);
    let edited = "The water board should publish its reservoir figures every week.";
    let resp = client()
        .patch(url(&app, &id))
        .bearer_auth(&key)
        .json(&json!({"body": edited}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Another reader posts each text; its stored findings say whether it repeats one.
    let findings_of = |body: String| {
        let app = &app;
        async move {
            let mut c = app.valid_comment("news").await;
            c["body"] = json!(body);
            let resp = app.post_comment("news", "other", &c).await;
            assert_eq!(resp.status(), 202);
            let v: Value = resp.json().await.unwrap();
            let new = v["id"].as_str().unwrap().to_string();
            app.texts(&format!("SELECT findings FROM comments WHERE id = '{new}'"))
                .await
                .remove(0)
        }
    };
    let repeat = findings_of(edited.to_string()).await;
    assert!(repeat.contains("\"duplicate_body\""), "{repeat}");
    let old = findings_of(original).await;
    assert!(!old.contains("\"duplicate_body\""), "{old}");
}
