//! Replies: comments that answer a published comment of the same article,
//! shown one level deep under the top-level comment of their thread.

use sqlx::Row;

use std::collections::HashMap;

use sqlx::any::AnyRow;

use super::{Order, PublicComment, keyset_page, public_comment};
use crate::domain::CommentStatus;
use crate::storage::rows::{VISIBLE, comment_status};
use crate::storage::{Cursor, StorageError, Store};

/// A comment a submission names as its parent.
#[derive(Debug, Clone)]
pub struct ReplyTarget {
    pub id: String,
    pub article_key: String,
    pub status: CommentStatus,
    /// The top-level comment of its thread (itself when it is top-level).
    pub thread_id: String,
    /// Whether it is itself a reply.
    pub is_reply: bool,
    /// Its author's name (empty after a privacy erasure).
    pub name: String,
}

/// The replies readers see under one top-level comment: how many, and the
/// first few, oldest first.
#[derive(Debug, Clone, Default)]
pub struct ThreadReplies {
    pub count: i64,
    pub first: Vec<PublicComment>,
}

/// A page of one thread's replies, oldest first.
#[derive(Debug, Clone)]
pub struct ReplyPage {
    pub article_key: String,
    pub replies: Vec<PublicComment>,
}

const REPLY_COLUMNS: &str = "c.id, c.author_name, c.title, c.body, c.created_at, c.published_at, \
     c.thread_id, c.parent_id, c.likes, \
     (SELECT p.author_name FROM comments p WHERE p.id = c.parent_id AND p.parent_id IS NOT NULL) \
     AS in_reply_to";

fn reply(r: &AnyRow) -> Result<PublicComment, StorageError> {
    public_comment(r, r.try_get("parent_id")?, r.try_get("in_reply_to")?, None)
}

/// The entry of the row's `thread_id` in `out`.
fn thread_of<'a>(
    out: &'a mut HashMap<String, ThreadReplies>,
    r: &AnyRow,
) -> Result<&'a mut ThreadReplies, StorageError> {
    Ok(out.entry(r.try_get("thread_id")?).or_default())
}

impl Store {
    /// The comment `id` of the site, as a submission's parent.
    pub async fn reply_target(
        &self,
        site_key: &str,
        id: &str,
    ) -> Result<Option<ReplyTarget>, StorageError> {
        let row = sqlx::query(
            "SELECT c.id, c.status, c.thread_id, c.author_name, a.article_key FROM comments c \
             JOIN articles a ON a.id = c.article_id WHERE c.site_key = $1 AND c.id = $2",
        )
        .bind(site_key)
        .bind(id)
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let id: String = row.try_get("id")?;
        let thread: Option<String> = row.try_get("thread_id")?;
        let status: String = row.try_get("status")?;
        Ok(Some(ReplyTarget {
            status: comment_status(&status)?,
            article_key: row.try_get("article_key")?,
            is_reply: thread.is_some(),
            name: row.try_get("author_name")?,
            thread_id: thread.unwrap_or_else(|| id.clone()),
            id,
        }))
    }

    /// For each of the given top-level comments, the count of its visible
    /// replies and the first `first` of them (oldest first). Two queries
    /// for a whole page of comments, whatever its size.
    pub async fn thread_replies(
        &self,
        thread_ids: &[String],
        first: u32,
    ) -> Result<HashMap<String, ThreadReplies>, StorageError> {
        let mut out = HashMap::new();
        if thread_ids.is_empty() {
            return Ok(out);
        }
        let list = |from: usize| -> String {
            (0..thread_ids.len())
                .map(|i| format!("${}", i + from))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let counts = format!(
            "SELECT c.thread_id, COUNT(*) AS n FROM comments c \
             WHERE c.thread_id IN ({}) AND {VISIBLE} GROUP BY c.thread_id",
            list(1)
        );
        for r in self.thread_rows(counts, None, thread_ids).await? {
            thread_of(&mut out, &r)?.count = r.try_get("n")?;
        }
        if first == 0 || out.is_empty() {
            return Ok(out);
        }
        let firsts = format!(
            "SELECT * FROM (SELECT {REPLY_COLUMNS}, ROW_NUMBER() OVER \
             (PARTITION BY c.thread_id ORDER BY c.published_at, c.id) AS rn \
             FROM comments c WHERE c.thread_id IN ({}) AND {VISIBLE}) r \
             WHERE r.rn <= $1 ORDER BY r.thread_id, r.rn",
            list(2)
        );
        let rows = self
            .thread_rows(firsts, Some(i64::from(first)), thread_ids)
            .await?;
        for r in rows {
            thread_of(&mut out, &r)?.first.push(reply(&r)?);
        }
        Ok(out)
    }

    /// The rows of `sql` with `lead` bound first (when given), then every
    /// thread id.
    async fn thread_rows(
        &self,
        sql: String,
        lead: Option<i64>,
        thread_ids: &[String],
    ) -> Result<Vec<AnyRow>, StorageError> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(lead) = lead {
            q = q.bind(lead);
        }
        for id in thread_ids {
            q = q.bind(id);
        }
        Ok(q.fetch_all(&self.reader).await?)
    }

    /// A page of the visible replies under the top-level comment `thread`,
    /// oldest first; `None` when that is not a published top-level comment.
    pub async fn published_replies(
        &self,
        site_key: &str,
        thread: &str,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Option<ReplyPage>, StorageError> {
        let root = sqlx::query(
            "SELECT a.article_key FROM comments c JOIN articles a ON a.id = c.article_id \
             WHERE c.site_key = $1 AND c.id = $2 AND c.status = 'published' \
             AND c.parent_id IS NULL",
        )
        .bind(site_key)
        .bind(thread)
        .fetch_optional(&self.reader)
        .await?;
        let Some(root) = root else {
            return Ok(None);
        };
        let base = format!(
            "SELECT {REPLY_COLUMNS} FROM comments c \
             WHERE c.site_key = $1 AND c.thread_id = $2 AND {VISIBLE}"
        );
        let sql = keyset_page(&base, "c.published_at", Order::Oldest, after.is_some());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(thread)
            .bind(i64::from(limit));
        if let Some(cursor) = after {
            q = q.bind(cursor.at).bind(&cursor.id);
        }
        let replies = q
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(reply)
            .collect::<Result<_, _>>()?;
        Ok(Some(ReplyPage {
            article_key: root.try_get("article_key")?,
            replies,
        }))
    }
}
