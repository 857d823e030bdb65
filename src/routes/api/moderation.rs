use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::key::{Key, Moderator};
use super::paging::{ID_MAX, page_request, parse_order, split_page};
use super::private_json;
use crate::domain::CommentStatus;
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::routes::extract::RequestLang;
use crate::routes::time_fmt::rfc3339;
use crate::service::{Decision, decide, now_ms};
use crate::storage::{Cursor, Order, QueueItem};

#[derive(Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
    order: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct QueueItemJson {
    id: String,
    article: String,
    article_title: Option<String>,
    article_url: Option<String>,
    /// `pending`, `held`, `published`, `rejected`, `spam` or `deleted`.
    status: String,
    flagged: bool,
    name: String,
    email: String,
    title: String,
    body: String,
    lang: String,
    /// Keyed hash of the client address (never the address itself).
    ip_hash: String,
    /// What the posting rules found.
    #[schema(value_type = Vec<Object>)]
    findings: serde_json::Value,
    /// The decision proposed to the moderators: `spam` when the spam score
    /// held the comment (its `spam_score` finding), else absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    suggested_action: Option<&'static str>,
    created_at: String,
    published_at: Option<String>,
    /// For a reply: the comment it answers, to judge the reply in context.
    parent: Option<ParentJson>,
    /// Selected by the editors.
    featured: bool,
    /// Readers' likes.
    likes: i64,
}

/// The comment a reply answers, as its moderator sees it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ParentJson {
    id: String,
    name: String,
    body: String,
    status: CommentStatus,
}

impl From<QueueItem> for QueueItemJson {
    fn from(i: QueueItem) -> QueueItemJson {
        QueueItemJson {
            suggested_action: crate::moderation::spam::suggestion(&i.findings),
            findings: serde_json::to_value(&i.findings).unwrap_or(serde_json::Value::Array(vec![])),
            id: i.id,
            article: i.article_key,
            article_title: i.article_title,
            article_url: i.article_url,
            status: i.status.as_str().to_string(),
            flagged: i.flagged,
            name: i.name,
            email: i.email,
            title: i.title,
            body: i.body,
            lang: i.lang,
            ip_hash: i.ip_hash,
            created_at: rfc3339(i.created_at),
            published_at: i.published_at.map(rfc3339),
            featured: i.featured_at.is_some(),
            likes: i.likes,
            parent: i.parent.map(|p| ParentJson {
                id: p.id,
                name: p.name,
                body: p.body,
                status: p.status,
            }),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct QueuePage {
    items: Vec<QueueItemJson>,
    /// Pass back as `cursor`; `null` on the last page.
    next_cursor: Option<String>,
}

/// `GET /api/v1/sites/{site}/moderation/queue?status=`: oldest first by default.
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/moderation/queue", tag = "moderation",
    operation_id = "listQueue",
    summary = "Comments in one status, for moderators",
    security(("api_key" = [])),
    params(
        ("status" = Option<String>, Query, description = "`pending` (default), `held`, `published`, `rejected`, `spam` or `deleted`"),
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 100 (default 20)", minimum = 1, maximum = 100),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("order" = Option<String>, Query, description = "`oldest` (default) or `newest`"),
    ),
    responses((status = 200, description = "A page of the queue", body = QueuePage))
)]
pub async fn queue(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<QueueQuery>,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    let _site_key = path.into_inner();
    let bad = || ApiError::new(ErrorCode::InvalidParameter, lang);
    let status = match query.status.as_deref() {
        None => CommentStatus::Pending,
        Some(s) => CommentStatus::parse(s).ok_or_else(bad)?,
    };
    let order = parse_order(query.order.as_deref(), Order::Oldest).ok_or_else(bad)?;
    let (limit, cursor) =
        page_request(query.limit, query.cursor.as_deref(), ID_MAX).ok_or_else(bad)?;
    let rows = state
        .store
        .queue(&key.site_key, status, order, limit + 1, cursor.as_ref())
        .await
        .or_api(lang)?;
    let (rows, next_cursor) = split_page(rows, limit, |r| Cursor {
        at: r.created_at,
        id: r.id.clone(),
    });
    Ok(private_json(QueuePage {
        items: rows.into_iter().map(QueueItemJson::from).collect(),
        next_cursor,
    }))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "off_topic", "note": "Second warning"}))]
pub struct DecisionBody {
    /// Shown in the audit trail; at most 500 characters.
    reason: Option<String>,
    /// Internal note; at most 500 characters.
    note: Option<String>,
}

/// The comment's status after a decision.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"id": "0193c1f2a7d84e2b9b1f6c0d3e5a7b91", "status": "published"}))]
#[allow(dead_code)]
struct DecisionResult {
    id: String,
    status: CommentStatus,
}

const REASON_MAX: usize = 500;

/// The extracted arguments of approve, reject and spam.
type DecisionArgs = (
    web::Data<AppState>,
    web::Path<(String, String)>,
    web::Bytes,
    RequestLang,
    Key<Moderator>,
);

async fn decide_endpoint(
    (state, path, body, RequestLang(lang), key): DecisionArgs,
    to: CommentStatus,
    action: &'static str,
) -> Result<HttpResponse, ApiError> {
    let (_, comment_id) = path.into_inner();
    // No body is no reason; a body that is not the documented object is 400
    // (it was never silently ignored as if absent).
    let body: DecisionBody = if body.iter().all(u8::is_ascii_whitespace) {
        DecisionBody::default()
    } else {
        serde_json::from_slice::<Option<DecisionBody>>(&body)
            .map_err(|_| ApiError::new(ErrorCode::MalformedJson, lang))?
            .unwrap_or_default()
    };
    let too_long = |s: &Option<String>| s.as_ref().is_some_and(|s| s.chars().count() > REASON_MAX);
    if too_long(&body.reason) || too_long(&body.note) {
        return Err(ApiError::new(ErrorCode::InvalidParameter, lang));
    }
    let status = decide(
        &state.store,
        &state.composer,
        &state.wakes,
        Decision::new(
            &key.site_key,
            &comment_id,
            (to, action),
            key.actor(),
            now_ms(),
        )
        .because(body.reason, body.note),
    )
    .await
    .or_api(lang)?;
    tracing::info!(comment = %comment_id, action, api_key = %key.id, "moderation decision");
    Ok(private_json(
        serde_json::json!({ "id": comment_id, "status": status }),
    ))
}

/// Approve, reject and spam: one handler each (each its own OpenAPI
/// operation) over `decide_endpoint`.
macro_rules! decision_handler {
    ($name:ident, $path:tt, $operation:tt, $summary:tt, $to:expr, $action:tt) => {
        #[utoipa::path(
            post, path = $path, tag = "moderation",
            operation_id = $operation,
            summary = $summary,
            security(("api_key" = [])),
            params(
                ("id" = String, Path, description = "Comment id"),
            ),
            request_body(content = Option<DecisionBody>, description = "Optional reason and note", content_type = "application/json"),
            responses(
                (status = 200, description = "The new status", body = DecisionResult),
                (status = 409, description = "Not allowed from the current status (`invalid_transition`)", body = super::openapi::ErrorBody),
            )
        )]
        pub async fn $name(
            state: web::Data<AppState>,
            path: web::Path<(String, String)>,
            body: web::Bytes,
            lang: RequestLang,
            key: Key<Moderator>,
        ) -> Result<HttpResponse, ApiError> {
            decide_endpoint((state, path, body, lang, key), $to, $action).await
        }
    };
}

decision_handler!(
    approve,
    "/api/v1/sites/{site}/comments/{id}/approve",
    "approveComment",
    "Move a comment to `published`",
    CommentStatus::Published,
    "approve"
);
decision_handler!(
    reject,
    "/api/v1/sites/{site}/comments/{id}/reject",
    "rejectComment",
    "Move a comment to `rejected`",
    CommentStatus::Rejected,
    "reject"
);
decision_handler!(
    spam,
    "/api/v1/sites/{site}/comments/{id}/spam",
    "markCommentSpam",
    "Move a comment to `spam`",
    CommentStatus::Spam,
    "spam"
);

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditJson {
    id: String,
    action: String,
    actor_kind: String,
    actor_id: String,
    from_status: Option<String>,
    to_status: Option<String>,
    reason: Option<String>,
    note: Option<String>,
    created_at: String,
    /// For edits: `{"original": {"title", "body"}, "original_findings": [...]}`.
    #[schema(value_type = Option<Object>)]
    details: Option<serde_json::Value>,
}

impl From<(crate::storage::AuditEntry, Option<String>)> for AuditJson {
    fn from((e, details): (crate::storage::AuditEntry, Option<String>)) -> AuditJson {
        AuditJson {
            details: details.and_then(|d| serde_json::from_str(&d).ok()),
            id: e.id,
            action: e.action,
            actor_kind: e.actor_kind,
            actor_id: e.actor_id,
            from_status: e.from_status,
            to_status: e.to_status,
            reason: e.reason,
            note: e.note,
            created_at: rfc3339(e.created_at),
        }
    }
}

/// The audit trail of one comment, oldest first.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct AuditTrail {
    entries: Vec<AuditJson>,
}

/// `GET /api/v1/sites/{site}/comments/{id}/audit`: the comment's audit trail.
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/comments/{id}/audit", tag = "moderation",
    operation_id = "listCommentAudit",
    summary = "A comment's audit trail",
    security(("api_key" = [])),
    params(
        ("id" = String, Path, description = "Comment id"),
    ),
    responses((status = 200, description = "Every decision and edit", body = AuditTrail))
)]
pub async fn audit(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    let (_site_key, comment_id) = path.into_inner();
    if state
        .store
        .comment(&key.site_key, &comment_id)
        .await
        .or_api(lang)?
        .is_none()
    {
        return Err(ApiError::new(ErrorCode::CommentNotFound, lang));
    }
    let entries = state
        .store
        .audit_for_comment(&key.site_key, &comment_id)
        .await
        .or_api(lang)?;
    let entries: Vec<AuditJson> = entries.into_iter().map(AuditJson::from).collect();
    Ok(private_json(serde_json::json!({ "entries": entries })))
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"id": "0193c1f2a7d84e2b9b1f6c0d3e5a7b91", "featured": true}))]
struct FeaturedResult {
    id: String,
    featured: bool,
}

async fn feature_endpoint(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    lang: crate::domain::Lang,
    key: Key<Moderator>,
    on: bool,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let featured = crate::service::set_featured(
        &state.store,
        &state.wakes,
        &key.actor(),
        &key.site_key,
        &id,
        on,
        now_ms(),
    )
    .await
    .or_api(lang)?;
    Ok(private_json(FeaturedResult { id, featured }))
}

/// `POST /api/v1/sites/{site}/comments/{id}/feature`
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/comments/{id}/feature", tag = "moderation",
    operation_id = "featureComment",
    summary = "Feature a published comment (shown first, under \"selected by the editors\")",
    description = "Audited (`feature`) and announced as the `comment.featured` webhook event; \
        featuring a featured comment changes nothing.",
    security(("api_key" = [])),
    params(
        ("id" = String, Path, description = "Comment id"),
    ),
    responses(
        (status = 200, description = "Featured", body = FeaturedResult),
        (status = 404, description = "No such published comment", body = super::openapi::ErrorBody),
    )
)]
pub async fn feature(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    feature_endpoint(state, path, lang, key, true).await
}

/// `DELETE /api/v1/sites/{site}/comments/{id}/feature`
#[utoipa::path(
    delete, path = "/api/v1/sites/{site}/comments/{id}/feature", tag = "moderation",
    operation_id = "unfeatureComment",
    summary = "Stop featuring a comment",
    description = "Audited (`unfeature`) and announced as `comment.featured` with the reason \
        `unfeatured`.",
    security(("api_key" = [])),
    params(
        ("id" = String, Path, description = "Comment id"),
    ),
    responses(
        (status = 200, description = "No longer featured", body = FeaturedResult),
        (status = 404, description = "No such published comment", body = super::openapi::ErrorBody),
    )
)]
pub async fn unfeature(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    feature_endpoint(state, path, lang, key, false).await
}
