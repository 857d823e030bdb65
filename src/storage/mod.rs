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

/// The statement that leases due rows of a delivery queue (`email_outbox`,
/// `webhook_deliveries`: `status`, `next_attempt_at`, `lease_owner`,
/// `lease_until`, `attempts`) and counts the attempt. Binds: `$1` owner,
/// `$2` lease end, `$3` now, `$4` how many. Rows another live worker holds
/// are skipped, so several instances never take the same row at once: on
/// PostgreSQL by `SKIP LOCKED`; on SQLite the one writer connection makes
/// the conditional UPDATE atomic. `table` and `returning` are constants.
fn lease_due_sql(backend: Backend, table: &str, returning: &str) -> String {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    format!(
        "UPDATE {table} SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM {table} WHERE status = 'pending' AND next_attempt_at <= $3 \
         AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_attempt_at, id LIMIT $4{lock}) \
         AND status = 'pending' AND (lease_until IS NULL OR lease_until < $3) \
         RETURNING {returning}"
    )
}
