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
                let key = format!("{prefix}{n}");
                insert_article(
                    &mut tx,
                    &article_id,
                    site_key,
                    &key,
                    &format!("مقال رقم {n}"),
                    published,
                    now,
                )
                .await?;
                for i in 0..published + pending {
                    insert_comment(
                        &mut tx,
                        SeedComment {
                            id: &new_id(),
                            site_key,
                            article_id: &article_id,
                            published: i < published,
                            reader: i,
                            title: format!("تعليق رقم {i} على المقال {n}"),
                            body: format!(
                                "هذا تعليق تجريبي رقم {i} على المقال {n}، يتحدث عن الأخبار المحلية والطقس \
                                 والاقتصاد بلغة عادية ومهذبة كما يكتب القراء عادة في صفحات الأخبار."
                            ),
                            fingerprint: format!("seed-{n}-{i}"),
                            at: now - 1_000_000 + (i as i64) * 1000,
                            thread: None,
                            parent: None,
                        },
                    )
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
        insert_article(
            &mut tx,
            &article_id,
            site_key,
            article_key,
            "مقال بنقاش طويل",
            top + replies,
            now,
        )
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
            insert_comment(
                &mut tx,
                SeedComment {
                    id: &id,
                    site_key,
                    article_id: &article_id,
                    published: true,
                    reader: i,
                    title: format!("تعليق رقم {i} في النقاش"),
                    body: format!(
                        "هذا تعليق تجريبي رقم {i} في نقاش طويل، يرد فيه القراء على بعضهم عن الأخبار \
                         المحلية والطقس والاقتصاد بلغة عادية ومهذبة كما يكتب القراء عادة."
                    ),
                    fingerprint: format!("thread-{article_key}-{i}"),
                    at,
                    thread,
                    parent,
                },
            )
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

/// An open article with its public address on `news.example`.
async fn insert_article(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    site_key: &str,
    article_key: &str,
    title: &str,
    published_count: usize,
    now: i64,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO articles (id, site_key, article_key, url, title, closed, published_count, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
    )
    .bind(id)
    .bind(site_key)
    .bind(article_key)
    .bind(format!("https://news.example/{article_key}"))
    .bind(title)
    .bind(published_count as i64)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A seeded comment by reader number `reader`, published or pending.
struct SeedComment<'a> {
    id: &'a str,
    site_key: &'a str,
    article_id: &'a str,
    published: bool,
    reader: usize,
    title: String,
    body: String,
    fingerprint: String,
    at: i64,
    thread: Option<String>,
    parent: Option<String>,
}

async fn insert_comment(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    c: SeedComment<'_>,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO comments (id, site_key, article_id, status, flagged, author_name, \
         author_email, title, body, lang, terms_version, ip_hash, body_fingerprint, \
         findings, created_at, published_at, updated_at, thread_id, parent_id) \
         VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, 'ar', '1', 'seed', $9, '[]', \
         $10, $11, $10, $12, $13)",
    )
    .bind(c.id)
    .bind(c.site_key)
    .bind(c.article_id)
    .bind(if c.published { "published" } else { "pending" })
    .bind(format!("قارئ {}", c.reader))
    .bind(format!("reader{}@example.com", c.reader))
    .bind(c.title)
    .bind(c.body)
    .bind(c.fingerprint)
    .bind(c.at)
    .bind(c.published.then_some(c.at))
    .bind(c.thread)
    .bind(c.parent)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
