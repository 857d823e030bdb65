//! Webhooks: which events a change emits and their payloads, Standard
//! Webhooks signing, the target-address policy (no private networks unless
//! allowed), and the courier that delivers them with retries.

mod events;
mod signing;
mod target;
mod worker;

pub use crate::delivery::Wake;
pub use events::{
    ARTICLE_CLOSED, ArticleClosedData, ArticleData, COMMENT_CREATED, COMMENT_DELETED,
    COMMENT_EDITED, COMMENT_ERASED, COMMENT_FEATURED, COMMENT_HELD, COMMENT_PUBLISHED,
    COMMENT_REJECTED, CommentData, EVENT_TYPES, ErasedArticle, ErasedData, PING, PingData,
    article_closed, comment_edited, comment_erased, comment_featured, decision_events,
    ping_payload, redact_payload, submission_events,
};
pub use signing::{new_secret, sign, sign_all};
pub use target::{TargetError, TargetPolicy, is_public};
pub use worker::{Sender, Worker, install_crypto_provider, sweep};

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("webhook HTTP client: {0}")]
    Client(String),
}
