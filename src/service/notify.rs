//! Which mail an event causes. The rows returned here are written by storage
//! in the same transaction as the event (the transactional outbox).

use crate::domain::{CommentStatus, Site};
use crate::email::{Composer, MailComment};
use crate::storage::{NewOutboxMessage, StorageError, Store};

/// Mail for a new comment: held → an immediate alert to each moderator of
/// the site; published (post-moderation) → the commenter's notice. Pending
/// comments wait for the digest.
pub async fn submission_mail(
    store: &Store,
    composer: &Composer,
    site: &Site,
    status: CommentStatus,
    comment: &MailComment,
    now: i64,
) -> Result<Vec<NewOutboxMessage>, StorageError> {
    let key = site.key.as_str();
    match status {
        CommentStatus::Held => {
            let settings = store.site_email_settings(key).await?;
            if !settings.moderator_alerts {
                return Ok(Vec::new());
            }
            Ok(store
                .moderators_of_site(key)
                .await?
                .iter()
                .map(|m| composer.held_alert(site, &settings, m, comment, now))
                .collect())
        }
        CommentStatus::Published => {
            decision_mail(store, composer, site, status, comment, None, now).await
        }
        _ => Ok(Vec::new()),
    }
}

/// Mail for a decision: the commenter hears that the comment was published
/// (unless the site turned it off or the address unsubscribed), and, where
/// the site enabled it, that it was rejected.
pub async fn decision_mail(
    store: &Store,
    composer: &Composer,
    site: &Site,
    to: CommentStatus,
    comment: &MailComment,
    reason: Option<&str>,
    now: i64,
) -> Result<Vec<NewOutboxMessage>, StorageError> {
    let key = site.key.as_str();
    let settings = store.site_email_settings(key).await?;
    let wanted = match to {
        CommentStatus::Published => settings.notify_published,
        CommentStatus::Rejected => settings.notify_rejected,
        _ => false,
    };
    if !wanted || store.is_unsubscribed(key, &comment.email).await? {
        return Ok(Vec::new());
    }
    Ok(match to {
        CommentStatus::Published => vec![composer.published_notice(site, &settings, comment, now)],
        _ => vec![composer.rejected_notice(site, &settings, comment, reason, now)],
    })
}
