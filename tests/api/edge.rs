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

/// A valid no-JavaScript form post, with extra fields.
async fn form_post(app: &TestApp, extra: &[(&str, &str)]) -> reqwest::Response {
    let (id, answer) = app.solve_captcha("news").await;
    // A new reader each time, so the rate and duplicate rules stay quiet.
    let reader = majlis::domain::new_secret_token(4);
    let email = format!("reader-{reader}@example.com");
    let body = format!("هل هناك مصادر إضافية لهذا الخبر؟ {reader}");
    let mut fields = vec![
        ("name", "سارة"),
        ("email", email.as_str()),
        ("title", "سؤال للكاتب"),
        ("body", body.as_str()),
        ("accept_terms", "on"),
        ("captcha_id", id.as_str()),
        ("captcha_answer", answer.as_str()),
        ("lang", "ar"),
    ];
    fields.extend_from_slice(extra);
    app.client
        .post(app.url("/api/v1/sites/news/articles/a-1/comments"))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

fn frame_ancestors(resp: &reqwest::Response) -> String {
    let csp = resp
        .headers()
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    csp.split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-ancestors "))
        .unwrap_or("(none given)")
        .to_string()
}

#[tokio::test]
async fn every_html_answer_says_who_may_frame_it() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let site_only = "'self' https://news.example";
    let mut answers = Vec::new();
    for path in [
        "/",
        "/terms",
        "/api/docs/",
        "/dashboard/login",
        "/dashboard/no-such-page",
        "/email/unsubscribe/not-a-token",
    ] {
        let resp = app
            .client
            .get(app.url(path))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        answers.push((format!("GET {path}"), resp, "'none'"));
    }
    let resp = app
        .client
        .get(app.url("/embed/news/a-1"))
        .send()
        .await
        .unwrap();
    answers.push(("the comment section".into(), resp, site_only));
    let resp = form_post(&app, &[("email", "not-an-email")]).await;
    assert_eq!(resp.status(), 422);
    answers.push(("the form again after a failed post".into(), resp, site_only));
    let resp = form_post(&app, &[]).await;
    assert_eq!(resp.status(), 202);
    answers.push(("the result page".into(), resp, site_only));
    for (what, resp, expected) in answers {
        let html = resp
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
        assert!(html, "{what} is an HTML answer");
        assert_eq!(frame_ancestors(&resp), expected, "{what}");
    }
}

#[tokio::test]
async fn the_result_page_links_back_only_to_this_origin_or_the_sites() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    for hostile in [
        "/\\evil.example/x",
        "//evil.example/x",
        "/%2F%2Fevil.example/x",
        "/%5Cevil.example/x",
        "/\t/evil.example/x",
        "https://evil.example/x",
        "javascript:alert(1)//evil.example",
    ] {
        let resp = form_post(&app, &[("return_to", hostile)]).await;
        assert_eq!(resp.status(), 202, "{hostile:?}");
        let html = resp.text().await.unwrap();
        assert!(!html.contains("evil.example"), "{hostile:?}: {html}");
    }
    // A hostile return_to falls back to the article, when that is the site's.
    let resp = form_post(
        &app,
        &[
            ("return_to", "/\\evil.example/x"),
            ("article_url", "https://news.example/a-1"),
        ],
    )
    .await;
    let html = resp.text().await.unwrap();
    assert!(html.contains("href=\"https://news.example/a-1\""), "{html}");
    let resp = form_post(&app, &[("return_to", "/embed/news/a-1?lang=ar")]).await;
    let html = resp.text().await.unwrap();
    assert!(html.contains("href=\"/embed/news/a-1?lang=ar\""), "{html}");
}
