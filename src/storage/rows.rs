//! Row shapes several nouns read: the moderator's view of a comment (the
//! queue, the export, privacy requests), keyset cursors, articles, audit rows.
//! A shared module like `events`: storage files import it, never each other.

use serde::Serialize;
use sqlx::FromRow;
use sqlx::any::AnyRow;

use super::StorageError;
use crate::domain::CommentStatus;
use crate::moderation::Finding;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRecord {
    pub key: String,
    pub url: Option<String>,
    pub title: Option<String>,
    /// Closed by hand (a moderator or the CMS).
    pub closed: bool,
    pub closes_at: Option<i64>,
    pub published_count: i64,
    pub created_at: i64,
}

/// One row of the audit log: who did what to which comment, why and when.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: String,
    pub site_key: String,
    pub comment_id: Option<String>,
    /// `system`, `api_key` or `moderator`.
    pub actor_kind: String,
    pub actor_id: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub created_at: i64,
}

/// A comment with everything a moderator sees.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub id: String,
    pub article_key: String,
    pub article_title: Option<String>,
    pub article_url: Option<String>,
    pub status: CommentStatus,
    pub flagged: bool,
    pub name: String,
    pub email: String,
    pub title: String,
    pub body: String,
    pub lang: String,
    pub ip_hash: String,
    pub findings: Vec<Finding>,
    pub created_at: i64,
    pub published_at: Option<i64>,
    /// For a reply: the comment answered, shown next to it in the queue.
    pub parent: Option<ParentExcerpt>,
    /// When moderators featured it.
    pub featured_at: Option<i64>,
    /// Readers' likes.
    pub likes: i64,
}

/// The comment a reply answers, as the moderator deciding the reply sees it.
#[derive(Debug, Clone)]
pub struct ParentExcerpt {
    pub id: String,
    pub name: String,
    pub body: String,
    pub status: CommentStatus,
}

pub type CommentRecord = QueueItem;

/// Keyset position: the sort time and id of the last row already seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub id: String,
}

/// What readers may see of comment `c`: published, and so are the comment
/// it answers and the top-level comment of its thread. Rejecting or
/// deleting a parent hides its replies from public views only.
pub(super) const VISIBLE: &str = "c.status = 'published' \
     AND (c.parent_id IS NULL OR EXISTS (SELECT 1 FROM comments p \
          WHERE p.id = c.parent_id AND p.status = 'published')) \
     AND (c.thread_id IS NULL OR EXISTS (SELECT 1 FROM comments t \
          WHERE t.id = c.thread_id AND t.status = 'published'))";

pub(super) const QUEUE_COLUMNS: &str = "c.id, a.article_key, a.title AS article_title, a.url AS article_url, \
     c.status, c.flagged, c.author_name, c.author_email, c.title, c.body, c.lang, c.ip_hash, \
     c.findings, c.created_at, c.published_at, c.featured_at, c.likes, c.parent_id, \
     (SELECT p.author_name FROM comments p WHERE p.id = c.parent_id) AS parent_name, \
     (SELECT p.body FROM comments p WHERE p.id = c.parent_id) AS parent_body, \
     (SELECT p.status FROM comments p WHERE p.id = c.parent_id) AS parent_status";

/// A row of `QUEUE_COLUMNS` as stored.
#[derive(sqlx::FromRow)]
struct QueueRow {
    id: String,
    article_key: String,
    article_title: Option<String>,
    article_url: Option<String>,
    status: String,
    flagged: i64,
    author_name: String,
    author_email: String,
    title: String,
    body: String,
    lang: String,
    ip_hash: String,
    findings: String,
    created_at: i64,
    published_at: Option<i64>,
    featured_at: Option<i64>,
    likes: i64,
    parent_id: Option<String>,
    parent_name: Option<String>,
    parent_body: Option<String>,
    parent_status: Option<String>,
}

impl TryFrom<QueueRow> for QueueItem {
    type Error = StorageError;

    /// A status or findings that do not decode are corruption, not an empty
    /// list or a default.
    fn try_from(r: QueueRow) -> Result<QueueItem, StorageError> {
        let status = comment_status(&r.status)?;
        let findings = serde_json::from_str(&r.findings)
            .map_err(|e| StorageError::Corrupt(format!("comment {}: findings: {e}", r.id)))?;
        let parent = match (r.parent_id, r.parent_name, r.parent_body, r.parent_status) {
            (Some(id), Some(name), Some(body), Some(status)) => Some(ParentExcerpt {
                id,
                name,
                body,
                status: comment_status(&status)?,
            }),
            _ => None,
        };
        Ok(QueueItem {
            id: r.id,
            article_key: r.article_key,
            article_title: r.article_title,
            article_url: r.article_url,
            status,
            flagged: r.flagged != 0,
            name: r.author_name,
            email: r.author_email,
            title: r.title,
            body: r.body,
            lang: r.lang,
            ip_hash: r.ip_hash,
            findings,
            created_at: r.created_at,
            published_at: r.published_at,
            parent,
            featured_at: r.featured_at,
            likes: r.likes,
        })
    }
}

pub(super) fn queue_item(row: &AnyRow) -> Result<QueueItem, StorageError> {
    QueueRow::from_row(row)?.try_into()
}

/// A stored `comments.status`; anything else is corruption.
pub(super) fn comment_status(raw: &str) -> Result<CommentStatus, StorageError> {
    CommentStatus::parse(raw)
        .ok_or_else(|| StorageError::Corrupt(format!("comments.status {raw:?}")))
}

/// A row of an article's columns as stored.
#[derive(sqlx::FromRow)]
struct ArticleRow {
    article_key: String,
    url: Option<String>,
    title: Option<String>,
    closed: i64,
    closes_at: Option<i64>,
    published_count: i64,
    created_at: i64,
}

impl From<ArticleRow> for ArticleRecord {
    fn from(r: ArticleRow) -> ArticleRecord {
        ArticleRecord {
            key: r.article_key,
            url: r.url,
            title: r.title,
            closed: r.closed != 0,
            closes_at: r.closes_at,
            published_count: r.published_count,
            created_at: r.created_at,
        }
    }
}

pub(super) fn article(row: &AnyRow) -> Result<ArticleRecord, StorageError> {
    Ok(ArticleRow::from_row(row)?.into())
}

/// An audit row read back (any SELECT naming the audit columns).
pub(super) fn audit_entry(r: &AnyRow) -> Result<AuditEntry, StorageError> {
    Ok(AuditEntry::from_row(r)?)
}

pub(super) fn split_events(raw: &str) -> Vec<String> {
    raw.split(',')
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

/// `$start, $start+1, …` for `n` values bound in a row (an `IN (…)` list).
pub(super) fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Set an article's published count to the comments readers can see: the
/// published ones whose parent (and thread) are published too.
pub(in crate::storage) async fn recount_published(
    conn: &mut sqlx::AnyConnection,
    article_id: &str,
) -> Result<(), StorageError> {
    let sql = format!(
        "UPDATE articles SET published_count = \
         (SELECT COUNT(*) FROM comments c WHERE c.article_id = $1 AND {VISIBLE}) WHERE id = $1"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(article_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Close a comment's open reports as `resolution` at `at`; how many were open.
pub(in crate::storage) async fn close_open_reports(
    conn: &mut sqlx::AnyConnection,
    site_key: &str,
    comment_id: &str,
    resolution: &str,
    at: i64,
) -> Result<u64, StorageError> {
    Ok(sqlx::query(
        "UPDATE comment_reports SET resolution = $1, resolved_at = $2 \
         WHERE site_key = $3 AND comment_id = $4 AND resolution IS NULL",
    )
    .bind(resolution)
    .bind(at)
    .bind(site_key)
    .bind(comment_id)
    .execute(conn)
    .await?
    .rows_affected())
}
