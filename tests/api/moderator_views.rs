//! What a moderator reads around a comment: the audit log names the comment
//! and its article and opens it; rejected comments say who rejected them
//! and why; an author's history gathers their comments and blocks.

use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app};

const PASSWORD: &str = "a long enough passphrase";

async fn app_with_moderator() -> TestApp {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    app
}

/// Submits a comment on `article` with that article's title; returns its id.
async fn submit_on(app: &TestApp, article: &str, title: &str, body: &str) -> (String, Value) {
    let mut c = app.valid_comment("news").await;
    c["article_url"] = json!(format!("https://news.example/{article}"));
    c["article_title"] = json!("Rain over Cairo");
    c["title"] = json!(title);
    c["body"] = json!(body);
    let resp = app.post_comment("news", article, &c).await;
    assert_eq!(resp.status(), 202, "{}", resp.text().await.unwrap());
    let v: Value = resp.json().await.unwrap();
    (v["id"].as_str().unwrap().to_string(), c)
}

#[tokio::test]
async fn the_audit_log_shows_each_comments_title_excerpt_and_article_and_opens_it() {
    let app = app_with_moderator().await;
    let long = format!("بداية التعليق الطويل {}", "كلام ".repeat(80));
    let (id, _) = submit_on(&app, "a-1", "عنوان مميز", &long).await;
    let dash = app.login("mod@news.example", PASSWORD).await;
    let resp = dash
        .post(
            &format!("/dashboard/comments/news/{id}/reject"),
            &[("reason", "off_topic")],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let page = dash.page("/dashboard/audit?site=news").await;
    assert!(page.contains("عنوان مميز"), "the comment's title");
    assert!(
        page.contains("بداية التعليق الطويل"),
        "the start of its text"
    );
    assert!(!page.contains(long.trim_end()), "only an excerpt");
    assert!(page.contains("Rain over Cairo"), "the article's title");
    assert!(
        page.contains("https://news.example/a-1"),
        "the article's link"
    );
    let open = format!("/dashboard?site=news&#38;comment={id}#c-{id}");
    assert!(
        page.contains(&open),
        "a link that opens the comment: {page}"
    );
    // The link opens that comment with its actions, in the tab it is in now.
    let one = dash
        .page(&format!("/dashboard?site=news&comment={id}"))
        .await;
    assert_eq!(one.matches("<article class=\"item").count(), 1);
    assert!(one.contains(&format!("data-id=\"{id}\"")));
    assert!(one.contains("/approve\""), "its actions are there");
    // Another site's comment id opens nothing.
    app.add_site(site("other")).await;
    let theirs = app.submit("other", "b-1").await;
    let none = dash.page(&format!("/dashboard?comment={theirs}")).await;
    assert_eq!(none.matches("<article class=\"item").count(), 0);
    // In Arabic the labels are Arabic.
    let ar = dash.post("/dashboard/lang", &[("lang", "ar")]).await;
    assert_eq!(ar.status(), 303);
    let page = dash.page("/dashboard/audit?site=news").await;
    assert!(page.contains("المقال:"), "{page}");
}

#[tokio::test]
async fn rejections_are_split_between_rules_and_moderators_and_say_who_and_why() {
    let app = app_with_moderator().await;
    // The rules reject this one when it is sent.
    let mut bad = app.valid_comment("news").await;
    bad["body"] = json!("تعليق فيه كلمة س.ك.س واضحة");
    let resp = app.post_comment("news", "a-1", &bad).await;
    assert_eq!(resp.status(), 422);
    let by_rules = app
        .texts("SELECT id FROM comments WHERE status = 'rejected'")
        .await;
    assert_eq!(by_rules.len(), 1);
    let by_rules = &by_rules[0];
    // A moderator rejects this one, with a reason and a note.
    let by_person = app.submit("news", "a-1").await;
    let dash = app.login("mod@news.example", PASSWORD).await;
    let resp = dash
        .post(
            &format!("/dashboard/comments/news/{by_person}/reject"),
            &[("reason", "off_topic"), ("note", "not about the article")],
        )
        .await;
    assert_eq!(resp.status(), 303);

    let rules = dash.page("/dashboard?tab=rejected").await;
    assert!(rules.contains(&format!("data-id=\"{by_rules}\"")));
    assert!(!rules.contains(&format!("data-id=\"{by_person}\"")));
    assert!(rules.contains("Rejected (rules)"));
    assert!(
        rules.contains("class=\"decision\""),
        "the rules' decision shows"
    );
    assert!(
        rules.contains("by <span class=\"by\">Rules</span>"),
        "{rules}"
    );

    let people = dash.page("/dashboard?tab=rejected_by_moderator").await;
    assert!(people.contains(&format!("data-id=\"{by_person}\"")));
    assert!(!people.contains(&format!("data-id=\"{by_rules}\"")));
    assert!(people.contains("Rejected (moderators)"));
    assert!(people.contains("mod@news.example"), "who rejected it");
    assert!(people.contains("Reason: Off topic"), "why");
    assert!(people.contains("not about the article"), "the note");

    // The tab counts count each kind once.
    let counts: Value = dash.get("/dashboard/counts").await.json().await.unwrap();
    assert_eq!(counts["rejected"], 1);
    assert_eq!(counts["rejected_by_moderator"], 1);

    // Opened by id, the moderator's rejection sits in the moderators' tab.
    let one = dash.page(&format!("/dashboard?comment={by_person}")).await;
    assert!(one.contains("data-tab=\"rejected_by_moderator\" href=\"/dashboard?tab=rejected_by_moderator\" aria-current=\"page\""), "{one}");

    // In Arabic.
    dash.post("/dashboard/lang", &[("lang", "ar")]).await;
    let people = dash.page("/dashboard?tab=rejected_by_moderator").await;
    assert!(people.contains("مرفوضة (المشرفون)"));
    assert!(people.contains("بقرار من"));
    assert!(people.contains("خارج الموضوع"));
}

#[tokio::test]
async fn an_authors_name_opens_their_history_where_they_can_be_blocked_and_unblocked() {
    let app = app_with_moderator().await;
    app.add_site(site("other")).await;
    // Three comments from one reader on news (one approved, one rejected),
    // one on another site, one from someone else.
    let mut ids = Vec::new();
    for n in 0..3 {
        let mut c = app.valid_comment("news").await;
        c["email"] = json!(if n == 0 {
            "Regular@Reader.example"
        } else {
            "regular@reader.example"
        });
        c["title"] = json!(format!("رأي رقم {n}"));
        let resp = app.post_comment("news", "a-1", &c).await;
        assert_eq!(resp.status(), 202);
        let v: Value = resp.json().await.unwrap();
        ids.push(v["id"].as_str().unwrap().to_string());
        // An hour apart, so the posting rate rule stays quiet.
        app.exec("UPDATE comments SET created_at = created_at - 3600000")
            .await;
    }
    let mut elsewhere = app.valid_comment("other").await;
    elsewhere["email"] = json!("regular@reader.example");
    elsewhere["title"] = json!("على موقع آخر");
    assert_eq!(
        app.post_comment("other", "b-1", &elsewhere).await.status(),
        202
    );
    let stranger = app.submit("news", "a-1").await;

    let dash = app.login("mod@news.example", PASSWORD).await;
    dash.post(&format!("/dashboard/comments/news/{}/approve", ids[0]), &[])
        .await;
    dash.post(
        &format!("/dashboard/comments/news/{}/reject", ids[1]),
        &[("reason", "insult")],
    )
    .await;

    // The queue links the name and the email to the history.
    let queue = dash.page("/dashboard").await;
    let link = "/dashboard/author?site=news&#38;email=regular%40reader%2Eexample";
    assert!(queue.contains(link), "{queue}");
    let page = dash
        .page("/dashboard/author?site=news&email=Regular%40Reader.example")
        .await;
    for id in &ids {
        assert!(page.contains(&format!("data-id=\"{id}\"")), "{id}");
    }
    assert!(!page.contains(&format!("data-id=\"{stranger}\"")));
    assert!(!page.contains("على موقع آخر"), "only this site's comments");
    assert!(page.contains("Published: 1"));
    assert!(page.contains("Rejected: 1"));
    assert!(page.contains("Pending: 1"));
    assert!(page.contains("No block touches this author."));

    // Block the email from the history: the block use case, audited, and
    // shown on the page.
    let back = "/dashboard/author?site=news&email=regular%40reader.example";
    let resp = dash
        .post(
            "/dashboard/block",
            &[
                ("site", "news"),
                ("kind", "email"),
                ("value", "regular@reader.example"),
                ("hours", "24"),
                ("reason", "repeated insults"),
                ("return_to", back),
            ],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let to = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with(back), "{to}");
    let page = dash.page(&to).await;
    assert!(page.contains("repeated insults"), "the block shows");
    assert!(page.contains("Lift the block"));
    let mut blocked = app.valid_comment("news").await;
    blocked["email"] = json!("regular@reader.example");
    assert_ne!(
        app.post_comment("news", "a-1", &blocked).await.status(),
        202
    );

    // Lift it: the removal use case, audited.
    let block_id = app
        .texts("SELECT id FROM blocklist_entries WHERE kind = 'email'")
        .await
        .remove(0);
    let resp = dash
        .post(
            "/dashboard/unblock",
            &[("site", "news"), ("id", &block_id), ("return_to", back)],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let page = dash.page(back).await;
    assert!(page.contains("No block touches this author."));
    let actions = app
        .texts("SELECT action FROM audit_log WHERE action IN ('block_email', 'unblock') ORDER BY created_at")
        .await;
    assert_eq!(actions, vec!["block_email", "unblock"]);

    // Another site's history is not this moderator's to read or change.
    assert_eq!(
        dash.get("/dashboard/author?site=other&email=regular%40reader.example")
            .await
            .status(),
        404
    );
    let resp = dash
        .post(
            "/dashboard/block",
            &[
                ("site", "other"),
                ("kind", "email"),
                ("value", "x@y.example"),
            ],
        )
        .await;
    assert_eq!(resp.status(), 404);

    // In Arabic.
    dash.post("/dashboard/lang", &[("lang", "ar")]).await;
    let page = dash.page(back).await;
    assert!(page.contains("سجل الكاتب") && page.contains("منشور: 1"));
}

#[tokio::test]
async fn a_finding_near_the_writer_names_the_insult_not_the_writer_twice() {
    let app = app_with_moderator().await;
    let mut c = app.valid_comment("news").await;
    c["body"] = json!("الكاتب حقير ولا يفهم شيئا");
    let resp = app.post_comment("news", "a-1", &c).await;
    assert_eq!(resp.status(), 202);
    let dash = app.login("mod@news.example", PASSWORD).await;
    let page = dash.page("/dashboard?tab=held").await;
    assert!(
        page.contains("within 5 words of &#34;حقير&#34;")
            || page.contains("within 5 words of &quot;حقير&quot;"),
        "{page}"
    );
    assert!(!page.contains("of &#34;الكاتب&#34;") && !page.contains("of &quot;الكاتب&quot;"));
}

#[tokio::test]
async fn the_login_page_follows_accept_language() {
    let app = app_with_moderator().await;
    let client = crate::helpers::browser_client();
    for (header, lang, dir) in [
        ("en-GB,en;q=0.9", "en", "ltr"),
        ("ar,en;q=0.5", "ar", "rtl"),
    ] {
        let page = client
            .get(app.url("/dashboard/login"))
            .header("accept-language", header)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&format!("lang=\"{lang}\" dir=\"{dir}\"")),
            "{header}: {page}"
        );
    }
}
