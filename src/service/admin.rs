//! Every admin use case, written once: change a site, block, edit word lists
//! and rules, edit a comment, manage API keys and accounts. Each takes a
//! command parsed by the domain and an `Actor`, and writes its audit row in
//! the change's transaction. The JSON API, the dashboard and the CLI only
//! extract, call one of these and render.

use serde_json::json;

use super::rules::{PolicyCache, RulesError, StoredPolicy, findings_after_edit};
use crate::auth::password::hash_password;
use crate::auth::{Role, generate_api_key, generate_root_key, hash_api_key};
use crate::delivery::Wakes;
use crate::domain::{
    Actor, AuthorEmail, Block, CommentEdit, CommentEditDto, CommentStatus, FieldError, Lang, Site,
    SiteChange, SiteKey, ValidationErrors, new_id,
};
use crate::moderation::{Action, Category, Entry, LexiconSpec, PolicyConfig};
use crate::storage::{
    self, AdminAudit, AdminChange, ApiKeyRecord, Applied, BlockEntry, ModeratorRecord,
    RootKeyRecord, StorageError, Store,
};

/// Longest label of an API key (longer ones are cut).
pub const KEY_LABEL_MAX: usize = 100;
/// The audit log's site for changes of the whole instance (accounts).
pub const INSTANCE: &str = "*";

/// Why an admin use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// A setting, block, key or account field is not acceptable.
    #[error("invalid parameters")]
    InvalidParameter(ValidationErrors),
    /// Comment text that breaks the field rules of a submission.
    #[error("invalid comment fields")]
    Validation(ValidationErrors),
    #[error("no such site")]
    SiteNotFound,
    #[error("no such comment")]
    CommentNotFound,
    #[error("not found")]
    NotFound,
    #[error("changed concurrently or already exists")]
    Conflict,
    /// The site already has as many of these as it may (what, and the cap).
    #[error("at most {max} {what} per site")]
    Limit { what: &'static str, max: u32 },
    /// A deleted comment is not edited.
    #[error("the comment is deleted")]
    InvalidTransition,
    /// The rules would not compile (which rule, for the integrator).
    #[error("{0}")]
    InvalidPolicy(String),
    #[error(transparent)]
    Storage(StorageError),
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl From<StorageError> for AdminError {
    fn from(e: StorageError) -> AdminError {
        match e {
            StorageError::Conflict => AdminError::Conflict,
            e => AdminError::Storage(e),
        }
    }
}

impl From<RulesError> for AdminError {
    fn from(e: RulesError) -> AdminError {
        match e {
            RulesError::Storage(s) => s.into(),
            other => AdminError::Internal(other.into()),
        }
    }
}

fn invalid(field: &str, code: &'static str) -> AdminError {
    let mut e = ValidationErrors::default();
    e.add(field, FieldError::new(code));
    AdminError::InvalidParameter(e)
}

/// The audit row of a change with no reason code.
pub(super) fn audit<'a>(
    site_key: &'a str,
    actor: &'a Actor,
    action: &'a str,
    details: &'a str,
    at: i64,
) -> AdminAudit<'a> {
    AdminAudit {
        site_key,
        actor,
        action,
        reason: None,
        details,
        at,
    }
}

/// The site, or `SiteNotFound`.
pub(super) async fn site_of(store: &Store, site_key: &str) -> Result<Site, AdminError> {
    store.site(site_key).await?.ok_or(AdminError::SiteNotFound)
}

async fn audited(
    store: &Store,
    change: AdminChange<'_>,
    audit: AdminAudit<'_>,
) -> Result<Applied, AdminError> {
    Ok(store.apply_admin_change(change, &audit).await?)
}

/// A change of the one record `id` names, audited as `action` with
/// `{noun: id}` as its details; `NotFound` when there is no such record.
async fn change_one(
    store: &Store,
    change: AdminChange<'_>,
    site_key: &str,
    actor: &Actor,
    action: &str,
    (noun, id): (&str, &str),
    now: i64,
) -> Result<(), AdminError> {
    let details = json!({ noun: id }).to_string();
    found(audited(store, change, audit(site_key, actor, action, &details, now)).await?)
}

/// `NotFound` when the change found nothing to change.
pub(super) fn found(applied: Applied) -> Result<(), AdminError> {
    match applied {
        Applied::Missing => Err(AdminError::NotFound),
        _ => Ok(()),
    }
}

fn site_details(site: &Site) -> String {
    json!({
        "name": site.name,
        "lang": site.default_lang.code(),
        "moderation": site.moderation_mode.as_str(),
        "max_body": site.max_body_chars,
        "terms_url": site.terms_url,
        "terms_version": site.terms_version,
        "origins": site.allowed_origins,
        "captcha": site.captcha.as_str(),
        "spam_threshold": site.spam_threshold,
        "auto_close_days": site.auto_close_days,
        "rules_text": site.rules_text,
        "likes": site.likes,
    })
    .to_string()
}

// ----- sites -----

/// Create a site with the default settings and `change`.
pub async fn create_site(
    store: &Store,
    actor: &Actor,
    key: SiteKey,
    change: &SiteChange,
    now: i64,
) -> Result<Site, AdminError> {
    let site = change.apply(Site::new(key));
    audited(
        store,
        AdminChange::CreateSite(&site),
        audit(
            site.key.as_str(),
            actor,
            "site_created",
            &site_details(&site),
            now,
        ),
    )
    .await?;
    Ok(site)
}

/// Change a site's settings.
pub async fn change_site(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    change: &SiteChange,
    now: i64,
) -> Result<Site, AdminError> {
    let site = site_of(store, site_key).await?;
    let site = change.apply(site);
    audited(
        store,
        AdminChange::UpdateSite(&site),
        audit(site_key, actor, "site_settings", &site_details(&site), now),
    )
    .await?;
    Ok(site)
}

// ----- blocks -----

/// Add or renew a block; the posting rules refuse what it names from now on.
pub async fn add_block(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    block: &Block,
    now: i64,
) -> Result<BlockEntry, AdminError> {
    site_of(store, site_key).await?;
    let entry = BlockEntry {
        id: new_id(),
        kind: block.kind().as_str().into(),
        value: block.value().into(),
        reason: block.reason().map(str::to_string),
        expires_at: block.expires_at(now),
        created_at: now,
    };
    let details = json!({"kind": entry.kind, "value": entry.value, "expires_at": entry.expires_at})
        .to_string();
    let audit = AdminAudit {
        site_key,
        actor,
        action: &format!("block_{}", entry.kind),
        reason: block.reason(),
        details: &details,
        at: now,
    };
    audited(store, AdminChange::PutBlock(&entry), audit).await?;
    Ok(entry)
}

pub async fn remove_block(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    id: &str,
    now: i64,
) -> Result<(), AdminError> {
    change_one(
        store,
        AdminChange::RemoveBlock { id },
        site_key,
        actor,
        "unblock",
        ("block", id),
        now,
    )
    .await
}

// ----- word lists and rules -----

/// Check that the changed `stored.config` compiles, then store it as the
/// version after `stored.version`, audited as `action`. Returns the new
/// policy version.
async fn save_policy(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    stored: &StoredPolicy,
    action: &str,
    details: serde_json::Value,
    now: i64,
) -> Result<i64, AdminError> {
    let (config, expected) = (&stored.config, stored.version);
    let compiled = super::rules::compile_policy(config.clone())
        .await
        .map_err(|e| AdminError::Internal(e.into()))?;
    if let Err(e) = compiled {
        return Err(AdminError::InvalidPolicy(format!("{} ({})", e, e.code())));
    }
    let json = serde_json::to_string(config).map_err(|e| AdminError::Internal(e.into()))?;
    match audited(
        store,
        AdminChange::SavePolicy {
            config: &json,
            expected,
        },
        audit(site_key, actor, action, &details.to_string(), now),
    )
    .await?
    {
        Applied::Version(v) => Ok(v),
        _ => Err(AdminError::Conflict),
    }
}

async fn policy_of(store: &Store, site_key: &str) -> Result<StoredPolicy, AdminError> {
    site_of(store, site_key).await?;
    Ok(PolicyCache::load(store, site_key).await?)
}

/// A word list as a front door received it.
#[derive(Debug, Clone)]
pub struct LexiconPut {
    /// `None` keeps the list's category (the list must exist).
    pub category: Option<Category>,
    pub action: Option<Action>,
    pub entries: Vec<Entry>,
    /// Plain terms already in the list keep their per-entry options
    /// (the dashboard's one-term-a-line text box).
    pub keep_entry_options: bool,
}

impl LexiconPut {
    /// The list's entries typed one a line (`term | hold substring forms=a,b` for options;
    /// blank lines skipped), the list keeping its category and action and a bare line the
    /// options its entry had: the dashboard's list editor and `majlis wordlist set`.
    pub fn from_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> LexiconPut {
        LexiconPut {
            category: None,
            action: None,
            entries: lines
                .into_iter()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(Entry::parse_line)
                .collect(),
            keep_entry_options: true,
        }
    }
}

/// What saving a word list did.
#[derive(Debug, Clone)]
pub struct LexiconSaved {
    pub created: bool,
    pub version: u32,
    pub policy_version: i64,
    pub entries: usize,
}

/// Create or replace a word list.
pub async fn put_lexicon(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    name: &str,
    put: LexiconPut,
    now: i64,
) -> Result<LexiconSaved, AdminError> {
    let mut stored = policy_of(store, site_key).await?;
    let (created, before, lexicon) = match stored
        .config
        .lexicons
        .iter_mut()
        .position(|l| l.name == name)
    {
        Some(i) => {
            let l = stored
                .config
                .lexicons
                .get_mut(i)
                .ok_or(AdminError::NotFound)?;
            (false, l.entries.len(), l)
        }
        None => {
            let (Some(category), Some(action)) = (put.category, put.action) else {
                return Err(AdminError::NotFound);
            };
            stored.config.lexicons.push(LexiconSpec {
                lang: None,
                name: name.to_string(),
                category,
                action,
                version: 0,
                entries: Vec::new(),
            });
            let l = stored
                .config
                .lexicons
                .last_mut()
                .ok_or(AdminError::NotFound)?;
            (true, 0, l)
        }
    };
    let mut entries: Vec<Entry> = Vec::with_capacity(put.entries.len());
    for e in put.entries {
        let e = match (&e, put.keep_entry_options) {
            (Entry::Term(t), true) => lexicon
                .entries
                .iter()
                .find(|k| k.term() == t)
                .cloned()
                .unwrap_or(e),
            _ => e,
        };
        if !put.keep_entry_options || entries.iter().all(|k| k.term() != e.term()) {
            entries.push(e);
        }
    }
    if let Some(c) = put.category {
        lexicon.category = c;
    }
    if let Some(a) = put.action {
        lexicon.action = a;
    }
    lexicon.entries = entries;
    lexicon.version += 1;
    let (version, after) = (lexicon.version, lexicon.entries.len());
    let details =
        json!({"list": name, "version": version, "entries_before": before, "entries_after": after});
    let policy_version =
        save_policy(store, actor, site_key, &stored, "word_list", details, now).await?;
    Ok(LexiconSaved {
        created,
        version,
        policy_version,
        entries: after,
    })
}

pub async fn delete_lexicon(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    name: &str,
    now: i64,
) -> Result<i64, AdminError> {
    let mut stored = policy_of(store, site_key).await?;
    let before = stored.config.lexicons.len();
    stored.config.lexicons.retain(|l| l.name != name);
    if stored.config.lexicons.len() == before {
        return Err(AdminError::NotFound);
    }
    save_policy(
        store,
        actor,
        site_key,
        &stored,
        "word_list_deleted",
        json!({ "list": name }),
        now,
    )
    .await
}

/// Replace the rule settings (everything but the word lists) by `change`.
pub async fn put_rules(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    change: impl FnOnce(&mut PolicyConfig),
    now: i64,
) -> Result<i64, AdminError> {
    let mut stored = policy_of(store, site_key).await?;
    change(&mut stored.config);
    save_policy(
        store,
        actor,
        site_key,
        &stored,
        "rules",
        json!({ "from_version": stored.version }),
        now,
    )
    .await
}

/// Pattern rules as the JSON document the dashboard's editor shows (`{"classes": [...],
/// "rules": [...]}`), or `InvalidPolicy` saying why not.
pub fn parse_patterns(text: &str) -> Result<crate::moderation::PatternConfig, AdminError> {
    serde_json::from_str(text).map_err(|e| AdminError::InvalidPolicy(e.to_string()))
}

/// Replace a site's pattern rules (term classes and rules).
pub async fn put_patterns(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    patterns: crate::moderation::PatternConfig,
    now: i64,
) -> Result<i64, AdminError> {
    let mut stored = policy_of(store, site_key).await?;
    let details = json!({
        "classes_before": stored.config.patterns.classes.len(),
        "rules_before": stored.config.patterns.rules.len(),
        "classes_after": patterns.classes.len(),
        "rules_after": patterns.rules.len(),
    });
    stored.config.patterns = patterns;
    save_policy(
        store,
        actor,
        site_key,
        &stored,
        "pattern_rules",
        details,
        now,
    )
    .await
}

// ----- comment edits -----

/// Fix a comment's title or body with the field rules of a submission. The
/// audit row keeps the original text and findings; text findings are
/// recomputed by the current word lists. Receivers hear `comment.edited`
/// (the webhook loop is woken after the commit).
#[allow(clippy::too_many_arguments)]
pub async fn edit_comment(
    store: &Store,
    policies: &PolicyCache,
    wakes: &Wakes,
    actor: &Actor,
    site_key: &str,
    id: &str,
    dto: CommentEditDto,
    now: i64,
) -> Result<CommentStatus, AdminError> {
    let site = store
        .site(site_key)
        .await?
        .ok_or(AdminError::CommentNotFound)?;
    let edit = CommentEdit::parse(dto, site.max_body_chars).map_err(AdminError::Validation)?;
    let existing = store
        .comment(site_key, id)
        .await?
        .ok_or(AdminError::CommentNotFound)?;
    let status = existing.status;
    if status == CommentStatus::Deleted {
        return Err(AdminError::InvalidTransition);
    }
    let title = edit.title().unwrap_or(&existing.title).to_string();
    let body = edit.body().unwrap_or(&existing.body).to_string();
    let policy = policies.get(store, site_key).await?;
    let findings = findings_after_edit(&policy, &existing, &title, &body);
    let spam_held = crate::moderation::spam::held_as_spam(&findings);
    let findings = serde_json::to_string(&findings).unwrap_or_else(|_| "[]".into());
    let body_sig =
        crate::moderation::spam::signature_text(&crate::moderation::spam::body_signature(&body));
    store
        .edit_comment(&storage::CommentEdit {
            site_key,
            id,
            title: &title,
            body: &body,
            findings: &findings,
            body_sig: &body_sig,
            spam_held,
            body_fingerprint: &crate::moderation::body_fingerprint(&body),
            actor_kind: actor.kind(),
            actor_id: actor.id(),
            note: edit.note(),
            now,
        })
        .await?
        .ok_or(AdminError::CommentNotFound)?;
    wakes.hooks.notify();
    Ok(status)
}

// ----- API keys -----

/// A new key of `role` for a site: the record and the secret, shown once.
pub async fn create_api_key(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    role: &str,
    label: &str,
    now: i64,
) -> Result<(ApiKeyRecord, String), AdminError> {
    let role = Role::parse(role.trim()).ok_or_else(|| invalid("role", "invalid_choice"))?;
    site_of(store, site_key).await?;
    let secret = generate_api_key();
    let record = ApiKeyRecord {
        id: new_id(),
        site_key: site_key.to_string(),
        role: role.as_str().into(),
        label: label.trim().chars().take(KEY_LABEL_MAX).collect(),
        created_at: now,
        revoked_at: None,
    };
    let hash = hash_api_key(&secret);
    audited(
        store,
        AdminChange::CreateApiKey {
            record: &record,
            hash: &hash,
        },
        audit(
            site_key,
            actor,
            "api_key_created",
            &json!({"key": record.id, "role": record.role}).to_string(),
            now,
        ),
    )
    .await?;
    Ok((record, secret))
}

pub async fn revoke_api_key(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    id: &str,
    now: i64,
) -> Result<(), AdminError> {
    change_one(
        store,
        AdminChange::RevokeApiKey { id },
        site_key,
        actor,
        "api_key_revoked",
        ("key", id),
        now,
    )
    .await
}

// ----- root keys -----

/// A new instance-level key of the admin API: the record and the secret,
/// shown once.
pub async fn create_root_key(
    store: &Store,
    actor: &Actor,
    label: &str,
    now: i64,
) -> Result<(RootKeyRecord, String), AdminError> {
    let secret = generate_root_key();
    let record = RootKeyRecord {
        id: new_id(),
        label: label.trim().chars().take(KEY_LABEL_MAX).collect(),
        created_at: now,
        revoked_at: None,
    };
    let hash = hash_api_key(&secret);
    audited(
        store,
        AdminChange::CreateRootKey {
            record: &record,
            hash: &hash,
        },
        audit(
            INSTANCE,
            actor,
            "root_key_created",
            &json!({ "key": record.id }).to_string(),
            now,
        ),
    )
    .await?;
    Ok((record, secret))
}

pub async fn revoke_root_key(
    store: &Store,
    actor: &Actor,
    id: &str,
    now: i64,
) -> Result<(), AdminError> {
    change_one(
        store,
        AdminChange::RevokeRootKey { id },
        INSTANCE,
        actor,
        "root_key_revoked",
        ("key", id),
        now,
    )
    .await
}

// ----- accounts -----

/// A dashboard account as a front door received it.
#[derive(Debug, Clone, Default)]
pub struct NewModeratorDto {
    pub email: String,
    /// `admin` or `moderator`.
    pub role: String,
    pub sites: Vec<String>,
    pub lang: Option<String>,
    pub password: String,
}

/// Create a dashboard account. A `moderator` needs a site; an `admin`
/// without sites administers every site.
pub async fn add_moderator(
    store: &Store,
    actor: &Actor,
    dto: NewModeratorDto,
    now: i64,
) -> Result<ModeratorRecord, AdminError> {
    let mut errors = ValidationErrors::default();
    let email = AuthorEmail::parse(Some(&dto.email))
        .map_err(|e| errors.add("email", e))
        .ok();
    let role = Role::parse(dto.role.trim());
    if role.is_none() {
        errors.add("role", FieldError::new("invalid_choice"));
    }
    let lang = match dto.lang.as_deref() {
        None => Lang::Ar,
        Some(l) => Lang::parse(l).unwrap_or_else(|| {
            errors.add("lang", FieldError::new("invalid_choice"));
            Lang::Ar
        }),
    };
    if role == Some(Role::Moderator) && dto.sites.is_empty() {
        errors.add("sites", FieldError::new("required"));
    }
    for site in &dto.sites {
        // A key that cannot be one names no site (and never reaches SQL:
        // PostgreSQL text cannot hold a NUL).
        if SiteKey::parse(site).is_err() || store.site(site).await?.is_none() {
            errors.add("sites", FieldError::new("unknown_site"));
        }
    }
    if let Err(e) = crate::auth::password::check_policy(&dto.password) {
        errors.add("password", FieldError::new(password_code(&e)));
    }
    let (Some(email), Some(role)) = (email, role) else {
        return Err(AdminError::InvalidParameter(errors));
    };
    if !errors.is_empty() {
        return Err(AdminError::InvalidParameter(errors));
    }
    let hash = hash_password(&dto.password)
        .await
        .map_err(|e| AdminError::Internal(e.into()))?;
    let record = ModeratorRecord {
        id: new_id(),
        email: email.as_str().to_string(),
        role: role.as_str().into(),
        password_hash: hash,
        lang: lang.code().into(),
        disabled_at: None,
        sites: dto.sites,
        created_at: now,
    };
    let details =
        json!({"account": record.id, "role": record.role, "sites": record.sites}).to_string();
    audited(
        store,
        AdminChange::CreateModerator(&record),
        audit(INSTANCE, actor, "moderator_created", &details, now),
    )
    .await?;
    Ok(record)
}

fn password_code(e: &crate::auth::password::PasswordError) -> &'static str {
    use crate::auth::password::PasswordError;
    match e {
        PasswordError::TooShort => "too_short",
        PasswordError::TooLong => "too_long",
        _ => "invalid_password",
    }
}

/// Disable an account; its sessions end in the same transaction.
pub async fn disable_moderator(
    store: &Store,
    actor: &Actor,
    id: &str,
    now: i64,
) -> Result<(), AdminError> {
    change_one(
        store,
        AdminChange::DisableModerator { id },
        INSTANCE,
        actor,
        "moderator_disabled",
        ("account", id),
        now,
    )
    .await
}

/// Set an account's password; its sessions end in the same transaction.
pub async fn set_moderator_password(
    store: &Store,
    actor: &Actor,
    id: &str,
    password: &str,
    now: i64,
) -> Result<(), AdminError> {
    if let Err(e) = crate::auth::password::check_policy(password) {
        let mut errors = ValidationErrors::default();
        errors.add("password", FieldError::new(password_code(&e)));
        return Err(AdminError::InvalidParameter(errors));
    }
    let hash = hash_password(password)
        .await
        .map_err(|e| AdminError::Internal(e.into()))?;
    change_one(
        store,
        AdminChange::SetPassword { id, hash: &hash },
        INSTANCE,
        actor,
        "moderator_password",
        ("account", id),
        now,
    )
    .await
}
