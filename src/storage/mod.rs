//! The only place that knows SQL. One `Store` over an sqlx `AnyPool`: the SQL
//! is the portable subset both SQLite and PostgreSQL accept (`$N`
//! placeholders, TEXT/BIGINT/BLOB columns, unix-millisecond times), and the few
//! dialect differences branch on `Backend`.

mod api_keys;
mod articles;
mod audit;
mod batch;
mod captcha;
mod comments;
mod dashboard;
mod error;
mod export;
mod moderators;
mod outbox;
mod policies;
mod pool;
mod privacy;
mod seed;
mod sites;
mod webhooks;

pub use api_keys::ApiKeyRecord;
pub use articles::{ArticleFilter, ArticleRecord, ArticleUpdate};
pub use audit::AuditEntry;
pub use captcha::ChallengeRecord;
pub use comments::{
    CommentRecord, Cursor, InsertOutcome, LinkUse, NewCommentRecord, Order, PublicComment,
    QueueItem, Transition, TransitionOutcome,
};
pub use dashboard::{
    ArticleRow, AuditFilter, AuditRow, CommentEdit, EditOutcome, QueueFilter, QueueTab,
    SessionRecord, SiteItem, Stats,
};
pub use error::StorageError;
pub use moderators::ModeratorRecord;
pub use outbox::{DigestCandidate, NewOutboxMessage, OutboxMessage, SiteEmailSettings};
pub use policies::{AuthorFacts, AuthorQuery, BlockEntry};
pub use pool::{Backend, CACHE_CHANNEL, PublishedChange, Store};
pub use privacy::{Erasure, ErasureOutcome, MailRecord, PrivacyRecords};
pub use webhooks::{
    ArticleClosedEvent, AttemptRecord, AttemptResult, DeliveryRecord, WebhookEvent, WebhookRecord,
};
