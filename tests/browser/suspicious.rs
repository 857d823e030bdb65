//! `captcha = "when-suspicious"` in the browser (issue #14): the widget
//! shows no security code; a suspicious submission is answered
//! `captcha_required`, the widget then shows the image and the reader sends
//! again with it (and the same proof of work). Also the proof of work's
//! solve time at the default difficulty (an ignored test that prints).

use serde_json::json;

use crate::helpers::{TestApp, site, spawn_app_with};
use crate::host::{HostSite, article_page, serve};
use crate::webdriver::{Browser, available};

const ROOT: &str = "document.querySelector('.majlis-host').shadowRoot";

async fn shadow(browser: &Browser, css: &str) -> crate::webdriver::Element {
    browser
        .element_by_script(&format!("return {ROOT}.querySelector('{css}');"))
        .await
}

async fn app_and_page(
    tweak: impl FnOnce(&mut majlis::config::Settings),
    mode: majlis::domain::CaptchaMode,
    threshold: u32,
) -> (TestApp, HostSite) {
    let app = spawn_app_with(tweak).await;
    let page = serve(article_page(&app.address, "news", "a-1", "en"));
    let mut s = site("news");
    s.allowed_origins = vec![page.origin.clone()];
    s.captcha = mode;
    s.spam_threshold = threshold;
    app.add_site(s).await;
    (app, page)
}

#[tokio::test]
async fn a_suspicious_comment_gets_the_code_shown_and_posts_with_it() {
    if !available("when-suspicious code") {
        return;
    }
    // A link in a first comment weighs 3: at this site's threshold.
    let (app, page) = app_and_page(|_| {}, majlis::domain::CaptchaMode::WhenSuspicious, 3).await;
    let browser = Browser::launch(true, 1280, 1000).await;
    browser.goto(&format!("{}/", page.origin)).await;
    let hidden = browser
        .wait_for(
            "var h = document.querySelector('.majlis-host'); var r = h && h.shadowRoot;
             var a = r && r.querySelector('input[name=captcha_answer]');
             return a ? {hidden: a.closest('.field').hidden, img: !!r.querySelector('img[src^=\"data:\"]')} : false;",
            "the widget's form",
        )
        .await;
    assert_eq!(hidden["hidden"], true);
    assert_eq!(hidden["img"], false);
    assert!(app.latest_captcha().is_none(), "no code fetched up front");
    for (css, text) in [
        ("input[name=name]", "Layla"),
        ("input[name=email]", "layla@example.com"),
        ("input[name=title]", "Sources"),
        (
            "textarea",
            "The full report is at https://example.org/report today",
        ),
    ] {
        let el = shadow(&browser, css).await;
        browser.type_into(&el, text).await;
    }
    let terms = shadow(&browser, "input[type=checkbox]").await;
    browser.click(&terms).await;
    let submit = shadow(&browser, "button.submit").await;
    browser.click(&submit).await;
    let shown = browser
        .wait_for(
            &format!(
                "var r = {ROOT}; var a = r.querySelector('input[name=captcha_answer]');
                 var e = a.closest('.field').querySelector('.error');
                 return !a.closest('.field').hidden && !!r.querySelector('img[src^=\"data:\"]')
                   && !e.hidden && e.textContent;"
            ),
            "the security code after captcha_required",
        )
        .await;
    assert_eq!(
        shown,
        majlis::i18n::t(majlis::domain::Lang::En, "error.captcha_required")
    );
    assert_eq!(app.stored_count("news").await, 0);
    let (_, answer) = app.latest_captcha().unwrap();
    let input = shadow(&browser, "input[name=captcha_answer]").await;
    browser.type_into(&input, &answer).await;
    browser.click(&submit).await;
    browser
        .wait_for(
            &format!("var d = {ROOT}.querySelector('.success'); return !!d && !d.hidden;"),
            "the thank-you message",
        )
        .await;
    let stored = app.stored("news").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].status.as_str(), "held");
    assert!(
        !stored[0]
            .findings
            .iter()
            .any(|f| f.code == "proof_of_work_failed"),
        "the same proof was sent again, unspent: {:?}",
        stored[0].findings
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM pow_spent").await, Some(1));
    browser.close().await;
}

#[tokio::test]
async fn a_reader_posts_without_any_code_when_nothing_is_suspicious() {
    if !available("when-suspicious reader") {
        return;
    }
    let (app, page) = app_and_page(|_| {}, majlis::domain::CaptchaMode::WhenSuspicious, 6).await;
    let browser = Browser::launch(true, 390, 800).await;
    browser.goto(&format!("{}/", page.origin)).await;
    browser
        .wait_for(
            &format!("var h = document.querySelector('.majlis-host'); return !!(h && h.shadowRoot && {ROOT}.querySelector('form'));"),
            "the widget's form",
        )
        .await;
    for (css, text) in [
        ("input[name=name]", "Omar"),
        ("input[name=email]", "omar@example.com"),
        ("input[name=title]", "Well said"),
        (
            "textarea",
            "A careful piece on the water budget, thank you.",
        ),
    ] {
        let el = shadow(&browser, css).await;
        browser.type_into(&el, text).await;
    }
    let terms = shadow(&browser, "input[type=checkbox]").await;
    browser.click(&terms).await;
    let submit = shadow(&browser, "button.submit").await;
    browser.click(&submit).await;
    browser
        .wait_for(
            &format!("var d = {ROOT}.querySelector('.success'); return !!d && !d.hidden;"),
            "the thank-you message",
        )
        .await;
    assert!(app.latest_captcha().is_none(), "no code was ever shown");
    let stored = app.stored("news").await;
    assert_eq!((stored.len(), stored[0].status.as_str()), (1, "pending"));
    browser.close().await;
}

/// Median time the widget's Web Worker takes to solve a challenge at the
/// default difficulty in headless Chromium (the worker's own source, taken
/// from `embed.js`, on challenges from `GET /api/v1/pow`).
#[tokio::test]
#[ignore = "a measurement: cargo test --release --test browser pow_solve_time -- --ignored --nocapture"]
async fn pow_solve_time_at_the_default_difficulty() {
    if !available("proof-of-work solve time") {
        return;
    }
    let defaults = majlis::config::Settings::from_toml_over_defaults("").unwrap();
    let base = defaults.spam.pow_base_maxnumber;
    let (app, page) = app_and_page(
        move |s| s.spam.pow_base_maxnumber = base,
        majlis::domain::CaptchaMode::Always,
        6,
    )
    .await;
    let browser = Browser::launch(true, 1280, 1000).await;
    browser.goto(&format!("{}/", page.origin)).await;
    let source = include_str!("../../src/routes/assets/embed.js");
    let start = source.find("function powWorker()").unwrap();
    let end = source.find("var host = ").unwrap();
    let worker = &source[start..end];
    let script = "var done = arguments[arguments.length - 1];
         var base = arguments[0], url = URL.createObjectURL(new Blob(['(' + arguments[1] + ')()'], { type: 'text/javascript' }));
         var times = [];
         function one() {
           if (times.length === 21) return done(times);
           fetch(base + '/api/v1/pow?site=news').then(function (r) { return r.json(); }).then(function (c) {
             var w = new Worker(url);
             var t0 = performance.now();
             w.onmessage = function (ev) {
               times.push({ms: performance.now() - t0, max: c.maxnumber, n: ev.data});
               w.terminate();
               one();
             };
             w.postMessage(c);
           });
         }
         one();";
    let v = browser
        .exec_async(script, vec![json!(app.address), json!(worker)])
        .await;
    let mut ms: Vec<f64> = v
        .as_array()
        .unwrap()
        .iter()
        .skip(1) // the first one warms the JIT
        .map(|t| t["ms"].as_f64().unwrap())
        .collect();
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = ms[ms.len() / 2];
    println!(
        "proof of work in headless Chromium, maxnumber {base}: median {:.0} ms over {} solves \
         (min {:.0}, max {:.0})",
        median,
        ms.len(),
        ms[0],
        ms[ms.len() - 1]
    );
    browser.close().await;
}
