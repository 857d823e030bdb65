//! Reader likes (#18): one like per address per comment, on published
//! comments of sites that turned likes on; `order=top`; counts in the list
//! within the lag, without dropping the article's cached list on every like.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{TestApp, backend, site, spawn_app_with, spawn_second_instance_with};

async fn proxied_app() -> TestApp {
    spawn_app_with(|s| s.server.trusted_proxies = vec!["127.0.0.1".into()]).await
}

/// Site `news` (likes on when `likes`) with a moderator key.
async fn news(app: &TestApp, likes: bool) -> String {
    let mut s = site("news");
    s.likes = likes;
    app.add_site(s).await;
    app.api_key("news", "moderator").await
}

/// A comment of article `a`, approved.
async fn published(app: &TestApp, key: &str) -> String {
    let id = app.submit("news", "a").await;
    assert_eq!(
        app.decide(key, "news", &id, "approve", None).await.status(),
        200
    );
    id
}

/// A like (`like`) or unlike from the reader at `ip`: status and body.
async fn like_from(app: &TestApp, ip: &str, id: &str, like: bool) -> (u16, Value) {
    let url = app.url(&format!("/api/v1/sites/news/comments/{id}/like"));
    let req = if like {
        app.client.post(url)
    } else {
        app.client.delete(url)
    };
    let resp = req.header("X-Forwarded-For", ip).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn list(app: &TestApp, query: &str) -> Value {
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/sites/news/articles/a/comments{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

fn likes_of(list: &Value, id: &str) -> i64 {
    list["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .map(|c| c["likes"].as_i64().unwrap())
        .unwrap()
}

#[tokio::test]
async fn a_second_like_from_one_address_counts_once() {
    let app = proxied_app().await;
    let key = news(&app, true).await;
    let id = published(&app, &key).await;
    assert_eq!(
        like_from(&app, "203.0.113.7", &id, true).await,
        (200, json!({"liked": true, "likes": 1}))
    );
    let (status, body) = like_from(&app, "203.0.113.7", &id, true).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("already_liked"))
    );
    assert_eq!(
        like_from(&app, "198.51.100.2", &id, true).await,
        (200, json!({"liked": true, "likes": 2}))
    );
    assert_eq!(
        like_from(&app, "198.51.100.2", &id, false).await,
        (200, json!({"liked": false, "likes": 1}))
    );
    let (status, body) = like_from(&app, "198.51.100.2", &id, false).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("not_liked")));
    // One row, keyed by a hash, never the address.
    let stored = app.texts("SELECT ip_hash FROM comment_likes").await;
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains("203.0.113"));
    // The moderators' and the public view of the comment show the count.
    let view = app
        .client
        .get(app.url(&format!("/api/v1/sites/news/comments/{id}")))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(view["likes"], 1);
    assert_eq!(
        app.get_json(&key, &format!("/api/v1/sites/news/comments/{id}"))
            .await["likes"],
        1
    );
}

#[tokio::test]
async fn likes_arriving_together_count_each_reader_once() {
    let app = proxied_app().await;
    let key = news(&app, true).await;
    let first = published(&app, &key).await;
    let second = published(&app, &key).await;
    // Thirty readers like both comments at once, and one reader sends the
    // same like five times at once: they are written together.
    let readers: Vec<String> = (0..30).map(|n| format!("192.0.2.{n}")).collect();
    let mut likes = Vec::new();
    for ip in &readers {
        for id in [&first, &second] {
            likes.push(like_from(&app, ip, id, true));
        }
    }
    let answers = futures_util::future::join_all(likes).await;
    assert!(
        answers.iter().all(|(status, _)| *status == 200),
        "{answers:?}"
    );
    let twice = (0..5).map(|_| like_from(&app, "198.51.100.9", &first, true));
    let answers = futures_util::future::join_all(twice).await;
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        4,
        "{statuses:?}"
    );
    // Ten take theirs back at once, and a like of a comment nobody can see
    // in the same moment is refused alone.
    let mut unlikes: Vec<_> = readers[..10]
        .iter()
        .map(|ip| like_from(&app, ip, &first, false))
        .collect();
    unlikes.push(like_from(&app, "192.0.2.99", "no-such-comment", true));
    let answers = futures_util::future::join_all(unlikes).await;
    assert_eq!(answers[10].0, 404, "{answers:?}");
    assert!(answers[..10].iter().all(|(s, _)| *s == 200), "{answers:?}");
    // The counts agree with the rows.
    assert_eq!(
        like_from(&app, "203.0.113.1", &first, true).await,
        (200, json!({"liked": true, "likes": 22}))
    );
    assert_eq!(
        like_from(&app, "203.0.113.1", &second, true).await,
        (200, json!({"liked": true, "likes": 31}))
    );
    assert_eq!(
        app.texts("SELECT ip_hash FROM comment_likes").await.len(),
        53
    );
}

#[tokio::test]
async fn a_like_on_one_instance_shows_in_the_other_instances_cached_list() {
    if backend().name() != "postgres" {
        eprintln!(
            "SKIPPED two-instance like test: needs TEST_DATABASE_URL (PostgreSQL); SQLite is single-process"
        );
        return;
    }
    let a = proxied_app().await;
    let key = news(&a, true).await;
    let id = published(&a, &key).await;
    let b = spawn_second_instance_with(&a, |s| s.server.trusted_proxies = vec!["127.0.0.1".into()])
        .await;
    // B caches the list with no likes; A takes a like.
    assert_eq!(likes_of(&list(&b, "").await, &id), 0);
    assert_eq!(like_from(&a, "203.0.113.7", &id, true).await.0, 200);
    // B shows it once its list is rebuilt after the lag, not the cache's
    // time-to-live. Wait for it, never longer than a generous bound.
    let deadline = Instant::now() + majlis::service::LIKES_LAG + Duration::from_secs(10);
    loop {
        if likes_of(&list(&b, "").await, &id) == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "instance B never showed the like"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn only_a_published_comment_can_be_liked() {
    let app = proxied_app().await;
    let key = news(&app, true).await;
    let pending = app.submit("news", "a").await;
    let (status, body) = like_from(&app, "203.0.113.7", &pending, true).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("comment_not_found"))
    );
    let (status, _) = like_from(&app, "203.0.113.7", "no-such-comment", true).await;
    assert_eq!(status, 404);
    // Rejected after a like: the like stays stored, but the comment cannot
    // be liked or unliked any more.
    let id = published(&app, &key).await;
    assert_eq!(like_from(&app, "203.0.113.7", &id, true).await.0, 200);
    assert_eq!(
        app.decide(&key, "news", &id, "reject", None).await.status(),
        200
    );
    assert_eq!(like_from(&app, "203.0.113.7", &id, false).await.0, 404);
    assert_eq!(like_from(&app, "198.51.100.2", &id, true).await.0, 404);
}

#[tokio::test]
async fn likes_are_refused_until_the_site_turns_them_on_in_its_audited_settings() {
    let app = proxied_app().await;
    let key = news(&app, false).await;
    let id = published(&app, &key).await;
    let (status, body) = like_from(&app, "203.0.113.7", &id, true).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("likes_disabled"))
    );
    let config = |app: &TestApp| {
        let url = app.url("/api/v1/sites/news/config");
        let client = app.client.clone();
        async move {
            client
                .get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(config(&app).await["likes"], false);
    // The settings API refuses what is not a switch, and turns likes on.
    let admin = app.api_key("news", "admin").await;
    let patch = |body: Value| {
        app.client
            .patch(app.url("/api/v1/sites/news/settings"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    assert_eq!(
        patch(json!({"likes": "maybe"})).await.unwrap().status(),
        400
    );
    let resp = patch(json!({"likes": true})).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap()["likes"], true);
    assert_eq!(config(&app).await["likes"], true);
    assert_eq!(
        like_from(&app, "203.0.113.7", &id, true).await,
        (200, json!({"liked": true, "likes": 1}))
    );
    // Audited like every setting.
    let details = app
        .texts("SELECT details FROM audit_log WHERE action = 'site_settings'")
        .await;
    assert_eq!(details.len(), 1);
    assert!(details[0].contains("\"likes\":true"), "{}", details[0]);
    // The instance's admin API and the CLI take the same setting.
    let root = app.root_key().await;
    let resp = app
        .client
        .patch(app.url("/api/v1/admin/sites/news"))
        .bearer_auth(&root)
        .json(&json!({"likes": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(!app.store.site("news").await.unwrap().unwrap().likes);
    let out = crate::helpers::majlis_cli(&app.db_url)
        .args(["site", "set", "news", "--likes", "on"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(app.store.site("news").await.unwrap().unwrap().likes);
    let out = crate::helpers::majlis_cli(&app.db_url)
        .args(["site", "set", "news", "--likes", "sometimes"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        app.texts("SELECT action FROM audit_log WHERE action = 'site_settings'")
            .await
            .len(),
        3
    );
}

#[tokio::test]
async fn an_address_has_a_budget_of_likes_per_minute() {
    let app = spawn_app_with(|s| {
        s.server.trusted_proxies = vec!["127.0.0.1".into()];
        s.likes.max_per_minute_per_ip = 2;
    })
    .await;
    let key = news(&app, true).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(published(&app, &key).await);
    }
    assert_eq!(like_from(&app, "203.0.113.7", &ids[0], true).await.0, 200);
    assert_eq!(like_from(&app, "203.0.113.7", &ids[1], true).await.0, 200);
    let (status, body) = like_from(&app, "203.0.113.7", &ids[2], true).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("rate_limited"))
    );
    // Another reader is not held back by it.
    assert_eq!(like_from(&app, "198.51.100.2", &ids[2], true).await.0, 200);
}

#[tokio::test]
async fn order_top_ranks_likes_weighed_down_by_age() {
    let app = proxied_app().await;
    let key = news(&app, true).await;
    let (old, fresh, unliked) = (
        published(&app, &key).await,
        published(&app, &key).await,
        published(&app, &key).await,
    );
    // Published two days ago: its three likes weigh less than one today
    // (3 / 50^1.5 against 1 / 2^1.5).
    let two_days_ago = majlis::service::now_ms() - 48 * 3_600_000;
    app.exec(&format!(
        "UPDATE comments SET published_at = {two_days_ago} WHERE id = '{old}'"
    ))
    .await;
    for ip in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        assert_eq!(like_from(&app, ip, &old, true).await.0, 200);
    }
    assert_eq!(like_from(&app, "203.0.113.1", &fresh, true).await.0, 200);
    let ids = |v: &Value| -> Vec<String> {
        v["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let first = list(&app, "?order=top&limit=2").await;
    assert_eq!(ids(&first), [fresh.clone(), old.clone()]);
    assert_eq!(likes_of(&first, &old), 3);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = list(&app, &format!("?order=top&limit=2&cursor={cursor}")).await;
    assert_eq!(ids(&second), [unliked]);
    assert!(second["next_cursor"].is_null());
    // A cursor of another order is not a position in this one.
    let newest = list(&app, "?limit=1").await;
    let other = newest["next_cursor"].as_str().unwrap();
    let resp = app
        .client
        .get(app.url(&format!(
            "/api/v1/sites/news/articles/a/comments?order=top&cursor={other}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn a_like_shows_in_the_cached_list_within_the_lag_with_a_new_etag() {
    let app = proxied_app().await;
    let key = news(&app, true).await;
    let id = published(&app, &key).await;
    let path = "/api/v1/sites/news/articles/a/comments";
    let before = app.get_with_etag(path, None).await;
    let etag = before.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(likes_of(&before.json().await.unwrap(), &id), 0);
    assert_eq!(like_from(&app, "203.0.113.7", &id, true).await.0, 200);
    // Wait for the count, never longer than a generous bound on the lag.
    let deadline = Instant::now() + majlis::service::LIKES_LAG + Duration::from_secs(10);
    loop {
        let resp = app.get_with_etag(path, Some(&etag)).await;
        if resp.status() == 200 {
            let new_etag = resp.headers()["etag"].to_str().unwrap().to_string();
            let v: Value = resp.json().await.unwrap();
            if likes_of(&v, &id) == 1 {
                assert_ne!(new_etag, etag);
                break;
            }
        } else {
            assert_eq!(resp.status(), 304);
        }
        assert!(Instant::now() < deadline, "the like never showed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The replies carry their likes too.
    let reply = app
        .post_comment("news", "a", &{
            let mut c = app.valid_comment("news").await;
            c["parent_id"] = json!(id);
            c
        })
        .await;
    assert_eq!(reply.status(), 202);
    let reply_id = reply.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.decide(&key, "news", &reply_id, "approve", None)
            .await
            .status(),
        200
    );
    assert_eq!(
        like_from(&app, "203.0.113.7", &reply_id, true).await,
        (200, json!({"liked": true, "likes": 1}))
    );
    let deadline = Instant::now() + majlis::service::LIKES_LAG + Duration::from_secs(10);
    loop {
        let v = list(&app, "").await;
        let first = &v["comments"][0]["replies"]["first"];
        if first[0]["likes"] == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the reply's like never showed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_page_without_javascript_shows_the_count_and_posts_a_like() {
    let app = proxied_app().await;
    let key = news(&app, true).await;
    let id = published(&app, &key).await;
    let page = app
        .client
        .get(app.url("/embed/news/a?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let action = format!("/api/v1/sites/news/comments/{id}/like");
    assert!(page.contains(&action), "{page}");
    let back = format!("/embed/news/a?lang=en#c-{id}");
    let resp = app
        .client
        .post(app.url(&action))
        .header("X-Forwarded-For", "203.0.113.7")
        .form(&[("return_to", back.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], back.as_str());
    assert_eq!(
        app.scalar(&format!("SELECT likes FROM comments WHERE id = '{id}'"))
            .await,
        Some(1)
    );
    // The page of a site without likes has no like form.
    let mut other = site("quiet");
    other.likes = false;
    app.add_site(other).await;
    let page = app
        .client
        .get(app.url("/embed/quiet/a?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("/like\""), "{page}");
}
