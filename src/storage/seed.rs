//! Bulk loading for benchmarks and demonstrations: many articles with
//! published and pending comments, in a few large transactions.

use super::{StorageError, Store};
use crate::domain::new_id;

impl Store {
    /// Create `articles` articles (`{prefix}1`..) on a site, each with
    /// `published` published and `pending` pending comments.
    pub async fn seed_articles(
        &self,
        site_key: &str,
        prefix: &str,
        articles: usize,
        published: usize,
        pending: usize,
        now: i64,
    ) -> Result<(), StorageError> {
        for chunk in (1..=articles).collect::<Vec<_>>().chunks(50) {
            let mut tx = self.writer.begin().await?;
            for &n in chunk {
                let article_id = new_id();
                sqlx::query(
                    "INSERT INTO articles (id, site_key, article_key, url, title, closed, published_count, created_at) \
                     VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
                )
                .bind(&article_id)
                .bind(site_key)
                .bind(format!("{prefix}{n}"))
                .bind(format!("https://news.example/{prefix}{n}"))
                .bind(format!("مقال رقم {n}"))
                .bind(published as i64)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                for i in 0..published + pending {
                    let is_published = i < published;
                    let at = now - 1_000_000 + (i as i64) * 1000;
                    sqlx::query(
                        "INSERT INTO comments (id, site_key, article_id, status, flagged, author_name, \
                         author_email, title, body, lang, terms_version, ip_hash, body_fingerprint, \
                         findings, created_at, published_at, updated_at) \
                         VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, 'ar', '1', 'seed', $9, '[]', $10, $11, $10)",
                    )
                    .bind(new_id())
                    .bind(site_key)
                    .bind(&article_id)
                    .bind(if is_published { "published" } else { "pending" })
                    .bind(format!("قارئ {i}"))
                    .bind(format!("reader{i}@example.com"))
                    .bind(format!("تعليق رقم {i} على المقال {n}"))
                    .bind(format!(
                        "هذا تعليق تجريبي رقم {i} على المقال {n}، يتحدث عن الأخبار المحلية والطقس \
                         والاقتصاد بلغة عادية ومهذبة كما يكتب القراء عادة في صفحات الأخبار."
                    ))
                    .bind(format!("seed-{n}-{i}"))
                    .bind(at)
                    .bind(is_published.then_some(at))
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
        }
        Ok(())
    }
}
