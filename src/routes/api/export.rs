//! `GET /api/v1/sites/{site}/export`: every comment of a site as NDJSON
//! (admin key), streamed page by page so memory stays flat.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use std::collections::HashMap;

use super::key::{Admin, Key};
use super::moderation::{AuditJson, QueueItemJson};
use crate::routes::AppState;
use crate::storage::{Cursor, StorageError, Store};

const PAGE: u32 = 500;

/// One line of the export: the comment as a queue item plus its audit trail.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ExportLine {
    #[serde(flatten)]
    comment: QueueItemJson,
    /// Every decision, edit and erasure, oldest first.
    audit: Vec<AuditJson>,
}

/// One page of the export as NDJSON bytes, the cursor of its last comment
/// and the number of comments in it (shared with `majlis export`). An empty
/// page means the end.
pub async fn export_page(
    store: &Store,
    site: &str,
    after: Option<&Cursor>,
) -> Result<(Vec<u8>, Option<Cursor>, usize), StorageError> {
    let rows = store.export_comments(site, PAGE, after).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut audit: HashMap<String, Vec<AuditJson>> = HashMap::new();
    for (entry, details) in store.audit_for_comments(site, &ids).await? {
        let id = entry.comment_id.clone().unwrap_or_default();
        audit
            .entry(id)
            .or_default()
            .push(AuditJson::from((entry, details)));
    }
    let next = rows.last().map(|r| Cursor {
        at: r.created_at,
        id: r.id.clone(),
    });
    let count = rows.len();
    let mut buf = Vec::new();
    for row in rows {
        let line = ExportLine {
            audit: audit.remove(&row.id).unwrap_or_default(),
            comment: QueueItemJson::from(row),
        };
        if serde_json::to_writer(&mut buf, &line).is_ok() {
            buf.push(b'\n');
        }
    }
    Ok((buf, next, count))
}

/// `GET /api/v1/sites/{site}/export`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/export", tag = "export",
    summary = "Export every comment of a site as NDJSON (admin key)",
    description = "One JSON object per line, oldest first, every status, with the same fields \
        as a moderation queue item (including email and findings) plus the comment's audit \
        trail in `audit`. Streamed; a storage failure \
        midway ends the stream early, so check that the last line is complete.",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo")),
    responses((status = 200, description = "Newline-delimited JSON", content_type = "application/x-ndjson", body = ExportLine))
)]
pub async fn export(
    state: web::Data<AppState>,
    key: Key<Admin>,
) -> Result<HttpResponse, crate::routes::error::ApiError> {
    tracing::info!(site = %key.site_key, api_key = %key.id, "site export");
    let site = key.site_key.clone();
    let stream = futures_util::stream::unfold(
        (state, site, None::<Cursor>, false),
        |(state, site, cursor, done)| async move {
            if done {
                return None;
            }
            let (buf, next, count) = match export_page(&state.store, &site, cursor.as_ref()).await {
                Ok(page) => page,
                Err(e) => {
                    tracing::error!(error = %e, site = %site, "export stopped");
                    return None;
                }
            };
            if count == 0 {
                return None;
            }
            let last = count < PAGE as usize;
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
