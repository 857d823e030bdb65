//! What readers and embedders get from the server side of the widget:
//! the pre-compressed script, the config answer to a foreign origin, and the
//! plain form's terms, rules and counter (issue #17).

use std::io::Read;

use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app};

async fn embed_js(app: &TestApp, accept_encoding: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(app.url("/embed.js"));
    if let Some(ae) = accept_encoding {
        req = req.header("Accept-Encoding", ae);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    resp
}

#[tokio::test]
async fn the_embed_script_is_sent_precompressed_by_accept_encoding_within_8_kb() {
    let app = spawn_app().await;
    let plain_resp = embed_js(&app, None).await;
    assert!(plain_resp.headers().get("content-encoding").is_none());
    let plain = plain_resp.bytes().await.unwrap();

    let br = embed_js(&app, Some("gzip, deflate, br, zstd")).await;
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["vary"], "Accept-Encoding");
    let br = br.bytes().await.unwrap();
    let mut unbr = Vec::new();
    brotli::Decompressor::new(&br[..], 4096)
        .read_to_end(&mut unbr)
        .unwrap();
    assert_eq!(unbr, plain);

    let gz = embed_js(&app, Some("gzip, br;q=0")).await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let gz = gz.bytes().await.unwrap();
    let mut ungz = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut ungz)
        .unwrap();
    assert_eq!(ungz, plain);

    // The same bytes again: compressed once, not per request.
    let again = embed_js(&app, Some("br")).await.bytes().await.unwrap();
    assert_eq!(again, br);
    eprintln!(
        "embed.js: {} bytes plain, {} brotli, {} gzip -9",
        plain.len(),
        br.len(),
        gz.len()
    );
    assert!(br.len() <= 8 * 1024, "brotli {} bytes", br.len());
    assert!(gz.len() <= 8 * 1024, "gzip {} bytes", gz.len());
}

#[tokio::test]
async fn the_config_tells_a_foreign_origin_only_that_it_is_not_allowed() {
    let app = spawn_app().await;
    let mut s = site("news");
    s.allowed_origins = vec!["https://www.news.example".into()];
    app.add_site(s).await;
    let config = |origin: Option<&'static str>| {
        let mut req = app.client.get(app.url("/api/v1/sites/news/config"));
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        req.send()
    };

    // The apex is another origin than www.
    let foreign = config(Some("https://news.example")).await.unwrap();
    assert_eq!(foreign.status(), 403);
    assert_eq!(
        foreign.headers()["access-control-allow-origin"],
        "https://news.example"
    );
    let text = foreign.text().await.unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["error"], "origin_not_allowed");
    for leaked in ["max_body_chars", "terms_url", "captcha_enabled", "name"] {
        assert!(v.get(leaked).is_none(), "{leaked} leaked: {text}");
    }
    assert!(!text.contains("www.news.example"));

    let allowed = config(Some("https://www.news.example")).await.unwrap();
    assert_eq!(allowed.status(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://www.news.example"
    );
    let no_origin = config(None).await.unwrap();
    assert_eq!(no_origin.status(), 200);
    let v: Value = no_origin.json().await.unwrap();
    assert_eq!(v["max_body_chars"], 2000);
}

#[tokio::test]
async fn the_plain_form_shows_the_rules_a_terms_label_apart_from_its_link_and_a_grammatical_counter()
 {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let ar = app
        .client
        .get(app.url("/embed/news/a?lang=ar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ar.contains("<label for=\"majlis-terms\">أوافق على شروط الاستخدام</label>"));
    assert!(ar.contains("target=\"_blank\" rel=\"noopener\">(اقرأها)</a>"));
    let rules = ar.find("id=\"majlis-rules\"").unwrap();
    let submit = ar
        .find("<button type=\"submit\" class=\"majlis-send\"")
        .unwrap();
    assert!(rules < submit, "the rules come before the submit button");
    assert!(ar.contains("يُمنع التحريض الطائفي أو العنصري"));
    assert!(ar.contains("يتبقّى 2000 حرف"));
    let en = app
        .client
        .get(app.url("/embed/news/a?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("2000 characters left"));
    assert!(en.contains("no sectarian or racist incitement"));
}

#[tokio::test]
async fn a_plain_form_post_breaking_the_rules_links_to_them() {
    let app = spawn_app().await;
    let mut s = site("live");
    s.moderation_mode = majlis::domain::ModerationMode::Post;
    app.add_site(s).await;
    let (id, answer) = app.solve_captcha("live").await;
    let resp = app
        .client
        .post(app.url("/api/v1/sites/live/articles/a/comments"))
        .form(&[
            ("name", "سارة"),
            ("email", "sara@example.com"),
            ("title", "رأي"),
            ("body", "تعليق فيه كلمة س.ك.س واضحة"),
            ("accept_terms", "on"),
            ("captcha_id", id.as_str()),
            ("captcha_answer", answer.as_str()),
            ("lang", "ar"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("<a href=\"#majlis-rules\">اقرأ شروط النشر</a>"),
        "{html}"
    );
    assert!(html.contains("id=\"majlis-rules\""));
}

#[tokio::test]
async fn the_login_page_speaks_the_language_the_browser_asks_for() {
    let app = spawn_app().await;
    for (accept, lang) in [("en-US,en;q=0.9", "en"), ("ar-EG,ar;q=0.9,en;q=0.5", "ar")] {
        let html = app
            .client
            .get(app.url("/dashboard/login"))
            .header("Accept-Language", accept)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{accept}");
    }
}

#[tokio::test]
async fn the_demo_page_leaves_the_comments_heading_to_the_widget() {
    let app = spawn_app().await;
    let html = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-site=\"demo\""));
    // The widget draws "التعليقات (n)"; the page adds no second one.
    assert!(!html.contains("<h2"), "{html}");
}

#[tokio::test]
async fn the_plain_list_starts_with_a_link_to_the_form_and_a_sent_comment_is_announced_as_status() {
    let app = spawn_app().await;
    let mut s = site("live");
    s.moderation_mode = majlis::domain::ModerationMode::Post;
    app.add_site(s).await;
    let page = |app: &TestApp| {
        let req = app.client.get(app.url("/embed/live/a?lang=ar"));
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    assert!(!page(&app).await.contains("href=\"#majlis-form\""));
    let (id, answer) = app.solve_captcha("live").await;
    let resp = app
        .client
        .post(app.url("/api/v1/sites/live/articles/a/comments"))
        .form(&[
            ("name", "سارة"),
            ("email", "sara@example.com"),
            ("title", "رأي"),
            ("body", "تغطية ممتازة للأحداث، شكرًا."),
            ("accept_terms", "on"),
            ("captcha_id", id.as_str()),
            ("captcha_answer", answer.as_str()),
            ("lang", "ar"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let result = resp.text().await.unwrap();
    assert!(
        result.contains("role=\"status\">شكرًا لك. نُشر تعليقك.</p>"),
        "{result}"
    );
    let html = page(&app).await;
    let link = html
        .find("<a href=\"#majlis-form\">اكتب تعليقًا</a>")
        .unwrap();
    assert!(link < html.find("class=\"majlis-list\"").unwrap());
    assert!(html.contains("id=\"majlis-form\""));
}

#[tokio::test]
async fn the_plain_form_asks_for_a_new_code_keeping_the_input_and_storing_nothing() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let page = app
        .client
        .get(app.url("/embed/news/a?lang=ar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Enter in a field presses the first submit button: "send", not "new code".
    let first_button = page.find("<button").unwrap();
    assert!(page[first_button..].starts_with("<button type=\"submit\" class=\"majlis-default\""));
    assert!(page.contains("name=\"new_code\""));
    let (old, _) = app.latest_captcha().unwrap();
    let resp = app
        .client
        .post(app.url("/api/v1/sites/news/articles/a/comments"))
        .form(&[
            ("name", "سارة"),
            ("email", "sara@example.com"),
            ("title", "سؤال <للكاتب>"),
            ("body", "نص التعليق"),
            ("accept_terms", "on"),
            ("captcha_id", old.as_str()),
            ("captcha_answer", "wrong"),
            ("new_code", "1"),
            ("return_to", "/embed/news/a?lang=ar"),
            ("lang", "ar"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    let (fresh, _) = app.latest_captcha().unwrap();
    assert_ne!(fresh, old, "a new code was issued");
    assert!(
        html.contains(&format!("name=\"captcha_id\" value=\"{fresh}\"")),
        "{html}"
    );
    assert!(html.contains("value=\"سؤال &#60;للكاتب&#62;\""), "{html}");
    assert!(html.contains(">نص التعليق</textarea>"));
    assert!(!html.contains("majlis-error"), "no field errors: {html}");
    assert!(
        !html.contains("value=\"wrong\""),
        "the old answer is dropped"
    );
    assert_eq!(app.stored_count("news").await, 0);
}

#[tokio::test]
async fn after_a_plain_post_in_the_iframe_the_reader_can_go_back_to_the_comments_or_the_article() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let (id, answer) = app.solve_captcha("news").await;
    let resp = app
        .client
        .post(app.url("/api/v1/sites/news/articles/a/comments"))
        .form(&[
            ("name", "سارة"),
            ("email", "sara@example.com"),
            ("title", "سؤال"),
            ("body", "هل هناك مصادر إضافية؟"),
            ("accept_terms", "on"),
            ("captcha_id", id.as_str()),
            ("captcha_answer", answer.as_str()),
            ("return_to", "/embed/news/a?lang=ar"),
            ("article_url", "https://news.example/a"),
            ("lang", "ar"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("<a href=\"/embed/news/a?lang=ar\">العودة إلى التعليقات</a>"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"https://news.example/a\" target=\"_top\">العودة إلى المقال</a>"),
        "{html}"
    );
    assert!(
        html.contains("/static/form.js"),
        "the frame reports its height"
    );
}

#[tokio::test]
async fn a_site_words_its_own_posting_rules_on_both_forms_and_the_built_in_text_is_the_default() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let admin = app.api_key("news", "admin").await;
    let page = |lang: &'static str| {
        let app = &app;
        async move {
            app.client
                .get(app.url(&format!("/embed/news/a-1?lang={lang}")))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let config = || async {
        let v: serde_json::Value = app
            .client
            .get(app.url("/api/v1/sites/news/config"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v
    };
    // Out of the box: the built-in text in each language.
    assert_eq!(config().await["rules_text"], json!({"ar": "", "en": ""}));
    assert!(page("ar").await.contains("يُمنع الإساءة إلى الكاتب"));
    assert!(page("en").await.contains("No insulting the writer"));

    let patch = |body: serde_json::Value| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.client
                .patch(app.url("/api/v1/sites/news/settings"))
                .bearer_auth(admin)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // Invisible direction overrides and overlong texts are refused, nothing stored.
    for (bad, code) in [
        (
            json!({"rules_text_ar": "لا سب \u{202E}ولا شتم"}),
            "control_characters",
        ),
        (json!({"rules_text_en": "x".repeat(2001)}), "too_long"),
    ] {
        let resp = patch(bad.clone()).await;
        assert_eq!(resp.status(), 400, "{bad}");
        let body: serde_json::Value = resp.json().await.unwrap();
        let field = bad.as_object().unwrap().keys().next().unwrap().clone();
        assert_eq!(body["fields"][&field][0]["code"], code, "{body}");
    }
    assert_eq!(config().await["rules_text"], json!({"ar": "", "en": ""}));

    // The site's own Arabic text, with a paragraph break, escaped on the
    // plain form and given as is to the embed; English keeps the built-in.
    let own = "شروط موقعنا:\nلا سب ولا شتم، ولا <b>تحريض</b>.";
    let resp = patch(json!({"rules_text_ar": own})).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(config().await["rules_text"]["ar"], own);
    let ar = page("ar").await;
    assert!(
        ar.contains("شروط موقعنا:\nلا سب ولا شتم، ولا &#60;b&#62;تحريض&#60;/b&#62;."),
        "{ar}"
    );
    assert!(!ar.contains("يُمنع الإساءة إلى الكاتب"));
    assert!(page("en").await.contains("No insulting the writer"));
}
