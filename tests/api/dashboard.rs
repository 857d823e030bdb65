//! The moderator dashboard over HTTP: sign-in, sessions, CSRF, every action
//! and its audit row, cross-site isolation and stored XSS.

use serde_json::json;

use crate::helpers::{TestApp, browser_client, site, spawn_app, spawn_app_with};

const PASSWORD: &str = "a long enough passphrase";

async fn app_with_moderator() -> TestApp {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    app
}

async fn status_of(app: &TestApp, site: &str, id: &str) -> String {
    app.store
        .comment(site, id)
        .await
        .unwrap()
        .unwrap()
        .status
        .as_str()
        .to_string()
}

async fn audit_actions(app: &TestApp, site: &str, id: &str) -> Vec<String> {
    app.store
        .audit_for_comment(site, id)
        .await
        .unwrap()
        .into_iter()
        .map(|(e, _)| e.action)
        .collect()
}

#[tokio::test]
async fn every_login_failure_gets_the_same_answer() {
    let app = app_with_moderator().await;
    let disabled = app
        .create_moderator("gone@news.example", "moderator", &["news"], PASSWORD)
        .await;
    app.store.disable_moderator(&disabled, 1).await.unwrap();
    let client = browser_client();
    let mut bodies = Vec::new();
    for (email, password) in [
        ("mod@news.example", "wrong password!"),
        ("nobody@news.example", PASSWORD),
        ("gone@news.example", PASSWORD),
    ] {
        let resp = app.try_login(&client, email, password).await;
        assert_eq!(resp.status(), 401, "{email}");
        assert!(
            resp.headers()
                .get("set-cookie")
                .is_none_or(|c| { !c.to_str().unwrap().starts_with("majlis_session=") })
        );
        bodies.push(resp.text().await.unwrap());
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[1], bodies[2]);
    assert!(bodies[0].contains("role=\"alert\""));
    // And the right password still works.
    app.login("mod@news.example", PASSWORD).await;
}

#[tokio::test]
async fn repeated_failures_are_throttled_even_with_the_right_password_until_the_wait_is_over() {
    let app = app_with_moderator().await;
    let client = browser_client();
    let mut failed_body = String::new();
    // Exactly the configured five attempts are checked; the sixth waits.
    for _ in 0..5 {
        let resp = app
            .try_login(&client, "mod@news.example", "nope nope nope")
            .await;
        assert_eq!(resp.status(), 401);
        failed_body = resp.text().await.unwrap();
    }
    let resp = app.try_login(&client, "mod@news.example", PASSWORD).await;
    assert_eq!(resp.status(), 429);
    let wait: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    assert_eq!(resp.text().await.unwrap(), failed_body);
    // The wait is over (back-dated): the right password signs in and resets the count.
    app.exec("UPDATE login_throttle SET next_allowed_at = 0")
        .await;
    app.login("mod@news.example", PASSWORD).await;
    let resp = app
        .try_login(&client, "mod@news.example", "nope nope nope")
        .await;
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_throttled() {
    let app = spawn_app_with(|s| s.dashboard.free_failures_per_ip = 3).await;
    app.add_site(site("news")).await;
    app.create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    let client = browser_client();
    for n in 0..3 {
        let resp = app
            .try_login(&client, &format!("user{n}@news.example"), "guess guess")
            .await;
        assert_eq!(resp.status(), 401);
    }
    let resp = app.try_login(&client, "mod@news.example", PASSWORD).await;
    assert_eq!(resp.status(), 429);
}

/// 39 wrong passwords sent together, then the right one while they are
/// still being checked: attempts are counted before their password is
/// checked, so exactly the five free ones are checked and none signs in.
#[tokio::test]
async fn forty_parallel_logins_cost_what_forty_sequential_ones_do() {
    let app = spawn_app_with(|s| {
        s.dashboard.free_failures_per_account = 5;
        // The wait cannot end while the test runs.
        s.dashboard.throttle_base_secs = 600;
    })
    .await;
    app.add_site(site("news")).await;
    app.create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    // Each attempt from its own browser, its login form already loaded.
    let mut forms = Vec::new();
    for _ in 0..40 {
        let client = browser_client();
        let page = client
            .get(app.url("/dashboard/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        forms.push((client, crate::helpers::csrf_of(&page)));
    }
    let right = forms.pop().unwrap();
    let attempt = |(client, csrf): (reqwest::Client, String), password: &'static str| {
        let url = app.url("/dashboard/login");
        tokio::spawn(async move {
            client
                .post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("email", "mod@news.example"),
                    ("password", password),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    };
    let wrong: Vec<_> = forms
        .into_iter()
        .map(|f| attempt(f, "wrong wrong wrong"))
        .collect();
    // The right password goes once the wait has started, while wrong ones
    // are still in flight.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !throttled(&app).await {
        assert!(
            std::time::Instant::now() < deadline,
            "the wait never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let right = attempt(right, PASSWORD);
    let mut statuses = Vec::new();
    for h in wrong {
        statuses.push(h.await.unwrap());
    }
    let right = right.await.unwrap();
    assert_eq!(right, 429, "the right password came after the wait began");
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (5, 34), "{statuses:?}");
}

/// Whether a wait runs for the test account.
async fn throttled(app: &TestApp) -> bool {
    app.scalar(
        "SELECT next_allowed_at FROM login_throttle \
         WHERE throttle_key = 'account:mod@news.example'",
    )
    .await
    .is_some_and(|at| at > 0)
}

#[tokio::test]
async fn logout_ends_the_session_and_the_old_cookie_is_refused() {
    let app = app_with_moderator().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Without a cookie store: carry the cookies by hand to replay them later.
    let page = client
        .get(app.url("/dashboard/login"))
        .send()
        .await
        .unwrap();
    let login_cookie = page.headers()["set-cookie"].to_str().unwrap().to_string();
    let login_cookie = login_cookie.split(';').next().unwrap().to_string();
    let csrf = crate::helpers::csrf_of(&page.text().await.unwrap());
    let resp = client
        .post(app.url("/dashboard/login"))
        .header("cookie", &login_cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "mod@news.example"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let session = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .find(|c| c.starts_with("majlis_session="))
        .unwrap();
    // Plain http: no __Host- prefix and no Secure, but HttpOnly and Strict.
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Strict"), "{session}");
    assert!(session.contains("Path=/"), "{session}");
    assert!(!session.contains("Secure"), "{session}");
    assert!(!session.contains("Domain"), "{session}");
    let cookie = session.split(';').next().unwrap().to_string();
    let page = client
        .get(app.url("/dashboard"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csrf = crate::helpers::csrf_of(&page.text().await.unwrap());
    let resp = client
        .post(app.url("/dashboard/logout"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let replay = client
        .get(app.url("/dashboard"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 303);
    assert_eq!(replay.headers()["location"], "/dashboard/login");
}

#[tokio::test]
async fn over_https_the_session_cookie_is_a_secure_host_cookie() {
    let app = spawn_app_with(|s| s.server.base_url = "https://comments.example".into()).await;
    app.add_site(site("news")).await;
    app.create_moderator("mod@news.example", "moderator", &["news"], PASSWORD)
        .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(app.url("/dashboard/login"))
        .send()
        .await
        .unwrap();
    let login_cookie = page.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        login_cookie.starts_with("__Host-majlis_login="),
        "{login_cookie}"
    );
    let csrf = crate::helpers::csrf_of(&page.text().await.unwrap());
    let resp = client
        .post(app.url("/dashboard/login"))
        .header("cookie", login_cookie.split(';').next().unwrap())
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "mod@news.example"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let session = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .find(|c| c.starts_with("__Host-majlis_session="))
        .unwrap();
    for attr in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(session.contains(attr), "{attr} missing: {session}");
    }
    assert!(!session.contains("Domain"));
}

#[tokio::test]
async fn an_idle_session_ends() {
    let app = app_with_moderator().await;
    let dash = app.login("mod@news.example", PASSWORD).await;
    assert_eq!(dash.get("/dashboard").await.status(), 200);
    let idle_ms = 2 * 60 * 60 * 1000 + 1000;
    app.exec(&format!(
        "UPDATE sessions SET last_seen_at = last_seen_at - {idle_ms}"
    ))
    .await;
    assert_eq!(dash.get("/dashboard").await.status(), 303);
}

#[tokio::test]
async fn a_post_without_the_right_csrf_token_or_from_another_site_is_refused_and_changes_nothing() {
    let app = app_with_moderator().await;
    let id = app.submit("news", "a-1").await;
    let dash = app.login("mod@news.example", PASSWORD).await;
    let url = format!("{}/dashboard/comments/news/{id}/approve", app.address);
    let no_token = dash
        .client
        .post(&url)
        .form(&[("x", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 403);
    let wrong = dash
        .client
        .post(&url)
        .form(&[("csrf", "0".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let cross_site = dash
        .client
        .post(&url)
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf", dash.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let evil_origin = dash
        .client
        .post(&url)
        .header("origin", "https://evil.test")
        .form(&[("csrf", dash.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(evil_origin.status(), 403);
    // GET never changes anything.
    let get = dash.client.get(&url).send().await.unwrap();
    assert!(
        get.status() == 404 || get.status() == 405,
        "{}",
        get.status()
    );
    assert_eq!(status_of(&app, "news", &id).await, "pending");
    assert_eq!(audit_actions(&app, "news", &id).await, vec!["submitted"]);
    // A login POST without the login form's token is refused too.
    let client = browser_client();
    let login = client
        .post(app.url("/dashboard/login"))
        .form(&[("email", "mod@news.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 403);
    // The same request with the token goes through.
    let ok = dash
        .post(&format!("/dashboard/comments/news/{id}/approve"), &[])
        .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(status_of(&app, "news", &id).await, "published");
}

#[tokio::test]
async fn every_decision_is_applied_and_audited_with_who_and_why() {
    let app = app_with_moderator().await;
    let moderator = app
        .store
        .moderator_by_email("mod@news.example")
        .await
        .unwrap()
        .unwrap();
    let dash = app.login("mod@news.example", PASSWORD).await;
    let approve = app.submit("news", "a-1").await;
    let reject = app.submit("news", "a-1").await;
    let spam = app.submit("news", "a-1").await;
    let delete = app.submit("news", "a-1").await;
    for (id, action, fields, status) in [
        (&approve, "approve", vec![], "published"),
        (
            &reject,
            "reject",
            vec![("reason", "insult"), ("note", "شتم الكاتب")],
            "rejected",
        ),
        (&spam, "spam", vec![], "spam"),
        (&delete, "delete", vec![], "deleted"),
    ] {
        let resp = dash
            .post(&format!("/dashboard/comments/news/{id}/{action}"), &fields)
            .await;
        assert_eq!(resp.status(), 303, "{action}");
        assert_eq!(status_of(&app, "news", id).await, status);
        let audit = app.store.audit_for_comment("news", id).await.unwrap();
        let (last, _) = audit.last().unwrap();
        assert_eq!(last.action, action);
        assert_eq!(last.actor_kind, "moderator");
        assert_eq!(last.actor_id, moderator.id);
        assert_eq!(last.to_status.as_deref(), Some(status));
    }
    let audit = app.store.audit_for_comment("news", &reject).await.unwrap();
    assert_eq!(audit.last().unwrap().0.reason.as_deref(), Some("insult"));
    assert_eq!(audit.last().unwrap().0.note.as_deref(), Some("شتم الكاتب"));
    // A rejection needs one of the reason codes.
    let other = app.submit("news", "a-1").await;
    let resp = dash
        .post(&format!("/dashboard/comments/news/{other}/reject"), &[])
        .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(status_of(&app, "news", &other).await, "pending");
    // The page script gets JSON instead of a redirect.
    let resp = dash
        .client
        .post(format!(
            "{}/dashboard/comments/news/{other}/approve",
            app.address
        ))
        .header("accept", "application/json")
        .form(&[("csrf", dash.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v, json!({"status": "published"}));
    // The approved comment is public.
    let public = app.published("news", "a-1").await;
    let ids: Vec<&str> = public["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&approve.as_str()) && ids.contains(&other.as_str()));
    // The audit page lists the decisions with who made them.
    let page = dash.page("/dashboard/audit?site=news").await;
    assert!(page.contains("mod@news.example"));
    assert!(page.contains("Insult"), "reasons read as labels");
    let page = dash
        .page(&format!(
            "/dashboard/audit?actor={}&action=reject",
            moderator.id
        ))
        .await;
    assert!(page.contains(&reject) && !page.contains(&format!(">{approve}<")));
}

#[tokio::test]
async fn an_edit_keeps_the_original_text_in_the_audit_log() {
    let app = app_with_moderator().await;
    let id = app.submit("news", "a-1").await;
    let before = app.store.comment("news", &id).await.unwrap().unwrap();
    let dash = app.login("mod@news.example", PASSWORD).await;
    let resp = dash
        .post(
            &format!("/dashboard/comments/news/{id}/edit"),
            &[
                ("title", "عنوان مصحح"),
                ("body", "نص مصحح بعد التعديل"),
                ("note", "typo"),
            ],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let after = app.store.comment("news", &id).await.unwrap().unwrap();
    assert_eq!(after.title, "عنوان مصحح");
    assert_eq!(after.body, "نص مصحح بعد التعديل");
    assert_eq!(after.status.as_str(), "pending");
    let rows = app
        .store
        .audit_log(&majlis::storage::AuditFilter {
            sites: vec!["news".into()],
            action: Some("edit".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let details: serde_json::Value =
        serde_json::from_str(rows[0].details.as_deref().unwrap()).unwrap();
    assert_eq!(details["original"]["title"], before.title.as_str());
    assert_eq!(details["original"]["body"], before.body.as_str());
    assert_eq!(rows[0].entry.note.as_deref(), Some("typo"));
    // An empty body is refused, with the field rules of a submission.
    let resp = dash
        .post(
            &format!("/dashboard/comments/news/{id}/edit"),
            &[("title", "x"), ("body", "  ")],
        )
        .await;
    assert_eq!(resp.status(), 422);
}

#[tokio::test]
async fn dashboard_edits_refuse_nul_c1_controls_and_bidi_overrides_like_the_api() {
    let app = app_with_moderator().await;
    let id = app.submit("news", "a-1").await;
    let before = app.store.comment("news", &id).await.unwrap().unwrap();
    let dash = app.login("mod@news.example", PASSWORD).await;
    for (title, body) in [
        ("عنوان سليم", "نص فيه \u{0} صفر"),
        ("عنوان سليم", "نص فيه \u{85} تحكم"),
        ("عنوان \u{202E}معكوس", "نص سليم تماما"),
        ("عنوان \u{9B} تحكم", "نص سليم تماما"),
    ] {
        let resp = dash
            .post_for_json(
                &format!("/dashboard/comments/news/{id}/edit"),
                &[("title", title), ("body", body)],
            )
            .await;
        assert_eq!(resp.status(), 422, "{title:?} {body:?}");
        let v: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(v["error"], "validation_failed");
    }
    let after = app.store.comment("news", &id).await.unwrap().unwrap();
    assert_eq!((after.title, after.body), (before.title, before.body));
}

#[tokio::test]
async fn bulk_approve_skips_held_comments_and_bulk_reject_takes_a_reason() {
    let app = app_with_moderator().await;
    let a = app.submit("news", "a-1").await;
    let b = app.submit("news", "a-1").await;
    let held = app.submit("news", "a-1").await;
    app.exec(&format!(
        "UPDATE comments SET status = 'held' WHERE id = '{held}'"
    ))
    .await;
    let dash = app.login("mod@news.example", PASSWORD).await;
    let (ia, ib, ih) = (
        format!("news/{a}"),
        format!("news/{b}"),
        format!("news/{held}"),
    );
    let resp = dash
        .post(
            "/dashboard/bulk",
            &[
                ("action", "approve"),
                ("ids", &ia),
                ("ids", &ib),
                ("ids", &ih),
            ],
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .contains("done=skipped")
    );
    assert_eq!(status_of(&app, "news", &a).await, "published");
    assert_eq!(status_of(&app, "news", &b).await, "published");
    assert_eq!(status_of(&app, "news", &held).await, "held");
    let resp = dash
        .post("/dashboard/bulk", &[("action", "reject"), ("ids", &ih)])
        .await;
    assert_eq!(resp.status(), 400, "a bulk rejection needs a reason");
    let resp = dash
        .post(
            "/dashboard/bulk",
            &[("action", "reject"), ("reason", "off_topic"), ("ids", &ih)],
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(status_of(&app, "news", &held).await, "rejected");
    let audit = app.store.audit_for_comment("news", &held).await.unwrap();
    assert_eq!(audit.last().unwrap().0.reason.as_deref(), Some("off_topic"));
}

#[tokio::test]
async fn blocking_an_author_feeds_the_posting_rules_and_is_audited() {
    let app = app_with_moderator().await;
    let id = app.submit("news", "a-1").await;
    let comment = app.store.comment("news", &id).await.unwrap().unwrap();
    let dash = app.login("mod@news.example", PASSWORD).await;
    for (kind, value) in [
        ("email", comment.email.as_str()),
        ("domain", "spam.example"),
        ("ip_hash", comment.ip_hash.as_str()),
    ] {
        let resp = dash
            .post(
                "/dashboard/block",
                &[
                    ("site", "news"),
                    ("kind", kind),
                    ("value", value),
                    ("hours", "24"),
                    ("reason", "abuse"),
                ],
            )
            .await;
        assert_eq!(resp.status(), 303, "{kind}");
    }
    let blocks = app
        .store
        .active_blocks("news", majlis::service::now_ms())
        .await
        .unwrap();
    assert_eq!(blocks.len(), 3);
    assert!(blocks.iter().all(|b| b.expires_at.is_some()));
    let rows = app
        .store
        .audit_log(&majlis::storage::AuditFilter {
            sites: vec!["news".into()],
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.entry.action.as_str()).collect();
    for a in ["block_email", "block_domain", "block_ip_hash"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    // The next comment from the same address is no longer pending.
    let body = app.valid_comment("news").await;
    let resp = app.post_comment("news", "a-1", &body).await;
    assert_ne!(
        resp.status(),
        202,
        "a blocked address is not queued as usual"
    );
    // Invalid blocks are refused.
    let resp = dash
        .post(
            "/dashboard/block",
            &[("site", "news"), ("kind", "ip"), ("value", "not an ip")],
        )
        .await;
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn a_moderator_of_one_site_can_neither_see_nor_touch_another_sites_comments() {
    let app = app_with_moderator().await;
    app.add_site(site("other")).await;
    let theirs = app.submit("other", "b-1").await;
    let ours = app.submit("news", "a-1").await;
    let dash = app.login("mod@news.example", PASSWORD).await;
    let page = dash.page("/dashboard").await;
    assert!(page.contains(&ours));
    assert!(!page.contains(&theirs));
    let page = dash.page("/dashboard?site=other").await;
    assert!(!page.contains(&theirs));
    for action in ["approve", "spam", "delete"] {
        let resp = dash
            .post(&format!("/dashboard/comments/other/{theirs}/{action}"), &[])
            .await;
        assert_eq!(resp.status(), 404, "{action}");
    }
    // Naming our site with their comment id does not reach it either.
    let resp = dash
        .post(&format!("/dashboard/comments/news/{theirs}/approve"), &[])
        .await;
    assert_eq!(resp.status(), 404);
    let resp = dash
        .post(
            &format!("/dashboard/comments/other/{theirs}/edit"),
            &[("title", "x"), ("body", "y")],
        )
        .await;
    assert_eq!(resp.status(), 404);
    let resp = dash
        .post(
            "/dashboard/block",
            &[
                ("site", "other"),
                ("kind", "domain"),
                ("value", "x.example"),
            ],
        )
        .await;
    assert_eq!(resp.status(), 404);
    let resp = dash
        .post(
            "/dashboard/bulk",
            &[("action", "approve"), ("ids", &format!("other/{theirs}"))],
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(status_of(&app, "other", &theirs).await, "pending");
    assert_eq!(
        audit_actions(&app, "other", &theirs).await,
        vec!["submitted"]
    );
    let audit = dash.page("/dashboard/audit?site=other").await;
    assert!(!audit.contains(&theirs));
    // An admin without sites sees both.
    app.create_moderator("admin@news.example", "admin", &[], PASSWORD)
        .await;
    let admin = app.login("admin@news.example", PASSWORD).await;
    let page = admin.page("/dashboard").await;
    assert!(page.contains(&ours) && page.contains(&theirs));
}

#[tokio::test]
async fn queue_filters_narrow_the_list() {
    let app = app_with_moderator().await;
    let first = app.submit("news", "a-1").await;
    let second = app.submit("news", "a-2").await;
    let flagged = app.submit("news", "a-2").await;
    app.exec(&format!(
        "UPDATE comments SET flagged = 1 WHERE id = '{flagged}'"
    ))
    .await;
    let email = app
        .store
        .comment("news", &first)
        .await
        .unwrap()
        .unwrap()
        .email;
    let dash = app.login("mod@news.example", PASSWORD).await;
    let page = dash.page("/dashboard?article=a-2").await;
    assert!(!page.contains(&first) && page.contains(&second));
    let page = dash.page(&format!("/dashboard?email={email}")).await;
    assert!(page.contains(&first) && !page.contains(&second));
    let page = dash.page("/dashboard?tab=flagged").await;
    assert!(page.contains(&flagged) && !page.contains(&first));
    let page = dash
        .page("/dashboard?q=%D9%85%D9%85%D8%AA%D8%A7%D8%B2")
        .await;
    assert!(page.contains(&first) && page.contains(&second));
    let page = dash.page("/dashboard?q=nothing-like-this").await;
    assert!(!page.contains(&first));
    let page = dash.page("/dashboard?from=2000-01-01&to=2000-01-02").await;
    assert!(!page.contains(&first));
    let page = dash.page("/dashboard?order=newest").await;
    assert!(page.find(&flagged).unwrap() < page.find(&first).unwrap());
    assert_eq!(dash.get("/dashboard?tab=bogus").await.status(), 400);
}

#[tokio::test]
async fn a_queue_of_fifty_is_cleared_one_decision_at_a_time_and_each_is_audited() {
    let app = app_with_moderator().await;
    let mut ids = Vec::new();
    for _ in 0..50 {
        ids.push(app.submit("news", "a-1").await);
    }
    let dash = app.login("mod@news.example", PASSWORD).await;
    let page = dash.page("/dashboard").await;
    assert_eq!(page.matches("<article class=\"item").count(), 50);
    for id in &ids {
        let resp = dash
            .post(&format!("/dashboard/comments/news/{id}/approve"), &[])
            .await;
        assert_eq!(resp.status(), 303);
    }
    let page = dash.page("/dashboard").await;
    assert_eq!(page.matches("<article class=\"item").count(), 0);
    let rows = app
        .store
        .audit_log(&majlis::storage::AuditFilter {
            sites: vec!["news".into()],
            action: Some("approve".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 50);
}

const XSS_NAME: &str = "<script>alert(1)</script>";
const XSS_TITLE: &str = "\"><svg onload=alert(2)>";
const XSS_BODY: &str = "<img src=x onerror=alert(3)> '\"><iframe src=javascript:alert(4)>";

#[tokio::test]
async fn a_comment_made_of_xss_payloads_renders_inert_on_every_dashboard_page() {
    let app = app_with_moderator().await;
    let mut body = app.valid_comment("news").await;
    body["name"] = json!(XSS_NAME);
    body["title"] = json!(XSS_TITLE);
    body["body"] = json!(XSS_BODY);
    body["article_title"] = json!(XSS_NAME);
    let resp = app.post_comment("news", "a-1", &body).await;
    let v: serde_json::Value = resp.json().await.unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    let status = status_of(&app, "news", &id).await;
    let dash = app.login("mod@news.example", PASSWORD).await;
    // An edit puts the payloads into the audit details too.
    let resp = dash
        .post(
            &format!("/dashboard/comments/news/{id}/edit"),
            &[("title", XSS_TITLE), ("body", XSS_BODY), ("note", XSS_NAME)],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let tab = if status == "published" {
        "published"
    } else {
        status.as_str()
    };
    for path in [
        format!("/dashboard?tab={tab}"),
        "/dashboard/audit".to_string(),
        format!("/dashboard/audit?comment={id}"),
        "/dashboard/articles?site=news".to_string(),
    ] {
        let page = dash.page(&path).await;
        if !path.starts_with("/dashboard/articles") {
            assert!(page.contains(&id), "{path} lists the comment");
        }
        assert!(
            !page.contains("href=\"javascript:"),
            "{path} links to javascript:"
        );
        for raw in ["<script>alert", "<svg", "<img", "<iframe"] {
            assert!(!page.contains(raw), "{path} contains raw {raw}");
        }
        assert!(
            page.contains("&lt;") || page.contains("&#60;"),
            "{path} shows the payload as text: {page}"
        );
    }
    let resp = dash.get("/dashboard").await;
    let csp = resp.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn articles_list_their_counts_and_commenting_can_be_closed_and_opened() {
    let app = app_with_moderator().await;
    let a = app.submit("news", "a-1").await;
    app.submit("news", "a-1").await;
    let dash = app.login("mod@news.example", PASSWORD).await;
    dash.post(&format!("/dashboard/comments/news/{a}/approve"), &[])
        .await;
    let page = dash.page("/dashboard/articles?site=news").await;
    assert!(page.contains("a-1"));
    let start = page.find("/dashboard/articles/news/").unwrap() + "/dashboard/articles/news/".len();
    let article_id = page[start..].split('/').next().unwrap().to_string();
    let resp = dash
        .post(&format!("/dashboard/articles/news/{article_id}/close"), &[])
        .await;
    assert_eq!(resp.status(), 303);
    let body = app.valid_comment("news").await;
    let resp = app.post_comment("news", "a-1", &body).await;
    assert_eq!(resp.status(), 403, "closed articles take no comments");
    let resp = dash
        .post(&format!("/dashboard/articles/news/{article_id}/open"), &[])
        .await;
    assert_eq!(resp.status(), 303);
    app.submit("news", "a-1").await;
    let rows = app
        .store
        .audit_log(&majlis::storage::AuditFilter {
            sites: vec!["news".into()],
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.entry.action.as_str()).collect();
    assert!(actions.contains(&"close_article") && actions.contains(&"open_article"));
    // Another site's article cannot be closed by this moderator.
    app.add_site(site("other")).await;
    let resp = dash
        .post(
            &format!("/dashboard/articles/other/{article_id}/close"),
            &[],
        )
        .await;
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn the_stats_page_counts_waiting_comments_and_decisions_by_reason() {
    let app = app_with_moderator().await;
    let a = app.submit("news", "a-1").await;
    app.submit("news", "a-1").await;
    app.submit("news", "a-1").await;
    let dash = app.login("mod@news.example", PASSWORD).await;
    dash.post(
        &format!("/dashboard/comments/news/{a}/reject"),
        &[("reason", "sectarian_racist")],
    )
    .await;
    let page = dash.page("/dashboard/stats").await;
    assert!(page.contains("<strong id=\"pending\">2</strong>"), "{page}");
    assert!(
        page.contains("Sectarian or racist"),
        "reasons read as labels"
    );
    assert!(page.contains("mod@news.example"));
}

#[tokio::test]
async fn an_admin_adds_and_disables_accounts_and_a_disabled_account_is_signed_out() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.create_moderator("root@news.example", "admin", &[], PASSWORD)
        .await;
    let admin = app.login("root@news.example", PASSWORD).await;
    let resp = admin
        .post(
            "/dashboard/moderators",
            &[
                ("email", "new@news.example"),
                ("role", "moderator"),
                ("sites", "news"),
                ("password", "another long passphrase"),
            ],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let stored = app
        .store
        .moderator_by_email("new@news.example")
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored
            .password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
    );
    assert_eq!(stored.sites, vec!["news".to_string()]);
    let newcomer = app
        .login("new@news.example", "another long passphrase")
        .await;
    // A moderator cannot manage accounts or settings.
    assert_eq!(newcomer.get("/dashboard/moderators").await.status(), 404);
    let resp = newcomer
        .post(
            "/dashboard/moderators",
            &[
                ("email", "x@news.example"),
                ("role", "admin"),
                ("password", "xxxxxxxxxxxx"),
            ],
        )
        .await;
    assert_eq!(resp.status(), 404);
    let resp = newcomer
        .post("/dashboard/settings/news", &[("moderation", "post")])
        .await;
    assert_eq!(resp.status(), 404);
    // Too short a password is refused.
    let resp = admin
        .post(
            "/dashboard/moderators",
            &[
                ("email", "short@news.example"),
                ("role", "admin"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(resp.status(), 400);
    let resp = admin
        .post(&format!("/dashboard/moderators/{}/disable", stored.id), &[])
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(newcomer.get("/dashboard").await.status(), 303);
    let client = browser_client();
    let resp = app
        .try_login(&client, "new@news.example", "another long passphrase")
        .await;
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn a_site_admin_changes_settings_word_lists_and_api_keys() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.add_site(site("other")).await;
    app.create_moderator("boss@news.example", "admin", &["news"], PASSWORD)
        .await;
    let admin = app.login("boss@news.example", PASSWORD).await;
    let page = admin.page("/dashboard/settings?site=news").await;
    assert!(page.contains("insult-ar") || page.contains("<details class=\"lexicon\">"));
    let resp = admin
        .post(
            "/dashboard/settings/news",
            &[
                ("name", "News"),
                ("moderation", "post"),
                ("max_body", "1500"),
                ("terms_url", "https://news.example/terms"),
                ("terms_version", "4"),
                ("origins", "https://news.example\nhttps://www.news.example"),
                ("auto_close_days", "30"),
            ],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let s = app.store.site("news").await.unwrap().unwrap();
    assert_eq!(s.moderation_mode.as_str(), "post");
    assert_eq!(s.max_body_chars, 1500);
    assert_eq!(s.terms_version, "4");
    assert_eq!(s.allowed_origins.len(), 2);
    assert_eq!(s.captcha, majlis::domain::CaptchaMode::Off);
    assert_eq!(s.auto_close_days, Some(30));
    // Another site's settings are out of reach.
    let resp = admin
        .post("/dashboard/settings/other", &[("moderation", "post")])
        .await;
    assert_eq!(resp.status(), 404);
    // Word lists: add a term to the first list; the rules engine uses it.
    let stored = majlis::service::PolicyCache::load(&app.store, "news")
        .await
        .unwrap();
    let list = stored.config.lexicons.first().unwrap().clone();
    let mut text: Vec<String> = list.entries.iter().map(|e| e.term().to_string()).collect();
    text.push("زنديقكبير".into());
    let resp = admin
        .post(
            &format!("/dashboard/settings/news/lexicons/{}", list.name),
            &[("entries", &text.join("\n"))],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let after = majlis::service::PolicyCache::load(&app.store, "news")
        .await
        .unwrap();
    let changed = after
        .config
        .lexicons
        .iter()
        .find(|l| l.name == list.name)
        .unwrap();
    assert_eq!(changed.version, list.version + 1);
    assert!(changed.entries.iter().any(|e| e.term() == "زنديقكبير"));
    // A line with options sets them (here an irregular form); the editor shows them back.
    text.push("زامل | forms=زوامل".into());
    let resp = admin
        .post(
            &format!("/dashboard/settings/news/lexicons/{}", list.name),
            &[("entries", &text.join("\n"))],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let after = majlis::service::PolicyCache::load(&app.store, "news")
        .await
        .unwrap();
    let entry = after
        .config
        .lexicons
        .iter()
        .find(|l| l.name == list.name)
        .and_then(|l| l.entries.iter().find(|e| e.term() == "زامل"))
        .unwrap()
        .clone();
    assert_eq!(entry.forms(), ["زوامل".to_string()]);
    let page = admin.page("/dashboard/settings?site=news").await;
    assert!(
        page.contains("زامل | forms=زوامل"),
        "the editor shows the options"
    );
    // API keys: shown once, usable, revocable.
    let resp = admin
        .post(
            "/dashboard/settings/news/apikeys",
            &[("role", "moderator"), ("label", "cms")],
        )
        .await;
    assert_eq!(resp.status(), 200);
    let page = resp.text().await.unwrap();
    let start =
        page.find("id=\"new-key\" dir=\"ltr\">").unwrap() + "id=\"new-key\" dir=\"ltr\">".len();
    let end = start + page[start..].find('<').unwrap();
    let key = page[start..end].to_string();
    assert!(key.starts_with("mjk_"));
    let queue = app.queue(&key, "news", "pending").await;
    assert!(queue["items"].is_array());
    let again = admin.page("/dashboard/settings?site=news").await;
    assert!(!again.contains(&key), "the key is shown only once");
    let record = app.store.api_keys("news").await.unwrap().pop().unwrap();
    let resp = admin
        .post(
            &format!("/dashboard/settings/news/apikeys/{}/revoke", record.id),
            &[],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let resp = app
        .client
        .get(app.url("/api/v1/sites/news/moderation/queue"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    // Each change is in the audit log.
    let rows = app
        .store
        .audit_log(&majlis::storage::AuditFilter {
            sites: vec!["news".into()],
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.entry.action.as_str()).collect();
    for a in [
        "site_settings",
        "word_list",
        "api_key_created",
        "api_key_revoked",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn a_site_admin_edits_the_pattern_rules_on_the_settings_page() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.create_moderator("boss@news.example", "admin", &["news"], PASSWORD)
        .await;
    let admin = app.login("boss@news.example", PASSWORD).await;
    let page = admin.page("/dashboard/settings?site=news").await;
    assert!(page.contains("/dashboard/settings/news/patterns"), "{page}");
    assert!(page.contains("curse-faith"), "the seed rules are shown");
    let stored = majlis::service::PolicyCache::load(&app.store, "news")
        .await
        .unwrap();
    let mut patterns = stored.config.patterns.clone();
    patterns.rules.retain(|r| r.id != "takfir");
    let json = serde_json::to_string_pretty(&patterns).unwrap();
    let resp = admin
        .post(
            "/dashboard/settings/news/patterns",
            &[("patterns", json.as_str())],
        )
        .await;
    assert_eq!(resp.status(), 303);
    let after = majlis::service::PolicyCache::load(&app.store, "news")
        .await
        .unwrap();
    assert_eq!(after.config.patterns, patterns);
    assert!(after.config.patterns.rules.iter().all(|r| r.id != "takfir"));
    // A document that does not compile is refused and nothing changes.
    let broken = json.replacen("\"animal\"", "\"no-such-class\"", 1);
    let resp = admin
        .post(
            "/dashboard/settings/news/patterns",
            &[("patterns", broken.as_str())],
        )
        .await;
    assert_eq!(resp.status(), 422);
    let resp = admin
        .post(
            "/dashboard/settings/news/patterns",
            &[("patterns", "{not json")],
        )
        .await;
    assert_eq!(resp.status(), 422);
    let unchanged = majlis::service::PolicyCache::load(&app.store, "news")
        .await
        .unwrap();
    assert_eq!(unchanged.config.patterns, patterns);
}

#[tokio::test]
async fn the_tab_counts_are_served_as_json_to_a_signed_in_moderator_only() {
    let app = app_with_moderator().await;
    app.add_site(site("other")).await;
    app.submit("news", "a-1").await;
    app.submit("news", "a-1").await;
    app.submit("other", "a-1").await;
    let anonymous = browser_client()
        .get(app.url("/dashboard/counts"))
        .send()
        .await
        .unwrap();
    assert_ne!(anonymous.status(), 200);
    let dash = app.login("mod@news.example", PASSWORD).await;
    let resp = dash.get("/dashboard/counts").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap(),
        "no-store"
    );
    let counts: serde_json::Value = resp.json().await.unwrap();
    // Only the moderator's site counts; another site's comments do not.
    assert_eq!(counts["pending"], 2, "{counts}");
    assert_eq!(counts["published"], 0, "{counts}");
    let other: serde_json::Value = dash
        .get("/dashboard/counts?site=other")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(other["pending"].as_i64().unwrap_or(0), 0, "{other}");
}

#[tokio::test]
async fn a_tab_badge_stops_counting_at_a_thousand_and_says_999_plus() {
    let app = app_with_moderator().await;
    // 1,001 pending and 3 published comments over one article of the site.
    app.store
        .seed_articles("news", "big-", 1, 3, 1001, majlis::service::now_ms())
        .await
        .unwrap();
    let dash = app.login("mod@news.example", PASSWORD).await;
    let counts: serde_json::Value = dash.get("/dashboard/counts").await.json().await.unwrap();
    assert_eq!(counts["pending"], 1000, "{counts}");
    assert_eq!(counts["published"], 3, "{counts}");
    let page = dash
        .get("/dashboard?tab=pending")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"<span class="count">999+</span>"#),
        "{page}"
    );
    assert!(page.contains(r#"<span class="count">3</span>"#), "{page}");
}

/// A person's erasure request, from the settings page: the page says what it removed, the
/// comments lose the person, a moderator (not an admin) cannot send it, and another site's
/// form is out of reach.
#[tokio::test]
async fn a_site_admin_erases_a_person_from_the_settings_page() {
    let app = app_with_moderator().await;
    app.add_site(site("other")).await;
    app.create_moderator("boss@news.example", "admin", &["news"], PASSWORD)
        .await;
    let mut c = app.valid_comment("news").await;
    c["email"] = json!("Layla@Example.org");
    assert_eq!(app.post_comment("news", "a", &c).await.status(), 202);
    let moderator = app.login("mod@news.example", PASSWORD).await;
    let form = [("email", "layla@example.org"), ("remove_text", "on")];
    let refused = moderator
        .post_for_json("/dashboard/settings/news/privacy/erase", &form)
        .await;
    assert_eq!(refused.status(), 404);
    let left = app
        .store
        .privacy_records("news", "layla@example.org")
        .await
        .unwrap();
    assert_eq!(left.comments.len(), 1, "a moderator erased nothing");

    let admin = app.login("boss@news.example", PASSWORD).await;
    let page = admin.page("/dashboard/settings?site=news").await;
    assert!(
        page.contains("/dashboard/settings/news/privacy/erase"),
        "{page}"
    );
    let resp = admin
        .post("/dashboard/settings/news/privacy/erase", &form)
        .await;
    assert_eq!(resp.status(), 200);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains("<span id=\"erased-comments\">1</span>"),
        "{page}"
    );
    let left = app
        .store
        .privacy_records("news", "layla@example.org")
        .await
        .unwrap();
    assert!(left.comments.is_empty());
    let text = app
        .texts("SELECT body FROM comments WHERE status = 'deleted'")
        .await;
    assert_eq!(text, vec![String::new()], "the text went too");
    let other = admin
        .post_for_json("/dashboard/settings/other/privacy/erase", &form)
        .await;
    assert_eq!(other.status(), 404);
    let bad = admin
        .post_for_json(
            "/dashboard/settings/news/privacy/erase",
            &[("email", "not an email")],
        )
        .await;
    assert_eq!(bad.status(), 422);
}

/// Webhook subscriptions from the settings page: created with its secret shown once, paused,
/// resumed and deleted, each change audited like through the API.
#[tokio::test]
async fn a_site_admin_manages_webhook_subscriptions_from_the_settings_page() {
    let app = spawn_app_with(|s| {
        s.webhooks.allow_http = true;
        s.webhooks.allow_private_networks = true;
    })
    .await;
    app.add_site(site("news")).await;
    app.create_moderator("boss@news.example", "admin", &["news"], PASSWORD)
        .await;
    let admin = app.login("boss@news.example", PASSWORD).await;
    let resp = admin
        .post(
            "/dashboard/settings/news/webhooks",
            &[
                ("url", "http://127.0.0.1:9/hook"),
                ("events", "comment.published comment.deleted"),
                ("description", "rebuild the article page"),
            ],
        )
        .await;
    assert_eq!(resp.status(), 200);
    let page = resp.text().await.unwrap();
    let hooks = app.store.webhooks("news").await.unwrap();
    assert_eq!(hooks.len(), 1);
    let hook = &hooks[0];
    assert_eq!(hook.events, ["comment.published", "comment.deleted"]);
    assert!(
        page.contains(&format!(
            "<code id=\"hook-secret\" dir=\"ltr\">{}</code>",
            hook.secret
        )),
        "the secret is shown once"
    );
    let again = admin.page("/dashboard/settings?site=news").await;
    assert!(!again.contains(&hook.secret), "and never again");
    assert!(again.contains(&hook.id));

    let paused = admin
        .post(
            &format!("/dashboard/settings/news/webhooks/{}", hook.id),
            &[("enabled", "off")],
        )
        .await;
    assert_eq!(paused.status(), 303);
    let now = &app.store.webhooks("news").await.unwrap()[0];
    assert!(!now.enabled);
    assert_eq!(now.events, hook.events, "empty fields keep their value");
    let bad = admin
        .post_for_json(
            &format!("/dashboard/settings/news/webhooks/{}", hook.id),
            &[("events", "comment.nope")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let gone = admin
        .post(
            &format!("/dashboard/settings/news/webhooks/{}/delete", hook.id),
            &[],
        )
        .await;
    assert_eq!(gone.status(), 303);
    assert!(app.store.webhooks("news").await.unwrap().is_empty());
    let actions = app
        .texts("SELECT action FROM audit_log WHERE action LIKE 'webhook_%' ORDER BY created_at")
        .await;
    assert_eq!(actions.len(), 3, "{actions:?}");
}

/// The site's comments and one person's records download from the settings page, in the
/// API's formats, each download audited.
#[tokio::test]
async fn a_site_admin_downloads_the_site_export_and_a_persons_records() {
    let app = app_with_moderator().await;
    app.create_moderator("boss@news.example", "admin", &["news"], PASSWORD)
        .await;
    app.submit("news", "a").await;
    let mut c = app.valid_comment("news").await;
    c["email"] = json!("layla@example.org");
    assert_eq!(app.post_comment("news", "b", &c).await.status(), 202);
    let admin = app.login("boss@news.example", PASSWORD).await;

    let resp = admin.post("/dashboard/settings/news/export", &[]).await;
    assert_eq!(resp.status(), 200);
    let disposition = resp.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/x-ndjson"
    );
    let body = resp.text().await.unwrap();
    let lines: Vec<serde_json::Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);

    let resp = admin
        .post(
            "/dashboard/settings/news/privacy/export",
            &[("email", "Layla@Example.org")],
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let doc: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(doc["comments"].as_array().unwrap().len(), 1, "{doc}");

    let moderator = app.login("mod@news.example", PASSWORD).await;
    let refused = moderator
        .post_for_json("/dashboard/settings/news/export", &[])
        .await;
    assert_eq!(refused.status(), 404);
    let audited = app
        .texts("SELECT action FROM audit_log WHERE action IN ('site_export', 'privacy_export')")
        .await;
    assert_eq!(audited.len(), 2, "{audited:?}");
}
