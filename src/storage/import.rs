//! Writing an import (`majlis import`): articles, comments, their audit rows
//! and the `imported_comments` rows that remember each comment's source id
//! and place in the source's reply tree, all in one transaction, in
//! multi-row statements. Also reads an Isso database (the one source that is
//! itself SQL).

use std::collections::HashSet;
use std::path::Path;

use sqlx::Row;

use super::{StorageError, Store};
use crate::domain::{CommentStatus, new_id};
use crate::import::{Format, ImportError, IssoComment, IssoThread, Position};

/// An article the import writes comments under (created when missing; an
/// existing one keeps its address and title unless it had none).
#[derive(Debug, Clone)]
pub struct ImportArticle {
    pub key: String,
    pub url: Option<String>,
    pub title: Option<String>,
    /// Its earliest imported comment: when the page started its discussion.
    pub created_at: i64,
}

/// One comment to write, with where it came from.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    pub id: String,
    pub article_key: String,
    pub status: CommentStatus,
    pub flagged: bool,
    pub author_name: String,
    pub author_email: String,
    pub body: String,
    pub lang: String,
    pub body_fingerprint: String,
    pub findings: String,
    pub created_at: i64,
    pub source_id: String,
    pub source_parent_id: Option<String>,
    pub source_thread_id: String,
}

/// The whole import of one file.
#[derive(Debug, Clone)]
pub struct ImportWrite {
    pub site_key: String,
    pub source: Format,
    pub articles: Vec<ImportArticle>,
    pub comments: Vec<ImportRecord>,
    pub at: i64,
    /// New articles created before this instant are already closed by the
    /// site's auto-close age: they are marked as announced, so importing
    /// ten years of articles sends no `article.closed` events.
    pub announced_if_created_before: Option<i64>,
}

/// What the import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportWritten {
    pub articles_created: usize,
    pub comments_created: usize,
}

/// Rows per multi-row INSERT: 17 columns x 200 rows stays far below both
/// backends' limits on bound parameters.
const CHUNK: usize = 200;

fn values(rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            s.push('$');
            s.push_str(&(r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

impl Store {
    /// Source ids already imported into a site from one source system.
    pub async fn imported_source_ids(
        &self,
        site_key: &str,
        source: Format,
    ) -> Result<HashSet<String>, StorageError> {
        let rows = sqlx::query(
            "SELECT source_id FROM imported_comments WHERE site_key = $1 AND source = $2",
        )
        .bind(site_key)
        .bind(source.as_str())
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("source_id")?))
            .collect()
    }

    /// Keys of every article of the site.
    pub async fn existing_article_keys(
        &self,
        site_key: &str,
    ) -> Result<HashSet<String>, StorageError> {
        let rows = sqlx::query("SELECT article_key FROM articles WHERE site_key = $1")
            .bind(site_key)
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("article_key")?))
            .collect()
    }

    /// Write an import in one transaction: nothing of it is stored unless all
    /// of it is. `progress` is told how many comments are written so far.
    /// No mail and no webhook events: the comments are history, not news.
    pub async fn write_import(
        &self,
        w: &ImportWrite,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportWritten, StorageError> {
        let mut tx = self.writer.begin().await?;
        let mut written = ImportWritten::default();
        let mut article_ids = std::collections::HashMap::new();
        for a in &w.articles {
            let fresh = new_id();
            let announced = w
                .announced_if_created_before
                .is_some_and(|before| a.created_at < before)
                .then_some(w.at);
            let row = sqlx::query(
                "INSERT INTO articles (id, site_key, article_key, url, title, closed, created_at, closed_event_at) \
                 VALUES ($1, $2, $3, $4, $5, 0, $6, $7) \
                 ON CONFLICT (site_key, article_key) DO UPDATE SET \
                 url = COALESCE(articles.url, excluded.url), \
                 title = COALESCE(articles.title, excluded.title) \
                 RETURNING id",
            )
            .bind(&fresh)
            .bind(&w.site_key)
            .bind(&a.key)
            .bind(&a.url)
            .bind(&a.title)
            .bind(a.created_at)
            .bind(announced)
            .fetch_one(&mut *tx)
            .await?;
            let id: String = row.try_get("id")?;
            if id == fresh {
                written.articles_created += 1;
            }
            article_ids.insert(a.key.as_str(), id);
        }
        let mut published: std::collections::HashMap<&str, i64> = Default::default();
        for chunk in w.comments.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO comments (id, site_key, article_id, status, flagged, author_name, \
                 author_email, title, body, lang, terms_version, ip_hash, body_fingerprint, findings, \
                 created_at, published_at, updated_at) VALUES {}",
                values(chunk.len(), 17)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for c in chunk {
                let article_id = article_ids
                    .get(c.article_key.as_str())
                    .cloned()
                    .ok_or_else(|| {
                        StorageError::Corrupt(format!("import: no article {}", c.article_key))
                    })?;
                let is_published = c.status == CommentStatus::Published;
                if is_published {
                    *published.entry(c.article_key.as_str()).or_default() += 1;
                }
                q = q
                    .bind(c.id.clone())
                    .bind(w.site_key.clone())
                    .bind(article_id)
                    .bind(c.status.as_str())
                    .bind(i64::from(c.flagged))
                    .bind(c.author_name.clone())
                    .bind(c.author_email.clone())
                    .bind("")
                    .bind(c.body.clone())
                    .bind(c.lang.clone())
                    .bind("")
                    .bind("")
                    .bind(c.body_fingerprint.clone())
                    .bind(c.findings.clone())
                    .bind(c.created_at)
                    .bind(is_published.then_some(c.created_at))
                    .bind(w.at);
            }
            q.execute(&mut *tx).await?;

            let sql = format!(
                "INSERT INTO audit_log (id, site_key, comment_id, actor_kind, actor_id, action, \
                 from_status, to_status, reason, note, created_at) VALUES {}",
                values(chunk.len(), 11)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for c in chunk {
                q = q
                    .bind(new_id())
                    .bind(w.site_key.clone())
                    .bind(c.id.clone())
                    .bind("cli")
                    .bind("")
                    .bind("imported")
                    .bind(None::<String>)
                    .bind(c.status.as_str())
                    .bind(None::<String>)
                    .bind(format!("{} {}", w.source.as_str(), c.source_id))
                    .bind(w.at);
            }
            q.execute(&mut *tx).await?;

            let sql = format!(
                "INSERT INTO imported_comments (site_key, source, source_id, comment_id, \
                 source_parent_id, source_thread_id, imported_at) VALUES {}",
                values(chunk.len(), 7)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for c in chunk {
                q = q
                    .bind(w.site_key.clone())
                    .bind(w.source.as_str())
                    .bind(c.source_id.clone())
                    .bind(c.id.clone())
                    .bind(c.source_parent_id.clone())
                    .bind(c.source_thread_id.clone())
                    .bind(w.at);
            }
            q.execute(&mut *tx).await?;
            written.comments_created += chunk.len();
            progress(written.comments_created as u64);
        }
        for (key, n) in &published {
            if let Some(id) = article_ids.get(key) {
                sqlx::query(
                    "UPDATE articles SET published_count = published_count + $1 WHERE id = $2",
                )
                .bind(*n)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        for key in published.keys() {
            self.announce_published_change(&w.site_key, key).await;
        }
        Ok(written)
    }
}

/// Read the threads and comments of an Isso database (opened read-only).
/// A row that does not decode fails with its id.
pub async fn read_isso(path: &Path) -> Result<(Vec<IssoThread>, Vec<IssoComment>), ImportError> {
    use sqlx::Connection;
    let whole = |m: String| {
        ImportError::malformed(Format::Isso, Position::Record("the database".into()), m)
    };
    if !path.is_file() {
        return Err(ImportError::Io {
            path: path.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true);
    let mut conn = sqlx::sqlite::SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| whole(e.to_string()))?;
    let threads = sqlx::query("SELECT id, uri, title FROM threads ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| whole(e.to_string()))?;
    let mut out_threads = Vec::with_capacity(threads.len());
    for r in &threads {
        let r = IssoRow::of(r, "threads", &whole)?;
        out_threads.push(IssoThread {
            id: r.id,
            uri: r.get("uri")?,
            title: r.get("title")?,
        });
    }
    let comments = sqlx::query(
        "SELECT id, tid, parent, typeof(created) AS created_type, created, mode, text, author, email \
         FROM comments ORDER BY id",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(|e| whole(e.to_string()))?;
    let mut out = Vec::with_capacity(comments.len());
    for r in &comments {
        let r = IssoRow::of(r, "comments", &whole)?;
        let created_type: String = r
            .row
            .try_get("created_type")
            .map_err(|e| r.error(e.to_string()))?;
        let created = match created_type.as_str() {
            "real" => r.get::<f64>("created")?,
            "integer" => r.get::<i64>("created")? as f64,
            other => return Err(r.error(format!("created is {other}, not a time"))),
        };
        out.push(IssoComment {
            id: r.id,
            tid: r.get("tid")?,
            parent: r.get("parent")?,
            created,
            mode: r.get("mode")?,
            text: r.get("text")?,
            author: r.get("author")?,
            email: r.get("email")?,
        });
    }
    conn.close().await.ok();
    Ok((out_threads, out))
}

/// A row of an Isso table, whose decoding errors name the table, the row's
/// id and the column.
struct IssoRow<'r> {
    row: &'r sqlx::sqlite::SqliteRow,
    table: &'static str,
    id: i64,
}

impl<'r> IssoRow<'r> {
    /// The row with its id; a row without one fails as the whole database.
    fn of(
        row: &'r sqlx::sqlite::SqliteRow,
        table: &'static str,
        whole: &impl Fn(String) -> ImportError,
    ) -> Result<IssoRow<'r>, ImportError> {
        let id = row
            .try_get("id")
            .map_err(|e| whole(format!("{table}.id: {e}")))?;
        Ok(IssoRow { row, table, id })
    }

    fn error(&self, m: String) -> ImportError {
        ImportError::malformed(
            Format::Isso,
            Position::Record(format!("{} row id {}", self.table, self.id)),
            m,
        )
    }

    fn get<T>(&self, column: &str) -> Result<T, ImportError>
    where
        T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    {
        self.row
            .try_get(column)
            .map_err(|e| self.error(format!("{column}: {e}")))
    }
}
