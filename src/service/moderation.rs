use super::notify::decision_mail;
use crate::delivery::Wakes;
use crate::domain::{Actor, CommentStatus};
use crate::email::{Composer, DecisionClaim, LinkAction, MailComment};
use crate::storage::{LinkUse, StorageError, Store, Transition, TransitionOutcome};

/// A moderation decision as requested through the API or the dashboard.
#[derive(Debug, Clone)]
pub struct Decision {
    pub site_key: String,
    pub comment_id: String,
    pub to: CommentStatus,
    /// `approve`, `reject`, `spam`, `delete`.
    pub action: &'static str,
    pub actor: Actor,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub at: i64,
}

impl Decision {
    /// `actor`'s decision to move comment `comment_id` of `site_key` to
    /// `to` (by `action`) at `at`, with no reason or note yet.
    pub fn new(
        site_key: &str,
        comment_id: &str,
        (to, action): (CommentStatus, &'static str),
        actor: Actor,
        at: i64,
    ) -> Decision {
        Decision {
            site_key: site_key.to_string(),
            comment_id: comment_id.to_string(),
            to,
            action,
            actor,
            reason: None,
            note: None,
            at,
        }
    }

    /// The same decision with the reason and note it was given.
    pub fn because(self, reason: Option<String>, note: Option<String>) -> Decision {
        Decision {
            reason,
            note,
            ..self
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    #[error("no such comment")]
    NotFound,
    #[error("a {0:?} comment cannot be moved there")]
    NotAllowed(CommentStatus),
    /// An emailed decision link was used before.
    #[error("this decision link was already used")]
    LinkUsed,
    /// The moderator of an emailed link may no longer moderate the site.
    #[error("this moderator may not moderate the site")]
    NotModerator,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Apply a decision; the status change, its audit row and the mail and
/// webhook deliveries it causes are one transaction, after which the
/// delivery loops are woken. Repeating a decision that already holds
/// changes nothing and succeeds.
pub async fn decide(
    store: &Store,
    composer: &Composer,
    wakes: &Wakes,
    d: Decision,
) -> Result<CommentStatus, DecisionError> {
    apply(store, composer, wakes, d, Vec::new(), None).await
}

/// Apply the decision of an emailed link, verified by the caller: only while
/// the comment still waits for a decision, only by a moderator who may still
/// moderate the site, and only once (the use is recorded in the decision's
/// transaction).
pub async fn decide_by_link(
    store: &Store,
    composer: &Composer,
    wakes: &Wakes,
    claim: &DecisionClaim,
    at: i64,
) -> Result<CommentStatus, DecisionError> {
    let moderator = store
        .moderator(&claim.moderator_id)
        .await?
        .filter(|m| m.can_moderate(&claim.site_key))
        .ok_or(DecisionError::NotModerator)?;
    let (to, action) = match claim.action {
        LinkAction::Approve => (CommentStatus::Published, "approve"),
        LinkAction::Reject => (CommentStatus::Rejected, "reject"),
    };
    let d = Decision::new(
        &claim.site_key,
        &claim.comment_id,
        (to, action),
        Actor::Moderator(moderator.id.clone()),
        at,
    )
    .because(None, Some("email link".into()));
    let link = LinkUse {
        link_id: claim.link_id.clone(),
        moderator_id: moderator.id,
        action: action.to_string(),
    };
    apply(
        store,
        composer,
        wakes,
        d,
        vec![CommentStatus::Pending, CommentStatus::Held],
        Some(link),
    )
    .await
}

async fn apply(
    store: &Store,
    composer: &Composer,
    wakes: &Wakes,
    d: Decision,
    only_from: Vec<CommentStatus>,
    link_use: Option<LinkUse>,
) -> Result<CommentStatus, DecisionError> {
    let comment = store
        .comment(&d.site_key, &d.comment_id)
        .await?
        .ok_or(DecisionError::NotFound)?;
    let site = store
        .site(&d.site_key)
        .await?
        .ok_or(DecisionError::NotFound)?;
    let outbox = if comment.status == d.to {
        Vec::new()
    } else {
        decision_mail(
            store,
            composer,
            &site,
            d.to,
            &MailComment::from(&comment),
            d.reason.as_deref(),
            d.at,
        )
        .await?
    };
    // Written only if the status really changes (in the same transaction).
    let webhooks = crate::webhooks::decision_events(
        &crate::webhooks::CommentData::after_decision(
            &d.site_key,
            &comment,
            d.to,
            d.actor.kind(),
            d.at,
        )
        .by(Some(d.actor.id()), d.reason.as_deref()),
        d.to,
        d.at,
    );
    let linked = link_use.is_some();
    // A decision on a reported comment answers its reports, audited with the
    // decision: approving dismisses them; rejecting, marking spam or deleting
    // (from the queue as from the Reported tab) acts on them.
    let close_reports = match d.to {
        CommentStatus::Published => Some(("dismissed", "dismiss_reports")),
        CommentStatus::Rejected | CommentStatus::Spam | CommentStatus::Deleted => {
            Some(("acted", "act_on_reports"))
        }
        CommentStatus::Pending | CommentStatus::Held => None,
    };
    let queued = (!outbox.is_empty(), !webhooks.is_empty());
    let outcome = store
        .transition(&Transition {
            site_key: d.site_key,
            comment_id: d.comment_id,
            to: d.to,
            actor_kind: d.actor.kind().to_string(),
            actor_id: d.actor.id().to_string(),
            action: d.action.to_string(),
            reason: d.reason,
            note: d.note,
            at: d.at,
            only_from,
            link_use,
            outbox,
            webhooks,
            close_reports,
        })
        .await?;
    match outcome {
        TransitionOutcome::NotFound => Err(DecisionError::NotFound),
        TransitionOutcome::NotAllowed(from) => Err(DecisionError::NotAllowed(from)),
        TransitionOutcome::LinkUsed => Err(DecisionError::LinkUsed),
        TransitionOutcome::Unchanged(s) if linked => Err(DecisionError::NotAllowed(s)),
        TransitionOutcome::Unchanged(s) => Ok(s),
        TransitionOutcome::Changed { to, .. } => {
            wakes.queued(queued.0, queued.1);
            Ok(to)
        }
    }
}
