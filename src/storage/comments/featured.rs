//! Featured comments: moderators select published comments to show first.

use sqlx::Row;

use crate::storage::events::{audit, fan_out};
use crate::storage::{AuditEntry, StorageError, Store, WebhookEvent};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureOutcome {
    /// No published comment of the site with this id.
    NotFound,
    /// Already as asked: nothing written.
    Unchanged,
    Changed,
}

impl Store {
    /// Feature (`on`) or stop featuring a published comment, with its audit
    /// row and webhook events, in one transaction.
    pub async fn set_featured(
        &self,
        on: bool,
        entry: &AuditEntry,
        webhooks: &[WebhookEvent],
    ) -> Result<FeatureOutcome, StorageError> {
        let comment_id = entry.comment_id.clone().unwrap_or_default();
        let mut tx = self.writer.begin().await?;
        // A write first, so SQLite takes the write lock before any read.
        let changed = sqlx::query(
            "UPDATE comments SET featured_at = CASE WHEN $1 = 1 THEN $2 ELSE NULL END, \
             updated_at = $2 WHERE id = $3 AND site_key = $4 AND status = 'published' \
             AND (CASE WHEN featured_at IS NULL THEN 0 ELSE 1 END) <> $1",
        )
        .bind(i64::from(on))
        .bind(entry.created_at)
        .bind(&comment_id)
        .bind(&entry.site_key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let row = sqlx::query(
            "SELECT a.article_key FROM comments c JOIN articles a ON a.id = c.article_id \
             WHERE c.id = $1 AND c.site_key = $2 AND c.status = 'published'",
        )
        .bind(&comment_id)
        .bind(&entry.site_key)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(FeatureOutcome::NotFound);
        };
        if changed == 0 {
            tx.rollback().await?;
            return Ok(FeatureOutcome::Unchanged);
        }
        let article_key: String = row.try_get("article_key")?;
        audit(&mut tx, entry, None).await?;
        fan_out(&mut tx, &entry.site_key, webhooks, entry.created_at).await?;
        tx.commit().await?;
        self.announce_published_change(&entry.site_key, &article_key)
            .await;
        Ok(FeatureOutcome::Changed)
    }
}
