//! Webhook subscriptions and their delivery outbox. Events are fanned out to
//! the matching subscriptions inside the transaction of the change that
//! causes them, so an acknowledged change never loses its webhook.
//!
//! Signing secrets are sealed at rest (`crate::seal`, AES-256-GCM bound to the
//! subscription's id) with a key derived from the instance secret
//! `webhook_secrets`; the column never holds a secret in clear. Records carry
//! the opened secret in memory only.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::articles::ArticleRecord;
use super::comments::Cursor;
use super::{StorageError, Store};
use crate::domain::new_id;
use crate::seal::Sealer;

/// The instance secret webhook secrets are sealed with, and the name an
/// operator renames it to when rotating (see README, Operations).
const SEAL_SECRET: &str = "webhook_secrets";
const SEAL_SECRET_PREVIOUS: &str = "webhook_secrets.previous";
const SEAL_PURPOSE: &str = "webhook-secret";

/// A subscription as stored (the secret included, opened: every delivery is
/// signed with it).
#[derive(Debug, Clone)]
pub struct WebhookRecord {
    pub id: String,
    pub site_key: String,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
    pub description: String,
    pub created_by: String,
    pub created_at: i64,
}

/// One event to fan out: its type and the exact JSON body receivers get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    pub event_type: String,
    pub payload: String,
}

/// Builds the `article.closed` event of an article that just closed
/// (`site_key`, the article, the instant it was noticed).
pub type ArticleClosedEvent = fn(&str, &ArticleRecord, i64) -> WebhookEvent;

/// One delivery (one event for one subscription) with its latest attempt.
#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    pub id: String,
    pub webhook_id: String,
    pub site_key: String,
    pub event_type: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_attempt_at: Option<i64>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

/// How an attempt ended, as the delivery log records it.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    /// 1 for the first attempt.
    pub attempt: i64,
    pub at: i64,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// One recorded attempt of a delivery.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub delivery_id: String,
    pub attempt: i64,
    pub at: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

const HOOK_COLUMNS: &str = "id, site_key, url, events, secret, description, created_by, created_at";

const DELIVERY_COLUMNS: &str = "id, webhook_id, site_key, event_type, payload, status, attempts, \
     next_attempt_at, last_attempt_at, last_status_code, last_error, created_at, delivered_at";

fn hook_from_row(r: &AnyRow, sealer: &Sealer) -> Result<WebhookRecord, StorageError> {
    let events: String = r.try_get("events")?;
    let id: String = r.try_get("id")?;
    let stored: String = r.try_get("secret")?;
    let secret = sealer.open_text(&stored, id.as_bytes()).map_err(|e| {
        StorageError::Corrupt(format!(
            "webhook {id}: the secret does not open ({e}); was the instance secret \
             `{SEAL_SECRET}` replaced?"
        ))
    })?;
    Ok(WebhookRecord {
        id,
        site_key: r.try_get("site_key")?,
        url: r.try_get("url")?,
        events: split_events(&events),
        secret,
        description: r.try_get("description")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

fn split_events(raw: &str) -> Vec<String> {
    raw.split(',')
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

fn delivery_from_row(r: &AnyRow) -> Result<DeliveryRecord, StorageError> {
    Ok(DeliveryRecord {
        id: r.try_get("id")?,
        webhook_id: r.try_get("webhook_id")?,
        site_key: r.try_get("site_key")?,
        event_type: r.try_get("event_type")?,
        payload: r.try_get("payload")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_attempt_at: r.try_get("last_attempt_at")?,
        last_status_code: r.try_get("last_status_code")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        delivered_at: r.try_get("delivered_at")?,
    })
}

/// Queue one delivery per subscription of the site that wants each event,
/// inside the caller's transaction.
pub(super) async fn fan_out(
    tx: &mut sqlx::AnyConnection,
    site_key: &str,
    events: &[WebhookEvent],
    now: i64,
) -> Result<(), StorageError> {
    if events.is_empty() {
        return Ok(());
    }
    let rows = sqlx::query("SELECT id, events FROM webhooks WHERE site_key = $1")
        .bind(site_key)
        .fetch_all(&mut *tx)
        .await?;
    for r in &rows {
        let hook_id: String = r.try_get("id")?;
        let wanted = split_events(&r.try_get::<String, _>("events")?);
        for e in events.iter().filter(|e| wanted.contains(&e.event_type)) {
            sqlx::query(
                "INSERT INTO webhook_deliveries (id, webhook_id, site_key, event_type, payload, \
                 status, attempts, next_attempt_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)",
            )
            .bind(format!("msg_{}", new_id()))
            .bind(&hook_id)
            .bind(site_key)
            .bind(&e.event_type)
            .bind(&e.payload)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}

/// Record that `article_id` is closed: emit `article.closed` once, unless it
/// was already emitted since the article last opened. Inside the caller's
/// transaction.
pub(super) async fn note_article_closed(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    site_key: &str,
    article_id: &str,
    article: &ArticleRecord,
    event: ArticleClosedEvent,
    now: i64,
) -> Result<bool, StorageError> {
    let r = sqlx::query(
        "UPDATE articles SET closed_event_at = $1 WHERE id = $2 AND closed_event_at IS NULL",
    )
    .bind(now)
    .bind(article_id)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    fan_out(tx, site_key, &[event(site_key, article, now)], now).await?;
    Ok(true)
}

/// The article is open again: a later close is a new `article.closed`.
pub(super) async fn note_article_open(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    article_id: &str,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE articles SET closed_event_at = NULL WHERE id = $1")
        .bind(article_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// The key webhook secrets are sealed with (derived once per process).
    async fn webhook_sealer(&self) -> Result<&Sealer, StorageError> {
        self.webhook_sealer
            .get_or_try_init(|| async {
                let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
                let secret = self.instance_secret(SEAL_SECRET, now).await?;
                Ok::<_, StorageError>(Sealer::derive(&secret, SEAL_PURPOSE))
            })
            .await
    }

    /// Seal every webhook secret not sealed with the current key: rows
    /// stored in clear before sealing existed, and, after a rotation (the
    /// operator renamed the instance secret to `webhook_secrets.previous`),
    /// rows sealed with the previous key, which is then dropped. Run at
    /// startup, before serving; idempotent, so every instance may run it.
    /// Returns how many rows were sealed.
    pub async fn seal_webhook_secrets(&self) -> Result<u64, StorageError> {
        let current = self.webhook_sealer().await?.clone();
        let previous: Option<String> =
            sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = $1")
                .bind(SEAL_SECRET_PREVIOUS)
                .fetch_optional(&self.writer)
                .await?;
        let previous = previous
            .map(|v| {
                hex::decode(v)
                    .map(|k| Sealer::derive(&k, SEAL_PURPOSE))
                    .map_err(|e| StorageError::Corrupt(format!("instance secret: {e}")))
            })
            .transpose()?;
        let rows = sqlx::query("SELECT id, secret FROM webhooks")
            .fetch_all(&self.writer)
            .await?;
        let mut sealed = 0;
        for r in &rows {
            let id: String = r.try_get("id")?;
            let stored: String = r.try_get("secret")?;
            let plain = match (Sealer::key_id_of(&stored), &previous) {
                (None, _) => stored.clone(),
                (Some(k), _) if k == current.key_id() => continue,
                (Some(k), Some(p)) if k == p.key_id() => {
                    p.open_text(&stored, id.as_bytes()).map_err(|e| {
                        StorageError::Corrupt(format!("webhook {id}: previous key: {e}"))
                    })?
                }
                (Some(_), _) => {
                    tracing::error!(webhook = %id, "webhook secret sealed with an unknown key");
                    continue;
                }
            };
            // Conditional on the value read, so instances racing at startup
            // do not seal twice.
            sealed += sqlx::query("UPDATE webhooks SET secret = $1 WHERE id = $2 AND secret = $3")
                .bind(current.seal_text(&plain, id.as_bytes()))
                .bind(&id)
                .bind(&stored)
                .execute(&self.writer)
                .await?
                .rows_affected();
        }
        if previous.is_some() {
            sqlx::query("DELETE FROM instance_secrets WHERE name = $1")
                .bind(SEAL_SECRET_PREVIOUS)
                .execute(&self.writer)
                .await?;
        }
        Ok(sealed)
    }

    pub async fn insert_webhook(&self, w: &WebhookRecord) -> Result<(), StorageError> {
        let sealed = self
            .webhook_sealer()
            .await?
            .seal_text(&w.secret, w.id.as_bytes());
        sqlx::query(
            "INSERT INTO webhooks (id, site_key, url, events, secret, description, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&w.id)
        .bind(&w.site_key)
        .bind(&w.url)
        .bind(w.events.join(","))
        .bind(&sealed)
        .bind(&w.description)
        .bind(&w.created_by)
        .bind(w.created_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// A site's subscriptions, oldest first.
    pub async fn webhooks(&self, site_key: &str) -> Result<Vec<WebhookRecord>, StorageError> {
        let sql = format!(
            "SELECT {HOOK_COLUMNS} FROM webhooks WHERE site_key = $1 ORDER BY created_at, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .fetch_all(&self.reader)
            .await?;
        let sealer = self.webhook_sealer().await?;
        rows.iter().map(|r| hook_from_row(r, sealer)).collect()
    }

    pub async fn webhook(
        &self,
        site_key: &str,
        id: &str,
    ) -> Result<Option<WebhookRecord>, StorageError> {
        let sql = format!("SELECT {HOOK_COLUMNS} FROM webhooks WHERE site_key = $1 AND id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        let sealer = self.webhook_sealer().await?;
        row.as_ref().map(|r| hook_from_row(r, sealer)).transpose()
    }

    /// The subscription a claimed delivery belongs to (any site).
    pub async fn webhook_by_id(&self, id: &str) -> Result<Option<WebhookRecord>, StorageError> {
        let sql = format!("SELECT {HOOK_COLUMNS} FROM webhooks WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        let sealer = self.webhook_sealer().await?;
        row.as_ref().map(|r| hook_from_row(r, sealer)).transpose()
    }

    /// Remove a subscription with its delivery log; `false` if there was none.
    pub async fn delete_webhook(&self, site_key: &str, id: &str) -> Result<bool, StorageError> {
        let mut tx = self.writer.begin().await?;
        let r = sqlx::query("DELETE FROM webhooks WHERE site_key = $1 AND id = $2")
            .bind(site_key)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "DELETE FROM webhook_attempts WHERE delivery_id IN \
             (SELECT id FROM webhook_deliveries WHERE webhook_id = $1)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The delivery log of one subscription, newest first, keyset-paginated.
    pub async fn webhook_deliveries(
        &self,
        webhook_id: &str,
        status: Option<&str>,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Vec<DeliveryRecord>, StorageError> {
        let page = if after.is_some() {
            "AND (created_at < $4 OR (created_at = $4 AND id < $5))"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 \
             AND ($2 = '' OR status = $2) {page} ORDER BY created_at DESC, id DESC LIMIT $3"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(webhook_id)
            .bind(status.unwrap_or(""))
            .bind(i64::from(limit));
        if let Some(c) = after {
            q = q.bind(c.at).bind(&c.id);
        }
        let rows = q.fetch_all(&self.reader).await?;
        rows.iter().map(delivery_from_row).collect()
    }

    /// Lease up to `limit` due deliveries to `owner` until `lease_until`,
    /// counting the attempt; rows another live worker holds are skipped.
    pub async fn claim_webhook_deliveries(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> Result<Vec<DeliveryRecord>, StorageError> {
        let rows = self
            .lease_due(
                "webhook_deliveries",
                DELIVERY_COLUMNS,
                owner,
                now,
                lease_until,
                limit,
            )
            .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    /// Record an attempt of a leased delivery: delivered (`next` is ignored),
    /// or failed and retried at `next`, or failed for good when `next` is
    /// `None`; the attempt joins the delivery log. Only the lease holder
    /// may; `false` when it no longer holds it (nothing is written).
    pub async fn record_webhook_attempt(
        &self,
        id: &str,
        owner: &str,
        delivered: bool,
        result: &AttemptResult,
        next: Option<i64>,
    ) -> Result<bool, StorageError> {
        let status = match (delivered, next) {
            (true, _) => "delivered",
            (false, Some(_)) => "pending",
            (false, None) => "failed",
        };
        let mut tx = self.writer.begin().await?;
        let r = sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, last_attempt_at = $2, \
             last_status_code = $3, last_error = $4, \
             next_attempt_at = COALESCE($5, next_attempt_at), \
             delivered_at = CASE WHEN $1 = 'delivered' THEN $2 ELSE delivered_at END, \
             lease_until = NULL, lease_owner = NULL WHERE id = $6 AND lease_owner = $7",
        )
        .bind(status)
        .bind(result.at)
        .bind(result.status_code.map(i64::from))
        .bind(&result.error)
        .bind(if delivered { None } else { next })
        .bind(id)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, \
             duration_ms) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (delivery_id, attempt) DO NOTHING",
        )
        .bind(id)
        .bind(result.attempt)
        .bind(result.at)
        .bind(result.status_code.map(i64::from))
        .bind(&result.error)
        .bind(result.duration_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The attempts of the given deliveries, oldest first per delivery.
    pub async fn webhook_attempts(
        &self,
        delivery_ids: &[String],
    ) -> Result<Vec<AttemptRecord>, StorageError> {
        if delivery_ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (1..=delivery_ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT delivery_id, attempt, at, status_code, error, duration_ms \
             FROM webhook_attempts WHERE delivery_id IN ({}) ORDER BY delivery_id, attempt",
            list.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in delivery_ids {
            q = q.bind(id);
        }
        let rows = q.fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| {
                Ok(AttemptRecord {
                    delivery_id: r.try_get("delivery_id")?,
                    attempt: r.try_get("attempt")?,
                    at: r.try_get("at")?,
                    status_code: r.try_get("status_code")?,
                    error: r.try_get("error")?,
                    duration_ms: r.try_get("duration_ms")?,
                })
            })
            .collect()
    }

    /// Drop finished deliveries (delivered or failed) created before `before`.
    pub async fn purge_webhook_log(&self, before: i64) -> Result<u64, StorageError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM \
             webhook_deliveries WHERE status IN ('delivered', 'failed') AND created_at < $1)",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?;
        let r = sqlx::query(
            "DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'failed') \
             AND created_at < $1",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(r.rows_affected())
    }

    /// Deliveries still to make, per site (for `/metrics`).
    pub async fn webhook_backlog(&self) -> Result<Vec<(String, i64)>, StorageError> {
        let rows = sqlx::query(
            "SELECT site_key, COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending' \
             GROUP BY site_key ORDER BY site_key",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("site_key")?, r.try_get("n")?)))
            .collect()
    }

    /// Emit `article.closed` for articles that closed by themselves
    /// (`closes_at` passed, or the site's auto-close age) and were not
    /// announced yet; at most `limit` per call. Returns how many were announced.
    pub async fn announce_closed_articles(
        &self,
        now: i64,
        limit: u32,
        event: ArticleClosedEvent,
    ) -> Result<usize, StorageError> {
        let rows = sqlx::query(
            "SELECT a.id, a.site_key, a.article_key, a.url, a.title, a.closed, a.closes_at, \
             a.published_count, a.created_at FROM articles a JOIN sites s ON s.site_key = a.site_key \
             WHERE a.closed_event_at IS NULL AND (a.closed = 1 \
             OR (a.closes_at IS NOT NULL AND a.closes_at <= $1) \
             OR (s.auto_close_days IS NOT NULL AND a.created_at < $1 - s.auto_close_days * 86400000)) \
             ORDER BY a.created_at, a.id LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        let mut announced = 0;
        for r in &rows {
            let id: String = r.try_get("id")?;
            let site_key: String = r.try_get("site_key")?;
            let article = super::articles::record(r)?;
            let mut tx = self.writer.begin().await?;
            if note_article_closed(&mut tx, &site_key, &id, &article, event, now).await? {
                announced += 1;
            }
            tx.commit().await?;
        }
        Ok(announced)
    }
}
