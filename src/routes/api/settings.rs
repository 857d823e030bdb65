//! A site's settings (admin key): the same use case as the dashboard's
//! settings form and `majlis site set`.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::key::{Admin, Key};
use crate::domain::{Lang, ModerationMode, Site, SiteChange, SiteSettingsDto};
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::routes::extract::RequestLang;
use crate::service::{self, AdminError, now_ms};

/// A site's settings.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SiteSettings {
    key: String,
    name: String,
    /// Origins allowed to embed the comments: `scheme://host[:port]`, or `*`.
    origins: Vec<String>,
    lang: Lang,
    moderation: ModerationMode,
    max_body: usize,
    terms_url: String,
    terms_version: String,
    captcha: bool,
    /// Close commenting this many days after an article's first comment; 0 = never.
    auto_close_days: u32,
}

impl From<Site> for SiteSettings {
    fn from(s: Site) -> SiteSettings {
        SiteSettings {
            key: s.key.as_str().to_string(),
            name: s.name,
            origins: s.allowed_origins,
            lang: s.default_lang,
            moderation: s.moderation_mode,
            max_body: s.max_body_chars,
            terms_url: s.terms_url,
            terms_version: s.terms_version,
            captcha: s.captcha_enabled,
            auto_close_days: s.auto_close_days.unwrap_or(0),
        }
    }
}

/// The settings to change; fields left out keep their value.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"origins": ["https://www.example.com"], "moderation": "pre"}))]
pub struct SettingsChange {
    name: Option<String>,
    /// Each `scheme://host[:port]` (no path), or `*`.
    origins: Option<Vec<String>>,
    /// `ar` or `en`.
    lang: Option<String>,
    /// `pre` or `post`.
    moderation: Option<String>,
    max_body: Option<u32>,
    terms_url: Option<String>,
    terms_version: Option<String>,
    captcha: Option<bool>,
    /// 0 = never.
    auto_close_days: Option<u32>,
}

/// `GET /api/v1/sites/{site}/settings`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/settings", tag = "sites",
    summary = "The site's settings (admin key)",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo")),
    responses((status = 200, description = "The settings", body = SiteSettings))
)]
pub async fn get(
    state: web::Data<AppState>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let site = state
        .store
        .site(&key.site_key)
        .await
        .or_api(lang)?
        .ok_or_else(|| ApiError::new(ErrorCode::SiteNotFound, lang))?;
    Ok(HttpResponse::Ok().json(SiteSettings::from(site)))
}

/// `PATCH /api/v1/sites/{site}/settings`
#[utoipa::path(
    patch, path = "/api/v1/sites/{site}/settings", tag = "sites",
    summary = "Change the site's settings (admin key)",
    description = "Audited like the dashboard's settings form and `majlis site set`.",
    security(("api_key" = [])),
    params(("site" = String, Path, description = "Site key", example = "demo")),
    request_body = SettingsChange,
    responses(
        (status = 200, description = "The settings after the change", body = SiteSettings),
        (status = 400, description = "A setting is not acceptable (`invalid_parameter`, which in `fields`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn patch(
    state: web::Data<AppState>,
    body: web::Json<SettingsChange>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let change = SiteChange::parse(SiteSettingsDto {
        name: b.name,
        origins: b.origins,
        lang: b.lang,
        moderation: b.moderation,
        max_body: b.max_body.map(|n| n.to_string()),
        terms_url: b.terms_url,
        terms_version: b.terms_version,
        captcha: b.captcha.map(|c| if c { "on" } else { "off" }.to_string()),
        auto_close_days: b.auto_close_days.map(|d| d.to_string()),
    })
    .map_err(|e| ApiError::admin(AdminError::InvalidParameter(e), lang))?;
    let site = service::change_site(&state.store, &key.actor(), &key.site_key, &change, now_ms())
        .await
        .or_api(lang)?;
    state.read_cache.put_site(&site);
    Ok(HttpResponse::Ok().json(SiteSettings::from(site)))
}
