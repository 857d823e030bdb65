//! The Reported tab: comments readers reported, with the count, reasons and
//! latest notes (never who reported), and the moderator's two answers:
//! dismiss the reports, or take the comment down.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::guard::{self, Action, Session, csrf_forms, html, render, see_other};
use super::queue::{REJECT_REASONS, layout};
use super::view::{Layout, Tr, gmt};
use crate::domain::{CommentStatus, Lang};
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::service::{Decision, act_on_reports, dismiss_reports, now_ms};

/// Reported comments shown per site.
const PER_SITE: u32 = 50;

pub struct ReportedView {
    pub site: String,
    pub id: String,
    pub name: String,
    pub title: String,
    pub body: String,
    pub status: String,
    pub article: String,
    pub reports: i64,
    /// "Insults or abuse × 3", the most frequent first.
    pub reasons: Vec<String>,
    pub notes: Vec<String>,
    pub latest_gmt: String,
}

#[derive(Template)]
#[template(path = "dashboard/reported.html")]
struct ReportedTemplate {
    layout: Layout,
    tr: Tr,
    items: Vec<ReportedView>,
    reasons: Vec<(&'static str, &'static str)>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct ReportedQuery {
    site: Option<String>,
    done: Option<String>,
}

/// `GET /dashboard/reported`
pub async fn page(
    state: web::Data<AppState>,
    query: web::Query<ReportedQuery>,
    Session(cur): Session,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let sites = guard::sites_of(&state, &cur).await?;
    let chosen: Vec<String> = match query.site.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => sites.iter().filter(|x| x.as_str() == s).cloned().collect(),
        None => sites,
    };
    let mut items = Vec::new();
    for site in chosen {
        for r in state.store.reported(&site, PER_SITE).await.or_api(lang)? {
            items.push(view(&site, r, lang));
        }
    }
    items.sort_by_key(|i| std::cmp::Reverse(i.reports));
    let template = ReportedTemplate {
        layout: layout(&cur, "reported"),
        tr: Tr(lang),
        items,
        reasons: REJECT_REASONS
            .iter()
            .map(|r| (*r, crate::i18n::t(lang, &format!("dash.reason.{r}"))))
            .collect(),
        notice: match query.done.as_deref() {
            Some("dismissed") => Some("dash.reported.dismissed"),
            Some("acted") => Some("dash.reported.acted"),
            _ => None,
        },
    };
    Ok(html(StatusCode::OK, render(&template, lang)?))
}

fn view(site: &str, r: crate::storage::ReportedComment, lang: Lang) -> ReportedView {
    let c = r.comment;
    ReportedView {
        site: site.to_string(),
        reasons: r
            .reasons
            .into_iter()
            .map(|(code, n)| {
                format!(
                    "{} × {n}",
                    crate::i18n::t(lang, &format!("report.reason.{code}"))
                )
            })
            .collect(),
        notes: r.notes,
        reports: r.open,
        latest_gmt: gmt(r.latest_at),
        status: crate::i18n::label(lang, crate::i18n::Code::Status, c.status.as_str()),
        article: c.article_title.unwrap_or(c.article_key),
        id: c.id,
        name: c.name,
        title: c.title,
        body: c.body,
    }
}

#[derive(Deserialize)]
pub struct ResolveForm {
    csrf: Option<String>,
    reason: Option<String>,
    note: Option<String>,
}

csrf_forms!(ResolveForm);

const NOTE_MAX: usize = 500;

/// `POST /dashboard/reported/{site}/{id}/{dismiss|reject|spam}`
pub async fn resolve(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    Action { cur, form }: Action<ResolveForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let (site, id, action) = path.into_inner();
    if !cur.moderator.can_moderate(&site) {
        return Err(ApiError::new(ErrorCode::CommentNotFound, lang));
    }
    let note = form
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > NOTE_MAX) {
        return Err(ApiError::new(ErrorCode::InvalidParameter, lang));
    }
    let bad = || ApiError::new(ErrorCode::InvalidParameter, lang);
    let done = match action.as_str() {
        "dismiss" => {
            dismiss_reports(&state.store, &cur.actor(), &site, &id, note, now_ms())
                .await
                .or_api(lang)?;
            "dismissed"
        }
        "reject" | "spam" => {
            let (to, action, reason) = if action == "reject" {
                let reason = form
                    .reason
                    .filter(|r| REJECT_REASONS.contains(&r.as_str()))
                    .ok_or_else(bad)?;
                (CommentStatus::Rejected, "reject", Some(reason))
            } else {
                (CommentStatus::Spam, "spam", Some("spam".to_string()))
            };
            act_on_reports(
                &state.store,
                &state.composer,
                &state.wakes,
                Decision::new(&site, &id, (to, action), cur.actor(), now_ms())
                    .because(reason, note),
            )
            .await
            .or_api(lang)?;
            "acted"
        }
        _ => return Err(ApiError::new(ErrorCode::NotFound, lang)),
    };
    Ok(see_other(&format!("/dashboard/reported?done={done}")))
}
