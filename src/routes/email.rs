//! Pages behind the links in mail. A GET only shows a confirmation page
//! (mail scanners prefetch links); the change is the POST of its form.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::domain::{CommentStatus, Lang};
use crate::email::{DecisionClaim, LinkError};
use crate::i18n::{t, tf};
use crate::routes::AppState;
use crate::routes::error::ApiError;
use crate::routes::extract::request_lang;
use crate::service::{DecisionError, decide_by_link, now_ms};

const EXCERPT_CHARS: usize = 600;

struct CommentView {
    title: String,
    by: String,
    excerpt: String,
}

#[derive(Template)]
#[template(path = "email/page.html")]
struct PageTemplate {
    lang: &'static str,
    dir: &'static str,
    heading: String,
    comment: Option<CommentView>,
    button: Option<&'static str>,
    action: String,
}

fn page(
    status: StatusCode,
    lang: Lang,
    heading: String,
    comment: Option<CommentView>,
    button: Option<(&'static str, String)>,
) -> Result<HttpResponse, ApiError> {
    let (button, action) = match button {
        Some((label, action)) => (Some(label), action),
        None => (None, String::new()),
    };
    let body = PageTemplate {
        lang: lang.code(),
        dir: lang.dir(),
        heading,
        comment,
        button,
        action,
    }
    .render()
    .map_err(|e| ApiError::internal(e, lang))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // The token is in the URL: never hand it to another site.
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header(("X-Robots-Tag", "noindex"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ))
        .body(body))
}

fn message(status: StatusCode, lang: Lang, key: &str) -> Result<HttpResponse, ApiError> {
    page(status, lang, t(lang, key).to_string(), None, None)
}

fn link_error(e: LinkError, lang: Lang) -> Result<HttpResponse, ApiError> {
    match e {
        LinkError::Invalid => message(StatusCode::BAD_REQUEST, lang, "decide.invalid"),
        LinkError::Expired => message(StatusCode::GONE, lang, "decide.expired"),
    }
}

/// The verified claim of a decision token and the language of its site.
async fn claim_of(
    state: &AppState,
    req: &HttpRequest,
    token: &str,
) -> Result<Result<(DecisionClaim, Lang), HttpResponse>, ApiError> {
    let lang = request_lang(req, None);
    let claim = match state.composer.links().verify_decision(token, now_ms()) {
        Ok(c) => c,
        Err(e) => return link_error(e, lang).map(Err),
    };
    let site = state
        .store
        .site(&claim.site_key)
        .await
        .map_err(|e| ApiError::storage(e, lang))?;
    let lang = site.map_or(lang, |s| s.default_lang);
    Ok(Ok((claim, lang)))
}

/// `GET /email/decide/{token}`: what the link will do, with a button to do it.
pub async fn decide_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = path.into_inner();
    let (claim, lang) = match claim_of(&state, &req, &token).await? {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    let store_err = |e| ApiError::storage(e, lang);
    if state
        .store
        .link_used(&claim.link_id)
        .await
        .map_err(store_err)?
    {
        return message(StatusCode::CONFLICT, lang, "decide.used");
    }
    let moderator_ok = state
        .store
        .moderator(&claim.moderator_id)
        .await
        .map_err(store_err)?
        .is_some_and(|m| m.can_moderate(&claim.site_key));
    let comment = state
        .store
        .comment(&claim.site_key, &claim.comment_id)
        .await
        .map_err(store_err)?;
    let (Some(comment), true) = (comment, moderator_ok) else {
        return message(StatusCode::NOT_FOUND, lang, "decide.invalid");
    };
    if !matches!(comment.status, CommentStatus::Pending | CommentStatus::Held) {
        return message(StatusCode::CONFLICT, lang, "decide.decided");
    }
    let action = claim.action.as_str();
    let excerpt = crate::domain::excerpt(&comment.body, EXCERPT_CHARS);
    page(
        StatusCode::OK,
        lang,
        t(lang, &format!("decide.confirm.{action}")).to_string(),
        Some(CommentView {
            title: comment.title,
            by: tf(lang, "email.item.by", [("name", comment.name.as_str())]),
            excerpt,
        }),
        Some((
            t(lang, &format!("decide.button.{action}")),
            format!("/email/decide/{token}"),
        )),
    )
}

/// `POST /email/decide/{token}`: apply the decision once, as the moderator
/// the link was made for.
pub async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = path.into_inner();
    let (claim, lang) = match claim_of(&state, &req, &token).await? {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    match decide_by_link(&state.store, &state.composer, &claim, now_ms()).await {
        Ok(_) => {
            state.wake_outboxes();
            tracing::info!(
                comment = %claim.comment_id,
                moderator = %claim.moderator_id,
                action = claim.action.as_str(),
                "moderation decision by email link"
            );
            message(
                StatusCode::OK,
                lang,
                &format!("decide.done.{}", claim.action.as_str()),
            )
        }
        Err(DecisionError::LinkUsed) => message(StatusCode::CONFLICT, lang, "decide.used"),
        Err(DecisionError::NotAllowed(_)) => message(StatusCode::CONFLICT, lang, "decide.decided"),
        Err(DecisionError::NotFound | DecisionError::NotModerator) => {
            message(StatusCode::NOT_FOUND, lang, "decide.invalid")
        }
        Err(DecisionError::Storage(e)) => Err(ApiError::storage(e, lang)),
    }
}

/// The site and address of an unsubscribe token, or the error page.
async fn unsubscribe_claim(
    state: &AppState,
    req: &HttpRequest,
    token: &str,
) -> Result<Result<(String, String, String, Lang), HttpResponse>, ApiError> {
    let lang = request_lang(req, None);
    let Ok((site_key, email)) = state.composer.links().verify_unsubscribe(token) else {
        return message(StatusCode::BAD_REQUEST, lang, "decide.invalid").map(Err);
    };
    let site = state
        .store
        .site(&site_key)
        .await
        .map_err(|e| ApiError::storage(e, lang))?;
    let Some(site) = site else {
        return message(StatusCode::NOT_FOUND, lang, "decide.invalid").map(Err);
    };
    Ok(Ok((site_key, email, site.name, site.default_lang)))
}

/// `GET /email/unsubscribe/{token}`: a confirmation page.
pub async fn unsubscribe_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = path.into_inner();
    let (_, _, site_name, lang) = match unsubscribe_claim(&state, &req, &token).await? {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    page(
        StatusCode::OK,
        lang,
        tf(lang, "unsubscribe.confirm", [("site", site_name.as_str())]),
        None,
        Some((
            t(lang, "unsubscribe.button"),
            format!("/email/unsubscribe/{token}"),
        )),
    )
}

/// `POST /email/unsubscribe/{token}`: the form's button, and RFC 8058
/// one-click unsubscribe (`List-Unsubscribe=One-Click`) from mail clients.
pub async fn unsubscribe(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = path.into_inner();
    let (site_key, email, site_name, lang) = match unsubscribe_claim(&state, &req, &token).await? {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    state
        .store
        .unsubscribe(&site_key, &email, now_ms())
        .await
        .map_err(|e| ApiError::storage(e, lang))?;
    tracing::info!(site = %site_key, "commenter unsubscribed");
    page(
        StatusCode::OK,
        lang,
        tf(lang, "unsubscribe.done", [("site", site_name.as_str())]),
        None,
        None,
    )
}
