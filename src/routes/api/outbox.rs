use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::site::require_key;
use crate::auth::Role;
use crate::routes::error::{ApiError, ErrorCode};
use crate::routes::extract::request_lang;
use crate::routes::time_fmt::rfc3339;
use crate::startup::AppState;

const STATUSES: [&str; 5] = ["pending", "sent", "failed", "logged", "unsubscribed"];
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 200;

#[derive(Deserialize)]
pub struct OutboxQuery {
    status: Option<String>,
    limit: Option<u32>,
}

#[derive(Serialize)]
struct OutboxItem {
    id: String,
    kind: String,
    comment_id: Option<String>,
    to: String,
    subject: String,
    status: String,
    attempts: i64,
    next_attempt_at: String,
    last_error: Option<String>,
    created_at: String,
    sent_at: Option<String>,
}

/// `GET /api/v1/sites/{site}/outbox?status=failed`: the site's mail with
/// counts per status (admin key).
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<OutboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let site_key = path.into_inner();
    let key = require_key(&state, &req, &site_key, Role::Admin).await?;
    let lang = request_lang(&req, None);
    let bad = || ApiError::new(ErrorCode::InvalidParameter, lang);
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(s) if STATUSES.contains(&s) => Some(s),
        Some(_) => return Err(bad()),
    };
    let limit = match query.limit {
        None => DEFAULT_LIMIT,
        Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => return Err(bad()),
    };
    let store_err = |e| ApiError::storage(e, lang);
    let counts = state
        .store
        .outbox_counts(&key.site_key)
        .await
        .map_err(store_err)?;
    let rows = state
        .store
        .outbox_messages(&key.site_key, status, limit)
        .await
        .map_err(store_err)?;
    let counts: serde_json::Map<String, serde_json::Value> = STATUSES
        .iter()
        .map(|s| {
            let n = counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
            ((*s).to_string(), n.into())
        })
        .collect();
    let items: Vec<OutboxItem> = rows
        .into_iter()
        .map(|m| OutboxItem {
            id: m.id,
            kind: m.kind,
            comment_id: m.comment_id,
            to: m.to_addr,
            subject: m.subject,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: rfc3339(m.next_attempt_at),
            last_error: m.last_error,
            created_at: rfc3339(m.created_at),
            sent_at: m.sent_at.map(rfc3339),
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({ "counts": counts, "items": items })))
}
