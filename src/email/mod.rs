//! Email: typed messages rendered in the site's language, signed links,
//! and the courier that delivers them over SMTP (lettre).

mod links;
mod message;
mod outbox;

pub use crate::delivery::{Wake, backoff_ms};
pub use links::{DecisionClaim, LinkAction, LinkError, LinkSigner};
pub use message::{
    Composer, KIND_ALERT, KIND_DIGEST, KIND_PUBLISHED, KIND_REJECTED, KIND_REPLIES, MailComment,
    build_message, header_text,
};
pub use outbox::{SmtpRelay, Transport, Worker};

#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    #[error("invalid {0} address")]
    Address(String),
    #[error("message cannot be built: {0}")]
    Build(String),
    #[error("SMTP transport: {0}")]
    Smtp(String),
}
