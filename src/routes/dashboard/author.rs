//! One author's history on a site: every comment they sent with its status,
//! the blocks that touch them, and the block actions (the same block use
//! case the queue and the API call).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::guard::{Action, Session, csrf_forms, html, render, see_other};
use super::queue::layout;
use super::view::{Layout, Tr, gmt, safe_return};
use crate::domain::CommentStatus;
use crate::i18n::{Code, label};
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::routes::time_fmt::rfc3339;
use crate::service::{self, now_ms};

/// Most comments the history lists (newest first).
const HISTORY_MAX: u32 = 200;
/// How much of each comment's body the history shows.
const EXCERPT_CHARS: usize = 160;

pub struct HistoryItem {
    pub id: String,
    pub title: String,
    pub excerpt: String,
    pub status: String,
    pub status_code: &'static str,
    pub article_title: String,
    pub when_gmt: String,
    pub when_iso: String,
    pub open: String,
}

pub struct BlockView {
    pub id: String,
    pub kind: String,
    pub value: String,
    pub reason: String,
    pub until: String,
}

pub struct BlockOffer {
    pub kind: &'static str,
    pub value: String,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "dashboard/author.html")]
struct AuthorTemplate {
    layout: Layout,
    tr: Tr,
    site: String,
    email: String,
    names: Vec<String>,
    /// (status label, count) for the statuses this author has comments in.
    counts: Vec<(String, usize)>,
    items: Vec<HistoryItem>,
    blocks: Vec<BlockView>,
    offers: Vec<BlockOffer>,
    return_to: String,
    done: bool,
}

#[derive(Deserialize)]
pub struct AuthorQuery {
    site: Option<String>,
    email: Option<String>,
    done: Option<String>,
}

fn enc(raw: &str) -> String {
    percent_encoding::utf8_percent_encode(raw, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The history page's own address.
pub fn history_url(site: &str, email: &str) -> String {
    format!("/dashboard/author?site={}&email={}", enc(site), enc(email))
}

/// `GET /dashboard/author?site=&email=`
pub async fn page(
    state: web::Data<AppState>,
    query: web::Query<AuthorQuery>,
    Session(cur): Session,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let q = query.into_inner();
    let site = q.site.unwrap_or_default();
    let email = q.email.unwrap_or_default().trim().to_lowercase();
    if !cur.moderator.can_moderate(&site) {
        return Err(ApiError::new(ErrorCode::SiteNotFound, lang));
    }
    if email.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidParameter, lang));
    }
    let comments = state
        .store
        .author_comments(&site, &email, HISTORY_MAX)
        .await
        .or_api(lang)?;
    let domain = email
        .rsplit_once('@')
        .map(|(_, d)| d.to_string())
        .unwrap_or_default();
    let mut names: Vec<String> = Vec::new();
    let mut ip_hashes: Vec<String> = Vec::new();
    for c in &comments {
        if !names.contains(&c.name) {
            names.push(c.name.clone());
        }
        if !ip_hashes.contains(&c.ip_hash) {
            ip_hashes.push(c.ip_hash.clone());
        }
    }
    let counts = CommentStatus::ALL
        .iter()
        .map(|s| {
            (
                label(lang, Code::Status, s.as_str()),
                comments.iter().filter(|c| c.status == *s).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let now = now_ms();
    let blocks = state
        .store
        .active_blocks(&site, now)
        .await
        .or_api(lang)?
        .into_iter()
        .filter(|b| match b.kind.as_str() {
            "email" => b.value.eq_ignore_ascii_case(&email),
            "domain" => b.value.eq_ignore_ascii_case(&domain),
            "ip_hash" => ip_hashes.contains(&b.value),
            _ => false,
        })
        .map(|b| BlockView {
            kind: label(lang, Code::Action, &format!("block_{}", b.kind)),
            until: b.expires_at.map(gmt).unwrap_or_default(),
            id: b.id,
            value: b.value,
            reason: b.reason.unwrap_or_default(),
        })
        .collect();
    let mut offers = vec![
        BlockOffer {
            kind: "email",
            value: email.clone(),
            label: "dash.block.email",
        },
        BlockOffer {
            kind: "domain",
            value: domain,
            label: "dash.block.domain",
        },
    ];
    // The addresses their comments came from (hashed), newest first.
    offers.extend(ip_hashes.into_iter().take(3).map(|h| BlockOffer {
        kind: "ip_hash",
        value: h,
        label: "dash.block.ip",
    }));
    let items = comments
        .into_iter()
        .map(|c| {
            let excerpt = crate::domain::excerpt(&c.body, EXCERPT_CHARS);
            HistoryItem {
                open: format!(
                    "/dashboard?site={}&comment={}#c-{}",
                    enc(&site),
                    enc(&c.id),
                    enc(&c.id)
                ),
                status: label(lang, Code::Status, c.status.as_str()),
                status_code: c.status.as_str(),
                title: c.title,
                excerpt,
                article_title: c.article_title.unwrap_or_else(|| c.article_key.clone()),
                when_gmt: gmt(c.created_at),
                when_iso: rfc3339(c.created_at),
                id: c.id,
            }
        })
        .collect();
    let template = AuthorTemplate {
        layout: layout(&cur, "queue"),
        tr: Tr(lang),
        return_to: history_url(&site, &email),
        site,
        email,
        names,
        counts,
        items,
        blocks,
        offers,
        done: q.done.as_deref() == Some("ok"),
    };
    Ok(html(StatusCode::OK, render(&template, lang)?))
}

#[derive(Deserialize)]
pub struct UnblockForm {
    csrf: Option<String>,
    site: Option<String>,
    id: Option<String>,
    return_to: Option<String>,
}

/// `POST /dashboard/unblock`: lift a block (the block removal use case the
/// API calls too).
pub async fn unblock(
    _req: HttpRequest,
    state: web::Data<AppState>,
    Action { cur, form }: Action<UnblockForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let site = form.site.unwrap_or_default();
    if !cur.moderator.can_moderate(&site) {
        return Err(ApiError::new(ErrorCode::SiteNotFound, lang));
    }
    let id = form.id.unwrap_or_default();
    service::remove_block(&state.store, &cur.actor(), &site, &id, now_ms())
        .await
        .or_api(lang)?;
    tracing::info!(moderator = %cur.moderator.id, "block removed");
    let back = safe_return(form.return_to.as_deref());
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(see_other(&format!("{back}{sep}done=ok")))
}

csrf_forms!(UnblockForm);
