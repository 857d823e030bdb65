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
    /// The form asks for the security code (`captcha_mode` is not `off`).
    captcha: bool,
    /// When the form asks for it: `always`, `when-suspicious` or `off`.
    captcha_mode: crate::domain::CaptchaMode,
    /// Spam score at which a comment is held with `spam` suggested (0 = never).
    spam_threshold: u32,
    /// Close commenting this many days after an article's first comment; 0 = never.
    #[schema(maximum = 3650)]
    auto_close_days: u32,
    /// The posting rules shown above the form's submit button, in Arabic;
    /// empty = majlis's built-in text.
    rules_text_ar: String,
    /// The same in English.
    rules_text_en: String,
    /// Readers may like published comments (off by default).
    likes: bool,
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
            captcha: s.captcha.enabled(),
            captcha_mode: s.captcha,
            spam_threshold: s.spam_threshold,
            auto_close_days: s.auto_close_days.unwrap_or(0),
            rules_text_ar: s.rules_text.ar,
            rules_text_en: s.rules_text.en,
            likes: s.likes,
        }
    }
}

/// The settings to change; fields left out keep their value.
#[derive(Deserialize, Default, utoipa::ToSchema)]
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
    /// `true` (`always`), `false` (`off`), `"always"`, `"when-suspicious"`
    /// or `"off"`.
    captcha: Option<CaptchaSetting>,
    /// Spam score at which a comment is held with `spam` suggested; 0 = never.
    spam_threshold: Option<u32>,
    /// 0 = never; at most 3650 (ten years).
    #[schema(maximum = 3650)]
    auto_close_days: Option<u32>,
    /// The posting rules shown on the form, in Arabic (line breaks kept; at
    /// most 2,000 characters; empty = the built-in text).
    #[schema(max_length = 2000)]
    rules_text_ar: Option<String>,
    /// The same in English.
    #[schema(max_length = 2000)]
    rules_text_en: Option<String>,
    /// Readers may like published comments.
    likes: Option<bool>,
}

impl SettingsChange {
    /// The change as the domain checks it (the same rules as the dashboard
    /// and the CLI).
    pub(super) fn parse(self) -> Result<SiteChange, AdminError> {
        SiteChange::parse(SiteSettingsDto {
            name: self.name,
            origins: self.origins,
            lang: self.lang,
            moderation: self.moderation,
            max_body: self.max_body.map(|n| n.to_string()),
            terms_url: self.terms_url,
            terms_version: self.terms_version,
            captcha: self.captcha.map(|c| match c {
                CaptchaSetting::OnOff(true) => "always".to_string(),
                CaptchaSetting::OnOff(false) => "off".to_string(),
                CaptchaSetting::Mode(m) => m,
            }),
            spam_threshold: self.spam_threshold.map(|t| t.to_string()),
            auto_close_days: self.auto_close_days.map(|d| d.to_string()),
            rules_text_ar: self.rules_text_ar,
            rules_text_en: self.rules_text_en,
            likes: self.likes.map(|l| if l { "on" } else { "off" }.to_string()),
        })
        .map_err(AdminError::InvalidParameter)
    }
}

/// The captcha setting: the on/off of old, or a mode (`always`,
/// `when-suspicious`, `off`).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
enum CaptchaSetting {
    OnOff(bool),
    Mode(String),
}

/// `GET /api/v1/sites/{site}/settings`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/settings", tag = "sites",
    operation_id = "getSiteSettings",
    summary = "The site's settings (admin key)",
    security(("api_key" = [])),
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
    operation_id = "updateSiteSettings",
    summary = "Change the site's settings (admin key)",
    description = "Audited like the dashboard's settings form and `majlis site set`.",
    security(("api_key" = [])),
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
    let change = body
        .into_inner()
        .parse()
        .map_err(|e| ApiError::admin(e, lang))?;
    let site = service::change_site(&state.store, &key.actor(), &key.site_key, &change, now_ms())
        .await
        .or_api(lang)?;
    state.read_cache.put_site(&site);
    Ok(HttpResponse::Ok().json(SiteSettings::from(site)))
}
