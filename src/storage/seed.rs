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

impl Store {
    /// Create article `article_key` with `top` published top-level comments
    /// and `replies` published replies spread over them (each thread gets
    /// the same share; every other reply answers the previous reply).
    pub async fn seed_thread(
        &self,
        site_key: &str,
        article_key: &str,
        top: usize,
        replies: usize,
        now: i64,
    ) -> Result<Vec<String>, StorageError> {
        let mut tx = self.writer.begin().await?;
        let article_id = new_id();
        sqlx::query(
            "INSERT INTO articles (id, site_key, article_key, url, title, closed, published_count, created_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
        )
        .bind(&article_id)
        .bind(site_key)
        .bind(article_key)
        .bind(format!("https://news.example/{article_key}"))
        .bind("مقال بنقاش طويل")
        .bind((top + replies) as i64)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let mut ids: Vec<String> = Vec::with_capacity(top + replies);
        let mut last_reply: Vec<Option<String>> = vec![None; top];
        for i in 0..top + replies {
            let id = new_id();
            let at = now - 1_000_000 + (i as i64) * 1000;
            // Replies go round the threads; every other one answers the
            // thread's previous reply rather than the top-level comment.
            let (thread, parent) = match i.checked_sub(top) {
                Some(r) if top > 0 => {
                    let slot = r % top;
                    let thread = ids.get(slot).cloned();
                    let parent = match last_reply.get(slot).cloned().flatten() {
                        Some(prev) if r % 2 == 1 => Some(prev),
                        _ => thread.clone(),
                    };
                    if let Some(s) = last_reply.get_mut(slot) {
                        *s = Some(id.clone());
                    }
                    (thread, parent)
                }
                _ => (None, None),
            };
            sqlx::query(
                "INSERT INTO comments (id, site_key, article_id, status, flagged, author_name, \
                 author_email, title, body, lang, terms_version, ip_hash, body_fingerprint, \
                 findings, created_at, published_at, updated_at, thread_id, parent_id) \
                 VALUES ($1, $2, $3, 'published', 0, $4, $5, $6, $7, 'ar', '1', 'seed', $8, '[]', \
                 $9, $9, $9, $10, $11)",
            )
            .bind(&id)
            .bind(site_key)
            .bind(&article_id)
            .bind(format!("قارئ {i}"))
            .bind(format!("reader{i}@example.com"))
            .bind(format!("تعليق رقم {i} في النقاش"))
            .bind(format!(
                "هذا تعليق تجريبي رقم {i} في نقاش طويل، يرد فيه القراء على بعضهم عن الأخبار \
                 المحلية والطقس والاقتصاد بلغة عادية ومهذبة كما يكتب القراء عادة."
            ))
            .bind(format!("thread-{article_key}-{i}"))
            .bind(at)
            .bind(thread)
            .bind(parent)
            .execute(&mut *tx)
            .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }
}

impl Store {
    /// Bulk-load `articles` articles (`{prefix}1`..) with `per_article`
    /// comments each, straight into the tables with multi-row INSERTs (for
    /// the scale benchmark): every tenth comment of an article is pending,
    /// the rest published; authors repeat over 5,000 addresses. Article
    /// counts are set to match. Times go back from `now`, one minute apart.
    pub async fn seed_bulk(
        &self,
        site_key: &str,
        prefix: &str,
        articles: usize,
        per_article: usize,
        now: i64,
    ) -> Result<(), StorageError> {
        const ROWS: usize = 1000;
        let published_per = per_article - per_article.div_ceil(10);
        let step = (ROWS / per_article.max(1)).max(1);
        let mut n = 0usize;
        for first in (1..=articles).step_by(step) {
            let last = (first + step - 1).min(articles);
            let mut tx = self.writer.begin().await?;
            let mut art_sql = String::from(
                "INSERT INTO articles (id, site_key, article_key, url, title, closed, published_count, created_at) VALUES ",
            );
            let ids: Vec<String> = (first..=last).map(|_| new_id()).collect();
            for (i, _) in ids.iter().enumerate() {
                let p = i * 3;
                art_sql.push_str(&format!(
                    "{}(${}, $1, ${}, NULL, ${}, 0, {published_per}, {now})",
                    if i == 0 { "" } else { ", " },
                    p + 2,
                    p + 3,
                    p + 4
                ));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(art_sql)).bind(site_key);
            for (id, a) in ids.iter().zip(first..=last) {
                q = q
                    .bind(id)
                    .bind(format!("{prefix}{a}"))
                    .bind(format!("مقال رقم {a}"));
            }
            q.execute(&mut *tx).await?;
            let mut sql = String::from(
                "INSERT INTO comments (id, site_key, article_id, status, flagged, author_name, \
                 author_email, title, body, lang, terms_version, ip_hash, body_fingerprint, \
                 findings, created_at, published_at, updated_at) VALUES ",
            );
            let mut rows = 0;
            for _ in first..=last {
                for i in 0..per_article {
                    n += 1;
                    let p = rows * 5;
                    let published = i < published_per;
                    let at = now - (n as i64) * 60_000;
                    sql.push_str(&format!(
                        "{}(${}, $1, ${}, '{}', 0, ${}, ${}, ${}, ${}, 'ar', '1', 'seed', '', '[]', {at}, {}, {at})",
                        if rows == 0 { "" } else { ", " },
                        p + 2,
                        p + 3,
                        if published { "published" } else { "pending" },
                        p + 4,
                        p + 5,
                        p + 6,
                        p + 6,
                        if published { at.to_string() } else { "NULL".into() },
                    ));
                    rows += 1;
                }
            }
            // Title and body share one parameter (`$p+6` twice above).
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(site_key);
            let mut k = 0usize;
            for (id, a) in ids.iter().zip(first..=last) {
                for i in 0..per_article {
                    k += 1;
                    let reader = (k * 7919 + a) % 5000;
                    q = q
                        .bind(new_id())
                        .bind(id)
                        .bind(format!("قارئ {reader}"))
                        .bind(format!("reader{reader}@example.com"))
                        .bind(format!(
                            "تعليق رقم {i} على المقال {a} عن الأخبار المحلية والطقس والاقتصاد {k}"
                        ));
                }
            }
            q.execute(&mut *tx).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}
