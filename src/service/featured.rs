//! Featuring a comment: one use case for the JSON API and the dashboard.

use super::moderation::DecisionError;
use super::reports::comment_audit;
use crate::delivery::Wakes;
use crate::domain::Actor;
use crate::storage::{FeatureOutcome, Store};

/// Feature (`on`) or stop featuring a published comment: audited
/// (`feature` / `unfeature`) and announced as `comment.featured`, in one
/// transaction, then wakes the webhook loop. Asking for what already holds
/// changes nothing and succeeds.
pub async fn set_featured(
    store: &Store,
    wakes: &Wakes,
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
    let entry = comment_audit(site_key, comment_id, actor, action, None, at);
    match store
        .set_featured(on, &entry, &[crate::webhooks::comment_featured(&data, at)])
        .await?
    {
        FeatureOutcome::NotFound => Err(DecisionError::NotFound),
        FeatureOutcome::Unchanged => Ok(on),
        FeatureOutcome::Changed => {
            wakes.hooks.notify();
            Ok(on)
        }
    }
}
