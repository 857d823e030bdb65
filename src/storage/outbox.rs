//! The email outbox and its companions: decision-link uses, digest
//! bookkeeping, unsubscribes and per-site email settings.

use sqlx::{FromRow, Row};

use super::events::insert_messages;
use super::{NewOutboxMessage, StorageError, Store};

/// An outbox row as stored: the message as it was recorded, and where its
/// delivery stands.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxMessage {
    #[sqlx(flatten)]
    pub message: NewOutboxMessage,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<i64>,
}

/// Per-site email settings (defaults when the site has no row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteEmailSettings {
    /// Display name of the sender; `None` uses the configured default.
    pub from_name: Option<String>,
    pub moderator_alerts: bool,
    pub notify_published: bool,
    pub notify_rejected: bool,
}

impl Default for SiteEmailSettings {
    fn default() -> SiteEmailSettings {
        SiteEmailSettings {
            from_name: None,
            moderator_alerts: true,
            notify_published: true,
            notify_rejected: false,
        }
    }
}

const COLUMNS: &str = "id, site_key, kind, comment_id, to_addr, to_name, from_name, lang, subject, \
     body_text, body_html, unsubscribe_url, status, attempts, next_attempt_at, last_error, \
     created_at, sent_at";

/// A pending comment waiting for the next digest.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DigestCandidate {
    pub id: String,
}

impl Store {
    /// Lease up to `limit` due messages to `owner` until `lease_until`,
    /// counting the attempt. Rows leased by another live worker are skipped,
    /// so several instances never claim the same message at once.
    pub async fn claim_outbox(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StorageError> {
        let rows = self
            .lease_due("email_outbox", COLUMNS, owner, now, lease_until, limit)
            .await?;
        Ok(rows
            .iter()
            .map(OutboxMessage::from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Record a delivery (or a logged message); only the current lease holder may.
    pub async fn finish_outbox(
        &self,
        id: &str,
        owner: &str,
        status: &str,
        now: i64,
    ) -> Result<bool, StorageError> {
        let r = sqlx::query(
            "UPDATE email_outbox SET status = $1, sent_at = $2, lease_until = NULL, \
             lease_owner = NULL, last_error = NULL WHERE id = $3 AND lease_owner = $4",
        )
        .bind(status)
        .bind(now)
        .bind(id)
        .bind(owner)
        .execute(&self.writer)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Record a failed attempt: retry at `next_attempt_at`, or give up.
    pub async fn retry_outbox(
        &self,
        id: &str,
        owner: &str,
        error: &str,
        next_attempt_at: Option<i64>,
    ) -> Result<bool, StorageError> {
        let status = if next_attempt_at.is_some() {
            "pending"
        } else {
            "failed"
        };
        let r = sqlx::query(
            "UPDATE email_outbox SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at), \
             last_error = $3, lease_until = NULL, lease_owner = NULL \
             WHERE id = $4 AND lease_owner = $5",
        )
        .bind(status)
        .bind(next_attempt_at)
        .bind(error)
        .bind(id)
        .bind(owner)
        .execute(&self.writer)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Messages of a site, newest first, optionally of one status.
    pub async fn outbox_messages(
        &self,
        site_key: &str,
        status: Option<&str>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StorageError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM email_outbox WHERE site_key = $1 \
             AND ($2 = '' OR status = $2) ORDER BY created_at DESC, id DESC LIMIT $3"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(status.unwrap_or(""))
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?)
    }

    /// Message counts of a site per status.
    pub async fn outbox_counts(&self, site_key: &str) -> Result<Vec<(String, i64)>, StorageError> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM email_outbox WHERE site_key = $1 GROUP BY status",
        )
        .bind(site_key)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
            .collect()
    }

    /// Mail not yet delivered, by site: `pending` (waiting or being retried)
    /// and `failed` (given up after the last attempt).
    pub async fn mail_backlog(&self) -> Result<Vec<(String, String, i64)>, StorageError> {
        self.counts_by_site_and_status("email_outbox", &["pending", "failed"])
            .await
    }

    /// Whether a decision link was already used.
    pub async fn link_used(&self, link_id: &str) -> Result<bool, StorageError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM email_link_uses WHERE link_id = $1")
            .bind(link_id)
            .fetch_one(&self.reader)
            .await?;
        Ok(n > 0)
    }

    /// Pending comments of a site not yet in any digest, oldest first.
    pub async fn undigested_pending(
        &self,
        site_key: &str,
        limit: u32,
    ) -> Result<Vec<DigestCandidate>, StorageError> {
        Ok(sqlx::query_as(
            "SELECT c.id FROM comments c \
             WHERE c.site_key = $1 AND c.status = 'pending' \
             AND NOT EXISTS (SELECT 1 FROM email_digested d WHERE d.comment_id = c.id) \
             ORDER BY c.created_at, c.id LIMIT $2",
        )
        .bind(site_key)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?)
    }

    /// Mark comments as digested and queue the digest mails, in one
    /// transaction. `false` (nothing written) when another instance digested
    /// any of them first.
    pub async fn record_digest(
        &self,
        site_key: &str,
        comment_ids: &[String],
        messages: &[NewOutboxMessage],
        now: i64,
    ) -> Result<bool, StorageError> {
        let mut tx = self.writer.begin().await?;
        for id in comment_ids {
            let r = sqlx::query(
                "INSERT INTO email_digested (comment_id, site_key, digested_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (comment_id) DO NOTHING",
            )
            .bind(id)
            .bind(site_key)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if r.rows_affected() != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
        }
        insert_messages(&mut tx, messages).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn is_unsubscribed(&self, site_key: &str, email: &str) -> Result<bool, StorageError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM email_unsubscribes WHERE site_key = $1 AND email = $2",
        )
        .bind(site_key)
        .bind(email)
        .fetch_one(&self.reader)
        .await?;
        Ok(n > 0)
    }

    /// Stop commenter mail of a site to `email`, and drop what is still queued for it.
    pub async fn unsubscribe(
        &self,
        site_key: &str,
        email: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO email_unsubscribes (site_key, email, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (site_key, email) DO NOTHING",
        )
        .bind(site_key)
        .bind(email)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE email_outbox SET status = 'unsubscribed' WHERE site_key = $1 AND to_addr = $2 \
             AND status = 'pending' AND kind IN ('comment_published', 'comment_rejected')",
        )
        .bind(site_key)
        .bind(email)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn site_email_settings(
        &self,
        site_key: &str,
    ) -> Result<SiteEmailSettings, StorageError> {
        let row = sqlx::query(
            "SELECT from_name, moderator_alerts, notify_published, notify_rejected \
             FROM site_email_settings WHERE site_key = $1",
        )
        .bind(site_key)
        .fetch_optional(&self.reader)
        .await?;
        let Some(r) = row else {
            return Ok(SiteEmailSettings::default());
        };
        let flag =
            |name: &str| -> Result<bool, StorageError> { Ok(r.try_get::<i64, _>(name)? != 0) };
        Ok(SiteEmailSettings {
            from_name: r.try_get("from_name")?,
            moderator_alerts: flag("moderator_alerts")?,
            notify_published: flag("notify_published")?,
            notify_rejected: flag("notify_rejected")?,
        })
    }

    pub async fn set_site_email_settings(
        &self,
        site_key: &str,
        s: &SiteEmailSettings,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO site_email_settings (site_key, from_name, moderator_alerts, \
             notify_published, notify_rejected, updated_at) VALUES ($1,$2,$3,$4,$5,$6) \
             ON CONFLICT (site_key) DO UPDATE SET from_name = excluded.from_name, \
             moderator_alerts = excluded.moderator_alerts, \
             notify_published = excluded.notify_published, \
             notify_rejected = excluded.notify_rejected, updated_at = excluded.updated_at",
        )
        .bind(site_key)
        .bind(&s.from_name)
        .bind(i64::from(s.moderator_alerts))
        .bind(i64::from(s.notify_published))
        .bind(i64::from(s.notify_rejected))
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}
