//! The instance's admin API (root key): sites, their API keys and the
//! dashboard's accounts. Every change is the same use case as `majlis site`,
//! `majlis apikey`, `majlis moderator` and the dashboard's admin pages, with
//! the same validation and audit rows.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::key::RootKey;
use super::no_store;
use super::settings::{SettingsChange, SiteSettings};
use crate::domain::{FieldError, Lang, SiteKey, ValidationErrors};
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::routes::extract::RequestLang;
use crate::routes::time_fmt::rfc3339;
use crate::service::{self, NewModeratorDto, now_ms};
use crate::storage::{ApiKeyRecord, ModeratorRecord};

fn invalid(field: &str, code: &'static str, lang: Lang) -> ApiError {
    let mut e = ValidationErrors::default();
    e.add(field, FieldError::new(code));
    ApiError::invalid_fields(e, lang)
}

/// Every site of the instance.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SiteList {
    sites: Vec<SiteSettings>,
}

/// A site to create: its key and, optionally, settings other than the defaults.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"key": "alwatan", "settings": {"name": "Al Watan", "origins": ["https://www.alwatan.example"]}}))]
pub struct NewSite {
    /// 1–64 characters of `a-z`, `0-9`, `-` and `_`; the key in every URL of the site.
    #[schema(min_length = 1, max_length = 64, pattern = "^[a-z0-9_-]{1,64}$")]
    key: String,
    settings: Option<SettingsChange>,
}

/// `GET /api/v1/admin/sites`
#[utoipa::path(
    get, path = "/api/v1/admin/sites", tag = "admin",
    operation_id = "listSites",
    summary = "Every site of the instance (root key)",
    security(("root_key" = [])),
    responses((status = 200, description = "Sites by key", body = SiteList))
)]
pub async fn list_sites(
    state: web::Data<AppState>,
    RequestLang(lang): RequestLang,
    _root: RootKey,
) -> Result<HttpResponse, ApiError> {
    let sites = state.store.sites().await.or_api(lang)?;
    Ok(no_store(HttpResponse::Ok()).json(SiteList {
        sites: sites.into_iter().map(SiteSettings::from).collect(),
    }))
}

/// `POST /api/v1/admin/sites`
#[utoipa::path(
    post, path = "/api/v1/admin/sites", tag = "admin",
    operation_id = "createSite",
    summary = "Create a site (root key)",
    description = "As `majlis site add`: the defaults, then the given settings. Audited.",
    security(("root_key" = [])),
    request_body = NewSite,
    responses(
        (status = 201, description = "The new site's settings", body = SiteSettings),
        (status = 409, description = "A site with this key exists (`conflict`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn create_site(
    state: web::Data<AppState>,
    body: web::Json<NewSite>,
    RequestLang(lang): RequestLang,
    root: RootKey,
) -> Result<HttpResponse, ApiError> {
    let NewSite { key, settings } = body.into_inner();
    let key = SiteKey::parse(&key).map_err(|_| invalid("key", "invalid_site_key", lang))?;
    let change = settings
        .unwrap_or_default()
        .parse()
        .map_err(|e| ApiError::admin(e, lang))?;
    let site = service::create_site(&state.store, &root.actor(), key, &change, now_ms())
        .await
        .or_api(lang)?;
    state.read_cache.put_site(&site);
    Ok(no_store(HttpResponse::Created()).json(SiteSettings::from(site)))
}

/// `GET /api/v1/admin/sites/{site}`
#[utoipa::path(
    get, path = "/api/v1/admin/sites/{site}", tag = "admin",
    operation_id = "getSite",
    summary = "One site's settings (root key)",
    security(("root_key" = [])),
    responses((status = 200, description = "The settings", body = SiteSettings))
)]
pub async fn get_site(
    state: web::Data<AppState>,
    site: web::Path<String>,
    RequestLang(lang): RequestLang,
    _root: RootKey,
) -> Result<HttpResponse, ApiError> {
    let site = state
        .store
        .site(&site)
        .await
        .or_api(lang)?
        .ok_or_else(|| ApiError::new(ErrorCode::SiteNotFound, lang))?;
    Ok(no_store(HttpResponse::Ok()).json(SiteSettings::from(site)))
}

/// `PATCH /api/v1/admin/sites/{site}`
#[utoipa::path(
    patch, path = "/api/v1/admin/sites/{site}", tag = "admin",
    operation_id = "updateSite",
    summary = "Change a site's settings (root key)",
    description = "The same change as `PATCH /api/v1/sites/{site}/settings` with the site's \
        admin key, the dashboard's settings form and `majlis site set`. Audited.",
    security(("root_key" = [])),
    request_body = SettingsChange,
    responses((status = 200, description = "The settings after the change", body = SiteSettings))
)]
pub async fn update_site(
    state: web::Data<AppState>,
    site: web::Path<String>,
    body: web::Json<SettingsChange>,
    RequestLang(lang): RequestLang,
    root: RootKey,
) -> Result<HttpResponse, ApiError> {
    let change = body
        .into_inner()
        .parse()
        .map_err(|e| ApiError::admin(e, lang))?;
    let site = service::change_site(&state.store, &root.actor(), &site, &change, now_ms())
        .await
        .or_api(lang)?;
    state.read_cache.put_site(&site);
    Ok(no_store(HttpResponse::Ok()).json(SiteSettings::from(site)))
}

/// A site's API key, without its secret.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SiteKeyJson {
    id: String,
    /// `moderator` or `admin`.
    role: String,
    label: String,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    revoked_at: Option<String>,
}

impl From<ApiKeyRecord> for SiteKeyJson {
    fn from(k: ApiKeyRecord) -> SiteKeyJson {
        SiteKeyJson {
            id: k.id,
            role: k.role,
            label: k.label,
            created_at: rfc3339(k.created_at),
            revoked_at: k.revoked_at.map(rfc3339),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SiteKeyList {
    keys: Vec<SiteKeyJson>,
}

/// A new key and its secret, shown only this once.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NewSiteKeyJson {
    id: String,
    role: String,
    label: String,
    #[schema(format = DateTime)]
    created_at: String,
    /// The bearer token; only its hash is stored.
    secret: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "moderator", "label": "newsroom CMS"}))]
pub struct NewSiteKey {
    /// `moderator` or `admin`.
    role: String,
    /// Cut to 100 characters.
    #[serde(default)]
    label: String,
}

/// `GET /api/v1/admin/sites/{site}/keys`
#[utoipa::path(
    get, path = "/api/v1/admin/sites/{site}/keys", tag = "admin",
    operation_id = "listSiteKeys",
    summary = "A site's API keys, live and revoked, never their secrets (root key)",
    security(("root_key" = [])),
    responses((status = 200, description = "Keys, oldest first", body = SiteKeyList))
)]
pub async fn list_keys(
    state: web::Data<AppState>,
    site: web::Path<String>,
    RequestLang(lang): RequestLang,
    _root: RootKey,
) -> Result<HttpResponse, ApiError> {
    if state.store.site(&site).await.or_api(lang)?.is_none() {
        return Err(ApiError::new(ErrorCode::SiteNotFound, lang));
    }
    let keys = state.store.api_keys(&site).await.or_api(lang)?;
    Ok(no_store(HttpResponse::Ok()).json(SiteKeyList {
        keys: keys.into_iter().map(SiteKeyJson::from).collect(),
    }))
}

/// `POST /api/v1/admin/sites/{site}/keys`
#[utoipa::path(
    post, path = "/api/v1/admin/sites/{site}/keys", tag = "admin",
    operation_id = "createSiteKey",
    summary = "Create an API key for a site (root key)",
    description = "As `majlis apikey create`: the answer carries the secret, shown only this \
        once. Audited.",
    security(("root_key" = [])),
    request_body = NewSiteKey,
    responses((status = 201, description = "The key and its secret", body = NewSiteKeyJson))
)]
pub async fn create_key(
    state: web::Data<AppState>,
    site: web::Path<String>,
    body: web::Json<NewSiteKey>,
    RequestLang(lang): RequestLang,
    root: RootKey,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let (record, secret) = service::create_api_key(
        &state.store,
        &root.actor(),
        &site,
        &b.role,
        &b.label,
        now_ms(),
    )
    .await
    .or_api(lang)?;
    Ok(no_store(HttpResponse::Created()).json(NewSiteKeyJson {
        id: record.id,
        role: record.role,
        label: record.label,
        created_at: rfc3339(record.created_at),
        secret,
    }))
}

/// `DELETE /api/v1/admin/sites/{site}/keys/{id}`
#[utoipa::path(
    delete, path = "/api/v1/admin/sites/{site}/keys/{id}", tag = "admin",
    operation_id = "revokeSiteKey",
    summary = "Revoke a site's API key (root key)",
    description = "The key stops working at once. Audited.",
    security(("root_key" = [])),
    params(("id" = String, Path, description = "Key id")),
    responses((status = 204, description = "Revoked"))
)]
pub async fn revoke_key(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    RequestLang(lang): RequestLang,
    root: RootKey,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    if state.store.site(&site).await.or_api(lang)?.is_none() {
        return Err(ApiError::new(ErrorCode::SiteNotFound, lang));
    }
    service::revoke_api_key(&state.store, &root.actor(), &site, &id, now_ms())
        .await
        .or_api(lang)?;
    Ok(HttpResponse::NoContent().finish())
}

/// A dashboard account, without its password hash.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ModeratorJson {
    id: String,
    email: String,
    /// `moderator` or `admin` (an admin without sites administers every site).
    role: String,
    sites: Vec<String>,
    lang: String,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    disabled_at: Option<String>,
}

impl From<ModeratorRecord> for ModeratorJson {
    fn from(m: ModeratorRecord) -> ModeratorJson {
        ModeratorJson {
            id: m.id,
            email: m.email,
            role: m.role,
            sites: m.sites,
            lang: m.lang,
            created_at: rfc3339(m.created_at),
            disabled_at: m.disabled_at.map(rfc3339),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ModeratorList {
    moderators: Vec<ModeratorJson>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "editor@alwatan.example", "role": "moderator", "sites": ["alwatan"], "password": "a long enough passphrase"}))]
pub struct NewModerator {
    email: String,
    /// `moderator` (needs at least one site) or `admin`.
    role: String,
    #[serde(default)]
    sites: Vec<String>,
    /// `ar` (the default) or `en`: the dashboard's language.
    lang: Option<String>,
    /// At least 12 characters.
    password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    /// At least 12 characters.
    password: String,
}

/// `GET /api/v1/admin/moderators`
#[utoipa::path(
    get, path = "/api/v1/admin/moderators", tag = "admin",
    operation_id = "listModerators",
    summary = "Every dashboard account (root key)",
    security(("root_key" = [])),
    responses((status = 200, description = "Accounts by email", body = ModeratorList))
)]
pub async fn list_moderators(
    state: web::Data<AppState>,
    RequestLang(lang): RequestLang,
    _root: RootKey,
) -> Result<HttpResponse, ApiError> {
    let all = state.store.moderators().await.or_api(lang)?;
    Ok(no_store(HttpResponse::Ok()).json(ModeratorList {
        moderators: all.into_iter().map(ModeratorJson::from).collect(),
    }))
}

/// `POST /api/v1/admin/moderators`
#[utoipa::path(
    post, path = "/api/v1/admin/moderators", tag = "admin",
    operation_id = "createModerator",
    summary = "Create a dashboard account (root key)",
    description = "As `majlis moderator add` and the dashboard's accounts page: the email, \
        role, sites, language and password policy are checked alike. Audited.",
    security(("root_key" = [])),
    request_body = NewModerator,
    responses(
        (status = 201, description = "The account", body = ModeratorJson),
        (status = 409, description = "The email has an account (`conflict`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn create_moderator(
    state: web::Data<AppState>,
    body: web::Json<NewModerator>,
    RequestLang(lang): RequestLang,
    root: RootKey,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let dto = NewModeratorDto {
        email: b.email,
        role: b.role,
        sites: b.sites,
        lang: b.lang,
        password: b.password,
    };
    let record = service::add_moderator(&state.store, &root.actor(), dto, now_ms())
        .await
        .or_api(lang)?;
    Ok(no_store(HttpResponse::Created()).json(ModeratorJson::from(record)))
}

/// `POST /api/v1/admin/moderators/{id}/disable`
#[utoipa::path(
    post, path = "/api/v1/admin/moderators/{id}/disable", tag = "admin",
    operation_id = "disableModerator",
    summary = "Disable a dashboard account and end its sessions (root key)",
    security(("root_key" = [])),
    params(("id" = String, Path, description = "Account id")),
    responses((status = 204, description = "Disabled"))
)]
pub async fn disable_moderator(
    state: web::Data<AppState>,
    id: web::Path<String>,
    RequestLang(lang): RequestLang,
    root: RootKey,
) -> Result<HttpResponse, ApiError> {
    service::disable_moderator(&state.store, &root.actor(), &id, now_ms())
        .await
        .or_api(lang)?;
    Ok(HttpResponse::NoContent().finish())
}

/// `PUT /api/v1/admin/moderators/{id}/password`
#[utoipa::path(
    put, path = "/api/v1/admin/moderators/{id}/password", tag = "admin",
    operation_id = "setModeratorPassword",
    summary = "Set an account's password and end its sessions (root key)",
    security(("root_key" = [])),
    params(("id" = String, Path, description = "Account id")),
    request_body = NewPassword,
    responses((status = 204, description = "Set"))
)]
pub async fn set_password(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<NewPassword>,
    RequestLang(lang): RequestLang,
    root: RootKey,
) -> Result<HttpResponse, ApiError> {
    service::set_moderator_password(
        &state.store,
        &root.actor(),
        &id,
        &body.into_inner().password,
        now_ms(),
    )
    .await
    .or_api(lang)?;
    Ok(HttpResponse::NoContent().finish())
}
