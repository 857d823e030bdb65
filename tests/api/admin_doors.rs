//! Every admin use case through each of its front doors (JSON API with a
//! site's key, the instance's admin API with a root key, dashboard form, CLI): the same acceptance, the same refusal code for the
//! same bad input, and exactly one audit row per accepted change.

use serde_json::{Value, json};

use crate::helpers::{Dashboard, TestApp, site, spawn_app};

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
}

struct Row {
    case: UseCase,
    doors: &'static [Door],
    /// The audit action one accepted change writes.
    audit: &'static str,
    /// Fields every door takes; `{door}` is replaced by the door's name
    /// (where a value must be unique, as an account's email).
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
        doors: &[Door::Api, Door::Dashboard],
        audit: "word_list",
        good: &[("entry", "زنديقكبير")],
        bad: &[("entry", "\u{640}\u{640}\u{640}")],
        refusal: "invalid_policy",
    },
    Row {
        case: UseCase::EditComment,
        doors: &[Door::Api, Door::Dashboard],
        audit: "edit",
        good: &[("title", "عنوان مصحح"), ("body", "نص مصحح بعد التعديل")],
        bad: &[("title", "عنوان مصحح"), ("body", "نص فيه \u{0} صفر")],
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
}

impl Doors {
    async fn new() -> Doors {
        let app = spawn_app().await;
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
        Doors {
            app,
            admin_key,
            root_key,
            dash,
            comment,
            list,
            list_kind,
        }
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
                    UseCase::CreateApiKey | UseCase::AddModerator => {
                        unreachable!("no API door")
                    }
                };
                let resp = self
                    .app
                    .client
                    .request(method, self.app.url(&path))
                    .bearer_auth(&self.admin_key)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                answer_of(resp).await
            }
            Door::Root => {
                let (method, path, body) = match case {
                    UseCase::ChangeSite => (
                        reqwest::Method::PATCH,
                        "/api/v1/admin/sites/news",
                        json!({"origins": [f("origin")], "moderation": f("moderation")}),
                    ),
                    UseCase::CreateApiKey => (
                        reqwest::Method::POST,
                        "/api/v1/admin/sites/news/keys",
                        json!({"role": f("role"), "label": f("label")}),
                    ),
                    UseCase::AddModerator => (
                        reqwest::Method::POST,
                        "/api/v1/admin/moderators",
                        json!({"email": f("email"), "role": f("role"), "sites": ["news"],
                               "password": PASSWORD}),
                    ),
                    UseCase::Block | UseCase::WordList | UseCase::EditComment => {
                        unreachable!("a site's own key does these")
                    }
                };
                let resp = self
                    .app
                    .client
                    .request(method, self.app.url(path))
                    .bearer_auth(&self.root_key)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                answer_of(resp).await
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
                    UseCase::WordList | UseCase::EditComment => unreachable!("no CLI door"),
                };
                self.cli(&args)
            }
        }
    }

    /// Run `majlis <args>` on the test's database, a password on stdin.
    fn cli(&self, args: &[String]) -> Answer {
        use std::io::Write;
        let mut child = crate::helpers::majlis_cli(&self.app.db_url)
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
    assert_eq!(blocks.len(), 1, "a block renewed, not duplicated");
}
