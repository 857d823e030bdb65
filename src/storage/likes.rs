//! Reader likes: one row per reader address per comment, and the count on
//! the comment kept in step in the same transaction.

use sqlx::{Connection, Row};

use super::rows::VISIBLE;
use super::{StorageError, Store};

/// What a like or an unlike did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LikeOutcome {
    /// The comment is not one readers of the site can see.
    NotFound,
    /// Nothing to do: already liked (for a like) or not liked (for an unlike).
    Unchanged,
    /// Done; the comment now has `likes` likes and belongs to this article.
    Changed { likes: i64, article_key: String },
}

impl Store {
    /// Like a visible comment once per address (`ip_hash`).
    pub async fn like(
        &self,
        site_key: &str,
        comment_id: &str,
        ip_hash: &str,
        at: i64,
    ) -> Result<LikeOutcome, StorageError> {
        // A like is worth nothing after a crash: its commit does not wait for
        // the disk (see `unsynced_writer`).
        let mut conn = self.unsynced_writer().await?;
        let done = like_in(&mut conn, site_key, comment_id, ip_hash, at).await;
        self.resync(conn).await;
        done
    }

    /// Take back this address's like of a visible comment.
    pub async fn unlike(
        &self,
        site_key: &str,
        comment_id: &str,
        ip_hash: &str,
    ) -> Result<LikeOutcome, StorageError> {
        let mut conn = self.unsynced_writer().await?;
        let done = unlike_in(&mut conn, site_key, comment_id, ip_hash).await;
        self.resync(conn).await;
        done
    }
}

/// A like's transaction on `conn`.
async fn like_in(
    conn: &mut sqlx::AnyConnection,
    site_key: &str,
    comment_id: &str,
    ip_hash: &str,
    at: i64,
) -> Result<LikeOutcome, StorageError> {
    let mut tx = conn.begin().await?;
    // A write first, so SQLite takes the write lock before any read.
    let sql = format!(
        "INSERT INTO comment_likes (comment_id, ip_hash, site_key, created_at) \
         SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM comments c \
         WHERE c.id = $1 AND c.site_key = $3 AND {VISIBLE}) \
         ON CONFLICT (comment_id, ip_hash) DO NOTHING"
    );
    let inserted = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(comment_id)
        .bind(ip_hash)
        .bind(site_key)
        .bind(at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    finish(tx, inserted, site_key, comment_id, 1).await
}

/// An unlike's transaction on `conn`.
async fn unlike_in(
    conn: &mut sqlx::AnyConnection,
    site_key: &str,
    comment_id: &str,
    ip_hash: &str,
) -> Result<LikeOutcome, StorageError> {
    let mut tx = conn.begin().await?;
    let sql = format!(
        "DELETE FROM comment_likes WHERE comment_id = $1 AND ip_hash = $2 \
         AND EXISTS (SELECT 1 FROM comments c WHERE c.id = $1 AND c.site_key = $3 \
         AND {VISIBLE})"
    );
    let deleted = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(comment_id)
        .bind(ip_hash)
        .bind(site_key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    finish(tx, deleted, site_key, comment_id, -1).await
}

/// End a like or unlike transaction whose write touched `changed` rows:
/// none, and it is `Unchanged` (already so) or `NotFound` (no comment readers
/// can see), rolled back; else the count moves by `delta` and it commits.
async fn finish(
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    changed: u64,
    site_key: &str,
    comment_id: &str,
    delta: i64,
) -> Result<LikeOutcome, StorageError> {
    if changed == 0 {
        let visible = visible(&mut tx, site_key, comment_id).await?;
        tx.rollback().await?;
        return Ok(if visible {
            LikeOutcome::Unchanged
        } else {
            LikeOutcome::NotFound
        });
    }
    let outcome = count_change(&mut tx, comment_id, delta).await?;
    tx.commit().await?;
    Ok(outcome)
}

async fn visible(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    site_key: &str,
    comment_id: &str,
) -> Result<bool, StorageError> {
    let sql = format!(
        "SELECT 1 AS one FROM comments c WHERE c.id = $1 AND c.site_key = $2 AND {VISIBLE}"
    );
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(comment_id)
        .bind(site_key)
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}

/// Move a comment's count by `delta`; its new count and article.
async fn count_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    comment_id: &str,
    delta: i64,
) -> Result<LikeOutcome, StorageError> {
    sqlx::query("UPDATE comments SET likes = likes + $1 WHERE id = $2")
        .bind(delta)
        .bind(comment_id)
        .execute(&mut **tx)
        .await?;
    let row = sqlx::query(
        "SELECT c.likes, a.article_key FROM comments c JOIN articles a ON a.id = c.article_id \
         WHERE c.id = $1",
    )
    .bind(comment_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(LikeOutcome::Changed {
        likes: row.try_get("likes")?,
        article_key: row.try_get("article_key")?,
    })
}
