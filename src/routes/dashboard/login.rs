//! Signing in and out. Every failure (unknown email, wrong password,
//! disabled account, throttled) gets the same page; the password is checked
//! against a dummy hash when there is no account, so timing tells nothing.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::guard::{
    self, Action, csrf_forms, html, login_cookie_name, render, see_other, session_cookie_name,
};
use super::view::Tr;
use crate::auth::password::verify_password;
use crate::auth::session::{hash_token, new_token, tokens_match};
use crate::domain::Lang;
use crate::routes::AppState;
use crate::routes::api::comments::ip_hash;
use crate::routes::error::{ApiError, ErrorCode};
use crate::routes::extract::request_lang;
use crate::service::now_ms;
use crate::storage::{LoginAttempt, LoginThrottle};

#[derive(Template)]
#[template(path = "dashboard/login.html")]
struct LoginTemplate {
    tr: Tr,
    lang: &'static str,
    dir: &'static str,
    csrf: String,
    failed: bool,
    other_lang: &'static str,
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

fn login_lang(req: &HttpRequest, query: Option<&str>) -> Lang {
    query
        .and_then(Lang::parse)
        .unwrap_or_else(|| request_lang(req, None))
}

fn login_page(
    state: &AppState,
    lang: Lang,
    csrf: String,
    failed: bool,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let body = render(
        &LoginTemplate {
            tr: Tr(lang),
            lang: lang.code(),
            dir: lang.dir(),
            csrf: csrf.clone(),
            failed,
            other_lang: if lang == Lang::Ar { "en" } else { "ar" },
        },
        lang,
    )?;
    let mut resp = html(status, body);
    resp.add_cookie(&guard::cookie(state, login_cookie_name(state), csrf))
        .map_err(|e| ApiError::internal(e, lang))?;
    Ok(resp)
}

/// `GET /dashboard/login`: the form, with a pre-session CSRF token kept in
/// a cookie (double submit) so that login CSRF is refused too.
pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = login_lang(&req, query.lang.as_deref());
    if let Ok(Some(_)) = guard::current(&req, &state).await {
        return Ok(see_other("/dashboard"));
    }
    let csrf = req
        .cookie(login_cookie_name(&state))
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 64)
        .unwrap_or_else(new_token);
    login_page(&state, lang, csrf, false, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: Option<String>,
    email: Option<String>,
    password: Option<String>,
    lang: Option<String>,
}

/// `POST /dashboard/login`
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let lang = login_lang(&req, form.lang.as_deref());
    guard::same_origin(&req, &state)?;
    let expected = req
        .cookie(login_cookie_name(&state))
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    if !tokens_match(form.csrf.as_deref().unwrap_or(""), &expected) {
        tracing::warn!("login POST without the login form's CSRF token");
        return Err(ApiError::new(ErrorCode::Forbidden, lang));
    }
    let store_err = |e| ApiError::storage(e, lang);
    let email = form.email.unwrap_or_default().trim().to_lowercase();
    let password = form.password.unwrap_or_default();
    let ip = ip_hash(&state, &req);
    let account_key = format!("account:{email}");
    let ip_key = format!("ip:{ip}");
    let now = now_ms();
    let d = &state.settings.dashboard;
    let base_ms = i64::try_from(d.throttle_base_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let max_ms = i64::try_from(d.throttle_max_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let throttles = [
        (
            account_key.as_str(),
            LoginThrottle {
                free: d.free_failures_per_account,
                base_ms,
                max_ms,
            },
        ),
        (
            ip_key.as_str(),
            LoginThrottle {
                free: d.free_failures_per_ip,
                base_ms,
                max_ms,
            },
        ),
    ];
    // Every attempt is counted before its password is checked, so attempts
    // sent together cannot all pass a check that none has counted yet.
    for (key, throttle) in &throttles {
        let attempt = state
            .store
            .reserve_login_attempt(key, throttle, now)
            .await
            .map_err(store_err)?;
        if let LoginAttempt::Wait { until } = attempt {
            let secs = u64::try_from((until - now + 999) / 1000)
                .unwrap_or(1)
                .max(1);
            tracing::warn!(ip_hash = %ip, retry_after = secs, "login throttled");
            let mut resp = login_page(&state, lang, expected, true, StatusCode::TOO_MANY_REQUESTS)?;
            if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Ok(resp);
        }
    }
    let account = state
        .store
        .moderator_by_email(&email)
        .await
        .map_err(store_err)?;
    let matches = verify_password(
        &password,
        account.as_ref().map(|m| m.password_hash.as_str()),
    )
    .await;
    let account = account.filter(|m| matches && m.disabled_at.is_none());
    let Some(moderator) = account else {
        tracing::warn!(ip_hash = %ip, account = %hash_token(&email)[..16], "login failed");
        return login_page(&state, lang, expected, true, StatusCode::UNAUTHORIZED);
    };
    // A success is no failure: the account starts afresh and the address
    // gets its attempt back.
    state
        .store
        .clear_login_failures(&account_key)
        .await
        .map_err(store_err)?;
    state
        .store
        .refund_login_attempt(&ip_key, d.free_failures_per_ip)
        .await
        .map_err(store_err)?;
    // A new session at every login (no fixation); an older one of this browser ends.
    if let Some(old) = req.cookie(session_cookie_name(&state)) {
        state
            .store
            .delete_session(&hash_token(old.value()))
            .await
            .map_err(store_err)?;
    }
    let token = new_token();
    state
        .store
        .insert_session(&hash_token(&token), &moderator.id, &new_token(), now)
        .await
        .map_err(store_err)?;
    tracing::info!(moderator = %moderator.id, ip_hash = %ip, "login succeeded");
    let mut resp = see_other("/dashboard");
    resp.add_cookie(&guard::cookie(&state, session_cookie_name(&state), token))
        .map_err(|e| ApiError::internal(e, lang))?;
    resp.add_removal_cookie(&guard::removal(&state, login_cookie_name(&state)))
        .map_err(|e| ApiError::internal(e, lang))?;
    Ok(resp)
}

#[derive(Deserialize)]
pub struct LangForm {
    csrf: Option<String>,
    lang: Option<String>,
}

csrf_forms!(LangForm);

/// `POST /dashboard/logout`: the session row is deleted, so the old cookie
/// is worthless from now on.
pub async fn logout(
    state: web::Data<AppState>,
    Action { cur, .. }: Action<LangForm>,
) -> Result<HttpResponse, ApiError> {
    state
        .store
        .delete_session(&cur.token_hash)
        .await
        .map_err(|e| ApiError::storage(e, cur.lang))?;
    tracing::info!(moderator = %cur.moderator.id, "logout");
    let mut resp = see_other("/dashboard/login");
    resp.add_removal_cookie(&guard::removal(&state, session_cookie_name(&state)))
        .map_err(|e| ApiError::internal(e, cur.lang))?;
    Ok(resp)
}

/// `POST /dashboard/lang`: the moderator's dashboard language.
pub async fn set_lang(
    state: web::Data<AppState>,
    Action { cur, form }: Action<LangForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = form
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidParameter, cur.lang))?;
    state
        .store
        .set_moderator_lang(&cur.moderator.id, lang.code())
        .await
        .map_err(|e| ApiError::storage(e, cur.lang))?;
    Ok(see_other("/dashboard"))
}
