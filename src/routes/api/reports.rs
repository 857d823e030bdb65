//! Reader reports: the public report, and the moderators' list, dismissal,
//! action and settings.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::comments::client_keys;
use super::cors;
use super::key::{Admin, Key, Moderator};
use super::moderation::QueueItemJson;
use super::private_json;
use super::site::load_site;
use crate::domain::{CommentStatus, ReportDto, ReportReason, parse_comment_id};
use crate::routes::AppState;
use crate::routes::embed;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::routes::extract::{BodyKind, RequestLang, body_kind, read_body, request_lang};
use crate::routes::time_fmt::rfc3339;
use crate::service::{
    Decision, ReportContext, ReportError, act_on_reports, dismiss_reports, now_ms, report_comment,
    set_report_settings,
};
use crate::storage::ReportSettings;

/// A reader's report (documentation of the body `report` reads).
#[derive(utoipa::ToSchema)]
#[schema(example = json!({"reason": "insult", "note": "Insults the writer's family",
    "captcha_id": "0193c1f2a7d84e2b9b1f6c0d3e5a7b91", "captcha_answer": "k7pqz"}))]
#[allow(dead_code)]
struct ReportBody {
    /// One of the site's `report_reasons` (see `GET .../config`).
    reason: ReportReason,
    /// For the moderators only; at most 500 characters.
    #[schema(max_length = 500)]
    note: Option<String>,
    /// The security code, on a site that uses codes.
    captcha_id: Option<String>,
    captcha_answer: Option<String>,
    /// A solved proof of work (`GET /api/v1/pow`), required on a site
    /// without codes.
    pow: Option<String>,
}

/// A report posted by the page without JavaScript: the same fields, all
/// text, with a security code (answered by a thank-you page, or the form
/// again with the error).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ReportForm {
    reason: String,
    #[schema(max_length = 500)]
    note: Option<String>,
    captcha_id: String,
    captcha_answer: String,
    /// The language of the answer page.
    lang: Option<String>,
    /// The comment section to link back to (a path under `/embed/`).
    return_to: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"status": "received"}))]
struct ReportReceived {
    /// Always `received`: a repeated report is answered alike.
    status: &'static str,
}

fn report_error(e: ReportError, lang: crate::domain::Lang) -> ApiError {
    match e {
        ReportError::Validation(errors) => ApiError::validation(errors, lang),
        ReportError::Captcha => ApiError::new(ErrorCode::CaptchaInvalid, lang),
        ReportError::NotFound => ApiError::new(ErrorCode::CommentNotFound, lang),
        ReportError::RateLimited(secs) => ApiError::rate_limited(secs, lang),
        ReportError::CaptchaBroken(c) => ApiError::internal(c, lang),
        ReportError::Storage(s) => ApiError::storage(s, lang),
    }
}

/// `POST /api/v1/sites/{site}/comments/{id}/reports`: a reader reports a
/// published comment.
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/comments/{id}/reports", tag = "comments",
    operation_id = "reportComment",
    summary = "Report a published comment to the moderators",
    description = "Protected like a comment: the security code on a site that uses codes, \
        otherwise a solved proof of work. One report per address per comment (a repeat is \
        answered alike and changes nothing); at most 20 reports per address per hour. The \
        address is kept only as a keyed hash, and reporters are never shown publicly. On a \
        post-moderated site, `hold_after` reports from distinct networks hold the comment \
        for the moderators.",
    params(
        ("id" = String, Path, description = "A published comment's id"),
    ),
    request_body(content(
        (ReportBody = "application/json"),
        (ReportForm = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 201, description = "Received. Form posts: the thank-you page", content(
            (ReportReceived = "application/json"), (String = "text/html"))),
        (status = 400, description = "Wrong security code or missing proof of work (`captcha_invalid`), or malformed JSON", body = super::openapi::ErrorBody),
        (status = 404, description = "No such site or published comment (`comment_not_found`)", body = super::openapi::ErrorBody),
        (status = 415, description = "Not JSON", body = super::openapi::ErrorBody),
        (status = 422, description = "Invalid fields (`validation_failed`: `reason` required or not offered, `note` too long, `captcha_answer` required)", body = super::openapi::ErrorBody),
        (status = 429, description = "Too many reports (`rate_limited`)", body = super::openapi::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn report(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (site_key, id) = path.into_inner();
    let site = load_site(&state, &req, &site_key).await?;
    let lang = request_lang(&req, Some(&site));
    let fail = |e: ApiError| Ok(cors::on_error(e, &req, &site));
    let Some(kind) = body_kind(&req) else {
        return fail(ApiError::new(ErrorCode::UnsupportedMediaType, lang));
    };
    let timeout = std::time::Duration::from_secs(state.settings.server.request_body_timeout_secs);
    let bytes = match read_body(
        &req,
        payload,
        state.settings.server.max_body_bytes,
        timeout,
        lang,
    )
    .await
    {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    if kind == BodyKind::Form {
        return report_form(&req, &state, &site, &id, &bytes).await;
    }
    let Ok(dto) = serde_json::from_slice::<ReportDto>(&bytes) else {
        return fail(ApiError::new(ErrorCode::MalformedJson, lang));
    };
    let Ok(comment_id) = parse_comment_id(&id) else {
        return fail(ApiError::new(ErrorCode::CommentNotFound, lang));
    };
    let result = report_comment(
        ReportContext {
            store: &state.store,
            captcha: &state.captcha,
            pow: &state.pow,
            site: &site,
            comment_id: &comment_id,
            client: client_keys(&state, &req),
            now: now_ms(),
        },
        &dto,
    )
    .await;
    match result {
        Ok(_) => {
            let mut resp = HttpResponse::Created();
            cors::allow(&mut resp, &req, &site);
            resp.insert_header((header::CACHE_CONTROL, "no-store"));
            Ok(resp.json(ReportReceived { status: "received" }))
        }
        Err(e) => fail(report_error(e, lang)),
    }
}

/// A report posted by the no-JavaScript form: a thank-you page, or the
/// form again with the error and a new code.
async fn report_form(
    req: &HttpRequest,
    state: &AppState,
    site: &crate::domain::Site,
    id: &str,
    bytes: &[u8],
) -> Result<HttpResponse, ApiError> {
    let mut fields = std::collections::BTreeMap::new();
    let mut repeated = false;
    for (k, v) in url::form_urlencoded::parse(bytes) {
        repeated |= fields.insert(k.into_owned(), v.into_owned()).is_some();
    }
    let lang = fields
        .get("lang")
        .and_then(|l| crate::domain::Lang::parse(l))
        .unwrap_or_else(|| request_lang(req, Some(site)));
    let comment_id =
        parse_comment_id(id).map_err(|_| ApiError::new(ErrorCode::CommentNotFound, lang))?;
    let take = |k: &str| fields.get(k).cloned();
    let dto = ReportDto {
        reason: take("reason"),
        note: take("note"),
        captcha_id: take("captcha_id"),
        captcha_answer: take("captcha_answer"),
        pow: None,
    };
    // Back to a comment section here, nowhere else.
    let back = take("return_to")
        .filter(|b| b.starts_with("/embed/") && !b.contains("//"))
        .unwrap_or_else(|| "/".into());
    let result = if repeated {
        Err(ApiError::new(ErrorCode::MalformedJson, lang))
    } else {
        report_comment(
            ReportContext {
                store: &state.store,
                captcha: &state.captcha,
                pow: &state.pow,
                site,
                comment_id: &comment_id,
                client: client_keys(state, req),
                now: now_ms(),
            },
            &dto,
        )
        .await
        .map_err(|e| report_error(e, lang))
    };
    match result {
        Ok(_) => embed::message_page(
            site,
            lang,
            crate::i18n::t(lang, "report.thanks"),
            CommentStatus::Published,
            Some(back),
            None,
        ),
        Err(e) if e.cause.is_some() || e.code == ErrorCode::CommentNotFound => Err(e),
        Err(e) => {
            let status = e.code.status();
            let page = embed::ReportPage {
                reason: dto.reason.unwrap_or_default(),
                note: dto.note.unwrap_or_default(),
                error: Some(e),
                back,
            };
            let html = embed::render_report_page(state, site, &comment_id, lang, page).await?;
            Ok(embed::section_response(site, status, html))
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct ReasonCount {
    reason: String,
    count: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ReportedJson {
    comment: QueueItemJson,
    /// Open reports.
    reports: i64,
    reasons: Vec<ReasonCount>,
    /// The latest notes, newest first (reporters are not named).
    notes: Vec<String>,
    latest_report_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ReportedPage {
    items: Vec<ReportedJson>,
}

/// Comments listed by `GET .../reports`.
pub const REPORTED_PAGE: u32 = 50;

/// `GET /api/v1/sites/{site}/reports`: comments with open reports.
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/reports", tag = "moderation",
    operation_id = "listReported",
    summary = "Comments with open reader reports, the most reported first",
    security(("api_key" = [])),
    responses((status = 200, description = "Up to 50 reported comments", body = ReportedPage))
)]
pub async fn reported(
    state: web::Data<AppState>,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    let rows = state
        .store
        .reported(&key.site_key, REPORTED_PAGE)
        .await
        .or_api(lang)?;
    let items = rows
        .into_iter()
        .map(|r| ReportedJson {
            reports: r.open,
            reasons: r
                .reasons
                .into_iter()
                .map(|(reason, count)| ReasonCount { reason, count })
                .collect(),
            notes: r.notes,
            latest_report_at: rfc3339(r.latest_at),
            comment: QueueItemJson::from(r.comment),
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(ReportedPage { items }))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// `act` only: `reject` (default), `spam` or `delete`.
    action: Option<String>,
    /// `act` only: shown in the audit trail.
    reason: Option<String>,
    /// Internal note for the audit trail.
    note: Option<String>,
}

const NOTE_MAX: usize = 500;

fn resolve_body(body: &[u8], lang: crate::domain::Lang) -> Result<ResolveBody, ApiError> {
    let body: ResolveBody = if body.iter().all(u8::is_ascii_whitespace) {
        ResolveBody::default()
    } else {
        serde_json::from_slice(body).map_err(|_| ApiError::new(ErrorCode::MalformedJson, lang))?
    };
    let too_long = |s: &Option<String>| s.as_ref().is_some_and(|s| s.chars().count() > NOTE_MAX);
    if too_long(&body.reason) || too_long(&body.note) {
        return Err(ApiError::new(ErrorCode::InvalidParameter, lang));
    }
    Ok(body)
}

/// `reject`, `spam` or `delete`: what acting on reports may do.
pub fn act_target(action: Option<&str>) -> Option<(CommentStatus, &'static str)> {
    match action.unwrap_or("reject") {
        "reject" => Some((CommentStatus::Rejected, "reject")),
        "spam" => Some((CommentStatus::Spam, "spam")),
        "delete" => Some((CommentStatus::Deleted, "delete")),
        _ => None,
    }
}

/// `POST /api/v1/sites/{site}/comments/{id}/reports/dismiss`
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/comments/{id}/reports/dismiss", tag = "moderation",
    operation_id = "dismissReports",
    summary = "Close a comment's open reports, leaving the comment as it is",
    security(("api_key" = [])),
    params(
        ("id" = String, Path, description = "Comment id"),
    ),
    request_body(content = Option<ResolveBody>, description = "Optional note", content_type = "application/json"),
    responses(
        (status = 200, description = "How many reports were closed", body = Object),
        (status = 404, description = "No open reports for this comment", body = super::openapi::ErrorBody),
    )
)]
pub async fn dismiss(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let body = resolve_body(&body, lang)?;
    let closed = dismiss_reports(
        &state.store,
        &key.actor(),
        &key.site_key,
        &id,
        body.note,
        now_ms(),
    )
    .await
    .or_api(lang)?;
    Ok(private_json(
        serde_json::json!({ "id": id, "closed": closed }),
    ))
}

/// `POST /api/v1/sites/{site}/comments/{id}/reports/act`
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/comments/{id}/reports/act", tag = "moderation",
    operation_id = "actOnReports",
    summary = "Take a reported comment down and close its reports",
    description = "Applies `reject` (default), `spam` or `delete` as from the queue (audited, \
        with its mail and webhooks), then closes the open reports as acted on (audited).",
    security(("api_key" = [])),
    params(
        ("id" = String, Path, description = "Comment id"),
    ),
    request_body(content = Option<ResolveBody>, description = "Action, reason and note", content_type = "application/json"),
    responses(
        (status = 200, description = "The comment's new status", body = Object),
        (status = 400, description = "Unknown `action` (`invalid_parameter`)", body = super::openapi::ErrorBody),
        (status = 404, description = "No such comment", body = super::openapi::ErrorBody),
    )
)]
pub async fn act(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let body = resolve_body(&body, lang)?;
    let (to, action) = act_target(body.action.as_deref())
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidParameter, lang))?;
    let status = act_on_reports(
        &state.store,
        &state.composer,
        &state.wakes,
        Decision::new(&key.site_key, &id, (to, action), key.actor(), now_ms())
            .because(body.reason, body.note),
    )
    .await
    .or_api(lang)?;
    Ok(private_json(
        serde_json::json!({ "id": id, "status": status }),
    ))
}

/// A site's report settings.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"hold_after": 3, "illegal_reason": true}))]
pub struct ReportSettingsJson {
    /// On a post-moderated site, hold a published comment after this many
    /// open reports from distinct networks (0, the default: never; at most 1000).
    #[schema(maximum = 1000)]
    hold_after: u32,
    /// Offer readers the "illegal content" reason.
    illegal_reason: bool,
}

/// `GET /api/v1/sites/{site}/reports/settings`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/reports/settings", tag = "moderation",
    operation_id = "getReportSettings", summary = "A site's report settings",
    security(("api_key" = [])),
    responses((status = 200, description = "The settings", body = ReportSettingsJson))
)]
pub async fn get_settings(
    state: web::Data<AppState>,
    RequestLang(lang): RequestLang,
    key: Key<Moderator>,
) -> Result<HttpResponse, ApiError> {
    let s = state
        .store
        .report_settings(&key.site_key)
        .await
        .or_api(lang)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(ReportSettingsJson {
            hold_after: s.hold_after,
            illegal_reason: s.illegal_reason,
        }))
}

/// `PUT /api/v1/sites/{site}/reports/settings` (admin keys).
#[utoipa::path(
    put, path = "/api/v1/sites/{site}/reports/settings", tag = "moderation",
    operation_id = "putReportSettings", summary = "Change a site's report settings (audited)",
    security(("api_key" = [])),
    request_body(content = ReportSettingsJson, content_type = "application/json"),
    responses(
        (status = 200, description = "The settings saved", body = ReportSettingsJson),
        (status = 400, description = "`hold_after` out of range (`invalid_parameter`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn put_settings(
    state: web::Data<AppState>,
    RequestLang(lang): RequestLang,
    key: Key<Admin>,
    body: web::Json<ReportSettingsJson>,
) -> Result<HttpResponse, ApiError> {
    let s = ReportSettings {
        hold_after: body.hold_after,
        illegal_reason: body.illegal_reason,
    };
    set_report_settings(&state.store, &key.actor(), &key.site_key, s, now_ms())
        .await
        .map_err(|e| match e {
            ReportError::Validation(errors) => ApiError {
                fields: Some(errors),
                ..ApiError::new(ErrorCode::InvalidParameter, lang)
            },
            other => report_error(other, lang),
        })?;
    Ok(private_json(body.into_inner()))
}
