use serde_json::{Value, json};

use crate::helpers::{site, spawn_app};

#[tokio::test]
async fn the_queue_needs_a_valid_key_in_the_authorization_header() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let url = app.url("/api/v1/sites/news/moderation/queue");
    let none = app.client.get(&url).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    let v: Value = none.json().await.unwrap();
    assert_eq!(v["error"], "unauthorized");
    let wrong = app
        .client
        .get(&url)
        .bearer_auth("mjk_0000")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let in_query = app
        .client
        .get(format!("{url}?api_key={key}"))
        .send()
        .await
        .unwrap();
    assert_eq!(in_query.status(), 401);
    let ok = app.client.get(&url).bearer_auth(&key).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn a_key_of_one_site_never_sees_or_touches_another_sites_comments() {
    let app = spawn_app().await;
    app.add_site(site("alpha")).await;
    app.add_site(site("beta")).await;
    let alpha_key = app.api_key("alpha", "admin").await;
    let beta_key = app.api_key("beta", "moderator").await;
    let beta_comment = app.submit("beta", "a").await;

    let q = app
        .client
        .get(app.url("/api/v1/sites/beta/moderation/queue"))
        .bearer_auth(&alpha_key)
        .send()
        .await
        .unwrap();
    assert_eq!(q.status(), 404);
    // Through alpha's own path, beta's comment id does not exist either.
    for path in [
        format!("/api/v1/sites/alpha/comments/{beta_comment}/approve"),
        format!("/api/v1/sites/beta/comments/{beta_comment}/approve"),
    ] {
        let r = app
            .client
            .post(app.url(&path))
            .bearer_auth(&alpha_key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    let alpha_queue = app.queue(&alpha_key, "alpha", "pending").await;
    assert!(alpha_queue["items"].as_array().unwrap().is_empty());
    let beta_queue = app.queue(&beta_key, "beta", "pending").await;
    assert_eq!(beta_queue["items"][0]["id"], beta_comment.as_str());
    assert_eq!(beta_queue["items"][0]["status"], "pending");
}

#[tokio::test]
async fn every_decision_writes_the_audit_log_with_who_what_why_and_when() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let id = app.submit("news", "a").await;
    let r = app
        .decide(
            &key,
            "news",
            &id,
            "reject",
            Some(json!({"reason": "insult", "note": "يسيء للكاتب"})),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app.decide(&key, "news", &id, "approve", None).await;
    assert_eq!(r.status(), 200);
    let audit: Value = app
        .get_json(&key, &format!("/api/v1/sites/news/comments/{id}/audit"))
        .await;
    let entries = audit["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{audit}");
    assert_eq!(entries[0]["action"], "submitted");
    assert_eq!(entries[0]["actor_kind"], "system");
    assert_eq!(entries[0]["to_status"], "pending");
    assert_eq!(entries[1]["action"], "reject");
    assert_eq!(entries[1]["actor_kind"], "api_key");
    assert!(!entries[1]["actor_id"].as_str().unwrap().is_empty());
    assert_eq!(entries[1]["from_status"], "pending");
    assert_eq!(entries[1]["to_status"], "rejected");
    assert_eq!(entries[1]["reason"], "insult");
    assert_eq!(entries[1]["note"], "يسيء للكاتب");
    assert!(entries[1]["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(entries[2]["from_status"], "rejected");
    assert_eq!(entries[2]["to_status"], "published");
}

#[tokio::test]
async fn rejected_and_spam_comments_never_become_public() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let rejected = app.submit("news", "a").await;
    let spam = app.submit("news", "a").await;
    let approved = app.submit("news", "a").await;
    assert_eq!(
        app.decide(&key, "news", &rejected, "reject", None)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.decide(&key, "news", &spam, "spam", None).await.status(),
        200
    );
    assert_eq!(
        app.decide(&key, "news", &approved, "approve", None)
            .await
            .status(),
        200
    );
    let list = app.published("news", "a").await;
    let ids: Vec<&str> = list["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![approved.as_str()]);
    assert_eq!(
        app.queue(&key, "news", "rejected").await["items"][0]["id"],
        rejected.as_str()
    );
    assert_eq!(
        app.queue(&key, "news", "spam").await["items"][0]["id"],
        spam.as_str()
    );
    assert_eq!(
        app.queue(&key, "news", "published").await["items"][0]["id"],
        approved.as_str()
    );
    // Unpublishing takes it off the page again and fixes the count.
    assert_eq!(
        app.decide(&key, "news", &approved, "reject", None)
            .await
            .status(),
        200
    );
    assert!(
        app.published("news", "a").await["comments"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let counts: Value = app
        .client
        .get(app.url("/api/v1/sites/news/counts?articles=a"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counts["counts"]["a"], 0);
}

#[tokio::test]
async fn repeating_a_decision_is_harmless_and_not_audited_twice() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let id = app.submit("news", "a").await;
    for _ in 0..2 {
        let r = app.decide(&key, "news", &id, "approve", None).await;
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["status"], "published");
    }
    let audit: Value = app
        .get_json(&key, &format!("/api/v1/sites/news/comments/{id}/audit"))
        .await;
    assert_eq!(audit["entries"].as_array().unwrap().len(), 2);
    let counts: Value = app
        .client
        .get(app.url("/api/v1/sites/news/counts?articles=a"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counts["counts"]["a"], 1);
}

#[tokio::test]
async fn unknown_comments_and_bad_queue_parameters_are_clear_errors() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let r = app.decide(&key, "news", "nosuchid", "approve", None).await;
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "comment_not_found");
    for q in [
        "status=bogus",
        "limit=0",
        "limit=101",
        "order=sideways",
        "cursor=%%%",
    ] {
        let r = app
            .client
            .get(app.url(&format!("/api/v1/sites/news/moderation/queue?{q}")))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{q}");
    }
}

#[tokio::test]
async fn the_queue_pages_with_a_cursor_oldest_first() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(app.submit("news", "a").await);
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let v: Value = app
            .client
            .get(app.url(&format!(
                "/api/v1/sites/news/moderation/queue?limit=2&cursor={cursor}"
            )))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for item in v["items"].as_array().unwrap() {
            assert!(item["email"].as_str().unwrap().ends_with("@example.com"));
            assert!(item["findings"].is_array());
            seen.push(item["id"].as_str().unwrap().to_string());
        }
        match v["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, ids);
}
