pub mod admin;
pub mod articles;
pub mod captcha;
pub mod changes;
pub mod comment;
pub mod comments;
pub mod cors;
pub mod export;
pub mod feeds;
mod key;
pub mod likes;
pub mod moderation;
pub mod openapi;
pub mod outbox;
pub mod paging;
pub mod pow;
pub mod privacy;
pub mod reports;
pub mod rules;
pub mod settings;
mod site;
pub mod webhooks;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponseBuilder, web};

use super::error::{ApiError, ErrorCode};
use super::extract::request_lang;
use crate::routes::AppState;

pub use site::load_site;

/// `resp`, which no cache may keep (`Cache-Control: no-store`).
pub fn no_store(mut resp: HttpResponseBuilder) -> HttpResponseBuilder {
    resp.insert_header((header::CACHE_CONTROL, "no-store"));
    resp
}

/// `200 OK` with `body` as JSON, which no cache may keep.
pub fn private_json(body: impl serde::Serialize) -> actix_web::HttpResponse {
    no_store(actix_web::HttpResponse::Ok()).json(body)
}

/// Unknown `/api/v1` paths answer in the API's error shape.
pub async fn not_found(
    req: HttpRequest,
    _state: web::Data<AppState>,
) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::new(ErrorCode::NotFound, request_lang(&req, None)))
}

/// Body, query and path decoding failures answer in the API's error shape
/// too, never as actix's plain-text defaults.
pub fn scope_config(scope: actix_web::Scope) -> actix_web::Scope {
    use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
    scope
        .app_data(
            web::JsonConfig::default().error_handler(|err: JsonPayloadError, req| {
                let lang = request_lang(req, None);
                let code = match err {
                    JsonPayloadError::ContentType => ErrorCode::UnsupportedMediaType,
                    JsonPayloadError::Overflow { .. }
                    | JsonPayloadError::OverflowKnownLength { .. } => ErrorCode::PayloadTooLarge,
                    _ => ErrorCode::MalformedJson,
                };
                ApiError::new(code, lang).into()
            }),
        )
        .app_data(
            web::QueryConfig::default().error_handler(|_: QueryPayloadError, req| {
                ApiError::new(ErrorCode::InvalidParameter, request_lang(req, None)).into()
            }),
        )
        .app_data(
            web::PathConfig::default().error_handler(|_: PathError, req| {
                ApiError::new(ErrorCode::NotFound, request_lang(req, None)).into()
            }),
        )
}
