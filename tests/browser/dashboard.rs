//! The moderator dashboard in a real browser: sign in, clear comments with
//! the keyboard, and see the approved one on the article's comment page.

use crate::helpers::{TestApp, site, spawn_app, spawn_app_with};
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
    // Decisions are sent at once here; the undo window has its own test.
    let app = spawn_app_with(|s| s.dashboard.undo_secs = 0).await;
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
    // The pending tab's count follows without a reload.
    browser
        .wait_for(
            "return document.querySelector('.tabs a[data-tab=pending] .count').textContent === '3';",
            "the pending count to drop to 3",
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
    assert_eq!(first.status.as_str(), "published");
    let second = app.store.comment("news", &ids[1]).await.unwrap().unwrap();
    assert_eq!(second.status.as_str(), "rejected");
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
    assert_eq!(c.status.as_str(), "published");
    browser.close().await;
}

#[tokio::test]
async fn a_queue_of_fifty_is_cleared_with_the_keyboard_alone() {
    if !available("dashboard fifty") {
        return;
    }
    let app = spawn_app_with(|s| s.dashboard.undo_secs = 0).await;
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

#[tokio::test]
async fn the_settings_form_puts_every_label_above_its_control_on_a_phone_and_a_desktop() {
    if !available("dashboard settings layout") {
        return;
    }
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let id = app
        .create_moderator("mod@news.example", "admin", &["news"], PASSWORD)
        .await;
    app.submit("news", "a-1").await;
    for lang in ["ar", "en"] {
        app.store.set_moderator_lang(&id, lang).await.unwrap();
        for width in [390, 1280] {
            let browser = Browser::launch(true, width, 1000).await;
            sign_in(&app, &browser).await;
            browser
                .goto(&app.url("/dashboard/settings?site=news"))
                .await;
            // For every label: its words on one band, its control below them,
            // the control at least as wide as most of the form.
            let bad = browser
                .exec(
                    "var form = document.querySelector('form.settings');
                     var fw = form.getBoundingClientRect().width;
                     var bad = [];
                     form.querySelectorAll(':scope > label:not(.check)').forEach(function (l) {
                       var c = l.querySelector('input, select, textarea');
                       var r = document.createRange();
                       r.setStart(l, 0); r.setEndBefore(c);
                       var words = r.getBoundingClientRect(), box = c.getBoundingClientRect();
                       if (!(box.top >= words.bottom - 1 && box.width >= fw * 0.6 && words.height < 40))
                         bad.push(c.name + ' ' + JSON.stringify([words.top, words.bottom, words.height, box.top, box.width, fw]));
                     });
                     return bad;",
                    vec![],
                )
                .await;
            assert_eq!(bad, serde_json::json!([]), "{lang} at {width} px");
            let overflow = browser
                .exec(
                    "return document.documentElement.scrollWidth > window.innerWidth;",
                    vec![],
                )
                .await;
            assert_eq!(overflow, false, "{lang} at {width} px scrolls sideways");
            if width == 1280 {
                browser
                    .screenshot(&format!("dashboard-settings-{lang}"))
                    .await;
                for page in ["audit", "stats"] {
                    browser.goto(&app.url(&format!("/dashboard/{page}"))).await;
                    browser
                        .screenshot(&format!("dashboard-{page}-{lang}"))
                        .await;
                }
            }
            browser.close().await;
        }
    }
}

/// Polls the store until the comment has `status` (bounded).
async fn wait_for_status(app: &TestApp, id: &str, status: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let c = app.store.comment("news", id).await.unwrap().unwrap();
        if c.status.as_str() == status {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{id} is still {}",
            c.status.as_str()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_decision_can_be_undone_and_a_held_comment_asks_for_a_second_key_press() {
    if !available("dashboard undo") {
        return;
    }
    // A window far longer than the test: only undo or leaving the page ends it.
    let app = spawn_app_with(|s| s.dashboard.undo_secs = 3600).await;
    app.add_site(site("news")).await;
    let id = app
        .create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    app.store.set_moderator_lang(&id, "ar").await.unwrap();
    let plain = app.submit("news", "a-1").await;
    let mut held = app.valid_comment("news").await;
    held["body"] = "الكاتب حقير ولا يفهم شيئا".into();
    let resp = app.post_comment("news", "a-1", &held).await;
    assert_eq!(resp.status(), 202);
    let held: serde_json::Value = resp.json().await.unwrap();
    let held = held["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.store
            .comment("news", &held)
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str(),
        "held"
    );
    let browser = Browser::launch(true, 1280, 1000).await;
    sign_in(&app, &browser).await;

    // a: the comment leaves the list and the undo offer shows; u puts it back.
    browser.press("a").await;
    browser
        .wait_for(
            "var t = document.getElementById('toast'); return !t.hidden && document.querySelectorAll('.item').length === 0 && t.textContent;",
            "the undo offer",
        )
        .await;
    browser.press("u").await;
    let back = browser
        .wait_for(
            "var c = document.querySelector('.item.current'); return document.querySelectorAll('.item').length === 1 && document.getElementById('toast').hidden && c && c.dataset.id;",
            "the comment back in the list, selected",
        )
        .await;
    assert_eq!(back, plain.as_str());
    assert_eq!(
        app.store
            .comment("news", &plain)
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str(),
        "pending",
        "an undone decision never reaches the server"
    );

    // The held tab: the first a only asks; the second publishes.
    browser.goto(&app.url("/dashboard?tab=held")).await;
    browser
        .wait_for(
            "var c = document.querySelector('.item.current'); return c && c.dataset.id;",
            "the held comment selected",
        )
        .await;
    browser.press("a").await;
    let ask = browser
        .wait_for(
            "var c = document.querySelector('.item.current .confirm'); return c && c.textContent;",
            "the second-key-press prompt",
        )
        .await;
    assert!(ask.as_str().unwrap().contains("a"), "{ask}");
    assert_eq!(
        browser
            .exec("return document.querySelectorAll('.item').length;", vec![])
            .await,
        1
    );
    browser.press("a").await;
    browser
        .wait_for(
            "return document.querySelectorAll('.item').length === 0 && document.body.getAttribute('data-waiting') === '1';",
            "the held comment waiting to be published",
        )
        .await;

    // Leaving the page sends what waits.
    browser.goto(&app.url("/dashboard/audit")).await;
    wait_for_status(&app, &held, "published").await;
    assert_eq!(
        app.store
            .comment("news", &plain)
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str(),
        "pending"
    );
    browser.close().await;
}

#[tokio::test]
async fn a_moderator_follows_the_audit_log_to_a_rejection_and_its_authors_history() {
    if !available("dashboard audit and author history") {
        return;
    }
    let app = spawn_app_with(|s| s.dashboard.undo_secs = 0).await;
    app.add_site(site("news")).await;
    let id = app
        .create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    let mut c = app.valid_comment("news").await;
    c["email"] = "someone@reader.example".into();
    c["title"] = "عنوان للمتابعة".into();
    let resp = app.post_comment("news", "a-1", &c).await;
    assert_eq!(resp.status(), 202);
    let v: serde_json::Value = resp.json().await.unwrap();
    let rejected = v["id"].as_str().unwrap().to_string();
    // A second comment keeps the queue from being empty at sign-in.
    app.submit("news", "a-1").await;
    let dash = app.login("mod@news.example", PASSWORD).await;
    let resp = dash
        .post(
            &format!("/dashboard/comments/news/{rejected}/reject"),
            &[("reason", "insult"), ("note", "rude")],
        )
        .await;
    assert_eq!(resp.status(), 303);
    for lang in ["ar", "en"] {
        app.store.set_moderator_lang(&id, lang).await.unwrap();
        for width in [390, 1280] {
            let browser = Browser::launch(true, width, 1000).await;
            sign_in(&app, &browser).await;
            browser.goto(&app.url("/dashboard/audit")).await;
            let overflow = browser
                .exec(
                    "return document.documentElement.scrollWidth > window.innerWidth;",
                    vec![],
                )
                .await;
            assert_eq!(
                overflow, false,
                "the audit log at {width} px in {lang} scrolls sideways"
            );
            // The audit row names the comment; its link opens it.
            let open = browser.find("td.about a.open").await;
            let title = browser
                .exec(
                    "return document.querySelector('td.about a.open').textContent;",
                    vec![],
                )
                .await;
            assert_eq!(title, "عنوان للمتابعة");
            browser.click(&open).await;
            browser
                .wait_for(
                    "return document.querySelectorAll('.item').length === 1 && !!document.querySelector('.item .decision');",
                    "the rejected comment with its decision",
                )
                .await;
            let decision = browser
                .exec(
                    "return document.querySelector('.item .decision').textContent;",
                    vec![],
                )
                .await;
            let decision = decision.as_str().unwrap();
            assert!(
                decision.contains("mod@news.example") && decision.contains("rude"),
                "{decision}"
            );
            let tab = browser
                .exec(
                    "return document.querySelector('.tabs a[aria-current=page]').dataset.tab;",
                    vec![],
                )
                .await;
            assert_eq!(tab, "rejected_by_moderator");
            if width == 1280 {
                browser
                    .screenshot(&format!("dashboard-decision-{lang}"))
                    .await;
            }
            // The author's name opens their history.
            let name = browser.find(".item a.name").await;
            browser.click(&name).await;
            browser
                .wait_for(
                    "return !!document.querySelector('ol.history li');",
                    "the author's history",
                )
                .await;
            let listed = browser
                .exec(
                    "return document.querySelector('ol.history li').dataset.id;",
                    vec![],
                )
                .await;
            assert_eq!(listed, rejected.as_str());
            let overflow = browser
                .exec(
                    "return document.documentElement.scrollWidth > window.innerWidth;",
                    vec![],
                )
                .await;
            assert_eq!(overflow, false, "{lang} at {width} px scrolls sideways");
            browser
                .screenshot(&format!("dashboard-author-{lang}-{width}"))
                .await;
            browser.close().await;
        }
    }
}

#[tokio::test]
async fn on_a_phone_every_action_of_a_comment_stays_inside_its_card() {
    if !available("dashboard actions at 390 px") {
        return;
    }
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let id = app
        .create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    app.submit("news", "a-1").await;
    for lang in ["ar", "en"] {
        app.store.set_moderator_lang(&id, lang).await.unwrap();
        for width in [390, 1280] {
            let browser = Browser::launch(true, width, 1000).await;
            sign_in(&app, &browser).await;
            let outside = browser
                .exec(
                    "var out = [];
                     document.querySelectorAll('.item').forEach(function (card) {
                       var c = card.getBoundingClientRect();
                       card.querySelectorAll('.actions button, .actions select, .actions input:not([type=hidden])').forEach(function (b) {
                         var r = b.getBoundingClientRect();
                         if (r.left < c.left - 0.5 || r.right > c.right + 0.5) out.push(b.textContent || b.name);
                       });
                     });
                     return out;",
                    vec![],
                )
                .await;
            assert_eq!(outside, serde_json::json!([]), "{lang} at {width} px");
            let overflow = browser
                .exec(
                    "return document.documentElement.scrollWidth > window.innerWidth;",
                    vec![],
                )
                .await;
            assert_eq!(overflow, false, "{lang} at {width} px scrolls sideways");
            if width == 390 {
                browser
                    .screenshot(&format!("dashboard-queue-{lang}-390"))
                    .await;
            }
            browser.close().await;
        }
    }
}
