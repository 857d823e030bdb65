//! What the moderator dashboard stores and reads: sessions, login
//! throttling, the filtered queue, author history, edits and the audit log.

use std::collections::HashMap;

use sqlx::Row;

use super::audit::AuditEntry;
use super::comments::{QUEUE_COLUMNS, QueueItem, queue_item};
use super::{StorageError, Store};
use crate::domain::{CommentStatus, new_id};

/// Failures older than this (with none since) no longer count.
const FAILURES_FORGOTTEN_AFTER_MS: i64 = 60 * 60 * 1000;

/// The login throttle of one kind of key (an account, a client address).
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    /// Attempts allowed before each further one must wait.
    pub free: u32,
    pub base_ms: i64,
    pub max_ms: i64,
}

impl LoginThrottle {
    /// The wait that starts after the `attempts`-th attempt, if any: the
    /// `free`-th attempt starts a wait of `base_ms`, each further one
    /// doubles it, up to `max_ms`.
    pub fn wait_after(&self, attempts: i64) -> Option<i64> {
        let over = attempts.saturating_sub(i64::from(self.free));
        if over < 0 {
            return None;
        }
        let exp = u32::try_from(over).unwrap_or(u32::MAX).min(30);
        Some(self.base_ms.saturating_mul(1_i64 << exp).min(self.max_ms))
    }
}

/// The answer to a reserved login attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginAttempt {
    /// Counted: the password may be checked.
    Reserved,
    /// Refused without checking: a wait runs until this instant (ms).
    Wait { until: i64 },
}

/// A live dashboard session (the token itself is never stored).
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub moderator_id: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// Which comments a queue tab shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueTab {
    Pending,
    Held,
    /// Pending or held comments the rules raised in priority.
    Flagged,
    Rejected,
    Spam,
    Published,
    Deleted,
}

impl QueueTab {
    pub const ALL: [QueueTab; 7] = [
        QueueTab::Pending,
        QueueTab::Held,
        QueueTab::Flagged,
        QueueTab::Rejected,
        QueueTab::Spam,
        QueueTab::Published,
        QueueTab::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueTab::Pending => "pending",
            QueueTab::Held => "held",
            QueueTab::Flagged => "flagged",
            QueueTab::Rejected => "rejected",
            QueueTab::Spam => "spam",
            QueueTab::Published => "published",
            QueueTab::Deleted => "deleted",
        }
    }

    pub fn parse(raw: &str) -> Option<QueueTab> {
        QueueTab::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    fn condition(self) -> &'static str {
        match self {
            QueueTab::Pending => "c.status = 'pending'",
            QueueTab::Held => "c.status = 'held'",
            QueueTab::Flagged => "c.flagged = 1 AND c.status IN ('pending', 'held')",
            QueueTab::Rejected => "c.status = 'rejected'",
            QueueTab::Spam => "c.status = 'spam'",
            QueueTab::Published => "c.status = 'published'",
            QueueTab::Deleted => "c.status = 'deleted'",
        }
    }
}

/// A queue query. `sites` is never empty (the sites the moderator may see).
#[derive(Debug, Clone)]
pub struct QueueFilter {
    pub sites: Vec<String>,
    pub tab: QueueTab,
    pub article: Option<String>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub email: Option<String>,
    pub text: Option<String>,
    pub oldest_first: bool,
    pub limit: u32,
    pub offset: u32,
}

/// A queue item with its site.
#[derive(Debug, Clone)]
pub struct SiteItem {
    pub site_key: String,
    pub item: QueueItem,
}

/// One audit row with the moderator's email when the actor is one.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub entry: AuditEntry,
    pub details: Option<String>,
    pub actor_email: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub sites: Vec<String>,
    pub action: Option<String>,
    pub actor_id: Option<String>,
    pub comment_id: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

/// An article with its comment counts.
#[derive(Debug, Clone)]
pub struct ArticleRow {
    pub id: String,
    pub article_key: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub closed: bool,
    pub published: i64,
    pub waiting: i64,
    pub total: i64,
    pub created_at: i64,
}

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

/// The text of a comment before an edit.
/// A moderator's or integrator's edit of a comment's text. The audit row
/// keeps the original title, body and findings.
#[derive(Debug, Clone, Copy)]
pub struct CommentEdit<'a> {
    pub site_key: &'a str,
    pub id: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    /// The findings for the new text (JSON array).
    pub findings: &'a str,
    /// `moderator` or `api_key`.
    pub actor_kind: &'a str,
    pub actor_id: &'a str,
    pub note: Option<&'a str>,
    pub now: i64,
}

#[derive(Debug, Clone)]
pub struct EditOutcome {
    pub old_title: String,
    pub old_body: String,
}

fn like_pattern(raw: &str) -> String {
    let escaped = raw
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{}%", escaped.to_lowercase())
}

fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    pub async fn insert_session(
        &self,
        token_hash: &str,
        moderator_id: &str,
        csrf_token: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, moderator_id, csrf_token, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(token_hash)
        .bind(moderator_id)
        .bind(csrf_token)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StorageError> {
        let row = sqlx::query(
            "SELECT moderator_id, csrf_token, created_at, last_seen_at FROM sessions \
             WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| {
            Ok(SessionRecord {
                moderator_id: r.try_get("moderator_id")?,
                csrf_token: r.try_get("csrf_token")?,
                created_at: r.try_get("created_at")?,
                last_seen_at: r.try_get("last_seen_at")?,
            })
        })
        .transpose()
    }

    pub async fn touch_session(&self, token_hash: &str, now: i64) -> Result<(), StorageError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// End every session of an account (disabled, password changed).
    pub async fn delete_sessions_of(&self, moderator_id: &str) -> Result<u64, StorageError> {
        let r = sqlx::query("DELETE FROM sessions WHERE moderator_id = $1")
            .bind(moderator_id)
            .execute(&self.writer)
            .await?;
        Ok(r.rows_affected())
    }

    /// Drop sessions past either timeout.
    pub async fn purge_sessions(
        &self,
        created_before: i64,
        seen_before: i64,
    ) -> Result<u64, StorageError> {
        let r = sqlx::query("DELETE FROM sessions WHERE created_at < $1 OR last_seen_at < $2")
            .bind(created_before)
            .bind(seen_before)
            .execute(&self.writer)
            .await?;
        Ok(r.rows_affected())
    }

    /// Reserve one login attempt for `key`, before the password is checked.
    ///
    /// The counter is read and incremented by one guarded upsert that holds
    /// the row until the wait is written, so parallel attempts queue on the
    /// row and cost exactly what sequential ones do. An attempt arriving
    /// while a wait is running is refused (and costs nothing). The attempt
    /// that reaches `free` starts the wait: `base_ms`, doubling with every
    /// further attempt, at most `max_ms`.
    pub async fn reserve_login_attempt(
        &self,
        key: &str,
        throttle: &LoginThrottle,
        now: i64,
    ) -> Result<LoginAttempt, StorageError> {
        let mut tx = self.writer.begin().await?;
        let reserved: Option<i64> = sqlx::query_scalar(
            "INSERT INTO login_throttle (throttle_key, failures, next_allowed_at, updated_at) \
             VALUES ($1, 1, 0, $2) ON CONFLICT (throttle_key) DO UPDATE SET \
             failures = CASE WHEN login_throttle.updated_at < $3 THEN 1 \
             ELSE login_throttle.failures + 1 END, updated_at = excluded.updated_at \
             WHERE login_throttle.next_allowed_at <= $2 \
             RETURNING failures",
        )
        .bind(key)
        .bind(now)
        .bind(now - FAILURES_FORGOTTEN_AFTER_MS)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(attempts) = reserved else {
            let until: i64 = sqlx::query_scalar(
                "SELECT next_allowed_at FROM login_throttle WHERE throttle_key = $1",
            )
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(LoginAttempt::Wait { until });
        };
        if let Some(wait) = throttle.wait_after(attempts) {
            sqlx::query("UPDATE login_throttle SET next_allowed_at = $1 WHERE throttle_key = $2")
                .bind(now.saturating_add(wait))
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(LoginAttempt::Reserved)
    }

    /// Give back the attempt a successful login reserved on `key`, so that
    /// signing in does not count as a failure; the wait ends if the count
    /// falls below the free attempts again.
    pub async fn refund_login_attempt(&self, key: &str, free: u32) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE login_throttle SET failures = failures - 1, next_allowed_at = \
             CASE WHEN failures - 1 < $1 THEN 0 ELSE next_allowed_at END \
             WHERE throttle_key = $2 AND failures > 0",
        )
        .bind(i64::from(free))
        .bind(key)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn set_moderator_lang(&self, id: &str, lang: &str) -> Result<(), StorageError> {
        sqlx::query("UPDATE moderators SET lang = $1 WHERE id = $2")
            .bind(lang)
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1")
            .bind(key)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// One page of a queue tab over the given sites, with filters.
    pub async fn dashboard_queue(&self, f: &QueueFilter) -> Result<Vec<SiteItem>, StorageError> {
        if f.sites.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = format!(
            "SELECT c.site_key AS site_key_of, {QUEUE_COLUMNS} FROM comments c \
             JOIN articles a ON a.id = c.article_id WHERE {} AND c.site_key IN ({})",
            f.tab.condition(),
            placeholders(1, f.sites.len())
        );
        let mut n = f.sites.len();
        let mut next = || {
            n += 1;
            n
        };
        if f.article.is_some() {
            sql.push_str(&format!(" AND a.article_key = ${}", next()));
        }
        if f.from.is_some() {
            sql.push_str(&format!(" AND c.created_at >= ${}", next()));
        }
        if f.until.is_some() {
            sql.push_str(&format!(" AND c.created_at < ${}", next()));
        }
        if f.email.is_some() {
            sql.push_str(&format!(" AND LOWER(c.author_email) = ${}", next()));
        }
        if f.text.is_some() {
            let p = next();
            sql.push_str(&format!(
                " AND (LOWER(c.title) LIKE ${p} ESCAPE '\\' OR LOWER(c.body) LIKE ${p} ESCAPE '\\' \
                 OR LOWER(c.author_name) LIKE ${p} ESCAPE '\\')"
            ));
        }
        let dir = if f.oldest_first { "ASC" } else { "DESC" };
        let (l, o) = (next(), next());
        sql.push_str(&format!(
            " ORDER BY c.created_at {dir}, c.id {dir} LIMIT ${l} OFFSET ${o}"
        ));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for s in &f.sites {
            q = q.bind(s);
        }
        if let Some(a) = &f.article {
            q = q.bind(a);
        }
        if let Some(t) = f.from {
            q = q.bind(t);
        }
        if let Some(t) = f.until {
            q = q.bind(t);
        }
        if let Some(e) = &f.email {
            q = q.bind(e.to_lowercase());
        }
        if let Some(t) = &f.text {
            q = q.bind(like_pattern(t));
        }
        q = q.bind(i64::from(f.limit)).bind(i64::from(f.offset));
        let rows = q.fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| {
                Ok(SiteItem {
                    site_key: r.try_get("site_key_of")?,
                    item: queue_item(r)?,
                })
            })
            .collect()
    }

    /// Comments per tab over the given sites (for the tab badges).
    pub async fn tab_counts(&self, sites: &[String]) -> Result<Vec<(QueueTab, i64)>, StorageError> {
        let mut out = Vec::new();
        if sites.is_empty() {
            return Ok(out);
        }
        for tab in QueueTab::ALL {
            let sql = format!(
                "SELECT COUNT(*) FROM comments c WHERE {} AND c.site_key IN ({})",
                tab.condition(),
                placeholders(1, sites.len())
            );
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
            for s in sites {
                q = q.bind(s);
            }
            let n: i64 = q.fetch_one(&self.reader).await?;
            out.push((tab, n));
        }
        Ok(out)
    }

    /// Published and rejected (incl. spam) comment counts per author email of one site.
    pub async fn author_history(
        &self,
        site_key: &str,
        emails: &[String],
    ) -> Result<HashMap<String, (i64, i64)>, StorageError> {
        let mut out = HashMap::new();
        if emails.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT author_email, \
             COALESCE(SUM(CASE WHEN status = 'published' THEN 1 ELSE 0 END), 0) AS approved, \
             COALESCE(SUM(CASE WHEN status IN ('rejected', 'spam') THEN 1 ELSE 0 END), 0) AS rejected \
             FROM comments WHERE site_key = $1 AND author_email IN ({}) GROUP BY author_email",
            placeholders(2, emails.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(site_key);
        for e in emails {
            q = q.bind(e);
        }
        for r in q.fetch_all(&self.reader).await? {
            out.insert(
                r.try_get("author_email")?,
                (r.try_get("approved")?, r.try_get("rejected")?),
            );
        }
        Ok(out)
    }

    /// Replace a comment's title and body (and findings); the audit row keeps
    /// the original text in `details`. `None` if there is no such comment.
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_comment(
        &self,
        e: &CommentEdit<'_>,
    ) -> Result<Option<EditOutcome>, StorageError> {
        let CommentEdit {
            site_key,
            id,
            title,
            body,
            findings,
            actor_kind,
            actor_id,
            note,
            now,
        } = *e;
        let mut tx = self.writer.begin().await?;
        // A write first, so SQLite takes the write lock before the read.
        let touched =
            sqlx::query("UPDATE comments SET updated_at = $1 WHERE id = $2 AND site_key = $3")
                .bind(now)
                .bind(id)
                .bind(site_key)
                .execute(&mut *tx)
                .await?;
        if touched.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT c.title, c.body, c.findings, c.status, a.article_key FROM comments c \
             JOIN articles a ON a.id = c.article_id WHERE c.id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let article_key: String = row.try_get("article_key")?;
        let old_title: String = row.try_get("title")?;
        let old_body: String = row.try_get("body")?;
        let old_findings: String = row.try_get("findings")?;
        let status: String = row.try_get("status")?;
        let current = CommentStatus::parse(&status)
            .ok_or_else(|| StorageError::Corrupt(format!("comment {id}: status {status:?}")))?;
        let published = current == CommentStatus::Published;
        sqlx::query("UPDATE comments SET title = $1, body = $2, findings = $3 WHERE id = $4")
            .bind(title)
            .bind(body)
            .bind(findings)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // Webhook receivers mirror the text: `comment.edited`, in this
        // transaction, with the comment as it now reads.
        let sql = format!(
            "SELECT {QUEUE_COLUMNS} FROM comments c JOIN articles a ON a.id = c.article_id \
             WHERE c.id = $1"
        );
        let edited = queue_item(
            &sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_one(&mut *tx)
                .await?,
        )?;
        let event = crate::webhooks::comment_edited(
            &crate::webhooks::CommentData::after_edit(
                site_key, &edited, current, actor_kind, actor_id, now,
            ),
            now,
        );
        super::webhooks::fan_out(&mut tx, site_key, &[event], now).await?;
        let details = serde_json::json!({
            "original": {"title": old_title, "body": old_body},
            "original_findings": serde_json::from_str::<serde_json::Value>(&old_findings)
                .unwrap_or(serde_json::Value::Null),
        })
        .to_string();
        super::audit::insert(
            &mut tx,
            &AuditEntry {
                id: new_id(),
                site_key: site_key.to_string(),
                comment_id: Some(id.to_string()),
                actor_kind: actor_kind.into(),
                actor_id: actor_id.to_string(),
                action: "edit".into(),
                from_status: Some(status.clone()),
                to_status: Some(status),
                reason: None,
                note: note.map(str::to_string),
                created_at: now,
            },
            Some(&details),
        )
        .await?;
        tx.commit().await?;
        if published {
            self.announce_published_change(site_key, &article_key).await;
        }
        Ok(Some(EditOutcome {
            old_title,
            old_body,
        }))
    }

    /// The audit log over the given sites, newest first.
    pub async fn audit_log(&self, f: &AuditFilter) -> Result<Vec<AuditRow>, StorageError> {
        if f.sites.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = format!(
            "SELECT l.id, l.site_key, l.comment_id, l.actor_kind, l.actor_id, l.action, \
             l.from_status, l.to_status, l.reason, l.note, l.created_at, l.details, \
             m.email AS actor_email FROM audit_log l \
             LEFT JOIN moderators m ON l.actor_kind = 'moderator' AND m.id = l.actor_id \
             WHERE l.site_key IN ({})",
            placeholders(1, f.sites.len())
        );
        let mut n = f.sites.len();
        let mut next = || {
            n += 1;
            n
        };
        if f.action.is_some() {
            sql.push_str(&format!(" AND l.action = ${}", next()));
        }
        if f.actor_id.is_some() {
            sql.push_str(&format!(" AND l.actor_id = ${}", next()));
        }
        if f.comment_id.is_some() {
            sql.push_str(&format!(" AND l.comment_id = ${}", next()));
        }
        let (l, o) = (next(), next());
        sql.push_str(&format!(
            " ORDER BY l.created_at DESC, l.id DESC LIMIT ${l} OFFSET ${o}"
        ));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for s in &f.sites {
            q = q.bind(s);
        }
        for v in [&f.action, &f.actor_id, &f.comment_id]
            .into_iter()
            .flatten()
        {
            q = q.bind(v);
        }
        q = q.bind(i64::from(f.limit)).bind(i64::from(f.offset));
        let rows = q.fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRow {
                    entry: super::audit::entry(r)?,
                    details: r.try_get("details")?,
                    actor_email: r.try_get("actor_email")?,
                })
            })
            .collect()
    }

    /// Articles of a site, newest first, with published / waiting / all counts.
    pub async fn articles_of_site(
        &self,
        site_key: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<ArticleRow>, StorageError> {
        let rows = sqlx::query(
            "SELECT a.id, a.article_key, a.title, a.url, a.closed, a.published_count, a.created_at, \
             (SELECT COUNT(*) FROM comments c WHERE c.article_id = a.id \
              AND c.status IN ('pending', 'held')) AS waiting, \
             (SELECT COUNT(*) FROM comments c WHERE c.article_id = a.id) AS total \
             FROM articles a WHERE a.site_key = $1 \
             ORDER BY a.created_at DESC, a.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(site_key)
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                let closed: i64 = r.try_get("closed")?;
                Ok(ArticleRow {
                    id: r.try_get("id")?,
                    article_key: r.try_get("article_key")?,
                    title: r.try_get("title")?,
                    url: r.try_get("url")?,
                    closed: closed != 0,
                    published: r.try_get("published_count")?,
                    waiting: r.try_get("waiting")?,
                    total: r.try_get("total")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Open or close commenting on an article and audit it, in one
    /// transaction; an article this closes (or leaves closed by `closes_at`
    /// or by the site's age limit `closed_if_created_before`) emits
    /// `article.closed` once until it opens again.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_article_closed(
        &self,
        site_key: &str,
        article_id: &str,
        closed: bool,
        closed_if_created_before: Option<i64>,
        closed_event: super::ArticleClosedEvent,
        actor_id: &str,
        now: i64,
    ) -> Result<bool, StorageError> {
        let mut tx = self.writer.begin().await?;
        let r = sqlx::query("UPDATE articles SET closed = $1 WHERE id = $2 AND site_key = $3")
            .bind(i64::from(closed))
            .bind(article_id)
            .bind(site_key)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let row = sqlx::query(
            "SELECT article_key, url, title, closed, closes_at, published_count, created_at \
             FROM articles WHERE id = $1",
        )
        .bind(article_id)
        .fetch_one(&mut *tx)
        .await?;
        let article = super::articles::record(&row)?;
        let closed_now = article.closed
            || article.closes_at.is_some_and(|t| t <= now)
            || closed_if_created_before.is_some_and(|limit| article.created_at < limit);
        if closed_now {
            super::webhooks::note_article_closed(
                &mut tx,
                site_key,
                article_id,
                &article,
                closed_event,
                now,
            )
            .await?;
        } else {
            super::webhooks::note_article_open(&mut tx, article_id).await?;
        }
        let details = serde_json::json!({ "article_id": article_id }).to_string();
        super::audit::insert(
            &mut tx,
            &AuditEntry {
                id: new_id(),
                site_key: site_key.to_string(),
                comment_id: None,
                actor_kind: "moderator".into(),
                actor_id: actor_id.to_string(),
                action: if closed {
                    "close_article"
                } else {
                    "open_article"
                }
                .into(),
                from_status: None,
                to_status: None,
                reason: None,
                note: None,
                created_at: now,
            },
            Some(&details),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

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

#[cfg(test)]
mod tests {
    use super::LoginThrottle;

    #[test]
    fn the_free_attempt_that_reaches_the_limit_starts_the_wait_and_each_next_doubles_it() {
        let t = LoginThrottle {
            free: 5,
            base_ms: 2_000,
            max_ms: 900_000,
        };
        let waits: Vec<Option<i64>> = (1..=8).map(|n| t.wait_after(n)).collect();
        assert_eq!(
            waits,
            [
                None,
                None,
                None,
                None,
                Some(2_000),
                Some(4_000),
                Some(8_000),
                Some(16_000)
            ]
        );
        assert_eq!(t.wait_after(1_000), Some(900_000));
    }
}
