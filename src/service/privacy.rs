//! Privacy requests about one person, identified by email, on one site:
//! everything stored about them, and erasure (audited per comment in the
//! erasure's transaction).

use super::admin::AdminError;
use crate::domain::{Actor, AuthorEmail};
use crate::storage::{Erasure, ErasureOutcome, PrivacyRecords, Store};

/// Everything the site stores about `email`: comments with their audit
/// trail, mail sent to the address, its opt-out and moderators' blocks.
pub async fn person_records(
    store: &Store,
    site_key: &str,
    email: &AuthorEmail,
) -> Result<PrivacyRecords, AdminError> {
    Ok(store.privacy_records(site_key, email.as_str()).await?)
}

/// Anonymize everything stored about `email`: the comments lose name, email
/// and address hash (and with `remove_text` their title and body, becoming
/// `deleted`); mail to the address and its opt-out are deleted. Moderators'
/// blocks stay. Every comment gets a `privacy_erase` audit row.
pub async fn erase_person(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    email: &AuthorEmail,
    remove_text: bool,
    now: i64,
) -> Result<ErasureOutcome, AdminError> {
    Ok(store
        .erase_person(&Erasure {
            site_key: site_key.to_string(),
            email: email.as_str().to_string(),
            remove_text,
            actor_kind: actor.kind().to_string(),
            actor_id: actor.id().to_string(),
            at: now,
        })
        .await?)
}
