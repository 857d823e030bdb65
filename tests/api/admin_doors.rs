//! Every admin use case through each of its front doors (JSON API with a
//! site's key, the instance's admin API with a root key, dashboard form, CLI): the same acceptance, the same refusal code for the
//! same bad input, and exactly one audit row per accepted change (none per
//! refused one). Exports are reads but carry personal data: they are audited
//! too, one row per export.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::helpers::{Dashboard, TestApp, site, spawn_app_with};

const PASSWORD: &str = "a long enough passphrase";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Door {
    Api,
    /// The instance's admin API (`/api/v1/admin`, root key).
    Root,
    Dashboard,
    Cli,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UseCase {
    ChangeSite,
    Block,
    WordList,
    EditComment,
    CreateApiKey,
    AddModerator,
    CloseArticle,
    OpenArticle,
    Export,
    PrivacyExport,
    PrivacyErase,
    CreateWebhook,
    UpdateWebhook,
    DeleteWebhook,
    RevokeApiKey,
    DisableModerator,
    Unblock,
    ReportSettings,
    PatternRules,
}

struct Row {
    case: UseCase,
    doors: &'static [Door],
    /// The audit action one accepted change writes.
    audit: &'static str,
    /// Fields every door takes; `{door}` is replaced by the door's name
    /// (where a value must be unique, as an account's email). A value naming
    /// a record made by `Doors::new` (a key, an account, a block, a webhook)
    /// stands for that record's id.
    good: &'static [(&'static str, &'static str)],
    bad: &'static [(&'static str, &'static str)],
    refusal: &'static str,
}

const ALL: &[Door] = &[Door::Api, Door::Dashboard, Door::Cli];

const TABLE: &[Row] = &[
    Row {
        case: UseCase::ChangeSite,
        doors: &[Door::Api, Door::Root, Door::Dashboard, Door::Cli],
        audit: "site_settings",
        good: &[
            ("origin", "https://news.example:8443"),
            ("moderation", "post"),
        ],
        bad: &[
            (
                "origin",
                "https://beta.example *; script-src * 'unsafe-inline'",
            ),
            ("moderation", "post"),
        ],
        refusal: "invalid_parameter",
    },
    Row {
        case: UseCase::Block,
        doors: ALL,
        audit: "block_domain",
        good: &[
            ("kind", "domain"),
            ("value", "spam.example"),
            ("hours", "24"),
        ],
        bad: &[
            ("kind", "domain"),
            ("value", "spam.example"),
            ("hours", "100000"),
        ],
        refusal: "invalid_parameter",
    },
    Row {
        case: UseCase::WordList,
        doors: ALL,
        audit: "word_list",
        good: &[("entry", "زنديقكبير")],
        bad: &[("entry", "\u{640}\u{640}\u{640}")],
        refusal: "invalid_policy",
    },
    Row {
        case: UseCase::EditComment,
        doors: ALL,
        audit: "edit",
        good: &[("title", "عنوان مصحح"), ("body", "نص مصحح بعد التعديل")],
        // A C1 control (a command line cannot carry a NUL; the dashboard's edit test refuses
        // that too).
        bad: &[("title", "عنوان مصحح"), ("body", "نص فيه \u{85} تحكم")],
        refusal: "validation_failed",
    },
    Row {
        case: UseCase::CreateApiKey,
        doors: &[Door::Root, Door::Dashboard, Door::Cli],
        audit: "api_key_created",
        good: &[("role", "moderator"), ("label", "cms")],
        bad: &[("role", "owner"), ("label", "cms")],
        refusal: "invalid_parameter",
    },
    Row {
        case: UseCase::AddModerator,
        doors: &[Door::Root, Door::Dashboard, Door::Cli],
        audit: "moderator_created",
        good: &[("email", "new-{door}@news.example"), ("role", "moderator")],
        bad: &[("email", "not an email"), ("role", "moderator")],
        refusal: "invalid_parameter",
    },
    Row {
        case: UseCase::CloseArticle,
        doors: ALL,
        audit: "close_article",
        good: &[("article", "close-{door}")],
        bad: &[("article", "bad\u{202e}key")],
        refusal: "validation_failed",
    },
    Row {
        case: UseCase::OpenArticle,
        doors: ALL,
        audit: "open_article",
        good: &[("article", "close-{door}")],
        bad: &[("article", "bad\u{202e}key")],
        refusal: "validation_failed",
    },
    Row {
        case: UseCase::Export,
        doors: &[Door::Api, Door::Dashboard, Door::Cli],
        audit: "site_export",
        good: &[("site", "news")],
        bad: &[("site", "nosuch")],
        refusal: "site_not_found",
    },
    Row {
        case: UseCase::PrivacyExport,
        doors: &[Door::Api, Door::Dashboard, Door::Cli],
        audit: "privacy_export",
        good: &[("email", "erase-{door}@example.com")],
        bad: &[("email", "not an email")],
        refusal: "validation_failed",
    },
    Row {
        case: UseCase::PrivacyErase,
        doors: &[Door::Api, Door::Dashboard, Door::Cli],
        audit: "privacy_erase",
        good: &[("email", "erase-{door}@example.com")],
        bad: &[("email", "not an email")],
        refusal: "validation_failed",
    },
    Row {
        case: UseCase::CreateWebhook,
        doors: &[Door::Api, Door::Dashboard, Door::Cli],
        audit: "webhook_created",
        good: &[
            ("url", "http://127.0.0.1:9/created"),
            ("event", "comment.published"),
        ],
        bad: &[
            ("url", "http://127.0.0.1:9/created"),
            ("event", "comment.nope"),
        ],
        refusal: "validation_failed",
    },
    Row {
        case: UseCase::UpdateWebhook,
        doors: &[Door::Api, Door::Dashboard, Door::Cli],
        audit: "webhook_updated",
        good: &[("webhook", "hook-{door}"), ("event", "comment.deleted")],
        bad: &[("webhook", "hook-{door}"), ("event", "comment.nope")],
        refusal: "validation_failed",
    },
    Row {
        case: UseCase::DeleteWebhook,
        doors: &[Door::Api, Door::Dashboard, Door::Cli],
        audit: "webhook_deleted",
        good: &[("webhook", "hook-{door}")],
        bad: &[("webhook", "no-such-hook")],
        refusal: "not_found",
    },
    Row {
        case: UseCase::RevokeApiKey,
        doors: &[Door::Root, Door::Dashboard, Door::Cli],
        audit: "api_key_revoked",
        good: &[("key", "revoke-{door}")],
        bad: &[("key", "no-such-key")],
        refusal: "not_found",
    },
    Row {
        case: UseCase::DisableModerator,
        doors: &[Door::Root, Door::Dashboard, Door::Cli],
        audit: "moderator_disabled",
        good: &[("account", "victim-{door}@news.example")],
        bad: &[("account", "nobody@news.example")],
        refusal: "not_found",
    },
    Row {
        case: UseCase::Unblock,
        doors: ALL,
        audit: "unblock",
        good: &[("block", "unblock-{door}@spam.example")],
        bad: &[("block", "no-such-block")],
        refusal: "not_found",
    },
    Row {
        case: UseCase::ReportSettings,
        doors: ALL,
        audit: "report_settings",
        good: &[("hold_after", "3")],
        bad: &[("hold_after", "5000")],
        refusal: "invalid_parameter",
    },
    // The JSON API changes pattern rules with the rest of the rules
    // (`PUT .../rules`, audited as `rules`): another use case.
    Row {
        case: UseCase::PatternRules,
        doors: &[Door::Dashboard, Door::Cli],
        audit: "pattern_rules",
        good: &[("patterns", r#"{"classes": [], "rules": []}"#)],
        bad: &[("patterns", "{not json")],
        refusal: "invalid_policy",
    },
];

/// What a door answered: accepted, or refused with a stable code.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    Accepted,
    Refused(String),
}

struct Doors {
    app: TestApp,
    admin_key: String,
    root_key: String,
    dash: Dashboard,
    comment: String,
    list: String,
    list_kind: Value,
    /// Ids of the records the use cases act on, by name.
    ids: HashMap<String, String>,
}

impl Doors {
    async fn new() -> Doors {
        let app = spawn_app_with(|s| {
            s.webhooks.allow_http = true;
            s.webhooks.allow_private_networks = true;
        })
        .await;
        app.add_site(site("news")).await;
        let admin_key = app.api_key("news", "admin").await;
        let root_key = app.root_key().await;
        app.create_moderator("boss@news.example", "admin", &[], PASSWORD)
            .await;
        let dash = app.login("boss@news.example", PASSWORD).await;
        let comment = app.submit("news", "a-1").await;
        let stored = majlis::service::PolicyCache::load(&app.store, "news")
            .await
            .unwrap();
        let list = stored.config.lexicons.first().unwrap();
        let list_kind = json!({"category": list.category, "action": list.action});
        let list = list.name.clone();
        let mut ids = HashMap::new();
        let now = majlis::service::now_ms();
        let actor = majlis::domain::Actor::Cli;
        for door in ["api", "root", "dashboard", "cli"] {
            // An open article to close, then open again.
            let resp = app
                .client
                .put(app.url(&format!("/api/v1/sites/news/articles/close-{door}")))
                .bearer_auth(&admin_key)
                .json(&json!({"open": true}))
                .send()
                .await
                .unwrap();
            assert!(resp.status().is_success());
            // A comment of the person whose data is exported and erased.
            let mut body = app.valid_comment("news").await;
            body["email"] = json!(format!("erase-{door}@example.com"));
            let resp = app.post_comment("news", "a-1", &body).await;
            assert_eq!(resp.status(), 202);
            let label = format!("revoke-{door}");
            let (key, _) = majlis::service::create_api_key(
                &app.store,
                &actor,
                "news",
                "moderator",
                &label,
                now,
            )
            .await
            .unwrap();
            ids.insert(label, key.id);
            let email = format!("victim-{door}@news.example");
            let account = app
                .create_moderator(&email, "moderator", &["news"], PASSWORD)
                .await;
            ids.insert(email, account);
            if door == "root" {
                // The instance's admin API lifts no site's blocks.
                continue;
            }
            let value = format!("unblock-{door}@spam.example");
            let block = majlis::domain::Block::parse(majlis::domain::BlockDto {
                kind: Some("email".into()),
                value: Some(value.clone()),
                hours: None,
                reason: None,
            })
            .unwrap();
            let entry = majlis::service::add_block(&app.store, &actor, "news", &block, now)
                .await
                .unwrap();
            ids.insert(value, entry.id);
        }
        for door in ["api", "dashboard", "cli"] {
            // A subscription to change, then remove.
            let url = "http://127.0.0.1:9/hook";
            let (hook, _) =
                crate::webhooks::subscribe(&app, &admin_key, url, &["comment.published"]).await;
            ids.insert(format!("hook-{door}"), hook);
        }
        Doors {
            app,
            admin_key,
            root_key,
            dash,
            comment,
            list,
            list_kind,
            ids,
        }
    }

    /// The id of the record `name` stands for, or `name` itself.
    fn id(&self, name: &str) -> String {
        self.ids
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }

    async fn audit_rows(&self, action: &str) -> usize {
        self.app
            .store
            .audit_log(&majlis::storage::AuditFilter {
                sites: vec!["news".into(), "*".into()],
                action: Some(action.into()),
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap()
            .len()
    }

    async fn call(&self, case: UseCase, door: Door, fields: &[(&str, String)]) -> Answer {
        let f = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let id = |name: &str| self.id(&f(name));
        match door {
            Door::Api => {
                let (method, path, body) = match case {
                    UseCase::ChangeSite => (
                        reqwest::Method::PATCH,
                        "/api/v1/sites/news/settings".to_string(),
                        json!({"origins": [f("origin")], "moderation": f("moderation")}),
                    ),
                    UseCase::Block => (
                        reqwest::Method::POST,
                        "/api/v1/sites/news/blocks".to_string(),
                        json!({"kind": f("kind"), "value": f("value"),
                               "hours": f("hours").parse::<u32>().unwrap()}),
                    ),
                    UseCase::WordList => {
                        let mut body = self.list_kind.clone();
                        body["entries"] = json!([f("entry")]);
                        (
                            reqwest::Method::PUT,
                            format!("/api/v1/sites/news/lexicons/{}", self.list),
                            body,
                        )
                    }
                    UseCase::EditComment => (
                        reqwest::Method::PATCH,
                        format!("/api/v1/sites/news/comments/{}", self.comment),
                        json!({"title": f("title"), "body": f("body")}),
                    ),
                    UseCase::CloseArticle | UseCase::OpenArticle => (
                        reqwest::Method::PUT,
                        format!("/api/v1/sites/news/articles/{}", f("article")),
                        json!({"open": case == UseCase::OpenArticle}),
                    ),
                    UseCase::Export => (
                        reqwest::Method::GET,
                        format!("/api/v1/sites/{}/export", f("site")),
                        Value::Null,
                    ),
                    UseCase::PrivacyExport => (
                        reqwest::Method::POST,
                        "/api/v1/sites/news/privacy/export".to_string(),
                        json!({"email": f("email")}),
                    ),
                    UseCase::PrivacyErase => (
                        reqwest::Method::POST,
                        "/api/v1/sites/news/privacy/erase".to_string(),
                        json!({"email": f("email")}),
                    ),
                    UseCase::CreateWebhook => (
                        reqwest::Method::POST,
                        "/api/v1/sites/news/webhooks".to_string(),
                        json!({"url": f("url"), "events": [f("event")]}),
                    ),
                    UseCase::UpdateWebhook => (
                        reqwest::Method::PATCH,
                        format!("/api/v1/sites/news/webhooks/{}", id("webhook")),
                        json!({"events": [f("event")], "description": "rebuild the page"}),
                    ),
                    UseCase::DeleteWebhook => (
                        reqwest::Method::DELETE,
                        format!("/api/v1/sites/news/webhooks/{}", id("webhook")),
                        Value::Null,
                    ),
                    UseCase::Unblock => (
                        reqwest::Method::DELETE,
                        format!("/api/v1/sites/news/blocks/{}", id("block")),
                        Value::Null,
                    ),
                    UseCase::ReportSettings => (
                        reqwest::Method::PUT,
                        "/api/v1/sites/news/reports/settings".to_string(),
                        json!({"hold_after": f("hold_after").parse::<u32>().unwrap(),
                               "illegal_reason": false}),
                    ),
                    UseCase::CreateApiKey
                    | UseCase::AddModerator
                    | UseCase::RevokeApiKey
                    | UseCase::DisableModerator
                    | UseCase::PatternRules => {
                        unreachable!("no API door")
                    }
                };
                let mut req = self
                    .app
                    .client
                    .request(method, self.app.url(&path))
                    .bearer_auth(&self.admin_key);
                if !body.is_null() {
                    req = req.json(&body);
                }
                answer_of(req.send().await.unwrap()).await
            }
            Door::Root => {
                let (method, path, body) = match case {
                    UseCase::ChangeSite => (
                        reqwest::Method::PATCH,
                        "/api/v1/admin/sites/news".to_string(),
                        json!({"origins": [f("origin")], "moderation": f("moderation")}),
                    ),
                    UseCase::CreateApiKey => (
                        reqwest::Method::POST,
                        "/api/v1/admin/sites/news/keys".to_string(),
                        json!({"role": f("role"), "label": f("label")}),
                    ),
                    UseCase::AddModerator => (
                        reqwest::Method::POST,
                        "/api/v1/admin/moderators".to_string(),
                        json!({"email": f("email"), "role": f("role"), "sites": ["news"],
                               "password": PASSWORD}),
                    ),
                    UseCase::RevokeApiKey => (
                        reqwest::Method::DELETE,
                        format!("/api/v1/admin/sites/news/keys/{}", id("key")),
                        Value::Null,
                    ),
                    UseCase::DisableModerator => (
                        reqwest::Method::POST,
                        format!("/api/v1/admin/moderators/{}/disable", id("account")),
                        Value::Null,
                    ),
                    _ => unreachable!("a site's own key does these"),
                };
                let mut req = self
                    .app
                    .client
                    .request(method, self.app.url(&path))
                    .bearer_auth(&self.root_key);
                if !body.is_null() {
                    req = req.json(&body);
                }
                answer_of(req.send().await.unwrap()).await
            }
            Door::Dashboard => {
                let (path, form): (String, Vec<(&str, String)>) = match case {
                    UseCase::ChangeSite => (
                        "/dashboard/settings/news".into(),
                        vec![("origins", f("origin")), ("moderation", f("moderation"))],
                    ),
                    UseCase::Block => (
                        "/dashboard/block".into(),
                        vec![
                            ("site", "news".into()),
                            ("kind", f("kind")),
                            ("value", f("value")),
                            ("hours", f("hours")),
                        ],
                    ),
                    UseCase::WordList => (
                        format!("/dashboard/settings/news/lexicons/{}", self.list),
                        vec![("entries", f("entry"))],
                    ),
                    UseCase::EditComment => (
                        format!("/dashboard/comments/news/{}/edit", self.comment),
                        vec![("title", f("title")), ("body", f("body"))],
                    ),
                    UseCase::CreateApiKey => (
                        "/dashboard/settings/news/apikeys".into(),
                        vec![("role", f("role")), ("label", f("label"))],
                    ),
                    UseCase::AddModerator => (
                        "/dashboard/moderators".into(),
                        vec![
                            ("email", f("email")),
                            ("role", f("role")),
                            ("sites", "news".into()),
                            ("password", PASSWORD.into()),
                        ],
                    ),
                    UseCase::CloseArticle | UseCase::OpenArticle => (
                        format!(
                            "/dashboard/articles/news/{}/{}",
                            f("article"),
                            if case == UseCase::OpenArticle {
                                "open"
                            } else {
                                "close"
                            }
                        ),
                        vec![],
                    ),
                    UseCase::RevokeApiKey => (
                        format!("/dashboard/settings/news/apikeys/{}/revoke", id("key")),
                        vec![],
                    ),
                    UseCase::DisableModerator => (
                        format!("/dashboard/moderators/{}/disable", id("account")),
                        vec![],
                    ),
                    UseCase::Unblock => (
                        "/dashboard/unblock".into(),
                        vec![("site", "news".into()), ("id", id("block"))],
                    ),
                    UseCase::ReportSettings => (
                        "/dashboard/settings/news/reports".into(),
                        vec![("hold_after", f("hold_after"))],
                    ),
                    UseCase::PatternRules => (
                        "/dashboard/settings/news/patterns".into(),
                        vec![("patterns", f("patterns"))],
                    ),
                    UseCase::PrivacyErase => (
                        "/dashboard/settings/news/privacy/erase".into(),
                        vec![("email", f("email"))],
                    ),
                    UseCase::CreateWebhook => (
                        "/dashboard/settings/news/webhooks".into(),
                        vec![("url", f("url")), ("events", f("event"))],
                    ),
                    UseCase::UpdateWebhook => (
                        format!("/dashboard/settings/news/webhooks/{}", id("webhook")),
                        vec![
                            ("events", f("event")),
                            ("description", "rebuild the page".into()),
                        ],
                    ),
                    UseCase::DeleteWebhook => (
                        format!("/dashboard/settings/news/webhooks/{}/delete", id("webhook")),
                        vec![],
                    ),
                    UseCase::Export => {
                        (format!("/dashboard/settings/{}/export", f("site")), vec![])
                    }
                    UseCase::PrivacyExport => (
                        "/dashboard/settings/news/privacy/export".into(),
                        vec![("email", f("email"))],
                    ),
                };
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                answer_of(self.dash.post_for_json(&path, &form).await).await
            }
            Door::Cli => {
                let args: Vec<String> = match case {
                    UseCase::ChangeSite => vec![
                        "site".into(),
                        "set".into(),
                        "news".into(),
                        "--origin".into(),
                        f("origin"),
                        "--moderation".into(),
                        f("moderation"),
                    ],
                    UseCase::Block => vec![
                        "block".into(),
                        "add".into(),
                        "--site=news".into(),
                        format!("--kind={}", f("kind")),
                        format!("--value={}", f("value")),
                        format!("--hours={}", f("hours")),
                    ],
                    UseCase::CreateApiKey => vec![
                        "apikey".into(),
                        "create".into(),
                        "--site=news".into(),
                        format!("--role={}", f("role")),
                        format!("--label={}", f("label")),
                    ],
                    UseCase::AddModerator => vec![
                        "moderator".into(),
                        "add".into(),
                        format!("--email={}", f("email")),
                        format!("--role={}", f("role")),
                        "--site=news".into(),
                    ],
                    UseCase::CloseArticle | UseCase::OpenArticle => vec![
                        "article".into(),
                        if case == UseCase::OpenArticle {
                            "open"
                        } else {
                            "close"
                        }
                        .into(),
                        "--site=news".into(),
                        f("article"),
                    ],
                    UseCase::Export => vec!["export".into(), format!("--site={}", f("site"))],
                    UseCase::PrivacyExport | UseCase::PrivacyErase => vec![
                        "privacy".into(),
                        if case == UseCase::PrivacyErase {
                            "erase"
                        } else {
                            "export"
                        }
                        .into(),
                        "--site=news".into(),
                        format!("--email={}", f("email")),
                    ],
                    UseCase::RevokeApiKey => vec![
                        "apikey".into(),
                        "revoke".into(),
                        "--site=news".into(),
                        id("key"),
                    ],
                    UseCase::DisableModerator => vec![
                        "moderator".into(),
                        "disable".into(),
                        format!("--email={}", f("account")),
                    ],
                    UseCase::Unblock => vec![
                        "block".into(),
                        "remove".into(),
                        "--site=news".into(),
                        id("block"),
                    ],
                    UseCase::CreateWebhook => {
                        let event = format!("--event={}", f("event"));
                        let url = format!("--url={}", f("url"));
                        vec![
                            "webhook".into(),
                            "add".into(),
                            "--site=news".into(),
                            url,
                            event,
                        ]
                    }
                    UseCase::UpdateWebhook => vec![
                        "webhook".into(),
                        "update".into(),
                        id("webhook"),
                        format!("--event={}", f("event")),
                        "--description=rebuild the page".into(),
                        "--site=news".into(),
                    ],
                    UseCase::DeleteWebhook => vec![
                        "webhook".into(),
                        "remove".into(),
                        "--site=news".into(),
                        id("webhook"),
                    ],
                    UseCase::WordList => vec![
                        "wordlist".into(),
                        "set".into(),
                        "--site=news".into(),
                        self.list.clone(),
                        format!("--entry={}", f("entry")),
                    ],
                    UseCase::EditComment => vec![
                        "comment".into(),
                        "edit".into(),
                        "--site=news".into(),
                        self.comment.clone(),
                        format!("--title={}", f("title")),
                        format!("--body={}", f("body")),
                    ],
                    UseCase::ReportSettings => vec![
                        "reports".into(),
                        "set".into(),
                        "--site=news".into(),
                        format!("--hold-after={}", f("hold_after")),
                    ],
                    UseCase::PatternRules => vec![
                        "patterns".into(),
                        "set".into(),
                        "--site=news".into(),
                        format!("--json={}", f("patterns")),
                    ],
                };
                self.cli(&args)
            }
        }
    }

    /// Run `majlis <args>` on the test's database, a password on stdin.
    fn cli(&self, args: &[String]) -> Answer {
        use std::io::Write;
        let mut child = crate::helpers::majlis_cli(&self.app.db_url)
            // The instance's webhook settings (`Doors::new`).
            .env("MAJLIS__WEBHOOKS__ALLOW_HTTP", "true")
            .env("MAJLIS__WEBHOOKS__ALLOW_PRIVATE_NETWORKS", "true")
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            return Answer::Accepted;
        }
        // `majlis: <code>: <details>`
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let code = stderr
            .strip_prefix("majlis: ")
            .and_then(|s| s.split(':').next())
            .unwrap_or(&stderr)
            .trim()
            .to_string();
        Answer::Refused(code)
    }
}

async fn answer_of(resp: reqwest::Response) -> Answer {
    let status = resp.status();
    if status.is_success() || status.is_redirection() {
        return Answer::Accepted;
    }
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    Answer::Refused(
        body["error"]
            .as_str()
            .unwrap_or("no error code")
            .to_string(),
    )
}

fn door_name(d: Door) -> &'static str {
    match d {
        Door::Api => "api",
        Door::Root => "root",
        Door::Dashboard => "dashboard",
        Door::Cli => "cli",
    }
}

fn fill(fields: &[(&'static str, &'static str)], door: Door) -> Vec<(&'static str, String)> {
    fields
        .iter()
        .map(|(k, v)| (*k, v.replace("{door}", door_name(door))))
        .collect()
}

#[tokio::test]
async fn every_admin_use_case_answers_alike_through_every_front_door_with_one_audit_row() {
    let doors = Doors::new().await;
    for row in TABLE {
        for &door in row.doors {
            let before = doors.audit_rows(row.audit).await;
            let bad = doors.call(row.case, door, &fill(row.bad, door)).await;
            assert_eq!(
                bad,
                Answer::Refused(row.refusal.into()),
                "{:?} refused through {door:?}",
                row.case
            );
            assert_eq!(
                doors.audit_rows(row.audit).await,
                before,
                "{:?}: a refused change through {door:?} is not audited",
                row.case
            );
            let good = doors.call(row.case, door, &fill(row.good, door)).await;
            assert_eq!(good, Answer::Accepted, "{:?} through {door:?}", row.case);
            assert_eq!(
                doors.audit_rows(row.audit).await,
                before + 1,
                "{:?} through {door:?} writes exactly one audit row",
                row.case
            );
        }
    }
    // What was accepted is what every door stored.
    let s = doors.app.store.site("news").await.unwrap().unwrap();
    assert_eq!(s.allowed_origins, ["https://news.example:8443"]);
    let blocks = doors
        .app
        .store
        .active_blocks("news", majlis::service::now_ms())
        .await
        .unwrap();
    assert_eq!(
        blocks.len(),
        1,
        "a block renewed, not duplicated; the others lifted"
    );
    for door in ["api", "dashboard", "cli"] {
        let a = doors
            .app
            .store
            .article("news", &format!("close-{door}"))
            .await
            .unwrap()
            .unwrap();
        assert!(!a.closed, "closed and opened again through {door}");
        let left = doors
            .app
            .store
            .privacy_records("news", &format!("erase-{door}@example.com"))
            .await
            .unwrap();
        assert!(left.comments.is_empty(), "erased through {door}");
    }
    // Each door's subscription removed, each door's new one kept as given.
    let hooks = doors.app.store.webhooks("news").await.unwrap();
    assert_eq!(hooks.len(), 3);
    for h in hooks {
        assert_eq!(h.url, "http://127.0.0.1:9/created");
        assert_eq!(h.events, ["comment.published"]);
    }
}
