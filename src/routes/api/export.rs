//! `GET /api/v1/sites/{site}/export`: every comment of a site as NDJSON
//! (admin key), streamed page by page so memory stays flat.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::moderation::QueueItemJson;
use super::site::require_key;
use crate::auth::Role;
use crate::startup::AppState;
use crate::storage::Cursor;

const PAGE: u32 = 500;

/// Append one comment as a line of the export (shared with `majlis export`).
pub fn write_ndjson_line(item: crate::storage::QueueItem, buf: &mut Vec<u8>) {
    if serde_json::to_writer(&mut *buf, &QueueItemJson::from(item)).is_ok() {
        buf.push(b'\n');
    }
}

/// `GET /api/v1/sites/{site}/export`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/export", tag = "export",
    summary = "Export every comment of a site as NDJSON (admin key)",
    description = "One JSON object per line, oldest first, every status, with the same fields \
        as a moderation queue item (including email and findings). Streamed; a storage failure \
        midway ends the stream early, so check that the last line is complete.",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo")),
    responses((status = 200, description = "Newline-delimited JSON", content_type = "application/x-ndjson", body = QueueItemJson))
)]
pub async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, crate::routes::error::ApiError> {
    let key = require_key(&state, &req, &path.into_inner(), Role::Admin).await?;
    tracing::info!(site = %key.site_key, api_key = %key.id, "site export");
    let site = key.site_key;
    let stream = futures_util::stream::unfold(
        (state, site, None::<Cursor>, false),
        |(state, site, cursor, done)| async move {
            if done {
                return None;
            }
            let rows = match state
                .store
                .export_comments(&site, PAGE, cursor.as_ref())
                .await
            {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::error!(error = %e, site = %site, "export stopped");
                    return None;
                }
            };
            if rows.is_empty() {
                return None;
            }
            let last = rows.len() < PAGE as usize;
            let next = rows.last().map(|r| Cursor {
                at: r.created_at,
                id: r.id.clone(),
            });
            let mut buf = Vec::new();
            for row in rows {
                write_ndjson_line(row, &mut buf);
            }
            Some((
                Ok::<_, actix_web::Error>(web::Bytes::from(buf)),
                (state, site, next, last),
            ))
        },
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("application/x-ndjson")
        .streaming(stream))
}
