use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::cors;
use super::paging::{ID_MAX, page_request, parse_order, split_page};
use super::site::load_site;
use crate::domain::{CommentStatus, Lang, Site, SubmissionDto, ValidationErrors};
use crate::routes::AppState;
use crate::routes::embed::{self, FormPage};
use crate::routes::error::{ApiError, ErrorCode};
use crate::routes::extract::{
    BodyKind, body_kind, client_ip, header_text, parse_form_submission, parse_json_submission,
    read_body, request_lang,
};
use crate::routes::time_fmt::rfc3339;
use crate::service::{Cached, SubmitContext, SubmitError, now_ms, submit_comment};
use crate::storage::{Cursor, Order};

pub const MAX_COUNT_ARTICLES: usize = 100;

/// A new comment sent as JSON (documentation of the body `submit` parses by
/// hand: unknown members, repeated members and wrong types are refused).
/// Lengths count characters after NFC normalisation and trimming.
#[derive(utoipa::ToSchema)]
#[schema(example = json!({
    "name": "Layla", "email": "layla@example.org", "title": "Well said",
    "body": "Thank you for this report.", "accept_terms": true,
    "captcha_id": "0193c1f2a7d84e2b9b1f6c0d3e5a7b91", "captcha_answer": "k7pqz",
    "article_url": "https://news.example.org/2026/11/budget", "article_title": "The budget"
}))]
#[allow(dead_code)]
struct CommentSubmission {
    #[schema(min_length = 2, max_length = 60)]
    name: String,
    #[schema(min_length = 3, max_length = 254, format = Email)]
    email: String,
    #[schema(min_length = 3, max_length = 120)]
    title: String,
    /// At most the site's `max_body_chars` (see `GET .../config`; 20000 at most).
    #[schema(min_length = 5, max_length = 20000)]
    body: String,
    /// Must be `true`.
    accept_terms: bool,
    /// From `GET /api/v1/captcha` when the site requires a code.
    #[schema(max_length = 64)]
    captcha_id: Option<String>,
    #[schema(max_length = 64)]
    captcha_answer: Option<String>,
    /// Leave out or empty: a field people never see (a comment that fills
    /// it is stored as spam).
    website: Option<String>,
    /// The solved proof of work from `GET /api/v1/pow` (base64 of
    /// `{"algorithm", "challenge", "number", "salt", "signature"}`). Without
    /// one the image code alone decides; a failed or replayed one is held.
    #[schema(max_length = 1024)]
    pow: Option<String>,
    /// The article's public address; recorded with its first comment.
    #[schema(max_length = 2000)]
    article_url: Option<String>,
    #[schema(max_length = 300)]
    article_title: Option<String>,
    /// Makes this a reply: the id of a published comment of the same
    /// article (`parent_not_found`, `parent_other_article` and
    /// `parent_not_published` are field errors, 422).
    #[schema(max_length = 64)]
    parent_id: Option<String>,
    /// Mail the commenter when a reply to this comment is published (at
    /// most one mail per comment per hour, naming every reply since the
    /// last; the mail carries the one-click unsubscribe). Default `false`.
    notify_replies: Option<bool>,
}

/// A new comment posted by a plain HTML form (no JavaScript). The same fields
/// as JSON, all text, plus where the answer page links back to.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct CommentForm {
    #[schema(min_length = 2, max_length = 60)]
    name: String,
    #[schema(min_length = 3, max_length = 254, format = Email)]
    email: String,
    #[schema(min_length = 3, max_length = 120)]
    title: String,
    #[schema(min_length = 5, max_length = 20000)]
    body: String,
    /// A checked checkbox: `on` (or `true`, `1`).
    accept_terms: String,
    #[schema(max_length = 64)]
    captcha_id: Option<String>,
    #[schema(max_length = 64)]
    captcha_answer: Option<String>,
    website: Option<String>,
    /// A solved proof of work, as in JSON (a plain form has none: the code
    /// alone decides).
    #[schema(max_length = 1024)]
    pow: Option<String>,
    #[schema(max_length = 2000)]
    article_url: Option<String>,
    #[schema(max_length = 300)]
    article_title: Option<String>,
    /// Makes this a reply, as in JSON.
    #[schema(max_length = 64)]
    parent_id: Option<String>,
    /// A checked checkbox (`on`, `true` or `1`): mail me replies, as in JSON.
    notify_replies: Option<String>,
    /// The language of the answer page.
    lang: Option<Lang>,
    /// Where the confirmation page links back to (an address on the site).
    #[schema(max_length = 2048)]
    return_to: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"id": "0193c1f2a7d84e2b9b1f6c0d3e5a7b91", "status": "pending"}))]
struct Accepted {
    /// Opaque comment id.
    id: String,
    /// `published` (201) or `pending` (202, waiting for a moderator).
    status: CommentStatus,
}

pub use crate::service::ClientKeys;

fn keyed_hash(key: &[u8], text: &str) -> String {
    use hmac::{Hmac, Mac};
    match Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(text.as_bytes());
            hex::encode(&mac.finalize().into_bytes()[..16])
        }
        Err(_) => String::new(),
    }
}

pub(crate) fn ip_hash(state: &AppState, req: &HttpRequest) -> String {
    let ip = client_ip(req, &state.trusted_proxies)
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    keyed_hash(&state.ip_key, &ip)
}

pub(crate) fn client_keys(state: &AppState, req: &HttpRequest) -> ClientKeys {
    let net_hash = client_ip(req, &state.trusted_proxies)
        .map(|ip| {
            keyed_hash(
                &state.ip_key,
                &format!("net:{}", crate::domain::network_of(ip)),
            )
        })
        .unwrap_or_default();
    ClientKeys {
        ip_hash: ip_hash(state, req),
        net_hash,
    }
}

fn submit_error(e: SubmitError, lang: Lang) -> ApiError {
    match e {
        SubmitError::Validation(errors) => ApiError::validation(errors, lang),
        SubmitError::Captcha => ApiError::new(ErrorCode::CaptchaInvalid, lang),
        SubmitError::CaptchaRequired => ApiError::new(ErrorCode::CaptchaRequired, lang),
        SubmitError::ArticleClosed => ApiError::new(ErrorCode::ArticleClosed, lang),
        SubmitError::Storage(s) => ApiError::storage(s, lang),
        SubmitError::CaptchaBroken(c) => ApiError::internal(c, lang),
        SubmitError::RateLimited(secs) => ApiError::rate_limited(secs, lang),
        SubmitError::RejectedByRules { .. } => ApiError::new(ErrorCode::ViolatesPostingRules, lang),
        SubmitError::Rules(crate::service::RulesError::Storage(s)) => ApiError::storage(s, lang),
        SubmitError::Rules(e) => ApiError::internal(e, lang),
    }
}

/// `POST /api/v1/sites/{site}/articles/{article}/comments`, JSON or form.
#[utoipa::path(
    post, path = "/api/v1/sites/{site}/articles/{article}/comments", tag = "comments",
    operation_id = "submitComment",
    summary = "Post a comment",
    description = "JSON answers with the new comment's id and status. A plain HTML form post \
        (`application/x-www-form-urlencoded`, no JavaScript) answers with an HTML page: a \
        confirmation, or the form again with the errors.",
    params(
        ("article" = String, Path, description = "The article's key on the site"),
    ),
    request_body(content(
        (CommentSubmission = "application/json"),
        (CommentForm = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 201, description = "Published at once (post-moderation). Form posts: the \
            confirmation page", content(
            (Accepted = "application/json"), (String = "text/html"))),
        (status = 202, description = "Waiting for a moderator. Form posts: the confirmation page", content(
            (Accepted = "application/json"), (String = "text/html"))),
        (status = 400, description = "Wrong security code (`captcha_invalid`), or a site that asks \
            for the code only when suspicious wants one (`captcha_required`: show the image and send \
            again with it), or malformed JSON", content(
            (super::openapi::ErrorBody = "application/json"), (String = "text/html"))),
        (status = 403, description = "Comments are closed (`article_closed`)", content(
            (super::openapi::ErrorBody = "application/json"), (String = "text/html"))),
        (status = 404, description = "No such site", body = super::openapi::ErrorBody),
        (status = 413, description = "Body too large", body = super::openapi::ErrorBody),
        (status = 415, description = "Neither JSON nor a form", body = super::openapi::ErrorBody),
        (status = 422, description = "Invalid fields (`validation_failed`, a blank `captcha_answer` included; the code is not spent) or refused by the posting rules", content(
            (super::openapi::ErrorBody = "application/json"), (String = "text/html"))),
        (status = 429, description = "Posting too fast (`rate_limited`)", content(
            (super::openapi::ErrorBody = "application/json"), (String = "text/html")),
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (site_key, article_key) = path.into_inner();
    let site = load_site(&state, &req, &site_key).await?;
    let mut lang = request_lang(&req, Some(&site));
    let Some(kind) = body_kind(&req) else {
        return Ok(cors::on_error(
            ApiError::new(ErrorCode::UnsupportedMediaType, lang),
            &req,
            &site,
        ));
    };
    let body_timeout =
        std::time::Duration::from_secs(state.settings.server.request_body_timeout_secs);
    let bytes = match read_body(
        &req,
        payload,
        state.settings.server.max_body_bytes,
        body_timeout,
        lang,
    )
    .await
    {
        Ok(b) => b,
        Err(e) => return Ok(cors::on_error(e, &req, &site)),
    };
    let (dto, early_errors, extras) = match kind {
        BodyKind::Json => match parse_json_submission(&bytes, lang) {
            Ok((dto, errors)) => (dto, errors, Vec::new()),
            Err(e) => return Ok(cors::on_error(e, &req, &site)),
        },
        BodyKind::Form => {
            let (dto, extras, errors) = parse_form_submission(&bytes);
            if let Some(l) = extras
                .iter()
                .find(|(k, _)| k == "lang")
                .and_then(|(_, v)| Lang::parse(v))
            {
                lang = l;
            }
            (dto, errors, extras)
        }
    };
    if kind == BodyKind::Form && extras.iter().any(|(k, _)| k == "new_code") {
        return new_code_form(&state, &req, &site, &article_key, lang, dto, &extras).await;
    }
    let result = if early_errors.is_empty() {
        let ctx = SubmitContext {
            store: &state.store,
            captcha: &state.captcha,
            pow: &state.pow,
            policies: &state.policies,
            composer: &state.composer,
            wakes: &state.wakes,
            site: &site,
            article_key: &article_key,
            lang,
            ip: client_ip(&req, &state.trusted_proxies),
            client: client_keys(&state, &req),
            network_cap: state.settings.spam.max_per_hour_per_network,
            now: now_ms(),
        };
        submit_comment(ctx, &dto).await
    } else {
        Err(SubmitError::Validation(merge_errors(
            early_errors,
            &dto,
            &article_key,
            &site,
        )))
    };
    match kind {
        BodyKind::Json => match result {
            Ok(outcome) => {
                let mut resp = if outcome.status == CommentStatus::Published {
                    HttpResponse::Created()
                } else {
                    HttpResponse::Accepted()
                };
                cors::allow(&mut resp, &req, &site);
                // Held comments wait like any other: the submitter is not
                // told that a rule asked for a closer look, nor a bot that
                // it fell into a trap.
                let status = match outcome.status {
                    CommentStatus::Held | CommentStatus::Spam => CommentStatus::Pending,
                    s => s,
                };
                Ok(resp.json(Accepted {
                    id: outcome.id,
                    status,
                }))
            }
            Err(e) => Ok(cors::on_error(submit_error(e, lang), &req, &site)),
        },
        BodyKind::Form => {
            let return_to = extras
                .iter()
                .find(|(k, _)| k == "return_to")
                .map(|(_, v)| v.clone());
            let client = client_keys(&state, &req);
            form_response(
                &state,
                &site,
                &article_key,
                lang,
                dto,
                (return_to, client),
                result,
            )
            .await
        }
    }
}

/// The no-JavaScript form's "new code" button: the same form with the
/// reader's input kept and a fresh code. Nothing is validated or stored, and
/// the old code is left to expire.
async fn new_code_form(
    state: &AppState,
    req: &HttpRequest,
    site: &Site,
    article_key: &str,
    lang: Lang,
    mut dto: SubmissionDto,
    extras: &[(String, String)],
) -> Result<HttpResponse, ApiError> {
    dto.captcha_id = None;
    dto.captcha_answer = None;
    let page = FormPage {
        error: None,
        values: dto,
        return_to: extras
            .iter()
            .find(|(k, _)| k == "return_to")
            .map(|(_, v)| v.clone()),
        client: client_keys(state, req),
        page_path: embed::section_path(site, article_key),
    };
    let html = embed::render_form_page(state, site, article_key, lang, page).await?;
    Ok(embed::section_response(
        site,
        actix_web::http::StatusCode::OK,
        html,
    ))
}

/// Type errors found while decoding plus the domain errors of the rest.
fn merge_errors(
    mut early: ValidationErrors,
    dto: &SubmissionDto,
    article_key: &str,
    site: &Site,
) -> ValidationErrors {
    if let Err(rest) = crate::domain::NewComment::parse(dto, article_key, site) {
        for (field, errs) in rest.0 {
            if !early.has(&field) {
                for e in errs {
                    early.add(&field, e);
                }
            }
        }
    }
    early
}

/// The plain-HTML answer to a form post: a success page, or the form again
/// with the errors, the input kept (escaped by the template) and a new code.
async fn form_response(
    state: &AppState,
    site: &Site,
    article_key: &str,
    lang: Lang,
    dto: SubmissionDto,
    (return_to, client): (Option<String>, ClientKeys),
    result: Result<crate::service::SubmitOutcome, SubmitError>,
) -> Result<HttpResponse, ApiError> {
    let (status, page) = match result {
        Ok(outcome) => {
            return embed::result_page(site, lang, outcome.status, return_to, dto.article_url);
        }
        Err(e) => {
            let err = submit_error(e, lang);
            if err.cause.is_some() {
                return Err(err);
            }
            let status = err.code.status();
            let page = FormPage {
                error: Some(err),
                values: dto,
                return_to,
                client,
                page_path: embed::section_path(site, article_key),
            };
            (status, page)
        }
    };
    let html = embed::render_form_page(state, site, article_key, lang, page).await?;
    Ok(embed::section_response(site, status, html))
}

#[derive(Deserialize)]
pub struct ListQuery {
    limit: Option<u32>,
    cursor: Option<String>,
    order: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "id": "0193c1f2a7d84e2b9b1f6c0d3e5a7b91", "name": "Layla", "title": "Well said",
    "body": "Thank you for this report.", "created_at": "2026-11-29T17:02:11Z",
    "published_at": "2026-11-29T17:10:45Z"
}))]
pub(super) struct PublicCommentJson {
    id: String,
    name: String,
    title: String,
    body: String,
    created_at: String,
    published_at: String,
    /// Selected by the editors (shown first with `order=featured`).
    featured: bool,
    /// Readers' likes (0 where likes are off); may lag a like by a few seconds.
    likes: i64,
    /// The replies shown under this comment.
    replies: RepliesJson,
}

/// How many replies a top-level comment has, and the first of them.
#[derive(Serialize, utoipa::ToSchema)]
struct RepliesJson {
    /// Replies readers can see.
    count: i64,
    /// The oldest few (at most 3); the rest from `GET .../comments/{id}/replies`.
    first: Vec<ReplyJson>,
}

/// A published reply, shown under the top-level comment of its thread.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "id": "0193c1f2b0aa7e2b9b1f6c0d3e5a7b92", "name": "Omar", "title": "Agreed",
    "body": "And the figures back it.", "created_at": "2026-11-29T17:20:02Z",
    "published_at": "2026-11-29T17:25:40Z",
    "parent_id": "0193c1f2a7d84e2b9b1f6c0d3e5a7b91", "in_reply_to": null
}))]
struct ReplyJson {
    id: String,
    name: String,
    title: String,
    body: String,
    created_at: String,
    published_at: String,
    /// The comment answered.
    parent_id: Option<String>,
    /// The author answered, when that is another reply ("in reply to NAME");
    /// `null` for a reply to the top-level comment.
    in_reply_to: Option<String>,
    /// Readers' likes; may lag a like by a few seconds.
    likes: i64,
}

impl From<crate::storage::PublicComment> for ReplyJson {
    fn from(r: crate::storage::PublicComment) -> ReplyJson {
        ReplyJson {
            id: r.id,
            name: r.name,
            title: r.title,
            body: r.body,
            created_at: rfc3339(r.created_at),
            published_at: rfc3339(r.published_at),
            parent_id: r.parent_id,
            in_reply_to: r.in_reply_to,
            likes: r.likes,
        }
    }
}

/// Comments `order=top` ranks: the most liked of the article.
pub const TOP_CANDIDATES: u32 = 500;
/// The id part of a `top` cursor (whose position is an offset).
const TOP_CURSOR: &str = "top";

/// Replies listed with each top-level comment.
pub const REPLIES_SHOWN: u32 = 3;

#[derive(Serialize, utoipa::ToSchema)]
struct ReplyList {
    replies: Vec<ReplyJson>,
    /// Pass back as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct CommentList {
    comments: Vec<PublicCommentJson>,
    /// Pass back as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// `GET /api/v1/sites/{site}/articles/{article}/comments`: published only.
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/articles/{article}/comments", tag = "comments",
    operation_id = "listComments",
    summary = "List an article's published comments",
    params(
        ("article" = String, Path, description = "The article's key on the site"),
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 100 (default 20)", minimum = 1, maximum = 100),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("order" = Option<String>, Query, description = "`newest` (default), `oldest`, `featured`: the comments the editors selected first (latest selected first), then the others newest first, or `top`: by likes weighed down by age, score = likes / (age in hours + 2) ^ 1.5, equal scores newest first (ranks the 500 most liked; the order moves with time, so pages are positions in a ranking that may shift between requests)"),
    ),
    responses(
        (status = 200, description = "A page of published comments (with an `ETag`)", body = CommentList),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
        (status = 400, description = "Bad `limit`, `cursor` or `order` (`invalid_parameter`)", body = super::openapi::ErrorBody),
        (status = 404, description = "No such site", body = super::openapi::ErrorBody),
    )
)]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (site_key, article_key) = path.into_inner();
    let site = load_site(&state, &req, &site_key).await?;
    let lang = request_lang(&req, Some(&site));
    let bad = || ApiError::new(ErrorCode::InvalidParameter, lang);
    let top = query.order.as_deref() == Some("top");
    let order = match query.order.as_deref() {
        Some("featured") => Order::Featured,
        Some("top") => Order::Newest,
        other => parse_order(other, Order::Newest).ok_or_else(bad)?,
    };
    let (limit, cursor) =
        page_request(query.limit, query.cursor.as_deref(), ID_MAX).ok_or_else(bad)?;
    // A `top` cursor is a position in the ranking.
    let top_offset = match (&cursor, top) {
        (Some(c), true) if c.id == TOP_CURSOR && c.at >= 0 => {
            usize::try_from(c.at).map_err(|_| bad())?
        }
        (Some(_), true) => return Err(bad()),
        _ => 0,
    };
    let query_key = format!(
        "{}|{limit}|{}",
        if top {
            "Top".to_string()
        } else {
            format!("{order:?}")
        },
        query.cursor.as_deref().unwrap_or("")
    );
    if let Some(hit) = state
        .read_cache
        .list(site.key.as_str(), &article_key, &query_key)
    {
        return Ok(cached_response(&req, &site, &hit, JSON));
    }
    let stamp = state.read_cache.list_stamp();
    let (rows, next_cursor) = if top {
        let mut rows = state
            .store
            .most_liked(site.key.as_str(), &article_key, TOP_CANDIDATES)
            .await
            .map_err(|e| ApiError::storage(e, lang))?;
        crate::domain::rank_top(&mut rows, crate::service::now_ms());
        let mut page: Vec<_> = rows
            .into_iter()
            .skip(top_offset)
            .take(limit as usize + 1)
            .collect();
        let more = page.len() > limit as usize;
        page.truncate(limit as usize);
        let next = more.then(|| {
            super::paging::encode_cursor(&Cursor {
                at: (top_offset + limit as usize) as i64,
                id: TOP_CURSOR.into(),
            })
        });
        (page, next)
    } else {
        let rows = state
            .store
            .published_comments(
                site.key.as_str(),
                &article_key,
                order,
                limit + 1,
                cursor.as_ref(),
            )
            .await
            .map_err(|e| ApiError::storage(e, lang))?;
        split_page(rows, limit, |r| Cursor {
            // Featured order: a featured comment's position is its featured
            // time, negated (see `storage::Order::Featured`).
            at: match (order, r.featured_at) {
                (Order::Featured, Some(f)) => -f,
                _ => r.published_at,
            },
            id: r.id.clone(),
        })
    };
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut threads = state
        .store
        .thread_replies(&ids, REPLIES_SHOWN)
        .await
        .map_err(|e| ApiError::storage(e, lang))?;
    let body = CommentList {
        comments: rows
            .into_iter()
            .map(|r| {
                let replies = threads.remove(&r.id).unwrap_or_default();
                PublicCommentJson {
                    id: r.id,
                    name: r.name,
                    title: r.title,
                    body: r.body,
                    created_at: rfc3339(r.created_at),
                    published_at: rfc3339(r.published_at),
                    featured: r.featured_at.is_some(),
                    likes: r.likes,
                    replies: RepliesJson {
                        count: replies.count,
                        first: replies.first.into_iter().map(ReplyJson::from).collect(),
                    },
                }
            })
            .collect(),
        next_cursor,
    };
    let bytes = serde_json::to_vec(&body).map_err(|e| ApiError::internal(e, lang))?;
    let cached = Cached::new(bytes);
    state.read_cache.put_list(
        site.key.as_str(),
        &article_key,
        &query_key,
        stamp,
        cached.clone(),
    );
    Ok(cached_response(&req, &site, &cached, JSON))
}

/// `GET /api/v1/sites/{site}/comments/{id}/replies`: the replies shown
/// under a published top-level comment, oldest first.
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/comments/{id}/replies", tag = "comments",
    operation_id = "listReplies",
    summary = "List the replies under a published comment",
    description = "Replies to the comment and to its replies (one level of nesting: a reply to \
        a reply names the author answered in `in_reply_to`). A reply is listed only while it, \
        the comment it answers and the top-level comment are published.",
    params(
        ("id" = String, Path, description = "A published top-level comment's id"),
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 100 (default 20)", minimum = 1, maximum = 100),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, description = "A page of replies (with an `ETag`)", body = ReplyList),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
        (status = 400, description = "Bad `limit` or `cursor` (`invalid_parameter`)", body = super::openapi::ErrorBody),
        (status = 404, description = "No such site, or no published top-level comment with this id (`comment_not_found`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn replies(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (site_key, id) = path.into_inner();
    let site = load_site(&state, &req, &site_key).await?;
    let lang = request_lang(&req, Some(&site));
    let bad = || ApiError::new(ErrorCode::InvalidParameter, lang);
    let (limit, cursor) =
        page_request(query.limit, query.cursor.as_deref(), ID_MAX).ok_or_else(bad)?;
    if query.order.is_some() {
        return Err(bad());
    }
    let not_found = || ApiError::new(ErrorCode::CommentNotFound, lang);
    let id = crate::domain::parse_comment_id(&id).map_err(|_| not_found())?;
    let page = state
        .store
        .published_replies(site.key.as_str(), &id, limit + 1, cursor.as_ref())
        .await
        .map_err(|e| ApiError::storage(e, lang))?
        .ok_or_else(not_found)?;
    let (rows, next_cursor) = split_page(page.replies, limit, |r| Cursor {
        at: r.published_at,
        id: r.id.clone(),
    });
    let body = ReplyList {
        replies: rows.into_iter().map(ReplyJson::from).collect(),
        next_cursor,
    };
    let bytes = serde_json::to_vec(&body).map_err(|e| ApiError::internal(e, lang))?;
    Ok(cached_response(&req, &site, &Cached::new(bytes), JSON))
}

/// How long browsers and a CDN may reuse a public read, and serve it stale
/// while revalidating: the cache in front of majlis absorbs the article-page
/// traffic; approvals show up within seconds.
const PUBLIC_CACHE: &str = "public, max-age=5, stale-while-revalidate=30";

const JSON: &str = "application/json";

/// A cached public answer of `content_type`, or `304 Not Modified` when the
/// client has it.
pub(super) fn cached_response(
    req: &HttpRequest,
    site: &Site,
    cached: &Cached,
    content_type: &str,
) -> HttpResponse {
    let not_modified = header_text(req.headers(), header::IF_NONE_MATCH).is_some_and(|v| {
        v.split(',')
            .any(|t| t.trim().trim_start_matches("W/") == cached.etag)
    });
    let mut resp = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    cors::allow(&mut resp, req, site);
    resp.insert_header((header::CACHE_CONTROL, PUBLIC_CACHE))
        .insert_header((header::ETAG, cached.etag.clone()));
    if not_modified {
        resp.finish()
    } else {
        resp.content_type(content_type.to_string())
            .body(cached.body.clone())
    }
}

#[derive(Deserialize)]
pub struct CountsQuery {
    articles: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"counts": {"2026-11-budget": 12, "2026-11-election": 0}}))]
struct Counts {
    /// Published comments per requested article key.
    counts: std::collections::BTreeMap<String, i64>,
}

/// `GET /api/v1/sites/{site}/counts?articles=a,b,c`: published counts.
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/counts", tag = "comments",
    operation_id = "countComments",
    summary = "Published comment counts of several articles",
    params(
        ("articles" = Option<String>, Query, description = "Comma-separated article keys (at most 100)"),
    ),
    responses(
        (status = 200, description = "Counts per article (with an `ETag`)", body = Counts),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
        (status = 400, description = "More than 100 articles (`invalid_parameter`)", body = super::openapi::ErrorBody),
        (status = 404, description = "No such site", body = super::openapi::ErrorBody),
    )
)]
pub async fn counts(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CountsQuery>,
) -> Result<HttpResponse, ApiError> {
    let site = load_site(&state, &req, &path.into_inner()).await?;
    let lang = request_lang(&req, Some(&site));
    let keys: Vec<String> = query
        .articles
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    // PostgreSQL text cannot hold NUL: such a key names no article.
    if keys.len() > MAX_COUNT_ARTICLES || keys.iter().any(|k| k.contains('\0')) {
        return Err(ApiError::new(ErrorCode::InvalidParameter, lang));
    }
    let query_key = keys.join("\n");
    if let Some(hit) = state.read_cache.counts(site.key.as_str(), &query_key) {
        return Ok(cached_response(&req, &site, &hit, JSON));
    }
    let epoch = state.read_cache.epoch();
    let found = state
        .store
        .published_counts(site.key.as_str(), &keys)
        .await
        .map_err(|e| ApiError::storage(e, lang))?;
    let mut counts: std::collections::BTreeMap<String, i64> =
        keys.into_iter().map(|k| (k, 0)).collect();
    for (k, n) in found {
        counts.insert(k, n);
    }
    let bytes = serde_json::to_vec(&Counts { counts }).map_err(|e| ApiError::internal(e, lang))?;
    let cached = Cached::new(bytes);
    state
        .read_cache
        .put_counts(site.key.as_str(), &query_key, epoch, cached.clone());
    Ok(cached_response(&req, &site, &cached, JSON))
}

#[derive(Serialize, utoipa::ToSchema)]
struct PublicSiteConfig<'a> {
    key: &'a str,
    name: &'a str,
    default_lang: crate::domain::Lang,
    max_body_chars: usize,
    terms_url: &'a str,
    terms_version: &'a str,
    /// The form may ask for a security code (`captcha` is not `off`).
    captcha_enabled: bool,
    /// `always`, `when-suspicious` (the form shows the code only once a
    /// submission is answered `captcha_required`) or `off`.
    captcha: crate::domain::CaptchaMode,
    moderation_mode: crate::domain::ModerationMode,
    /// The site's own posting rules for the form, per language.
    rules_text: &'a crate::domain::RulesText,
    /// The reasons a reader may give when reporting a comment.
    report_reasons: Vec<crate::domain::ReportReason>,
    /// Readers may like comments (`POST .../comments/{id}/like`).
    likes: bool,
}

/// `GET /api/v1/sites/{site}/config`: what the embedded form needs to know.
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/config", tag = "comments",
    operation_id = "getSiteConfig",
    summary = "What a comment form needs to know about a site",
    responses(
        (status = 200, description = "The public settings of the site", body = PublicSiteConfig),
        (status = 403, description = "`origin_not_allowed`: the request's `Origin` is not one of the site's allowed origins; readable cross-origin, without the site's settings", body = super::openapi::ErrorBody),
        (status = 404, description = "No such site", body = super::openapi::ErrorBody),
    )
)]
pub async fn site_config(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let site = load_site(&state, &req, &path.into_inner()).await?;
    // A page whose origin is not allowed may read that, and nothing else, so
    // the widget can say which origin to add instead of failing silently.
    if let Some(origin) = req.headers().get(header::ORIGIN)
        && !origin.to_str().is_ok_and(|o| site.allows_origin(o))
    {
        let lang = crate::routes::extract::request_lang(&req, Some(&site));
        let mut resp = actix_web::ResponseError::error_response(&ApiError::new(
            ErrorCode::OriginNotAllowed,
            lang,
        ));
        let headers = resp.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(header::VARY, header::HeaderValue::from_static("Origin"));
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        return Ok(resp);
    }
    let lang = request_lang(&req, Some(&site));
    let reports = state
        .store
        .report_settings(site.key.as_str())
        .await
        .map_err(|e| ApiError::storage(e, lang))?;
    let mut resp = HttpResponse::Ok();
    cors::allow(&mut resp, &req, &site);
    resp.insert_header((header::CACHE_CONTROL, "public, max-age=60"));
    Ok(resp.json(PublicSiteConfig {
        key: site.key.as_str(),
        name: &site.name,
        default_lang: site.default_lang,
        max_body_chars: site.max_body_chars,
        terms_url: &site.terms_url,
        terms_version: &site.terms_version,
        captcha_enabled: site.captcha.enabled(),
        captcha: site.captcha,
        moderation_mode: site.moderation_mode,
        rules_text: &site.rules_text,
        report_reasons: crate::domain::ReportReason::offered(reports.illegal_reason),
        likes: site.likes,
    }))
}
