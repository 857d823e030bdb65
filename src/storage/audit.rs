use serde::Serialize;
use sqlx::Row;

use super::{StorageError, Store};

/// One row of the audit log: who did what to which comment, why and when.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: String,
    pub site_key: String,
    pub comment_id: Option<String>,
    /// `system`, `api_key` or `moderator`.
    pub actor_kind: String,
    pub actor_id: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub created_at: i64,
}

/// Write one audit row; `details` is a JSON document (e.g. the original text
/// of an edit).
pub(super) async fn insert(
    conn: &mut sqlx::AnyConnection,
    e: &AuditEntry,
    details: Option<&str>,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO audit_log (id, site_key, comment_id, actor_kind, actor_id, action, \
         from_status, to_status, reason, note, created_at, details) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
    )
    .bind(&e.id)
    .bind(&e.site_key)
    .bind(&e.comment_id)
    .bind(&e.actor_kind)
    .bind(&e.actor_id)
    .bind(&e.action)
    .bind(&e.from_status)
    .bind(&e.to_status)
    .bind(&e.reason)
    .bind(&e.note)
    .bind(e.created_at)
    .bind(details)
    .execute(conn)
    .await?;
    Ok(())
}

/// An audit row read back (any SELECT naming the audit columns).
pub(super) fn entry(r: &sqlx::any::AnyRow) -> Result<AuditEntry, StorageError> {
    Ok(AuditEntry {
        id: r.try_get("id")?,
        site_key: r.try_get("site_key")?,
        comment_id: r.try_get("comment_id")?,
        actor_kind: r.try_get("actor_kind")?,
        actor_id: r.try_get("actor_id")?,
        action: r.try_get("action")?,
        from_status: r.try_get("from_status")?,
        to_status: r.try_get("to_status")?,
        reason: r.try_get("reason")?,
        note: r.try_get("note")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    /// The audit trail of one comment, oldest first, with each row's details.
    pub async fn audit_for_comment(
        &self,
        site_key: &str,
        comment_id: &str,
    ) -> Result<Vec<(AuditEntry, Option<String>)>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, site_key, comment_id, actor_kind, actor_id, action, from_status, \
             to_status, reason, note, created_at, details FROM audit_log \
             WHERE site_key = $1 AND comment_id = $2 ORDER BY created_at, id",
        )
        .bind(site_key)
        .bind(comment_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| Ok((entry(r)?, r.try_get("details")?)))
            .collect()
    }

    /// The audit trails of several comments of a site (oldest first), with
    /// each row's details.
    pub async fn audit_for_comments(
        &self,
        site_key: &str,
        comment_ids: &[String],
    ) -> Result<Vec<(AuditEntry, Option<String>)>, StorageError> {
        if comment_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = (0..comment_ids.len())
            .map(|i| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "SELECT id, site_key, comment_id, actor_kind, actor_id, action, from_status, \
             to_status, reason, note, created_at, details FROM audit_log \
             WHERE site_key = $1 AND comment_id IN ({placeholders}) ORDER BY created_at, id"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(site_key);
        for id in comment_ids {
            q = q.bind(id);
        }
        let rows = q.fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| Ok((entry(r)?, r.try_get("details")?)))
            .collect()
    }
}
