use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::key::{Admin, Key};
use super::private_json;
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::routes::extract::RequestLang;
use crate::routes::time_fmt::rfc3339;
use crate::service::now_ms;
use crate::storage::SiteEmailSettings;

pub(crate) const STATUSES: [&str; 5] = ["pending", "sent", "failed", "logged", "unsubscribed"];
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 200;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// `pending`, `sent`, `failed`, `logged` or `unsubscribed`; absent = all.
    status: Option<String>,
    /// 1 to 200 (default 50).
    limit: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OutboxItem {
    id: String,
    kind: String,
    comment_id: Option<String>,
    to: String,
    subject: String,
    status: String,
    attempts: i64,
    next_attempt_at: String,
    last_error: Option<String>,
    created_at: String,
    sent_at: Option<String>,
}

/// The outbox of a site: counts per status and the newest messages.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OutboxPage {
    /// Messages per status.
    counts: std::collections::BTreeMap<String, i64>,
    items: Vec<OutboxItem>,
}

/// `GET /api/v1/sites/{site}/outbox?status=failed`: the site's mail with
/// counts per status (admin key).
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/outbox", tag = "email",
    operation_id = "listOutbox",
    summary = "Email waiting, sent or failed for this site (admin key)",
    security(("api_key" = [])),
    params(OutboxQuery),
    responses((status = 200, description = "Counts per status and the newest messages", body = OutboxPage))
)]
pub async fn list(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<OutboxQuery>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let _site_key = path.into_inner();
    let bad = || ApiError::new(ErrorCode::InvalidParameter, lang);
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(s) if STATUSES.contains(&s) => Some(s),
        Some(_) => return Err(bad()),
    };
    let limit = match query.limit {
        None => DEFAULT_LIMIT,
        Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => return Err(bad()),
    };
    let counts = state
        .store
        .outbox_counts(&key.site_key)
        .await
        .or_api(lang)?;
    let rows = state
        .store
        .outbox_messages(&key.site_key, status, limit)
        .await
        .or_api(lang)?;
    let counts: std::collections::BTreeMap<String, i64> = STATUSES
        .iter()
        .map(|s| {
            let n = counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
            ((*s).to_string(), n)
        })
        .collect();
    let items: Vec<OutboxItem> = rows
        .into_iter()
        .map(|row| {
            let m = row.message;
            OutboxItem {
                id: m.id,
                kind: m.kind,
                comment_id: m.comment_id,
                to: m.to_addr,
                subject: m.subject,
                status: row.status,
                attempts: row.attempts,
                next_attempt_at: rfc3339(row.next_attempt_at),
                last_error: row.last_error,
                created_at: rfc3339(m.created_at),
                sent_at: row.sent_at.map(rfc3339),
            }
        })
        .collect();
    Ok(private_json(OutboxPage { counts, items }))
}

/// Longest sender display name a site may set.
const FROM_NAME_MAX: usize = 80;

/// A site's email settings.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EmailSettingsJson {
    from_name: Option<String>,
    moderator_alerts: bool,
    notify_published: bool,
    notify_rejected: bool,
}

impl From<SiteEmailSettings> for EmailSettingsJson {
    fn from(s: SiteEmailSettings) -> EmailSettingsJson {
        EmailSettingsJson {
            from_name: s.from_name,
            moderator_alerts: s.moderator_alerts,
            notify_published: s.notify_published,
            notify_rejected: s.notify_rejected,
        }
    }
}

/// Fields left out keep their current value; `from_name: null` (or "")
/// returns to the site's name.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailSettingsBody {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    from_name: Option<Option<String>>,
    moderator_alerts: Option<bool>,
    notify_published: Option<bool>,
    notify_rejected: Option<bool>,
}

/// A field that is present (even as `null`) is `Some`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `GET /api/v1/sites/{site}/email-settings` (admin key).
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/email-settings", tag = "email",
    operation_id = "getEmailSettings",
    summary = "The site's email settings (admin key)",
    security(("api_key" = [])),
    responses((status = 200, description = "The settings", body = EmailSettingsJson))
)]
pub async fn get_settings(
    state: web::Data<AppState>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let s = state
        .store
        .site_email_settings(&key.site_key)
        .await
        .or_api(lang)?;
    Ok(private_json(EmailSettingsJson::from(s)))
}

/// `PUT /api/v1/sites/{site}/email-settings` (admin key).
#[utoipa::path(
    put, path = "/api/v1/sites/{site}/email-settings", tag = "email",
    operation_id = "putEmailSettings",
    summary = "Change the site's email settings; fields left out keep their value (admin key)",
    security(("api_key" = [])),
    request_body = EmailSettingsBody,
    responses((status = 200, description = "The new settings", body = EmailSettingsJson))
)]
pub async fn put_settings(
    state: web::Data<AppState>,
    body: web::Json<EmailSettingsBody>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
) -> Result<HttpResponse, ApiError> {
    let mut s = state
        .store
        .site_email_settings(&key.site_key)
        .await
        .or_api(lang)?;
    let b = body.into_inner();
    if let Some(name) = b.from_name {
        let name = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if let Some(n) = &name {
            // A display name ends up in the From header: no line breaks,
            // controls or direction overrides, bounded.
            let unsafe_char = n.chars().any(|c| {
                c.is_control()
                    || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{200B}'..='\u{200F}'
                        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
            });
            if unsafe_char || n.chars().count() > FROM_NAME_MAX {
                return Err(
                    ApiError::new(ErrorCode::InvalidParameter, lang).with_detail(format!(
                        "from_name must be at most {FROM_NAME_MAX} characters on one line"
                    )),
                );
            }
        }
        s.from_name = name;
    }
    s.moderator_alerts = b.moderator_alerts.unwrap_or(s.moderator_alerts);
    s.notify_published = b.notify_published.unwrap_or(s.notify_published);
    s.notify_rejected = b.notify_rejected.unwrap_or(s.notify_rejected);
    state
        .store
        .set_site_email_settings(&key.site_key, &s, now_ms())
        .await
        .or_api(lang)?;
    tracing::info!(site = %key.site_key, api_key = %key.id, "email settings changed");
    Ok(private_json(EmailSettingsJson::from(s)))
}
