//! Figures for the dashboard's stats page.

use sqlx::Row;

use super::rows::placeholders;
use super::{StorageError, Store};

/// Figures for the stats page.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub pending: i64,
    pub oldest_pending_at: Option<i64>,
    /// (day as unix ms at 00:00 GMT, actor id, actor email, decisions)
    pub per_day: Vec<(i64, String, Option<String>, i64)>,
    /// (reason, decisions)
    pub reasons: Vec<(String, i64)>,
}

impl Store {
    /// Pending count and age, decisions per day per moderator and reasons,
    /// over the given sites since `since`.
    pub async fn stats(&self, sites: &[String], since: i64) -> Result<Stats, StorageError> {
        let mut out = Stats::default();
        if sites.is_empty() {
            return Ok(out);
        }
        let list = placeholders(1, sites.len());
        let n = sites.len();
        let sql = format!(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM comments \
             WHERE status IN ('pending', 'held') AND site_key IN ({list})"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for s in sites {
            q = q.bind(s);
        }
        let row = q.fetch_one(&self.reader).await?;
        out.pending = row.try_get("n")?;
        out.oldest_pending_at = row.try_get("oldest")?;
        let sql = format!(
            "SELECT (l.created_at / 86400000) * 86400000 AS day, l.actor_id, m.email, COUNT(*) AS n \
             FROM audit_log l LEFT JOIN moderators m ON m.id = l.actor_id \
             WHERE l.actor_kind = 'moderator' AND l.action IN ('approve', 'reject', 'spam', 'delete') \
             AND l.site_key IN ({list}) AND l.created_at >= ${} \
             GROUP BY (l.created_at / 86400000) * 86400000, l.actor_id, m.email \
             ORDER BY day DESC, n DESC",
            n + 1
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for s in sites {
            q = q.bind(s);
        }
        for r in q.bind(since).fetch_all(&self.reader).await? {
            out.per_day.push((
                r.try_get("day")?,
                r.try_get("actor_id")?,
                r.try_get("email")?,
                r.try_get("n")?,
            ));
        }
        let sql = format!(
            "SELECT COALESCE(reason, '') AS reason, COUNT(*) AS n FROM audit_log \
             WHERE action IN ('reject', 'spam') AND actor_kind <> 'system' \
             AND site_key IN ({list}) AND created_at >= ${} \
             GROUP BY COALESCE(reason, '') ORDER BY n DESC",
            n + 1
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for s in sites {
            q = q.bind(s);
        }
        for r in q.bind(since).fetch_all(&self.reader).await? {
            out.reasons.push((r.try_get("reason")?, r.try_get("n")?));
        }
        Ok(out)
    }
}
