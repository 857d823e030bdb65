//! Privacy requests about one person, identified by email, on one site:
//! everything stored about them (audited as `privacy_export`, without the
//! address), and erasure (audited per comment and once per request, in the erasure's
//! transaction).

use serde_json::json;

use super::admin::{AdminError, audit, site_of};
use crate::delivery::Wakes;
use crate::domain::{Actor, AuthorEmail, ValidationErrors};
use crate::storage::{Erasure, ErasureOutcome, PrivacyRecords, Store};

/// The person a request is about: a valid email address, or
/// `validation_failed` naming `email`.
pub fn parse_person(email: Option<&str>) -> Result<AuthorEmail, ValidationErrors> {
    AuthorEmail::parse(email).map_err(|err| {
        let mut errors = ValidationErrors::default();
        errors.add("email", err);
        errors
    })
}

/// An erasure as a front door received it, checked.
#[derive(Debug, Clone)]
pub struct ErasureRequest {
    email: AuthorEmail,
    remove_text: bool,
}

impl ErasureRequest {
    /// `remove_text`: the comments lose their title and body too.
    pub fn parse(
        email: Option<&str>,
        remove_text: bool,
    ) -> Result<ErasureRequest, ValidationErrors> {
        Ok(ErasureRequest {
            email: parse_person(email)?,
            remove_text,
        })
    }

    pub fn removes_text(&self) -> bool {
        self.remove_text
    }
}

/// Everything the site stores about `email`: comments with their audit
/// trail, mail sent to the address, its opt-out and moderators' blocks. The
/// read is audited (`privacy_export`, with how many comments it found).
/// `SiteNotFound` when there is no such site.
pub async fn person_records(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    email: &AuthorEmail,
    now: i64,
) -> Result<PrivacyRecords, AdminError> {
    site_of(store, site_key).await?;
    let records = store.privacy_records(site_key, email.as_str()).await?;
    let details = json!({ "comments": records.comments.len() }).to_string();
    store
        .audit_read(&audit(site_key, actor, "privacy_export", &details, now))
        .await?;
    Ok(records)
}

/// Anonymize everything stored about the person: the comments lose name,
/// email and address hash (and with `remove_text` their title and body,
/// becoming `deleted`); mail to the address and its opt-out are deleted.
/// Moderators' blocks stay. Every comment gets a `privacy_erase` audit row
/// and a `comment.erased` event (the webhook loop is woken after the
/// commit); the request gets a `privacy_erase_request` row with the counts,
/// also when it finds nothing. `SiteNotFound` when there is no such site.
pub async fn erase_person(
    store: &Store,
    wakes: &Wakes,
    actor: &Actor,
    site_key: &str,
    request: &ErasureRequest,
    now: i64,
) -> Result<ErasureOutcome, AdminError> {
    site_of(store, site_key).await?;
    let outcome = store
        .erase_person(&Erasure {
            site_key: site_key.to_string(),
            email: request.email.as_str().to_string(),
            remove_text: request.remove_text,
            actor_kind: actor.kind().to_string(),
            actor_id: actor.id().to_string(),
            at: now,
        })
        .await?;
    if outcome.comments > 0 {
        wakes.hooks.notify();
    }
    Ok(outcome)
}
