//! `GET /api/v1/sites/{site}/changes`: the change feed (moderator key).
//! Every change of the site's comments in a stable order with a cursor, so
//! an integrator mirrors a site by polling and resumes after downtime.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::key::{Key, Moderator};
use super::moderation::QueueItemJson;
use super::private_json;
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::routes::extract::RequestLang;
use crate::routes::time_fmt::rfc3339;
use crate::storage::{ChangeCursor, CommentChange};

/// Entries per page when `limit` is left out, and the most one page holds.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 500;

/// What happened to the comment, as the feed names it.
pub(crate) const CHANGES: [&str; 8] = [
    "created",
    "published",
    "rejected",
    "spam",
    "deleted",
    "edited",
    "erased",
    "changed",
];

fn change_name(action: &str) -> &'static str {
    match action {
        "submitted" => "created",
        "approve" => "published",
        "reject" => "rejected",
        "spam" => "spam",
        "delete" => "deleted",
        "edit" => "edited",
        "privacy_erase" => "erased",
        _ => "changed",
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// `next_cursor` of the previous page; left out, the feed starts at its
    /// oldest kept entry.
    after: Option<String>,
    /// Entries per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// One change, with the comment as it is now (a later change of the same
/// comment shows the same state: apply entries in order and keep the last).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChangeJson {
    /// Resume after this entry by passing it as `after`.
    cursor: String,
    /// `created` (a submission was stored; its status says what the rules
    /// decided), `published`, `rejected`, `spam`, `deleted` (decisions),
    /// `edited`, `erased` (a privacy erasure) or `changed`.
    change: &'static str,
    /// When the change was made (RFC 3339, UTC).
    at: String,
    comment: QueueItemJson,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ChangePage {
    /// Oldest first.
    changes: Vec<ChangeJson>,
    /// Pass back as `after` for the next page; the same cursor when there
    /// is nothing new yet (poll again later with it).
    next_cursor: String,
    /// More entries are readable now: ask again at once.
    has_more: bool,
}

fn encode(c: ChangeCursor) -> String {
    format!("{}-{}", c.tx, c.seq)
}

fn decode(raw: &str) -> Option<ChangeCursor> {
    let (tx, seq) = raw.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(tx) || !digits(seq) {
        return None;
    }
    Some(ChangeCursor {
        tx: tx.parse().ok()?,
        seq: seq.parse().ok()?,
    })
}

/// `GET /api/v1/sites/{site}/changes`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/changes", tag = "moderation",
    operation_id = "listChanges",
    summary = "Every change of the site's comments, in order, from a cursor",
    description = "For mirroring a site by polling: each entry is one audited change (a \
        submission, a decision, an edit, an erasure) with the comment as it is now. Entries \
        come in a stable order and none is skipped, even with several majlis instances \
        writing at once; an entry appears once every change committed before it is readable. \
        Entries are kept `api.changes_keep_days` days (30 by default); imported comments are \
        not in the feed (take them from the export).",
    security(("api_key" = [])),
    params(ChangesQuery),
    responses(
        (status = 200, description = "A page of the feed", body = ChangePage),
        (status = 400, description = "A malformed `after` or `limit` out of range (`invalid_parameter`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<ChangesQuery>,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    let bad = || ApiError::new(ErrorCode::InvalidParameter, lang);
    let limit = match query.limit {
        None => DEFAULT_LIMIT,
        Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => return Err(bad()),
    };
    let after = match query.after.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(decode(raw).ok_or_else(bad)?),
    };
    let mut rows = state
        .store
        .comment_changes(&key.site_key, after, limit.saturating_add(1))
        .await
        .or_api(lang)?;
    let has_more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = rows.last().map(|c| c.cursor).or(after).unwrap_or_default();
    Ok(private_json(ChangePage {
        changes: rows.into_iter().map(change_json).collect(),
        next_cursor: encode(next),
        has_more,
    }))
}

fn change_json(c: CommentChange) -> ChangeJson {
    ChangeJson {
        cursor: encode(c.cursor),
        change: change_name(&c.action),
        at: rfc3339(c.at),
        comment: QueueItemJson::from(c.comment),
    }
}
