//! Reader likes: one row per reader address per comment, and the count on
//! the comment kept in step in the same transaction.
//!
//! Likes come in bursts on a busy article, and each alone would cost a
//! transaction of its own (on PostgreSQL five round trips and a commit).
//! Instead, as with submissions (see `comments::batch`), one task takes every
//! like and unlike waiting at that moment and writes them together: one
//! insert, one delete, one count update and two reads for the whole batch.
//! A like is worth nothing after a crash, so the batch's commit does not wait
//! for the disk (SQLite `synchronous = OFF`, PostgreSQL
//! `synchronous_commit = off` for that transaction only). On PostgreSQL the
//! articles whose counts moved are announced to the other instances, whose
//! cached lists then catch up as this one's do.

use std::collections::{HashMap, HashSet};

use sqlx::{Connection, Row};
use tokio::sync::{mpsc, oneshot};

use super::rows::{VISIBLE, placeholders};
use super::{Backend, StorageError, Store, UnsyncedWriter};

/// The PostgreSQL channel on which an instance says which articles' like
/// counts moved: payload `site\narticle`.
pub const LIKES_CHANNEL: &str = "majlis_likes";

/// Likes and unlikes written in one transaction at most.
const MAX_BATCH: usize = 256;

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

/// One reader's like (`like`) or unlike of one comment.
#[derive(Debug, Clone)]
struct LikeRequest {
    site_key: String,
    comment_id: String,
    ip_hash: String,
    at: i64,
    like: bool,
}

type Reply = oneshot::Sender<Result<LikeOutcome, StorageError>>;

/// The task that writes likes in batches (see the module's comment).
#[derive(Clone, Debug)]
pub(super) struct LikeBatcher {
    queue: mpsc::Sender<(LikeRequest, Reply)>,
}

impl LikeBatcher {
    /// Start the batching task on the writer.
    pub(super) fn start(writer: UnsyncedWriter) -> Self {
        let (queue, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(rx, writer));
        LikeBatcher { queue }
    }
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
        self.send_like(LikeRequest {
            site_key: site_key.to_string(),
            comment_id: comment_id.to_string(),
            ip_hash: ip_hash.to_string(),
            at,
            like: true,
        })
        .await
    }

    /// Take back this address's like of a visible comment.
    pub async fn unlike(
        &self,
        site_key: &str,
        comment_id: &str,
        ip_hash: &str,
    ) -> Result<LikeOutcome, StorageError> {
        self.send_like(LikeRequest {
            site_key: site_key.to_string(),
            comment_id: comment_id.to_string(),
            ip_hash: ip_hash.to_string(),
            at: 0,
            like: false,
        })
        .await
    }

    async fn send_like(&self, request: LikeRequest) -> Result<LikeOutcome, StorageError> {
        let closed = || StorageError::Unavailable(sqlx::Error::PoolClosed);
        let (reply, answer) = oneshot::channel();
        self.likes
            .queue
            .send((request, reply))
            .await
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

/// Take every like waiting, write them in one transaction, answer each.
async fn run(mut rx: mpsc::Receiver<(LikeRequest, Reply)>, writer: UnsyncedWriter) {
    let mut waiting: Vec<(LikeRequest, Reply)> = Vec::with_capacity(MAX_BATCH);
    loop {
        if waiting.is_empty() && rx.recv_many(&mut waiting, MAX_BATCH).await == 0 {
            break;
        }
        while waiting.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => waiting.push(next),
                Err(_) => break,
            }
        }
        // Whoever stopped waiting (a timed-out request) gets nothing written.
        waiting.retain(|(_, reply)| !reply.is_closed());
        // The same reader and comment twice (a quick like then unlike): the
        // later waits for the next batch, so each sees the one before it.
        let mut seen = HashSet::new();
        let (batch, later): (Vec<_>, Vec<_>) = waiting
            .drain(..)
            .partition(|(r, _)| seen.insert((r.comment_id.clone(), r.ip_hash.clone())));
        waiting = later;
        if batch.is_empty() {
            continue;
        }
        let requests: Vec<&LikeRequest> = batch.iter().map(|(r, _)| r).collect();
        let outcomes: Vec<Result<LikeOutcome, StorageError>> = match writer.write(&requests).await {
            Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
            // The database itself is unavailable or full: everyone gets
            // that answer at once.
            Err(e @ (StorageError::Unavailable(_) | StorageError::Full(_))) => {
                requests.iter().map(|_| Err(e.same_kind())).collect()
            }
            Err(e) => {
                tracing::warn!(error = %e, likes = batch.len(), "a like batch failed; writing them one by one");
                let mut outcomes = Vec::with_capacity(requests.len());
                for r in &requests {
                    outcomes.push(writer.write(&[r]).await.and_then(|mut o| {
                        o.pop()
                            .ok_or(StorageError::Unavailable(sqlx::Error::RowNotFound))
                    }));
                }
                outcomes
            }
        };
        for ((_, reply), outcome) in batch.into_iter().zip(outcomes) {
            let _ = reply.send(outcome);
        }
    }
}

impl UnsyncedWriter {
    /// One transaction for `batch`, its commit not waiting for the disk.
    async fn write(&self, batch: &[&LikeRequest]) -> Result<Vec<LikeOutcome>, StorageError> {
        let mut conn = self.acquire().await?;
        let done = write_in(&mut conn, self.backend, batch).await;
        self.release(conn).await;
        done
    }
}

/// The batch's transaction on `conn`: which comments readers can see, the
/// rows of the likes of those, then the counts of the comments they moved.
///
/// Visibility is read apart, by primary key alone: joined into the insert
/// with the site's key beside it, PostgreSQL with statistics from before a
/// large import picks the (site, status) index and scans every published
/// comment of the site for each like.
async fn write_in(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    batch: &[&LikeRequest],
) -> Result<Vec<LikeOutcome>, StorageError> {
    let mut tx = conn.begin().await?;
    if backend == Backend::Postgres {
        sqlx::query("SET LOCAL synchronous_commit TO OFF")
            .execute(&mut *tx)
            .await?;
    }
    let visible = visible(&mut tx, batch).await?;
    let seen = |r: &&LikeRequest| visible.contains(&(r.comment_id.clone(), r.site_key.clone()));
    let likes: Vec<&LikeRequest> = batch
        .iter()
        .copied()
        .filter(|r| r.like)
        .filter(seen)
        .collect();
    let unlikes: Vec<&LikeRequest> = batch
        .iter()
        .copied()
        .filter(|r| !r.like)
        .filter(seen)
        .collect();
    let mut changed: HashSet<(String, String)> = insert_likes(&mut tx, &likes).await?;
    changed.extend(delete_likes(&mut tx, &unlikes).await?);

    let mut deltas: HashMap<&str, i64> = HashMap::new();
    for r in batch {
        if changed.contains(&(r.comment_id.clone(), r.ip_hash.clone())) {
            *deltas.entry(r.comment_id.as_str()).or_default() += if r.like { 1 } else { -1 };
        }
    }
    move_counts(&mut tx, &deltas).await?;
    let counts = counts_of(&mut tx, &deltas).await?;
    if backend == Backend::Postgres && !counts.is_empty() {
        notify_others(&mut tx, batch, &counts).await?;
    }
    tx.commit().await?;

    Ok(batch
        .iter()
        .map(|r| {
            let key = (r.comment_id.clone(), r.ip_hash.clone());
            match counts.get(r.comment_id.as_str()) {
                Some((likes, article_key)) if changed.contains(&key) => LikeOutcome::Changed {
                    likes: *likes,
                    article_key: article_key.clone(),
                },
                _ if seen(r) => LikeOutcome::Unchanged,
                _ => LikeOutcome::NotFound,
            }
        })
        .collect())
}

/// `($1, $2, ...), ($k, ...)`: `rows` tuples of `width` placeholders.
fn tuples(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|i| {
            let cells: Vec<String> = (1..=width).map(|j| format!("${}", i * width + j)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Insert the likes (of comments readers can see); the (comment, reader)
/// pairs that were new.
async fn insert_likes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    likes: &[&LikeRequest],
) -> Result<HashSet<(String, String)>, StorageError> {
    if likes.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "INSERT INTO comment_likes (comment_id, ip_hash, site_key, created_at) VALUES {} \
         ON CONFLICT (comment_id, ip_hash) DO NOTHING RETURNING comment_id, ip_hash",
        tuples(likes.len(), 4)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for r in likes {
        q = q
            .bind(r.comment_id.as_str())
            .bind(r.ip_hash.as_str())
            .bind(r.site_key.as_str())
            .bind(r.at);
    }
    pairs(q.fetch_all(&mut **tx).await?)
}

/// Delete the likes taken back (of comments readers can see); the pairs
/// that were there.
async fn delete_likes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    unlikes: &[&LikeRequest],
) -> Result<HashSet<(String, String)>, StorageError> {
    if unlikes.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "DELETE FROM comment_likes WHERE (comment_id, ip_hash) IN (VALUES {}) \
         RETURNING comment_id, ip_hash",
        tuples(unlikes.len(), 2)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for r in unlikes {
        q = q.bind(r.comment_id.as_str()).bind(r.ip_hash.as_str());
    }
    pairs(q.fetch_all(&mut **tx).await?)
}

fn pairs(rows: Vec<sqlx::any::AnyRow>) -> Result<HashSet<(String, String)>, StorageError> {
    rows.iter()
        .map(|row| Ok((row.try_get("comment_id")?, row.try_get("ip_hash")?)))
        .collect()
}

/// Move each comment's count by its delta, in one statement.
async fn move_counts(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    deltas: &HashMap<&str, i64>,
) -> Result<(), StorageError> {
    let moved: Vec<(&str, i64)> = deltas
        .iter()
        .filter(|(_, d)| **d != 0)
        .map(|(id, d)| (*id, *d))
        .collect();
    if moved.is_empty() {
        return Ok(());
    }
    let cases: Vec<String> = (0..moved.len())
        .map(|i| format!("WHEN ${} THEN ${}", 2 * i + 1, 2 * i + 2))
        .collect();
    let ids: Vec<String> = (0..moved.len())
        .map(|i| format!("${}", 2 * i + 1))
        .collect();
    let sql = format!(
        "UPDATE comments SET likes = likes + CASE id {} ELSE 0 END WHERE id IN ({})",
        cases.join(" "),
        ids.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (id, delta) in &moved {
        q = q.bind(*id).bind(*delta);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// The count and article of each comment in `deltas`.
async fn counts_of(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    deltas: &HashMap<&str, i64>,
) -> Result<HashMap<String, (i64, String)>, StorageError> {
    if deltas.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = rows_by_id(
        tx,
        "SELECT c.id, c.likes, a.article_key FROM comments c \
         JOIN articles a ON a.id = c.article_id WHERE c.id IN ({ids})",
        deltas.keys().copied().collect(),
    )
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("id")?,
                (row.try_get("likes")?, row.try_get("article_key")?),
            ))
        })
        .collect()
}

/// The (comment, site) pairs of `requests` that readers of that site can
/// see; the others are not found. By primary key only (see `write_in`).
async fn visible(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    requests: &[&LikeRequest],
) -> Result<HashSet<(String, String)>, StorageError> {
    if requests.is_empty() {
        return Ok(HashSet::new());
    }
    let ids: HashSet<&str> = requests.iter().map(|r| r.comment_id.as_str()).collect();
    let sql =
        format!("SELECT c.id, c.site_key FROM comments c WHERE c.id IN ({{ids}}) AND {VISIBLE}");
    let rows = rows_by_id(tx, &sql, ids.into_iter().collect()).await?;
    rows.iter()
        .map(|row| Ok((row.try_get("id")?, row.try_get("site_key")?)))
        .collect()
}

/// The rows of `sql` with its `{ids}` replaced by one placeholder per id,
/// each bound in turn.
async fn rows_by_id(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    sql: &str,
    ids: Vec<&str>,
) -> Result<Vec<sqlx::any::AnyRow>, StorageError> {
    let sql = sql.replace("{ids}", &placeholders(1, ids.len()));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(id);
    }
    Ok(q.fetch_all(&mut **tx).await?)
}

/// Tell the other instances which articles' counts moved; delivered when
/// the transaction commits.
async fn notify_others(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    batch: &[&LikeRequest],
    counts: &HashMap<String, (i64, String)>,
) -> Result<(), StorageError> {
    let mut articles: Vec<String> = Vec::new();
    for r in batch {
        if let Some((_, article)) = counts.get(&r.comment_id) {
            let payload = format!("{}\n{}", r.site_key, article);
            if !articles.contains(&payload) {
                articles.push(payload);
            }
        }
    }
    let calls: Vec<String> = (0..articles.len())
        .map(|i| format!("pg_notify($1, ${})", i + 2))
        .collect();
    let sql = format!("SELECT {}", calls.join(", "));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(LIKES_CHANNEL);
    for a in articles {
        q = q.bind(a);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}
