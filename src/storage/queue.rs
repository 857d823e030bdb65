//! The dashboard's filtered queue over the sites a moderator may see, its
//! tab counts and the authors' history.

use std::collections::HashMap;

use sqlx::Row;

use super::rows::{QUEUE_COLUMNS, placeholders, queue_item};
use super::{Backend, QueueItem, StorageError, Store};
use crate::domain::CommentStatus;

/// Which comments a queue tab shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueTab {
    Pending,
    Held,
    /// Pending or held comments the rules raised in priority.
    Flagged,
    /// Rejected by the posting rules when submitted.
    Rejected,
    /// Rejected by a moderator (in the dashboard or through an API key).
    RejectedByModerator,
    Spam,
    Published,
    Deleted,
}

/// A rejection a person made: an audit row moving the comment to
/// `rejected` by anyone but the rules.
const REJECTED_BY_PERSON: &str = "EXISTS (SELECT 1 FROM audit_log l WHERE l.comment_id = c.id \
     AND l.site_key = c.site_key AND l.to_status = 'rejected' AND l.actor_kind <> 'system')";

impl QueueTab {
    pub const ALL: [QueueTab; 8] = [
        QueueTab::Pending,
        QueueTab::Held,
        QueueTab::Flagged,
        QueueTab::Rejected,
        QueueTab::RejectedByModerator,
        QueueTab::Spam,
        QueueTab::Published,
        QueueTab::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueTab::Pending => "pending",
            QueueTab::Held => "held",
            QueueTab::Flagged => "flagged",
            QueueTab::Rejected => "rejected",
            QueueTab::RejectedByModerator => "rejected_by_moderator",
            QueueTab::Spam => "spam",
            QueueTab::Published => "published",
            QueueTab::Deleted => "deleted",
        }
    }

    /// The tab a comment of this status is listed in (`by_person`: a
    /// moderator or an API key, not the rules, rejected it).
    pub fn of(status: CommentStatus, by_person: bool) -> QueueTab {
        match status {
            CommentStatus::Pending => QueueTab::Pending,
            CommentStatus::Held => QueueTab::Held,
            CommentStatus::Rejected if by_person => QueueTab::RejectedByModerator,
            CommentStatus::Rejected => QueueTab::Rejected,
            CommentStatus::Spam => QueueTab::Spam,
            CommentStatus::Published => QueueTab::Published,
            CommentStatus::Deleted => QueueTab::Deleted,
        }
    }

    pub fn parse(raw: &str) -> Option<QueueTab> {
        QueueTab::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    fn condition(self) -> String {
        match self {
            QueueTab::Rejected => format!("c.status = 'rejected' AND NOT {REJECTED_BY_PERSON}"),
            QueueTab::RejectedByModerator => {
                format!("c.status = 'rejected' AND {REJECTED_BY_PERSON}")
            }
            other => other.plain_condition().to_string(),
        }
    }

    fn plain_condition(self) -> &'static str {
        match self {
            QueueTab::Pending => "c.status = 'pending'",
            QueueTab::Held => "c.status = 'held'",
            QueueTab::Flagged => "c.flagged = 1 AND c.status IN ('pending', 'held')",
            QueueTab::Rejected | QueueTab::RejectedByModerator => "c.status = 'rejected'",
            QueueTab::Spam => "c.status = 'spam'",
            QueueTab::Published => "c.status = 'published'",
            QueueTab::Deleted => "c.status = 'deleted'",
        }
    }
}

/// Where the tab badges stop counting (see [`Store::tab_counts`]).
pub const TAB_COUNT_CAP: i64 = 1000;

/// A queue query. `sites` is never empty (the sites the moderator may see).
#[derive(Debug, Clone)]
pub struct QueueFilter {
    pub sites: Vec<String>,
    pub tab: QueueTab,
    pub article: Option<String>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub email: Option<String>,
    pub text: Option<String>,
    /// One comment by id, whichever tab it is in (a link from the audit log).
    pub comment: Option<String>,
    pub oldest_first: bool,
    pub limit: u32,
    pub offset: u32,
}

/// A queue item with its site.
#[derive(Debug, Clone)]
pub struct SiteItem {
    pub site_key: String,
    pub item: QueueItem,
}

/// Up to this many comments containing a search term's trigrams, SQLite
/// builds the page from them (found through `comments_search`, then sorted);
/// past it the term is common, and walking the tab in date order, checking
/// each comment's text, fills a page sooner. The probe that counts them
/// stops here, so it costs a few milliseconds however common the term.
const SEARCH_HITS_CAP: usize = 10_000;

/// At most this many trigrams of a term go into the index query: any subset
/// still finds every comment containing the term (the text check sorts out
/// the rest), and a pasted paragraph stays a bounded query.
const SEARCH_TRIGRAMS_MAX: usize = 64;

/// The FTS5 query for a lower-cased search term on SQLite's trigram index:
/// its distinct three-character runs (at most [`SEARCH_TRIGRAMS_MAX`],
/// spread over the term), each a quoted string with `"` doubled, so nothing
/// the moderator typed is read as query syntax, all required. `None` when
/// the term has no such run (shorter than three characters): those terms
/// keep the plain scan.
fn trigram_query(term: &str) -> Option<String> {
    let chars: Vec<char> = term.chars().collect();
    let mut grams: Vec<String> = Vec::new();
    for w in chars.windows(3) {
        // The tokenizer skips NUL, so a run with one is not a trigram of
        // the stored text.
        if w.contains(&'\0') {
            continue;
        }
        let g: String = w.iter().collect();
        if !grams.contains(&g) {
            grams.push(g);
        }
    }
    if grams.is_empty() {
        return None;
    }
    let picked: Vec<&String> = if grams.len() <= SEARCH_TRIGRAMS_MAX {
        grams.iter().collect()
    } else {
        let last = grams.len() - 1;
        (0..SEARCH_TRIGRAMS_MAX)
            .filter_map(|i| grams.get(i * last / (SEARCH_TRIGRAMS_MAX - 1)))
            .collect()
    };
    Some(
        picked
            .iter()
            .map(|g| format!("\"{}\"", g.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" AND "),
    )
}

/// What joins title, body and author name in PostgreSQL's search index.
const SEARCH_SEPARATOR: char = '\u{1f}';

fn like_pattern(raw: &str) -> String {
    let escaped = raw
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{}%", escaped.to_lowercase())
}

impl Store {
    /// One page of a queue tab over the given sites, with filters.
    pub async fn dashboard_queue(&self, f: &QueueFilter) -> Result<Vec<SiteItem>, StorageError> {
        if f.sites.is_empty() {
            return Ok(Vec::new());
        }
        // A text search alone (no article, author or single comment, whose
        // few comments the text check reads quickly) starts from the
        // comments the trigram index names, on SQLite when they are few.
        let hits = match &f.text {
            Some(t)
                if self.backend == Backend::Sqlite
                    && f.article.is_none()
                    && f.email.is_none()
                    && f.comment.is_none() =>
            {
                self.search_hits(&t.to_lowercase()).await?
            }
            _ => None,
        };
        let sites = placeholders(1, f.sites.len());
        let mut n = f.sites.len();
        let mut next = || {
            n += 1;
            n
        };
        // The article filter leads the join (`CROSS JOIN` keeps that order
        // on SQLite): its comments are a few, found through the per-article
        // index, then sorted. Left to choose, SQLite's planner walks the
        // site's whole tab in date order to skip the sort, and with sampled
        // statistics on a large archive it does (1.2 s a page at a million
        // comments).
        // The search hits lead the same way (a JSON array of rowids, sorted
        // after): the planner cannot know how many there are.
        let from = if f.article.is_some() {
            "articles fa CROSS JOIN ".to_string()
        } else if hits.is_some() {
            format!("json_each(${}) h CROSS JOIN ", next())
        } else {
            String::new()
        };
        let mut sql = format!(
            "SELECT c.site_key AS site_key_of, {QUEUE_COLUMNS} FROM {from}comments c \
             JOIN articles a ON a.id = c.article_id WHERE {} AND c.site_key IN ({sites})",
            if f.comment.is_some() {
                "1 = 1".to_string()
            } else {
                f.tab.condition()
            },
        );
        if hits.is_some() {
            sql.push_str(" AND c.rowid = h.value");
        }
        if f.article.is_some() {
            sql.push_str(&format!(
                " AND fa.article_key = ${} AND fa.site_key IN ({sites}) AND c.article_id = fa.id",
                next()
            ));
        }
        if f.comment.is_some() {
            sql.push_str(&format!(" AND c.id = ${}", next()));
        }
        if f.from.is_some() {
            sql.push_str(&format!(" AND c.created_at >= ${}", next()));
        }
        if f.until.is_some() {
            sql.push_str(&format!(" AND c.created_at < ${}", next()));
        }
        if f.email.is_some() {
            sql.push_str(&format!(" AND LOWER(c.author_email) = ${}", next()));
        }
        if let Some(t) = &f.text {
            let p = next();
            // On PostgreSQL the three fields joined by U+001F, as
            // `comments_text_trgm` indexes them (migration 0033): a term
            // without that character is in the joined text exactly when it
            // is in one of the fields.
            if self.backend == Backend::Postgres && !t.contains(SEARCH_SEPARATOR) {
                sql.push_str(&format!(
                    " AND LOWER(c.title || E'\\x1f' || c.body || E'\\x1f' || c.author_name) \
                     LIKE ${p} ESCAPE '\\'"
                ));
            } else {
                sql.push_str(&format!(
                    " AND (LOWER(c.title) LIKE ${p} ESCAPE '\\' OR LOWER(c.body) LIKE ${p} ESCAPE '\\' \
                     OR LOWER(c.author_name) LIKE ${p} ESCAPE '\\')"
                ));
            }
        }
        let dir = if f.oldest_first { "ASC" } else { "DESC" };
        let (l, o) = (next(), next());
        sql.push_str(&format!(
            " ORDER BY c.created_at {dir}, c.id {dir} LIMIT ${l} OFFSET ${o}"
        ));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for s in &f.sites {
            q = q.bind(s);
        }
        if let Some(h) = &hits {
            q = q.bind(h);
        }
        if let Some(a) = &f.article {
            q = q.bind(a);
        }
        if let Some(c) = &f.comment {
            q = q.bind(c);
        }
        if let Some(t) = f.from {
            q = q.bind(t);
        }
        if let Some(t) = f.until {
            q = q.bind(t);
        }
        if let Some(e) = &f.email {
            q = q.bind(e.to_lowercase());
        }
        if let Some(t) = &f.text {
            q = q.bind(like_pattern(t));
        }
        q = q.bind(i64::from(f.limit)).bind(i64::from(f.offset));
        // A search is planned for its term each time: a cached statement
        // lets PostgreSQL settle on one generic plan after five runs, and the
        // generic plan, not knowing the pattern, walks the tab in date order
        // (0.4 s for a rare term over 100,000 pending comments) instead of
        // reading the trigram indexes.
        if f.text.is_some() {
            q = q.persistent(false);
        }
        let rows = q.fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| {
                Ok(SiteItem {
                    site_key: r.try_get("site_key_of")?,
                    item: queue_item(r)?,
                })
            })
            .collect()
    }

    /// The rowids of the comments whose title, body or author name contain
    /// every trigram of `term` (lower-cased), as a JSON array, when there are
    /// fewer than [`SEARCH_HITS_CAP`]; `None` when the term is too short for
    /// the index or that common. SQLite only.
    async fn search_hits(&self, term: &str) -> Result<Option<String>, StorageError> {
        let Some(query) = trigram_query(term) else {
            return Ok(None);
        };
        // One row, the rowids as a JSON array (as the query binds them): up
        // to SEARCH_HITS_CAP rows would cross from the connection's thread
        // one at a time.
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(json_group_array(hit), '[]') AS hits FROM \
             (SELECT rowid AS hit FROM comments_search WHERE comments_search MATCH $1 LIMIT $2)",
        )
        .bind(query)
        .bind(SEARCH_HITS_CAP as i64)
        .fetch_one(&self.reader)
        .await?;
        if row.try_get::<i64, _>("n")? >= SEARCH_HITS_CAP as i64 {
            return Ok(None);
        }
        Ok(Some(row.try_get("hits")?))
    }

    /// Comments per tab over the given sites (for the tab badges), each
    /// counted up to [`TAB_COUNT_CAP`]: a badge shows "999+" past it, and a
    /// count that stops there reads at most that many index entries, however
    /// large the archive (an uncapped count of a million comments' tabs took
    /// 0.4 s). One statement for every tab.
    pub async fn tab_counts(&self, sites: &[String]) -> Result<Vec<(QueueTab, i64)>, StorageError> {
        if sites.is_empty() {
            return Ok(Vec::new());
        }
        let sites_in = placeholders(1, sites.len());
        let columns: Vec<String> = QueueTab::ALL
            .iter()
            .enumerate()
            .map(|(i, tab)| {
                format!(
                    "(SELECT COUNT(*) FROM (SELECT 1 FROM comments c WHERE {} \
                     AND c.site_key IN ({sites_in}) LIMIT {TAB_COUNT_CAP}) t{i}) AS n{i}",
                    tab.condition()
                )
            })
            .collect();
        let sql = format!("SELECT {}", columns.join(", "));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for s in sites {
            q = q.bind(s);
        }
        let row = q.fetch_one(&self.reader).await?;
        QueueTab::ALL
            .iter()
            .enumerate()
            .map(|(i, tab)| Ok((*tab, row.try_get::<i64, _>(format!("n{i}").as_str())?)))
            .collect()
    }

    /// Every comment of one author (by email, any case) on a site, newest
    /// first, at most `limit`.
    pub async fn author_comments(
        &self,
        site_key: &str,
        email: &str,
        limit: u32,
    ) -> Result<Vec<QueueItem>, StorageError> {
        let sql = format!(
            "SELECT {QUEUE_COLUMNS} FROM comments c JOIN articles a ON a.id = c.article_id \
             WHERE c.site_key = $1 AND LOWER(c.author_email) = $2 \
             ORDER BY c.created_at DESC, c.id DESC LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(email.to_lowercase())
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(queue_item).collect()
    }

    /// Published and rejected (incl. spam) comment counts per author email of one site.
    pub async fn author_history(
        &self,
        site_key: &str,
        emails: &[String],
    ) -> Result<HashMap<String, (i64, i64)>, StorageError> {
        let mut out = HashMap::new();
        if emails.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT author_email, \
             COALESCE(SUM(CASE WHEN status = 'published' THEN 1 ELSE 0 END), 0) AS approved, \
             COALESCE(SUM(CASE WHEN status IN ('rejected', 'spam') THEN 1 ELSE 0 END), 0) AS rejected \
             FROM comments WHERE site_key = $1 AND author_email IN ({}) GROUP BY author_email",
            placeholders(2, emails.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(site_key);
        for e in emails {
            q = q.bind(e);
        }
        for r in q.fetch_all(&self.reader).await? {
            out.insert(
                r.try_get("author_email")?,
                (r.try_get("approved")?, r.try_get("rejected")?),
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_becomes_its_quoted_trigrams_all_required() {
        assert_eq!(
            trigram_query("abcd").as_deref(),
            Some("\"abc\" AND \"bcd\"")
        );
        assert_eq!(
            trigram_query("مقال").as_deref(),
            Some("\"مقا\" AND \"قال\"")
        );
        // Repeated runs once.
        assert_eq!(trigram_query("aaaa").as_deref(), Some("\"aaa\""));
    }

    #[test]
    fn query_syntax_in_a_term_stays_inside_quoted_strings() {
        assert_eq!(
            trigram_query("a\"b*").as_deref(),
            Some("\"a\"\"b\" AND \"\"\"b*\"")
        );
        assert_eq!(
            trigram_query("OR NEAR(").as_deref(),
            Some("\"OR \" AND \"R N\" AND \" NE\" AND \"NEA\" AND \"EAR\" AND \"AR(\"")
        );
    }

    #[test]
    fn short_terms_and_nul_runs_have_no_index_query() {
        assert_eq!(trigram_query(""), None);
        assert_eq!(trigram_query("ab"), None);
        assert_eq!(trigram_query("مق"), None);
        assert_eq!(trigram_query("a\0bc"), None);
    }

    #[test]
    fn a_long_term_keeps_a_bounded_spread_of_trigrams() {
        let term: String = (0..300u32)
            .map(|i| char::from_u32(0x4e00 + i).unwrap_or('x'))
            .collect();
        let q = trigram_query(&term).unwrap();
        assert_eq!(q.matches(" AND ").count(), SEARCH_TRIGRAMS_MAX - 1);
        let first: String = term.chars().take(3).collect();
        let last: String = term.chars().skip(297).collect();
        assert!(q.starts_with(&format!("\"{first}\"")));
        assert!(q.ends_with(&format!("\"{last}\"")));
    }
}
