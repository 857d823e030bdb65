//! `GET /api/v1/sites/{site}/export`: every comment of a site as NDJSON
//! (admin key), streamed page by page so memory stays flat.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::key::{Admin, Key};
use super::moderation::{AuditJson, QueueItemJson};
use crate::routes::AppState;
use crate::routes::error::OrApi;
use crate::routes::extract::RequestLang;
use crate::service::{ExportPage, export_page, now_ms, start_export};
use crate::storage::Cursor;

/// One line of the export: the comment as a queue item plus its audit trail.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ExportLine {
    #[serde(flatten)]
    comment: QueueItemJson,
    /// Every decision, edit and erasure, oldest first.
    audit: Vec<AuditJson>,
}

/// A page of the export as NDJSON lines (shared with `majlis export`, so
/// the file and the stream are the same format).
pub fn ndjson(page: ExportPage) -> Vec<u8> {
    let mut buf = Vec::new();
    for (row, trail) in page.comments {
        let line = ExportLine {
            audit: trail.into_iter().map(AuditJson::from).collect(),
            comment: QueueItemJson::from(row),
        };
        if serde_json::to_writer(&mut buf, &line).is_ok() {
            buf.push(b'\n');
        }
    }
    buf
}

/// `GET /api/v1/sites/{site}/export`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/export", tag = "export",
    operation_id = "exportSite",
    summary = "Export every comment of a site as NDJSON (admin key)",
    description = "One JSON object per line, oldest first, every status, with the same fields \
        as a moderation queue item (including email and findings) plus the comment's audit \
        trail in `audit`. Audited (`site_export`), as `majlis export` is. Streamed; a storage failure \
        midway ends the stream early, so check that the last line is complete.",
    security(("api_key" = [])),
    responses((status = 200, description = "Newline-delimited JSON", content_type = "application/x-ndjson", body = ExportLine))
)]
pub async fn export(
    state: web::Data<AppState>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, crate::routes::error::ApiError> {
    start_export(&state.store, &key.actor(), &key.site_key, now_ms())
        .await
        .or_api(lang)?;
    tracing::info!(site = %key.site_key, api_key = %key.id, "site export");
    Ok(ndjson_response(state, key.site_key.clone()))
}

/// Every comment of `site` as a streamed NDJSON answer (the export once audited: the API
/// route and the dashboard's download both answer with it).
pub fn ndjson_response(state: web::Data<AppState>, site: String) -> HttpResponse {
    let stream = futures_util::stream::unfold(
        (state, site, None::<Cursor>, false),
        |(state, site, cursor, done)| async move {
            if done {
                return None;
            }
            let page = match export_page(&state.store, &site, cursor.as_ref()).await {
                Ok(page) => page,
                Err(e) => {
                    tracing::error!(error = %e, site = %site, "export stopped");
                    return None;
                }
            };
            if page.comments.is_empty() {
                return None;
            }
            let last = page.is_last();
            let next = page.next.clone();
            Some((
                Ok::<_, actix_web::Error>(web::Bytes::from(ndjson(page))),
                (state, site, next, last),
            ))
        },
    );
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("application/x-ndjson")
        .streaming(stream)
}
