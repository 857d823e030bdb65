//! The latest published comments of a site or of one article, newest
//! first, with their article: what the readers' Atom feeds show.

use super::rows::VISIBLE;
use super::{StorageError, Store};

/// A published comment with the article it is under.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedItem {
    pub id: String,
    #[sqlx(rename = "author_name")]
    pub name: String,
    pub title: String,
    pub body: String,
    pub published_at: i64,
    pub article_key: String,
    pub article_title: Option<String>,
    pub article_url: Option<String>,
}

impl Store {
    /// Up to `limit` published comments of the site (of `article` only,
    /// when given), the most recently published first.
    pub async fn latest_published(
        &self,
        site_key: &str,
        article: Option<&str>,
        limit: u32,
    ) -> Result<Vec<FeedItem>, StorageError> {
        let only_article = if article.is_some() {
            "AND a.article_key = $3"
        } else {
            ""
        };
        let sql = format!(
            "SELECT c.id, c.author_name, c.title, c.body, \
             COALESCE(c.published_at, 0) AS published_at, a.article_key, \
             a.title AS article_title, a.url AS article_url \
             FROM comments c JOIN articles a ON a.id = c.article_id \
             WHERE c.site_key = $1 AND {VISIBLE} {only_article} \
             ORDER BY c.published_at DESC, c.id DESC LIMIT $2"
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(i64::from(limit));
        if let Some(article) = article {
            q = q.bind(article);
        }
        Ok(q.fetch_all(&self.reader).await?)
    }
}
