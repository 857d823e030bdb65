pub mod captcha;
pub mod comments;
pub mod cors;
pub mod moderation;
pub mod outbox;
pub mod rules;
mod site;

use actix_web::{HttpRequest, web};

use super::error::{ApiError, ErrorCode};
use super::extract::request_lang;
use crate::startup::AppState;

pub use site::load_site;

/// Unknown `/api/v1` paths answer in the API's error shape.
pub async fn not_found(
    req: HttpRequest,
    _state: web::Data<AppState>,
) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::new(ErrorCode::NotFound, request_lang(&req, None)))
}
