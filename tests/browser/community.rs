//! Conversation in a real browser, in Arabic: a reader replies to a
//! comment, another reports it, and a moderator sees both in the dashboard
//! and takes the comment down.

use serde_json::Value;

use crate::helpers::{site, spawn_app};
use crate::host::{article_page, serve};
use crate::webdriver::{Browser, available};

const ROOT: &str = "document.querySelector('.majlis-host').shadowRoot";
const PASSWORD: &str = "a long enough passphrase";
const ENTER: &str = "\u{E007}";

#[tokio::test]
async fn a_reader_replies_another_reports_and_a_moderator_acts_in_arabic() {
    if !available("replies and reports") {
        return;
    }
    let app = spawn_app().await;
    let page = serve(article_page(&app.address, "news", "a-1", "ar"));
    let mut s = site("news");
    s.allowed_origins = vec![page.origin.clone()];
    s.moderation_mode = majlis::domain::ModerationMode::Post;
    app.add_site(s).await;
    let first: Value = app
        .post_comment("news", "a-1", &app.valid_comment("news").await)
        .await
        .json()
        .await
        .unwrap();
    let first = first["id"].as_str().unwrap().to_string();

    let browser = Browser::launch(true, 1280, 1000).await;
    browser.goto(&format!("{}/", page.origin)).await;
    browser
        .wait_for(
            &format!("var h = document.querySelector('.majlis-host'); return !!(h && h.shadowRoot && {ROOT}.querySelector('.acts button') && {ROOT}.querySelector('form img[src^=\"data:\"]'));"),
            "the comment with its buttons and the form's code",
        )
        .await;
    let (_, answer) = app.latest_captcha().unwrap();

    // A reader answers the comment: the form moves under it and says so.
    let reply = browser
        .element_by_script(&format!("return Array.from({ROOT}.querySelectorAll('.acts button')).find(function (b) {{ return b.textContent === 'ردّ'; }});"))
        .await;
    browser.click(&reply).await;
    browser
        .wait_for(
            &format!("var h = {ROOT}.querySelector('.comment form h2'); return !!h && h.textContent === 'الرد على أحمد';"),
            "the reply form under the comment",
        )
        .await;
    for (name, text) in [
        ("name", "سلمى"),
        ("email", "salma@example.com"),
        ("title", "أتفق معك"),
        ("body", "أتفق معك تمامًا في ما كتبت عن الموازنة."),
        ("captcha_answer", answer.as_str()),
    ] {
        let input = browser
            .element_by_script(&format!(
                "return {ROOT}.querySelector('form [name={name}]');"
            ))
            .await;
        browser.type_into(&input, text).await;
    }
    let terms = browser
        .element_by_script(&format!(
            "return {ROOT}.querySelector('form [name=accept_terms]');"
        ))
        .await;
    browser.click(&terms).await;
    let send = browser
        .element_by_script(&format!(
            "return {ROOT}.querySelector('form button.submit');"
        ))
        .await;
    browser.click(&send).await;
    // Published at once on this site: it shows under its parent.
    browser
        .wait_for(
            &format!("var r = {ROOT}.querySelector('.replies .comment'); return !!r && r.textContent.indexOf('أتفق معك تمامًا') >= 0;"),
            "the reply under its parent",
        )
        .await;

    // Another reader reports the comment, with a reason and a code.
    let report = browser
        .element_by_script(&format!("return Array.from({ROOT}.querySelectorAll('.acts button')).find(function (b) {{ return b.textContent === 'إبلاغ'; }});"))
        .await;
    browser.click(&report).await;
    browser
        .wait_for(
            &format!("var f = {ROOT}.querySelector('form.report'); return !!f && !!f.querySelector('img[src^=\"data:\"]') && f.textContent.indexOf('شتائم أو إساءة') >= 0;"),
            "the report form with its reasons and code",
        )
        .await;
    let (_, code) = app.latest_captcha().unwrap();
    let insult = browser
        .element_by_script(&format!(
            "return {ROOT}.querySelector('form.report input[value=insult]');"
        ))
        .await;
    browser.click(&insult).await;
    let note = browser
        .element_by_script(&format!(
            "return {ROOT}.querySelector('form.report textarea');"
        ))
        .await;
    browser.type_into(&note, "يسيء إلى الكاتب").await;
    let code_in = browser
        .element_by_script(&format!(
            "return {ROOT}.querySelector('form.report input[type=text]');"
        ))
        .await;
    browser.type_into(&code_in, &code).await;
    let send = browser
        .element_by_script(&format!(
            "return {ROOT}.querySelector('form.report button.submit');"
        ))
        .await;
    browser.click(&send).await;
    browser
        .wait_for(
            &format!("return {ROOT}.textContent.indexOf('شكرًا لك: سيراجع المشرفون') >= 0;"),
            "the thank-you for the report",
        )
        .await;
    browser.screenshot("community-ar-reply-and-report").await;

    // The moderator sees the report and the reply with its parent, and
    // rejects the reported comment: its reply leaves public view with it.
    let id = app
        .create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    app.store.set_moderator_lang(&id, "ar").await.unwrap();
    browser.goto(&app.url("/dashboard/login")).await;
    let email = browser.find("#email").await;
    browser.type_into(&email, "mod@news.example").await;
    let password = browser.find("#password").await;
    browser.type_into(&password, PASSWORD).await;
    browser.press(ENTER).await;
    browser
        .wait_for_url("the dashboard", |u| u.ends_with("/dashboard"))
        .await;
    browser.goto(&app.url("/dashboard?tab=published")).await;
    browser
        .wait_for(
            "var p = document.querySelector('.item .parent'); return !!p && p.textContent.indexOf('مقال ممتاز') >= 0;",
            "the reply quoting its parent",
        )
        .await;
    browser.goto(&app.url("/dashboard/reported")).await;
    browser
        .wait_for(
            &format!("var i = document.getElementById('r-{first}'); return !!i && i.textContent.indexOf('شتائم أو إساءة × 1') >= 0 && i.textContent.indexOf('يسيء إلى الكاتب') >= 0;"),
            "the reported comment with its reason and note",
        )
        .await;
    browser.screenshot("community-ar-reported-tab").await;
    browser
        .exec(
            &format!("document.querySelector('#r-{first} select[name=reason]').value = 'insult';"),
            vec![],
        )
        .await;
    let reject = browser.find(&format!("#r-{first} button.reject")).await;
    browser.click(&reject).await;
    browser
        .wait_for(
            "return document.body.textContent.indexOf('لا توجد بلاغات مفتوحة.') >= 0;",
            "the Reported tab emptied",
        )
        .await;
    let list = app.published("news", "a-1").await;
    assert_eq!(list["comments"], serde_json::json!([]));
    browser.close().await;
}

#[tokio::test]
async fn a_reader_likes_a_comment_sees_the_count_and_takes_the_like_back_in_arabic() {
    if !available("likes") {
        return;
    }
    let app = spawn_app().await;
    let page = serve(article_page(&app.address, "news", "a-1", "ar"));
    let mut s = site("news");
    s.allowed_origins = vec![page.origin.clone()];
    s.moderation_mode = majlis::domain::ModerationMode::Post;
    s.likes = true;
    app.add_site(s).await;
    let resp = app
        .post_comment("news", "a-1", &app.valid_comment("news").await)
        .await;
    // Published at once on this post-moderated site.
    assert_eq!(resp.status(), 201);

    let browser = Browser::launch(true, 1280, 1000).await;
    browser.goto(&format!("{}/", page.origin)).await;
    let like = format!(
        "var h = document.querySelector('.majlis-host'); if (!h || !h.shadowRoot) return null; \
         return Array.from({ROOT}.querySelectorAll('.acts button')).find(function (b) {{ return b.textContent.indexOf('أعجبني') === 0; }}) || null;"
    );
    browser
        .wait_for(
            &format!("var b = (function () {{ {like} }})(); return !!b && b.textContent === 'أعجبني 0' && b.getAttribute('aria-pressed') === 'false';"),
            "the like button with no likes",
        )
        .await;
    press(
        &browser,
        &like,
        "b.textContent === 'أعجبني 1' && b.getAttribute('aria-pressed') === 'true'",
        "the count after the like, the button pressed",
    )
    .await;
    assert_eq!(
        app.texts("SELECT ip_hash FROM comment_likes").await.len(),
        1
    );
    browser.screenshot("likes-ar-liked").await;

    // A new visit shows the count once the list catches up (within the lag).
    let deadline =
        std::time::Instant::now() + majlis::service::LIKES_LAG + std::time::Duration::from_secs(10);
    loop {
        browser.goto(&format!("{}/", page.origin)).await;
        let text = browser
            .wait_for(
                &format!("var b = (function () {{ {like} }})(); return b ? b.textContent : null;"),
                "the like button after a reload",
            )
            .await;
        if text == "أعجبني 1" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the count never showed after a reload: {text}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // This reader liked it already: the first press answers "already liked"
    // and only marks the button; the next takes the like back.
    press(
        &browser,
        &like,
        "!b.disabled && b.getAttribute('aria-pressed') === 'true'",
        "the button marked as liked",
    )
    .await;
    press(
        &browser,
        &like,
        "b.textContent === 'أعجبني 0' && b.getAttribute('aria-pressed') === 'false'",
        "the count after taking the like back",
    )
    .await;
    assert!(
        app.texts("SELECT ip_hash FROM comment_likes")
            .await
            .is_empty()
    );
    browser.close().await;
}

/// Press the button `find` (a script) returns, then wait until `state` (a
/// script expression over that button, `b`) holds.
async fn press(browser: &Browser, find: &str, state: &str, what: &str) {
    let button = browser.element_by_script(find).await;
    browser.click(&button).await;
    browser
        .wait_for(
            &format!("var b = (function () {{ {find} }})(); return !!b && {state};"),
            what,
        )
        .await;
}
