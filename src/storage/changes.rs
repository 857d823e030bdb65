//! The change feed: every audited change of a site's comments, read in a
//! stable order with a cursor, so an integrator can mirror a site without
//! webhooks and resume after downtime. Entries are written with the audit
//! row of the change (`events::audit`).

use sqlx::Row;

use super::rows::{QUEUE_COLUMNS, queue_item};
use super::{Backend, QueueItem, StorageError, Store};

/// Where a reader of the feed stands: after the entry `seq` written by
/// transaction `tx` (always 0 on SQLite, where `seq` is commit order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangeCursor {
    pub tx: i64,
    pub seq: i64,
}

/// One entry of the feed with the comment as it is now.
#[derive(Debug, Clone)]
pub struct CommentChange {
    pub cursor: ChangeCursor,
    /// The audit action: `submitted`, `approve`, `reject`, `spam`,
    /// `delete`, `edit`, `privacy_erase`.
    pub action: String,
    pub at: i64,
    pub comment: QueueItem,
}

impl Store {
    /// Up to `limit` entries of the site's feed after `after` (from the
    /// oldest kept with `None`). On PostgreSQL an entry is read only once
    /// every transaction older than this read's snapshot has ended, and
    /// entries come ordered by writing transaction, so an entry that
    /// becomes readable later always sorts after those already read.
    pub async fn comment_changes(
        &self,
        site_key: &str,
        after: Option<ChangeCursor>,
        limit: u32,
    ) -> Result<Vec<CommentChange>, StorageError> {
        let after = after.unwrap_or(ChangeCursor { tx: -1, seq: 0 });
        let settled = match self.backend {
            Backend::Postgres => {
                "AND ch.tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
            }
            Backend::Sqlite => "",
        };
        let sql = format!(
            "SELECT ch.seq AS change_seq, ch.tx AS change_tx, ch.event_type AS change_action, \
             ch.created_at AS changed_at, {QUEUE_COLUMNS} \
             FROM comment_changes ch JOIN comments c ON c.id = ch.comment_id \
             JOIN articles a ON a.id = c.article_id \
             WHERE ch.site_key = $1 AND (ch.tx > $2 OR (ch.tx = $2 AND ch.seq > $3)) {settled} \
             ORDER BY ch.tx, ch.seq LIMIT $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(after.tx)
            .bind(after.seq)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CommentChange {
                    cursor: ChangeCursor {
                        tx: r.try_get("change_tx")?,
                        seq: r.try_get("change_seq")?,
                    },
                    action: r.try_get("change_action")?,
                    at: r.try_get("changed_at")?,
                    comment: queue_item(r)?,
                })
            })
            .collect()
    }

    /// Drop feed entries written before `before` (the feed's retention).
    pub async fn purge_comment_changes(&self, before: i64) -> Result<u64, StorageError> {
        let r = sqlx::query("DELETE FROM comment_changes WHERE created_at < $1")
            .bind(before)
            .execute(&self.writer)
            .await?;
        Ok(r.rows_affected())
    }
}
