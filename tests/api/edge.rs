//! The HTTP edge: methods (HEAD, 405 with Allow, absurd methods), the
//! bounds of `/metrics` and who may read it.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{TestApp, site, spawn_app, spawn_app_with};

/// One request on its own connection, written and read as raw bytes: the
/// head of the answer and everything after it until the server closes.
async fn raw(app: &TestApp, method: &str, path: &str) -> (String, Vec<u8>) {
    let addr = app.address.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut bytes = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        conn.read_to_end(&mut bytes),
    )
    .await
    .expect("the server closes the connection")
    .unwrap();
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head")
        + 4;
    let head = String::from_utf8_lossy(&bytes[..end]).to_lowercase();
    (head, bytes[end..].to_vec())
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .map(str::trim)
}

#[tokio::test]
async fn head_answers_like_get_without_a_body_on_every_kind_of_page() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    for path in [
        "/healthz",
        "/",
        "/embed.js",
        "/api/openapi.json",
        "/terms",
        "/embed/news/a-1",
        "/api/v1/sites/news/config",
        "/dashboard/login",
    ] {
        let (get_head, get_body) = raw(&app, "GET", path).await;
        let (head, body) = raw(&app, "HEAD", path).await;
        assert!(head.starts_with("http/1.1 200"), "HEAD {path}: {head}");
        assert!(
            body.is_empty(),
            "HEAD {path} sent {} body bytes",
            body.len()
        );
        assert_eq!(
            header(&head, "content-type"),
            header(&get_head, "content-type"),
            "{path}"
        );
        if path == "/embed.js" || path == "/api/openapi.json" || path == "/healthz" {
            assert_eq!(
                header(&head, "content-length"),
                Some(get_body.len().to_string().as_str()),
                "HEAD {path} announces the GET body's length"
            );
        }
    }
}

#[tokio::test]
async fn a_wrong_method_is_405_with_the_methods_the_path_serves() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    for (method, path, allow) in [
        ("POST", "/healthz", "GET, HEAD"),
        ("DELETE", "/embed.js", "GET, HEAD"),
        ("PUT", "/", "GET, HEAD"),
        ("DELETE", "/api/v1/sites/news/config", "GET, HEAD"),
        (
            "PUT",
            "/api/v1/sites/news/articles/a-1/comments",
            "GET, HEAD, POST, OPTIONS",
        ),
        ("GET", "/api/v1/sites/news/privacy/erase", "POST"),
        ("PUT", "/email/decide/some-token", "GET, HEAD, POST"),
        ("GET", "/dashboard/logout", "POST"),
        ("DELETE", "/dashboard/login", "GET, HEAD, POST"),
        ("BREW", "/healthz", "GET, HEAD"),
    ] {
        let resp = app
            .client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                app.url(path),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 405, "{method} {path}");
        assert_eq!(
            resp.headers()
                .get("allow")
                .map(|v| v.to_str().unwrap().to_string()),
            Some(allow.to_string()),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn a_method_longer_than_sixteen_bytes_is_refused_before_routing() {
    let app = spawn_app().await;
    for path in ["/healthz", "/nowhere", "/api/v1/captcha"] {
        let resp = app
            .client
            .request(
                reqwest::Method::from_bytes("X".repeat(100 * 1024).as_bytes()).unwrap(),
                app.url(path),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{path}");
    }
    let text = app.metrics().await;
    assert!(!text.contains("XXXXXXXX"), "{text}");
}

#[tokio::test]
async fn a_thousand_invented_methods_leave_the_metrics_small() {
    let app = spawn_app().await;
    for _ in 0..1000 {
        let invented = majlis::domain::new_secret_token(8).to_uppercase();
        let method = reqwest::Method::from_bytes(invented.as_bytes()).unwrap();
        let resp = app
            .client
            .request(method, app.url(&format!("/{invented}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404);
    }
    let text = app.metrics().await;
    assert!(text.len() < 64 * 1024, "{} bytes", text.len());
    assert!(
        text.contains(
            "majlis_http_requests_total{method=\"OTHER\",route=\"unmatched\",status=\"404\"} 1000"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn metrics_refuse_a_trusted_proxy_whatever_forwarding_header_it_sends() {
    let app = spawn_app_with(|s| s.server.trusted_proxies = vec!["127.0.0.1".into()]).await;
    for (name, value) in [
        ("x-forwarded-for", "203.0.113.9"),
        ("forwarded", "for=203.0.113.9;proto=https"),
        ("x-real-ip", "203.0.113.9"),
        ("x-unrelated", "none"),
    ] {
        let resp = app
            .client
            .get(app.url("/metrics"))
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404, "{name}");
    }
}

#[tokio::test]
async fn metrics_are_decided_on_the_peer_and_never_on_forwarding_headers() {
    // No proxy configured: the loopback peer is the scraper itself, and
    // headers it adds change nothing either way.
    let app = spawn_app().await;
    for (name, value) in [
        ("x-forwarded-for", "203.0.113.9"),
        ("forwarded", "for=203.0.113.9"),
        ("x-real-ip", "203.0.113.9"),
    ] {
        let resp = app
            .client
            .get(app.url("/metrics"))
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{name}");
    }
}
