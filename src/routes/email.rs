//! Pages behind the links in mail. A GET only shows a confirmation page
//! (mail scanners prefetch links); the change is the POST of its form.

use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::future::LocalBoxFuture;

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

/// A link from mail, verified from the `{token}` of its path; a link that
/// fails answers its error page in place of the handler.
pub(super) trait LinkClaim: Sized + 'static {
    async fn verify(
        state: &AppState,
        req: &HttpRequest,
        token: &str,
    ) -> Result<Result<Self, HttpResponse>, ApiError>;
}

/// The token of a link from mail and what it says (an extractor).
pub(super) struct Link<C> {
    token: String,
    claim: C,
}

impl<C: LinkClaim> FromRequest for Link<C> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Link<C>, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| actix_web::error::ErrorInternalServerError("no AppState"))?;
            let token = req
                .match_info()
                .get("token")
                .unwrap_or_default()
                .to_string();
            match C::verify(&state, &req, &token).await? {
                Ok(claim) => Ok(Link { token, claim }),
                Err(page) => Err(InternalError::from_response("mail link", page).into()),
            }
        })
    }
}

/// The verified claim of a decision token and the language of its site.
pub(super) struct Decision {
    claim: DecisionClaim,
    lang: Lang,
}

impl LinkClaim for Decision {
    async fn verify(
        state: &AppState,
        req: &HttpRequest,
        token: &str,
    ) -> Result<Result<Decision, HttpResponse>, ApiError> {
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
        Ok(Ok(Decision { claim, lang }))
    }
}

/// `GET /email/decide/{token}`: what the link will do, with a button to do it.
pub async fn decide_page(
    state: web::Data<AppState>,
    Link { token, claim }: Link<Decision>,
) -> Result<HttpResponse, ApiError> {
    let Decision { claim, lang } = claim;
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
    state: web::Data<AppState>,
    Link { claim, .. }: Link<Decision>,
) -> Result<HttpResponse, ApiError> {
    let Decision { claim, lang } = claim;
    match decide_by_link(
        &state.store,
        &state.composer,
        &state.wakes,
        &claim,
        now_ms(),
    )
    .await
    {
        Ok(_) => {
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

/// The site and address of an unsubscribe token.
pub(super) struct Unsubscribe {
    site_key: String,
    email: String,
    site_name: String,
    lang: Lang,
}

impl LinkClaim for Unsubscribe {
    async fn verify(
        state: &AppState,
        req: &HttpRequest,
        token: &str,
    ) -> Result<Result<Unsubscribe, HttpResponse>, ApiError> {
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
        Ok(Ok(Unsubscribe {
            site_key,
            email,
            site_name: site.name,
            lang: site.default_lang,
        }))
    }
}

/// `GET /email/unsubscribe/{token}`: a confirmation page.
pub async fn unsubscribe_page(
    Link { token, claim }: Link<Unsubscribe>,
) -> Result<HttpResponse, ApiError> {
    let Unsubscribe {
        site_name, lang, ..
    } = claim;
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
    state: web::Data<AppState>,
    Link { claim, .. }: Link<Unsubscribe>,
) -> Result<HttpResponse, ApiError> {
    let Unsubscribe {
        site_key,
        email,
        site_name,
        lang,
    } = claim;
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
