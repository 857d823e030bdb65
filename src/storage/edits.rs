//! Edits of a comment's text, audited with the original in one transaction.

use sqlx::Row;

use super::events::{audit, fan_out};
use super::rows::{QUEUE_COLUMNS, queue_item};
use super::{AuditEntry, StorageError, Store};
use crate::domain::{CommentStatus, new_id};

/// A moderator's or integrator's edit of a comment's text. The audit row
/// keeps the original title, body and findings.
#[derive(Debug, Clone, Copy)]
pub struct CommentEdit<'a> {
    pub site_key: &'a str,
    pub id: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    /// The findings for the new text (JSON array).
    pub findings: &'a str,
    /// The new body's near-duplicate signature and whether the findings
    /// say the spam signals held it (see `NewCommentRecord`).
    pub body_sig: &'a str,
    pub spam_held: bool,
    /// The new body's exact-repeat fingerprint (`moderation::body_fingerprint`).
    pub body_fingerprint: &'a str,
    /// `moderator` or `api_key`.
    pub actor_kind: &'a str,
    pub actor_id: &'a str,
    pub note: Option<&'a str>,
    pub now: i64,
}

#[derive(Debug, Clone)]
pub struct EditOutcome {
    pub old_title: String,
    pub old_body: String,
}

impl Store {
    /// Replace a comment's title and body (and findings); the audit row keeps
    /// the original text in `details`. `None` if there is no such comment.
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_comment(
        &self,
        e: &CommentEdit<'_>,
    ) -> Result<Option<EditOutcome>, StorageError> {
        let CommentEdit {
            site_key,
            id,
            title,
            body,
            findings,
            body_sig,
            spam_held,
            body_fingerprint,
            actor_kind,
            actor_id,
            note,
            now,
        } = *e;
        let mut tx = self.writer.begin().await?;
        // A write first, so SQLite takes the write lock before the read.
        let touched =
            sqlx::query("UPDATE comments SET updated_at = $1 WHERE id = $2 AND site_key = $3")
                .bind(now)
                .bind(id)
                .bind(site_key)
                .execute(&mut *tx)
                .await?;
        if touched.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT c.title, c.body, c.findings, c.status, a.article_key FROM comments c \
             JOIN articles a ON a.id = c.article_id WHERE c.id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let article_key: String = row.try_get("article_key")?;
        let old_title: String = row.try_get("title")?;
        let old_body: String = row.try_get("body")?;
        let old_findings: String = row.try_get("findings")?;
        let status: String = row.try_get("status")?;
        let current = CommentStatus::parse(&status)
            .ok_or_else(|| StorageError::Corrupt(format!("comment {id}: status {status:?}")))?;
        let published = current == CommentStatus::Published;
        sqlx::query(
            "UPDATE comments SET title = $1, body = $2, findings = $3, body_sig = $4, \
             spam_held = $5, body_fingerprint = $6 WHERE id = $7",
        )
        .bind(title)
        .bind(body)
        .bind(findings)
        .bind(body_sig)
        .bind(i64::from(spam_held))
        .bind(body_fingerprint)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // Webhook receivers mirror the text: `comment.edited`, in this
        // transaction, with the comment as it now reads.
        let sql = format!(
            "SELECT {QUEUE_COLUMNS} FROM comments c JOIN articles a ON a.id = c.article_id \
             WHERE c.id = $1"
        );
        let edited = queue_item(
            &sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_one(&mut *tx)
                .await?,
        )?;
        let event = crate::webhooks::comment_edited(
            &crate::webhooks::CommentData::after_edit(
                site_key, &edited, current, actor_kind, actor_id, now,
            ),
            now,
        );
        fan_out(&mut tx, site_key, &[event], now).await?;
        let details = serde_json::json!({
            "original": {"title": old_title, "body": old_body},
            "original_findings": serde_json::from_str::<serde_json::Value>(&old_findings)
                .unwrap_or(serde_json::Value::Null),
        })
        .to_string();
        audit(
            &mut tx,
            &AuditEntry {
                id: new_id(),
                site_key: site_key.to_string(),
                comment_id: Some(id.to_string()),
                actor_kind: actor_kind.into(),
                actor_id: actor_id.to_string(),
                action: "edit".into(),
                from_status: Some(status.clone()),
                to_status: Some(status),
                reason: None,
                note: note.map(str::to_string),
                created_at: now,
            },
            Some(&details),
        )
        .await?;
        tx.commit().await?;
        if published {
            self.announce_published_change(site_key, &article_key).await;
        }
        Ok(Some(EditOutcome {
            old_title,
            old_body,
        }))
    }
}
