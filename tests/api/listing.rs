use serde_json::Value;

use crate::helpers::{site, spawn_app};

#[tokio::test]
async fn pending_comments_never_appear_in_the_public_list_or_counts() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.submit("news", "a").await;
    let list = app.published("news", "a").await;
    assert!(list["comments"].as_array().unwrap().is_empty());
    assert!(list["next_cursor"].is_null());
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
async fn an_unknown_article_is_an_empty_list_not_an_error() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let list = app.published("news", "never-seen").await;
    assert_eq!(list["comments"], serde_json::json!([]));
}

#[tokio::test]
async fn the_public_list_pages_by_cursor_in_both_orders_and_shows_no_private_fields() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let id = app.submit("news", "a").await;
        assert_eq!(
            app.decide(&key, "news", &id, "approve", None)
                .await
                .status(),
            200
        );
        ids.push(id);
    }
    for (order, expected) in [
        ("oldest", ids.clone()),
        ("newest", ids.iter().rev().cloned().collect()),
    ] {
        let mut seen = Vec::new();
        let mut cursor = String::new();
        loop {
            let v: Value = app
                .client
                .get(app.url(&format!(
                    "/api/v1/sites/news/articles/a/comments?limit=2&order={order}&cursor={cursor}"
                )))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            for c in v["comments"].as_array().unwrap() {
                let keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
                assert_eq!(
                    keys,
                    vec![
                        "body",
                        "created_at",
                        "featured",
                        "id",
                        "likes",
                        "name",
                        "published_at",
                        "replies",
                        "title"
                    ]
                );
                seen.push(c["id"].as_str().unwrap().to_string());
            }
            match v["next_cursor"].as_str() {
                Some(c) => cursor = c.to_string(),
                None => break,
            }
        }
        assert_eq!(seen, expected, "{order}");
    }
    let counts: Value = app
        .client
        .get(app.url("/api/v1/sites/news/counts?articles=a,b"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counts["counts"]["a"], 5);
    assert_eq!(counts["counts"]["b"], 0);
}

#[tokio::test]
async fn cors_echoes_only_the_sites_allowed_origins() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let url = app.url("/api/v1/sites/news/articles/a/comments");
    let allowed = app
        .client
        .get(&url)
        .header("Origin", "https://news.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://news.example"
    );
    assert!(
        allowed
            .headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
    let evil = app
        .client
        .get(&url)
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(evil.headers().get("access-control-allow-origin").is_none());
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn the_demo_page_is_an_arabic_article_with_the_customer_snippet_and_a_no_script_fallback() {
    let app = spawn_app().await;
    let resp = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("object-src 'none'"));
    let html = resp.text().await.unwrap();
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(html.contains(
        "/embed.js\" data-site=\"demo\" data-article=\"2026-11-29-rain-season\" data-lang=\"ar\""
    ));
    assert!(html.contains(
        "<noscript><iframe src=\"http://127.0.0.1:8080/embed/demo/2026-11-29-rain-season?lang=ar\""
    ));
    // The fallback page carries the whole form.
    let embed = app
        .client
        .get(app.url("/embed/demo/2026-11-29-rain-season?lang=ar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        "name=\"name\"",
        "name=\"email\"",
        "name=\"title\"",
        "name=\"body\"",
        "name=\"accept_terms\"",
        "name=\"captcha_answer\"",
        "data-max=\"2000\"",
        "يتبقّى 2000 حرف",
    ] {
        assert!(embed.contains(needle), "{needle}");
    }
    let healthz = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(healthz.status(), 200);
    let readyz = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(readyz.status(), 200);
}

#[tokio::test]
async fn the_embed_script_is_small_self_contained_and_carries_both_languages() {
    let app = spawn_app().await;
    let plain = app.client.get(app.url("/embed.js")).send().await.unwrap();
    assert_eq!(plain.status(), 200);
    assert!(
        plain.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let js = plain.text().await.unwrap();
    assert!(js.contains("\"form.left.many\":\"يتبقّى {n} حرفًا\""));
    assert!(js.contains("\"form.left.other\":\"{n} characters left\""));
    assert!(!js.contains("/*STRINGS*/") && !js.contains("/*CSS*/"));
    assert!(
        !js.contains("http://") && !js.contains("https://"),
        "no external requests"
    );
    let gz = app
        .client
        .get(app.url("/embed.js"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let size = gz.bytes().await.unwrap().len();
    eprintln!("embed.js: {} bytes, {} bytes gzipped", js.len(), size);
    assert!(size <= 15 * 1024, "embed.js is {size} bytes gzipped");
    let count = app.client.get(app.url("/count.js")).send().await.unwrap();
    assert_eq!(count.status(), 200);
}

#[tokio::test]
async fn the_public_site_settings_tell_the_form_what_it_needs() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let v: Value = app
        .client
        .get(app.url("/api/v1/sites/news/config"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["default_lang"], "ar");
    assert_eq!(v["max_body_chars"], 2000);
    assert_eq!(v["captcha_enabled"], true);
    assert_eq!(v["terms_url"], "https://news.example/terms");
    assert!(v.get("allowed_origins").is_none());
}
