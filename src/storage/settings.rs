//! Admin changes (sites, policies, blocks, API keys, accounts), each written
//! with its audit row in one transaction: the `transition()` of settings.

use super::audit::AuditEntry;
use super::{ApiKeyRecord, BlockEntry, ModeratorRecord, StorageError, Store};
use crate::domain::{Actor, Site, new_id};

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
                super::sites::write(&mut tx, site, audit.at, false).await?;
                Applied::Done
            }
            AdminChange::UpdateSite(site) => {
                super::sites::write(&mut tx, site, audit.at, true).await?;
                Applied::Done
            }
            AdminChange::SavePolicy { config, expected } => Applied::Version(
                super::policies::save_policy(&mut tx, audit.site_key, config, expected, audit.at)
                    .await?,
            ),
            AdminChange::PutBlock(b) => {
                super::policies::put_block(&mut tx, audit.site_key, b).await?;
                Applied::Done
            }
            AdminChange::RemoveBlock { id } => {
                found(super::policies::remove_block(&mut tx, audit.site_key, id).await?)
            }
            AdminChange::CreateApiKey { record, hash } => {
                super::api_keys::insert(&mut tx, record, hash).await?;
                Applied::Done
            }
            AdminChange::RevokeApiKey { id } => {
                found(super::api_keys::revoke(&mut tx, audit.site_key, id, audit.at).await?)
            }
            AdminChange::CreateModerator(m) => {
                super::moderators::insert(&mut tx, m).await?;
                Applied::Done
            }
            AdminChange::DisableModerator { id } => {
                let done = super::moderators::disable(&mut tx, id, audit.at).await?;
                end_sessions(&mut tx, id).await?;
                found(done)
            }
            AdminChange::SetPassword { id, hash } => {
                let done = super::moderators::set_password(&mut tx, id, hash, audit.at).await?;
                end_sessions(&mut tx, id).await?;
                found(done)
            }
        };
        if applied == Applied::Missing {
            tx.rollback().await?;
            return Ok(applied);
        }
        super::audit::insert(
            &mut tx,
            &AuditEntry {
                id: new_id(),
                site_key: audit.site_key.to_string(),
                comment_id: None,
                actor_kind: audit.actor.kind().into(),
                actor_id: audit.actor.id().to_string(),
                action: audit.action.to_string(),
                from_status: None,
                to_status: None,
                reason: audit.reason.map(str::to_string),
                note: None,
                created_at: audit.at,
            },
            Some(audit.details),
        )
        .await?;
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
