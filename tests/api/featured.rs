//! Featured comments (#18): moderators select published comments to show
//! first, under "selected by the editors"; audited and announced.

use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app_with};

async fn list(app: &TestApp, query: &str) -> Value {
    app.client
        .get(app.url(&format!("/api/v1/sites/news/articles/a/comments{query}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn ids(v: &Value) -> Vec<String> {
    v["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_featured_comment_comes_first_and_is_audited_and_announced() {
    let app = spawn_app_with(crate::webhooks::fast).await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let admin = app.api_key("news", "admin").await;
    crate::webhooks::subscribe(
        &app,
        &admin,
        "http://127.0.0.1:9/hook",
        &["comment.featured"],
    )
    .await;
    let mut published = Vec::new();
    for _ in 0..4 {
        let id = app.submit("news", "a").await;
        assert_eq!(
            app.decide(&key, "news", &id, "approve", None)
                .await
                .status(),
            200
        );
        published.push(id);
    }
    let oldest = published[0].clone();
    let pending = app.submit("news", "a").await;
    // Only a published comment can be featured.
    let feature = |id: &str| {
        app.client
            .post(app.url(&format!("/api/v1/sites/news/comments/{id}/feature")))
            .bearer_auth(&key)
            .send()
    };
    assert_eq!(feature(&pending).await.unwrap().status(), 404);
    let before = app
        .get_with_etag(
            "/api/v1/sites/news/articles/a/comments?order=featured",
            None,
        )
        .await;
    let etag = before.headers()["etag"].to_str().unwrap().to_string();
    let resp = feature(&oldest).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap()["featured"], true);
    // Again: nothing changes, and it still succeeds.
    assert_eq!(feature(&oldest).await.unwrap().status(), 200);
    // The cached list moved on with it.
    let after = app
        .get_with_etag(
            "/api/v1/sites/news/articles/a/comments?order=featured",
            Some(&etag),
        )
        .await;
    assert_eq!(after.status(), 200);
    let v: Value = after.json().await.unwrap();
    let mut want = vec![oldest.clone()];
    want.extend(published[1..].iter().rev().cloned());
    assert_eq!(ids(&v), want, "featured first, then newest first");
    assert_eq!(v["comments"][0]["featured"], true);
    assert_eq!(v["comments"][1]["featured"], false);
    // Pages by cursor across the featured and the rest, nothing twice.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = list(&app, &format!("?order=featured&limit=1&cursor={cursor}")).await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, want);
    // The newest order is unchanged by it.
    assert_eq!(
        list(&app, "?order=newest").await["comments"][0]["id"],
        published[3].as_str()
    );
    // The page without JavaScript shows it first, under its heading.
    let page = app
        .client
        .get(app.url("/embed/news/a?lang=ar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let picked = page.find("اختيارات المحرّرين").expect("the heading");
    let first = page.find(&format!("id=\"c-{oldest}\"")).unwrap();
    assert!(picked < first);
    assert_eq!(page.matches(&format!("id=\"c-{oldest}\"")).count(), 1);
    // Audited and announced.
    let audit = app
        .get_json(&key, &format!("/api/v1/sites/news/comments/{oldest}/audit"))
        .await
        .to_string();
    assert!(audit.contains("\"feature\""), "{audit}");
    let events = app
        .texts("SELECT event_type FROM webhook_deliveries ORDER BY created_at")
        .await;
    assert_eq!(events, vec!["comment.featured".to_string()]);
    // Unfeatured: back in its place.
    let resp = app
        .client
        .delete(app.url(&format!("/api/v1/sites/news/comments/{oldest}/feature")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v = list(&app, "?order=featured").await;
    assert_eq!(v["comments"][0]["id"], published[3].as_str());
    assert_eq!(json!(v["comments"][3]["id"]), json!(oldest));
}
