//! Reader reports and the per-site report settings.

use sqlx::Row;

use super::events::audit;
use super::rows::{QUEUE_COLUMNS, close_open_reports, queue_item};
use super::{AuditEntry, QueueItem, StorageError, Store};
use crate::domain::new_id;

/// A site's report settings (defaults when never saved).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportSettings {
    /// Open reports from distinct networks that hold a published comment
    /// of a post-moderated site (0: never).
    pub hold_after: u32,
    /// Whether readers may choose "illegal content".
    pub illegal_reason: bool,
}

/// One report as stored; the address only as keyed hashes.
#[derive(Debug, Clone)]
pub struct NewReportRecord {
    pub site_key: String,
    pub comment_id: String,
    pub reason: String,
    pub note: String,
    pub ip_hash: String,
    pub net_hash: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportOutcome {
    /// The comment is not a published comment of the site.
    NotFound,
    /// This address reported this comment before: nothing written.
    Duplicate,
    /// Stored; the comment now has this many open reports from distinct
    /// networks.
    Stored { networks: i64 },
}

/// A comment with open reports, as the moderators' Reported tab shows it.
#[derive(Debug, Clone)]
pub struct ReportedComment {
    pub comment: QueueItem,
    pub open: i64,
    /// Open reports per reason, the most frequent first.
    pub reasons: Vec<(String, i64)>,
    /// The latest non-empty notes, newest first.
    pub notes: Vec<String>,
    pub latest_at: i64,
}

/// Notes shown per reported comment.
const NOTES_SHOWN: i64 = 5;

impl Store {
    pub async fn report_settings(&self, site_key: &str) -> Result<ReportSettings, StorageError> {
        let row = sqlx::query(
            "SELECT hold_after, illegal_reason FROM report_settings WHERE site_key = $1",
        )
        .bind(site_key)
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else {
            return Ok(ReportSettings::default());
        };
        let hold: i64 = row.try_get("hold_after")?;
        let illegal: i64 = row.try_get("illegal_reason")?;
        Ok(ReportSettings {
            hold_after: u32::try_from(hold)
                .map_err(|_| StorageError::Corrupt(format!("report_settings.hold_after {hold}")))?,
            illegal_reason: illegal != 0,
        })
    }

    /// Save a site's report settings with their audit row.
    pub async fn save_report_settings(
        &self,
        site_key: &str,
        s: ReportSettings,
        entry: &AuditEntry,
    ) -> Result<(), StorageError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO report_settings (site_key, hold_after, illegal_reason, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (site_key) DO UPDATE SET \
             hold_after = excluded.hold_after, illegal_reason = excluded.illegal_reason, \
             updated_at = excluded.updated_at",
        )
        .bind(site_key)
        .bind(i64::from(s.hold_after))
        .bind(i64::from(s.illegal_reason))
        .bind(entry.created_at)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, entry, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reports sent from one address to a site since `since`.
    pub async fn reports_from_address(
        &self,
        site_key: &str,
        ip_hash: &str,
        since: i64,
    ) -> Result<i64, StorageError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM comment_reports \
             WHERE site_key = $1 AND ip_hash = $2 AND created_at >= $3",
        )
        .bind(site_key)
        .bind(ip_hash)
        .bind(since)
        .fetch_one(&self.reader)
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Store a report of a published comment, once per address.
    pub async fn insert_report(&self, r: &NewReportRecord) -> Result<ReportOutcome, StorageError> {
        let mut tx = self.writer.begin().await?;
        // A write first, so SQLite takes the write lock before any read.
        let inserted = sqlx::query(
            "INSERT INTO comment_reports (id, site_key, comment_id, reason, note, ip_hash, \
             net_hash, created_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS (SELECT 1 FROM comments \
             WHERE id = $3 AND site_key = $2 AND status = 'published') \
             ON CONFLICT (comment_id, ip_hash) DO NOTHING",
        )
        .bind(new_id())
        .bind(&r.site_key)
        .bind(&r.comment_id)
        .bind(&r.reason)
        .bind(&r.note)
        .bind(&r.ip_hash)
        .bind(&r.net_hash)
        .bind(r.created_at)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            let published = sqlx::query(
                "SELECT 1 AS one FROM comments WHERE id = $1 AND site_key = $2 \
                 AND status = 'published'",
            )
            .bind(&r.comment_id)
            .bind(&r.site_key)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
            tx.rollback().await?;
            return Ok(if published {
                ReportOutcome::Duplicate
            } else {
                ReportOutcome::NotFound
            });
        }
        // Reports without a known network count as one network each.
        let row = sqlx::query(
            "SELECT COUNT(DISTINCT CASE WHEN net_hash = '' THEN ip_hash ELSE net_hash END) AS n \
             FROM comment_reports WHERE comment_id = $1 AND resolution IS NULL",
        )
        .bind(&r.comment_id)
        .fetch_one(&mut *tx)
        .await?;
        let networks: i64 = row.try_get("n")?;
        tx.commit().await?;
        Ok(ReportOutcome::Stored { networks })
    }

    /// Comments of a site with open reports, the most reported first.
    pub async fn reported(
        &self,
        site_key: &str,
        limit: u32,
    ) -> Result<Vec<ReportedComment>, StorageError> {
        let sql = format!(
            "SELECT {QUEUE_COLUMNS}, r.open, r.latest_at FROM \
             (SELECT comment_id, COUNT(*) AS open, MAX(created_at) AS latest_at \
              FROM comment_reports WHERE site_key = $1 AND resolution IS NULL \
              GROUP BY comment_id) r \
             JOIN comments c ON c.id = r.comment_id JOIN articles a ON a.id = c.article_id \
             ORDER BY r.open DESC, r.latest_at DESC, c.id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let comment = queue_item(row)?;
            let reasons = sqlx::query(
                "SELECT reason, COUNT(*) AS n FROM comment_reports \
                 WHERE comment_id = $1 AND resolution IS NULL GROUP BY reason \
                 ORDER BY n DESC, reason",
            )
            .bind(&comment.id)
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("reason")?, r.try_get("n")?)))
            .collect::<Result<Vec<_>, StorageError>>()?;
            let notes = sqlx::query(
                "SELECT note FROM comment_reports WHERE comment_id = $1 \
                 AND resolution IS NULL AND note <> '' ORDER BY created_at DESC, id LIMIT $2",
            )
            .bind(&comment.id)
            .bind(NOTES_SHOWN)
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| r.try_get("note"))
            .collect::<Result<Vec<String>, _>>()?;
            out.push(ReportedComment {
                open: row.try_get("open")?,
                latest_at: row.try_get("latest_at")?,
                comment,
                reasons,
                notes,
            });
        }
        Ok(out)
    }

    /// Open reports of a site, per comment (the Reported tab's count).
    pub async fn reported_count(&self, site_key: &str) -> Result<i64, StorageError> {
        let row = sqlx::query(
            "SELECT COUNT(DISTINCT comment_id) AS n FROM comment_reports \
             WHERE site_key = $1 AND resolution IS NULL",
        )
        .bind(site_key)
        .fetch_one(&self.reader)
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Close a comment's open reports as `resolution` (`dismissed`, `acted`)
    /// with the audit row `entry`, in one transaction; how many were open.
    pub async fn resolve_reports(
        &self,
        resolution: &'static str,
        entry: &AuditEntry,
    ) -> Result<u64, StorageError> {
        let Some(comment_id) = entry.comment_id.as_deref() else {
            return Ok(0);
        };
        let mut tx = self.writer.begin().await?;
        let done = close_open_reports(
            &mut tx,
            &entry.site_key,
            comment_id,
            resolution,
            entry.created_at,
        )
        .await?;
        if done == 0 {
            tx.rollback().await?;
            return Ok(0);
        }
        audit(&mut tx, entry, None).await?;
        tx.commit().await?;
        Ok(done)
    }
}
