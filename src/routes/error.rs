use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::{Lang, ValidationErrors};
use crate::i18n::{t, tf};

/// Stable, documented error codes of the JSON API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    ValidationFailed,
    CaptchaInvalid,
    /// The site asks for the security code when a submission looks suspicious.
    CaptchaRequired,
    ArticleClosed,
    SiteNotFound,
    CommentNotFound,
    NotFound,
    UnsupportedMediaType,
    MalformedJson,
    PayloadTooLarge,
    Unauthorized,
    Forbidden,
    InvalidTransition,
    InvalidParameter,
    RateLimited,
    ServiceUnavailable,
    StorageFull,
    InternalError,
    ViolatesPostingRules,
    InvalidPolicy,
    Conflict,
    RequestTimeout,
    MethodNotAllowed,
    UriTooLong,
    HeadersTooLarge,
    OriginNotAllowed,
    /// The site has not turned likes on.
    LikesDisabled,
    AlreadyLiked,
    NotLiked,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::CaptchaInvalid => "captcha_invalid",
            ErrorCode::CaptchaRequired => "captcha_required",
            ErrorCode::ArticleClosed => "article_closed",
            ErrorCode::SiteNotFound => "site_not_found",
            ErrorCode::CommentNotFound => "comment_not_found",
            ErrorCode::NotFound => "not_found",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::InvalidTransition => "invalid_transition",
            ErrorCode::InvalidParameter => "invalid_parameter",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::StorageFull => "storage_full",
            ErrorCode::InternalError => "internal_error",
            ErrorCode::ViolatesPostingRules => "violates_posting_rules",
            ErrorCode::InvalidPolicy => "invalid_policy",
            ErrorCode::Conflict => "conflict",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::UriTooLong => "uri_too_long",
            ErrorCode::HeadersTooLarge => "headers_too_large",
            ErrorCode::OriginNotAllowed => "origin_not_allowed",
            ErrorCode::LikesDisabled => "likes_disabled",
            ErrorCode::AlreadyLiked => "already_liked",
            ErrorCode::NotLiked => "not_liked",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::CaptchaInvalid | ErrorCode::CaptchaRequired => StatusCode::BAD_REQUEST,
            ErrorCode::ArticleClosed => StatusCode::FORBIDDEN,
            ErrorCode::SiteNotFound => StatusCode::NOT_FOUND,
            ErrorCode::CommentNotFound => StatusCode::NOT_FOUND,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::MalformedJson => StatusCode::BAD_REQUEST,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::InvalidTransition => StatusCode::CONFLICT,
            ErrorCode::InvalidParameter => StatusCode::BAD_REQUEST,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
            ErrorCode::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::ViolatesPostingRules => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidPolicy => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::UriTooLong => StatusCode::URI_TOO_LONG,
            ErrorCode::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::OriginNotAllowed => StatusCode::FORBIDDEN,
            ErrorCode::LikesDisabled => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::AlreadyLiked | ErrorCode::NotLiked => StatusCode::CONFLICT,
        }
    }
}

/// An error of the JSON API: `{"error", "message", "fields"}`, localized.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub lang: Lang,
    pub fields: Option<ValidationErrors>,
    pub retry_after: Option<u64>,
    /// The cause of a 5xx, logged once here at the edge, never sent.
    pub cause: Option<anyhow::Error>,
    /// A precise message replacing the catalogue text (e.g. which regex of a
    /// policy does not compile). Only for messages meant for integrators.
    pub detail: Option<String>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code.as_str())
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, lang: Lang) -> ApiError {
        let retry_after = match code {
            ErrorCode::ServiceUnavailable | ErrorCode::StorageFull => Some(2),
            _ => None,
        };
        ApiError {
            code,
            lang,
            fields: None,
            retry_after,
            cause: None,
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> ApiError {
        self.detail = Some(detail.into());
        self
    }

    pub fn rate_limited(retry_after: u64, lang: Lang) -> ApiError {
        ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(ErrorCode::RateLimited, lang)
        }
    }

    pub fn validation(errors: ValidationErrors, lang: Lang) -> ApiError {
        ApiError {
            fields: Some(errors),
            ..ApiError::new(ErrorCode::ValidationFailed, lang)
        }
    }

    pub fn internal(cause: impl Into<anyhow::Error>, lang: Lang) -> ApiError {
        ApiError {
            cause: Some(cause.into()),
            ..ApiError::new(ErrorCode::InternalError, lang)
        }
    }

    /// The answer to a refused or failed admin use case, the same from every
    /// front door.
    /// 400 `invalid_parameter`, naming the fields at fault.
    pub fn invalid_fields(errors: ValidationErrors, lang: Lang) -> ApiError {
        ApiError {
            fields: Some(errors),
            ..ApiError::new(ErrorCode::InvalidParameter, lang)
        }
    }

    pub fn admin(e: crate::service::AdminError, lang: Lang) -> ApiError {
        use crate::service::AdminError;
        let code = match e {
            AdminError::InvalidParameter(errors) => return ApiError::invalid_fields(errors, lang),
            AdminError::Validation(errors) => return ApiError::validation(errors, lang),
            AdminError::Storage(e) => return ApiError::storage(e, lang),
            AdminError::Internal(e) => return ApiError::internal(e, lang),
            AdminError::InvalidPolicy(detail) => {
                return ApiError::new(ErrorCode::InvalidPolicy, lang).with_detail(detail);
            }
            AdminError::Limit { what, max } => {
                return ApiError::new(ErrorCode::Conflict, lang)
                    .with_detail(format!("A site may have at most {max} {what}."));
            }
            AdminError::SiteNotFound => ErrorCode::SiteNotFound,
            AdminError::CommentNotFound => ErrorCode::CommentNotFound,
            AdminError::NotFound => ErrorCode::NotFound,
            AdminError::Conflict => ErrorCode::Conflict,
            AdminError::InvalidTransition => ErrorCode::InvalidTransition,
        };
        ApiError::new(code, lang)
    }

    pub fn storage(e: crate::storage::StorageError, lang: Lang) -> ApiError {
        use crate::storage::StorageError;
        let code = match &e {
            StorageError::Unavailable(_) => ErrorCode::ServiceUnavailable,
            StorageError::Full(_) => ErrorCode::StorageFull,
            StorageError::Conflict | StorageError::Corrupt(_) | StorageError::Other(_) => {
                ErrorCode::InternalError
            }
        };
        ApiError {
            cause: Some(e.into()),
            ..ApiError::new(code, lang)
        }
    }
}

#[derive(Serialize)]
struct FieldMessage {
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<BTreeMap<String, Vec<FieldMessage>>>,
}

/// Localized messages for every field error.
pub fn field_messages(
    errors: &ValidationErrors,
    lang: Lang,
) -> BTreeMap<String, Vec<(&'static str, String)>> {
    errors
        .0
        .iter()
        .map(|(field, errs)| {
            let msgs = errs
                .iter()
                .map(|e| {
                    let key = format!("field.{}", e.code);
                    let params = e.params.iter().map(|(k, v)| (*k, v.as_str()));
                    (e.code, tf(lang, &key, params))
                })
                .collect();
            (field.clone(), msgs)
        })
        .collect()
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            tracing::error!(error.code = self.code.as_str(), error.cause = ?cause, "request failed");
        }
        let message_key = format!("error.{}", self.code.as_str());
        let fields = self.fields.as_ref().map(|f| {
            field_messages(f, self.lang)
                .into_iter()
                .map(|(k, v)| {
                    let v = v
                        .into_iter()
                        .map(|(code, message)| FieldMessage { code, message })
                        .collect();
                    (k, v)
                })
                .collect()
        });
        let body = Body {
            error: self.code.as_str(),
            message: self
                .detail
                .as_deref()
                .unwrap_or_else(|| t(self.lang, &message_key)),
            fields,
        };
        let mut resp = HttpResponse::build(self.status_code());
        resp.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        resp.insert_header((header::CONTENT_LANGUAGE, self.lang.code()));
        if let Some(secs) = self.retry_after {
            resp.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.code == ErrorCode::Unauthorized {
            resp.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        resp.json(body)
    }
}

/// A layer's error as the API's answer in `lang`, so handlers end in
/// `.or_api(lang)?`.
pub trait OrApi<T> {
    fn or_api(self, lang: Lang) -> Result<T, ApiError>;
}

impl<T> OrApi<T> for Result<T, crate::storage::StorageError> {
    fn or_api(self, lang: Lang) -> Result<T, ApiError> {
        self.map_err(|e| ApiError::storage(e, lang))
    }
}

impl<T> OrApi<T> for Result<T, crate::service::AdminError> {
    fn or_api(self, lang: Lang) -> Result<T, ApiError> {
        self.map_err(|e| ApiError::admin(e, lang))
    }
}

impl<T> OrApi<T> for Result<T, crate::service::RulesError> {
    fn or_api(self, lang: Lang) -> Result<T, ApiError> {
        self.map_err(|e| match e {
            crate::service::RulesError::Storage(s) => ApiError::storage(s, lang),
            other => ApiError::internal(other, lang),
        })
    }
}

impl<T> OrApi<T> for Result<T, crate::service::DecisionError> {
    fn or_api(self, lang: Lang) -> Result<T, ApiError> {
        use crate::service::DecisionError;
        self.map_err(|e| match e {
            DecisionError::NotFound => ApiError::new(ErrorCode::CommentNotFound, lang),
            DecisionError::NotAllowed(_) | DecisionError::LinkUsed => {
                ApiError::new(ErrorCode::InvalidTransition, lang)
            }
            DecisionError::NotModerator => ApiError::new(ErrorCode::Forbidden, lang),
            DecisionError::Storage(s) => ApiError::storage(s, lang),
        })
    }
}
