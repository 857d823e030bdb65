//! The moderator dashboard in a real browser: sign in, clear comments with
//! the keyboard, and see the approved one on the article's comment page.

use crate::helpers::{TestApp, site, spawn_app};
use crate::webdriver::{Browser, available};

const PASSWORD: &str = "a long enough passphrase";
const ENTER: &str = "\u{E007}";
const TAB: &str = "\u{E004}";
const ARROW_DOWN: &str = "\u{E015}";

async fn sign_in(app: &TestApp, browser: &Browser) {
    browser.goto(&app.url("/dashboard/login")).await;
    let email = browser.find("#email").await;
    browser.type_into(&email, "mod@news.example").await;
    let password = browser.find("#password").await;
    browser.type_into(&password, PASSWORD).await;
    browser.press(ENTER).await;
    browser
        .wait_for(
            "return document.querySelectorAll('.item').length > 0 && !!document.querySelector('.item.current');",
            "the queue with the first comment selected",
        )
        .await;
}

async fn items(browser: &Browser) -> u64 {
    browser
        .exec("return document.querySelectorAll('.item').length;", vec![])
        .await
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn a_moderator_approves_and_rejects_with_the_keyboard_and_the_comment_is_published() {
    if !available("dashboard keyboard") {
        return;
    }
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let id = app
        .create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    app.store.set_moderator_lang(&id, "ar").await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(app.submit("news", "a-1").await);
    }
    let browser = Browser::launch(true, 1280, 1000).await;
    sign_in(&app, &browser).await;
    let dir = browser
        .exec("return document.documentElement.dir;", vec![])
        .await;
    assert_eq!(dir, "rtl");
    assert_eq!(items(&browser).await, 4);
    browser.screenshot("dashboard-queue-ar").await;

    // a: approve the selected (oldest) comment; the next one is selected.
    browser.press("a").await;
    browser
        .wait_for(
            "return document.querySelectorAll('.item').length === 3;",
            "the approved comment to leave the list",
        )
        .await;
    let current = browser
        .exec(
            "return document.querySelector('.item.current').dataset.id;",
            vec![],
        )
        .await;
    assert_eq!(current, ids[1].as_str());

    // j then k: move down and back up.
    browser.press("jk").await;
    let current = browser
        .exec(
            "return document.querySelector('.item.current').dataset.id;",
            vec![],
        )
        .await;
    assert_eq!(current, ids[1].as_str());

    // r: the reason list takes focus; arrow down picks the first reason,
    // Tab to the note, type it, Enter sends.
    browser.press("r").await;
    browser.press(ARROW_DOWN).await;
    let reason = browser
        .exec("return document.activeElement.value;", vec![])
        .await;
    if reason == "" {
        // Some platforms open the list instead; choose the same reason.
        browser
            .exec("document.activeElement.value = 'insult';", vec![])
            .await;
    }
    browser.press(TAB).await;
    browser.press("off topic").await;
    browser.press(ENTER).await;
    browser
        .wait_for(
            "return document.querySelectorAll('.item').length === 2;",
            "the rejected comment to leave the list",
        )
        .await;

    let first = app.store.comment("news", &ids[0]).await.unwrap().unwrap();
    assert_eq!(first.status, "published");
    let second = app.store.comment("news", &ids[1]).await.unwrap().unwrap();
    assert_eq!(second.status, "rejected");
    let audit = app.store.audit_for_comment("news", &ids[1]).await.unwrap();
    let (last, _) = audit.last().unwrap();
    assert_eq!(last.actor_kind, "moderator");
    assert_eq!(last.reason.as_deref(), Some("insult"));
    assert_eq!(last.note.as_deref(), Some("off topic"));

    // English, through the language button.
    let switch = browser.find("form[action='/dashboard/lang'] button").await;
    browser.click(&switch).await;
    browser
        .wait_for(
            "return document.documentElement.dir === 'ltr' && document.querySelectorAll('.item').length === 2;",
            "the queue in English",
        )
        .await;
    browser.screenshot("dashboard-queue-en").await;

    // The approved comment is on the article's comment page; the rejected one is not.
    browser.goto(&app.url("/embed/news/a-1")).await;
    let text = browser.page_text().await;
    assert!(text.contains(&first.body), "{text}");
    assert!(!text.contains(&second.body));
    browser.close().await;
}

#[tokio::test]
async fn without_javascript_every_action_is_a_plain_form() {
    if !available("dashboard without js") {
        return;
    }
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    let id = app.submit("news", "a-1").await;
    let browser = Browser::launch(false, 1280, 900).await;
    browser.goto(&app.url("/dashboard/login")).await;
    let email = browser.find("#email").await;
    browser.type_into(&email, "mod@news.example").await;
    let password = browser.find("#password").await;
    browser.type_into(&password, PASSWORD).await;
    let submit = browser.find("form button[type=submit]").await;
    browser.click(&submit).await;
    // Signed in: the queue, not the login page still on screen.
    browser
        .wait_for_url("the queue after signing in", |u| u.ends_with("/dashboard"))
        .await;
    let approve = browser.find("form.approve button").await;
    browser.click(&approve).await;
    browser.wait_for_text("Done.").await;
    let c = app.store.comment("news", &id).await.unwrap().unwrap();
    assert_eq!(c.status, "published");
    browser.close().await;
}

#[tokio::test]
async fn a_queue_of_fifty_is_cleared_with_the_keyboard_alone() {
    if !available("dashboard fifty") {
        return;
    }
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    for _ in 0..50 {
        app.submit("news", "a-1").await;
    }
    let browser = Browser::launch(true, 1280, 1000).await;
    sign_in(&app, &browser).await;
    assert_eq!(items(&browser).await, 50);
    let started = std::time::Instant::now();
    for _ in 0..50 {
        browser.press("a").await;
    }
    browser
        .wait_for(
            "return document.querySelector('.empty') !== null;",
            "the empty queue after fifty approvals",
        )
        .await;
    eprintln!(
        "fifty keyboard approvals took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let published = app
        .store
        .queue(
            "news",
            majlis::domain::CommentStatus::Published,
            majlis::storage::Order::Oldest,
            100,
            None,
        )
        .await
        .unwrap();
    assert_eq!(published.len(), 50);
    for c in &published {
        let audit = app.store.audit_for_comment("news", &c.id).await.unwrap();
        assert_eq!(audit.last().unwrap().0.action, "approve");
        assert_eq!(audit.last().unwrap().0.actor_kind, "moderator");
    }
    browser.close().await;
}
