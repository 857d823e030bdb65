use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::cors;
use super::site::load_site;
use crate::captcha::CaptchaError;
use crate::domain::{Lang, Site};
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode};
use crate::routes::extract::request_lang;
use crate::routes::time_fmt::rfc3339;
use crate::service::ClientKeys;
use crate::service::now_ms;

#[derive(Deserialize)]
pub struct IssueQuery {
    site: Option<String>,
    /// `1` also renders the spoken version, served at `/captcha/{id}.wav`.
    audio: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "id": "0193c1f2a7d84e2b9b1f6c0d3e5a7b91",
    "image": "data:image/png;base64,iVBORw0KGgo...",
    "image_url": "/api/v1/captcha/0193c1f2a7d84e2b9b1f6c0d3e5a7b91.png",
    "width": 200,
    "height": 64,
    "expires_at": "2026-11-29T18:30:00Z"
}))]
struct IssuedChallenge {
    /// Opaque challenge id, sent back as `captcha_id`.
    id: String,
    /// The image as a `data:` URL.
    image: String,
    image_url: String,
    /// The image's size in pixels (its width grows with the code's length).
    width: u32,
    height: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    audio_url: Option<String>,
    /// RFC 3339, UTC.
    expires_at: String,
}

/// Count one security code for the client against
/// `captcha.max_per_minute_per_ip` and its network against
/// `spam.max_codes_per_minute_per_network` (the API and the no-JS section
/// share both).
pub async fn within_code_budget(
    state: &AppState,
    client: &super::comments::ClientKeys,
) -> Result<(), crate::service::Limited> {
    let now = now_ms();
    state
        .captcha_limiter
        .check(&format!("captcha:{}", client.ip_hash), now)
        .await?;
    if client.net_hash.is_empty() {
        return Ok(());
    }
    state
        .network_code_limiter
        .check(&format!("captcha-net:{}", client.net_hash), now)
        .await
}

/// What issuing a security code or a proof of work begins with: the
/// request's language, the named site (`invalid_parameter` when none is
/// named) and the client's keys, within the client's budget of codes.
pub async fn issue_grant(
    state: &AppState,
    req: &HttpRequest,
    site_key: Option<&str>,
) -> Result<(Lang, Site, ClientKeys), ApiError> {
    let lang = request_lang(req, None);
    let Some(site_key) = site_key else {
        return Err(ApiError::new(ErrorCode::InvalidParameter, lang));
    };
    let site = load_site(state, req, site_key).await?;
    let client = super::comments::client_keys(state, req);
    if let Err(limited) = within_code_budget(state, &client).await {
        return Err(ApiError::rate_limited(limited.retry_after_secs, lang));
    }
    Ok((lang, site, client))
}

/// The answer of an issued challenge: never cached, open to the site's origins.
pub fn issued(req: &HttpRequest, site: &Site, body: impl Serialize) -> HttpResponse {
    let mut resp = HttpResponse::Ok();
    resp.insert_header((header::CACHE_CONTROL, "no-store"));
    cors::allow(&mut resp, req, site);
    resp.json(body)
}

/// A live challenge's image or sound, never cached; `not_found` when there
/// is none.
fn challenge_media(
    req: &HttpRequest,
    media: Result<Option<Vec<u8>>, CaptchaError>,
    content_type: &'static str,
) -> Result<HttpResponse, ApiError> {
    let lang = request_lang(req, None);
    let media = media
        .map_err(|e| captcha_error(e, lang))?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, lang))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type(content_type)
        .body(media))
}

pub fn captcha_error(e: CaptchaError, lang: crate::domain::Lang) -> ApiError {
    match e {
        CaptchaError::Invalid => ApiError::new(ErrorCode::CaptchaInvalid, lang),
        CaptchaError::Storage(s) => ApiError::storage(s, lang),
        CaptchaError::Render => ApiError::internal(e, lang),
    }
}

/// `GET /api/v1/captcha?site=KEY`: a new security code for that site.
#[utoipa::path(
    get, path = "/api/v1/captcha", tag = "captcha",
    operation_id = "issueCaptcha",
    summary = "Issue a security code",
    params(
        ("site" = String, Query, description = "The site key", example = "demo"),
        ("audio" = Option<String>, Query, description = "`1` also renders a spoken version"),
    ),
    responses(
        (status = 200, description = "A new challenge", body = IssuedChallenge),
        (status = 400, description = "`site` is missing (`invalid_parameter`)", body = super::openapi::ErrorBody),
        (status = 404, description = "No such site", body = super::openapi::ErrorBody),
        (status = 429, description = "This client address asked for more codes this minute than \
            `captcha.max_per_minute_per_ip` allows (`rate_limited`)", body = super::openapi::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before retrying"))),
    )
)]
pub async fn issue(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<IssueQuery>,
) -> Result<HttpResponse, ApiError> {
    let (lang, site, _) = issue_grant(&state, &req, query.site.as_deref()).await?;
    let challenge = state
        .captcha
        .issue(
            site.key.as_str(),
            now_ms(),
            query.audio.as_deref() == Some("1"),
        )
        .await
        .map_err(|e| captcha_error(e, lang))?;
    let body = IssuedChallenge {
        image: challenge.data_url(),
        image_url: format!("/api/v1/captcha/{}.png", challenge.id),
        width: state.captcha.image_size().0,
        height: state.captcha.image_size().1,
        audio_url: (query.audio.as_deref() == Some("1"))
            .then(|| format!("/api/v1/captcha/{}.wav", challenge.id)),
        expires_at: rfc3339(challenge.expires_at),
        id: challenge.id,
    };
    Ok(issued(&req, &site, body))
}

/// `GET /api/v1/captcha/{id}.png`: the image of a live challenge.
#[utoipa::path(
    get, path = "/api/v1/captcha/{id}.png", tag = "captcha",
    operation_id = "getCaptchaImage",
    summary = "The image of a live challenge",
    params(("id" = String, Path, description = "Challenge id")),
    responses(
        (status = 200, description = "PNG image", content_type = "image/png", body = Vec<u8>),
        (status = 404, description = "Unknown, used or expired challenge", body = super::openapi::ErrorBody),
    )
)]
pub async fn image(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let png = state.captcha.png(&path.into_inner(), now_ms()).await;
    challenge_media(&req, png, "image/png")
}

/// `GET /api/v1/captcha/{id}.wav`: the spoken version of a live challenge
/// issued with `audio=1`.
#[utoipa::path(
    get, path = "/api/v1/captcha/{id}.wav", tag = "captcha",
    operation_id = "getCaptchaAudio",
    summary = "The spoken version of a live challenge",
    params(("id" = String, Path, description = "Challenge id")),
    responses(
        (status = 200, description = "WAV audio", content_type = "audio/wav", body = Vec<u8>),
        (status = 404, description = "Unknown or expired challenge, or issued without audio", body = super::openapi::ErrorBody),
    )
)]
pub async fn audio(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let wav = state.captcha.wav(&path.into_inner(), now_ms()).await;
    challenge_media(&req, wav, "audio/wav")
}
