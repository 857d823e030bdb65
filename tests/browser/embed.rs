//! The embeddable form and list in a real browser, on a page of another origin.

use serde_json::json;

use crate::helpers::{TestApp, site, spawn_app};
use crate::host::{article_page, serve};
use crate::webdriver::{Browser, available};

const ROOT: &str = "document.querySelector('.majlis-host').shadowRoot";

async fn app_with_site(origin: Option<&str>) -> TestApp {
    let app = spawn_app().await;
    let mut s = site("news");
    s.allowed_origins = origin.map(|o| vec![o.to_string()]).unwrap_or_default();
    app.add_site(s).await;
    app
}

async fn open_widget(browser: &Browser, url: &str) {
    browser.goto(url).await;
    browser
        .wait_for(
            &format!("var h = document.querySelector('.majlis-host'); return !!(h && h.shadowRoot && h.shadowRoot.querySelector('form') && {ROOT}.querySelector('img[src^=\"data:\"]'));"),
            "the widget's form and security code",
        )
        .await;
}

async fn shadow(browser: &Browser, css: &str) -> crate::webdriver::Element {
    browser
        .element_by_script(&format!("return {ROOT}.querySelector('{css}');"))
        .await
}

#[tokio::test]
async fn the_snippet_renders_the_full_form_right_to_left_and_shields_it_from_host_css() {
    if !available("embed rtl") {
        return;
    }
    // The host page's origin must be known before the site is created.
    let mut shots = Vec::new();
    for (lang, width, height, name) in [
        ("ar", 1280, 1000, "embed-ar-wide"),
        ("ar", 390, 900, "embed-ar-narrow"),
        ("en", 1280, 1000, "embed-en-wide"),
        ("en", 390, 900, "embed-en-narrow"),
    ] {
        let app = spawn_app().await;
        let host = serve(String::new());
        drop(host);
        let page = serve(article_page(&app.address, "news", "a-1", lang));
        let mut s = site("news");
        s.allowed_origins = vec![page.origin.clone()];
        app.add_site(s).await;
        let browser = Browser::launch(true, width, height).await;
        open_widget(&browser, &format!("{}/", page.origin)).await;
        let facts = browser
            .exec(
                &format!(
                    "var r = {ROOT}; var s = r.querySelector('section');
                     var labels = Array.from(r.querySelectorAll('label')).map(function (l) {{ return l.textContent; }});
                     return {{dir: s.getAttribute('dir'), lang: s.getAttribute('lang'), labels: labels,
                              left: r.querySelector('.left').textContent,
                              labelColor: getComputedStyle(r.querySelector('label')).color,
                              terms: r.querySelector('.check a').getAttribute('href')}};"
                ),
                vec![],
            )
            .await;
        if lang == "ar" {
            assert_eq!(facts["dir"], "rtl");
            let labels = facts["labels"].to_string();
            for l in [
                "الاسم",
                "البريد الإلكتروني",
                "عنوان التعليق",
                "التعليق",
                "أوافق على شروط الاستخدام",
                "رمز الأمان",
            ] {
                assert!(labels.contains(l), "{l} in {labels}");
            }
            assert!(facts["left"].as_str().unwrap().contains("يتبقّى 2000 حرف"));
        } else {
            assert_eq!(facts["dir"], "ltr");
            assert!(facts["labels"].to_string().contains("Comment title"));
        }
        assert_ne!(
            facts["labelColor"], "rgb(255, 0, 0)",
            "host CSS leaked into the widget"
        );
        assert_eq!(facts["terms"], "https://news.example/terms");
        browser.screenshot(name).await;
        shots.push(name);
        browser.close().await;
    }
    eprintln!("screenshots saved in screenshots/: {shots:?}");
}

#[tokio::test]
async fn submitting_empty_fields_shows_each_fields_error_and_focuses_the_first() {
    if !available("embed empty submit") {
        return;
    }
    let app = spawn_app().await;
    let page = serve(article_page(&app.address, "news", "a-1", "ar"));
    let mut s = site("news");
    s.allowed_origins = vec![page.origin.clone()];
    app.add_site(s).await;
    let browser = Browser::launch(true, 1280, 1000).await;
    open_widget(&browser, &format!("{}/", page.origin)).await;
    let submit = shadow(&browser, "button.submit").await;
    browser.click(&submit).await;
    let invalid = browser
        .wait_for(&format!("return {ROOT}.querySelectorAll('[aria-invalid=true]').length >= 5 && {ROOT}.querySelectorAll('[aria-invalid=true]').length;"), "field errors")
        .await;
    assert!(invalid.as_u64().unwrap() >= 5);
    let state = browser
        .exec(
            &format!(
                "var r = {ROOT}; var name = r.querySelector('input[name=name]');
                 var err = r.getElementById(name.getAttribute('aria-describedby').split(' ').pop());
                 return {{focused: r.activeElement === name, message: err.textContent, hidden: err.hidden}};"
            ),
            vec![],
        )
        .await;
    assert_eq!(state["focused"], true);
    assert_eq!(state["message"], "هذا الحقل مطلوب.");
    assert_eq!(state["hidden"], false);
    assert_eq!(app.stored_count("news").await, 0);

    // The audio alternative: a new code whose clip the page can load.
    let listen = browser
        .element_by_script(&format!(
            "return {ROOT}.querySelectorAll('.tools button')[1];"
        ))
        .await;
    browser.click(&listen).await;
    let src = browser
        .wait_for(
            &format!(
                "var a = {ROOT}.querySelector('audio'); return !a.hidden && a.getAttribute('src');"
            ),
            "the audio clip",
        )
        .await;
    let wav = app.client.get(src.as_str().unwrap()).send().await.unwrap();
    assert_eq!(wav.status(), 200);
    assert_eq!(wav.headers()["content-type"], "audio/wav");
    browser.close().await;
}

#[tokio::test]
async fn a_reader_posts_a_comment_and_sees_it_after_approval() {
    if !available("embed full submission") {
        return;
    }
    let app = spawn_app().await;
    let page = serve(article_page(&app.address, "news", "a-1", "ar"));
    let mut s = site("news");
    // The article's own URL is on the news site's origin; the page that
    // embeds the widget is a test host on another one.
    s.allowed_origins = vec![page.origin.clone(), "https://news.example".to_string()];
    app.add_site(s).await;
    let key = app.api_key("news", "moderator").await;
    let browser = Browser::launch(true, 1280, 1000).await;
    open_widget(&browser, &format!("{}/", page.origin)).await;
    let (first_id, answer) = app.latest_captcha().unwrap();

    for (css, text) in [
        ("input[name=name]", "ليلى"),
        ("input[name=email]", "layla@example.com"),
        ("input[name=title]", "شكرًا على التغطية"),
        ("textarea", "تغطية ممتازة للأحداث.\nأتمنى المزيد."),
        ("input[name=captcha_answer]", answer.as_str()),
    ] {
        let el = shadow(&browser, css).await;
        browser.type_into(&el, text).await;
    }
    let terms = shadow(&browser, "input[type=checkbox]").await;
    browser.click(&terms).await;
    let submit = shadow(&browser, "button.submit").await;
    browser.click(&submit).await;
    let message = browser
        .wait_for(
            &format!(
                "var p = {ROOT}.querySelector('.success'); return p && !p.hidden && p.querySelector('p').textContent;"
            ),
            "the success message",
        )
        .await;
    assert_eq!(message, "شكرًا لك. وصلنا تعليقك وسيظهر بعد المراجعة.");
    // A fresh code after every attempt: a new challenge is issued and shown.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while app.latest_captcha().unwrap().0 == first_id {
        assert!(
            std::time::Instant::now() < deadline,
            "no new security code after the attempt"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // The widget solved the invisible proof of work while the reader typed
    // and sent it with the comment: it was checked and spent.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM pow_spent").await, Some(1));
    let queue = app.queue(&key, "news", "pending").await;
    let item = &queue["items"][0];
    assert_eq!(item["body"], "تغطية ممتازة للأحداث.\nأتمنى المزيد.");
    assert_eq!(item["article_url"], "https://news.example/a-1");
    let id = item["id"].as_str().unwrap();
    assert_eq!(
        app.decide(&key, "news", id, "approve", None).await.status(),
        200
    );

    // Another reader (a fresh browser, so nothing cached) sees it.
    browser.close().await;
    let browser = Browser::launch(true, 1280, 1000).await;
    open_widget(&browser, &format!("{}/", page.origin)).await;
    let shown = browser
        .wait_for(
            &format!("var c = {ROOT}.querySelector('.comment'); return c && {{title: c.querySelector('h3').textContent, lines: c.querySelectorAll('.body br').length, time: c.querySelector('time').textContent, count: {ROOT}.querySelector('.count').textContent}};"),
            "the published comment",
        )
        .await;
    assert_eq!(shown["title"], "شكرًا على التغطية");
    assert_eq!(shown["lines"], 1);
    assert!(shown["time"].as_str().unwrap().ends_with("GMT"));
    assert_eq!(shown["count"], "(1)");
    browser.screenshot("embed-ar-with-comment").await;
    browser.close().await;
}

#[tokio::test]
async fn the_characters_left_counter_counts_what_the_server_counts() {
    if !available("embed counter") {
        return;
    }
    let app = spawn_app().await;
    let page = serve(article_page(&app.address, "news", "a-1", "en"));
    let mut s = site("news");
    s.allowed_origins = vec![page.origin.clone()];
    app.add_site(s).await;
    let browser = Browser::launch(true, 1280, 1000).await;
    open_widget(&browser, &format!("{}/", page.origin)).await;
    for text in [
        "e\u{301}",
        "👍🏽 family 👨‍👩‍👧",
        "  بِسْمِ اللّٰهِ  ",
        "line\r\nbreak",
        "ﻻ",
    ] {
        let left = browser
            .exec(
                &format!(
                    "var r = {ROOT}; var t = r.querySelector('textarea'); t.value = arguments[0];
                     t.dispatchEvent(new Event('input')); return r.querySelector('.left').textContent;"
                ),
                vec![json!(text)],
            )
            .await;
        let server = majlis::domain::count_chars(&majlis::domain::normalize_text(text));
        assert_eq!(
            left.as_str().unwrap(),
            majlis::i18n::chars_left(majlis::domain::Lang::En, 2000 - server as i64),
            "{text:?}"
        );
    }
    browser.close().await;
}

#[tokio::test]
async fn the_iframe_fallback_submits_with_javascript_disabled() {
    if !available("embed no-js iframe") {
        return;
    }
    let app = app_with_site(None).await;
    let browser = Browser::launch(false, 1280, 1400).await;
    browser.goto(&app.url("/embed/news/a-1?lang=ar")).await;
    for (css, text) in [
        ("#majlis-name", "سامي"),
        ("#majlis-email", "sami@example.com"),
        ("#majlis-title", "بدون جافاسكربت"),
        ("#majlis-body", "هذا التعليق أُرسل من نموذج عادي."),
    ] {
        let el = browser.find(css).await;
        browser.type_into(&el, text).await;
    }
    let terms = browser.find("#majlis-terms").await;
    browser.click(&terms).await;
    let captcha_id = browser
        .attribute(&browser.find("input[name=captcha_id]").await, "value")
        .await
        .unwrap();
    let answer = app
        .latest_captcha()
        .filter(|(id, _)| *id == captcha_id)
        .unwrap()
        .1;
    let field = browser.find("#majlis-captcha").await;
    browser.type_into(&field, &answer).await;
    browser.screenshot("iframe-ar-nojs").await;
    let submit = browser.find("form.majlis-form button.majlis-send").await;
    browser.click(&submit).await;
    browser.wait_for_text("وسيظهر بعد المراجعة").await;
    assert_eq!(app.stored_count("news").await, 1);
    browser.close().await;
}

/// A page that posts the plain form into an iframe of its own, as an
/// attacker's page would to show the real form with its own text in it.
fn framing_page(majlis: &str) -> String {
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Framing</title></head><body>
<iframe name="f" id="f" width="600" height="400"></iframe>
<form id="p" method="post" target="f" action="{majlis}/api/v1/sites/news/articles/a-1/comments">
<input name="body" value="text chosen by the framing page"><input name="lang" value="en"></form>
<script>
document.getElementById('f').addEventListener('load', function () {{ window.framedLoads = (window.framedLoads || 0) + 1; }});
document.getElementById('p').submit();
</script></body></html>"#
    )
}

#[tokio::test]
async fn a_foreign_page_cannot_frame_the_answer_to_a_form_post() {
    if !available("framing the form answer") {
        return;
    }
    let app = spawn_app().await;
    let friendly = serve(framing_page(&app.address));
    let foreign = serve(framing_page(&app.address));
    let mut s = site("news");
    s.allowed_origins = vec![friendly.origin.clone()];
    app.add_site(s).await;
    for (host, shown) in [(&friendly, true), (&foreign, false)] {
        let browser = Browser::launch(true, 1000, 800).await;
        browser.goto(&format!("{}/", host.origin)).await;
        // The frame has loaded the answer (or the browser's refusal of it).
        browser
            .wait_for(
                "return (window.framedLoads || 0) >= 1;",
                "the framed answer",
            )
            .await;
        let frame = browser.find("#f").await;
        browser.enter_frame(&frame).await;
        assert_eq!(
            browser.has("form.majlis-form").await,
            shown,
            "the form answer framed by {} (one of the site's origins: {shown})",
            host.origin
        );
        browser.close().await;
    }
    assert_eq!(app.stored_count("news").await, 0);
}

/// Fill every field of the widget's form (terms ticked) as a reader would.
async fn fill_form(browser: &Browser, email: &str, answer: &str) {
    for (css, text) in [
        ("input[name=name]", "ليلى"),
        ("input[name=email]", email),
        ("input[name=title]", "شكرًا على التغطية"),
        ("textarea", "تغطية ممتازة للأحداث."),
        ("input[name=captcha_answer]", answer),
    ] {
        let el = shadow(browser, css).await;
        browser.type_into(&el, text).await;
    }
    let terms = shadow(browser, "input[type=checkbox]").await;
    browser.click(&terms).await;
}

async fn wait_for_success(browser: &Browser) {
    browser
        .wait_for(
            &format!(
                "var p = {ROOT}.querySelector('.success'); return p && !p.hidden && p.textContent;"
            ),
            "the success message",
        )
        .await;
}

#[tokio::test]
async fn the_code_error_shows_on_the_first_empty_submit_and_a_new_code_clears_it() {
    if !available("embed code error") {
        return;
    }
    let app = spawn_app().await;
    let page = serve(article_page(&app.address, "news", "a-1", "en"));
    let mut s = site("news");
    s.allowed_origins = vec![page.origin.clone()];
    app.add_site(s).await;
    let browser = Browser::launch(true, 1280, 1000).await;
    open_widget(&browser, &format!("{}/", page.origin)).await;
    let submit = shadow(&browser, "button.submit").await;
    browser.click(&submit).await;
    let code_state = format!(
        "var i = {ROOT}.querySelector('input[name=captcha_answer]');
         var e = {ROOT}.getElementById(i.id + '-err');
         return {{invalid: i.getAttribute('aria-invalid'), hidden: e.hidden, message: e.textContent}};"
    );
    browser
        .wait_for(
            &format!("return {ROOT}.querySelector('input[name=captcha_answer]').getAttribute('aria-invalid') === 'true';"),
            "the code's error",
        )
        .await;
    let shown = browser.exec(&code_state, vec![]).await;
    assert_eq!(shown["hidden"], false);
    assert_eq!(shown["message"], "This field is required.");
    for (button, what) in [(0, "new code"), (1, "listen")] {
        browser.click(&submit).await;
        browser
            .wait_for(
                &format!("return {ROOT}.querySelector('input[name=captcha_answer]').getAttribute('aria-invalid') === 'true';"),
                "the code's error again",
            )
            .await;
        let tool = browser
            .element_by_script(&format!(
                "return {ROOT}.querySelectorAll('.tools button')[{button}];"
            ))
            .await;
        browser.click(&tool).await;
        let cleared = browser.exec(&code_state, vec![]).await;
        assert_eq!(cleared["invalid"], serde_json::Value::Null, "{what}");
        assert_eq!(cleared["hidden"], true, "{what}");
    }
    browser.close().await;
}

#[tokio::test]
async fn a_reader_with_an_email_typo_corrects_it_and_posts_with_the_same_code() {
    if !available("embed email typo") {
        return;
    }
    let app = spawn_app().await;
    let page = serve(article_page(&app.address, "news", "a-1", "en"));
    let mut s = site("news");
    s.allowed_origins = vec![page.origin.clone()];
    app.add_site(s).await;
    let browser = Browser::launch(true, 1280, 1000).await;
    open_widget(&browser, &format!("{}/", page.origin)).await;
    let (code, answer) = app.latest_captcha().unwrap();
    fill_form(&browser, "layla.example.com", &answer).await;
    let image = browser
        .exec(
            &format!("return {ROOT}.querySelector('.captcha img').src;"),
            vec![],
        )
        .await;
    let submit = shadow(&browser, "button.submit").await;
    browser.click(&submit).await;
    browser
        .wait_for(
            &format!("return {ROOT}.querySelector('input[name=email]').getAttribute('aria-invalid') === 'true' && !{ROOT}.querySelector('button.submit').disabled;"),
            "the email's error",
        )
        .await;
    // The same image and the answer as typed; no new code was asked for.
    let kept = browser
        .exec(
            &format!("return {{src: {ROOT}.querySelector('.captcha img').src, answer: {ROOT}.querySelector('input[name=captcha_answer]').value}};"),
            vec![],
        )
        .await;
    assert_eq!(kept["src"], image);
    assert_eq!(kept["answer"], answer.as_str());
    assert_eq!(app.latest_captcha().unwrap().0, code);
    browser
        .exec(
            &format!("{ROOT}.querySelector('input[name=email]').value = '';"),
            vec![],
        )
        .await;
    let email = shadow(&browser, "input[name=email]").await;
    browser.type_into(&email, "layla@example.com").await;
    browser.click(&submit).await;
    wait_for_success(&browser).await;
    let stored = app.stored("news").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].status.as_str(), "pending");
    browser.close().await;
}

#[tokio::test]
async fn a_form_that_trips_the_honeypot_gets_the_usual_success_and_lands_in_spam() {
    if !available("embed honeypot") {
        return;
    }
    let app = spawn_app().await;
    let page = serve(article_page(&app.address, "news", "a-1", "en"));
    let mut s = site("news");
    s.allowed_origins = vec![page.origin.clone()];
    app.add_site(s).await;
    let browser = Browser::launch(true, 1280, 1000).await;
    open_widget(&browser, &format!("{}/", page.origin)).await;
    let (_, answer) = app.latest_captcha().unwrap();
    fill_form(&browser, "layla@example.com", &answer).await;
    // What a form-filling program does: it fills the field no one sees.
    browser
        .exec(
            &format!("{ROOT}.querySelector('input[name=website]').value = 'https://spam.example';"),
            vec![],
        )
        .await;
    let submit = shadow(&browser, "button.submit").await;
    browser.click(&submit).await;
    wait_for_success(&browser).await;
    let stored = app.stored("news").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].status.as_str(), "spam");
    assert!(stored[0].findings.iter().any(|f| f.code == "honeypot"));
    browser.close().await;
}

#[tokio::test]
async fn the_sites_own_posting_rules_stand_above_the_submit_button() {
    if !available("embed site rules") {
        return;
    }
    let app = spawn_app().await;
    let page = serve(article_page(&app.address, "news", "a-1", "ar"));
    let mut s = site("news");
    s.allowed_origins = vec![page.origin.clone()];
    s.rules_text.ar = "شروط موقعنا:\nلا سب ولا شتم.".into();
    app.add_site(s).await;
    let browser = Browser::launch(true, 390, 900).await;
    open_widget(&browser, &format!("{}/", page.origin)).await;
    let facts = browser
        .exec(
            &format!(
                "var r = {ROOT}; var p = r.querySelector('.rules p'), b = r.querySelector('button.submit');
                 return {{text: p.innerText, above: p.getBoundingClientRect().bottom <= b.getBoundingClientRect().top}};"
            ),
            vec![],
        )
        .await;
    assert_eq!(facts["text"], "شروط موقعنا:\nلا سب ولا شتم.", "{facts}");
    assert_eq!(facts["above"], true, "{facts}");
    browser.close().await;
}
