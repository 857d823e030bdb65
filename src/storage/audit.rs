//! Reading the audit log back.

use sqlx::Row;

use super::rows::{audit_entry, comment_status, placeholders};
use super::{AdminAudit, AuditEntry, StorageError, Store};
use crate::domain::CommentStatus;

/// One audit row with the moderator's email when the actor is one.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub entry: AuditEntry,
    pub details: Option<String>,
    pub actor_email: Option<String>,
    /// The comment the row is about, as it reads now (absent for rows about
    /// no comment, or a comment since erased).
    pub comment: Option<AuditComment>,
}

/// What the audit log shows of a row's comment: enough to recognise it.
#[derive(Debug, Clone)]
pub struct AuditComment {
    pub title: String,
    /// The first characters of the body (`AUDIT_EXCERPT_CHARS`).
    pub excerpt: String,
    pub status: CommentStatus,
    pub article_key: String,
    pub article_title: Option<String>,
    pub article_url: Option<String>,
}

/// How much of a comment's body the audit log shows.
pub const AUDIT_EXCERPT_CHARS: usize = 140;

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub sites: Vec<String>,
    pub action: Option<String>,
    pub actor_id: Option<String>,
    pub comment_id: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl Store {
    /// The audit row of a read that an operator answers for (an export of
    /// personal data): nothing changes, so the row is its own transaction.
    pub async fn audit_read(&self, audit: &AdminAudit<'_>) -> Result<(), StorageError> {
        let mut conn = self.writer.acquire().await?;
        audit.write(&mut conn, audit.site_key, None).await
    }

    /// The audit trail of one comment, oldest first, with each row's details.
    pub async fn audit_for_comment(
        &self,
        site_key: &str,
        comment_id: &str,
    ) -> Result<Vec<(AuditEntry, Option<String>)>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, site_key, comment_id, actor_kind, actor_id, action, from_status, \
             to_status, reason, note, created_at, details FROM audit_log \
             WHERE site_key = $1 AND comment_id = $2 ORDER BY created_at, id",
        )
        .bind(site_key)
        .bind(comment_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| Ok((audit_entry(r)?, r.try_get("details")?)))
            .collect()
    }

    /// The audit trails of several comments of a site (oldest first), with
    /// each row's details.
    pub async fn audit_for_comments(
        &self,
        site_key: &str,
        comment_ids: &[String],
    ) -> Result<Vec<(AuditEntry, Option<String>)>, StorageError> {
        if comment_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = (0..comment_ids.len())
            .map(|i| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "SELECT id, site_key, comment_id, actor_kind, actor_id, action, from_status, \
             to_status, reason, note, created_at, details FROM audit_log \
             WHERE site_key = $1 AND comment_id IN ({placeholders}) ORDER BY created_at, id"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(site_key);
        for id in comment_ids {
            q = q.bind(id);
        }
        let rows = q.fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| Ok((audit_entry(r)?, r.try_get("details")?)))
            .collect()
    }

    /// The audit log over the given sites, newest first.
    pub async fn audit_log(&self, f: &AuditFilter) -> Result<Vec<AuditRow>, StorageError> {
        if f.sites.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = format!(
            "SELECT l.id, l.site_key, l.comment_id, l.actor_kind, l.actor_id, l.action, \
             l.from_status, l.to_status, l.reason, l.note, l.created_at, l.details, \
             m.email AS actor_email, c.title AS comment_title, \
             SUBSTR(c.body, 1, {excerpt}) AS comment_excerpt, c.status AS comment_status, \
             a.article_key, a.title AS article_title, a.url AS article_url FROM audit_log l \
             LEFT JOIN moderators m ON l.actor_kind = 'moderator' AND m.id = l.actor_id \
             LEFT JOIN comments c ON c.site_key = l.site_key AND c.id = l.comment_id \
             LEFT JOIN articles a ON a.id = c.article_id \
             WHERE l.site_key IN ({})",
            placeholders(1, f.sites.len()),
            excerpt = AUDIT_EXCERPT_CHARS + 1
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
                    entry: audit_entry(r)?,
                    details: r.try_get("details")?,
                    actor_email: r.try_get("actor_email")?,
                    comment: audit_comment(r)?,
                })
            })
            .collect()
    }
}

/// The joined comment columns of an audit row, when the comment is there.
fn audit_comment(r: &sqlx::any::AnyRow) -> Result<Option<AuditComment>, StorageError> {
    let status: Option<String> = r.try_get("comment_status")?;
    let Some(status) = status else {
        return Ok(None);
    };
    let excerpt: Option<String> = r.try_get("comment_excerpt")?;
    let mut excerpt = excerpt.unwrap_or_default();
    if excerpt.chars().count() > AUDIT_EXCERPT_CHARS {
        excerpt = excerpt.chars().take(AUDIT_EXCERPT_CHARS).collect();
        excerpt.push('…');
    }
    Ok(Some(AuditComment {
        title: r
            .try_get::<Option<String>, _>("comment_title")?
            .unwrap_or_default(),
        excerpt,
        status: comment_status(&status)?,
        article_key: r
            .try_get::<Option<String>, _>("article_key")?
            .unwrap_or_default(),
        article_title: r.try_get("article_title")?,
        article_url: r.try_get("article_url")?,
    }))
}
