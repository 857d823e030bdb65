//! The only place that knows SQL. One `Store` over an sqlx `AnyPool`: the SQL
//! is the portable subset both SQLite and PostgreSQL accept (`$N`
//! placeholders, TEXT/BIGINT/BLOB columns, unix-millisecond times), and the few
//! dialect differences branch on `Backend`.

mod api_keys;
mod articles;
mod audit;
mod captcha;
mod comments;
mod edits;
mod error;
mod export;
mod moderators;
mod policies;
mod pool;
mod seed;
mod sites;

pub use api_keys::ApiKeyRecord;
pub use articles::{ArticleFilter, ArticleRecord, ArticleUpdate};
pub use audit::AuditEntry;
pub use captcha::ChallengeRecord;
pub use comments::{
    CommentRecord, Cursor, InsertOutcome, NewCommentRecord, Order, PublicComment, QueueItem,
    Transition, TransitionOutcome,
};
pub use edits::{CommentEdit, EditOutcome};
pub use error::StorageError;
pub use moderators::ModeratorRecord;
pub use policies::{AuthorFacts, BlockEntry};
pub use pool::{Backend, CACHE_CHANNEL, PublishedChange, Store};
