//! Replies (#18): a comment answering a published comment of the same
//! article, shown under its top-level comment.

use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app};

/// Post `body` extended with `parent_id` and return the answer.
async fn reply(app: &TestApp, site: &str, article: &str, parent: &str) -> reqwest::Response {
    let mut body = app.valid_comment(site).await;
    body["parent_id"] = json!(parent);
    app.post_comment(site, article, &body).await
}

async fn approved(app: &TestApp, key: &str, id: &str) {
    let resp = app.decide(key, "news", id, "approve", None).await;
    assert_eq!(resp.status(), 200);
}

fn first_error(v: &Value, field: &str) -> String {
    v["fields"][field][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn count(app: &TestApp, article: &str) -> i64 {
    let v: Value = app
        .client
        .get(app.url(&format!("/api/v1/sites/news/counts?articles={article}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["counts"][article].as_i64().unwrap()
}

#[tokio::test]
async fn a_reply_waits_for_approval_then_appears_under_its_parent() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let parent = app.submit("news", "a").await;
    approved(&app, &key, &parent).await;
    let resp = reply(&app, "news", "a", &parent).await;
    assert_eq!(resp.status(), 202);
    let child: Value = resp.json().await.unwrap();
    assert_eq!(child["status"], "pending");
    let child = child["id"].as_str().unwrap().to_string();
    // Pending: not listed, not counted.
    let list = app.published("news", "a").await;
    assert_eq!(list["comments"][0]["replies"]["count"], 0);
    assert_eq!(count(&app, "a").await, 1);
    // The moderator sees the parent's text next to the reply.
    let queue = app.queue(&key, "news", "pending").await;
    let item = &queue["items"][0];
    assert_eq!(item["id"], child.as_str());
    assert_eq!(item["parent"]["id"], parent.as_str());
    assert!(
        item["parent"]["body"]
            .as_str()
            .unwrap()
            .contains("مقال ممتاز")
    );
    // So does the dashboard's queue.
    app.create_moderator(
        "mod@news.example",
        "moderator",
        &["news"],
        "a long passphrase 1",
    )
    .await;
    let dash = app.login("mod@news.example", "a long passphrase 1").await;
    let page = dash.page("/dashboard?site=news").await;
    let quoted = page
        .split("class=\"parent\"")
        .nth(1)
        .expect("the parent is quoted");
    assert!(quoted.contains("مقال ممتاز"), "{page}");
    approved(&app, &key, &child).await;
    let list = app.published("news", "a").await;
    let comments = list["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1, "a reply is not a top-level comment");
    assert_eq!(comments[0]["id"], parent.as_str());
    assert_eq!(comments[0]["replies"]["count"], 1);
    assert_eq!(comments[0]["replies"]["first"][0]["id"], child.as_str());
    assert_eq!(
        comments[0]["replies"]["first"][0]["parent_id"],
        parent.as_str()
    );
    assert!(comments[0]["replies"]["first"][0]["in_reply_to"].is_null());
    assert_eq!(count(&app, "a").await, 2);
    // A reply to the reply joins the same thread, naming whom it answers.
    let grandchild: Value = reply(&app, "news", "a", &child).await.json().await.unwrap();
    let grandchild = grandchild["id"].as_str().unwrap().to_string();
    approved(&app, &key, &grandchild).await;
    let page: Value = app
        .client
        .get(app.url(&format!(
            "/api/v1/sites/news/comments/{parent}/replies?limit=1"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["replies"][0]["id"], child.as_str());
    let cursor = page["next_cursor"].as_str().unwrap().to_string();
    let page: Value = app
        .client
        .get(app.url(&format!(
            "/api/v1/sites/news/comments/{parent}/replies?limit=1&cursor={cursor}"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["replies"][0]["id"], grandchild.as_str());
    assert_eq!(page["replies"][0]["in_reply_to"], "أحمد");
    assert!(page["next_cursor"].is_null());
    // A reply has no replies page of its own.
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/sites/news/comments/{child}/replies")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn a_reply_to_a_pending_or_another_articles_comment_is_refused_with_a_field_code() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let pending = app.submit("news", "a").await;
    let elsewhere = app.submit("news", "b").await;
    approved(&app, &key, &elsewhere).await;
    for (parent, code) in [
        (pending.as_str(), "parent_not_published"),
        (elsewhere.as_str(), "parent_other_article"),
        ("0193c1f2a7d84e2b9b1f6c0d3e5a7b91", "parent_not_found"),
        ("not an id!", "invalid_parent"),
    ] {
        let resp = reply(&app, "news", "a", parent).await;
        assert_eq!(resp.status(), 422, "{code}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["error"], "validation_failed");
        assert_eq!(first_error(&v, "parent_id"), code);
    }
    // Nothing stored but the two parents, and the codes were not spent on
    // the refusals (each attempt brought its own).
    assert_eq!(app.stored_count("news").await, 2);
}

#[tokio::test]
async fn rejecting_a_parent_hides_its_replies_from_readers_not_from_moderators() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let parent = app.submit("news", "a").await;
    approved(&app, &key, &parent).await;
    let child: Value = reply(&app, "news", "a", &parent)
        .await
        .json()
        .await
        .unwrap();
    let child = child["id"].as_str().unwrap().to_string();
    approved(&app, &key, &child).await;
    let first = app
        .get_with_etag("/api/v1/sites/news/articles/a/comments", None)
        .await;
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(count(&app, "a").await, 2);
    let resp = app.decide(&key, "news", &parent, "reject", None).await;
    assert_eq!(resp.status(), 200);
    // The cached list and its ETag move on with the parent.
    let after = app
        .get_with_etag("/api/v1/sites/news/articles/a/comments", Some(&etag))
        .await;
    assert_eq!(after.status(), 200);
    let list: Value = after.json().await.unwrap();
    assert_eq!(list["comments"], json!([]));
    assert_eq!(count(&app, "a").await, 0);
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/sites/news/comments/{parent}/replies")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let feed = app
        .client
        .get(app.url("/api/v1/sites/news/articles/a/feed.atom"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!feed.contains(&child), "the feed hides the reply too");
    // Moderators still see the reply, published, with its rejected parent.
    let published = app.queue(&key, "news", "published").await;
    let item = published["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == child.as_str())
        .expect("the reply stays in the moderators' view");
    assert_eq!(item["parent"]["status"], "rejected");
    // Approved again, the parent brings its reply back.
    approved(&app, &key, &parent).await;
    let list = app.published("news", "a").await;
    assert_eq!(list["comments"][0]["replies"]["count"], 1);
    assert_eq!(count(&app, "a").await, 2);
}

#[tokio::test]
async fn the_page_without_javascript_answers_a_comment_and_nests_the_reply() {
    let app = spawn_app().await;
    let mut s = site("news");
    s.moderation_mode = majlis::domain::ModerationMode::Post;
    app.add_site(s).await;
    let parent: Value = app
        .post_comment("news", "a", &app.valid_comment("news").await)
        .await
        .json()
        .await
        .unwrap();
    let parent = parent["id"].as_str().unwrap().to_string();
    let page = app
        .client
        .get(app.url("/embed/news/a?lang=ar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = format!("/embed/news/a?lang=ar&#38;reply_to={parent}#majlis-form");
    assert!(page.contains(&link), "{page}");
    let form = app
        .client
        .get(app.url(&format!("/embed/news/a?lang=ar&reply_to={parent}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("الرد على أحمد"), "{form}");
    assert!(form.contains(&format!("name=\"parent_id\" value=\"{parent}\"")));
    let (id, answer) = app.solve_captcha("news").await;
    let resp = app
        .client
        .post(app.url("/api/v1/sites/news/articles/a/comments"))
        .form(&[
            ("name", "سارة"),
            ("email", "sara@example.com"),
            ("title", "أوافقك"),
            ("body", "أوافقك الرأي تمامًا في هذا."),
            ("accept_terms", "on"),
            ("captcha_id", id.as_str()),
            ("captcha_answer", answer.as_str()),
            ("parent_id", parent.as_str()),
            ("lang", "ar"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let mut answer_to_sara = app.valid_comment("news").await;
    let stored = app.stored("news").await;
    let sara = stored.iter().find(|c| c.name == "سارة").unwrap();
    answer_to_sara["parent_id"] = json!(sara.id);
    assert_eq!(
        app.post_comment("news", "a", &answer_to_sara)
            .await
            .status(),
        201
    );
    let page = app
        .client
        .get(app.url("/embed/news/a?lang=ar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let replies = page.split("class=\"majlis-replies\"").nth(1).unwrap();
    assert!(replies.contains("أوافقك الرأي"), "{page}");
    assert!(replies.contains("ردًّا على سارة"), "{page}");
    assert!(page.contains("(3)"), "the count includes replies");
}

/// An approved reply to an approved comment of article `a` on site `news`:
/// (parent, reply, parent's author email).
async fn thread(app: &TestApp, key: &str) -> (String, String, String) {
    let body = app.valid_comment("news").await;
    let email = body["email"].as_str().unwrap().to_string();
    let resp = app.post_comment("news", "a", &body).await;
    assert_eq!(resp.status(), 202);
    let parent = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    approved(app, key, &parent).await;
    let child: Value = reply(app, "news", "a", &parent).await.json().await.unwrap();
    let child = child["id"].as_str().unwrap().to_string();
    approved(app, key, &child).await;
    (parent, child, email)
}

#[tokio::test]
async fn erasing_a_parents_text_takes_its_replies_out_of_the_count() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let admin = app.api_key("news", "admin").await;
    let (_, _, email) = thread(&app, &key).await;
    assert_eq!(count(&app, "a").await, 2);
    let resp = app
        .client
        .post(app.url("/api/v1/sites/news/privacy/erase"))
        .bearer_auth(&admin)
        .json(&json!({"email": email, "remove_text": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(app.published("news", "a").await["comments"], json!([]));
    assert_eq!(count(&app, "a").await, 0, "the hidden reply is not counted");
}

#[tokio::test]
async fn a_reply_under_a_hidden_parent_is_not_found_on_its_own_either() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let (parent, child, _) = thread(&app, &key).await;
    let one = |id: String| {
        let app = &app;
        async move {
            app.client
                .get(app.url(&format!("/api/v1/sites/news/comments/{id}")))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(one(child.clone()).await, 200);
    let resp = app.decide(&key, "news", &parent, "reject", None).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(one(parent.clone()).await, 404);
    assert_eq!(one(child.clone()).await, 404, "hidden like in the list");
    // Moderators still read it with their key.
    let full = app
        .get_json(&key, &format!("/api/v1/sites/news/comments/{child}"))
        .await;
    assert_eq!(full["status"], "published");
    approved(&app, &key, &parent).await;
    assert_eq!(one(child).await, 200);
}

#[tokio::test]
async fn webhook_payloads_of_a_reply_name_its_parent() {
    use crate::webhooks::{Receiver, fast, subscribe};
    let app = crate::helpers::spawn_app_with(fast).await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let admin = app.api_key("news", "admin").await;
    let rx = Receiver::start().await;
    subscribe(
        &app,
        &admin,
        &rx.url(),
        &["comment.created", "comment.published"],
    )
    .await;
    let (parent, child, _) = thread(&app, &key).await;
    let got = rx
        .wait_for("two comments created and published", |g| g.len() >= 4)
        .await;
    let of = |id: &str| -> Vec<Value> {
        got.iter()
            .map(|r| r.json())
            .filter(|v| v["data"]["id"] == id)
            .collect()
    };
    let (parents, children) = (of(&parent), of(&child));
    assert_eq!(children.len(), 2, "{got:#?}");
    for v in &children {
        assert_eq!(v["data"]["parent_id"], parent.as_str(), "{v}");
    }
    assert_eq!(parents.len(), 2, "{got:#?}");
    for v in &parents {
        assert!(v["data"]["parent_id"].is_null(), "{v}");
        assert!(v["data"].as_object().unwrap().contains_key("parent_id"));
    }
}
