mod batch;
mod featured;
mod replies;
mod top;

use sqlx::Row;

pub(super) use batch::CommentBatcher;
pub use featured::FeatureOutcome;

use replies::open_reply_notice;
pub use replies::{DueReplyNotice, REPLY_NOTICE_DELAY_MS, ReplyPage, ReplyTarget, ThreadReplies};

use super::events::{audit, fan_out, insert_messages};
use super::rows::{QUEUE_COLUMNS, close_open_reports, placeholders, queue_item, recount_published};
use super::{
    AuditEntry, Backend, Cursor, NewOutboxMessage, QueueItem, StorageError, Store, WebhookEvent,
};
use crate::domain::{CommentStatus, new_id};

/// Everything stored for a new comment, decided by the service layer.
#[derive(Debug, Clone)]
pub struct NewCommentRecord {
    pub id: String,
    pub site_key: String,
    pub article_key: String,
    pub article_url: Option<String>,
    pub article_title: Option<String>,
    pub status: CommentStatus,
    pub flagged: bool,
    pub author_name: String,
    pub author_email: String,
    pub title: String,
    pub body: String,
    pub lang: String,
    pub terms_version: String,
    pub ip_hash: String,
    /// Keyed hash of the client's network (per-network caps).
    pub net_hash: String,
    pub body_fingerprint: String,
    /// The comment answered (a reply) and the top-level comment it is shown
    /// under; both `None` for a top-level comment.
    pub parent_id: Option<String>,
    pub thread_id: Option<String>,
    /// The commenter asked for mail about published replies.
    pub notify_replies: bool,
    /// JSON array of rule findings.
    pub findings: String,
    /// The body's near-duplicate signature (`spam::signature_text`).
    pub body_sig: String,
    /// The findings say the spam signals held it (`spam::held_as_spam`):
    /// held, it is known spam to the near-duplicate check.
    pub spam_held: bool,
    pub created_at: i64,
    /// Articles registered before this instant are closed by age (site auto-close).
    pub closed_if_created_before: Option<i64>,
    /// Mail this submission causes, written in the same transaction.
    pub outbox: Vec<NewOutboxMessage>,
    /// Webhook events this submission causes, fanned out in the same transaction.
    pub webhooks: Vec<WebhookEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertOutcome {
    Stored,
    ArticleClosed,
}

/// A published comment as anyone may see it.
#[derive(Debug, Clone)]
pub struct PublicComment {
    pub id: String,
    pub name: String,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub published_at: i64,
    /// For a reply: the comment answered, and its author's name when that
    /// is another reply ("in reply to NAME").
    pub parent_id: Option<String>,
    pub in_reply_to: Option<String>,
    /// When the moderators featured it (top-level comments only).
    pub featured_at: Option<i64>,
    /// Readers' likes.
    pub likes: i64,
}

/// A published comment from a row of `id, author_name, title, body,
/// created_at, published_at, likes`, with the columns only some queries select.
pub(super) fn public_comment(
    r: &sqlx::any::AnyRow,
    parent_id: Option<String>,
    in_reply_to: Option<String>,
    featured_at: Option<i64>,
) -> Result<PublicComment, StorageError> {
    Ok(PublicComment {
        id: r.try_get("id")?,
        name: r.try_get("author_name")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        created_at: r.try_get("created_at")?,
        published_at: r
            .try_get::<Option<i64>, _>("published_at")?
            .unwrap_or_default(),
        parent_id,
        in_reply_to,
        featured_at,
        likes: r.try_get("likes")?,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Newest,
    Oldest,
    /// Featured comments first (the latest featured first), then the others
    /// newest first. Only the public list offers it.
    Featured,
}

/// A moderator's (or integrator's) decision about one comment.
#[derive(Debug, Clone)]
pub struct Transition {
    pub site_key: String,
    pub comment_id: String,
    pub to: CommentStatus,
    pub actor_kind: String,
    pub actor_id: String,
    pub action: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub at: i64,
    /// Apply only from one of these statuses (empty: from any).
    pub only_from: Vec<CommentStatus>,
    /// A single-use decision link consumed by this decision.
    pub link_use: Option<LinkUse>,
    /// Mail this decision causes, written in the same transaction.
    pub outbox: Vec<NewOutboxMessage>,
    /// Webhook events this decision causes, fanned out in the same
    /// transaction (only when the status really changes).
    pub webhooks: Vec<WebhookEvent>,
    /// Close the comment's open reader reports with this resolution and
    /// audit action (only when the status really changes and some are open).
    pub close_reports: Option<(&'static str, &'static str)>,
}

/// The use of an emailed decision link, recorded with the decision.
#[derive(Debug, Clone)]
pub struct LinkUse {
    pub link_id: String,
    pub moderator_id: String,
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionOutcome {
    /// The decision link was used before: nothing written.
    LinkUsed,
    NotFound,
    /// Already in the requested state: nothing written.
    Unchanged(CommentStatus),
    /// Not a move moderators may make (e.g. out of `deleted`).
    NotAllowed(CommentStatus),
    Changed {
        from: CommentStatus,
        to: CommentStatus,
    },
}

impl Store {
    /// Register the article if new and store the comment with its audit row,
    /// in one transaction. Nothing is written for a closed article.
    ///
    /// Submissions arriving together share one transaction (group commit,
    /// see `CommentBatcher`): one disk sync acknowledges them all.
    pub async fn insert_comment(
        &self,
        c: &NewCommentRecord,
    ) -> Result<InsertOutcome, StorageError> {
        if let Some(batcher) = &self.batcher {
            return batcher.insert(c.clone()).await;
        }
        let outcome = insert_comment_alone(&self.writer, self.backend, c).await?;
        if outcome == InsertOutcome::Stored && c.status == CommentStatus::Published {
            self.announce_published_change(&c.site_key, &c.article_key)
                .await;
        }
        Ok(outcome)
    }

    /// Published comments of one article, keyset-paginated.
    pub async fn published_comments(
        &self,
        site_key: &str,
        article_key: &str,
        order: Order,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Vec<PublicComment>, StorageError> {
        const BASE: &str = "SELECT c.id, c.author_name, c.title, c.body, c.created_at, c.published_at, \
             c.featured_at, c.likes FROM comments c JOIN articles a ON a.id = c.article_id \
             WHERE a.site_key = $1 AND a.article_key = $2 AND c.status = 'published' \
             AND c.parent_id IS NULL";
        let sql = keyset_page(BASE, "c.published_at", order, after.is_some());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(article_key)
            .bind(i64::from(limit));
        if let Some(cursor) = after {
            q = q.bind(cursor.at).bind(&cursor.id);
        }
        let rows = q.fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| public_comment(r, None, None, r.try_get("featured_at")?))
            .collect()
    }

    /// Published comment counts of the given articles (absent ones are 0).
    pub async fn published_counts(
        &self,
        site_key: &str,
        article_keys: &[String],
    ) -> Result<Vec<(String, i64)>, StorageError> {
        if article_keys.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT article_key, published_count FROM articles \
             WHERE site_key = $1 AND article_key IN ({})",
            placeholders(2, article_keys.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(site_key);
        for key in article_keys {
            q = q.bind(key);
        }
        let rows = q.fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("article_key")?, r.try_get("published_count")?)))
            .collect()
    }

    /// The moderation queue of one site for one status, keyset-paginated on
    /// submission time.
    pub async fn queue(
        &self,
        site_key: &str,
        status: CommentStatus,
        order: Order,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Vec<QueueItem>, StorageError> {
        let base = format!(
            "SELECT {QUEUE_COLUMNS} FROM comments c JOIN articles a ON a.id = c.article_id \
             WHERE c.site_key = $1 AND c.status = $2"
        );
        let sql = keyset_page(&base, "c.created_at", order, after.is_some());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(status.as_str())
            .bind(i64::from(limit));
        if let Some(cursor) = after {
            q = q.bind(cursor.at).bind(&cursor.id);
        }
        let rows = q.fetch_all(&self.reader).await?;
        rows.iter().map(queue_item).collect()
    }

    /// One comment of one site with everything a moderator sees.
    pub async fn comment(
        &self,
        site_key: &str,
        id: &str,
    ) -> Result<Option<QueueItem>, StorageError> {
        let sql = format!(
            "SELECT {QUEUE_COLUMNS} FROM comments c JOIN articles a ON a.id = c.article_id \
             WHERE c.site_key = $1 AND c.id = $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(queue_item).transpose()
    }

    /// Move a comment to a new status with its audit row, in one transaction.
    /// The UPDATE is conditional on the status read, so concurrent decisions
    /// cannot both apply.
    pub async fn transition(&self, t: &Transition) -> Result<TransitionOutcome, StorageError> {
        let mut tx = self.writer.begin().await?;
        if let Some(link) = &t.link_use {
            // A write first, so SQLite takes the write lock before any read.
            let used = sqlx::query(
                "INSERT INTO email_link_uses (link_id, moderator_id, comment_id, action, used_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (link_id) DO NOTHING",
            )
            .bind(&link.link_id)
            .bind(&link.moderator_id)
            .bind(&t.comment_id)
            .bind(&link.action)
            .bind(t.at)
            .execute(&mut *tx)
            .await?;
            if used.rows_affected() != 1 {
                tx.rollback().await?;
                return Ok(TransitionOutcome::LinkUsed);
            }
        }
        let row = sqlx::query(
            "SELECT c.status, c.article_id, a.article_key FROM comments c \
                 JOIN articles a ON a.id = c.article_id WHERE c.id = $1 AND c.site_key = $2",
        )
        .bind(&t.comment_id)
        .bind(&t.site_key)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(TransitionOutcome::NotFound);
        };
        let status: String = row.try_get("status")?;
        let article_id: String = row.try_get("article_id")?;
        let article_key: String = row.try_get("article_key")?;
        let from = CommentStatus::parse(&status)
            .ok_or_else(|| StorageError::Corrupt(format!("comments.status {status:?}")))?;
        if from == t.to {
            tx.rollback().await?;
            return Ok(TransitionOutcome::Unchanged(from));
        }
        if !from.can_become(t.to) || !(t.only_from.is_empty() || t.only_from.contains(&from)) {
            tx.rollback().await?;
            return Ok(TransitionOutcome::NotAllowed(from));
        }
        let updated = sqlx::query(
            "UPDATE comments SET status = $1, updated_at = $2, \
             published_at = CASE WHEN $1 = 'published' THEN COALESCE(published_at, $2) ELSE published_at END \
             WHERE id = $3 AND site_key = $4 AND status = $5",
        )
        .bind(t.to.as_str())
        .bind(t.at)
        .bind(&t.comment_id)
        .bind(&t.site_key)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            // Someone else decided first; report what is there now.
            tx.rollback().await?;
            return Ok(TransitionOutcome::NotFound);
        }
        let delta: i64 = match (from, t.to) {
            (CommentStatus::Published, _) => -1,
            (_, CommentStatus::Published) => 1,
            _ => 0,
        };
        if delta != 0 {
            // A reply shows only under a published parent: a comment that
            // comes or goes carries its visible replies with it.
            recount_published(&mut tx, &article_id).await?;
        }
        if t.to == CommentStatus::Published {
            open_reply_notice(&mut tx, &t.comment_id, t.at).await?;
        }
        audit(
            &mut tx,
            &AuditEntry {
                id: new_id(),
                site_key: t.site_key.clone(),
                comment_id: Some(t.comment_id.clone()),
                actor_kind: t.actor_kind.clone(),
                actor_id: t.actor_id.clone(),
                action: t.action.clone(),
                from_status: Some(from.as_str().into()),
                to_status: Some(t.to.as_str().into()),
                reason: t.reason.clone(),
                note: t.note.clone(),
                created_at: t.at,
            },
            None,
        )
        .await?;
        if let Some((resolution, action)) = t.close_reports {
            close_reports(&mut tx, t, resolution, action).await?;
        }
        insert_messages(&mut tx, &t.outbox).await?;
        fan_out(&mut tx, &t.site_key, &t.webhooks, t.at).await?;
        tx.commit().await?;
        if delta != 0 {
            self.announce_published_change(&t.site_key, &article_key)
                .await;
        }
        Ok(TransitionOutcome::Changed { from, to: t.to })
    }

    /// Comments waiting for a decision: (site, status, count) for pending and held.
    pub async fn queue_depths(&self) -> Result<Vec<(String, String, i64)>, StorageError> {
        self.counts_by_site_and_status("comments", &["pending", "held"])
            .await
    }

    /// (site, status, count) of a table's rows in the given statuses. The
    /// table and statuses are constants of this module's callers.
    pub(super) async fn counts_by_site_and_status(
        &self,
        table: &'static str,
        statuses: &'static [&'static str],
    ) -> Result<Vec<(String, String, i64)>, StorageError> {
        let list = statuses
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT site_key, status, COUNT(*) AS n FROM {table} \
             WHERE status IN ({list}) GROUP BY site_key, status ORDER BY site_key, status"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("site_key")?,
                    r.try_get("status")?,
                    r.try_get("n")?,
                ))
            })
            .collect()
    }
}

/// Close the open reports of the comment `t` moves as `resolution`, with
/// an `action` audit row when there were any.
async fn close_reports(
    conn: &mut sqlx::AnyConnection,
    t: &Transition,
    resolution: &str,
    action: &str,
) -> Result<(), StorageError> {
    let closed =
        close_open_reports(&mut *conn, &t.site_key, &t.comment_id, resolution, t.at).await?;
    if closed == 0 {
        return Ok(());
    }
    audit(
        &mut *conn,
        &AuditEntry {
            id: new_id(),
            site_key: t.site_key.clone(),
            comment_id: Some(t.comment_id.clone()),
            actor_kind: t.actor_kind.clone(),
            actor_id: t.actor_id.clone(),
            action: action.to_string(),
            from_status: None,
            to_status: None,
            reason: None,
            note: Some(format!("{closed} open reports closed by `{}`", t.action)),
            created_at: t.at,
        },
        None,
    )
    .await
}

/// One submission in a transaction of its own (committed only when stored).
async fn insert_comment_alone(
    writer: &sqlx::AnyPool,
    backend: Backend,
    c: &NewCommentRecord,
) -> Result<InsertOutcome, StorageError> {
    let mut tx = writer.begin().await?;
    let outcome = insert_comments_in(&mut tx, backend, &[c])
        .await?
        .pop()
        .unwrap_or(InsertOutcome::ArticleClosed);
    if outcome == InsertOutcome::Stored {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(outcome)
}

/// The writes of one submission on SQLite, on a connection inside a
/// transaction: the caller commits, or rolls back when the article turned
/// out closed.
async fn insert_comment_in(
    conn: &mut sqlx::AnyConnection,
    c: &NewCommentRecord,
) -> Result<InsertOutcome, StorageError> {
    // Register the article, or fill in its missing URL and title, unless it
    // is closed (by flag, by its `closes_at`, or by the site's auto-close
    // age): then the upsert writes nothing and returns no row. One statement,
    // and a write first, so SQLite takes the write lock before any read.
    let article = sqlx::query(
        "INSERT INTO articles (id, site_key, article_key, url, title, closed, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6) \
         ON CONFLICT (site_key, article_key) DO UPDATE SET \
         url = COALESCE(articles.url, excluded.url), \
         title = COALESCE(articles.title, excluded.title) \
         WHERE articles.closed = 0 AND (articles.closes_at IS NULL OR articles.closes_at > $6) \
         AND articles.created_at >= $7 \
         RETURNING id",
    )
    .bind(new_id())
    .bind(&c.site_key)
    .bind(&c.article_key)
    .bind(&c.article_url)
    .bind(&c.article_title)
    .bind(c.created_at)
    .bind(c.closed_if_created_before.unwrap_or(i64::MIN))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(article) = article else {
        return Ok(InsertOutcome::ArticleClosed);
    };
    let article_id: String = article.try_get("id")?;
    let published = c.status == CommentStatus::Published;
    sqlx::query(
        "INSERT INTO comments (id, site_key, article_id, status, flagged, author_name, \
         author_email, title, body, lang, terms_version, ip_hash, body_fingerprint, findings, \
         created_at, published_at, updated_at, net_hash, parent_id, thread_id, notify_replies, \
         body_sig, spam_held) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$15,$17,$18,$19,$20,$21,$22)",
    )
    .bind(&c.id)
    .bind(&c.site_key)
    .bind(&article_id)
    .bind(c.status.as_str())
    .bind(i64::from(c.flagged))
    .bind(&c.author_name)
    .bind(&c.author_email)
    .bind(&c.title)
    .bind(&c.body)
    .bind(&c.lang)
    .bind(&c.terms_version)
    .bind(&c.ip_hash)
    .bind(&c.body_fingerprint)
    .bind(&c.findings)
    .bind(c.created_at)
    .bind(published.then_some(c.created_at))
    .bind(&c.net_hash)
    .bind(&c.parent_id)
    .bind(&c.thread_id)
    .bind(i64::from(c.notify_replies))
    .bind(&c.body_sig)
    .bind(i64::from(c.spam_held))
    .execute(&mut *conn)
    .await?;
    if published && c.parent_id.is_some() {
        // Counted only if its parent is still published when it lands.
        recount_published(&mut *conn, &article_id).await?;
        open_reply_notice(&mut *conn, &c.id, c.created_at).await?;
    } else if published {
        sqlx::query("UPDATE articles SET published_count = published_count + 1 WHERE id = $1")
            .bind(&article_id)
            .execute(&mut *conn)
            .await?;
    }
    insert_messages(&mut *conn, &c.outbox).await?;
    fan_out(&mut *conn, &c.site_key, &c.webhooks, c.created_at).await?;
    audit(
        &mut *conn,
        &AuditEntry {
            id: new_id(),
            site_key: c.site_key.clone(),
            comment_id: Some(c.id.clone()),
            actor_kind: "system".into(),
            actor_id: String::new(),
            action: "submitted".into(),
            from_status: None,
            to_status: Some(c.status.as_str().into()),
            reason: None,
            note: None,
            created_at: c.created_at,
        },
        None,
    )
    .await?;
    Ok(InsertOutcome::Stored)
}

/// The writes of several submissions in the caller's transaction, each
/// answered `Stored` or `ArticleClosed` (a submission to a closed article
/// writes nothing). On SQLite one after the other; on PostgreSQL in one
/// statement (`insert_comments_pg`).
async fn insert_comments_in(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    batch: &[&NewCommentRecord],
) -> Result<Vec<InsertOutcome>, StorageError> {
    if backend == Backend::Postgres {
        return insert_comments_pg(conn, batch).await;
    }
    let mut outcomes = Vec::with_capacity(batch.len());
    for c in batch {
        outcomes.push(insert_comment_in(&mut *conn, c).await?);
    }
    Ok(outcomes)
}

/// `insert_comments_in` on PostgreSQL: every submission's article upsert,
/// comment, audit row, change-feed entry, mail and webhook fan-out in one
/// statement of data-modifying CTEs over JSON arrays, each fed by the one
/// before, so a closed article writes nothing. An article named by several
/// submissions is upserted once (with the first one's URL and title, as
/// one after the other would leave them), and counts every published
/// top-level comment among them; a published reply is recounted after, as
/// on SQLite. Each event carries an id from which its deliveries' ids are
/// made, one per subscribed webhook of the site.
async fn insert_comments_pg(
    conn: &mut sqlx::AnyConnection,
    batch: &[&NewCommentRecord],
) -> Result<Vec<InsertOutcome>, StorageError> {
    let mut rows = Vec::with_capacity(batch.len());
    let mut mail = Vec::new();
    let mut events = Vec::new();
    for (ord, c) in batch.iter().enumerate() {
        let published = c.status == CommentStatus::Published;
        rows.push(serde_json::json!({
            "ord": ord, "article_row_id": new_id(), "site_key": c.site_key,
            "article_key": c.article_key, "url": c.article_url, "article_title": c.article_title,
            "closed_before": c.closed_if_created_before.unwrap_or(i64::MIN),
            "counted": i64::from(published && c.parent_id.is_none()),
            "id": c.id, "status": c.status.as_str(), "flagged": i64::from(c.flagged),
            "author_name": c.author_name, "author_email": c.author_email, "title": c.title,
            "body": c.body, "lang": c.lang, "terms_version": c.terms_version,
            "ip_hash": c.ip_hash, "body_fingerprint": c.body_fingerprint,
            "findings": c.findings, "created_at": c.created_at,
            "published_at": published.then_some(c.created_at), "net_hash": c.net_hash,
            "parent_id": c.parent_id, "thread_id": c.thread_id,
            "notify_replies": i64::from(c.notify_replies), "audit_id": new_id(),
            "body_sig": c.body_sig, "spam_held": i64::from(c.spam_held),
        }));
        for m in &c.outbox {
            mail.push(serde_json::json!({
                "of": c.id, "id": m.id, "site_key": m.site_key, "kind": m.kind,
                "comment_id": m.comment_id, "to_addr": m.to_addr, "to_name": m.to_name,
                "from_name": m.from_name, "lang": m.lang, "subject": m.subject,
                "body_text": m.body_text, "body_html": m.body_html,
                "unsubscribe_url": m.unsubscribe_url, "created_at": m.created_at,
            }));
        }
        for e in &c.webhooks {
            events.push(serde_json::json!({
                "of": c.id, "ord": events.len(), "id": new_id(), "site_key": c.site_key,
                "event_type": e.event_type, "payload": e.payload, "at": c.created_at,
            }));
        }
    }
    let stored = sqlx::query(
        "WITH r AS (\
           SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(ord bigint, article_row_id text, \
             site_key text, article_key text, url text, article_title text, \
             closed_before bigint, counted bigint, id text, status text, flagged bigint, \
             author_name text, author_email text, title text, body text, lang text, \
             terms_version text, ip_hash text, body_fingerprint text, findings text, \
             created_at bigint, published_at bigint, net_hash text, parent_id text, \
             thread_id text, notify_replies bigint, audit_id text, body_sig text, \
             spam_held bigint)), \
         n AS (\
           SELECT DISTINCT ON (site_key, article_key) article_row_id, site_key, article_key, \
             url, article_title, created_at, closed_before, \
             SUM(counted) OVER (PARTITION BY site_key, article_key) AS counted \
           FROM r ORDER BY site_key, article_key, ord), \
         a AS (\
           INSERT INTO articles (id, site_key, article_key, url, title, closed, created_at, \
             published_count) \
           SELECT article_row_id, site_key, article_key, url, article_title, 0, created_at, \
             counted FROM n \
           ON CONFLICT (site_key, article_key) DO UPDATE SET \
             url = COALESCE(articles.url, excluded.url), \
             title = COALESCE(articles.title, excluded.title), \
             published_count = articles.published_count + excluded.published_count \
           WHERE articles.closed = 0 \
             AND (articles.closes_at IS NULL OR articles.closes_at > excluded.created_at) \
             AND articles.created_at >= (SELECT n.closed_before FROM n \
               WHERE n.site_key = excluded.site_key AND n.article_key = excluded.article_key) \
           RETURNING id, site_key, article_key), \
         c AS (\
           INSERT INTO comments (id, site_key, article_id, status, flagged, author_name, \
             author_email, title, body, lang, terms_version, ip_hash, body_fingerprint, findings, \
             created_at, published_at, updated_at, net_hash, parent_id, thread_id, notify_replies, \
             body_sig, spam_held) \
           SELECT r.id, r.site_key, a.id, r.status, r.flagged, r.author_name, r.author_email, \
             r.title, r.body, r.lang, r.terms_version, r.ip_hash, r.body_fingerprint, \
             r.findings, r.created_at, r.published_at, r.created_at, r.net_hash, r.parent_id, \
             r.thread_id, r.notify_replies, r.body_sig, r.spam_held \
           FROM r JOIN a ON a.site_key = r.site_key AND a.article_key = r.article_key \
           ORDER BY r.ord \
           RETURNING id), \
         s AS (SELECT r.* FROM r JOIN c ON c.id = r.id), \
         l AS (\
           INSERT INTO audit_log (id, site_key, comment_id, actor_kind, actor_id, action, \
             from_status, to_status, created_at) \
           SELECT audit_id, site_key, id, 'system', '', 'submitted', NULL, status, created_at \
           FROM s ORDER BY ord), \
         f AS (\
           INSERT INTO comment_changes (site_key, comment_id, event_type, created_at) \
           SELECT site_key, id, 'submitted', created_at FROM s ORDER BY ord), \
         m AS (\
           INSERT INTO email_outbox (id, site_key, kind, comment_id, to_addr, to_name, \
             from_name, lang, subject, body_text, body_html, unsubscribe_url, status, attempts, \
             next_attempt_at, created_at) \
           SELECT m.id, m.site_key, m.kind, m.comment_id, m.to_addr, m.to_name, m.from_name, \
             m.lang, m.subject, m.body_text, m.body_html, m.unsubscribe_url, 'pending', 0, \
             m.created_at, m.created_at \
           FROM jsonb_to_recordset($2::jsonb) AS m(of text, id text, site_key text, kind text, \
             comment_id text, to_addr text, to_name text, from_name text, lang text, \
             subject text, body_text text, body_html text, unsubscribe_url text, \
             created_at bigint) \
           JOIN c ON c.id = m.of), \
         w AS (\
           INSERT INTO webhook_deliveries (id, webhook_id, site_key, event_type, payload, \
             status, attempts, next_attempt_at, created_at) \
           SELECT 'msg_' || left(e.id, 28) || lpad(to_hex(h.n), 4, '0'), h.id, e.site_key, \
             e.event_type, e.payload, 'pending', 0, e.at, e.at \
           FROM jsonb_to_recordset($3::jsonb) AS e(of text, ord bigint, id text, \
             site_key text, event_type text, payload text, at bigint) \
           JOIN c ON c.id = e.of \
           JOIN (SELECT id, site_key, events, \
               row_number() OVER (PARTITION BY site_key ORDER BY created_at, id) AS n \
             FROM webhooks WHERE enabled = 1 AND site_key IN (SELECT site_key FROM r)) h \
             ON h.site_key = e.site_key AND e.event_type = ANY (string_to_array(h.events, ',')) \
           ORDER BY e.ord, h.n) \
         SELECT s.id, a.id AS article_id FROM s \
           JOIN a ON a.site_key = s.site_key AND a.article_key = s.article_key",
    )
    .bind(serde_json::Value::Array(rows).to_string())
    .bind(serde_json::Value::Array(mail).to_string())
    .bind(serde_json::Value::Array(events).to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut landed = std::collections::HashMap::with_capacity(stored.len());
    for r in &stored {
        landed.insert(
            r.try_get::<String, _>("id")?,
            r.try_get::<String, _>("article_id")?,
        );
    }
    let mut outcomes = Vec::with_capacity(batch.len());
    for c in batch {
        let Some(article_id) = landed.get(&c.id) else {
            outcomes.push(InsertOutcome::ArticleClosed);
            continue;
        };
        if c.status == CommentStatus::Published && c.parent_id.is_some() {
            // Counted only if its parent is still published when it lands.
            recount_published(&mut *conn, article_id).await?;
            open_reply_notice(&mut *conn, &c.id, c.created_at).await?;
        }
        outcomes.push(InsertOutcome::Stored);
    }
    Ok(outcomes)
}

/// Featured first: the sort key is `(tier, at, id)` with tier 0 for
/// featured comments (at = featured_at) and 1 for the others (at =
/// published_at), `at` and `id` descending. The cursor's `at` carries the
/// tier as its sign: negative for a featured comment (see `FEATURED_TIER`).
fn featured_page(base: &str, after: bool) -> String {
    const TIER: &str = "(CASE WHEN c.featured_at IS NULL THEN 1 ELSE 0 END)";
    const AT: &str = "COALESCE(c.featured_at, c.published_at)";
    // $4 is the cursor's signed position: -at for a featured row.
    let seek = if after {
        format!(
            " AND ({TIER} > (CASE WHEN $4 < 0 THEN 0 ELSE 1 END) OR ({TIER} = \
             (CASE WHEN $4 < 0 THEN 0 ELSE 1 END) AND ({AT} < ABS($4) OR ({AT} = ABS($4) \
             AND c.id < $5))))"
        )
    } else {
        String::new()
    };
    format!("{base}{seek} ORDER BY {TIER} ASC, {AT} DESC, c.id DESC LIMIT $3")
}

/// One page of `base` in `(column, c.id)` order: `LIMIT $3`, and with a
/// cursor, the rows strictly after `($4, $5)` in that order.
pub(super) fn keyset_page(base: &str, column: &str, order: Order, after: bool) -> String {
    let (dir, cmp) = match order {
        Order::Newest => ("DESC", "<"),
        Order::Oldest => ("ASC", ">"),
        Order::Featured => return featured_page(base, after),
    };
    let seek = if after {
        format!(" AND ({column} {cmp} $4 OR ({column} = $4 AND c.id {cmp} $5))")
    } else {
        String::new()
    };
    format!("{base}{seek} ORDER BY {column} {dir}, c.id {dir} LIMIT $3")
}
