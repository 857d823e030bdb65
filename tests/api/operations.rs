//! Health, readiness and metrics.

use std::time::Duration;

use crate::helpers::{site, spawn_app, spawn_app_with};

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_and_show_queues_and_the_captcha_pool() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.submit("news", "a").await;
    app.published("news", "article-one").await;
    app.published("news", "article-two").await;
    let mut text = String::new();
    for _ in 0..100 {
        text = app.metrics().await;
        if text.contains("majlis_captcha_pool_images 4") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(text.contains("majlis_captcha_pool_images 4"), "{text}");
    assert!(text.contains(
        "majlis_http_requests_total{method=\"GET\",route=\"/api/v1/sites/{site}/articles/{article}/comments\",status=\"200\"} 2"
    ), "{text}");
    assert!(text.contains(
        "majlis_http_requests_total{method=\"POST\",route=\"/api/v1/sites/{site}/articles/{article}/comments\",status=\"202\"} 1"
    ));
    // Label order carries no meaning in the exposition format.
    assert!(
        text.lines().any(
            |l| l.starts_with("majlis_http_request_duration_seconds_bucket{")
                && l.contains("route=\"/api/v1/captcha\"")
                && l.contains("le=\"+Inf\"")
        ),
        "{text}"
    );
    assert!(text.contains("majlis_queue_depth{site=\"news\",status=\"pending\"} 1"));
    assert!(text.contains("majlis_database_up 1"));
    assert!(
        !text.contains("article-one"),
        "raw paths never become labels"
    );
}

#[tokio::test]
async fn metrics_are_private_unless_a_token_is_configured() {
    // A reverse proxy on this host, configured as such: whatever it
    // forwards is not the loopback scraper.
    let app = spawn_app_with(|s| s.server.trusted_proxies = vec!["127.0.0.1".into()]).await;
    let proxied = app
        .client
        .get(app.url("/metrics"))
        .header("X-Forwarded-For", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.status(), 404);
    let app = spawn_app_with(|s| s.server.metrics_token = "s3cret-token".into()).await;
    assert_eq!(
        app.client
            .get(app.url("/metrics"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let ok = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("s3cret-token")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}
