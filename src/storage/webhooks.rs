//! Webhook subscriptions and their delivery outbox. Events are fanned out to
//! the matching subscriptions inside the transaction of the change that
//! causes them, so an acknowledged change never loses its webhook.
//!
//! Signing secrets are sealed at rest (`crate::seal`, AES-256-GCM bound to the
//! subscription's id) with a key derived from the instance secret
//! `webhook_secrets`; the column never holds a secret in clear. Records carry
//! the opened secret in memory only.

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::rows::split_events;
use super::{Applied, Cursor, StorageError, Store};
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
    /// `false`: paused, events are not queued for it.
    pub enabled: bool,
    /// The secret a rotation replaced, still signing (besides `secret`)
    /// until `previous_secret_until` (unix ms).
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<i64>,
}

impl WebhookRecord {
    /// The secrets a delivery made at `now` is signed with: the current one,
    /// and the replaced one while its overlap lasts.
    pub fn live_secrets(&self, now: i64) -> Vec<&str> {
        let mut out = vec![self.secret.as_str()];
        if let (Some(p), Some(until)) = (&self.previous_secret, self.previous_secret_until)
            && now < until
        {
            out.push(p);
        }
        out
    }
}

/// A change to a subscription, applied with its audit row in one
/// transaction (`Store::apply_webhook_change`).
pub enum WebhookChange<'a> {
    /// A new subscription, unless the site already has `max` of them
    /// (`Applied::Missing`: nothing written).
    Create { record: &'a WebhookRecord, max: i64 },
    /// Remove a subscription with its delivery log.
    Delete { id: &'a str },
    /// Replace the fields that are `Some`.
    Update {
        id: &'a str,
        url: Option<&'a str>,
        events: Option<&'a [String]>,
        description: Option<&'a str>,
        enabled: Option<bool>,
    },
    /// `secret` becomes the signing secret; `previous` (the one it replaces)
    /// still signs until `previous_until`.
    Rotate {
        id: &'a str,
        secret: &'a str,
        previous: &'a str,
        previous_until: i64,
    },
    /// Queue a `ping` delivery whatever the subscription's events.
    Ping {
        id: &'a str,
        delivery_id: &'a str,
        payload: &'a str,
    },
    /// Send a finished delivery again, with the same `webhook-id`.
    Redeliver { id: &'a str, delivery_id: &'a str },
}

/// The sealing context of a rotated-out secret (distinct from the current
/// secret's, so one sealed value cannot stand for the other).
fn previous_aad(id: &str) -> Vec<u8> {
    format!("{id}:previous").into_bytes()
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt.
    Pending,
    Delivered,
    /// Out of attempts, or its subscription is gone.
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 3] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<DeliveryStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// One delivery (one event for one subscription) with its latest attempt.
#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    pub id: String,
    pub webhook_id: String,
    pub site_key: String,
    pub event_type: String,
    pub payload: String,
    pub status: DeliveryStatus,
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
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRecord {
    pub delivery_id: String,
    pub attempt: i64,
    pub at: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

const HOOK_COLUMNS: &str = "id, site_key, url, events, secret, description, created_by, \
     created_at, enabled, previous_secret, previous_secret_until";

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
    let previous: Option<String> = r.try_get("previous_secret")?;
    let previous_secret = previous
        .map(|p| {
            sealer.open_text(&p, &previous_aad(&id)).map_err(|e| {
                StorageError::Corrupt(format!(
                    "webhook {id}: the previous secret does not open ({e})"
                ))
            })
        })
        .transpose()?;
    Ok(WebhookRecord {
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        previous_secret,
        previous_secret_until: r.try_get("previous_secret_until")?,
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

/// A `webhook_deliveries` row as stored (`DELIVERY_COLUMNS`).
#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: String,
    webhook_id: String,
    site_key: String,
    event_type: String,
    payload: String,
    status: String,
    attempts: i64,
    next_attempt_at: i64,
    last_attempt_at: Option<i64>,
    last_status_code: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    delivered_at: Option<i64>,
}

impl TryFrom<DeliveryRow> for DeliveryRecord {
    type Error = StorageError;

    fn try_from(r: DeliveryRow) -> Result<DeliveryRecord, StorageError> {
        let status = DeliveryStatus::parse(&r.status).ok_or_else(|| {
            StorageError::Corrupt(format!("webhook_deliveries.status {:?}", r.status))
        })?;
        Ok(DeliveryRecord {
            id: r.id,
            webhook_id: r.webhook_id,
            site_key: r.site_key,
            event_type: r.event_type,
            payload: r.payload,
            status,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_attempt_at: r.last_attempt_at,
            last_status_code: r.last_status_code,
            last_error: r.last_error,
            created_at: r.created_at,
            delivered_at: r.delivered_at,
        })
    }
}

fn delivery_from_row(r: &AnyRow) -> Result<DeliveryRecord, StorageError> {
    DeliveryRow::from_row(r)?.try_into()
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
        sealed += self
            .reseal_previous_secrets(&current, previous.as_ref())
            .await?;
        if previous.is_some() {
            sqlx::query("DELETE FROM instance_secrets WHERE name = $1")
                .bind(SEAL_SECRET_PREVIOUS)
                .execute(&self.writer)
                .await?;
        }
        Ok(sealed)
    }

    /// `seal_webhook_secrets` for the rotated-out signing secrets.
    async fn reseal_previous_secrets(
        &self,
        current: &Sealer,
        previous: Option<&Sealer>,
    ) -> Result<u64, StorageError> {
        let rows = sqlx::query(
            "SELECT id, previous_secret FROM webhooks WHERE previous_secret IS NOT NULL",
        )
        .fetch_all(&self.writer)
        .await?;
        let mut sealed = 0;
        for r in &rows {
            let id: String = r.try_get("id")?;
            let stored: String = r.try_get("previous_secret")?;
            let plain = match (Sealer::key_id_of(&stored), previous) {
                (Some(k), _) if k == current.key_id() => continue,
                (Some(k), Some(p)) if k == p.key_id() => {
                    p.open_text(&stored, &previous_aad(&id)).map_err(|e| {
                        StorageError::Corrupt(format!("webhook {id}: previous key: {e}"))
                    })?
                }
                _ => {
                    tracing::error!(webhook = %id, "rotated-out webhook secret sealed with an unknown key");
                    continue;
                }
            };
            sealed += sqlx::query(
                "UPDATE webhooks SET previous_secret = $1 WHERE id = $2 AND previous_secret = $3",
            )
            .bind(current.seal_text(&plain, &previous_aad(&id)))
            .bind(&id)
            .bind(&stored)
            .execute(&self.writer)
            .await?
            .rows_affected();
        }
        Ok(sealed)
    }

    /// Apply a subscription change of `audit.site_key` and write its audit
    /// row, in one transaction. `Applied::Missing` (nothing written) when
    /// the subscription, or the finished delivery to send again, is not there.
    pub async fn apply_webhook_change(
        &self,
        change: WebhookChange<'_>,
        audit: &super::AdminAudit<'_>,
    ) -> Result<Applied, StorageError> {
        let sealer = self.webhook_sealer().await?.clone();
        let site = audit.site_key;
        let mut tx = self.writer.begin().await?;
        let (id, done) = match change {
            WebhookChange::Create { record, max } => {
                let count: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM webhooks WHERE site_key = $1")
                        .bind(site)
                        .fetch_one(&mut *tx)
                        .await?;
                let room = count < max;
                if room {
                    sqlx::query(
                        "INSERT INTO webhooks (id, site_key, url, events, secret, description, \
                         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(&record.id)
                    .bind(site)
                    .bind(&record.url)
                    .bind(record.events.join(","))
                    .bind(sealer.seal_text(&record.secret, record.id.as_bytes()))
                    .bind(&record.description)
                    .bind(&record.created_by)
                    .bind(record.created_at)
                    .execute(&mut *tx)
                    .await?;
                }
                (record.id.as_str(), room)
            }
            WebhookChange::Delete { id } => {
                let r = sqlx::query("DELETE FROM webhooks WHERE site_key = $1 AND id = $2")
                    .bind(site)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let found = r.rows_affected() == 1;
                if found {
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
                }
                (id, found)
            }
            WebhookChange::Update {
                id,
                url,
                events,
                description,
                enabled,
            } => {
                let r = sqlx::query(
                    "UPDATE webhooks SET url = COALESCE($1, url), events = COALESCE($2, events), \
                     description = COALESCE($3, description), enabled = COALESCE($4, enabled), \
                     updated_at = $5 WHERE site_key = $6 AND id = $7",
                )
                .bind(url)
                .bind(events.map(|e| e.join(",")))
                .bind(description)
                .bind(enabled.map(i64::from))
                .bind(audit.at)
                .bind(site)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                (id, r.rows_affected() == 1)
            }
            WebhookChange::Rotate {
                id,
                secret,
                previous,
                previous_until,
            } => {
                let r = sqlx::query(
                    "UPDATE webhooks SET secret = $1, previous_secret = $2, \
                     previous_secret_until = $3, updated_at = $4 WHERE site_key = $5 AND id = $6",
                )
                .bind(sealer.seal_text(secret, id.as_bytes()))
                .bind(sealer.seal_text(previous, &previous_aad(id)))
                .bind(previous_until)
                .bind(audit.at)
                .bind(site)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                (id, r.rows_affected() == 1)
            }
            WebhookChange::Ping {
                id,
                delivery_id,
                payload,
            } => {
                let found: Option<String> =
                    sqlx::query_scalar("SELECT id FROM webhooks WHERE site_key = $1 AND id = $2")
                        .bind(site)
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let found = found.is_some();
                if found {
                    sqlx::query(
                        "INSERT INTO webhook_deliveries (id, webhook_id, site_key, event_type, \
                         payload, status, attempts, next_attempt_at, created_at) \
                         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)",
                    )
                    .bind(delivery_id)
                    .bind(id)
                    .bind(site)
                    .bind(crate::webhooks::PING)
                    .bind(payload)
                    .bind(audit.at)
                    .execute(&mut *tx)
                    .await?;
                }
                (id, found)
            }
            WebhookChange::Redeliver { id, delivery_id } => {
                let r = sqlx::query(
                    "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, \
                     lease_until = NULL, lease_owner = NULL, delivered_at = NULL \
                     WHERE id = $2 AND webhook_id = $3 AND site_key = $4 \
                     AND status IN ('delivered', 'failed')",
                )
                .bind(audit.at)
                .bind(delivery_id)
                .bind(id)
                .bind(site)
                .execute(&mut *tx)
                .await?;
                (id, r.rows_affected() == 1)
            }
        };
        if !done {
            tx.rollback().await?;
            return Ok(Applied::Missing);
        }
        audit.write(&mut tx, site, Some(id)).await?;
        tx.commit().await?;
        Ok(Applied::Done)
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
            (true, _) => DeliveryStatus::Delivered,
            (false, Some(_)) => DeliveryStatus::Pending,
            (false, None) => DeliveryStatus::Failed,
        };
        let mut tx = self.writer.begin().await?;
        let r = sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, last_attempt_at = $2, \
             last_status_code = $3, last_error = $4, \
             next_attempt_at = COALESCE($5, next_attempt_at), \
             delivered_at = CASE WHEN $1 = 'delivered' THEN $2 ELSE delivered_at END, \
             lease_until = NULL, lease_owner = NULL WHERE id = $6 AND lease_owner = $7",
        )
        .bind(status.as_str())
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
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in delivery_ids {
            q = q.bind(id);
        }
        Ok(q.fetch_all(&self.reader).await?)
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
}
