use actix_web::HttpRequest;
use actix_web::http::header;

use crate::auth::{ApiKey, Role, hash_api_key};
use crate::domain::{Lang, Site};
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::routes::extract::{header_text, request_lang};

/// The site named in the path, or 404 in the request's language.
pub async fn load_site(state: &AppState, req: &HttpRequest, key: &str) -> Result<Site, ApiError> {
    if let Some(site) = state.read_cache.site(key) {
        return Ok(site);
    }
    match state.store.site(key).await {
        Ok(Some(site)) => {
            state.read_cache.put_site(&site);
            Ok(site)
        }
        Ok(None) => Err(ApiError::new(
            ErrorCode::SiteNotFound,
            request_lang(req, None),
        )),
        Err(e) => Err(ApiError::storage(e, request_lang(req, None))),
    }
}

/// The key of `Authorization: Bearer KEY`, if the header has that shape.
pub(super) fn bearer_token(req: &HttpRequest) -> Option<&str> {
    header_text(req.headers(), header::AUTHORIZATION)
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128)
}

/// 429 with Retry-After when the key `id` (a site's or a root key) made
/// more requests this minute than `api.rate_limit_per_minute` allows.
pub(super) async fn within_budget(state: &AppState, id: &str, lang: Lang) -> Result<(), ApiError> {
    match state.api_limiter.check(id, crate::service::now_ms()).await {
        Ok(_) => Ok(()),
        Err(limited) => {
            tracing::info!(key = %id, "key over its request budget");
            Err(ApiError::rate_limited(limited.retry_after_secs, lang))
        }
    }
}

/// The API key of the `Authorization: Bearer` header, valid for `site_key`
/// with at least `role`. A missing or unknown key is 401; a key of another
/// site is 404 (another site's resources do not exist for it); a key with too
/// small a role is 403; a key over its request budget is 429 with
/// Retry-After. Keys are accepted only in the header.
pub async fn require_key(
    state: &AppState,
    req: &HttpRequest,
    site_key: &str,
    role: Role,
) -> Result<ApiKey, ApiError> {
    let lang = request_lang(req, None);
    let token = bearer_token(req).ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, lang))?;
    let record = state
        .store
        .api_key_by_hash(&hash_api_key(token))
        .await
        .or_api(lang)?
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, lang))?;
    within_budget(state, &record.id, lang).await?;
    if record.site_key != site_key {
        return Err(ApiError::new(ErrorCode::SiteNotFound, lang));
    }
    let key_role =
        Role::parse(&record.role).ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, lang))?;
    if key_role < role {
        return Err(ApiError::new(ErrorCode::Forbidden, lang));
    }
    Ok(ApiKey {
        id: record.id,
        site_key: record.site_key,
        role: key_role,
    })
}
