use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::cors;
use super::site::load_site;
use crate::captcha::CaptchaError;
use crate::routes::error::{ApiError, ErrorCode};
use crate::routes::extract::request_lang;
use crate::routes::time_fmt::rfc3339;
use crate::service::now_ms;
use crate::startup::AppState;

#[derive(Deserialize)]
pub struct IssueQuery {
    site: Option<String>,
    /// `1` also renders the spoken version, served at `/captcha/{id}.wav`.
    audio: Option<String>,
}

#[derive(Serialize)]
struct IssuedChallenge {
    id: String,
    image: String,
    image_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    audio_url: Option<String>,
    expires_at: String,
}

pub fn captcha_error(e: CaptchaError, lang: crate::domain::Lang) -> ApiError {
    match e {
        CaptchaError::Invalid => ApiError::new(ErrorCode::CaptchaInvalid, lang),
        CaptchaError::Storage(s) => ApiError::storage(s, lang),
        CaptchaError::Render => ApiError::internal(e, lang),
    }
}

/// `GET /api/v1/captcha?site=KEY`: a new security code for that site.
pub async fn issue(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<IssueQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = request_lang(&req, None);
    let Some(site_key) = query.site.as_deref() else {
        return Err(ApiError::new(ErrorCode::InvalidParameter, lang));
    };
    let site = load_site(&state, &req, site_key).await?;
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
        audio_url: (query.audio.as_deref() == Some("1"))
            .then(|| format!("/api/v1/captcha/{}.wav", challenge.id)),
        expires_at: rfc3339(challenge.expires_at),
        id: challenge.id,
    };
    let mut resp = HttpResponse::Ok();
    resp.insert_header((header::CACHE_CONTROL, "no-store"));
    cors::allow(&mut resp, &req, &site);
    Ok(resp.json(body))
}

/// `GET /api/v1/captcha/{id}.png`: the image of a live challenge.
pub async fn image(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let lang = request_lang(&req, None);
    let png = state
        .captcha
        .png(&path.into_inner(), now_ms())
        .await
        .map_err(|e| captcha_error(e, lang))?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, lang))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("image/png")
        .body(png))
}

/// `GET /api/v1/captcha/{id}.wav`: the spoken version of a live challenge
/// issued with `audio=1`.
pub async fn audio(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let lang = request_lang(&req, None);
    let wav = state
        .captcha
        .wav(&path.into_inner(), now_ms())
        .await
        .map_err(|e| captcha_error(e, lang))?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, lang))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("audio/wav")
        .body(wav))
}
