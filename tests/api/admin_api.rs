//! The instance's admin API (`/api/v1/admin`, root key): who may use it,
//! and sites, site keys and accounts made through it working end to end.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app};

const PASSWORD: &str = "a long enough passphrase";

async fn call(
    app: &TestApp,
    key: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app.client.request(method, app.url(path));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn only_a_live_root_key_opens_the_admin_api() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let site_admin = app.api_key("news", "admin").await;
    let root = app.root_key().await;
    let doors = [
        (Method::GET, "/api/v1/admin/sites"),
        (Method::GET, "/api/v1/admin/sites/news"),
        (Method::GET, "/api/v1/admin/sites/news/keys"),
        (Method::GET, "/api/v1/admin/moderators"),
    ];
    for (method, path) in &doors {
        for (who, key) in [
            ("no key", None),
            ("a site's admin key", Some(site_admin.as_str())),
            ("an unknown key", Some("mjr_0000")),
        ] {
            let (status, body) = call(&app, key, method.clone(), path, None).await;
            assert_eq!(status, 401, "{method} {path} with {who}");
            assert_eq!(body["error"], "unauthorized");
        }
        let (status, _) = call(&app, Some(&root), method.clone(), path, None).await;
        assert_eq!(status, 200, "{method} {path} with the root key");
    }
    // A root key is not a site key either.
    let (status, _) = call(
        &app,
        Some(&root),
        Method::GET,
        "/api/v1/sites/news/settings",
        None,
    )
    .await;
    assert_eq!(status, 401);

    // Revoked (as `majlis rootkey revoke` does): refused at once.
    let id = app.store.root_keys().await.unwrap()[0].id.clone();
    majlis::service::revoke_root_key(
        &app.store,
        &majlis::domain::Actor::Cli,
        &id,
        majlis::service::now_ms(),
    )
    .await
    .unwrap();
    let (status, _) = call(&app, Some(&root), Method::GET, "/api/v1/admin/sites", None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_site_made_through_the_admin_api_takes_comments_with_a_key_made_there() {
    let app = spawn_app().await;
    let root = app.root_key().await;
    let (status, body) = call(
        &app,
        Some(&root),
        Method::POST,
        "/api/v1/admin/sites",
        Some(json!({"key": "alwatan", "settings": {
            "name": "الوطن", "origins": ["https://www.alwatan.example"], "moderation": "pre"
        }})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["key"], "alwatan");
    assert_eq!(body["name"], "الوطن");
    assert_eq!(body["origins"], json!(["https://www.alwatan.example"]));

    // The same key again, a key that is not one, a bad setting: nothing made.
    for (bad, code, field) in [
        (json!({"key": "alwatan"}), "conflict", None),
        (json!({"key": "Al Watan"}), "invalid_parameter", Some("key")),
        (
            json!({"key": "other", "settings": {"origins": ["https://x.example/path"]}}),
            "invalid_parameter",
            Some("origins"),
        ),
    ] {
        let (status, body) = call(
            &app,
            Some(&root),
            Method::POST,
            "/api/v1/admin/sites",
            Some(bad.clone()),
        )
        .await;
        assert_eq!(body["error"], code, "{bad}: {body}");
        assert!(status == 400 || status == 409, "{bad}: {status}");
        if let Some(f) = field {
            assert!(body["fields"].get(f).is_some(), "{body}");
        }
    }
    let (_, list) = call(&app, Some(&root), Method::GET, "/api/v1/admin/sites", None).await;
    let keys: Vec<&str> = list["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"alwatan") && !keys.contains(&"other"),
        "{keys:?}"
    );

    let (status, body) = call(
        &app,
        Some(&root),
        Method::PATCH,
        "/api/v1/admin/sites/alwatan",
        Some(json!({"moderation": "post"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["moderation"], "post");

    // A moderator key made through the admin API moderates that site, and
    // only until it is revoked; a key of another site is not revoked here.
    let (status, made) = call(
        &app,
        Some(&root),
        Method::POST,
        "/api/v1/admin/sites/alwatan/keys",
        Some(json!({"role": "moderator", "label": "cms"})),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let secret = made["secret"].as_str().unwrap().to_string();
    let queue = "/api/v1/sites/alwatan/moderation/queue";
    assert_eq!(
        call(&app, Some(&secret), Method::GET, queue, None).await.0,
        200
    );
    let (_, listed) = call(
        &app,
        Some(&root),
        Method::GET,
        "/api/v1/admin/sites/alwatan/keys",
        None,
    )
    .await;
    assert_eq!(listed["keys"][0]["id"], made["id"]);
    assert!(
        listed.to_string().find(&secret).is_none(),
        "secrets are never listed"
    );

    app.add_site(site("news")).await;
    let path = format!(
        "/api/v1/admin/sites/news/keys/{}",
        made["id"].as_str().unwrap()
    );
    assert_eq!(
        call(&app, Some(&root), Method::DELETE, &path, None).await.0,
        404
    );
    assert_eq!(
        call(&app, Some(&secret), Method::GET, queue, None).await.0,
        200
    );
    let path = format!(
        "/api/v1/admin/sites/alwatan/keys/{}",
        made["id"].as_str().unwrap()
    );
    assert_eq!(
        call(&app, Some(&root), Method::DELETE, &path, None).await.0,
        204
    );
    assert_eq!(
        call(&app, Some(&secret), Method::GET, queue, None).await.0,
        401
    );
    assert_eq!(
        call(&app, Some(&root), Method::DELETE, &path, None).await.0,
        404
    );

    // Every change names the root key in the audit log.
    let mut actions = app
        .texts("SELECT action FROM audit_log WHERE actor_kind = 'root_key'")
        .await;
    actions.sort();
    assert_eq!(
        actions,
        [
            "api_key_created",
            "api_key_revoked",
            "site_created",
            "site_settings",
        ]
    );
}

#[tokio::test]
async fn an_account_made_through_the_admin_api_signs_in_until_it_is_disabled() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let root = app.root_key().await;
    let new = |email: &str, password: &str| json!({"email": email, "role": "moderator", "sites": ["news"], "lang": "en", "password": password});
    let (status, body) = call(
        &app,
        Some(&root),
        Method::POST,
        "/api/v1/admin/moderators",
        Some(new("Editor@News.example", PASSWORD)),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["email"], "editor@news.example");
    assert_eq!(body["sites"], json!(["news"]));
    assert!(body.get("password_hash").is_none());
    let id = body["id"].as_str().unwrap().to_string();

    for (bad, field) in [
        (new("editor2@news.example", "short"), "password"),
        (
            json!({"email": "x@news.example", "role": "moderator", "password": PASSWORD}),
            "sites",
        ),
        (
            json!({"email": "x@news.example", "role": "owner", "sites": ["news"], "password": PASSWORD}),
            "role",
        ),
        (
            json!({"email": "x@news.example", "role": "moderator", "sites": ["nowhere"], "password": PASSWORD}),
            "sites",
        ),
    ] {
        let (status, body) = call(
            &app,
            Some(&root),
            Method::POST,
            "/api/v1/admin/moderators",
            Some(bad.clone()),
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_parameter")),
            "{bad}: {body}"
        );
        assert!(body["fields"].get(field).is_some(), "{bad}: {body}");
    }
    let (status, body) = call(
        &app,
        Some(&root),
        Method::POST,
        "/api/v1/admin/moderators",
        Some(new("editor@news.example", PASSWORD)),
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (409, Some("conflict")));

    let client = crate::helpers::browser_client();
    assert_eq!(
        app.try_login(&client, "editor@news.example", PASSWORD)
            .await
            .status(),
        303
    );

    let new_password = "another long passphrase";
    let path = format!("/api/v1/admin/moderators/{id}/password");
    assert_eq!(
        call(
            &app,
            Some(&root),
            Method::PUT,
            &path,
            Some(json!({"password": new_password}))
        )
        .await
        .0,
        204
    );
    let client = crate::helpers::browser_client();
    assert_ne!(
        app.try_login(&client, "editor@news.example", PASSWORD)
            .await
            .status(),
        303
    );
    assert_eq!(
        app.try_login(&client, "editor@news.example", new_password)
            .await
            .status(),
        303
    );

    let path = format!("/api/v1/admin/moderators/{id}/disable");
    assert_eq!(
        call(&app, Some(&root), Method::POST, &path, None).await.0,
        204
    );
    let client = crate::helpers::browser_client();
    assert_ne!(
        app.try_login(&client, "editor@news.example", new_password)
            .await
            .status(),
        303
    );
    assert_eq!(
        call(&app, Some(&root), Method::POST, &path, None).await.0,
        404
    );
    let (_, list) = call(
        &app,
        Some(&root),
        Method::GET,
        "/api/v1/admin/moderators",
        None,
    )
    .await;
    assert!(list["moderators"][0]["disabled_at"].is_string(), "{list}");
}

#[test]
fn the_cli_makes_lists_and_revokes_root_keys() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("m.db").display());
    let run = |args: &[&str]| {
        let out = crate::helpers::majlis_cli(&db).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["migrate"]);
    let secret = run(&["rootkey", "create", "--label", "ops"]);
    assert!(secret.trim().starts_with("mjr_"), "{secret}");
    let list = run(&["rootkey", "list"]);
    assert!(
        list.contains("active") && list.contains("ops") && !list.contains(secret.trim()),
        "{list}"
    );
    let id = list.split_whitespace().next().unwrap().to_string();
    run(&["rootkey", "revoke", &id]);
    assert!(run(&["rootkey", "list"]).contains("revoked"));
}
