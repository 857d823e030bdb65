//! Privacy requests about one email address on one site (export and
//! erasure), the retention purge of client-address hashes, and the shared
//! per-API-key request counters.

use sqlx::Row;

use super::events::{audit, fan_out};
use super::rows::recount_published;
use super::rows::{QUEUE_COLUMNS, audit_entry, queue_item};
use super::{AuditEntry, Backend, QueueItem, StorageError, Store};
use crate::domain::{CommentStatus, new_id};

/// One stored email message addressed to the person.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailRecord {
    pub id: String,
    pub kind: String,
    pub comment_id: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub status: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// Everything a site stores about one email address.
#[derive(Debug, Clone, Default)]
pub struct PrivacyRecords {
    pub comments: Vec<QueueItem>,
    /// The audit trail of those comments, oldest first, with each row's details.
    pub audit: Vec<(AuditEntry, Option<String>)>,
    pub mail: Vec<MailRecord>,
    /// When the address opted out of notices, if it did.
    pub unsubscribed_at: Option<i64>,
    /// Moderators' blocks naming the address (kind `email`).
    pub blocks: Vec<(String, Option<String>, i64)>,
}

/// What an erasure asks for and who asks.
#[derive(Debug, Clone)]
pub struct Erasure {
    pub site_key: String,
    pub email: String,
    /// Also remove the comments' titles and bodies (the comments become
    /// `deleted`); otherwise the text stays, without a name.
    pub remove_text: bool,
    pub actor_kind: String,
    pub actor_id: String,
    pub at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErasureOutcome {
    pub comments: u64,
    pub mail: u64,
}

impl Erasure {
    /// An audit row of this erasure (no comment, no status: the caller fills them in).
    fn audit_entry(&self, action: &str) -> AuditEntry {
        AuditEntry {
            id: new_id(),
            site_key: self.site_key.clone(),
            comment_id: None,
            actor_kind: self.actor_kind.clone(),
            actor_id: self.actor_id.clone(),
            action: action.into(),
            from_status: None,
            to_status: None,
            reason: None,
            note: Some(if self.remove_text {
                "author and text removed".into()
            } else {
                "author removed".into()
            }),
            created_at: self.at,
        }
    }
}

impl Store {
    /// Everything stored about `email` (already lower-cased) on a site.
    pub async fn privacy_records(
        &self,
        site_key: &str,
        email: &str,
    ) -> Result<PrivacyRecords, StorageError> {
        let sql = format!(
            "SELECT {QUEUE_COLUMNS} FROM comments c JOIN articles a ON a.id = c.article_id \
             WHERE c.site_key = $1 AND c.author_email = $2 ORDER BY c.created_at, c.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(email)
            .fetch_all(&self.reader)
            .await?;
        let comments = rows.iter().map(queue_item).collect::<Result<Vec<_>, _>>()?;

        let rows = sqlx::query(
            "SELECT l.id, l.site_key, l.comment_id, l.actor_kind, l.actor_id, l.action, \
             l.from_status, l.to_status, l.reason, l.note, l.created_at, l.details \
             FROM audit_log l JOIN comments c ON c.id = l.comment_id \
             WHERE l.site_key = $1 AND c.site_key = $1 AND c.author_email = $2 \
             ORDER BY l.created_at, l.id",
        )
        .bind(site_key)
        .bind(email)
        .fetch_all(&self.reader)
        .await?;
        let audit = rows
            .iter()
            .map(|r| Ok((audit_entry(r)?, r.try_get("details")?)))
            .collect::<Result<Vec<_>, StorageError>>()?;

        let mail: Vec<MailRecord> = sqlx::query_as(
            "SELECT id, kind, comment_id, subject, body_text, status, created_at, sent_at \
             FROM email_outbox WHERE site_key = $1 AND to_addr = $2 ORDER BY created_at, id",
        )
        .bind(site_key)
        .bind(email)
        .fetch_all(&self.reader)
        .await?;

        let unsubscribed_at = sqlx::query(
            "SELECT created_at FROM email_unsubscribes WHERE site_key = $1 AND email = $2",
        )
        .bind(site_key)
        .bind(email)
        .fetch_optional(&self.reader)
        .await?
        .map(|r| r.try_get::<i64, _>("created_at"))
        .transpose()?;

        let rows = sqlx::query(
            "SELECT kind, reason, created_at FROM blocklist_entries \
             WHERE site_key = $1 AND kind = 'email' AND value = $2 ORDER BY created_at",
        )
        .bind(site_key)
        .bind(email)
        .fetch_all(&self.reader)
        .await?;
        let blocks = rows
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("kind")?,
                    r.try_get("reason")?,
                    r.try_get("created_at")?,
                ))
            })
            .collect::<Result<Vec<_>, StorageError>>()?;

        Ok(PrivacyRecords {
            comments,
            audit,
            mail,
            unsubscribed_at,
            blocks,
        })
    }

    /// Anonymize every trace of an address on a site in one transaction:
    /// name, email and address hash leave its comments (and, on request, the
    /// text: the comments then become `deleted`, and edit histories holding
    /// the old text are cleared); mail to it and its opt-out are removed.
    /// Webhook deliveries carrying its comments lose the erased data (they
    /// are still delivered), and each comment emits `comment.erased` and
    /// gets an audit row. Blocks set by moderators stay.
    pub async fn erase_person(&self, e: &Erasure) -> Result<ErasureOutcome, StorageError> {
        let mut tx = self.writer.begin().await?;
        // A write first, so SQLite takes the write lock before any read.
        let mail = sqlx::query("DELETE FROM email_outbox WHERE site_key = $1 AND to_addr = $2")
            .bind(&e.site_key)
            .bind(&e.email)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM email_unsubscribes WHERE site_key = $1 AND email = $2")
            .bind(&e.site_key)
            .bind(&e.email)
            .execute(&mut *tx)
            .await?;
        let rows = sqlx::query(
            "SELECT c.id, c.status, c.article_id, a.article_key FROM comments c \
             JOIN articles a ON a.id = c.article_id \
             WHERE c.site_key = $1 AND c.author_email = $2 ORDER BY c.created_at, c.id",
        )
        .bind(&e.site_key)
        .bind(&e.email)
        .fetch_all(&mut *tx)
        .await?;
        let mut touched_articles: Vec<String> = Vec::new();
        for r in &rows {
            let id: String = r.try_get("id")?;
            let status: String = r.try_get("status")?;
            let was_published = CommentStatus::parse(&status)
                .ok_or_else(|| StorageError::Corrupt(format!("comment {id}: status {status:?}")))?
                == CommentStatus::Published;
            let article_id: String = r.try_get("article_id")?;
            let article_key: String = r.try_get("article_key")?;
            let to_status = if e.remove_text {
                "deleted".to_string()
            } else {
                status.clone()
            };
            if e.remove_text {
                sqlx::query(
                    "UPDATE comments SET author_name = '', author_email = '', ip_hash = '', net_hash = '', \
                     title = '', body = '', findings = '[]', body_fingerprint = '', \
                     status = 'deleted', updated_at = $1 WHERE id = $2",
                )
                .bind(e.at)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE audit_log SET details = NULL WHERE comment_id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                if was_published {
                    // Its visible replies are hidden with it: count again.
                    recount_published(&mut tx, &article_id).await?;
                }
            } else {
                sqlx::query(
                    "UPDATE comments SET author_name = '', author_email = '', ip_hash = '', net_hash = '', \
                     updated_at = $1 WHERE id = $2",
                )
                .bind(e.at)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            }
            // Webhook bodies carry the comment's name and text: queued
            // deliveries still go out (receivers must learn of every change)
            // but without them, and the log keeps no copy. Then
            // `comment.erased` tells mirrors to erase their copy too.
            let in_payload = format!("%\"id\":\"{id}\"%");
            let carrying = sqlx::query(
                "SELECT id, payload FROM webhook_deliveries WHERE site_key = $1 AND payload LIKE $2",
            )
            .bind(&e.site_key)
            .bind(&in_payload)
            .fetch_all(&mut *tx)
            .await?;
            for d in &carrying {
                let delivery: String = d.try_get("id")?;
                let payload: String = d.try_get("payload")?;
                let redacted = crate::webhooks::redact_payload(&payload, e.remove_text)
                    .unwrap_or_else(|| "{}".to_string());
                sqlx::query("UPDATE webhook_deliveries SET payload = $1 WHERE id = $2")
                    .bind(&redacted)
                    .bind(&delivery)
                    .execute(&mut *tx)
                    .await?;
            }
            let erased = crate::webhooks::comment_erased(
                &crate::webhooks::ErasedData {
                    id: id.clone(),
                    site: e.site_key.clone(),
                    article: crate::webhooks::ErasedArticle {
                        key: article_key.clone(),
                    },
                    status: to_status.clone(),
                    previous_status: status.clone(),
                    text_removed: e.remove_text,
                    actor: e.actor_kind.clone(),
                    actor_id: Some(e.actor_id.clone()).filter(|a| !a.is_empty()),
                },
                e.at,
            );
            fan_out(&mut tx, &e.site_key, &[erased], e.at).await?;
            let row = AuditEntry {
                comment_id: Some(id),
                from_status: Some(status.clone()),
                to_status: Some(to_status),
                ..e.audit_entry("privacy_erase")
            };
            audit(&mut tx, &row, None).await?;
            if was_published && !touched_articles.contains(&article_key) {
                touched_articles.push(article_key);
            }
        }
        // The request itself, found something or not: who asked, when, and what it removed
        // (counts only; the address is what was erased).
        let details = serde_json::json!({ "comments": rows.len(), "mail": mail }).to_string();
        audit(
            &mut tx,
            &e.audit_entry("privacy_erase_request"),
            Some(&details),
        )
        .await?;
        tx.commit().await?;
        for article in &touched_articles {
            self.announce_published_change(&e.site_key, article).await;
        }
        Ok(ErasureOutcome {
            comments: rows.len() as u64,
            mail,
        })
    }

    /// Clear client-address hashes older than `before` (unix ms), in batches
    /// so the single SQLite writer is never held long. Also drops login
    /// throttle rows keyed by address hashes that old, and expired API
    /// request counters. Returns the number of comments cleared.
    pub async fn purge_ip_hashes(&self, before: i64, batch: u32) -> Result<u64, StorageError> {
        let mut total = 0;
        loop {
            let cleared = sqlx::query(
                "UPDATE comments SET ip_hash = '', net_hash = '' WHERE id IN \
                 (SELECT id FROM comments WHERE (ip_hash <> '' OR net_hash <> '') \
                 AND created_at < $1 LIMIT $2)",
            )
            .bind(before)
            .bind(i64::from(batch))
            .execute(&self.writer)
            .await?
            .rows_affected();
            total += cleared;
            if cleared < u64::from(batch) {
                break;
            }
        }
        sqlx::query(
            "DELETE FROM login_throttle WHERE throttle_key LIKE 'ip:%' AND updated_at < $1",
        )
        .bind(before)
        .execute(&self.writer)
        .await?;
        Ok(total)
    }

    /// Count one request in `bucket`'s window starting at `window_start` and
    /// return (hits in this window, hits in the window before). Used on
    /// PostgreSQL so every majlis instance shares the count; the counter is
    /// not worth a synchronous disk flush.
    pub async fn hit_rate_window(
        &self,
        bucket: &str,
        window_start: i64,
        window_ms: i64,
    ) -> Result<(i64, i64), StorageError> {
        let mut tx = self.writer.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET LOCAL synchronous_commit TO OFF")
                .execute(&mut *tx)
                .await?;
        }
        let hits: i64 = sqlx::query(
            "INSERT INTO api_rate_windows (bucket, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket, window_start) DO UPDATE SET hits = api_rate_windows.hits + 1 \
             RETURNING hits",
        )
        .bind(bucket)
        .bind(window_start)
        .fetch_one(&mut *tx)
        .await?
        .try_get("hits")?;
        let previous: i64 = sqlx::query(
            "SELECT hits FROM api_rate_windows WHERE bucket = $1 AND window_start = $2",
        )
        .bind(bucket)
        .bind(window_start - window_ms)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get::<i64, _>("hits"))
        .transpose()?
        .unwrap_or(0);
        tx.commit().await?;
        Ok((hits, previous))
    }

    /// Drop request counters whose windows ended before `before`.
    pub async fn purge_rate_windows(&self, before: i64) -> Result<u64, StorageError> {
        Ok(
            sqlx::query("DELETE FROM api_rate_windows WHERE window_start < $1")
                .bind(before)
                .execute(&self.writer)
                .await?
                .rows_affected(),
        )
    }
}
