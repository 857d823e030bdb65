//! Article use cases: register or replace an article (the JSON API), and
//! open or close commenting on one (the dashboard), audited in the change's
//! transaction.

use super::admin::AdminError;
use crate::domain::{Actor, Site};
use crate::storage::{ArticleRecord, ArticleUpdate, StorageError, Store};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Articles registered before this instant are closed by the site's age
/// limit (`auto_close_days`), if it has one.
pub fn auto_close_limit(site: &Site, now: i64) -> Option<i64> {
    site.auto_close_days.map(|d| now - i64::from(d) * DAY_MS)
}

/// Create or replace an article of `site`; returns it and whether it is new.
/// An article this closes emits `article.closed` in the same transaction.
pub async fn put_article(
    store: &Store,
    site: &Site,
    article_key: &str,
    update: &ArticleUpdate,
    now: i64,
) -> Result<(ArticleRecord, bool), StorageError> {
    store
        .put_article(
            site.key.as_str(),
            article_key,
            update,
            auto_close_limit(site, now),
            crate::webhooks::article_closed,
            now,
        )
        .await
}

/// Open (`closed` false) or close commenting on the article `article_id` of
/// a site, with its audit row. `NotFound` when the site or the article is
/// not there.
pub async fn set_commenting(
    store: &Store,
    site_key: &str,
    article_id: &str,
    closed: bool,
    actor: &Actor,
    now: i64,
) -> Result<(), AdminError> {
    let site = store.site(site_key).await?.ok_or(AdminError::NotFound)?;
    let changed = store
        .set_article_closed(
            site_key,
            article_id,
            closed,
            auto_close_limit(&site, now),
            crate::webhooks::article_closed,
            actor,
            now,
        )
        .await?;
    if changed {
        Ok(())
    } else {
        Err(AdminError::NotFound)
    }
}
