//! What a reader and an embedder hit in the browser (issue #17): where the
//! thank-you appears, the terms label, the rules, red fields, the counter's
//! plurals, the dark theme's contrast, host theming and a refused origin.

use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app};
use crate::host::{HostSite, article_page, serve};
use crate::webdriver::{Browser, available};
use majlis::domain::Lang;

const ROOT: &str = "document.querySelector('.majlis-host').shadowRoot";

/// A site whose allowed origin is a fresh host page serving `html(majlis)`.
async fn app_and_page(html: impl FnOnce(&str) -> String) -> (TestApp, HostSite) {
    let app = spawn_app().await;
    let page = serve(html(&app.address));
    let mut s = site("news");
    s.allowed_origins = vec![page.origin.clone()];
    app.add_site(s).await;
    (app, page)
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

/// WCAG contrast ratio of two `rgb(r, g, b)` colours.
fn contrast(a: &str, b: &str) -> f64 {
    fn luminance(c: &str) -> f64 {
        let parts: Vec<f64> = c
            .trim_start_matches("rgba(")
            .trim_start_matches("rgb(")
            .trim_end_matches(')')
            .split(',')
            .take(3)
            .map(|p| p.trim().parse::<f64>().unwrap() / 255.0)
            .map(|v| {
                if v <= 0.03928 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            })
            .collect();
        0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]
    }
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[tokio::test]
async fn on_a_phone_the_thank_you_takes_the_forms_place_with_focus_after_ticking_terms_by_their_words()
 {
    if !available("reader thank-you") {
        return;
    }
    for (lang, width, height) in [("ar", 390, 800), ("en", 1280, 1000), ("en", 390, 800)] {
        thank_you_in_place(lang, width, height).await;
    }
}

async fn thank_you_in_place(lang: &str, width: u32, height: u32) {
    let l = Lang::parse(lang).unwrap();
    let t = |k: &str| majlis::i18n::t(l, k).to_string();
    let (app, page) = app_and_page(|m| article_page(m, "news", "a-1", lang)).await;
    let browser = Browser::launch(true, width, height).await;
    open_widget(&browser, &format!("{}/", page.origin)).await;
    let (_, answer) = app.latest_captcha().unwrap();
    for (css, text) in [
        ("input[name=name]", "ليلى"),
        ("input[name=email]", "layla@example.com"),
        ("input[name=title]", "شكرًا على التغطية"),
        ("textarea", "تغطية ممتازة للأحداث."),
        ("input[name=captcha_answer]", answer.as_str()),
    ] {
        let el = shadow(&browser, css).await;
        browser.type_into(&el, text).await;
    }
    // The words tick the box; the link beside them is a separate "(read)".
    let label = shadow(&browser, ".check label").await;
    browser.click(&label).await;
    let terms = browser
        .exec(
            &format!(
                "var r = {ROOT}; var c = r.querySelector('.check');
                 return {{checked: r.querySelector('input[type=checkbox]').checked,
                          labelLinks: c.querySelectorAll('label a').length,
                          read: c.querySelector('a').textContent}};"
            ),
            vec![],
        )
        .await;
    assert_eq!(terms["checked"], true);
    assert_eq!(terms["labelLinks"], 0);
    assert_eq!(terms["read"], t("form.terms_read"));
    // The rules sit just above the submit button.
    let rules = browser
        .exec(
            &format!(
                "var s = {ROOT}.querySelector('button.submit'); var p = s.previousElementSibling;
                 return p.classList.contains('rules') && p.textContent;"
            ),
            vec![],
        )
        .await;
    assert!(
        rules.as_str().unwrap().contains(&t("form.rules")),
        "{rules}"
    );
    let submit = shadow(&browser, "button.submit").await;
    browser.click(&submit).await;
    let done = browser
        .wait_for(
            &format!(
                "var r = {ROOT}; var d = r.querySelector('.success');
                 if (!d || d.hidden) return false;
                 var b = d.getBoundingClientRect();
                 return {{text: d.querySelector('p').textContent, role: d.getAttribute('role'),
                          focused: r.activeElement === d, formHidden: r.querySelector('form').hidden,
                          top: b.top, bottom: b.bottom, height: innerHeight}};"
            ),
            "the thank-you message",
        )
        .await;
    assert_eq!(done["text"], t("form.received"));
    assert_eq!(done["role"], "status");
    assert_eq!(done["focused"], true);
    assert_eq!(done["formHidden"], true);
    let (top, bottom, height) = (
        done["top"].as_f64().unwrap(),
        done["bottom"].as_f64().unwrap(),
        done["height"].as_f64().unwrap(),
    );
    assert!(
        top >= 0.0 && bottom <= height,
        "off screen: {top}..{bottom} of {height}"
    );
    browser
        .screenshot(&format!("reader-{lang}-{width}-thank-you"))
        .await;
    assert_eq!(app.stored_count("news").await, 1);
    browser.close().await;
}

#[tokio::test]
async fn invalid_fields_turn_red_and_the_counter_speaks_arabic_plurals_as_the_server_counts() {
    if !available("reader red fields and plurals") {
        return;
    }
    let (_app, page) = app_and_page(|m| article_page(m, "news", "a-1", "ar")).await;
    let browser = Browser::launch(true, 1280, 1000).await;
    open_widget(&browser, &format!("{}/", page.origin)).await;
    let submit = shadow(&browser, "button.submit").await;
    browser.click(&submit).await;
    let borders = browser
        .wait_for(
            &format!(
                "var r = {ROOT}; if (r.querySelectorAll('[aria-invalid=true]').length < 4) return false;
                 return ['name', 'email', 'title', 'body'].map(function (n) {{
                   return getComputedStyle(r.querySelector('[name=' + n + ']')).borderTopColor; }});"
            ),
            "field errors",
        )
        .await;
    for b in borders.as_array().unwrap() {
        assert_eq!(b, "rgb(179, 38, 30)", "{borders}");
    }
    for text in [
        String::new(),
        "ab".into(),
        "x".repeat(1995),
        "x".repeat(1998),
        "x".repeat(1989),
        "x".repeat(1900),
        "x".repeat(2000),
        "x".repeat(2001),
        "x".repeat(2002),
        "x".repeat(2015),
        "\u{FEFF}نص\u{FEFF}".into(),
        "\u{85}نص\u{85}".into(),
    ] {
        let shown = browser
            .exec(
                &format!(
                    "var r = {ROOT}; var t = r.querySelector('textarea'); t.value = arguments[0];
                     t.dispatchEvent(new Event('input')); return r.querySelector('.left').textContent;"
                ),
                vec![json!(text)],
            )
            .await;
        let left =
            2000 - majlis::domain::count_chars(&majlis::domain::normalize_text(&text)) as i64;
        assert_eq!(
            shown,
            Value::from(majlis::i18n::chars_left(Lang::Ar, left)),
            "{} chars",
            text.chars().count()
        );
    }
    browser.close().await;
}

#[tokio::test]
async fn the_plain_form_turns_invalid_fields_red_and_counts_in_its_language() {
    if !available("reader plain form") {
        return;
    }
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let browser = Browser::launch(true, 1280, 1400).await;
    browser.goto(&app.url("/embed/news/a-1?lang=ar")).await;
    let submit = browser.find("form.majlis-form button.majlis-send").await;
    browser.click(&submit).await;
    let border = browser
        .wait_for(
            "var n = document.querySelector('#majlis-name[aria-invalid=true]'); return n && getComputedStyle(n).borderTopColor;",
            "the form again with errors",
        )
        .await;
    assert_eq!(border, "rgb(179, 38, 30)");
    for text in ["", "\u{FEFF}ab", &"x".repeat(1997), &"x".repeat(2011)] {
        let shown = browser
            .exec(
                "var t = document.querySelector('#majlis-body'); t.value = arguments[0];
                 t.dispatchEvent(new Event('input')); return document.querySelector('#majlis-body-left').textContent;",
                vec![json!(text)],
            )
            .await;
        let left = 2000 - majlis::domain::count_chars(&majlis::domain::normalize_text(text)) as i64;
        assert_eq!(
            shown,
            Value::from(majlis::i18n::chars_left(Lang::Ar, left)),
            "{text:?}"
        );
    }
    browser.close().await;
}

#[tokio::test]
async fn the_dark_submit_button_is_readable_and_hosts_can_set_accent_and_font() {
    if !available("reader theming") {
        return;
    }
    let (_app, page) = app_and_page(|m| {
        article_page(m, "news", "a-1", "en")
            .replace("data-lang=\"en\"", "data-lang=\"en\" data-theme=\"dark\"")
    })
    .await;
    let browser = Browser::launch(true, 1280, 1000).await;
    open_widget(&browser, &format!("{}/", page.origin)).await;
    let colours = browser
        .exec(
            &format!(
                "var s = getComputedStyle({ROOT}.querySelector('button.submit'));
                 return [s.color, s.backgroundColor];"
            ),
            vec![],
        )
        .await;
    let ratio = contrast(colours[0].as_str().unwrap(), colours[1].as_str().unwrap());
    eprintln!("dark submit button contrast: {ratio:.1}:1 ({colours})");
    assert!(ratio >= 4.5, "{ratio:.2}:1 {colours}");

    // A host sets its accent and font on the host element.
    let themed = browser
        .exec(
            &format!(
                "var h = document.querySelector('.majlis-host');
                 h.style.setProperty('--majlis-accent', '#7a1fa2');
                 h.style.setProperty('--majlis-on-accent', '#ffffff');
                 h.style.setProperty('--majlis-font', 'Georgia, serif');
                 var r = {ROOT}; var s = getComputedStyle(r.querySelector('button.submit'));
                 return {{bg: s.backgroundColor, fg: s.color, font: getComputedStyle(r.querySelector('section')).fontFamily}};"
            ),
            vec![],
        )
        .await;
    assert_eq!(themed["bg"], "rgb(122, 31, 162)");
    assert_eq!(themed["fg"], "rgb(255, 255, 255)");
    assert!(themed["font"].as_str().unwrap().starts_with("Georgia"));
    browser.close().await;
}

#[tokio::test]
async fn an_embed_on_an_origin_not_allowed_names_the_origin_to_add() {
    if !available("reader refused origin") {
        return;
    }
    for (lang, width, height) in [("en", 1280, 1000), ("ar", 390, 800)] {
        refused_origin(lang, width, height).await;
    }
}

async fn refused_origin(lang: &str, width: u32, height: u32) {
    let app = spawn_app().await;
    let mut s = site("news");
    s.allowed_origins = vec!["https://news.example".into()];
    app.add_site(s).await;
    let page = serve(article_page(&app.address, "news", "a-1", lang));
    let browser = Browser::launch(true, width, height).await;
    browser.goto(&format!("{}/", page.origin)).await;
    let shown = browser
        .wait_for(
            &format!(
                "var h = document.querySelector('.majlis-host'); var b = h && h.shadowRoot && {ROOT}.querySelector('.blocked');
                 return b && {{text: b.textContent, visible: b.getBoundingClientRect().height > 0, form: !!{ROOT}.querySelector('form')}};"
            ),
            "the refused-origin message",
        )
        .await;
    let text = shown["text"].as_str().unwrap();
    assert!(text.contains(&page.origin), "{text}");
    assert!(
        text.contains(&format!("majlis site set news --origin {}", page.origin)),
        "{text}"
    );
    assert_eq!(shown["visible"], true);
    assert_eq!(shown["form"], false);
    // Everything but that answer stays refused by CORS.
    browser
        .exec(
            "window.__probe = 'pending'; fetch(arguments[0]).then(function () { window.__probe = 'allowed'; }, function () { window.__probe = 'refused'; });",
            vec![json!(app.url("/api/v1/sites/news/articles/a-1/comments"))],
        )
        .await;
    let result = browser
        .wait_for(
            "return window.__probe !== 'pending' && window.__probe;",
            "the probe result",
        )
        .await;
    assert_eq!(result, "refused");
    browser
        .screenshot(&format!("reader-{lang}-{width}-refused-origin"))
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_long_list_offers_a_jump_to_the_form_and_the_last_load_more_leaves_focus_on_a_comment() {
    if !available("reader long list") {
        return;
    }
    let app = spawn_app().await;
    let page = serve(article_page(&app.address, "news", "a-1", "ar"));
    let mut s = site("news");
    s.allowed_origins = vec![page.origin.clone()];
    s.moderation_mode = majlis::domain::ModerationMode::Post;
    s.captcha = majlis::domain::CaptchaMode::Off;
    app.add_site(s).await;
    for _ in 0..21 {
        let body = app.valid_comment_without_captcha();
        assert_eq!(app.post_comment("news", "a-1", &body).await.status(), 201);
    }
    let browser = Browser::launch(true, 390, 800).await;
    browser.goto(&format!("{}/", page.origin)).await;
    browser
        .wait_for(
            "var h = document.querySelector('.majlis-host'); var r = h && h.shadowRoot;
             return r && r.querySelectorAll('.comment').length === 20 && !r.querySelector('.write').hidden;",
            "the first page of comments and the jump link",
        )
        .await;
    let order = browser
        .exec(
            &format!(
                "var r = {ROOT}; var w = r.querySelector('.write'), l = r.querySelector('.list');
                 return !!(w.compareDocumentPosition(l) & Node.DOCUMENT_POSITION_FOLLOWING) && w.textContent;"
            ),
            vec![],
        )
        .await;
    assert_eq!(order, "اكتب تعليقًا");
    let jump = shadow(&browser, ".write a").await;
    browser.click(&jump).await;
    let at_form = browser
        .exec(
            &format!(
                "var r = {ROOT}; var n = r.querySelector('input[name=name]'); var b = n.getBoundingClientRect();
                 return {{focused: r.activeElement === n, visible: b.top >= 0 && b.bottom <= innerHeight}};"
            ),
            vec![],
        )
        .await;
    assert_eq!(at_form["focused"], true);
    assert_eq!(at_form["visible"], true);

    let more = shadow(&browser, "button.more").await;
    browser.click(&more).await;
    let focus = browser
        .wait_for(
            &format!(
                "var r = {ROOT}; if (r.querySelectorAll('.comment').length < 21) return false;
                 var a = r.activeElement;
                 return {{moreHidden: r.querySelector('button.more').hidden,
                          onComment: !!a && a.classList.contains('comment'),
                          index: Array.prototype.indexOf.call(r.querySelectorAll('.comment'), a)}};"
            ),
            "the last page of comments",
        )
        .await;
    assert_eq!(focus["moreHidden"], true);
    assert_eq!(focus["onComment"], true, "{focus}");
    assert_eq!(focus["index"], 20);
    browser.close().await;
}

#[tokio::test]
async fn on_a_phone_the_reject_button_fits_its_card() {
    if !available("reader phone dashboard") {
        return;
    }
    const PASSWORD: &str = "a long enough passphrase";
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let id = app
        .create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    app.store.set_moderator_lang(&id, "ar").await.unwrap();
    app.submit("news", "a-1").await;
    let browser = Browser::launch(true, 390, 800).await;
    browser.goto(&app.url("/dashboard/login")).await;
    let email = browser.find("#email").await;
    browser.type_into(&email, "mod@news.example").await;
    let password = browser.find("#password").await;
    browser.type_into(&password, PASSWORD).await;
    browser.press("\u{E007}").await;
    let fits = browser
        .wait_for(
            "var i = document.querySelector('.item'); var b = i && i.querySelector('.reject button');
             if (!b) return false;
             // Headless Chromium keeps windows at least ~500 px wide: lay the
             // page out at a phone's 390 px instead.
             document.documentElement.style.width = '390px';
             var c = i.getBoundingClientRect(), r = b.getBoundingClientRect();
             return {inside: r.left >= c.left && r.right <= c.right, card: c.width};",
            "the queue",
        )
        .await;
    assert_eq!(fits["inside"], true, "{fits}");
    assert!(fits["card"].as_f64().unwrap() <= 390.0, "{fits}");
    browser.screenshot("reader-dashboard-ar-390").await;

    browser.close().await;
}

#[tokio::test]
async fn the_plain_form_keeps_the_terms_box_by_its_label_and_asks_for_a_new_code_keeping_the_input()
{
    if !available("reader plain form new code") {
        return;
    }
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let browser = Browser::launch(true, 390, 900).await;
    browser.goto(&app.url("/embed/news/a-1?lang=ar")).await;
    let submit = browser.find("form.majlis-form button.majlis-send").await;
    browser.click(&submit).await;
    browser
        .wait_for(
            "return !!document.querySelector('#majlis-terms-error');",
            "the terms error",
        )
        .await;
    // The box stays beside its words when the error shows under them.
    let gap = browser
        .exec(
            "var b = document.querySelector('#majlis-terms').getBoundingClientRect();
             var l = document.querySelector('label[for=majlis-terms]').getBoundingClientRect();
             var h = Math.max(l.left - b.right, b.left - l.right);
             var v = Math.abs((b.top + b.bottom) / 2 - (l.top + l.bottom) / 2);
             return [h, v];",
            vec![],
        )
        .await;
    let (h, v) = (gap[0].as_f64().unwrap(), gap[1].as_f64().unwrap());
    assert!(
        h <= 24.0 && v <= 16.0,
        "box {h} px across, {v} px down from its label"
    );
    let old = browser
        .exec(
            "return document.querySelector('input[name=captcha_id]').value;",
            vec![],
        )
        .await;
    let name = browser.find("#majlis-name").await;
    browser.type_into(&name, "سارة").await;
    let new_code = browser
        .find("form.majlis-form button.majlis-new-code")
        .await;
    browser.click(&new_code).await;
    let fresh = browser
        .wait_for(
            &format!(
                "var i = document.querySelector('input[name=captcha_id]');
                 return i && i.value !== {old} && i.value;"
            ),
            "a new code",
        )
        .await;
    assert_ne!(fresh, old);
    let kept = browser
        .exec(
            "return [document.querySelector('#majlis-name').value, document.querySelectorAll('.majlis-error').length];",
            vec![],
        )
        .await;
    assert_eq!(kept, json!(["سارة", 0]));
    assert_eq!(app.stored_count("news").await, 0);
    browser.close().await;
}

#[tokio::test]
async fn an_iframe_embed_is_sized_to_its_content_by_the_height_message() {
    if !available("reader iframe height") {
        return;
    }
    let app = spawn_app().await;
    let majlis = app.address.clone();
    let page = serve(format!(
        r#"<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>مقال</title></head>
<body><h1>مقال تجريبي</h1>
<iframe id="majlis-frame" src="{majlis}/embed/news/a-1?lang=ar" title="التعليقات" style="width:100%;height:900px;border:0"></iframe>
<script>
addEventListener("message", function (e) {{
  if (e.origin === "{majlis}" && e.data && e.data.type === "majlis:height")
    document.getElementById("majlis-frame").style.height = e.data.height + "px";
}});
</script></body></html>"#
    ));
    let mut s = site("news");
    s.allowed_origins = vec![page.origin.clone()];
    app.add_site(s).await;
    let browser = Browser::launch(true, 1280, 900).await;
    browser.goto(&page.origin).await;
    browser
        .wait_for(
            "return document.getElementById('majlis-frame').style.height !== '900px';",
            "the frame resized by its content",
        )
        .await;
    // The frame's height follows its content: read both until they agree
    // (the content may still settle after the first message).
    let frame = browser.find("#majlis-frame").await;
    let mut tries = 0;
    loop {
        browser.enter_frame(&frame).await;
        let content = browser
            .exec(
                "return Math.ceil(document.documentElement.scrollHeight);",
                vec![],
            )
            .await;
        browser.leave_frame().await;
        let height = browser
            .exec(
                "return parseInt(document.getElementById('majlis-frame').style.height, 10);",
                vec![],
            )
            .await;
        if height == content {
            break;
        }
        tries += 1;
        assert!(tries < 50, "frame {height} px, content {content} px");
        browser
            .wait_for(
                &format!(
                    "return parseInt(document.getElementById('majlis-frame').style.height, 10) !== {height};"
                ),
                "the next height message",
            )
            .await;
    }
    browser.close().await;
}
