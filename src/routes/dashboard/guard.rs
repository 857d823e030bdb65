//! Who is asking: the session cookie, its timeouts, the CSRF token and the
//! origin checks every dashboard POST goes through.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use crate::auth::session::{
    LOGIN_CSRF_PLAIN_COOKIE, LOGIN_CSRF_SECURE_COOKIE, PLAIN_COOKIE, SECURE_COOKIE, Timeouts,
    hash_token, tokens_match,
};
use crate::domain::Lang;
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::routes::extract::{header_text, wants_json};
use crate::service::now_ms;
use crate::storage::ModeratorRecord;

/// Touch `last_seen_at` at most this often (saves a write per request).
const TOUCH_EVERY_MS: i64 = 60_000;

/// A signed-in moderator.
pub struct Current {
    pub moderator: ModeratorRecord,
    pub csrf: String,
    pub token_hash: String,
    pub lang: Lang,
}

impl Current {
    /// The audit log's actor for what this moderator does.
    pub fn actor(&self) -> crate::domain::Actor {
        crate::domain::Actor::Moderator(self.moderator.id.clone())
    }

    /// The account has the `admin` role on `site` (site settings, keys, webhooks, privacy).
    pub fn is_site_admin(&self, site: &str) -> bool {
        self.moderator.role == "admin" && self.moderator.can_moderate(site)
    }
}

/// Whether cookies get `Secure` (and the `__Host-` names): when majlis is
/// served over HTTPS.
pub fn secure(state: &AppState) -> bool {
    state
        .settings
        .server
        .base_url
        .to_ascii_lowercase()
        .starts_with("https://")
}

pub fn session_cookie_name(state: &AppState) -> &'static str {
    if secure(state) {
        SECURE_COOKIE
    } else {
        PLAIN_COOKIE
    }
}

pub fn login_cookie_name(state: &AppState) -> &'static str {
    if secure(state) {
        LOGIN_CSRF_SECURE_COOKIE
    } else {
        LOGIN_CSRF_PLAIN_COOKIE
    }
}

/// A `Path=/`, HttpOnly, SameSite=Strict cookie without `Domain`.
pub fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .secure(secure(state))
        .same_site(SameSite::Strict)
        .finish()
}

pub fn removal(state: &AppState, name: &'static str) -> Cookie<'static> {
    let mut c = cookie(state, name, String::new());
    c.set_max_age(CookieDuration::ZERO);
    c
}

pub fn timeouts(state: &AppState) -> Timeouts {
    let d = &state.settings.dashboard;
    Timeouts {
        idle_ms: i64::try_from(d.idle_timeout_mins.saturating_mul(60_000)).unwrap_or(i64::MAX),
        absolute_ms: i64::try_from(d.absolute_timeout_hours.saturating_mul(3_600_000))
            .unwrap_or(i64::MAX),
    }
}

/// The moderator behind the session cookie, if the session is alive and
/// the account enabled. Dead sessions are deleted on sight.
pub async fn current(req: &HttpRequest, state: &AppState) -> Result<Option<Current>, ApiError> {
    let lang = Lang::Ar;
    let Some(cookie) = req.cookie(session_cookie_name(state)) else {
        return Ok(None);
    };
    let token_hash = hash_token(cookie.value());
    let Some(session) = state.store.session(&token_hash).await.or_api(lang)? else {
        return Ok(None);
    };
    let now = now_ms();
    if !timeouts(state).alive(session.created_at, session.last_seen_at, now) {
        state.store.delete_session(&token_hash).await.or_api(lang)?;
        return Ok(None);
    }
    let Some(moderator) = state
        .store
        .moderator(&session.moderator_id)
        .await
        .or_api(lang)?
        .filter(|m| m.disabled_at.is_none())
    else {
        state.store.delete_session(&token_hash).await.or_api(lang)?;
        return Ok(None);
    };
    if now - session.last_seen_at > TOUCH_EVERY_MS {
        state
            .store
            .touch_session(&token_hash, now)
            .await
            .or_api(lang)?;
    }
    let lang = Lang::parse(&moderator.lang).unwrap_or(Lang::Ar);
    Ok(Some(Current {
        moderator,
        csrf: session.csrf_token,
        token_hash,
        lang,
    }))
}

/// For pages: the moderator, or a redirect to the login page.
pub async fn page(req: &HttpRequest, state: &AppState) -> Result<Current, HttpResponse> {
    match current(req, state).await {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(see_other("/dashboard/login")),
        Err(e) => Err(actix_web::ResponseError::error_response(&e)),
    }
}

/// For POSTs: the moderator (401 without a session), a same-origin request
/// and the right CSRF token (403 otherwise), checked before anything changes.
pub async fn action(
    req: &HttpRequest,
    state: &AppState,
    csrf: Option<&str>,
) -> Result<Current, HttpResponse> {
    same_origin(req, state).map_err(|e| actix_web::ResponseError::error_response(&e))?;
    let cur = match current(req, state).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            return Err(actix_web::ResponseError::error_response(&ApiError::new(
                ErrorCode::Unauthorized,
                Lang::Ar,
            )));
        }
        Err(e) => return Err(actix_web::ResponseError::error_response(&e)),
    };
    if !tokens_match(csrf.unwrap_or(""), &cur.csrf) {
        tracing::warn!(moderator = %cur.moderator.id, "dashboard POST with a wrong CSRF token");
        return Err(actix_web::ResponseError::error_response(&ApiError::new(
            ErrorCode::Forbidden,
            cur.lang,
        )));
    }
    Ok(cur)
}

/// Refuse cross-site POSTs by Fetch Metadata and by `Origin` (defence in
/// depth next to the CSRF token and SameSite=Strict).
pub fn same_origin(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let headers = req.headers();
    let forbidden = || {
        tracing::warn!("cross-site dashboard POST refused");
        ApiError::new(ErrorCode::Forbidden, Lang::Ar)
    };
    if let Some(site) = headers.get("sec-fetch-site") {
        match site.to_str().unwrap_or("") {
            "same-origin" | "none" => {}
            _ => return Err(forbidden()),
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let base = state.settings.server.base_url.trim_end_matches('/');
        let host = header_text(headers, header::HOST).unwrap_or("");
        let scheme = if secure(state) { "https" } else { "http" };
        let own = format!("{scheme}://{host}");
        if origin != base && origin != own {
            return Err(forbidden());
        }
    }
    Ok(())
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_string()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// No inline script, no framing, forms only to ourselves.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Security headers of every dashboard page: no framing, no inline script.
pub fn html(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .body(body)
}

pub fn render(t: &impl askama::Template, lang: Lang) -> Result<String, ApiError> {
    t.render().map_err(|e| ApiError::internal(e, lang))
}

/// A query parameter trimmed; `None` when it is absent or blank.
pub fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The sites a page shows: the one `?site=` names (none when it is not one
/// of the moderator's `sites`), else all of them.
pub fn chosen_sites(sites: &[String], site: &Option<String>) -> Vec<String> {
    match nonempty(site) {
        Some(s) if sites.contains(&s) => vec![s],
        Some(_) => Vec::new(),
        None => sites.to_vec(),
    }
}

/// The sites a moderator works on (every site for an unrestricted admin).
pub async fn sites_of(state: &AppState, cur: &Current) -> Result<Vec<String>, ApiError> {
    let all = state.store.sites().await.or_api(cur.lang)?;
    Ok(all
        .into_iter()
        .map(|s| s.key.as_str().to_string())
        .filter(|k| cur.moderator.can_moderate(k))
        .collect())
}

#[derive(askama::Template)]
#[template(path = "dashboard/error.html")]
struct ErrorTemplate {
    lang: &'static str,
    dir: &'static str,
    message: &'static str,
    back: &'static str,
}

/// Error handler of the `/dashboard` scope: a JSON error answered to a
/// browser becomes a small page in the reader's language (same status and
/// headers). The page script, which asks for JSON, keeps the JSON.
pub fn html_errors<B>(
    res: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    use actix_web::middleware::ErrorHandlerResponse;
    let is_html = header_text(res.response().headers(), header::CONTENT_TYPE)
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html || wants_json(res.request()) {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let lang = crate::routes::extract::request_lang(res.request(), None);
    let key = match res.status().as_u16() {
        400 | 405 | 413 | 422 => "dash.error.invalid",
        401 => "dash.error.signed_out",
        403 => "dash.error.forbidden",
        404 => "dash.error.not_found",
        409 => "dash.error.conflict",
        429 => "dash.error.too_many",
        _ => "dash.error.server",
    };
    let page = ErrorTemplate {
        lang: lang.code(),
        dir: lang.dir(),
        message: crate::i18n::t(lang, key),
        back: crate::i18n::t(lang, "dash.error.back"),
    };
    let Ok(body) = askama::Template::render(&page) else {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    };
    let (req, mut resp) = res.into_parts();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(CSP),
    );
    let resp = resp.set_body(body);
    Ok(ErrorHandlerResponse::Response(
        actix_web::dev::ServiceResponse::new(req, resp)
            .map_into_boxed_body()
            .map_into_right_body(),
    ))
}

/// A dashboard page's moderator as an extractor: without a session the
/// answer is the redirect to the login form.
pub struct Session(pub Current);

impl actix_web::FromRequest for Session {
    type Error = actix_web::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Session, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state_of(&req)?;
            page(&req, &state).await.map(Session).map_err(refused)
        })
    }
}

/// A form that carries the dashboard's CSRF token.
pub trait CsrfForm {
    fn csrf(&self) -> Option<&str>;
}

/// A form of repeated fields (the queue's bulk selection).
impl CsrfForm for Vec<(String, String)> {
    fn csrf(&self) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
    }
}

/// A dashboard POST as an extractor: its form, once the session, the
/// same-origin check and the CSRF token have passed (`action`).
pub struct Action<T> {
    pub cur: Current,
    pub form: T,
}

impl<T: serde::de::DeserializeOwned + CsrfForm + 'static> actix_web::FromRequest for Action<T> {
    type Error = actix_web::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Action<T>, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        let form = actix_web::web::Form::<T>::from_request(&req, payload);
        Box::pin(async move {
            let form = form.await?.into_inner();
            let state = state_of(&req)?;
            let cur = action(&req, &state, form.csrf()).await.map_err(refused)?;
            Ok(Action { cur, form })
        })
    }
}

/// A dashboard POST to one site's settings (`/dashboard/settings/{site}/…`): an [`Action`]
/// by an admin of that site. Anyone else is answered `site_not_found`, as for a site that
/// does not exist.
pub struct SiteAdmin<T> {
    pub cur: Current,
    pub form: T,
    /// The path's `{site}`.
    pub site: String,
}

impl<T: serde::de::DeserializeOwned + CsrfForm + 'static> actix_web::FromRequest for SiteAdmin<T> {
    type Error = actix_web::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<SiteAdmin<T>, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let action = Action::<T>::from_request(req, payload);
        let site = req.match_info().get("site").unwrap_or_default().to_string();
        Box::pin(async move {
            let Action { cur, form } = action.await?;
            if !cur.is_site_admin(&site) {
                let lang = cur.lang;
                return Err(crate::routes::ApiError::new(
                    crate::routes::ErrorCode::SiteNotFound,
                    lang,
                )
                .into());
            }
            Ok(SiteAdmin { cur, form, site })
        })
    }
}

fn state_of(req: &HttpRequest) -> Result<actix_web::web::Data<AppState>, actix_web::Error> {
    req.app_data::<actix_web::web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| actix_web::error::ErrorInternalServerError("no AppState"))
}

/// A guard's answer (redirect, 401, 403) passed on as it is.
fn refused(resp: HttpResponse) -> actix_web::Error {
    actix_web::error::InternalError::from_response("dashboard guard", resp).into()
}

/// `CsrfForm` for forms with an `Option<String>` field `csrf`.
macro_rules! csrf_forms {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::routes::dashboard::guard::CsrfForm for $t {
            fn csrf(&self) -> Option<&str> {
                self.csrf.as_deref()
            }
        })*
    };
}
pub(crate) use csrf_forms;
