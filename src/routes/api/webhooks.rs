//! Webhook subscriptions of a site (admin key): create (the signing secret
//! is shown once), list, delete, and each subscription's delivery log.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::comments::{decode_cursor, encode_cursor, parse_limit};
use super::site::require_key;
use crate::auth::Role;
use crate::domain::{FieldError, ValidationErrors, new_id};
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode};
use crate::routes::extract::request_lang;
use crate::routes::time_fmt::rfc3339;
use crate::service::now_ms;
use crate::storage::{AttemptRecord, Cursor, DeliveryRecord, WebhookRecord};
use crate::webhooks::{EVENT_TYPES, new_secret};

/// Longest description of a subscription.
const DESCRIPTION_MAX: usize = 200;
const DELIVERY_STATUSES: [&str; 3] = ["pending", "delivered", "failed"];

/// The body of `POST .../webhooks`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://cms.example.org/hooks/majlis",
    "events": ["comment.published", "comment.deleted"],
    "description": "Rebuild the article page"
}))]
pub struct CreateWebhook {
    /// Where deliveries are POSTed: an `https` URL whose host resolves to
    /// public addresses only (unless the operator allows otherwise).
    url: String,
    /// One or more of `comment.created`, `comment.held`, `comment.published`,
    /// `comment.rejected`, `comment.deleted`, `comment.edited`,
    /// `comment.erased`, `article.closed`.
    events: Vec<String>,
    /// A note for people; at most 200 characters.
    description: Option<String>,
}

/// A subscription (its secret is only shown when it is created).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "id": "0193a6f0c2c87b52a1f0e3d4c5b6a798",
    "url": "https://cms.example.org/hooks/majlis",
    "events": ["comment.published", "comment.deleted"],
    "description": "Rebuild the article page",
    "created_at": "2026-11-29T08:00:00Z"
}))]
pub struct WebhookJson {
    id: String,
    url: String,
    events: Vec<String>,
    description: String,
    created_at: String,
}

impl From<WebhookRecord> for WebhookJson {
    fn from(w: WebhookRecord) -> WebhookJson {
        WebhookJson {
            id: w.id,
            url: w.url,
            events: w.events,
            description: w.description,
            created_at: rfc3339(w.created_at),
        }
    }
}

/// A new subscription with its signing secret, shown this once.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "id": "0193a6f0c2c87b52a1f0e3d4c5b6a798",
    "url": "https://cms.example.org/hooks/majlis",
    "events": ["comment.published", "comment.deleted"],
    "description": "Rebuild the article page",
    "created_at": "2026-11-29T08:00:00Z",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwW0k1aGx0b3Q="
}))]
pub struct WebhookCreated {
    #[serde(flatten)]
    webhook: WebhookJson,
    /// `whsec_` + base64 of a 256-bit key. Store it now: it is never shown again.
    secret: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookList {
    webhooks: Vec<WebhookJson>,
}

/// One delivery: one event for one subscription, with its latest attempt.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "id": "msg_0193a6f1d2e37c11b2a4c6d8e0f1a2b3",
    "event": "comment.published",
    "status": "pending",
    "attempts": 2,
    "last_attempt_at": "2026-11-29T08:01:10Z",
    "last_status_code": 503,
    "last_error": "the receiver answered HTTP 503",
    "next_attempt_at": "2026-11-29T08:02:10Z",
    "created_at": "2026-11-29T08:00:40Z",
    "delivered_at": null,
    "attempt_log": [
        {"attempt": 1, "at": "2026-11-29T08:00:41Z", "status_code": 503, "error": "the receiver answered HTTP 503", "duration_ms": 84},
        {"attempt": 2, "at": "2026-11-29T08:01:10Z", "status_code": 503, "error": "the receiver answered HTTP 503", "duration_ms": 77}
    ],
    "payload": {"type": "comment.published", "timestamp": "2026-11-29T08:00:40Z", "data": {"id": "0193a6f1..."}}
}))]
pub struct DeliveryJson {
    /// The `webhook-id` header of every attempt.
    id: String,
    event: String,
    /// `pending` (waiting for its next attempt), `delivered` or `failed` (gave up).
    status: String,
    attempts: i64,
    last_attempt_at: Option<String>,
    /// HTTP status of the last answer; `null` when none came (see `last_error`).
    last_status_code: Option<i64>,
    last_error: Option<String>,
    /// When the next attempt is due (`pending` only).
    next_attempt_at: Option<String>,
    created_at: String,
    delivered_at: Option<String>,
    /// Every attempt so far, oldest first.
    attempt_log: Vec<AttemptJson>,
    /// The exact body that is sent.
    #[schema(value_type = Object)]
    payload: serde_json::Value,
}

/// One attempt of a delivery.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"attempt": 1, "at": "2026-11-29T08:00:41Z", "status_code": 503,
    "error": "the receiver answered HTTP 503", "duration_ms": 84}))]
pub struct AttemptJson {
    attempt: i64,
    at: String,
    /// HTTP status of the answer; `null` when none came (see `error`).
    status_code: Option<i64>,
    error: Option<String>,
    duration_ms: i64,
}

impl From<AttemptRecord> for AttemptJson {
    fn from(a: AttemptRecord) -> AttemptJson {
        AttemptJson {
            attempt: a.attempt,
            at: rfc3339(a.at),
            status_code: a.status_code,
            error: a.error,
            duration_ms: a.duration_ms,
        }
    }
}

impl DeliveryJson {
    fn new(d: DeliveryRecord, attempts: Vec<AttemptRecord>) -> DeliveryJson {
        let pending = d.status == "pending";
        DeliveryJson {
            attempt_log: attempts.into_iter().map(AttemptJson::from).collect(),
            payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
            id: d.id,
            event: d.event_type,
            status: d.status,
            attempts: d.attempts,
            last_attempt_at: d.last_attempt_at.map(rfc3339),
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            next_attempt_at: pending.then(|| rfc3339(d.next_attempt_at)),
            created_at: rfc3339(d.created_at),
            delivered_at: d.delivered_at.map(rfc3339),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DeliveryPage {
    deliveries: Vec<DeliveryJson>,
    /// Pass back as `cursor`; `null` on the last page.
    next_cursor: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// `pending`, `delivered` or `failed`; absent = all.
    status: Option<String>,
    /// Page size, 1 to 100 (default 20).
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

fn no_store(mut resp: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    resp.insert_header((header::CACHE_CONTROL, "no-store"));
    resp
}

/// Check the body's fields; the URL's addresses are checked after.
fn parse_create(b: &CreateWebhook) -> Result<(Vec<String>, String), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let mut events: Vec<String> = Vec::new();
    if b.events.is_empty() {
        errors.add("events", FieldError::new("required"));
    }
    for e in &b.events {
        if !EVENT_TYPES.contains(&e.as_str()) {
            errors.add(
                "events",
                FieldError::new("unknown_event")
                    .with("event", e.chars().take(64).collect::<String>())
                    .with("allowed", EVENT_TYPES.join(", ")),
            );
        } else if !events.contains(e) {
            events.push(e.clone());
        }
    }
    let description = b.description.as_deref().unwrap_or("").trim().to_string();
    if description.chars().count() > DESCRIPTION_MAX {
        errors.add(
            "description",
            FieldError::new("too_long").with("max", DESCRIPTION_MAX),
        );
    } else if description.chars().any(char::is_control) {
        errors.add("description", FieldError::new("control_characters"));
    }
    errors.into_result()?;
    Ok((events, description))
}

/// `POST /api/v1/sites/{site}/webhooks`
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/webhooks", tag = "webhooks",
    summary = "Subscribe a URL to events of this site (admin key)",
    description = "Creates a subscription and answers with its signing secret, shown only \
        this once. The URL must be `https` and its host must resolve to public addresses \
        only (loopback, private, link-local, CGNAT and similar ranges are refused unless the \
        operator allows them); the check is repeated at every delivery.\n\n\
        Every delivery is a `POST` with a JSON body and the Standard Webhooks headers \
        `webhook-id` (stable across retries: deduplicate on it), `webhook-timestamp` (unix \
        seconds of the attempt) and `webhook-signature: v1,<sig>` where `<sig>` is \
        base64(HMAC-SHA256(key, \"{webhook-id}.{webhook-timestamp}.{body}\")) and `key` is \
        the base64-decoded part of the secret after `whsec_`. Compare in constant time and \
        reject timestamps more than a few minutes old. Any 2xx answer counts as delivered; \
        anything else (or no answer within the timeout) is retried with exponential backoff.\n\n\
        Bodies: `{\"type\": \"comment.published\", \"timestamp\": \"<RFC 3339>\", \"data\": {...}}`. \
        Comment events carry the comment's public fields, `status`, `previous_status`, \
        `flagged`, `lang`, `actor`, `actor_id`, `reason` (a rejection's reason code) and the \
        article (never the author's email or address); `comment.edited` carries the text as \
        it now reads; `comment.erased` (a privacy erasure) carries only `id`, `site`, \
        `article.key`, `status`, `previous_status`, `text_removed` and the actor, and \
        queued deliveries of the comment are sent without the erased name (and text); \
        `article.closed` carries the article and the `reason` (`closed`, `closes_at`, `age`).",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo")),
    request_body = CreateWebhook,
    responses(
        (status = 201, description = "Created; the secret is in this answer only", body = WebhookCreated),
        (status = 409, description = "The site has as many subscriptions as allowed (`conflict`)", body = super::openapi::ErrorBody),
        (status = 422, description = "Invalid fields (`validation_failed`): `url` (`invalid_url`, \
            `https_required`, `url_credentials`, `unresolvable_host`, `private_address`), \
            `events` (`required`, `unknown_event`), `description`", body = super::openapi::ErrorBody),
    )
)]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<CreateWebhook>,
) -> Result<HttpResponse, ApiError> {
    let key = require_key(&state, &req, &path.into_inner(), Role::Admin).await?;
    let lang = request_lang(&req, None);
    let b = body.into_inner();
    let parsed = parse_create(&b);
    let policy = state.settings.webhooks.policy();
    let url = policy.validate(&b.url).await;
    let (events, description, url) = match (parsed, url) {
        (Ok((events, description)), Ok(url)) => (events, description, url),
        (parsed, url) => {
            let mut errors = parsed.err().unwrap_or_default();
            if let Err(e) = url {
                errors.add("url", FieldError::new(e.code()));
            }
            return Err(ApiError::validation(errors, lang));
        }
    };
    let store_err = |e| ApiError::storage(e, lang);
    let existing = state
        .store
        .webhooks(&key.site_key)
        .await
        .map_err(store_err)?;
    let max = state.settings.webhooks.max_per_site;
    if existing.len() >= usize::try_from(max).unwrap_or(usize::MAX) {
        return Err(ApiError::new(ErrorCode::Conflict, lang)
            .with_detail(format!("A site may have at most {max} webhooks.")));
    }
    let record = WebhookRecord {
        id: new_id(),
        site_key: key.site_key.clone(),
        url: url.to_string(),
        events,
        secret: new_secret(),
        description,
        created_by: key.id.clone(),
        created_at: now_ms(),
    };
    state
        .store
        .insert_webhook(&record)
        .await
        .map_err(store_err)?;
    tracing::info!(webhook = %record.id, api_key = %key.id, events = ?record.events, "webhook created");
    let secret = record.secret.clone();
    Ok(no_store(HttpResponse::Created()).json(WebhookCreated {
        webhook: WebhookJson::from(record),
        secret,
    }))
}

/// `GET /api/v1/sites/{site}/webhooks`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/webhooks", tag = "webhooks",
    summary = "The site's subscriptions, without their secrets (admin key)",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo")),
    responses((status = 200, description = "Subscriptions, oldest first", body = WebhookList))
)]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = require_key(&state, &req, &path.into_inner(), Role::Admin).await?;
    let lang = request_lang(&req, None);
    let hooks = state
        .store
        .webhooks(&key.site_key)
        .await
        .map_err(|e| ApiError::storage(e, lang))?;
    Ok(no_store(HttpResponse::Ok()).json(WebhookList {
        webhooks: hooks.into_iter().map(WebhookJson::from).collect(),
    }))
}

/// `DELETE /api/v1/sites/{site}/webhooks/{id}`
#[utoipa::path(
    delete, path = "/api/v1/sites/{site}/webhooks/{id}", tag = "webhooks",
    summary = "Remove a subscription with its delivery log (admin key)",
    description = "Deliveries not yet made are dropped.",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo"),
        ("id" = String, Path, description = "Webhook id")),
    responses((status = 204, description = "Removed"))
)]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    let key = require_key(&state, &req, &site, Role::Admin).await?;
    let lang = request_lang(&req, None);
    let removed = state
        .store
        .delete_webhook(&key.site_key, &id)
        .await
        .map_err(|e| ApiError::storage(e, lang))?;
    if !removed {
        return Err(ApiError::new(ErrorCode::NotFound, lang));
    }
    tracing::info!(webhook = %id, api_key = %key.id, "webhook deleted");
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/sites/{site}/webhooks/{id}/deliveries`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/webhooks/{id}/deliveries", tag = "webhooks",
    summary = "The delivery log of a subscription, newest first (admin key)",
    description = "One entry per event: its status, the number of attempts, the HTTP \
        status or error of the latest attempt, and every attempt in `attempt_log`.",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo"),
        ("id" = String, Path, description = "Webhook id"), DeliveryQuery),
    responses((status = 200, description = "A page of deliveries", body = DeliveryPage))
)]
pub async fn deliveries(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    let key = require_key(&state, &req, &site, Role::Admin).await?;
    let lang = request_lang(&req, None);
    let bad = || ApiError::new(ErrorCode::InvalidParameter, lang);
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(s) if DELIVERY_STATUSES.contains(&s) => Some(s),
        Some(_) => return Err(bad()),
    };
    let limit = parse_limit(query.limit).ok_or_else(bad)?;
    let after: Option<Cursor> = match query.cursor.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(decode_cursor(raw).ok_or_else(bad)?),
    };
    let store_err = |e| ApiError::storage(e, lang);
    state
        .store
        .webhook(&key.site_key, &id)
        .await
        .map_err(store_err)?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, lang))?;
    let mut rows = state
        .store
        .webhook_deliveries(&id, status, limit + 1, after.as_ref())
        .await
        .map_err(store_err)?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = if more {
        rows.last().map(|d| {
            encode_cursor(&Cursor {
                at: d.created_at,
                id: d.id.clone(),
            })
        })
    } else {
        None
    };
    let ids: Vec<String> = rows.iter().map(|d| d.id.clone()).collect();
    let mut attempts: HashMap<String, Vec<AttemptRecord>> = HashMap::new();
    for a in state
        .store
        .webhook_attempts(&ids)
        .await
        .map_err(store_err)?
    {
        attempts.entry(a.delivery_id.clone()).or_default().push(a);
    }
    let deliveries = rows
        .into_iter()
        .map(|d| {
            let log = attempts.remove(&d.id).unwrap_or_default();
            DeliveryJson::new(d, log)
        })
        .collect();
    Ok(no_store(HttpResponse::Ok()).json(DeliveryPage {
        deliveries,
        next_cursor,
    }))
}
