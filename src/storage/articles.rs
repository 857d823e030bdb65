//! Articles as integrators manage them: title, address, open or closed, and
//! when commenting closes.

use sqlx::Row;

use super::events::{note_article_closed, note_article_open};
use super::rows::article as record;
use super::{AdminAudit, ArticleClosedEvent, ArticleRecord, Cursor, StorageError, Store};
use crate::domain::{Actor, new_id};

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

/// An article with its comment counts.
#[derive(Debug, Clone)]
pub struct ArticleRow {
    pub id: String,
    pub article_key: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub closed: bool,
    pub published: i64,
    pub waiting: i64,
    pub total: i64,
    pub created_at: i64,
}

/// What settles an article's closing after a change: the site's age limit
/// (`closed_if_created_before`: articles registered before this instant are
/// closed), the `article.closed` event, and who changes it when.
#[derive(Clone, Copy)]
pub struct Closing<'a> {
    pub closed_if_created_before: Option<i64>,
    pub event: ArticleClosedEvent,
    pub actor: &'a Actor,
    pub now: i64,
}

impl Store {
    /// Create or replace an article. Returns it and whether it was new. An
    /// article this closes (by hand, by `closes_at` or by the site's age
    /// limit) emits `article.closed` in the same
    /// transaction, once until it opens again. Closing or opening it by hand
    /// (`closed` changing, or a new article registered closed) is audited as
    /// `close_article` / `open_article` in the same transaction, as the
    /// dashboard's and the CLI's switch are.
    pub async fn put_article(
        &self,
        site_key: &str,
        article_key: &str,
        u: &ArticleUpdate,
        closing: Closing<'_>,
    ) -> Result<(ArticleRecord, bool), StorageError> {
        let mut tx = self.writer.begin().await?;
        let was_closed: Option<i64> =
            sqlx::query("SELECT closed FROM articles WHERE site_key = $1 AND article_key = $2")
                .bind(site_key)
                .bind(article_key)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("closed"))
                .transpose()?;
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
        .bind(closing.now)
        .execute(&mut *tx)
        .await?;
        let by_hand = (was_closed.is_some_and(|c| c != 0) != u.closed).then_some(u.closed);
        let (stored_id, article) =
            settle_closing(&mut tx, site_key, article_key, &closing, by_hand).await?;
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

impl Store {
    /// Emit `article.closed` for articles that closed by themselves
    /// (`closes_at` passed, or the site's auto-close age) and were not
    /// announced yet; at most `limit` per call. Returns how many were announced.
    pub async fn announce_closed_articles(
        &self,
        now: i64,
        limit: u32,
        event: ArticleClosedEvent,
    ) -> Result<usize, StorageError> {
        let rows = sqlx::query(
            "SELECT a.id, a.site_key, a.article_key, a.url, a.title, a.closed, a.closes_at, \
             a.published_count, a.created_at FROM articles a JOIN sites s ON s.site_key = a.site_key \
             WHERE a.closed_event_at IS NULL AND (a.closed = 1 \
             OR (a.closes_at IS NOT NULL AND a.closes_at <= $1) \
             OR (s.auto_close_days IS NOT NULL AND a.created_at < $1 - s.auto_close_days * 86400000)) \
             ORDER BY a.created_at, a.id LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        let mut announced = 0;
        for r in &rows {
            let id: String = r.try_get("id")?;
            let site_key: String = r.try_get("site_key")?;
            let article = super::articles::record(r)?;
            let mut tx = self.writer.begin().await?;
            if note_article_closed(&mut tx, &site_key, &id, &article, event, now).await? {
                announced += 1;
            }
            tx.commit().await?;
        }
        Ok(announced)
    }

    /// Articles of a site, newest first, with published / waiting / all counts.
    pub async fn articles_of_site(
        &self,
        site_key: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<ArticleRow>, StorageError> {
        let rows = sqlx::query(
            "SELECT a.id, a.article_key, a.title, a.url, a.closed, a.published_count, a.created_at, \
             (SELECT COUNT(*) FROM comments c WHERE c.article_id = a.id \
              AND c.status IN ('pending', 'held')) AS waiting, \
             (SELECT COUNT(*) FROM comments c WHERE c.article_id = a.id) AS total \
             FROM articles a WHERE a.site_key = $1 \
             ORDER BY a.created_at DESC, a.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(site_key)
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                let closed: i64 = r.try_get("closed")?;
                Ok(ArticleRow {
                    id: r.try_get("id")?,
                    article_key: r.try_get("article_key")?,
                    title: r.try_get("title")?,
                    url: r.try_get("url")?,
                    closed: closed != 0,
                    published: r.try_get("published_count")?,
                    waiting: r.try_get("waiting")?,
                    total: r.try_get("total")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Open or close commenting on the article `article_key` and audit it,
    /// in one transaction; an article this closes (or leaves closed by
    /// `closes_at` or by the site's age limit `closed_if_created_before`)
    /// emits `article.closed` once until it opens again. `false` when the
    /// site has no such article.
    pub async fn set_article_closed(
        &self,
        site_key: &str,
        article_key: &str,
        closed: bool,
        closing: Closing<'_>,
    ) -> Result<bool, StorageError> {
        let mut tx = self.writer.begin().await?;
        let r =
            sqlx::query("UPDATE articles SET closed = $1 WHERE site_key = $2 AND article_key = $3")
                .bind(i64::from(closed))
                .bind(site_key)
                .bind(article_key)
                .execute(&mut *tx)
                .await?;
        if r.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        settle_closing(&mut tx, site_key, article_key, &closing, Some(closed)).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// After a change of an article in `tx`: the article (its id and record)
/// and, when it is closed now (by hand, at `closes_at` or by age),
/// `article.closed` emitted once; when it is open, a later close emits it
/// again. `by_hand`: commenting was closed (`true`) or opened by hand,
/// audited as `close_article` / `open_article`.
async fn settle_closing(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    site_key: &str,
    article_key: &str,
    c: &Closing<'_>,
    by_hand: Option<bool>,
) -> Result<(String, ArticleRecord), StorageError> {
    let sql =
        format!("SELECT id, {COLUMNS} FROM articles WHERE site_key = $1 AND article_key = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(site_key)
        .bind(article_key)
        .fetch_one(&mut **tx)
        .await?;
    let id: String = row.try_get("id")?;
    let article = record(&row)?;
    let now = c.now;
    let closed_now = article.closed
        || article.closes_at.is_some_and(|t| t <= now)
        || c.closed_if_created_before
            .is_some_and(|limit| article.created_at < limit);
    if closed_now {
        note_article_closed(tx, site_key, &id, &article, c.event, now).await?;
    } else {
        note_article_open(tx, &id).await?;
    }
    if let Some(closed) = by_hand {
        let details = serde_json::json!({ "article": article_key }).to_string();
        let audit = AdminAudit {
            site_key,
            actor: c.actor,
            action: if closed {
                "close_article"
            } else {
                "open_article"
            },
            reason: None,
            details: &details,
            at: now,
        };
        audit.write(tx, site_key, None).await?;
    }
    Ok((id, article))
}
