//! CORS for the public endpoints: only the site's allowed origins, echoed
//! exactly, never with credentials.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};

use crate::domain::Site;
use crate::routes::AppState;
use crate::routes::extract::header_text;

/// Add CORS headers to a response when the request's Origin is allowed.
pub fn allow(resp: &mut HttpResponseBuilder, req: &HttpRequest, site: &Site) {
    resp.insert_header((header::VARY, "Origin"));
    if let Some(origin) = header_text(req.headers(), header::ORIGIN)
        && site.allows_origin(origin)
    {
        resp.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.to_string()));
    }
}

/// Add the CORS headers to an error answer too, so the embedded form can read
/// field errors and codes cross-origin.
pub fn on_error(
    err: crate::routes::error::ApiError,
    req: &HttpRequest,
    site: &Site,
) -> HttpResponse {
    use actix_web::ResponseError;
    let mut resp = err.error_response();
    let headers = resp.headers_mut();
    headers.insert(header::VARY, header::HeaderValue::from_static("Origin"));
    if let Some(origin) = req.headers().get(header::ORIGIN)
        && origin.to_str().is_ok_and(|o| site.allows_origin(o))
    {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    }
    resp
}

/// Preflight of a cross-origin JSON submission.
#[utoipa::path(
    options, path = "/api/v1/sites/{site}/articles/{article}/comments", tag = "comments",
    operation_id = "preflightComment",
    summary = "CORS preflight of a cross-origin submission",
    params(
        ("article" = String, Path, description = "The article's key on the site"),
    ),
    responses((status = 204, description = "CORS headers for the site's allowed origins"))
)]
pub async fn preflight(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    preflight_of(req, state, path).await
}

/// Preflight of a cross-origin report.
#[utoipa::path(
    options, path = "/api/v1/sites/{site}/comments/{id}/reports", tag = "comments",
    operation_id = "preflightReport",
    summary = "CORS preflight of a cross-origin report",
    params(
        ("id" = String, Path, description = "The comment reported"),
    ),
    responses((status = 204, description = "CORS headers for the site's allowed origins"))
)]
pub async fn preflight_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    preflight_of(req, state, path).await
}

/// Preflight of a cross-origin like or unlike.
#[utoipa::path(
    options, path = "/api/v1/sites/{site}/comments/{id}/like", tag = "comments",
    operation_id = "preflightLike",
    summary = "CORS preflight of a cross-origin like or unlike",
    params(
        ("id" = String, Path, description = "The comment liked"),
    ),
    responses((status = 204, description = "CORS headers for the site's allowed origins"))
)]
pub async fn preflight_like(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    preflight_methods(req, state, path, "POST, DELETE").await
}

async fn preflight_of(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    preflight_methods(req, state, path, "GET, POST").await
}

async fn preflight_methods(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    methods: &'static str,
) -> HttpResponse {
    let (site_key, _) = path.into_inner();
    let Ok(Some(site)) = state.store.site(&site_key).await else {
        return HttpResponse::NoContent().finish();
    };
    let mut resp = HttpResponse::NoContent();
    allow(&mut resp, &req, &site);
    resp.insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, methods))
        .insert_header((
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            "Content-Type, Accept-Language",
        ))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"));
    resp.finish()
}
