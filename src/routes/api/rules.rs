//! Editing the posting rules of a site (admin key) and previewing a verdict
//! (moderator key). Every save bumps the site's policy version; each majlis
//! instance recompiles on its next submission.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::key::{Admin, Key, Moderator};
use crate::domain::{Block, BlockDto, Lang};
use crate::moderation::{Action, Category, Entry, PolicyConfig, Signals, Submission, evaluate};
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::routes::extract::RequestLang;
use crate::routes::time_fmt::rfc3339;
use crate::service::{self, LexiconPut, PolicyCache, now_ms};
use crate::storage::BlockEntry;

/// The site's stored policy (the seed lists until a first save).
async fn stored_policy(
    state: &AppState,
    key: &Key<Admin>,
    lang: Lang,
) -> Result<crate::service::StoredPolicy, ApiError> {
    PolicyCache::load(&state.store, &key.site_key)
        .await
        .or_api(lang)
}

#[derive(Serialize, utoipa::ToSchema)]
struct LexiconSummary {
    name: String,
    category: Category,
    action: Action,
    version: u32,
    /// Number of entries.
    entries: usize,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct LexiconList {
    policy_version: i64,
    lexicons: Vec<LexiconSummary>,
}

/// A word list with its entries: strings, or `{"term", "action", "substring", "forms"}`
/// objects (`forms`: irregular forms such as broken plurals, matched as the entry; regular
/// Arabic forms are generated).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct LexiconDoc {
    name: String,
    category: Category,
    action: Action,
    version: u32,
    #[schema(value_type = Vec<Value>)]
    entries: Vec<Entry>,
    /// `en` or `fr` on a list of Latin-script words of that language (the seed's English and
    /// French lists): it is not read in a field plainly written in the other one.
    lang: Option<String>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct LexiconSaved {
    name: String,
    version: u32,
    policy_version: i64,
    entries: usize,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct PolicyVersion {
    policy_version: i64,
}

/// The verdict the rules would give.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct PreviewResult {
    action: Action,
    #[schema(value_type = Vec<Object>)]
    findings: Vec<serde_json::Value>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct BlockList {
    blocks: Vec<BlockJson>,
}

/// `GET /api/v1/sites/{site}/lexicons`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/lexicons", tag = "rules",
    operation_id = "listLexicons",
    summary = "The site's word lists (admin key)",
    security(("api_key" = [])),
    responses((status = 200, description = "Summary of every list", body = LexiconList))
)]
pub async fn list_lexicons(
    state: web::Data<AppState>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let stored = stored_policy(&state, &key, lang).await?;
    let lexicons: Vec<LexiconSummary> = stored
        .config
        .lexicons
        .iter()
        .map(|l| LexiconSummary {
            name: l.name.clone(),
            category: l.category,
            action: l.action,
            version: l.version,
            entries: l.entries.len(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "policy_version": stored.version,
        "lexicons": lexicons,
    })))
}

/// `GET /api/v1/sites/{site}/lexicons/{name}`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/lexicons/{name}", tag = "rules",
    operation_id = "getLexicon",
    summary = "One word list with its entries (admin key)",
    security(("api_key" = [])),
    params(("name" = String, Path, description = "Lexicon name")),
    responses((status = 200, description = "The list", body = LexiconDoc))
)]
pub async fn get_lexicon(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let (_, name) = path.into_inner();
    let stored = stored_policy(&state, &key, lang).await?;
    let lexicon = stored
        .config
        .lexicons
        .into_iter()
        .find(|l| l.name == name)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, lang))?;
    Ok(HttpResponse::Ok().json(lexicon))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category": "insult", "action": "hold", "entries": ["idiot", {"term": "fool", "action": "flag"}]}))]
pub struct LexiconBody {
    category: Category,
    action: Action,
    /// Strings, or `{"term", "action", "substring"}` objects.
    #[schema(value_type = Vec<Value>)]
    entries: Vec<Entry>,
}

/// `PUT /api/v1/sites/{site}/lexicons/{name}`: create or replace a list.
#[utoipa::path(
    put, path = "/api/v1/sites/{site}/lexicons/{name}", tag = "rules",
    operation_id = "putLexicon",
    summary = "Create or replace a word list (admin key)",
    security(("api_key" = [])),
    params(("name" = String, Path, description = "Lexicon name")),
    request_body = LexiconBody,
    responses(
        (status = 200, description = "Replaced", body = LexiconSaved),
        (status = 201, description = "Created", body = LexiconSaved),
        (status = 409, description = "Saved concurrently by someone else (`conflict`)", body = super::openapi::ErrorBody),
        (status = 422, description = "The rules would not compile (`invalid_policy`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn put_lexicon(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<LexiconBody>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let (_site, name) = path.into_inner();
    let body = body.into_inner();
    let put = LexiconPut {
        category: Some(body.category),
        action: Some(body.action),
        entries: body.entries,
        keep_entry_options: false,
    };
    let saved = service::put_lexicon(
        &state.store,
        &key.actor(),
        &key.site_key,
        &name,
        put,
        now_ms(),
    )
    .await
    .or_api(lang)?;
    let mut resp = if saved.created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(resp.json(serde_json::json!({
        "name": name,
        "version": saved.version,
        "policy_version": saved.policy_version,
        "entries": saved.entries,
    })))
}

/// `DELETE /api/v1/sites/{site}/lexicons/{name}`
#[utoipa::path(
    delete, path = "/api/v1/sites/{site}/lexicons/{name}", tag = "rules",
    operation_id = "deleteLexicon",
    summary = "Delete a word list (admin key)",
    security(("api_key" = [])),
    params(("name" = String, Path, description = "Lexicon name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Saved concurrently by someone else (`conflict`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn delete_lexicon(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let (_site, name) = path.into_inner();
    service::delete_lexicon(&state.store, &key.actor(), &key.site_key, &name, now_ms())
        .await
        .or_api(lang)?;
    Ok(HttpResponse::NoContent().finish())
}

/// Everything of the policy except the word lists, plus the blocklists.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesDoc {
    #[serde(default)]
    policy_version: i64,
    allow: Vec<String>,
    protected_terms: Vec<String>,
    cooccurrence_window: usize,
    #[schema(value_type = Vec<Object>)]
    regexes: Vec<crate::moderation::RegexRule>,
    #[schema(value_type = Object)]
    links: crate::moderation::LinkRules,
    #[schema(value_type = Object)]
    duplicates: crate::moderation::DuplicateRules,
    #[schema(value_type = Object)]
    rate: crate::moderation::RateRules,
    #[schema(value_type = Object)]
    blocklists: crate::moderation::BlocklistRules,
    #[schema(value_type = Object)]
    shape: crate::moderation::ShapeRules,
    /// Pattern rules: `{"classes": [{"name", "terms"}], "rules": [{"id", "posting_rule",
    /// "first", "then", "window", "ordered", "vocative", "unless"}]}`. Absent in a PUT: kept.
    #[serde(default)]
    #[schema(value_type = Object)]
    patterns: Option<crate::moderation::PatternConfig>,
}

/// `GET /api/v1/sites/{site}/rules`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/rules", tag = "rules",
    operation_id = "getRules",
    summary = "The posting rules except word lists (admin key)",
    security(("api_key" = [])),
    responses((status = 200, description = "The rules", body = RulesDoc))
)]
pub async fn get_rules(
    state: web::Data<AppState>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let s = stored_policy(&state, &key, lang).await?;
    let c = s.config;
    Ok(HttpResponse::Ok().json(RulesDoc {
        policy_version: s.version,
        allow: c.allow,
        protected_terms: c.protected_terms,
        cooccurrence_window: c.cooccurrence_window,
        regexes: c.regexes,
        links: c.links,
        duplicates: c.duplicates,
        rate: c.rate,
        blocklists: c.blocklists,
        shape: c.shape,
        patterns: Some(c.patterns),
    }))
}

/// `PUT /api/v1/sites/{site}/rules`: replace the rule settings. Refused with
/// 422 `invalid_policy` (and which rule) when they do not compile.
#[utoipa::path(
    put, path = "/api/v1/sites/{site}/rules", tag = "rules",
    operation_id = "putRules",
    summary = "Replace the posting rules (admin key)",
    security(("api_key" = [])),
    request_body = RulesDoc,
    responses(
        (status = 200, description = "Saved", body = PolicyVersion),
        (status = 409, description = "Saved concurrently by someone else (`conflict`)", body = super::openapi::ErrorBody),
        (status = 422, description = "The rules would not compile (`invalid_policy`, which rule in `message`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn put_rules(
    state: web::Data<AppState>,
    body: web::Json<RulesDoc>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let d = body.into_inner();
    let change = |c: &mut PolicyConfig| {
        c.allow = d.allow;
        c.protected_terms = d.protected_terms;
        c.cooccurrence_window = d.cooccurrence_window;
        c.regexes = d.regexes;
        c.links = d.links;
        c.duplicates = d.duplicates;
        c.rate = d.rate;
        c.blocklists = d.blocklists;
        c.shape = d.shape;
        if let Some(patterns) = d.patterns {
            c.patterns = patterns;
        }
    };
    let version = service::put_rules(&state.store, &key.actor(), &key.site_key, change, now_ms())
        .await
        .or_api(lang)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "policy_version": version })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Sami", "title": "", "body": "Buy cheap pills at http://spam.example"}))]
pub struct PreviewBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

/// `POST /api/v1/sites/{site}/moderation/preview`: the verdict and findings
/// the rules would give, without storing anything.
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/moderation/preview", tag = "moderation",
    operation_id = "previewRules",
    summary = "Preview the rules' verdict on a text (moderator key)",
    security(("api_key" = [])),
    request_body = PreviewBody,
    responses((status = 200, description = "The verdict", body = PreviewResult))
)]
pub async fn preview(
    state: web::Data<AppState>,
    body: web::Json<serde_json::Map<String, serde_json::Value>>,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    // An object only: serde would also build the struct from an array.
    let body: PreviewBody = serde_json::from_value(serde_json::Value::Object(body.into_inner()))
        .map_err(|_| ApiError::new(ErrorCode::MalformedJson, lang))?;
    let policy = state
        .policies
        .get(&state.store, &key.site_key)
        .await
        .or_api(lang)?;
    let b = body;
    let verdict = evaluate(
        &Submission {
            name: &b.name,
            email: "",
            title: &b.title,
            body: &b.body,
        },
        &Signals::default(),
        &policy,
    );
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "action": verdict.action,
        "findings": verdict.findings,
    })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "domain", "value": "spam.example", "reason": "link farm", "hours": 72}))]
pub struct BlockBody {
    /// `email`, `domain`, `ip` (an address or CIDR range) or `ip_hash` (of a comment).
    kind: String,
    value: String,
    reason: Option<String>,
    /// Block for this many hours (1 to 8784, a year); absent = until removed.
    hours: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct BlockJson {
    id: String,
    kind: String,
    value: String,
    reason: Option<String>,
    expires_at: Option<String>,
    created_at: String,
}

impl From<BlockEntry> for BlockJson {
    fn from(b: BlockEntry) -> BlockJson {
        BlockJson {
            id: b.id,
            kind: b.kind,
            value: b.value,
            reason: b.reason,
            expires_at: b.expires_at.map(rfc3339),
            created_at: rfc3339(b.created_at),
        }
    }
}

/// `GET /api/v1/sites/{site}/blocks`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/blocks", tag = "rules",
    operation_id = "listBlocks",
    summary = "Active blocks (moderator key)",
    security(("api_key" = [])),
    responses((status = 200, description = "Blocks not yet expired", body = BlockList))
)]
pub async fn list_blocks(
    state: web::Data<AppState>,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    let blocks = state
        .store
        .active_blocks(&key.site_key, now_ms())
        .await
        .or_api(lang)?;
    let blocks: Vec<BlockJson> = blocks.into_iter().map(BlockJson::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "blocks": blocks })))
}

/// `POST /api/v1/sites/{site}/blocks`: block an email, a domain or an IP range.
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/blocks", tag = "rules",
    operation_id = "addBlock",
    summary = "Block an email, a domain or an IP range (moderator key)",
    security(("api_key" = [])),
    request_body = BlockBody,
    responses((status = 201, description = "The block", body = BlockJson))
)]
pub async fn add_block(
    state: web::Data<AppState>,
    body: web::Json<BlockBody>,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let block = Block::parse(BlockDto {
        kind: Some(b.kind),
        value: Some(b.value),
        hours: b.hours.map(|h| h.to_string()),
        reason: b.reason,
    })
    .map_err(|e| ApiError::invalid_fields(e, lang))?;
    let entry = service::add_block(&state.store, &key.actor(), &key.site_key, &block, now_ms())
        .await
        .or_api(lang)?;
    tracing::info!(kind = %entry.kind, api_key = %key.id, "block added");
    Ok(HttpResponse::Created().json(BlockJson::from(entry)))
}

/// `DELETE /api/v1/sites/{site}/blocks/{id}`
#[utoipa::path(
    delete, path = "/api/v1/sites/{site}/blocks/{id}", tag = "rules",
    operation_id = "deleteBlock",
    summary = "Remove a block (moderator key)",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "Block id")),
    responses((status = 204, description = "Removed"))
)]
pub async fn delete_block(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    let (_site, id) = path.into_inner();
    service::remove_block(&state.store, &key.actor(), &key.site_key, &id, now_ms())
        .await
        .or_api(lang)?;
    Ok(HttpResponse::NoContent().finish())
}
