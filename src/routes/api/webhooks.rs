//! Webhook subscriptions of a site (admin key): create (the signing secret
//! is shown once), list, delete, and each subscription's delivery log.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::key::{Admin, Key};
use super::no_store;
use super::paging::{ID_MAX, encode_cursor, page_request};
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::routes::extract::RequestLang;
use crate::routes::time_fmt::rfc3339;
use crate::service::{self, NewWebhook, NewWebhookDto, now_ms};
use crate::storage::{AttemptRecord, DeliveryRecord, DeliveryStatus, WebhookRecord};

/// A delivery's statuses as the document lists them.
pub(crate) fn delivery_statuses() -> Vec<&'static str> {
    DeliveryStatus::ALL.map(DeliveryStatus::as_str).to_vec()
}

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
    "created_at": "2026-11-29T08:00:00Z",
    "enabled": true,
    "previous_secret_valid_until": null
}))]
pub struct WebhookJson {
    id: String,
    url: String,
    events: Vec<String>,
    description: String,
    created_at: String,
    /// `false`: paused; events are not queued for it (a ping still is).
    enabled: bool,
    /// After a secret rotation: until when deliveries also carry a
    /// signature with the previous secret; `null` when none does.
    previous_secret_valid_until: Option<String>,
}

impl From<WebhookRecord> for WebhookJson {
    fn from(w: WebhookRecord) -> WebhookJson {
        WebhookJson {
            id: w.id,
            url: w.url,
            events: w.events,
            description: w.description,
            created_at: rfc3339(w.created_at),
            enabled: w.enabled,
            previous_secret_valid_until: w
                .previous_secret
                .as_ref()
                .and(w.previous_secret_until)
                .filter(|until| *until > now_ms())
                .map(rfc3339),
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
        let pending = d.status == DeliveryStatus::Pending;
        DeliveryJson {
            attempt_log: attempts.into_iter().map(AttemptJson::from).collect(),
            payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
            id: d.id,
            event: d.event_type,
            status: d.status.as_str().to_string(),
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

/// `POST /api/v1/sites/{site}/webhooks`
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/webhooks", tag = "webhooks",
    operation_id = "createWebhook",
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
    state: web::Data<AppState>,
    body: web::Json<CreateWebhook>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let dto = NewWebhookDto {
        url: b.url,
        events: b.events,
        description: b.description,
    };
    let new = NewWebhook::parse(dto, &state.settings.webhooks.policy())
        .await
        .map_err(|e| ApiError::validation(e, lang))?;
    let record = service::create_webhook(
        &state.store,
        &key.actor(),
        &key.site_key,
        new,
        state.settings.webhooks.max_per_site,
        now_ms(),
    )
    .await
    .or_api(lang)?;
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
    operation_id = "listWebhooks",
    summary = "The site's subscriptions, without their secrets (admin key)",
    security(("api_key" = [])),
    responses((status = 200, description = "Subscriptions, oldest first", body = WebhookList))
)]
pub async fn list(
    state: web::Data<AppState>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let hooks = service::list_webhooks(&state.store, &key.site_key)
        .await
        .or_api(lang)?;
    Ok(no_store(HttpResponse::Ok()).json(WebhookList {
        webhooks: hooks.into_iter().map(WebhookJson::from).collect(),
    }))
}

/// `DELETE /api/v1/sites/{site}/webhooks/{id}`
#[utoipa::path(
    delete, path = "/api/v1/sites/{site}/webhooks/{id}", tag = "webhooks",
    operation_id = "deleteWebhook",
    summary = "Remove a subscription with its delivery log (admin key)",
    description = "Deliveries not yet made are dropped.",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "Webhook id")),
    responses((status = 204, description = "Removed"))
)]
pub async fn delete(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    service::delete_webhook(&state.store, &key.actor(), &key.site_key, &id, now_ms())
        .await
        .or_api(lang)?;
    tracing::info!(webhook = %id, api_key = %key.id, "webhook deleted");
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/sites/{site}/webhooks/{id}/deliveries`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/webhooks/{id}/deliveries", tag = "webhooks",
    operation_id = "listWebhookDeliveries",
    summary = "The delivery log of a subscription, newest first (admin key)",
    description = "One entry per event: its status, the number of attempts, the HTTP \
        status or error of the latest attempt, and every attempt in `attempt_log`.",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "Webhook id"), DeliveryQuery),
    responses((status = 200, description = "A page of deliveries", body = DeliveryPage))
)]
pub async fn deliveries(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<DeliveryQuery>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let bad = || ApiError::new(ErrorCode::InvalidParameter, lang);
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(DeliveryStatus::parse(s).ok_or_else(bad)?),
    };
    let (limit, after) =
        page_request(query.limit, query.cursor.as_deref(), ID_MAX).ok_or_else(bad)?;
    let page = service::delivery_log(
        &state.store,
        &key.site_key,
        &id,
        status,
        limit,
        after.as_ref(),
    )
    .await
    .or_api(lang)?;
    Ok(no_store(HttpResponse::Ok()).json(DeliveryPage {
        deliveries: page
            .deliveries
            .into_iter()
            .map(|(d, log)| DeliveryJson::new(d, log))
            .collect(),
        next_cursor: page.next.as_ref().map(encode_cursor),
    }))
}

/// The body of `PATCH .../webhooks/{id}`: fields left out keep their value.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": false}))]
pub struct UpdateWebhook {
    /// As when subscribing: `https`, public addresses only.
    url: Option<String>,
    /// One or more event types.
    events: Option<Vec<String>>,
    /// At most 200 characters.
    #[schema(max_length = 200)]
    description: Option<String>,
    /// `false` pauses the subscription: events are not queued for it until
    /// it is enabled again (deliveries already queued are still made).
    enabled: Option<bool>,
}

/// `PATCH /api/v1/sites/{site}/webhooks/{id}`
#[utoipa::path(
    patch, path = "/api/v1/sites/{site}/webhooks/{id}", tag = "webhooks",
    operation_id = "updateWebhook",
    summary = "Change a subscription: URL, events, description, paused (admin key)",
    description = "Audited. The URL is checked as when subscribing.",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "Webhook id")),
    request_body = UpdateWebhook,
    responses(
        (status = 200, description = "The subscription as it now is", body = WebhookJson),
        (status = 422, description = "Invalid fields (`validation_failed`): `url`, `events`, `description`", body = super::openapi::ErrorBody),
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<UpdateWebhook>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let b = body.into_inner();
    let dto = crate::service::WebhookUpdateDto {
        url: b.url,
        events: b.events,
        description: b.description,
        enabled: b.enabled,
    };
    let update = crate::service::WebhookUpdate::parse(dto, &state.settings.webhooks.policy())
        .await
        .map_err(|e| ApiError::validation(e, lang))?;
    let hook = crate::service::update_webhook(
        &state.store,
        &key.actor(),
        &key.site_key,
        &id,
        &update,
        now_ms(),
    )
    .await
    .or_api(lang)?;
    tracing::info!(webhook = %id, api_key = %key.id, "webhook updated");
    Ok(no_store(HttpResponse::Ok()).json(WebhookJson::from(hook)))
}

/// The body of `POST .../webhooks/{id}/rotate-secret`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"overlap_secs": 86400}))]
pub struct RotateSecret {
    /// How long the previous secret still signs, in seconds: 0 to 604800
    /// (a week); 86400 (a day) when left out.
    #[schema(value_type = Option<u64>, minimum = 0, maximum = 604800)]
    overlap_secs: Option<serde_json::Number>,
}

/// A rotated secret, shown this once.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SecretRotated {
    #[serde(flatten)]
    webhook: WebhookJson,
    /// The new `whsec_` secret. Store it now: it is never shown again.
    secret: String,
}

/// `POST /api/v1/sites/{site}/webhooks/{id}/rotate-secret`
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/webhooks/{id}/rotate-secret", tag = "webhooks",
    operation_id = "rotateWebhookSecret",
    summary = "Replace the signing secret, the old one still signing for an overlap (admin key)",
    description = "Until `previous_secret_valid_until`, every delivery's `webhook-signature` \
        carries two space-separated signatures, one with each secret (Standard Webhooks \
        receivers accept a delivery when any verifies); after it, only the new secret signs.",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "Webhook id")),
    request_body = RotateSecret,
    responses(
        (status = 200, description = "The new secret, in this answer only", body = SecretRotated),
        (status = 422, description = "`overlap_secs` out of range (`validation_failed`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<RotateSecret>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    // A whole number of seconds, however JSON spells it (`3600` or `3600.0`).
    let overlap = body.into_inner().overlap_secs.map(|n| {
        n.as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && (0.0..=1e15).contains(f))
                    .map(|f| f as u64)
            })
            .unwrap_or(u64::MAX)
    });
    let rotated = crate::service::rotate_webhook_secret(
        &state.store,
        &key.actor(),
        &key.site_key,
        &id,
        overlap,
        now_ms(),
    )
    .await
    .or_api(lang)?;
    tracing::info!(webhook = %id, api_key = %key.id, "webhook secret rotated");
    Ok(no_store(HttpResponse::Ok()).json(SecretRotated {
        webhook: WebhookJson::from(rotated.webhook),
        secret: rotated.secret,
    }))
}

/// A queued delivery.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"delivery": "msg_0193a6f1d2e37c11b2a4c6d8e0f1a2b3"}))]
pub struct Queued {
    /// The delivery's id, sent as `webhook-id`; see the delivery log.
    delivery: String,
}

/// `POST /api/v1/sites/{site}/webhooks/{id}/ping`
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/webhooks/{id}/ping", tag = "webhooks",
    operation_id = "pingWebhook",
    summary = "Send a signed `ping` event to the subscription (admin key)",
    description = "Queued like any delivery (retried, logged), whatever the subscription's \
        events and even when it is paused.",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "Webhook id")),
    responses((status = 202, description = "Queued", body = Queued))
)]
pub async fn ping(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let delivery = crate::service::ping_webhook(
        &state.store,
        &state.wakes,
        &key.actor(),
        &key.site_key,
        &id,
        now_ms(),
    )
    .await
    .or_api(lang)?;
    Ok(no_store(HttpResponse::Accepted()).json(Queued { delivery }))
}

/// `POST /api/v1/sites/{site}/webhooks/{id}/deliveries/{delivery}/redeliver`
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/webhooks/{id}/deliveries/{delivery}/redeliver",
    tag = "webhooks",
    operation_id = "redeliverWebhookDelivery",
    summary = "Send a delivered or failed delivery again (admin key)",
    description = "The same body with the same `webhook-id` (receivers deduplicate on it), \
        due at once; attempts continue the delivery's log. A pending delivery is 404: it \
        is going to be sent anyway.",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "Webhook id"),
        ("delivery" = String, Path, description = "Delivery id (`msg_...`)")),
    responses((status = 202, description = "Queued again", body = Queued))
)]
pub async fn redeliver(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let (_, id, delivery) = path.into_inner();
    crate::service::redeliver(
        &state.store,
        &state.wakes,
        &key.actor(),
        &key.site_key,
        &id,
        &delivery,
        now_ms(),
    )
    .await
    .or_api(lang)?;
    Ok(no_store(HttpResponse::Accepted()).json(Queued { delivery }))
}
