//! The audit log: every status change, edit and block, with who, when and
//! why; filterable by site, action, moderator and comment.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::guard::{self, Session, html, nonempty, render};
use super::queue::layout;
use super::view::{Layout, Tr, gmt};
use crate::domain::Lang;
use crate::i18n::{Code, label, t};
use crate::routes::AppState;
use crate::routes::error::{ApiError, OrApi};
use crate::routes::time_fmt::rfc3339;
use crate::storage::AuditFilter;

const PAGE_SIZE: u32 = 100;

/// The actions the filter offers.
const ACTIONS: [&str; 26] = [
    "submitted",
    "feature",
    "unfeature",
    "dismiss_reports",
    "act_on_reports",
    "hold_reported",
    "report_settings",
    "approve",
    "reject",
    "spam",
    "delete",
    "edit",
    "privacy_erase",
    "privacy_erase_request",
    "privacy_export",
    "site_export",
    "block_email",
    "block_domain",
    "block_ip",
    "block_ip_hash",
    "close_article",
    "open_article",
    "site_settings",
    "word_list",
    "api_key_created",
    "api_key_revoked",
];

/// What the log shows of the comment a row is about.
pub struct AuditCommentView {
    pub title: String,
    pub excerpt: String,
    pub status: String,
    pub article_title: String,
    pub article_url: Option<String>,
    /// The queue showing this one comment, with its actions.
    pub open: String,
}

pub struct AuditView {
    pub when_gmt: String,
    pub when_iso: String,
    pub site: String,
    pub comment: String,
    pub about: Option<AuditCommentView>,
    pub actor: String,
    pub action: String,
    pub change: String,
    pub reason: String,
    pub note: String,
    pub details: String,
}

#[derive(Template)]
#[template(path = "dashboard/audit.html")]
struct AuditTemplate {
    layout: Layout,
    tr: Tr,
    sites: Vec<String>,
    /// (code, label) of the actions to filter on.
    actions: Vec<(&'static str, String)>,
    /// (id, email) of the accounts working on these sites.
    actors: Vec<(String, String)>,
    f: AuditFilterValues,
    rows: Vec<AuditView>,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    pub site: Option<String>,
    pub action: Option<String>,
    pub actor: Option<String>,
    pub comment: Option<String>,
    pub page: Option<u32>,
}

impl AuditQuery {
    pub fn value(v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
}

pub struct AuditFilterValues {
    pub site: String,
    pub action: String,
    pub actor: String,
    pub comment: String,
}

/// `GET /dashboard/audit`
pub async fn page(
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
    Session(cur): Session,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let q = query.into_inner();
    let sites = guard::sites_of(&state, &cur).await?;
    let chosen = guard::chosen_sites(&sites, &q.site);
    let rows = state
        .store
        .audit_log(&AuditFilter {
            sites: chosen,
            action: nonempty(&q.action),
            actor_id: nonempty(&q.actor),
            comment_id: nonempty(&q.comment),
            limit: PAGE_SIZE,
            offset: q.page.unwrap_or(0).min(10_000) * PAGE_SIZE,
        })
        .await
        .or_api(lang)?;
    let rows: Vec<AuditView> = rows
        .into_iter()
        .map(|r| {
            let e = r.entry;
            let kind = label(lang, Code::Actor, &e.actor_kind);
            let actor = match (e.actor_kind.as_str(), r.actor_email) {
                ("moderator", Some(email)) => email,
                _ if e.actor_id.is_empty() => kind,
                _ => format!("{kind} {}", e.actor_id),
            };
            let status = |s: &str| label(lang, Code::Status, s);
            let comment_id = e.comment_id.clone().unwrap_or_default();
            let about = r.comment.map(|c| AuditCommentView {
                open: format!(
                    "/dashboard?site={}&comment={}#c-{}",
                    enc(&e.site_key),
                    enc(&comment_id),
                    enc(&comment_id)
                ),
                title: c.title,
                excerpt: c.excerpt,
                status: status(c.status.as_str()),
                article_title: c.article_title.unwrap_or_else(|| c.article_key.clone()),
                article_url: c.article_url.filter(|u| {
                    let l = u.to_ascii_lowercase();
                    l.starts_with("https://") || l.starts_with("http://")
                }),
            });
            AuditView {
                about,
                when_gmt: gmt(e.created_at),
                when_iso: rfc3339(e.created_at),
                site: e.site_key,
                comment: e.comment_id.unwrap_or_default(),
                actor,
                action: label(lang, Code::Action, &e.action),
                change: match (e.from_status, e.to_status) {
                    (Some(f), Some(t)) if f != t => format!("{} → {}", status(&f), status(&t)),
                    (None, Some(t)) => status(&t),
                    _ => String::new(),
                },
                reason: e
                    .reason
                    .map(|r| label(lang, Code::Reason, &r))
                    .unwrap_or_default(),
                note: e.note.unwrap_or_default(),
                details: r
                    .details
                    .map(|d| readable_details(lang, &d))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let actors = state
        .store
        .moderators()
        .await
        .or_api(lang)?
        .into_iter()
        .filter(|m| sites.iter().any(|s| m.can_moderate(s)) || m.disabled_at.is_some())
        .map(|m| (m.id, m.email))
        .collect();
    let template = AuditTemplate {
        actors,
        layout: layout(&cur, "audit"),
        tr: Tr(lang),
        actions: ACTIONS
            .iter()
            .map(|a| (*a, label(lang, Code::Action, a)))
            .collect(),
        sites,
        f: AuditFilterValues {
            site: AuditQuery::value(&q.site),
            action: AuditQuery::value(&q.action),
            actor: AuditQuery::value(&q.actor),
            comment: AuditQuery::value(&q.comment),
        },
        rows,
    };
    Ok(html(StatusCode::OK, render(&template, lang)?))
}

fn enc(raw: &str) -> String {
    percent_encoding::utf8_percent_encode(raw, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// An audit row's details as a person reads them. An edit's details hold
/// the text before it and the findings about that text: shown as labelled
/// text and the findings' explanations in `lang`, never as raw codes. Other
/// details (a block's value, a setting) are shown as stored.
fn readable_details(lang: Lang, raw: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(raw) else {
        return raw.to_string();
    };
    let Some(original) = v.get("original") else {
        return raw.to_string();
    };
    let text = |key: &str| original.get(key).and_then(|x| x.as_str()).unwrap_or("");
    let mut out = format!(
        "{}: {}\n{}: {}",
        t(lang, "dash.audit.original_title"),
        text("title"),
        t(lang, "dash.audit.original_body"),
        text("body")
    );
    let explanation = match lang {
        Lang::Ar => "explanation_ar",
        Lang::En => "explanation_en",
    };
    let findings: Vec<&str> = v
        .get("original_findings")
        .and_then(|f| f.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|f| f.get(explanation).and_then(|x| x.as_str()))
                .collect()
        })
        .unwrap_or_default();
    if !findings.is_empty() {
        out.push_str(&format!(
            "\n{}: {}",
            t(lang, "dash.audit.original_findings"),
            findings.join(" · ")
        ));
    }
    out
}
