use crate::domain::CommentStatus;
use crate::storage::{StorageError, Store, Transition, TransitionOutcome};

/// A moderation decision as requested through the API or the dashboard.
#[derive(Debug, Clone)]
pub struct Decision {
    pub site_key: String,
    pub comment_id: String,
    pub to: CommentStatus,
    /// `approve`, `reject`, `spam`, `delete`.
    pub action: &'static str,
    pub actor_kind: &'static str,
    pub actor_id: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub at: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    #[error("no such comment")]
    NotFound,
    #[error("a {0:?} comment cannot be moved there")]
    NotAllowed(CommentStatus),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Apply a decision; the status change and its audit row are one transaction.
/// Repeating a decision that already holds changes nothing and succeeds.
pub async fn decide(store: &Store, d: Decision) -> Result<CommentStatus, DecisionError> {
    let outcome = store
        .transition(&Transition {
            site_key: d.site_key,
            comment_id: d.comment_id,
            to: d.to,
            actor_kind: d.actor_kind.to_string(),
            actor_id: d.actor_id,
            action: d.action.to_string(),
            reason: d.reason,
            note: d.note,
            at: d.at,
        })
        .await?;
    match outcome {
        TransitionOutcome::NotFound => Err(DecisionError::NotFound),
        TransitionOutcome::NotAllowed(from) => Err(DecisionError::NotAllowed(from)),
        TransitionOutcome::Unchanged(s) => Ok(s),
        TransitionOutcome::Changed { to, .. } => Ok(to),
    }
}
