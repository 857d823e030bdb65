//! Webhooks: which events a change emits and their payloads, Standard
//! Webhooks signing, the target-address policy (no private networks unless
//! allowed), and the outbox worker that delivers them with retries.

mod events;
mod signing;
mod target;
mod worker;

pub use events::{
    ARTICLE_CLOSED, COMMENT_CREATED, COMMENT_DELETED, COMMENT_EDITED, COMMENT_ERASED, COMMENT_HELD,
    COMMENT_PUBLISHED, COMMENT_REJECTED, CommentData, EVENT_TYPES, ErasedArticle, ErasedData,
    article_closed, comment_edited, comment_erased, decision_events, redact_payload,
    submission_events,
};
pub use signing::{new_secret, sign};
pub use target::{TargetError, TargetPolicy, is_public};
pub use worker::{Sender, Wake, Worker, install_crypto_provider};

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("webhook HTTP client: {0}")]
    Client(String),
}
