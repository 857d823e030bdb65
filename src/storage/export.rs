//! Reading a whole site out, page by page, for the NDJSON export.

use sqlx::Row;

use super::rows::{QUEUE_COLUMNS, queue_item};
use super::{Cursor, QueueItem, StorageError, Store};

impl Store {
    /// Every comment of a site whatever its status, oldest first,
    /// keyset-paginated on (created_at, id).
    pub async fn export_comments(
        &self,
        site_key: &str,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Vec<QueueItem>, StorageError> {
        let base = format!(
            "SELECT {QUEUE_COLUMNS} FROM comments c JOIN articles a ON a.id = c.article_id \
             WHERE c.site_key = $1"
        );
        let sql = if after.is_some() {
            format!(
                "{base} AND (c.created_at > $3 OR (c.created_at = $3 AND c.id > $4)) \
                 ORDER BY c.created_at ASC, c.id ASC LIMIT $2"
            )
        } else {
            format!("{base} ORDER BY c.created_at ASC, c.id ASC LIMIT $2")
        };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(i64::from(limit));
        if let Some(c) = after {
            q = q.bind(c.at).bind(&c.id);
        }
        let rows = q.fetch_all(&self.reader).await?;
        rows.iter().map(queue_item).collect()
    }

    /// Number of comments of a site, whatever their status.
    pub async fn count_site_comments(&self, site_key: &str) -> Result<u64, StorageError> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM comments WHERE site_key = $1")
            .bind(site_key)
            .fetch_one(&self.reader)
            .await?
            .try_get("n")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
