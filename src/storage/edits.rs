//! Moderator edits of a comment's title and body, audited with the original.

use sqlx::Row;

use super::audit::{self, AuditEntry};
use super::{StorageError, Store};
use crate::domain::new_id;

/// A moderator's new title and/or body for one comment.
#[derive(Debug, Clone)]
pub struct CommentEdit {
    pub site_key: String,
    pub comment_id: String,
    pub title: Option<String>,
    pub body: Option<String>,
    pub actor_kind: String,
    pub actor_id: String,
    pub reason: Option<String>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOutcome {
    Edited,
    NotFound,
    /// Deleted comments are not edited.
    Deleted,
}

impl Store {
    /// Replace the title and/or body and write an `edit` audit row whose note
    /// is `{"original": {"title", "body"}}`, in one transaction.
    pub async fn edit_comment(&self, e: &CommentEdit) -> Result<EditOutcome, StorageError> {
        let mut tx = self.writer.begin().await?;
        // A write first, so SQLite takes the write lock before the read.
        let touched = sqlx::query(
            "UPDATE comments SET updated_at = updated_at WHERE id = $1 AND site_key = $2",
        )
        .bind(&e.comment_id)
        .bind(&e.site_key)
        .execute(&mut *tx)
        .await?;
        if touched.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(EditOutcome::NotFound);
        }
        let row = sqlx::query(
            "SELECT c.status, c.title, c.body, a.article_key FROM comments c \
             JOIN articles a ON a.id = c.article_id WHERE c.id = $1 AND c.site_key = $2",
        )
        .bind(&e.comment_id)
        .bind(&e.site_key)
        .fetch_one(&mut *tx)
        .await?;
        let status: String = row.try_get("status")?;
        let title: String = row.try_get("title")?;
        let body: String = row.try_get("body")?;
        let article_key: String = row.try_get("article_key")?;
        if status == "deleted" {
            tx.rollback().await?;
            return Ok(EditOutcome::Deleted);
        }
        sqlx::query(
            "UPDATE comments SET title = $1, body = $2, updated_at = $3 \
             WHERE id = $4 AND site_key = $5",
        )
        .bind(e.title.as_ref().unwrap_or(&title))
        .bind(e.body.as_ref().unwrap_or(&body))
        .bind(e.at)
        .bind(&e.comment_id)
        .bind(&e.site_key)
        .execute(&mut *tx)
        .await?;
        let note = serde_json::json!({ "original": { "title": title, "body": body } });
        audit::insert(
            &mut tx,
            &AuditEntry {
                id: new_id(),
                site_key: e.site_key.clone(),
                comment_id: Some(e.comment_id.clone()),
                actor_kind: e.actor_kind.clone(),
                actor_id: e.actor_id.clone(),
                action: "edit".into(),
                from_status: Some(status.clone()),
                to_status: Some(status.clone()),
                reason: e.reason.clone(),
                note: Some(note.to_string()),
                created_at: e.at,
            },
        )
        .await?;
        tx.commit().await?;
        if status == "published" {
            self.announce_published_change(&e.site_key, &article_key)
                .await;
        }
        Ok(EditOutcome::Edited)
    }
}
