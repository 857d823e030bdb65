//! Group commit for submissions on SQLite. Every commit with
//! `synchronous=FULL` waits for one disk sync, and the single writer
//! connection serialises them, so one transaction per submission caps
//! submissions at the disk's sync rate. Instead, one task takes every
//! submission waiting at that moment and writes them in one transaction, each
//! inside its own savepoint: a submission that fails (or finds its article
//! closed) is rolled back alone, the others commit together, and nobody is
//! answered before the commit that holds their comment is on disk.

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::comments::{InsertOutcome, NewCommentRecord, insert_comment_in};
use super::{PublishedChange, StorageError};
use crate::domain::CommentStatus;

/// Submissions written in one transaction at most.
const MAX_BATCH: usize = 128;

type Reply = oneshot::Sender<Result<InsertOutcome, StorageError>>;

#[derive(Clone, Debug)]
pub(super) struct CommentBatcher {
    queue: mpsc::Sender<(NewCommentRecord, Reply)>,
}

impl CommentBatcher {
    /// Start the batching task on the writer pool.
    pub(super) fn start(
        writer: AnyPool,
        published: tokio::sync::broadcast::Sender<PublishedChange>,
    ) -> CommentBatcher {
        let (queue, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(rx, writer, published));
        CommentBatcher { queue }
    }

    pub(super) async fn insert(&self, c: NewCommentRecord) -> Result<InsertOutcome, StorageError> {
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
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // Whoever stopped waiting (a timed-out request) gets nothing written.
        batch.retain(|(_, reply): &(NewCommentRecord, Reply)| !reply.is_closed());
        if batch.is_empty() {
            continue;
        }
        match write(&writer, &batch).await {
            Ok(outcomes) => {
                for ((c, reply), outcome) in batch.drain(..).zip(outcomes) {
                    if matches!(outcome, Ok(InsertOutcome::Stored))
                        && c.status == CommentStatus::Published
                    {
                        let _ = published.send(PublishedChange {
                            site: c.site_key.clone(),
                            article: c.article_key.clone(),
                        });
                    }
                    let _ = reply.send(outcome);
                }
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

/// One transaction for the batch, one savepoint per submission. The outer
/// error is a failure of the transaction itself (nothing was written).
async fn write(
    writer: &AnyPool,
    batch: &[(NewCommentRecord, Reply)],
) -> Result<Vec<Result<InsertOutcome, StorageError>>, StorageError> {
    let mut tx = writer.begin().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for (c, _) in batch {
        sqlx::raw_sql("SAVEPOINT submission")
            .execute(&mut *tx)
            .await?;
        let outcome = insert_comment_in(&mut tx, c).await;
        if matches!(outcome, Ok(InsertOutcome::Stored)) {
            sqlx::raw_sql("RELEASE submission")
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::raw_sql("ROLLBACK TO submission; RELEASE submission")
                .execute(&mut *tx)
                .await?;
        }
        outcomes.push(outcome);
    }
    tx.commit().await?;
    Ok(outcomes)
}
