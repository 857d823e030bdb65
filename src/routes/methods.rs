//! HTTP methods at the edge: absurd methods are refused before anything
//! reads them, `HEAD` is answered like `GET` (without the body), and every
//! 405 says in `Allow` what the resource does serve (RFC 9110 §15.5.6).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, ResponseError};

use super::error::{ApiError, ErrorCode};
use super::extract::{header_text, request_lang};

/// Longest method accepted (the standard ones have at most 7 bytes; WebDAV's
/// longest, `VERSION-CONTROL`, 15). Longer ones get 400 before routing, so
/// they reach neither the logs nor the metrics.
pub const MAX_METHOD_BYTES: usize = 16;

/// Outermost middleware: 400 for a method longer than `MAX_METHOD_BYTES`.
pub async fn refuse_long_methods(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if req.method().as_str().len() > MAX_METHOD_BYTES {
        let lang = request_lang(req.request(), None);
        let resp = ApiError::new(ErrorCode::InvalidParameter, lang).error_response();
        return Ok(req.into_response(resp).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// Middleware: route `HEAD` to the `GET` handlers. The connection knows the
/// request was `HEAD` and sends the head only (with the `GET` answer's
/// length); a 405 that allows `GET` allows `HEAD` too.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let mut res = next.call(req).await?;
    if res.status() == StatusCode::METHOD_NOT_ALLOWED {
        let allow = header_text(res.headers(), header::ALLOW).map(str::to_string);
        if let Some(allow) = allow.filter(|a| with_head(a) != *a)
            && let Ok(v) = header::HeaderValue::from_str(&with_head(&allow))
        {
            res.headers_mut().insert(header::ALLOW, v);
        }
    }
    Ok(res)
}

/// An `Allow` value with `HEAD` after `GET` when `GET` is there.
fn with_head(allow: &str) -> String {
    let methods: Vec<&str> = allow.split(',').map(str::trim).collect();
    if !methods.contains(&"GET") || methods.contains(&"HEAD") {
        return allow.to_string();
    }
    let mut out: Vec<&str> = Vec::with_capacity(methods.len() + 1);
    for m in methods {
        out.push(m);
        if m == "GET" {
            out.push("HEAD");
        }
    }
    out.join(", ")
}

/// A 405 in the API's error shape, listing the resource's methods.
pub fn not_allowed(req: &HttpRequest, methods: &[&str]) -> HttpResponse {
    let mut resp =
        ApiError::new(ErrorCode::MethodNotAllowed, request_lang(req, None)).error_response();
    if let Ok(v) = header::HeaderValue::from_str(&methods.join(", ")) {
        resp.headers_mut().insert(header::ALLOW, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::with_head;

    #[test]
    fn head_follows_get_in_allow_and_nothing_else_changes() {
        assert_eq!(with_head("GET"), "GET, HEAD");
        assert_eq!(with_head("GET, POST"), "GET, HEAD, POST");
        assert_eq!(with_head("POST"), "POST");
        assert_eq!(with_head("GET, HEAD"), "GET, HEAD");
    }
}
