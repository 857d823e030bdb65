//! Limits on the request head, checked before any handler runs: the HTTP
//! parser already refuses more than 96 headers and heads past 128 KB; these
//! are the sizes no reader's browser, integrator or proxy comes near.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};

use super::error::{ApiError, ErrorCode};
use super::extract::request_lang;

/// Longest path and query string: 414 beyond (nginx and Apache stop at 8 KB).
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest single header value: 431 beyond.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;
/// All header names and values together: 431 beyond.
pub const MAX_HEADERS_BYTES: usize = 32 * 1024;

/// The error a request head earns, if any.
pub fn head_error(
    uri_bytes: usize,
    headers: &actix_web::http::header::HeaderMap,
) -> Option<ErrorCode> {
    if uri_bytes > MAX_URI_BYTES {
        return Some(ErrorCode::UriTooLong);
    }
    let mut total = 0;
    for (name, value) in headers {
        if value.len() > MAX_HEADER_BYTES {
            return Some(ErrorCode::HeadersTooLarge);
        }
        total += name.as_str().len() + value.len();
    }
    (total > MAX_HEADERS_BYTES).then_some(ErrorCode::HeadersTooLarge)
}

/// Middleware: answer 414 / 431 in the API's error shape.
pub async fn head_limits(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let uri_bytes = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if let Some(code) = head_error(uri_bytes, req.headers()) {
        let lang = request_lang(req.request(), None);
        let resp = ApiError::new(code, lang).error_response();
        return Ok(req.into_response(resp).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

    use super::*;

    fn headers(values: &[usize]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (i, n) in values.iter().enumerate() {
            map.insert(
                HeaderName::try_from(format!("x-h{i}")).unwrap(),
                HeaderValue::from_str(&"a".repeat(*n)).unwrap(),
            );
        }
        map
    }

    #[test]
    fn heads_at_the_limits_pass_and_one_byte_more_does_not() {
        assert_eq!(head_error(MAX_URI_BYTES, &headers(&[10])), None);
        assert_eq!(
            head_error(MAX_URI_BYTES + 1, &headers(&[10])),
            Some(ErrorCode::UriTooLong)
        );
        assert_eq!(head_error(100, &headers(&[MAX_HEADER_BYTES])), None);
        assert_eq!(
            head_error(100, &headers(&[MAX_HEADER_BYTES + 1])),
            Some(ErrorCode::HeadersTooLarge)
        );
        // Five headers of 7 KB each: none too large, 35 KB together.
        assert_eq!(
            head_error(100, &headers(&[7 * 1024; 5])),
            Some(ErrorCode::HeadersTooLarge)
        );
        assert_eq!(head_error(100, &headers(&[7 * 1024; 4])), None);
    }
}
