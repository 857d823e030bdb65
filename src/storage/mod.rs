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
mod settings;
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
pub use dashboard::{LoginAttempt, LoginThrottle};
pub use error::StorageError;
pub use moderators::ModeratorRecord;
pub use outbox::{DigestCandidate, NewOutboxMessage, OutboxMessage, SiteEmailSettings};
pub use policies::{AuthorFacts, AuthorQuery, BlockEntry};
pub use pool::{Backend, CACHE_CHANNEL, ConnectOptions, PublishedChange, Store};
pub use privacy::{Erasure, ErasureOutcome, MailRecord, PrivacyRecords};
pub use settings::{AdminAudit, AdminChange, Applied};
pub use webhooks::{
    ArticleClosedEvent, AttemptRecord, AttemptResult, DeliveryRecord, WebhookEvent, WebhookRecord,
};

impl Store {
    /// Lease up to `limit` due rows of a delivery queue (`email_outbox`,
    /// `webhook_deliveries`: `status`, `next_attempt_at`, `lease_owner`,
    /// `lease_until`, `attempts`) to `owner` until `until`, counting the
    /// attempt. Rows another live
    /// worker holds are skipped, so several instances never take the same
    /// row at once: on PostgreSQL by `SKIP LOCKED`; on SQLite the one writer
    /// connection makes the conditional UPDATE atomic. `table` and
    /// `returning` are constants of the callers.
    async fn lease_due(
        &self,
        table: &str,
        returning: &str,
        owner: &str,
        now: i64,
        until: i64,
        limit: u32,
    ) -> Result<Vec<sqlx::any::AnyRow>, StorageError> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE {table} SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM {table} WHERE status = 'pending' AND next_attempt_at <= $3 \
             AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_attempt_at, id LIMIT $4{lock}) \
             AND status = 'pending' AND (lease_until IS NULL OR lease_until < $3) \
             RETURNING {returning}"
        );
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner)
            .bind(until)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(&self.writer)
            .await?)
    }
}
