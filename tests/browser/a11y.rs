//! Accessibility in a real browser: axe-core (vendored, `vendor/axe-core`)
//! runs inside Chromium on the article page with the embed (light and dark),
//! the no-JS iframe page, and the dashboard's pages, in Arabic and English.
//! No violation of impact serious or critical may remain.

use serde_json::Value;

use crate::helpers::{TestApp, site, spawn_app};
use crate::host::{article_page, serve};
use crate::webdriver::{Browser, available};

const AXE: &str = include_str!("vendor/axe-core/axe.min.js");
const PASSWORD: &str = "a long enough passphrase";

/// The serious and critical violations axe finds on the page as it is now,
/// each as "rule: help (targets)". axe reaches into open shadow roots, so the
/// embed's form and list are checked too.
async fn serious_violations(browser: &Browser) -> Vec<String> {
    browser.exec(&format!("{AXE}\nreturn true;"), vec![]).await;
    let found = browser
        .exec_async(
            "var done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']}).then(function (r) {
               done(r.violations.filter(function (v) {
                 return v.impact === 'serious' || v.impact === 'critical';
               }).map(function (v) {
                 return v.id + ': ' + v.help + ' ' + JSON.stringify(v.nodes.map(function (n) { return n.target; }));
               }));
             }, function (e) { done(['axe failed: ' + e]); });",
            vec![],
        )
        .await;
    match found {
        Value::Array(a) => a
            .into_iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect(),
        other => panic!("axe answered {other}"),
    }
}

async fn check(browser: &Browser, page: &str, failures: &mut Vec<String>) {
    for v in serious_violations(browser).await {
        failures.push(format!("{page}: {v}"));
    }
}

/// A site allowing `origins`, with two published comments and one pending.
async fn app_with_comments(app: TestApp, origins: Vec<String>) -> TestApp {
    let mut s = site("news");
    s.allowed_origins = origins;
    app.add_site(s).await;
    let moderator = app.api_key("news", "moderator").await;
    for _ in 0..2 {
        let id = app.submit("news", "a-1").await;
        app.decide(&moderator, "news", &id, "approve", None).await;
    }
    app.submit("news", "a-1").await;
    app
}

#[tokio::test]
async fn the_article_page_and_the_iframe_page_have_no_serious_accessibility_violations() {
    if !available("axe on the article and iframe pages") {
        return;
    }
    let app = spawn_app().await;
    // The host pages' origins must be known before the site is created.
    let mut pages = Vec::new();
    for lang in ["ar", "en"] {
        for theme in ["", " data-theme=\"dark\""] {
            let html = article_page(&app.address, "news", "a-1", lang)
                .replace(" async></script>", &format!("{theme} async></script>"));
            pages.push((lang, theme, serve(html)));
        }
    }
    let origins = pages.iter().map(|(_, _, h)| h.origin.clone()).collect();
    let app = app_with_comments(app, origins).await;
    let mut failures = Vec::new();
    for (lang, width) in [("ar", 390), ("en", 1280)] {
        let browser = Browser::launch(true, width, 1000).await;
        if lang == "ar" {
            // The harness sees what it must: a nameless button is critical.
            let bad = serve(
                "<!doctype html><html lang=\"ar\"><title>t</title><main><button></button></main></html>"
                    .into(),
            );
            browser.goto(&bad.origin).await;
            let found = serious_violations(&browser).await;
            assert!(
                found.iter().any(|v| v.starts_with("button-name")),
                "{found:?}"
            );
        }
        for (_, theme, host) in pages.iter().filter(|(l, _, _)| *l == lang) {
            browser.goto(&host.origin).await;
            browser
                .wait_for(
                    "var h = document.querySelector('.majlis-host'); return !!(h && h.shadowRoot && h.shadowRoot.querySelector('form img[src^=\"data:\"]') && h.shadowRoot.querySelectorAll('li.comment').length === 2);",
                    "the widget with its comments and code",
                )
                .await;
            check(
                &browser,
                &format!("article page {lang}{theme}"),
                &mut failures,
            )
            .await;
        }
        browser
            .goto(&app.url(&format!("/embed/news/a-1?lang={lang}")))
            .await;
        browser.find("#majlis-body").await;
        check(&browser, &format!("iframe page {lang}"), &mut failures).await;
        browser.close().await;
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn the_dashboard_pages_have_no_serious_accessibility_violations() {
    if !available("axe on the dashboard") {
        return;
    }
    let app = app_with_comments(spawn_app().await, vec![]).await;
    let id = app
        .create_moderator("admin@news.example", "admin", &["news"], PASSWORD)
        .await;
    let mut failures = Vec::new();
    for lang in ["ar", "en"] {
        app.store.set_moderator_lang(&id, lang).await.unwrap();
        let browser = Browser::launch(true, 1280, 1000).await;
        browser.goto(&app.url("/dashboard/login")).await;
        browser.find("#email").await;
        check(&browser, &format!("login {lang}"), &mut failures).await;
        let email = browser.find("#email").await;
        browser.type_into(&email, "admin@news.example").await;
        let password = browser.find("#password").await;
        browser.type_into(&password, PASSWORD).await;
        browser.press("\u{E007}").await;
        browser
            .wait_for(
                "return !!document.querySelector('.item.current');",
                "the queue",
            )
            .await;
        for page in [
            "",
            "?tab=published",
            "/audit",
            "/stats",
            "/articles",
            "/moderators",
            "/settings?site=news",
            "/author?site=news&email=reader%40example.com",
        ] {
            browser.goto(&app.url(&format!("/dashboard{page}"))).await;
            browser.find("main, body").await;
            check(&browser, &format!("dashboard{page} {lang}"), &mut failures).await;
        }
        browser.close().await;
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
