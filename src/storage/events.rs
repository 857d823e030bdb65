//! Writes that go with a change, inside the caller's transaction: its audit
//! row, the mail it causes (the email outbox) and the webhook deliveries it
//! fans out (the transactional outbox). Every storage file that changes
//! something writes these through here, so none imports another.

use sqlx::Row;

use super::rows::split_events;
use super::{ArticleRecord, AuditEntry, StorageError};
use crate::domain::new_id;

/// A message to record in the outbox, already rendered by the email module.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NewOutboxMessage {
    pub id: String,
    pub site_key: String,
    pub kind: String,
    pub comment_id: Option<String>,
    pub to_addr: String,
    pub to_name: String,
    pub from_name: String,
    pub lang: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub unsubscribe_url: Option<String>,
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

/// Write one audit row; `details` is a JSON document (e.g. the original text
/// of an edit).
pub(super) async fn audit(
    conn: &mut sqlx::AnyConnection,
    e: &AuditEntry,
    details: Option<&str>,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO audit_log (id, site_key, comment_id, actor_kind, actor_id, action, \
         from_status, to_status, reason, note, created_at, details) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
    )
    .bind(&e.id)
    .bind(&e.site_key)
    .bind(&e.comment_id)
    .bind(&e.actor_kind)
    .bind(&e.actor_id)
    .bind(&e.action)
    .bind(&e.from_status)
    .bind(&e.to_status)
    .bind(&e.reason)
    .bind(&e.note)
    .bind(e.created_at)
    .bind(details)
    .execute(&mut *conn)
    .await?;
    // Every audited change of a comment is an entry of the change feed, in
    // the same transaction (`Store::comment_changes`).
    if let Some(comment_id) = &e.comment_id {
        sqlx::query(
            "INSERT INTO comment_changes (site_key, comment_id, event_type, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&e.site_key)
        .bind(comment_id)
        .bind(&e.action)
        .bind(e.created_at)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Write outbox rows inside the caller's transaction.
pub(super) async fn insert_messages(
    tx: &mut sqlx::AnyConnection,
    messages: &[NewOutboxMessage],
) -> Result<(), StorageError> {
    for m in messages {
        sqlx::query(
            "INSERT INTO email_outbox (id, site_key, kind, comment_id, to_addr, to_name, \
             from_name, lang, subject, body_text, body_html, unsubscribe_url, status, attempts, \
             next_attempt_at, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'pending',0,$13,$13)",
        )
        .bind(&m.id)
        .bind(&m.site_key)
        .bind(&m.kind)
        .bind(&m.comment_id)
        .bind(&m.to_addr)
        .bind(&m.to_name)
        .bind(&m.from_name)
        .bind(&m.lang)
        .bind(&m.subject)
        .bind(&m.body_text)
        .bind(&m.body_html)
        .bind(&m.unsubscribe_url)
        .bind(m.created_at)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
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
    let rows = sqlx::query("SELECT id, events FROM webhooks WHERE site_key = $1 AND enabled = 1")
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

/// Tell the other instances on this PostgreSQL database which articles'
/// cached lists are stale: one `pg_notify` per article, in one statement.
pub(super) async fn notify_others(writer: &sqlx::AnyPool, changed: &[super::PublishedChange]) {
    let calls: Vec<String> = (0..changed.len())
        .map(|i| format!("pg_notify($1, ${})", i + 2))
        .collect();
    let sql = format!("SELECT {}", calls.join(", "));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(super::CACHE_CHANNEL);
    for c in changed {
        q = q.bind(format!("{}\n{}", c.site, c.article));
    }
    if let Err(e) = q.execute(writer).await {
        tracing::warn!(error = %e, "could not notify other majlis processes");
    }
}
