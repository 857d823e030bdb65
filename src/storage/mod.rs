//! The only place that knows SQL. One `Store` over an sqlx `AnyPool`: the SQL
//! is the portable subset both SQLite and PostgreSQL accept (`$N`
//! placeholders, TEXT/BIGINT/BLOB columns, unix-millisecond times), and the few
//! dialect differences branch on `Backend`.
//!
//! Storage is split by nouns (comments, articles, sites, sessions…); a noun's
//! file never imports another's. What several nouns share lives in two
//! neutral modules: `rows` (row shapes and column lists read by several
//! nouns) and `events` (the audit row, mail and webhook fan-out written
//! inside a change's transaction). The one write spanning nouns, an admin
//! change, is at the end of this file.

mod api_keys;
mod articles;
mod audit;
mod backup;
mod captcha;
mod changes;
mod comments;
mod edits;
mod error;
mod events;
mod export;
mod import;
mod latest;
mod likes;
mod login_throttle;
mod moderators;
mod outbox;
mod policies;
mod pool;
mod pow;
mod privacy;
mod queue;
mod reports;
mod root_keys;
mod rows;
mod seed;
mod sessions;
mod sites;
mod stats;
mod webhooks;

use crate::domain::{Actor, Site, new_id};

// What `Store` itself holds (see `pool`).
use comments::CommentBatcher;
use policies::RulesMemo;

pub use api_keys::ApiKeyRecord;
pub use articles::{ArticleFilter, ArticleRow, ArticleUpdate, Closing};
pub use audit::{AUDIT_EXCERPT_CHARS, AuditComment, AuditFilter, AuditRow};
pub use backup::{BackupError, BackupReport, check_copy, restore_sqlite};
pub use captcha::ChallengeRecord;
pub use changes::{ChangeCursor, CommentChange};
pub use comments::{
    DueReplyNotice, FeatureOutcome, InsertOutcome, LinkUse, NewCommentRecord, Order, PublicComment,
    REPLY_NOTICE_DELAY_MS, ReplyPage, ReplyTarget, ThreadReplies, Transition, TransitionOutcome,
};
pub use edits::{CommentEdit, EditOutcome};
pub use error::StorageError;
pub use events::{ArticleClosedEvent, NewOutboxMessage, WebhookEvent};
pub use import::{ImportArticle, ImportRecord, ImportWrite, ImportWritten, read_isso};
pub use latest::FeedItem;
pub use likes::{LIKES_CHANNEL, LikeOutcome};
pub use login_throttle::{LoginAttempt, LoginThrottle};
pub use moderators::ModeratorRecord;
pub use outbox::{DigestCandidate, OutboxMessage, SiteEmailSettings};
pub use policies::{
    AuthorFacts, AuthorQuery, BlockEntry, SeenBody, SubmissionFacts, SubmissionQuery,
};
use pool::UnsyncedWriter;
pub use pool::{Backend, CACHE_CHANNEL, ConnectOptions, PublishedChange, Store};
pub use privacy::{Erasure, ErasureOutcome, MailRecord, PrivacyRecords};
pub use queue::{QueueFilter, QueueTab, SiteItem, TAB_COUNT_CAP};
pub use reports::{NewReportRecord, ReportOutcome, ReportSettings, ReportedComment};
pub use root_keys::RootKeyRecord;
pub use rows::{ArticleRecord, AuditEntry, CommentRecord, Cursor, ParentExcerpt, QueueItem};
pub use sessions::SessionRecord;
pub use stats::Stats;
pub use webhooks::{
    AttemptRecord, AttemptResult, DeliveryRecord, DeliveryStatus, WebhookChange, WebhookRecord,
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

// Admin changes (sites, policies, blocks, API keys, accounts), each written
// with its audit row in one transaction: the `transition()` of settings. Here
// because it is the one write that spans nouns.

/// One admin change.
#[derive(Debug, Clone, Copy)]
pub enum AdminChange<'a> {
    /// A new site; `Conflict` if the key is taken.
    CreateSite(&'a Site),
    UpdateSite(&'a Site),
    /// A policy document replacing version `expected` (0 = none yet);
    /// `Conflict` when someone else saved first.
    SavePolicy {
        config: &'a str,
        expected: i64,
    },
    PutBlock(&'a BlockEntry),
    RemoveBlock {
        id: &'a str,
    },
    CreateApiKey {
        record: &'a ApiKeyRecord,
        hash: &'a str,
    },
    RevokeApiKey {
        id: &'a str,
    },
    /// An instance-level key of the admin API.
    CreateRootKey {
        record: &'a RootKeyRecord,
        hash: &'a str,
    },
    RevokeRootKey {
        id: &'a str,
    },
    /// `Conflict` if the email has an account.
    CreateModerator(&'a ModeratorRecord),
    /// Ends the account's sessions too.
    DisableModerator {
        id: &'a str,
    },
    /// Ends the account's sessions too.
    SetPassword {
        id: &'a str,
        hash: &'a str,
    },
}

/// The audit row of an admin change. `site_key` is `*` for changes of the
/// whole instance (accounts).
#[derive(Debug, Clone, Copy)]
pub struct AdminAudit<'a> {
    pub site_key: &'a str,
    pub actor: &'a Actor,
    pub action: &'a str,
    pub reason: Option<&'a str>,
    /// A JSON document of what changed.
    pub details: &'a str,
    pub at: i64,
}

impl AdminAudit<'_> {
    /// Write this change's audit row (of no comment) inside the caller's
    /// transaction, under `site_key` and with `note`.
    async fn write(
        &self,
        conn: &mut sqlx::AnyConnection,
        site_key: &str,
        note: Option<&str>,
    ) -> Result<(), StorageError> {
        let entry = AuditEntry {
            id: new_id(),
            site_key: site_key.to_string(),
            comment_id: None,
            actor_kind: self.actor.kind().into(),
            actor_id: self.actor.id().to_string(),
            action: self.action.to_string(),
            from_status: None,
            to_status: None,
            reason: self.reason.map(str::to_string),
            note: note.map(str::to_string),
            created_at: self.at,
        };
        events::audit(conn, &entry, Some(self.details)).await
    }
}

/// What an admin change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// A saved policy's new version.
    Version(i64),
    /// Nothing to change (no such block, key or live account): nothing
    /// written, no audit row.
    Missing,
}

impl Store {
    /// Apply `change` and write `audit`, in one transaction.
    pub async fn apply_admin_change(
        &self,
        change: AdminChange<'_>,
        audit: &AdminAudit<'_>,
    ) -> Result<Applied, StorageError> {
        let mut tx = self.writer.begin().await?;
        let found = |ok: bool| if ok { Applied::Done } else { Applied::Missing };
        let applied = match change {
            AdminChange::CreateSite(site) => {
                sites::write(&mut tx, site, audit.at, false).await?;
                Applied::Done
            }
            AdminChange::UpdateSite(site) => {
                sites::write(&mut tx, site, audit.at, true).await?;
                Applied::Done
            }
            AdminChange::SavePolicy { config, expected } => Applied::Version(
                policies::save_policy(&mut tx, audit.site_key, config, expected, audit.at).await?,
            ),
            AdminChange::PutBlock(b) => {
                policies::put_block(&mut tx, audit.site_key, b).await?;
                Applied::Done
            }
            AdminChange::RemoveBlock { id } => {
                found(policies::remove_block(&mut tx, audit.site_key, id).await?)
            }
            AdminChange::CreateApiKey { record, hash } => {
                api_keys::insert(&mut tx, record, hash).await?;
                Applied::Done
            }
            AdminChange::RevokeApiKey { id } => {
                found(api_keys::revoke(&mut tx, audit.site_key, id, audit.at).await?)
            }
            AdminChange::CreateRootKey { record, hash } => {
                root_keys::insert(&mut tx, record, hash).await?;
                Applied::Done
            }
            AdminChange::RevokeRootKey { id } => {
                found(root_keys::revoke(&mut tx, id, audit.at).await?)
            }
            AdminChange::CreateModerator(m) => {
                moderators::insert(&mut tx, m).await?;
                Applied::Done
            }
            AdminChange::DisableModerator { id } => {
                let done = moderators::disable(&mut tx, id, audit.at).await?;
                end_sessions(&mut tx, id).await?;
                found(done)
            }
            AdminChange::SetPassword { id, hash } => {
                let done = moderators::set_password(&mut tx, id, hash, audit.at).await?;
                end_sessions(&mut tx, id).await?;
                found(done)
            }
        };
        if applied == Applied::Missing {
            tx.rollback().await?;
            return Ok(applied);
        }
        audit.write(&mut tx, audit.site_key, None).await?;
        tx.commit().await?;
        if matches!(
            change,
            AdminChange::SavePolicy { .. }
                | AdminChange::PutBlock(_)
                | AdminChange::RemoveBlock { .. }
        ) {
            self.forget_rules(audit.site_key);
        }
        Ok(applied)
    }
}

async fn end_sessions(
    conn: &mut sqlx::AnyConnection,
    moderator_id: &str,
) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM sessions WHERE moderator_id = $1")
        .bind(moderator_id)
        .execute(conn)
        .await?;
    Ok(())
}
