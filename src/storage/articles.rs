//! Articles as integrators manage them: title, address, open or closed, and
//! when commenting closes.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::comments::Cursor;
use super::webhooks::{ArticleClosedEvent, note_article_closed, note_article_open};
use super::{StorageError, Store};
use crate::domain::new_id;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRecord {
    pub key: String,
    pub url: Option<String>,
    pub title: Option<String>,
    /// Closed by hand (a moderator or the CMS).
    pub closed: bool,
    pub closes_at: Option<i64>,
    pub published_count: i64,
    pub created_at: i64,
}

/// What `PUT .../articles/{article}` sets; every field is replaced.
#[derive(Debug, Clone)]
pub struct ArticleUpdate {
    pub url: Option<String>,
    pub title: Option<String>,
    pub closed: bool,
    pub closes_at: Option<i64>,
}

/// Which articles a listing returns, judged at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleFilter {
    All,
    Open,
    Closed,
}

const COLUMNS: &str = "article_key, url, title, closed, closes_at, published_count, created_at";

/// The SQL condition for "commenting is closed": by hand, at `closes_at`
/// (`$2` = now) or by age (`$3` = registered before this instant).
const CLOSED_SQL: &str = "(closed = 1 OR (closes_at IS NOT NULL AND closes_at <= $2) \
                          OR created_at < $3)";

pub(super) fn record(row: &AnyRow) -> Result<ArticleRecord, StorageError> {
    let closed: i64 = row.try_get("closed")?;
    Ok(ArticleRecord {
        key: row.try_get("article_key")?,
        url: row.try_get("url")?,
        title: row.try_get("title")?,
        closed: closed != 0,
        closes_at: row.try_get("closes_at")?,
        published_count: row.try_get("published_count")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    /// Create or replace an article. Returns it and whether it was new. An
    /// article this closes (by hand, by `closes_at` or by the site's age limit
    /// `closed_if_created_before`) emits `article.closed` in the same
    /// transaction, once until it opens again.
    pub async fn put_article(
        &self,
        site_key: &str,
        article_key: &str,
        u: &ArticleUpdate,
        closed_if_created_before: Option<i64>,
        closed_event: ArticleClosedEvent,
        now: i64,
    ) -> Result<(ArticleRecord, bool), StorageError> {
        let mut tx = self.writer.begin().await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO articles (id, site_key, article_key, url, title, closed, closes_at, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (site_key, article_key) DO UPDATE SET url = excluded.url, \
             title = excluded.title, closed = excluded.closed, closes_at = excluded.closes_at",
        )
        .bind(&id)
        .bind(site_key)
        .bind(article_key)
        .bind(&u.url)
        .bind(&u.title)
        .bind(i64::from(u.closed))
        .bind(u.closes_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let sql =
            format!("SELECT id, {COLUMNS} FROM articles WHERE site_key = $1 AND article_key = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(article_key)
            .fetch_one(&mut *tx)
            .await?;
        let stored_id: String = row.try_get("id")?;
        let article = record(&row)?;
        let closed_now = article.closed
            || article.closes_at.is_some_and(|t| t <= now)
            || closed_if_created_before.is_some_and(|limit| article.created_at < limit);
        if closed_now {
            note_article_closed(&mut tx, site_key, &stored_id, &article, closed_event, now).await?;
        } else {
            note_article_open(&mut tx, &stored_id).await?;
        }
        tx.commit().await?;
        Ok((article, stored_id == id))
    }

    pub async fn article(
        &self,
        site_key: &str,
        article_key: &str,
    ) -> Result<Option<ArticleRecord>, StorageError> {
        let sql =
            format!("SELECT {COLUMNS} FROM articles WHERE site_key = $1 AND article_key = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(article_key)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(record).transpose()
    }

    /// How many comments of an article are in each status.
    pub async fn article_status_counts(
        &self,
        site_key: &str,
        article_key: &str,
    ) -> Result<Vec<(String, i64)>, StorageError> {
        let rows = sqlx::query(
            "SELECT c.status, COUNT(*) AS n FROM comments c JOIN articles a ON a.id = c.article_id \
             WHERE a.site_key = $1 AND a.article_key = $2 GROUP BY c.status",
        )
        .bind(site_key)
        .bind(article_key)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
            .collect()
    }

    /// A site's articles, newest first, keyset-paginated on registration time.
    /// `closed_if_created_before` is the site's auto-close age as an instant.
    pub async fn articles(
        &self,
        site_key: &str,
        filter: ArticleFilter,
        now: i64,
        closed_if_created_before: Option<i64>,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Vec<ArticleRecord>, StorageError> {
        let condition = match filter {
            ArticleFilter::All => "($2 = $2 AND $3 = $3)".to_string(),
            ArticleFilter::Open => format!("NOT {CLOSED_SQL}"),
            ArticleFilter::Closed => CLOSED_SQL.to_string(),
        };
        let page = if after.is_some() {
            "AND (created_at < $5 OR (created_at = $5 AND article_key < $6))"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM articles WHERE site_key = $1 AND {condition} {page} \
             ORDER BY created_at DESC, article_key DESC LIMIT $4"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(now)
            .bind(closed_if_created_before.unwrap_or(i64::MIN))
            .bind(i64::from(limit));
        if let Some(c) = after {
            q = q.bind(c.at).bind(&c.id);
        }
        let rows = q.fetch_all(&self.reader).await?;
        rows.iter().map(record).collect()
    }
}
