//! Featuring a comment: one use case for the JSON API and the dashboard.

use super::moderation::DecisionError;
use crate::domain::{Actor, new_id};
use crate::storage::{AuditEntry, FeatureOutcome, Store};

/// Feature (`on`) or stop featuring a published comment: audited
/// (`feature` / `unfeature`) and announced as `comment.featured`, in one
/// transaction. Asking for what already holds changes nothing and succeeds.
pub async fn set_featured(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    comment_id: &str,
    on: bool,
    at: i64,
) -> Result<bool, DecisionError> {
    let comment = store
        .comment(site_key, comment_id)
        .await?
        .ok_or(DecisionError::NotFound)?;
    let action = if on { "feature" } else { "unfeature" };
    let data = crate::webhooks::CommentData::after_decision(
        site_key,
        &comment,
        comment.status,
        actor.kind(),
        at,
    )
    .by(
        Some(actor.id()),
        Some(if on { "featured" } else { "unfeatured" }),
    );
    let entry = AuditEntry {
        id: new_id(),
        site_key: site_key.to_string(),
        comment_id: Some(comment_id.to_string()),
        actor_kind: actor.kind().to_string(),
        actor_id: actor.id().to_string(),
        action: action.to_string(),
        from_status: None,
        to_status: None,
        reason: None,
        note: None,
        created_at: at,
    };
    match store
        .set_featured(on, &entry, &[crate::webhooks::comment_featured(&data, at)])
        .await?
    {
        FeatureOutcome::NotFound => Err(DecisionError::NotFound),
        FeatureOutcome::Unchanged | FeatureOutcome::Changed => Ok(on),
    }
}
