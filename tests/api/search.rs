//! The moderators' text search in the dashboard queue (`?q=`): a
//! case-insensitive substring of a comment's title, body or author name,
//! served by a trigram index (SQLite FTS5, PostgreSQL pg_trgm) for terms of
//! three or more characters and by a scan for shorter ones, with the same
//! results either way; kept current through edits and privacy erasure.

use serde_json::{Value, json};

use majlis::storage::Backend;

use crate::helpers::{Dashboard, TestApp, backend, spawn_app};

const PASSWORD: &str = "a long enough passphrase";

async fn app_with_moderator() -> (TestApp, Dashboard) {
    let app = spawn_app().await;
    app.add_open_site("news").await;
    app.create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    let dash = app.login("mod@news.example", PASSWORD).await;
    (app, dash)
}

/// Submit a comment with this title, body and author name (and an address
/// of its own); its id.
async fn submit(app: &TestApp, title: &str, body: &str, name: &str) -> String {
    let mut c = app.valid_comment_without_captcha();
    c["title"] = json!(title);
    c["body"] = json!(body);
    c["name"] = json!(name);
    let resp = app.post_comment("news", "a-1", &c).await;
    assert_eq!(resp.status(), 202, "{}", resp.text().await.unwrap());
    let v: Value = resp.json().await.unwrap();
    v["id"].as_str().unwrap().to_string()
}

fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The ids of `ids` that a search for `q` lists, in the tab each comment
/// is in now.
async fn found(app: &TestApp, dash: &Dashboard, q: &str, ids: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        let status = app.store.comment("news", id).await.unwrap().unwrap().status;
        let page = dash
            .page(&format!(
                "/dashboard?tab={}&q={}",
                status.as_str(),
                encode(q)
            ))
            .await;
        if page.contains(*id) {
            out.push(id.to_string());
        }
    }
    out
}

/// On SQLite, FTS5 checks its trigram index against the comments table.
async fn index_matches_the_comments(app: &TestApp) {
    if backend() == Backend::Sqlite {
        app.exec(
            "INSERT INTO comments_search (comments_search, rank) VALUES ('integrity-check', 1)",
        )
        .await;
    }
}

#[tokio::test]
async fn search_finds_a_substring_of_title_body_or_name_in_any_case() {
    let (app, dash) = app_with_moderator().await;
    let latin = submit(
        &app,
        "Breaking Weather Report",
        "The harbour road floods again every winter, say residents.",
        "Layla Haddad",
    )
    .await;
    let arabic = submit(
        &app,
        "رأي في نشرة الأرصاد",
        "توقعات الأرصاد الجوية لهذا الأسبوع كانت دقيقة جدا في مدينتنا.",
        "سمير الخطيب",
    )
    .await;
    let both = [latin.as_str(), arabic.as_str()];
    for (q, want) in [
        ("WEATHER rep", vec![latin.clone()]),
        ("Harbour ROAD", vec![latin.clone()]),
        ("ayla HAD", vec![latin.clone()]),
        ("نشرة الأر", vec![arabic.clone()]),
        ("الأرصاد الجو", vec![arabic.clone()]),
        ("ر الخطي", vec![arabic.clone()]),
        ("الأرصاد", vec![arabic.clone()]),
        ("report ... ", vec![]),
        ("nothing-like-this", vec![]),
        ("رصد جوي", vec![]),
        // A term never spans two fields (title's end, body's start).
        ("report the harbour", vec![]),
        ("reportthe", vec![]),
        ("report\u{1f}the", vec![]),
        ("haddad\u{1f}", vec![]),
        ("\u{1f}", vec![]),
    ] {
        assert_eq!(found(&app, &dash, q, &both).await, want, "q={q:?}");
    }
    index_matches_the_comments(&app).await;
}

#[tokio::test]
async fn one_and_two_character_terms_still_search() {
    let (app, dash) = app_with_moderator().await;
    let with = submit(
        &app,
        "Zq and friends",
        "نص فيه علامة ژ نادرة في هذا التعليق.",
        "Omar",
    )
    .await;
    let without = submit(
        &app,
        "Plain title",
        "نص عادي بلا علامات نادرة في هذا التعليق.",
        "Huda",
    )
    .await;
    let both = [with.as_str(), without.as_str()];
    assert_eq!(found(&app, &dash, "zQ", &both).await, vec![with.clone()]);
    assert_eq!(found(&app, &dash, "ژ", &both).await, vec![with.clone()]);
    assert_eq!(found(&app, &dash, "uD", &both).await, vec![without.clone()]);
    assert_eq!(found(&app, &dash, "x", &both).await, Vec::<String>::new());
}

#[tokio::test]
async fn query_syntax_and_wildcards_in_a_term_are_plain_characters() {
    let (app, dash) = app_with_moderator().await;
    let syntax = submit(
        &app,
        "Quoted \"hi\" * OR NEAR(x y) -minus",
        "A body with 50% off and snake_case words in it, nothing else.",
        "Nadia",
    )
    .await;
    let decoy = submit(
        &app,
        "hi there OR NEAR x y minus",
        "A body with 500 off and snakeXcase words in it, plain.",
        "Karim",
    )
    .await;
    let both = [syntax.as_str(), decoy.as_str()];
    for q in [
        "\"hi\"",
        "\"hi\" *",
        "* OR",
        "OR NEAR(",
        "NEAR(x",
        "-minus",
        "50%",
        "% off",
        "snake_case",
        "e_c",
        "\"",
        "%",
        "_",
        "(",
    ] {
        assert_eq!(
            found(&app, &dash, q, &both).await,
            vec![syntax.clone()],
            "q={q:?}"
        );
    }
    // An FTS5 expression that would match the decoy, read literally, does not.
    for q in [
        "hi OR minus",
        "\"hi there\"",
        "hi*",
        "NEAR(hi minus)",
        "5_0",
        "50_",
    ] {
        assert_eq!(
            found(&app, &dash, q, &both).await,
            Vec::<String>::new(),
            "q={q:?}"
        );
    }
    index_matches_the_comments(&app).await;
}

#[tokio::test]
async fn an_edited_comment_is_found_by_its_new_text_only() {
    let (app, dash) = app_with_moderator().await;
    let id = submit(
        &app,
        "عنوان قبل التعديل",
        "نص قديم عن الفيضان في الحي الشرقي قبل أن يعدله المشرف.",
        "Rami",
    )
    .await;
    let resp = dash
        .post(
            &format!("/dashboard/comments/news/{id}/edit"),
            &[
                ("title", "عنوان مصحح"),
                ("body", "نص جديد عن الجسر المغلق بعد التعديل."),
                ("note", "typo"),
            ],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let ids = [id.as_str()];
    assert_eq!(
        found(&app, &dash, "الفيضان", &ids).await,
        Vec::<String>::new()
    );
    assert_eq!(
        found(&app, &dash, "قبل التعديل", &ids).await,
        Vec::<String>::new()
    );
    assert_eq!(
        found(&app, &dash, "الجسر المغلق", &ids).await,
        vec![id.clone()]
    );
    assert_eq!(
        found(&app, &dash, "عنوان مصحح", &ids).await,
        vec![id.clone()]
    );
    // And by its author, whose name the edit did not touch.
    assert_eq!(found(&app, &dash, "rAMi", &ids).await, vec![id.clone()]);
    index_matches_the_comments(&app).await;
}

#[tokio::test]
async fn an_erased_comment_is_not_found_by_its_old_text_or_name() {
    let (app, dash) = app_with_moderator().await;
    let admin = app.api_key("news", "admin").await;
    let mut c = app.valid_comment_without_captcha();
    c["title"] = json!("Erasable opinion");
    c["body"] = json!("Thoughts about the quarry expansion near the village school.");
    c["name"] = json!("Mariam Sabbagh");
    c["email"] = json!("mariam@example.org");
    let resp = app.post_comment("news", "a-1", &c).await;
    assert_eq!(resp.status(), 202);
    let gone: String = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let named = submit(
        &app,
        "Kept opinion",
        "The bakery opened a new branch today.",
        "Mariam Sabbagh",
    )
    .await;
    let ids = [gone.as_str(), named.as_str()];
    assert_eq!(
        found(&app, &dash, "quarry expansion", &ids).await,
        vec![gone.clone()]
    );
    assert_eq!(
        found(&app, &dash, "sabbagh", &ids).await,
        vec![gone.clone(), named.clone()]
    );

    let resp = app
        .client
        .post(app.url("/api/v1/sites/news/privacy/erase"))
        .bearer_auth(&admin)
        .json(&json!({"email": "mariam@example.org", "remove_text": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    // `found` looks in the tab the comment is in now: deleted.
    assert_eq!(
        found(&app, &dash, "quarry expansion", &ids).await,
        Vec::<String>::new()
    );
    assert_eq!(
        found(&app, &dash, "Erasable", &ids).await,
        Vec::<String>::new()
    );
    assert_eq!(
        found(&app, &dash, "sabbagh", &ids).await,
        vec![named.clone()]
    );
    index_matches_the_comments(&app).await;
}

#[tokio::test]
async fn a_term_common_across_the_archive_and_a_rare_one_list_the_same_pages_as_a_scan() {
    let app = spawn_app().await;
    app.add_open_site("news").await;
    app.create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    let dash = app.login("mod@news.example", PASSWORD).await;
    // 10,500 comments whose every text contains "المقال": more than the
    // index's hit cap, so that term walks the tab; "المقال 77" names 50.
    app.store
        .seed_bulk("news", "s-", 210, 50, majlis::service::now_ms())
        .await
        .unwrap();
    let ids_in = |page: &str| -> Vec<String> {
        page.match_indices("/dashboard/comments/news/")
            .filter_map(|(i, m)| page.get(i + m.len()..i + m.len() + 32))
            .filter(|id| id.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_string)
            .fold(Vec::new(), |mut v, id| {
                if !v.contains(&id) {
                    v.push(id);
                }
                v
            })
    };
    let rare = dash
        .page(&format!(
            "/dashboard?tab=published&q={}",
            encode("المقال 77")
        ))
        .await;
    let rare_ids = ids_in(&rare);
    assert_eq!(rare_ids.len(), 45, "published comments of article 77");
    let common = dash
        .page(&format!("/dashboard?tab=published&q={}", encode("المقال")))
        .await;
    let plain = dash.page("/dashboard?tab=published").await;
    assert!(!ids_in(&common).is_empty());
    assert_eq!(ids_in(&common), ids_in(&plain));
    index_matches_the_comments(&app).await;
}
