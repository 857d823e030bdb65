//! Privacy requests about one person, identified by email, on one site
//! (admin key): everything stored about them, and erasure.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::key::{Admin, Key};
use super::moderation::{AuditJson, QueueItemJson};
use super::private_json;
use crate::domain::AuthorEmail;
use crate::routes::AppState;
use crate::routes::error::{ApiError, OrApi};
use crate::routes::extract::RequestLang;
use crate::routes::time_fmt::rfc3339;
use crate::service::{self, ErasureRequest, now_ms};
use crate::storage::PrivacyRecords;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "reader@example.com"}))]
pub struct PrivacyExportRequest {
    email: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "reader@example.com", "remove_text": false}))]
pub struct PrivacyEraseRequest {
    email: Option<String>,
    /// `false` (default): the comments keep their title and body, without
    /// name, email or address hash. `true`: the text goes too and the
    /// comments become `deleted`.
    #[serde(default)]
    remove_text: bool,
}

/// A comment of the person with its audit trail.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PrivacyComment {
    #[serde(flatten)]
    comment: QueueItemJson,
    audit: Vec<AuditJson>,
}

/// An email stored for the person (notices about their comments).
#[derive(Serialize, utoipa::ToSchema)]
pub struct PrivacyMail {
    id: String,
    /// `comment_published` or `comment_rejected`.
    kind: String,
    comment_id: Option<String>,
    subject: String,
    body_text: String,
    /// `pending`, `sent`, `failed` or `logged`.
    status: String,
    created_at: String,
    sent_at: Option<String>,
}

/// A moderator's block naming the address.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PrivacyBlock {
    reason: Option<String>,
    created_at: String,
}

/// Everything the site stores about one email address.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PrivacyExport {
    email: String,
    comments: Vec<PrivacyComment>,
    mail: Vec<PrivacyMail>,
    /// When the address opted out of notices, if it did.
    unsubscribed_at: Option<String>,
    blocks: Vec<PrivacyBlock>,
}

/// What an erasure changed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PrivacyEraseResult {
    /// Comments anonymized (each has a `privacy_erase` audit entry).
    comments: u64,
    /// Stored emails to the address that were deleted.
    mail: u64,
    removed_text: bool,
}

/// `POST /api/v1/sites/{site}/privacy/export`
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/privacy/export", tag = "privacy",
    operation_id = "exportPersonData",
    summary = "Everything stored about an email address (admin key)",
    description = "The person's comments on this site in every status (with findings and \
        audit trails), the notices mailed to them, their opt-out and any block naming the \
        address. Client addresses are only ever stored as a keyed hash (`ip_hash`), cleared \
        after `privacy.ip_hash_retention_days`. Audited (`privacy_export`, with the key's id and \
        the number of comments, not the address).",
    security(("api_key" = [])),
    request_body = PrivacyExportRequest,
    responses(
        (status = 200, description = "The stored data", body = PrivacyExport),
        (status = 422, description = "Missing or invalid `email` (`validation_failed`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn export(
    state: web::Data<AppState>,
    body: web::Json<PrivacyExportRequest>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let email =
        service::parse_person(body.email.as_deref()).map_err(|e| ApiError::validation(e, lang))?;
    let records =
        service::person_records(&state.store, &key.actor(), &key.site_key, &email, now_ms())
            .await
            .or_api(lang)?;
    tracing::info!(site = %key.site_key, api_key = %key.id, comments = records.comments.len(), "privacy export");
    Ok(private_json(person_json(&email, records)))
}

/// The document of a person's records (shared with `majlis privacy
/// export`, so the file and the answer are the same format).
pub fn person_json(email: &AuthorEmail, records: PrivacyRecords) -> PrivacyExport {
    let mut audit = records.audit;
    let comments = records
        .comments
        .into_iter()
        .map(|c| {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut audit)
                .into_iter()
                .partition(|(e, _)| e.comment_id.as_deref() == Some(c.id.as_str()));
            audit = rest;
            PrivacyComment {
                audit: mine.into_iter().map(AuditJson::from).collect(),
                comment: QueueItemJson::from(c),
            }
        })
        .collect();
    let mail = records
        .mail
        .into_iter()
        .map(|m| PrivacyMail {
            id: m.id,
            kind: m.kind,
            comment_id: m.comment_id,
            subject: m.subject,
            body_text: m.body_text,
            status: m.status,
            created_at: rfc3339(m.created_at),
            sent_at: m.sent_at.map(rfc3339),
        })
        .collect();
    let blocks = records
        .blocks
        .into_iter()
        .map(|(_, reason, at)| PrivacyBlock {
            reason,
            created_at: rfc3339(at),
        })
        .collect();
    PrivacyExport {
        email: email.as_str().to_string(),
        comments,
        mail,
        unsubscribed_at: records.unsubscribed_at.map(rfc3339),
        blocks,
    }
}

/// `POST /api/v1/sites/{site}/privacy/erase`
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/privacy/erase", tag = "privacy",
    operation_id = "erasePersonData",
    summary = "Anonymize everything stored about an email address (admin key)",
    description = "In one transaction: the person's comments lose name, email and address \
        hash (and, with `remove_text`, their title and body: they become `deleted` and edit \
        histories holding old text are cleared); notices mailed to them and their opt-out are \
        deleted. Every comment gets a `privacy_erase` audit entry naming the key, and the \
        request one `privacy_erase_request` entry with the counts (never the address), also \
        when it finds nothing. Blocks set by moderators stay (export shows them). Repeating \
        the request finds nothing more.",
    security(("api_key" = [])),
    request_body = PrivacyEraseRequest,
    responses(
        (status = 200, description = "What was erased", body = PrivacyEraseResult),
        (status = 422, description = "Missing or invalid `email` (`validation_failed`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn erase(
    state: web::Data<AppState>,
    body: web::Json<PrivacyEraseRequest>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let request = ErasureRequest::parse(body.email.as_deref(), body.remove_text)
        .map_err(|e| ApiError::validation(e, lang))?;
    let outcome = service::erase_person(
        &state.store,
        &state.wakes,
        &key.actor(),
        &key.site_key,
        &request,
        now_ms(),
    )
    .await
    .or_api(lang)?;
    tracing::info!(site = %key.site_key, api_key = %key.id, comments = outcome.comments, "privacy erasure");
    Ok(private_json(PrivacyEraseResult {
        comments: outcome.comments,
        mail: outcome.mail,
        removed_text: request.removes_text(),
    }))
}
