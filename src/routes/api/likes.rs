//! Reader likes: like and take back a like of a published comment.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::comments::client_keys;
use super::cors;
use super::site::load_site;
use crate::domain::{Lang, Site, parse_comment_id};
use crate::routes::AppState;
use crate::routes::embed;
use crate::routes::error::{ApiError, ErrorCode};
use crate::routes::extract::{BodyKind, body_kind, read_body, request_lang};
use crate::service::{LikeContext, LikeError, now_ms, set_like};

#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"liked": true, "likes": 12}))]
struct LikeState {
    /// Whether this reader likes the comment now.
    liked: bool,
    /// The comment's likes now (lists show it within a few seconds).
    likes: i64,
}

/// The like posted by the page without JavaScript.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct LikeForm {
    /// `1` takes the like back.
    unlike: Option<String>,
    /// The comment section to go back to (a path under `/embed/`).
    return_to: Option<String>,
    /// The language of an error page.
    lang: Option<String>,
}

fn like_error(e: LikeError, lang: Lang) -> ApiError {
    match e {
        LikeError::Disabled => ApiError::new(ErrorCode::LikesDisabled, lang),
        LikeError::NotFound => ApiError::new(ErrorCode::CommentNotFound, lang),
        LikeError::AlreadyLiked => ApiError::new(ErrorCode::AlreadyLiked, lang),
        LikeError::NotLiked => ApiError::new(ErrorCode::NotLiked, lang),
        LikeError::RateLimited(secs) => ApiError::rate_limited(secs, lang),
        LikeError::Storage(s) => ApiError::storage(s, lang),
    }
}

/// `POST /api/v1/sites/{site}/comments/{id}/like`
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/comments/{id}/like", tag = "comments",
    operation_id = "likeComment",
    summary = "Like a published comment",
    description = "Public, on sites whose `likes` setting is on. One like per reader address per \
        comment (the address is kept only as a keyed hash); likes and unlikes together at most \
        `likes.max_per_minute_per_ip` per address per minute (30 by default). The body may be \
        empty; the page without JavaScript posts a form and is sent back to its comment \
        section. Lists show the new count within a few seconds.",
    params(
        ("site" = String, Path, description = "Site key", example = "demo"),
        ("id" = String, Path, description = "A published comment's id"),
    ),
    request_body(content((LikeForm = "application/x-www-form-urlencoded")), description = "Only for the page without JavaScript"),
    responses(
        (status = 200, description = "Liked", body = LikeState),
        (status = 303, description = "Form posts: back to the comment section"),
        (status = 404, description = "No such site or published comment (`comment_not_found`). Form posts: a page saying so", content(
            (super::openapi::ErrorBody = "application/json"), (String = "text/html"))),
        (status = 409, description = "This address likes the comment already (`already_liked`)", body = super::openapi::ErrorBody),
        (status = 422, description = "Likes are off on this site (`likes_disabled`). Form posts: a page saying so", content(
            (super::openapi::ErrorBody = "application/json"), (String = "text/html"))),
        (status = 429, description = "Too many likes (`rate_limited`). Form posts: a page saying so", content(
            (super::openapi::ErrorBody = "application/json"), (String = "text/html")),
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn like(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (site_key, id) = path.into_inner();
    let site = load_site(&state, &req, &site_key).await?;
    if body_kind(&req) == Some(BodyKind::Form) {
        return like_form(&req, &state, &site, &id, payload).await;
    }
    change(&req, &state, &site, &id, true).await
}

/// `DELETE /api/v1/sites/{site}/comments/{id}/like`
#[utoipa::path(
    delete, path = "/api/v1/sites/{site}/comments/{id}/like", tag = "comments",
    operation_id = "unlikeComment",
    summary = "Take back a like",
    description = "The reader's address's like of the comment is removed. Counted against the \
        same per-address budget as likes.",
    params(
        ("site" = String, Path, description = "Site key", example = "demo"),
        ("id" = String, Path, description = "A published comment's id"),
    ),
    responses(
        (status = 200, description = "Not liked any more", body = LikeState),
        (status = 404, description = "No such site or published comment (`comment_not_found`)", body = super::openapi::ErrorBody),
        (status = 409, description = "This address does not like the comment (`not_liked`)", body = super::openapi::ErrorBody),
        (status = 422, description = "Likes are off on this site (`likes_disabled`)", body = super::openapi::ErrorBody),
        (status = 429, description = "Too many likes (`rate_limited`)", body = super::openapi::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn unlike(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site_key, id) = path.into_inner();
    let site = load_site(&state, &req, &site_key).await?;
    change(&req, &state, &site, &id, false).await
}

async fn like_or_unlike(
    req: &HttpRequest,
    state: &AppState,
    site: &Site,
    id: &str,
    like: bool,
) -> Result<i64, LikeError> {
    let comment_id = parse_comment_id(id).map_err(|_| LikeError::NotFound)?;
    let client = client_keys(state, req);
    set_like(
        LikeContext {
            store: &state.store,
            read_cache: &state.read_cache,
            limiter: &state.like_limiter,
            site,
            comment_id: &comment_id,
            ip_hash: &client.ip_hash,
            now: now_ms(),
        },
        like,
    )
    .await
    .map(|l| l.likes)
}

async fn change(
    req: &HttpRequest,
    state: &AppState,
    site: &Site,
    id: &str,
    like: bool,
) -> Result<HttpResponse, ApiError> {
    let lang = request_lang(req, Some(site));
    match like_or_unlike(req, state, site, id, like).await {
        Ok(likes) => {
            let mut resp = HttpResponse::Ok();
            cors::allow(&mut resp, req, site);
            resp.insert_header((header::CACHE_CONTROL, "no-store"));
            Ok(resp.json(LikeState { liked: like, likes }))
        }
        Err(e) => Ok(cors::on_error(like_error(e, lang), req, site)),
    }
}

/// A like posted by the page without JavaScript: back to its comment
/// section, or a page saying why not.
async fn like_form(
    req: &HttpRequest,
    state: &AppState,
    site: &Site,
    id: &str,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let lang = request_lang(req, Some(site));
    let timeout = std::time::Duration::from_secs(state.settings.server.request_body_timeout_secs);
    let bytes = read_body(
        req,
        payload,
        state.settings.server.max_body_bytes,
        timeout,
        lang,
    )
    .await?;
    let mut unlike = false;
    let mut back = None;
    let mut lang = lang;
    for (k, v) in url::form_urlencoded::parse(&bytes) {
        match k.as_ref() {
            "unlike" => unlike = v == "1",
            // Back to a comment section here, nowhere else.
            "return_to" if v.starts_with("/embed/") && !v.contains("//") => {
                back = Some(v.into_owned())
            }
            "lang" => lang = Lang::parse(&v).unwrap_or(lang),
            _ => {}
        }
    }
    let back = back.unwrap_or_else(|| "/".into());
    match like_or_unlike(req, state, site, id, !unlike).await {
        // Liking twice from the page leaves it as the reader wanted.
        Ok(_) | Err(LikeError::AlreadyLiked | LikeError::NotLiked) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, back))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish()),
        Err(LikeError::Storage(s)) => Err(ApiError::storage(s, lang)),
        Err(e) => {
            let code = like_error(e, lang).code;
            let mut page = embed::message_page(
                site,
                lang,
                crate::i18n::t(lang, &format!("error.{}", code.as_str())),
                crate::domain::CommentStatus::Published,
                Some(back),
                None,
            )?;
            *page.status_mut() = code.status();
            Ok(page)
        }
    }
}
