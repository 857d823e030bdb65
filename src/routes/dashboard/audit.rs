//! The audit log: every status change, edit and block, with who, when and
//! why; filterable by site, action, moderator and comment.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::guard::{self, Session, html, render};
use super::queue::layout;
use super::view::{Layout, Tr, gmt};
use crate::routes::AppState;
use crate::routes::error::{ApiError, OrApi};
use crate::routes::time_fmt::rfc3339;
use crate::storage::AuditFilter;

const PAGE_SIZE: u32 = 100;

pub struct AuditView {
    pub when_gmt: String,
    pub when_iso: String,
    pub site: String,
    pub comment: String,
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

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
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
    let chosen = match nonempty(&q.site) {
        Some(s) if sites.contains(&s) => vec![s],
        Some(_) => Vec::new(),
        None => sites.clone(),
    };
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
            let actor = match (e.actor_kind.as_str(), r.actor_email) {
                ("moderator", Some(email)) => email,
                (kind, _) if e.actor_id.is_empty() => kind.to_string(),
                (kind, _) => format!("{kind} {}", e.actor_id),
            };
            AuditView {
                when_gmt: gmt(e.created_at),
                when_iso: rfc3339(e.created_at),
                site: e.site_key,
                comment: e.comment_id.unwrap_or_default(),
                actor,
                action: e.action,
                change: match (e.from_status, e.to_status) {
                    (Some(f), Some(t)) if f != t => format!("{f} → {t}"),
                    (None, Some(t)) => t,
                    _ => String::new(),
                },
                reason: e.reason.unwrap_or_default(),
                note: e.note.unwrap_or_default(),
                details: r.details.unwrap_or_default(),
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
