//! Atom feeds of the latest published comments, per site and per article,
//! for readers who follow a discussion. Public, cached and revalidated like
//! the published list.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::comments::cached_response;
use super::site::load_site;
use crate::domain::Site;
use crate::i18n::t;
use crate::routes::AppState;
use crate::routes::error::{ApiError, OrApi};
use crate::routes::extract::request_lang;
use crate::routes::time_fmt::rfc3339;
use crate::service::Cached;
use crate::storage::FeedItem;

/// Entries in a feed: the latest published comments.
const FEED_ENTRIES: u32 = 50;

struct EntryView {
    id: String,
    title: String,
    author: String,
    published: String,
    link: Option<String>,
    article: String,
    body: String,
}

#[derive(Template)]
#[template(path = "feed.xml")]
struct FeedTemplate {
    lang: &'static str,
    self_url: String,
    title: String,
    updated: String,
    page_url: Option<String>,
    entries: Vec<EntryView>,
}

fn render(
    state: &AppState,
    site: &Site,
    article: Option<&str>,
    items: Vec<FeedItem>,
) -> Result<Vec<u8>, askama::Error> {
    let lang = site.default_lang;
    let base = state.settings.server.base_url.trim_end_matches('/');
    let site_key = site.key.as_str();
    let (self_url, title, page_url) = match article {
        Some(article) => {
            let first = items.first();
            let article_title = first
                .and_then(|i| i.article_title.clone())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| article.to_string());
            (
                format!(
                    "{base}/api/v1/sites/{site_key}/articles/{}/feed.atom",
                    percent_encoding::utf8_percent_encode(
                        article,
                        percent_encoding::NON_ALPHANUMERIC
                    )
                ),
                format!("{} — {article_title}", t(lang, "feed.comments_on")),
                first.and_then(|i| i.article_url.clone()),
            )
        }
        None => (
            format!("{base}/api/v1/sites/{site_key}/feed.atom"),
            format!("{} — {}", t(lang, "feed.comments_on"), site.name),
            None,
        ),
    };
    let updated = rfc3339(items.first().map(|i| i.published_at).unwrap_or(0));
    let entries = items
        .into_iter()
        .map(|i| EntryView {
            link: i
                .article_url
                .as_ref()
                .map(|u| format!("{u}#majlis-comment-{}", i.id)),
            article: i
                .article_title
                .filter(|t| !t.is_empty())
                .unwrap_or(i.article_key),
            author: if i.name.is_empty() {
                t(lang, "comments.anonymous").to_string()
            } else {
                i.name
            },
            published: rfc3339(i.published_at),
            id: i.id,
            title: i.title,
            body: i.body,
        })
        .collect();
    let feed = FeedTemplate {
        lang: lang.code(),
        self_url,
        title,
        updated,
        page_url,
        entries,
    };
    Ok(feed.render()?.into_bytes())
}

async fn answer(
    req: &HttpRequest,
    state: &AppState,
    site_key: &str,
    article: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let site = load_site(state, req, site_key).await?;
    let lang = request_lang(req, Some(&site));
    if let Some(hit) = state.read_cache.feed(site.key.as_str(), article) {
        return Ok(cached_response(req, &site, &hit, ATOM));
    }
    let epoch = state.read_cache.epoch();
    let items = state
        .store
        .latest_published(site.key.as_str(), article, FEED_ENTRIES)
        .await
        .or_api(lang)?;
    let body = render(state, &site, article, items).map_err(|e| ApiError::internal(e, lang))?;
    let cached = Cached::new(body);
    state
        .read_cache
        .put_feed(site.key.as_str(), article, epoch, cached.clone());
    Ok(cached_response(req, &site, &cached, ATOM))
}

const ATOM: &str = "application/atom+xml; charset=utf-8";

/// `GET /api/v1/sites/{site}/feed.atom`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/feed.atom", tag = "comments",
    operation_id = "getSiteFeed",
    summary = "Atom feed of the site's latest published comments",
    description = "The 50 most recently published comments of the site, newest first, each \
        linking to its article. Cached like the published list (`ETag`, `304`).",
    responses(
        (status = 200, description = "An Atom 1.0 feed", content_type = "application/atom+xml", body = String),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
        (status = 404, description = "No such site", body = super::openapi::ErrorBody),
    )
)]
pub async fn site_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    answer(&req, &state, &path.into_inner(), None).await
}

/// `GET /api/v1/sites/{site}/articles/{article}/feed.atom`
#[utoipa::path(
    get, path = "/api/v1/sites/{site}/articles/{article}/feed.atom", tag = "comments",
    operation_id = "getArticleFeed",
    summary = "Atom feed of an article's latest published comments",
    description = "The 50 most recently published comments under the article, newest first. \
        Cached like the published list (`ETag`, `304`).",
    params(
        ("article" = String, Path, description = "Article key", example = "welcome"),
    ),
    responses(
        (status = 200, description = "An Atom 1.0 feed", content_type = "application/atom+xml", body = String),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
        (status = 404, description = "No such site", body = super::openapi::ErrorBody),
    )
)]
pub async fn article_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site, article) = path.into_inner();
    answer(&req, &state, &site, Some(&article)).await
}
