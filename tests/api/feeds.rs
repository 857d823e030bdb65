//! Atom feeds of the latest published comments, per article and per site:
//! only published comments, newest first, escaped, cached with an ETag and
//! fresh after a decision.

use quick_xml::events::Event;
use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app};

/// (feed title, [(entry title, author, content)]) of an Atom document,
/// checking it parses as XML.
fn entries(xml: &str) -> (String, Vec<(String, String, String)>) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut feed_title = String::new();
    let mut out: Vec<(String, String, String)> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = e.name().into_inner().to_string();
                if name == "entry" {
                    out.push(Default::default());
                }
                path.push(name);
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => {
                let text = t.xml10_content().into_owned();
                let joined = path.join("/");
                let last = out.last_mut();
                match (joined.as_str(), last) {
                    ("feed/title", _) => feed_title.push_str(&text),
                    ("feed/entry/title", Some(e)) => e.0.push_str(&text),
                    ("feed/entry/author/name", Some(e)) => e.1.push_str(&text),
                    ("feed/entry/content", Some(e)) => e.2.push_str(&text),
                    _ => {}
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.into_inner();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .expect("a predefined entity")
                            .to_string()
                    }
                };
                let joined = path.join("/");
                if let Some(e) = out.last_mut() {
                    match joined.as_str() {
                        "feed/entry/title" => e.0.push_str(&resolved),
                        "feed/entry/content" => e.2.push_str(&resolved),
                        _ => {}
                    }
                }
            }
            Event::Eof => return (feed_title, out),
            _ => {}
        }
    }
}

async fn post(app: &TestApp, article: &str, title: &str, body: &str) -> String {
    let mut c = app.valid_comment("news").await;
    c["title"] = json!(title);
    c["body"] = json!(body);
    let resp = app.post_comment("news", article, &c).await;
    assert_eq!(resp.status(), 202);
    resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn feeds_show_published_comments_newest_first_escaped_and_cached() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let first = post(
        &app,
        "a-1",
        "أول رأي",
        "نص التعليق الأول <script>alert(1)</script> & غيره",
    )
    .await;
    let second = post(
        &app,
        "a-1",
        "Second <b>view</b>",
        "The second comment, with \"quotes\".",
    )
    .await;
    let other = post(
        &app,
        "a-2",
        "رأي في مقال آخر",
        "تعليق تحت مقال آخر من الموقع نفسه",
    )
    .await;
    let pending = post(
        &app,
        "a-1",
        "ما زال ينتظر",
        "هذا التعليق لم يُنشر بعد فلا يظهر",
    )
    .await;
    for id in [&first, &second, &other] {
        assert_eq!(
            app.decide(&key, "news", id, "approve", None).await.status(),
            200
        );
    }

    let url = "/api/v1/sites/news/articles/a-1/feed.atom";
    let resp = app.get_with_etag(url, None).await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let etag = resp.headers()["etag"].to_str().unwrap().to_string();
    let xml = resp.text().await.unwrap();
    assert!(!xml.contains("<script>") && !xml.contains("<b>"), "{xml}");
    let (title, list) = entries(&xml);
    assert!(title.contains("a-1"), "{title}");
    let titles: Vec<&str> = list.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        titles,
        ["Second <b>view</b>", "أول رأي"],
        "newest first, pending left out"
    );
    assert_eq!(
        list[1].2,
        "نص التعليق الأول <script>alert(1)</script> & غيره"
    );
    assert_eq!(list[0].2, "The second comment, with \"quotes\".");
    assert!(!xml.contains(&pending));

    // Unchanged: 304. A decision on the article changes the feed at once.
    let again = app.get_with_etag(url, Some(&etag)).await;
    assert_eq!(again.status(), 304);
    assert_eq!(
        app.decide(&key, "news", &pending, "approve", None)
            .await
            .status(),
        200
    );
    let fresh = app.get_with_etag(url, Some(&etag)).await;
    assert_eq!(fresh.status(), 200);
    let (_, list) = entries(&fresh.text().await.unwrap());
    assert_eq!(list.len(), 3);
    assert_eq!(list[0].0, "ما زال ينتظر");

    // The site's feed holds every article's comments, newest first; a
    // counts request cached just before it is another answer.
    let counts = app
        .get_with_etag("/api/v1/sites/news/counts?articles=%01atom", None)
        .await;
    assert_eq!(counts.status(), 200);
    let site_feed = app
        .get_with_etag("/api/v1/sites/news/feed.atom", None)
        .await;
    assert_eq!(site_feed.status(), 200);
    let (_, list) = entries(&site_feed.text().await.unwrap());
    let titles: Vec<&str> = list.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        titles,
        [
            "ما زال ينتظر",
            "رأي في مقال آخر",
            "Second <b>view</b>",
            "أول رأي"
        ]
    );
    assert!(list.iter().all(|e| e.1 == "أحمد"));

    // An article without comments has an empty feed; an unknown site is 404.
    let empty = app
        .get_with_etag("/api/v1/sites/news/articles/nothing-yet/feed.atom", None)
        .await;
    assert_eq!(empty.status(), 200);
    assert!(entries(&empty.text().await.unwrap()).1.is_empty());
    let missing = app
        .get_with_etag("/api/v1/sites/nope/feed.atom", None)
        .await;
    assert_eq!(missing.status(), 404);
}
