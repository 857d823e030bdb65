//! The candidates of `order=top`: an article's most liked comments.

use sqlx::Row;

use super::{PublicComment, public_comment};
use crate::storage::{StorageError, Store};

impl Store {
    /// The `limit` most liked visible top-level comments of an article (the
    /// newest first among equals): the candidates `order=top` ranks.
    pub async fn most_liked(
        &self,
        site_key: &str,
        article_key: &str,
        limit: u32,
    ) -> Result<Vec<PublicComment>, StorageError> {
        let rows = sqlx::query(
            "SELECT c.id, c.author_name, c.title, c.body, c.created_at, c.published_at, \
             c.featured_at, c.likes FROM comments c JOIN articles a ON a.id = c.article_id \
             WHERE a.site_key = $1 AND a.article_key = $2 AND c.status = 'published' \
             AND c.parent_id IS NULL \
             ORDER BY c.likes DESC, c.published_at DESC, c.id DESC LIMIT $3",
        )
        .bind(site_key)
        .bind(article_key)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| public_comment(r, None, None, r.try_get("featured_at")?))
            .collect()
    }
}

impl crate::domain::TopRanked for PublicComment {
    fn likes(&self) -> i64 {
        self.likes
    }
    fn published_at(&self) -> i64 {
        self.published_at
    }
    fn id(&self) -> &str {
        &self.id
    }
}
