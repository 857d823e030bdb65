//! Replies: comments that answer a published comment of the same article,
//! shown one level deep under the top-level comment of their thread.

use sqlx::Row;

use std::collections::HashMap;

use sqlx::any::AnyRow;

use super::{Order, PublicComment, keyset_page, public_comment};
use crate::domain::CommentStatus;
use crate::storage::rows::{VISIBLE, comment_status, placeholders};
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

    /// Whether readers may see comment `id` of the site: published, and so
    /// are the comment it answers and the top of its thread.
    pub async fn comment_visible(&self, site_key: &str, id: &str) -> Result<bool, StorageError> {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM comments c WHERE c.site_key = $1 AND c.id = $2 AND {VISIBLE}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(id)
            .fetch_one(&self.reader)
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
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
        let list = |from: usize| placeholders(from, thread_ids.len());
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

/// The least time between two reply mails about one comment: a comment causes
/// at most one reply mail an hour.
pub const REPLY_NOTICE_DELAY_MS: i64 = 60 * 60 * 1000;

/// A comment whose author is due a mail about new replies.
#[derive(Debug, Clone)]
pub struct DueReplyNotice {
    pub parent_id: String,
    pub site_key: String,
}

/// When the reply `reply_id` is published, and its parent's author asked to
/// hear of replies (and wrote neither the reply nor was erased), open the
/// parent's notice: due at once when no reply mail went out about the parent
/// in the last hour, else an hour after that mail. An open notice keeps its
/// time, so the replies published meanwhile go into one mail.
pub(super) async fn open_reply_notice(
    conn: &mut sqlx::AnyConnection,
    reply_id: &str,
    at: i64,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO reply_notices (parent_id, site_key, due_at, created_at) \
         SELECT p.id, p.site_key, \
         CASE WHEN m.last IS NOT NULL AND m.last + $3 > $2 THEN m.last + $3 ELSE $2 END, $2 \
         FROM comments c JOIN comments p ON p.id = c.parent_id \
         CROSS JOIN (SELECT MAX(r.reply_mailed_at) AS last FROM comments r \
                     WHERE r.parent_id = (SELECT parent_id FROM comments WHERE id = $1)) m \
         WHERE c.id = $1 AND c.reply_mailed_at IS NULL AND p.notify_replies = 1 \
         AND p.author_email <> '' AND p.author_email <> c.author_email \
         ON CONFLICT (parent_id) DO NOTHING",
    )
    .bind(reply_id)
    .bind(at)
    .bind(REPLY_NOTICE_DELAY_MS)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// Reply notices due at `now`, the oldest first.
    pub async fn due_reply_notices(
        &self,
        now: i64,
        limit: u32,
    ) -> Result<Vec<DueReplyNotice>, StorageError> {
        let rows = sqlx::query(
            "SELECT parent_id, site_key FROM reply_notices WHERE due_at <= $1 \
             ORDER BY due_at, parent_id LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DueReplyNotice {
                    parent_id: r.try_get("parent_id")?,
                    site_key: r.try_get("site_key")?,
                })
            })
            .collect()
    }

    /// The visible replies to `parent_id` not yet named in a mail to its
    /// author (nor written by them), oldest first.
    pub async fn unmailed_replies(
        &self,
        parent_id: &str,
        limit: u32,
    ) -> Result<Vec<PublicComment>, StorageError> {
        let sql = format!(
            "SELECT {REPLY_COLUMNS} FROM comments c JOIN comments o ON o.id = c.parent_id \
             WHERE c.parent_id = $1 AND c.reply_mailed_at IS NULL \
             AND c.author_email <> o.author_email AND {VISIBLE} \
             ORDER BY c.published_at, c.id LIMIT $2"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(parent_id)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(reply)
            .collect()
    }

    /// Close the due notice of `parent_id`, mark `replies` as named and
    /// queue `messages`, in one transaction. `false` when another worker
    /// closed it first (nothing written). Replies published meanwhile and
    /// not named open the next notice.
    pub async fn record_reply_notice(
        &self,
        parent_id: &str,
        replies: &[String],
        messages: &[crate::storage::NewOutboxMessage],
        now: i64,
    ) -> Result<bool, StorageError> {
        let mut tx = self.writer.begin().await?;
        let closed = sqlx::query("DELETE FROM reply_notices WHERE parent_id = $1 AND due_at <= $2")
            .bind(parent_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if closed == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        for id in replies {
            sqlx::query("UPDATE comments SET reply_mailed_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        crate::storage::events::insert_messages(&mut tx, messages).await?;
        sqlx::query(
            "INSERT INTO reply_notices (parent_id, site_key, due_at, created_at) \
             SELECT p.id, p.site_key, $2, $3 FROM comments p WHERE p.id = $1 \
             AND p.notify_replies = 1 AND p.author_email <> '' AND EXISTS \
             (SELECT 1 FROM comments c WHERE c.parent_id = p.id AND c.status = 'published' \
              AND c.reply_mailed_at IS NULL AND c.author_email <> p.author_email) \
             ON CONFLICT (parent_id) DO NOTHING",
        )
        .bind(parent_id)
        .bind(now.saturating_add(REPLY_NOTICE_DELAY_MS))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
