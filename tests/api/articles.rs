//! Articles over the API: register, close, schedule, list, counts by status.

use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app};

async fn put(
    app: &TestApp,
    key: &str,
    site: &str,
    article: &str,
    body: Value,
) -> reqwest::Response {
    reqwest::Client::new()
        .put(app.url(&format!("/api/v1/sites/{site}/articles/{article}")))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn get(app: &TestApp, key: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_integrator_registers_an_article_then_updates_it() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let resp = put(
        &app,
        &key,
        "news",
        "budget",
        json!({"title": "The budget", "url": "https://news.example/budget"}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["key"], "budget");
    assert_eq!(v["title"], "The budget");
    assert_eq!(v["open"], true);
    assert!(v["closes_at"].is_null());
    assert!(v["created_at"].as_str().unwrap().ends_with('Z'));

    let resp = put(
        &app,
        &key,
        "news",
        "budget",
        json!({"title": "The 2027 budget", "url": "https://news.example/budget", "open": false}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["title"], "The 2027 budget");
    assert_eq!(v["open"], false);
    assert_eq!(v["closed"], true);
}

#[tokio::test]
async fn closing_an_article_over_the_api_stops_comments_and_reopening_allows_them() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    app.submit("news", "rain").await;
    put(&app, &key, "news", "rain", json!({"open": false})).await;
    let body = app.valid_comment("news").await;
    let resp = app.post_comment("news", "rain", &body).await;
    assert_eq!(resp.status(), 403);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "article_closed");

    put(&app, &key, "news", "rain", json!({"open": true})).await;
    let body = app.valid_comment("news").await;
    assert_eq!(app.post_comment("news", "rain", &body).await.status(), 202);
}

#[tokio::test]
async fn commenting_closes_by_itself_at_closes_at() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let resp = put(
        &app,
        &key,
        "news",
        "vote",
        json!({"closes_at": "2099-01-01T00:00:00Z"}),
    )
    .await;
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["closes_at"], "2099-01-01T00:00:00Z");
    assert_eq!(v["open"], true);
    let body = app.valid_comment("news").await;
    assert_eq!(app.post_comment("news", "vote", &body).await.status(), 202);

    let past = majlis::service::now_ms() - 1000;
    app.exec(&format!(
        "UPDATE articles SET closes_at = {past} WHERE article_key = 'vote'"
    ))
    .await;
    let body = app.valid_comment("news").await;
    assert_eq!(app.post_comment("news", "vote", &body).await.status(), 403);
    let v: Value = get(&app, &key, "/api/v1/sites/news/articles/vote")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["open"], false);
    assert_eq!(v["closed"], false);
}

#[tokio::test]
async fn one_article_shows_its_comment_counts_by_status() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let a = app.submit("news", "rain").await;
    let _b = app.submit("news", "rain").await;
    let c = app.submit("news", "rain").await;
    app.decide(&key, "news", &a, "approve", None).await;
    app.decide(&key, "news", &c, "spam", None).await;
    let resp = get(&app, &key, "/api/v1/sites/news/articles/rain").await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["key"], "rain");
    assert_eq!(v["published_count"], 1);
    assert_eq!(
        v["counts"],
        json!({"pending": 1, "held": 0, "published": 1, "rejected": 0, "spam": 1, "deleted": 0})
    );
}

#[tokio::test]
async fn articles_are_listed_newest_first_with_cursors_and_filtered_by_open_or_closed() {
    let app = spawn_app().await;
    let mut s = site("news");
    s.auto_close_days = Some(7);
    app.add_site(s).await;
    let key = app.api_key("news", "moderator").await;
    let now = majlis::service::now_ms();
    for (i, name) in ["a1", "a2", "a3", "a4"].iter().enumerate() {
        put(&app, &key, "news", name, json!({})).await;
        let at = now - 1000 + i as i64;
        app.exec(&format!(
            "UPDATE articles SET created_at = {at} WHERE article_key = '{name}'"
        ))
        .await;
    }
    put(&app, &key, "news", "a2", json!({"open": false})).await;
    let old = majlis::service::now_ms() - 8 * 24 * 3600 * 1000;
    app.exec(&format!(
        "UPDATE articles SET created_at = {old} WHERE article_key = 'a1'"
    ))
    .await;

    let page: Value = get(&app, &key, "/api/v1/sites/news/articles?limit=2")
        .await
        .json()
        .await
        .unwrap();
    let keys: Vec<&str> = page["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["a4", "a3"]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let page: Value = get(
        &app,
        &key,
        &format!("/api/v1/sites/news/articles?limit=2&cursor={cursor}"),
    )
    .await
    .json()
    .await
    .unwrap();
    let keys: Vec<&str> = page["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["a2", "a1"]);
    assert!(page["next_cursor"].is_null());

    let keys_of = |v: &Value| -> Vec<String> {
        v["articles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["key"].as_str().unwrap().to_string())
            .collect()
    };
    let open: Value = get(&app, &key, "/api/v1/sites/news/articles?status=open")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(keys_of(&open), ["a4", "a3"]);
    let closed: Value = get(&app, &key, "/api/v1/sites/news/articles?status=closed")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(keys_of(&closed), ["a2", "a1"]);
    assert_eq!(closed["articles"][1]["open"], false);
    assert_eq!(closed["articles"][1]["closed"], false);
}

#[tokio::test]
async fn invalid_article_fields_are_422_per_field() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let resp = put(
        &app,
        &key,
        "news",
        "x",
        json!({"url": "javascript:alert(1)", "closes_at": "tomorrow"}),
    )
    .await;
    assert_eq!(resp.status(), 422);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "validation_failed");
    assert_eq!(v["fields"]["url"][0]["code"], "invalid_url");
    assert_eq!(v["fields"]["closes_at"][0]["code"], "invalid_datetime");

    let resp = put(&app, &key, "news", "x", json!({"colour": "red"})).await;
    assert_eq!(resp.status(), 400);
    let bad = get(&app, &key, "/api/v1/sites/news/articles?status=maybe").await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn articles_need_a_key_of_the_same_site() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.add_site(site("other")).await;
    let other = app.api_key("other", "moderator").await;
    let key = app.api_key("news", "moderator").await;
    put(&app, &key, "news", "rain", json!({})).await;

    let anon = reqwest::get(app.url("/api/v1/sites/news/articles/rain"))
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);
    let foreign = get(&app, &other, "/api/v1/sites/news/articles/rain").await;
    assert_eq!(foreign.status(), 404);
    let foreign_put = put(&app, &other, "news", "rain", json!({"open": false})).await;
    assert_eq!(foreign_put.status(), 404);
    let missing = get(&app, &key, "/api/v1/sites/news/articles/nosuch").await;
    assert_eq!(missing.status(), 404);
    let v: Value = missing.json().await.unwrap();
    assert_eq!(v["error"], "not_found");
}
