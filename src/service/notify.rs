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

/// Reply notices handled per run; the rest wait for the next.
const REPLY_NOTICES_PER_RUN: u32 = 100;
/// Replies named in one mail at most (the rest are marked with them: the
/// mail says how many there are and links to the article).
const REPLIES_PER_MAIL: u32 = 20;

/// Queue the reply mails that are due: for each comment whose notice came
/// due, one mail to its author (who asked for it) naming the replies
/// published since the last one, unless the address unsubscribed or the
/// comment is no longer published (the replies are then marked all the
/// same). Returns how many mails were queued.
pub async fn send_reply_notices(
    store: &Store,
    composer: &Composer,
    now: i64,
) -> Result<u32, StorageError> {
    let mut queued = 0;
    for due in store.due_reply_notices(now, REPLY_NOTICES_PER_RUN).await? {
        let key = due.site_key.as_str();
        let replies = store
            .unmailed_replies(&due.parent_id, REPLIES_PER_MAIL)
            .await?;
        let parent = store.comment(key, &due.parent_id).await?;
        let site = store.site(key).await?;
        let mut messages = Vec::new();
        if let (Some(parent), Some(site)) = (parent, site)
            && parent.status == CommentStatus::Published
            && !parent.email.is_empty()
            && !replies.is_empty()
        {
            let settings = store.site_email_settings(key).await?;
            if !store.is_unsubscribed(key, &parent.email).await? {
                let named: Vec<(String, String)> = replies
                    .iter()
                    .map(|r| (r.name.clone(), r.body.clone()))
                    .collect();
                messages.push(composer.replies_notice(
                    &site,
                    &settings,
                    &MailComment::from(&parent),
                    &named,
                    now,
                ));
            }
        }
        let ids: Vec<String> = replies.into_iter().map(|r| r.id).collect();
        match store
            .record_reply_notice(&due.parent_id, &ids, &messages, now)
            .await
        {
            Ok(true) => queued += u32::try_from(messages.len()).unwrap_or(0),
            // Another instance sent it first.
            Ok(false) | Err(StorageError::Conflict) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(queued)
}
