//! Articles for integrators (moderator key): register or update an article,
//! open or close commenting, schedule `closes_at`, read counts by status.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::paging::{ARTICLE_KEY_MAX, page_request, split_page};
use super::site::{load_site, require_key};
use super::{no_store, private_json};
use crate::auth::Role;
use crate::domain::{CommentStatus, Site};
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode};
use crate::routes::extract::request_lang;
use crate::routes::time_fmt::rfc3339;
use crate::service::{ArticleDto, ArticlePut, auto_close_limit, now_ms};
use crate::storage::{ArticleFilter, ArticleRecord, Cursor};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The body of `PUT .../articles/{article}`: every field is replaced.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "The 2027 budget", "url": "https://news.example.org/2026/11/budget",
    "open": true, "closes_at": "2026-12-06T00:00:00Z"
}))]
pub struct ArticleBody {
    title: Option<String>,
    /// The article's public `http(s)` address.
    url: Option<String>,
    /// `false` closes commenting now (default `true`).
    open: Option<bool>,
    /// RFC 3339; commenting closes at this instant. `null` = no schedule.
    closes_at: Option<String>,
}

/// An article as integrators see it.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "key": "2026-11-budget", "title": "The 2027 budget",
    "url": "https://news.example.org/2026/11/budget", "open": true, "closed": false,
    "closes_at": "2026-12-06T00:00:00Z", "published_count": 12,
    "created_at": "2026-11-29T08:00:00Z"
}))]
pub struct ArticleJson {
    key: String,
    title: Option<String>,
    url: Option<String>,
    /// Whether new comments are accepted now.
    open: bool,
    /// Closed by hand (`"open": false`).
    closed: bool,
    /// When commenting closes: the scheduled `closes_at` or the site's
    /// auto-close age, whichever comes first. `null` = never.
    closes_at: Option<String>,
    published_count: i64,
    created_at: String,
}

/// One article with its comment counts by status.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ArticleDetail {
    #[serde(flatten)]
    article: ArticleJson,
    /// Comments per status: `pending`, `held`, `published`, `rejected`, `spam`, `deleted`.
    #[schema(example = json!({"pending": 2, "held": 0, "published": 12, "rejected": 1, "spam": 3, "deleted": 0}))]
    counts: BTreeMap<String, i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ArticlePage {
    articles: Vec<ArticleJson>,
    /// Pass back as `cursor`; `null` on the last page.
    next_cursor: Option<String>,
}

fn to_json(a: ArticleRecord, site: &Site, now: i64) -> ArticleJson {
    let by_age = site
        .auto_close_days
        .map(|d| a.created_at + i64::from(d) * DAY_MS);
    let closes_at = match (a.closes_at, by_age) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    let open = !a.closed && closes_at.is_none_or(|t| t > now);
    ArticleJson {
        key: a.key,
        title: a.title,
        url: a.url,
        open,
        closed: a.closed,
        closes_at: closes_at.map(rfc3339),
        published_count: a.published_count,
        created_at: rfc3339(a.created_at),
    }
}

/// `PUT /api/v1/sites/{site}/articles/{article}`
#[utoipa::path(
    put, path = "/api/v1/sites/{site}/articles/{article}", tag = "articles",
    operation_id = "putArticle",
    summary = "Register or update an article (moderator key)",
    description = "Sets the title, address, open or closed state and `closes_at`; fields \
        left out are cleared (`open` defaults to `true`). Commenting also closes by itself \
        after the site's auto-close age.",
    security(("api_key" = [])),
    params(
        ("article" = String, Path, description = "The article's key on the site"),
    ),
    request_body = ArticleBody,
    responses(
        (status = 200, description = "Updated", body = ArticleJson),
        (status = 201, description = "Registered", body = ArticleJson),
        (status = 422, description = "Invalid fields (`validation_failed`)", body = super::openapi::ErrorBody),
    )
)]
pub async fn put(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<ArticleBody>,
) -> Result<HttpResponse, ApiError> {
    let (site_key, article_key) = path.into_inner();
    let key = require_key(&state, &req, &site_key, Role::Moderator).await?;
    let site = load_site(&state, &req, &key.site_key).await?;
    let lang = request_lang(&req, None);
    let b = body.into_inner();
    let dto = ArticleDto {
        title: b.title,
        url: b.url,
        open: b.open,
        closes_at: b.closes_at,
    };
    let put = ArticlePut::parse(&article_key, dto).map_err(|e| ApiError::validation(e, lang))?;
    let now = now_ms();
    let (article, created) =
        crate::service::put_article(&state.store, &state.wakes, &key.actor(), &site, &put, now)
            .await
            .map_err(|e| ApiError::admin(e, lang))?;
    tracing::info!(article = %put.key(), api_key = %key.id, closed = put.closed(), "article updated");
    let resp = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(no_store(resp).json(to_json(article, &site, now)))
}

/// `GET /api/v1/sites/{site}/articles/{article}`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/articles/{article}", tag = "articles",
    operation_id = "getArticle",
    summary = "One article with its comment counts by status (moderator key)",
    security(("api_key" = [])),
    params(
        ("article" = String, Path, description = "The article's key on the site"),
    ),
    responses((status = 200, description = "The article", body = ArticleDetail))
)]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site_key, article_key) = path.into_inner();
    let key = require_key(&state, &req, &site_key, Role::Moderator).await?;
    let site = load_site(&state, &req, &key.site_key).await?;
    let lang = request_lang(&req, None);
    let store_err = |e| ApiError::storage(e, lang);
    let article = state
        .store
        .article(&key.site_key, &article_key)
        .await
        .map_err(store_err)?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, lang))?;
    let mut counts: BTreeMap<String, i64> = CommentStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    for (status, n) in state
        .store
        .article_status_counts(&key.site_key, &article_key)
        .await
        .map_err(store_err)?
    {
        counts.insert(status, n);
    }
    Ok(private_json(ArticleDetail {
        article: to_json(article, &site, now_ms()),
        counts,
    }))
}

#[derive(Deserialize)]
pub struct ArticlesQuery {
    status: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// `GET /api/v1/sites/{site}/articles?status=open|closed`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/articles", tag = "articles",
    operation_id = "listArticles",
    summary = "A site's articles, newest first (moderator key)",
    security(("api_key" = [])),
    params(
        ("status" = Option<String>, Query, description = "`open` or `closed`; all when absent"),
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 100 (default 20)", minimum = 1, maximum = 100),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses((status = 200, description = "A page of articles", body = ArticlePage))
)]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ArticlesQuery>,
) -> Result<HttpResponse, ApiError> {
    let key = require_key(&state, &req, &path.into_inner(), Role::Moderator).await?;
    let site = load_site(&state, &req, &key.site_key).await?;
    let lang = request_lang(&req, None);
    let bad = || ApiError::new(ErrorCode::InvalidParameter, lang);
    let filter = match query.status.as_deref() {
        None | Some("") => ArticleFilter::All,
        Some("open") => ArticleFilter::Open,
        Some("closed") => ArticleFilter::Closed,
        Some(_) => return Err(bad()),
    };
    let (limit, cursor) =
        page_request(query.limit, query.cursor.as_deref(), ARTICLE_KEY_MAX).ok_or_else(bad)?;
    let now = now_ms();
    let rows = state
        .store
        .articles(
            &key.site_key,
            filter,
            now,
            auto_close_limit(&site, now),
            limit + 1,
            cursor.as_ref(),
        )
        .await
        .map_err(|e| ApiError::storage(e, lang))?;
    let (rows, next_cursor) = split_page(rows, limit, |r| Cursor {
        at: r.created_at,
        id: r.key.clone(),
    });
    Ok(private_json(ArticlePage {
        articles: rows.into_iter().map(|a| to_json(a, &site, now)).collect(),
        next_cursor,
    }))
}
