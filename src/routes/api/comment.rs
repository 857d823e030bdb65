//! One comment: read it (public view, or everything with a moderator key),
//! edit its title and body, delete it. Edits and deletions are audited.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::key::{Key, Moderator};
use super::moderation::QueueItemJson;
use super::private_json;
use super::site::{load_site, require_key};
use crate::auth::Role;
use crate::domain::{CommentEditDto, CommentStatus};
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::routes::extract::{RequestLang, request_lang};
use crate::routes::time_fmt::rfc3339;
use crate::service::{self, AdminError, Decision, decide, now_ms};

/// A published comment as anyone may see it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicCommentView {
    id: String,
    /// The article's key.
    article: String,
    name: String,
    title: String,
    body: String,
    created_at: String,
    published_at: Option<String>,
    /// Readers' likes.
    likes: i64,
}

/// Either view of a comment.
#[derive(Serialize)]
#[serde(untagged)]
pub enum CommentView {
    /// With a moderator key: everything, including email and findings.
    Full(Box<QueueItemJson>),
    /// Without a key: published comments only.
    Public(PublicCommentView),
}

/// The public view, plus the moderator-only fields when a key was sent.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct CommentViewDoc {
    id: String,
    /// The article's key.
    article: String,
    name: String,
    title: String,
    body: String,
    created_at: String,
    published_at: Option<String>,
    /// Readers' likes.
    likes: i64,
    /// Moderator key only.
    status: Option<String>,
    /// Moderator key only.
    flagged: Option<bool>,
    /// Moderator key only.
    email: Option<String>,
    /// Moderator key only.
    lang: Option<String>,
    /// Moderator key only.
    ip_hash: Option<String>,
    /// Moderator key only: what the posting rules found.
    #[schema(value_type = Option<Vec<Object>>)]
    findings: Option<Vec<serde_json::Value>>,
    /// Moderator key only.
    article_title: Option<String>,
    /// Moderator key only.
    article_url: Option<String>,
}

fn has_authorization(req: &HttpRequest) -> bool {
    req.headers().contains_key(header::AUTHORIZATION)
}

/// `GET /api/v1/sites/{site}/comments/{id}`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/comments/{id}", tag = "comments",
    operation_id = "getComment",
    summary = "One comment",
    description = "Without `Authorization`: the public view of a published comment (any other \
        status, or a reply whose parent readers cannot see, is 404). With a moderator key: \
        the full view, including the email, status and findings.",
    security((), ("api_key" = [])),
    params(
        ("id" = String, Path, description = "Comment id"),
    ),
    responses(
        (status = 200, description = "The comment", body = CommentViewDoc),
        (status = 401, description = "An unknown API key was sent", body = super::openapi::ErrorBody),
        (status = 403, description = "The key's role is too small", body = super::openapi::ErrorBody),
        (status = 404, description = "No such site or comment, or not published", body = super::openapi::ErrorBody),
    )
)]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site_key, id) = path.into_inner();
    let site = load_site(&state, &req, &site_key).await?;
    let full = if has_authorization(&req) {
        require_key(&state, &req, site.key.as_str(), Role::Moderator).await?;
        true
    } else {
        false
    };
    let lang = request_lang(&req, Some(&site));
    let not_found = || ApiError::new(ErrorCode::CommentNotFound, lang);
    let item = state
        .store
        .comment(site.key.as_str(), &id)
        .await
        .or_api(lang)?
        .ok_or_else(not_found)?;
    // A reply under a hidden parent is hidden from readers, as in the list.
    let visible = !full
        && item.status == CommentStatus::Published
        && state
            .store
            .comment_visible(site.key.as_str(), &item.id)
            .await
            .or_api(lang)?;
    let view = if full {
        CommentView::Full(Box::new(QueueItemJson::from(item)))
    } else if visible {
        CommentView::Public(PublicCommentView {
            id: item.id,
            article: item.article_key,
            name: item.name,
            title: item.title,
            body: item.body,
            created_at: rfc3339(item.created_at),
            published_at: item.published_at.map(rfc3339),
            likes: item.likes,
        })
    } else {
        return Err(not_found());
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::VARY, "Authorization"))
        .json(view))
}

/// A moderator's edit; fields left out keep their text.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body": "Thank you for this report. [link removed]", "reason": "removed a link"}))]
pub struct EditBody {
    title: Option<String>,
    body: Option<String>,
    /// Shown in the audit trail; at most 500 characters.
    reason: Option<String>,
}

/// `PATCH /api/v1/sites/{site}/comments/{id}`
#[utoipa::path(
    patch, path = "/api/v1/sites/{site}/comments/{id}", tag = "moderation",
    operation_id = "editComment",
    summary = "Edit a comment's title or body (moderator key)",
    description = "The same field rules as a submission apply. The audit trail keeps the \
        original title, body and findings; text findings are recomputed.",
    security(("api_key" = [])),
    params(
        ("id" = String, Path, description = "Comment id"),
    ),
    request_body = EditBody,
    responses(
        (status = 200, description = "The edited comment", body = QueueItemJson),
        (status = 409, description = "The comment is deleted (`invalid_transition`)", body = super::openapi::ErrorBody),
        (status = 422, description = "Invalid fields (`validation_failed`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn patch(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<EditBody>,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    let (_site_key, id) = path.into_inner();
    let b = body.into_inner();
    let dto = CommentEditDto {
        title: b.title,
        body: b.body,
        note: b.reason,
    };
    service::edit_comment(
        &state.store,
        &state.policies,
        &state.wakes,
        &key.actor(),
        &key.site_key,
        &id,
        dto,
        now_ms(),
    )
    .await
    .map_err(|e| ApiError::admin(rename_note(e), lang))?;
    tracing::info!(comment = %id, api_key = %key.id, "comment edited");
    let item = state
        .store
        .comment(&key.site_key, &id)
        .await
        .or_api(lang)?
        .ok_or_else(|| ApiError::new(ErrorCode::CommentNotFound, lang))?;
    Ok(private_json(QueueItemJson::from(item)))
}

/// The API calls an edit's note `reason`.
fn rename_note(e: AdminError) -> AdminError {
    match e {
        AdminError::Validation(mut errors) => {
            if let Some(v) = errors.0.remove("note") {
                errors.0.insert("reason".into(), v);
            }
            AdminError::Validation(errors)
        }
        other => other,
    }
}

/// `DELETE /api/v1/sites/{site}/comments/{id}`
#[utoipa::path(
    delete, path = "/api/v1/sites/{site}/comments/{id}", tag = "moderation",
    operation_id = "deleteComment",
    summary = "Delete a comment (moderator key)",
    description = "A soft delete: the comment moves to `deleted`, disappears from every public \
        view, and the audit trail records who deleted it. Deleting again is a no-op.",
    security(("api_key" = [])),
    params(
        ("id" = String, Path, description = "Comment id"),
    ),
    responses((status = 204, description = "Deleted"))
)]
pub async fn delete(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    let (_site_key, id) = path.into_inner();
    decide(
        &state.store,
        &state.composer,
        &state.wakes,
        Decision::new(
            &key.site_key,
            &id,
            (CommentStatus::Deleted, "delete"),
            key.actor(),
            now_ms(),
        ),
    )
    .await
    .or_api(lang)?;
    tracing::info!(comment = %id, api_key = %key.id, "comment deleted");
    Ok(HttpResponse::NoContent().finish())
}
