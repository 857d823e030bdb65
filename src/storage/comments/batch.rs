//! Group commit for submissions. Every commit waits for one disk sync (SQLite
//! with `synchronous=FULL`, PostgreSQL's WAL flush), and on SQLite the single
//! writer connection serialises them, so one transaction per submission caps
//! submissions at the disk's sync rate; on PostgreSQL each transaction also
//! costs its own begin, commit and round trips. Instead, one task takes every
//! submission waiting at that moment and writes them in one transaction: the
//! others commit together even if one fails (it is then retried alone), and
//! nobody is answered before the commit that holds their comment is on disk.
//! On PostgreSQL the batch's rows are written by one statement, so a batch
//! costs its begin, that statement and its commit.
//! On PostgreSQL, the articles that gained a published comment are then
//! announced to the other instances in one statement.

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::{InsertOutcome, NewCommentRecord, insert_comment_alone, insert_comments_in};
use crate::domain::CommentStatus;
use crate::storage::{Backend, PublishedChange, StorageError};

/// Submissions written in one transaction at most.
const MAX_BATCH: usize = 128;

type Reply = oneshot::Sender<Result<InsertOutcome, StorageError>>;

#[derive(Clone, Debug)]
pub(in crate::storage) struct CommentBatcher {
    queue: mpsc::Sender<(NewCommentRecord, Reply)>,
}

impl CommentBatcher {
    /// Start the batching task on the writer pool.
    pub(in crate::storage) fn start(
        writer: AnyPool,
        published: tokio::sync::broadcast::Sender<PublishedChange>,
        backend: Backend,
    ) -> CommentBatcher {
        let (queue, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(rx, writer, published, backend));
        CommentBatcher { queue }
    }

    pub(in crate::storage) async fn insert(
        &self,
        c: NewCommentRecord,
    ) -> Result<InsertOutcome, StorageError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((c, reply))
            .await
            .map_err(|_| StorageError::Unavailable(sqlx::Error::PoolClosed))?;
        answer
            .await
            .map_err(|_| StorageError::Unavailable(sqlx::Error::PoolClosed))?
    }
}

async fn run(
    mut rx: mpsc::Receiver<(NewCommentRecord, Reply)>,
    writer: AnyPool,
    published: tokio::sync::broadcast::Sender<PublishedChange>,
    backend: Backend,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut changed: Vec<PublishedChange> = Vec::new();
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // Whoever stopped waiting (a timed-out request) gets nothing written.
        batch.retain(|(_, reply): &(NewCommentRecord, Reply)| !reply.is_closed());
        if batch.is_empty() {
            continue;
        }
        match write(&writer, backend, &batch).await {
            Ok(outcomes) => {
                for ((c, reply), outcome) in batch.drain(..).zip(outcomes) {
                    if matches!(outcome, Ok(InsertOutcome::Stored))
                        && c.status == CommentStatus::Published
                    {
                        let change = PublishedChange {
                            site: c.site_key.clone(),
                            article: c.article_key.clone(),
                        };
                        if !changed.contains(&change) {
                            changed.push(change);
                        }
                    }
                    let _ = reply.send(outcome);
                }
                for change in &changed {
                    let _ = published.send(change.clone());
                }
                if backend == Backend::Postgres && !changed.is_empty() {
                    crate::storage::events::notify_others(&writer, &changed).await;
                }
                changed.clear();
            }
            Err(e) => {
                tracing::warn!(error = %e, comments = batch.len(), "comment batch not written");
                for (_, reply) in batch.drain(..) {
                    let _ = reply.send(Err(e.same_kind()));
                }
            }
        }
    }
}

/// One transaction for the whole batch. A submission that finds its
/// article closed writes nothing (see `insert_comments_in`). Should any
/// submission fail, the transaction is rolled back and each submission is
/// written again in a transaction of its own, so one bad submission never
/// costs the others theirs. The outer error is a failure of the batch
/// transaction itself (nothing was written).
async fn write(
    writer: &AnyPool,
    backend: Backend,
    batch: &[(NewCommentRecord, Reply)],
) -> Result<Vec<Result<InsertOutcome, StorageError>>, StorageError> {
    let mut tx = writer.begin().await?;
    let records: Vec<&NewCommentRecord> = batch.iter().map(|(c, _)| c).collect();
    match insert_comments_in(&mut tx, backend, &records).await {
        Ok(outcomes) => {
            tx.commit().await?;
            Ok(outcomes.into_iter().map(Ok).collect())
        }
        // The database itself is unavailable or full: every submission
        // gets that answer at once, nothing is retried.
        Err(e @ (StorageError::Unavailable(_) | StorageError::Full(_))) => Err(e),
        Err(e) => {
            tracing::warn!(error = %e, "a submission failed in a batch; writing them one by one");
            tx.rollback().await?;
            Ok(one_by_one(writer, backend, batch).await)
        }
    }
}

async fn one_by_one(
    writer: &AnyPool,
    backend: Backend,
    batch: &[(NewCommentRecord, Reply)],
) -> Vec<Result<InsertOutcome, StorageError>> {
    let mut outcomes = Vec::with_capacity(batch.len());
    for (c, _) in batch {
        outcomes.push(insert_comment_alone(writer, backend, c).await);
    }
    outcomes
}
