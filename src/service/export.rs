//! Exporting a site: every comment, every status, oldest first, each with
//! its audit trail, page by page so memory stays flat whatever the site's
//! size. The JSON API streams it and `majlis export` writes it to a file.

use std::collections::HashMap;

use super::admin::{AdminError, audit, site_of};
use crate::domain::Actor;
use crate::storage::{AuditEntry, Cursor, QueueItem, Store};

/// Comments per page of an export.
pub const EXPORT_PAGE: u32 = 500;

/// An audit row with its details document.
pub type AuditTrailEntry = (AuditEntry, Option<String>);

/// One page of an export: comments with their audit trails (oldest entry
/// first), and where the next page starts. Fewer than `EXPORT_PAGE`
/// comments means it is the last page.
pub struct ExportPage {
    pub comments: Vec<(QueueItem, Vec<AuditTrailEntry>)>,
    pub next: Option<Cursor>,
}

impl ExportPage {
    pub fn is_last(&self) -> bool {
        self.comments.len() < EXPORT_PAGE as usize
    }
}

/// Begin an export of `site_key` (every comment with its authors' emails):
/// `SiteNotFound` when there is no such site, otherwise its `site_export`
/// audit row, written before the first page is read.
pub async fn start_export(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    now: i64,
) -> Result<(), AdminError> {
    site_of(store, site_key).await?;
    store
        .audit_read(&audit(site_key, actor, "site_export", "{}", now))
        .await?;
    Ok(())
}

/// The page of `site`'s export after `after` (from the start with `None`).
pub async fn export_page(
    store: &Store,
    site: &str,
    after: Option<&Cursor>,
) -> Result<ExportPage, AdminError> {
    let rows = store.export_comments(site, EXPORT_PAGE, after).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut audit: HashMap<String, Vec<AuditTrailEntry>> = HashMap::new();
    for (entry, details) in store.audit_for_comments(site, &ids).await? {
        let id = entry.comment_id.clone().unwrap_or_default();
        audit.entry(id).or_default().push((entry, details));
    }
    let next = rows.last().map(|r| Cursor {
        at: r.created_at,
        id: r.id.clone(),
    });
    let comments = rows
        .into_iter()
        .map(|row| {
            let trail = audit.remove(&row.id).unwrap_or_default();
            (row, trail)
        })
        .collect();
    Ok(ExportPage { comments, next })
}
