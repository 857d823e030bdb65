//! Article use cases: register or replace an article (the JSON API), and
//! open or close commenting on one (the dashboard and `majlis article`),
//! closing and opening audited in the change's transaction whatever the door.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::admin::{AdminError, site_of};
use crate::delivery::Wakes;
use crate::domain::{Actor, ArticleRef, FieldError, Site, ValidationErrors};
use crate::storage::{ArticleRecord, ArticleUpdate, Closing, Store};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Articles registered before this instant are closed by the site's age
/// limit (`auto_close_days`), if it has one.
pub fn auto_close_limit(site: &Site, now: i64) -> Option<i64> {
    site.auto_close_days.map(|d| now - i64::from(d) * DAY_MS)
}

/// How a change by `actor` settles an article's closing on `site`.
fn closing<'a>(site: &Site, actor: &'a Actor, now: i64) -> Closing<'a> {
    Closing {
        closed_if_created_before: auto_close_limit(site, now),
        event: crate::webhooks::article_closed,
        actor,
        now,
    }
}

/// An article as a front door received it (`PUT .../articles/{article}`).
#[derive(Debug, Clone, Default)]
pub struct ArticleDto {
    pub title: Option<String>,
    pub url: Option<String>,
    /// `false` closes commenting (default `true`).
    pub open: Option<bool>,
    /// RFC 3339.
    pub closes_at: Option<String>,
}

/// A checked article: its key and every field it is replaced with.
#[derive(Debug, Clone)]
pub struct ArticlePut {
    key: String,
    update: ArticleUpdate,
}

impl ArticlePut {
    /// Check the key and every field; all problems at once.
    pub fn parse(article_key: &str, dto: ArticleDto) -> Result<ArticlePut, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let key = ArticleRef::parse_key(article_key).unwrap_or_else(|e| {
            errors.add("article", e);
            String::new()
        });
        let title = ArticleRef::parse_title(dto.title.as_deref()).unwrap_or_else(|e| {
            errors.add("title", e);
            None
        });
        let url = ArticleRef::parse_url(dto.url.as_deref()).unwrap_or_else(|e| {
            errors.add("url", e);
            None
        });
        let closes_at = match dto.closes_at.as_deref() {
            None => None,
            Some(raw) => match OffsetDateTime::parse(raw, &Rfc3339) {
                Ok(t) => i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok(),
                Err(_) => {
                    errors.add("closes_at", FieldError::new("invalid_datetime"));
                    None
                }
            },
        };
        errors.into_result()?;
        Ok(ArticlePut {
            key,
            update: ArticleUpdate {
                url,
                title,
                closed: !dto.open.unwrap_or(true),
                closes_at,
            },
        })
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn closed(&self) -> bool {
        self.update.closed
    }
}

/// Create or replace an article of `site`; returns it and whether it is new.
/// An article this closes emits `article.closed` in the same transaction
/// (the webhook loop is woken after it); closing or opening it by hand is
/// audited there too.
pub async fn put_article(
    store: &Store,
    wakes: &Wakes,
    actor: &Actor,
    site: &Site,
    put: &ArticlePut,
    now: i64,
) -> Result<(ArticleRecord, bool), AdminError> {
    let (article, created) = store
        .put_article(
            site.key.as_str(),
            &put.key,
            &put.update,
            closing(site, actor, now),
        )
        .await?;
    let closed_now = article.closed
        || article.closes_at.is_some_and(|t| t <= now)
        || auto_close_limit(site, now).is_some_and(|limit| article.created_at < limit);
    if closed_now {
        wakes.hooks.notify();
    }
    Ok((article, created))
}

/// Open or close commenting on one article, as a front door received it.
#[derive(Debug, Clone)]
pub struct Commenting {
    article_key: String,
    closed: bool,
}

impl Commenting {
    pub fn parse(article_key: &str, closed: bool) -> Result<Commenting, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        match ArticleRef::parse_key(article_key) {
            Ok(article_key) => Ok(Commenting {
                article_key,
                closed,
            }),
            Err(e) => {
                errors.add("article", e);
                Err(errors)
            }
        }
    }
}

/// Open or close commenting on an article of a site, with its audit row
/// (and `article.closed` when it closes; the webhook loop is woken after
/// the commit). `SiteNotFound` or `NotFound` when the site or the article
/// is not there.
pub async fn set_commenting(
    store: &Store,
    wakes: &Wakes,
    actor: &Actor,
    site_key: &str,
    change: &Commenting,
    now: i64,
) -> Result<(), AdminError> {
    let site = site_of(store, site_key).await?;
    let changed = store
        .set_article_closed(
            site_key,
            &change.article_key,
            change.closed,
            closing(&site, actor, now),
        )
        .await?;
    if changed {
        wakes.hooks.notify();
        Ok(())
    } else {
        Err(AdminError::NotFound)
    }
}
