//! Editing the posting rules of a site (admin key) and previewing a verdict
//! (moderator key). Every save bumps the site's policy version; each majlis
//! instance recompiles on its next submission.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::site::require_key;
use crate::auth::Role;
use crate::domain::{Lang, new_id};
use crate::moderation::{
    Action, Category, Entry, LexiconSpec, Policy, PolicyConfig, Signals, Submission, evaluate,
};
use crate::routes::error::{ApiError, ErrorCode};
use crate::routes::extract::request_lang;
use crate::routes::time_fmt::rfc3339;
use crate::service::{PolicyCache, RulesError, now_ms, parse_cidr};
use crate::startup::AppState;
use crate::storage::{BlockEntry, StorageError};

fn rules_error(e: RulesError, lang: Lang) -> ApiError {
    match e {
        RulesError::Storage(s) => ApiError::storage(s, lang),
        other => ApiError::internal(other, lang),
    }
}

/// The admin key of the request, its language and the site's stored policy:
/// the start of every editing endpoint.
async fn admin_policy(
    state: &AppState,
    req: &HttpRequest,
    site: &str,
) -> Result<(crate::auth::ApiKey, Lang, crate::service::StoredPolicy), ApiError> {
    let key = require_key(state, req, site, Role::Admin).await?;
    let lang = request_lang(req, None);
    let stored = PolicyCache::load(&state.store, &key.site_key)
        .await
        .map_err(|e| rules_error(e, lang))?;
    Ok((key, lang, stored))
}

/// Validate, then store `config` as the next version after `expected`.
async fn save(
    state: &AppState,
    site: &str,
    config: &PolicyConfig,
    expected: i64,
    lang: Lang,
) -> Result<i64, ApiError> {
    if let Err(e) = Policy::compile(config) {
        return Err(
            ApiError::new(ErrorCode::InvalidPolicy, lang).with_detail(format!(
                "{} ({})",
                e,
                e.code()
            )),
        );
    }
    let json = serde_json::to_string(config).map_err(|e| ApiError::internal(e, lang))?;
    match state
        .store
        .save_site_policy(site, &json, expected, now_ms())
        .await
    {
        Ok(v) => Ok(v),
        Err(StorageError::Conflict) => Err(ApiError::new(ErrorCode::Conflict, lang)),
        Err(e) => Err(ApiError::storage(e, lang)),
    }
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
    summary = "The site's word lists (admin key)",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo")),
    responses((status = 200, description = "Summary of every list", body = LexiconList))
)]
pub async fn list_lexicons(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (_, _, stored) = admin_policy(&state, &req, &path.into_inner()).await?;
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
    summary = "One word list with its entries (admin key)",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo"),
        ("name" = String, Path, description = "Lexicon name")),
    responses((status = 200, description = "The list", body = LexiconDoc))
)]
pub async fn get_lexicon(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site, name) = path.into_inner();
    let (_, lang, stored) = admin_policy(&state, &req, &site).await?;
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
    summary = "Create or replace a word list (admin key)",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo"),
        ("name" = String, Path, description = "Lexicon name")),
    request_body = LexiconBody,
    responses(
        (status = 200, description = "Replaced", body = LexiconSaved),
        (status = 201, description = "Created", body = LexiconSaved),
        (status = 409, description = "Saved concurrently by someone else (`conflict`)", body = super::openapi::ErrorBody),
        (status = 422, description = "The rules would not compile (`invalid_policy`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn put_lexicon(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<LexiconBody>,
) -> Result<HttpResponse, ApiError> {
    let (site, name) = path.into_inner();
    let (key, lang, mut stored) = admin_policy(&state, &req, &site).await?;
    let body = body.into_inner();
    let (created, version) = match stored.config.lexicons.iter_mut().find(|l| l.name == name) {
        Some(l) => {
            l.category = body.category;
            l.action = body.action;
            l.entries = body.entries;
            l.version += 1;
            (false, l.version)
        }
        None => {
            stored.config.lexicons.push(LexiconSpec {
                name: name.clone(),
                category: body.category,
                action: body.action,
                version: 1,
                entries: body.entries,
            });
            (true, 1)
        }
    };
    let policy_version = save(&state, &key.site_key, &stored.config, stored.version, lang).await?;
    let lexicon = stored.config.lexicons.iter().find(|l| l.name == name);
    let mut resp = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(resp.json(serde_json::json!({
        "name": name,
        "version": version,
        "policy_version": policy_version,
        "entries": lexicon.map_or(0, |l| l.entries.len()),
    })))
}

/// `DELETE /api/v1/sites/{site}/lexicons/{name}`
#[utoipa::path(
    delete, path = "/api/v1/sites/{site}/lexicons/{name}", tag = "rules",
    summary = "Delete a word list (admin key)",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo"),
        ("name" = String, Path, description = "Lexicon name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Saved concurrently by someone else (`conflict`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn delete_lexicon(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site, name) = path.into_inner();
    let (key, lang, mut stored) = admin_policy(&state, &req, &site).await?;
    let before = stored.config.lexicons.len();
    stored.config.lexicons.retain(|l| l.name != name);
    if stored.config.lexicons.len() == before {
        return Err(ApiError::new(ErrorCode::NotFound, lang));
    }
    save(&state, &key.site_key, &stored.config, stored.version, lang).await?;
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
    summary = "The posting rules except word lists (admin key)",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo")),
    responses((status = 200, description = "The rules", body = RulesDoc))
)]
pub async fn get_rules(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (_, _, s) = admin_policy(&state, &req, &path.into_inner()).await?;
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
    summary = "Replace the posting rules (admin key)",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo")),
    request_body = RulesDoc,
    responses(
        (status = 200, description = "Saved", body = PolicyVersion),
        (status = 409, description = "Saved concurrently by someone else (`conflict`)", body = super::openapi::ErrorBody),
        (status = 422, description = "The rules would not compile (`invalid_policy`, which rule in `message`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn put_rules(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<RulesDoc>,
) -> Result<HttpResponse, ApiError> {
    let (key, lang, mut stored) = admin_policy(&state, &req, &path.into_inner()).await?;
    let d = body.into_inner();
    let c = &mut stored.config;
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
    let version = save(&state, &key.site_key, &stored.config, stored.version, lang).await?;
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
    summary = "Preview the rules' verdict on a text (moderator key)",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo")),
    request_body = PreviewBody,
    responses((status = 200, description = "The verdict", body = PreviewResult))
)]
pub async fn preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<PreviewBody>,
) -> Result<HttpResponse, ApiError> {
    let key = require_key(&state, &req, &path.into_inner(), Role::Moderator).await?;
    let lang = request_lang(&req, None);
    let policy = state
        .policies
        .get(&state.store, &key.site_key)
        .await
        .map_err(|e| rules_error(e, lang))?;
    let b = body.into_inner();
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
    /// `email`, `domain` or `ip` (an address or CIDR range).
    kind: String,
    value: String,
    reason: Option<String>,
    /// Block for this many hours; absent = until removed.
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
    summary = "Active blocks (moderator key)",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo")),
    responses((status = 200, description = "Blocks not yet expired", body = BlockList))
)]
pub async fn list_blocks(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = require_key(&state, &req, &path.into_inner(), Role::Moderator).await?;
    let lang = request_lang(&req, None);
    let blocks = state
        .store
        .active_blocks(&key.site_key, now_ms())
        .await
        .map_err(|e| ApiError::storage(e, lang))?;
    let blocks: Vec<BlockJson> = blocks.into_iter().map(BlockJson::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "blocks": blocks })))
}

/// `POST /api/v1/sites/{site}/blocks`: block an email, a domain or an IP range.
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/blocks", tag = "rules",
    summary = "Block an email, a domain or an IP range (moderator key)",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo")),
    request_body = BlockBody,
    responses((status = 201, description = "The block", body = BlockJson))
)]
pub async fn add_block(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<BlockBody>,
) -> Result<HttpResponse, ApiError> {
    let key = require_key(&state, &req, &path.into_inner(), Role::Moderator).await?;
    let lang = request_lang(&req, None);
    let b = body.into_inner();
    let value = b.value.trim().to_lowercase();
    let valid = match b.kind.as_str() {
        "email" => value.contains('@') && value.len() <= 254,
        "domain" => {
            !value.is_empty() && value.len() <= 253 && !value.contains('@') && !value.contains('/')
        }
        "ip" => parse_cidr(&value).is_some(),
        _ => false,
    };
    if !valid || b.reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(ApiError::new(ErrorCode::InvalidParameter, lang));
    }
    let now = now_ms();
    let entry = BlockEntry {
        id: new_id(),
        kind: b.kind,
        value,
        reason: b.reason,
        expires_at: b.hours.map(|h| now + i64::from(h) * 3_600_000),
        created_at: now,
    };
    state
        .store
        .upsert_block(&key.site_key, &entry)
        .await
        .map_err(|e| ApiError::storage(e, lang))?;
    tracing::info!(kind = %entry.kind, api_key = %key.id, "block added");
    Ok(HttpResponse::Created().json(BlockJson::from(entry)))
}

/// `DELETE /api/v1/sites/{site}/blocks/{id}`
#[utoipa::path(
    delete, path = "/api/v1/sites/{site}/blocks/{id}", tag = "rules",
    summary = "Remove a block (moderator key)",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo"),
        ("id" = String, Path, description = "Block id")),
    responses((status = 204, description = "Removed"))
)]
pub async fn delete_block(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    let key = require_key(&state, &req, &site, Role::Moderator).await?;
    let lang = request_lang(&req, None);
    let removed = state
        .store
        .delete_block(&key.site_key, &id)
        .await
        .map_err(|e| ApiError::storage(e, lang))?;
    if removed {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::new(ErrorCode::NotFound, lang))
    }
}
