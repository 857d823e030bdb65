//! `majlis import`: a parsed source (`import::ImportBatch`) becomes majlis
//! articles and comments. Threads map to articles by address (`--url-map`
//! for moved pages); comments keep author, time, status and their source ids
//! (and parent's), so a second run recognises what it already brought and a
//! later reply structure can be rebuilt. Imported comments skip the security
//! code and the posting rules, unless `moderate` asks to run them through the
//! rules: then they wait in the queue (pending, or held / rejected by the
//! rules) like new comments.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::rules::{PolicyCache, RulesError};
use crate::domain::{ArticleRef, CommentStatus, Lang, new_id};
use crate::import::{ArticleTarget, Format, ImportBatch, ImportError, UrlMap, article_for};
use crate::moderation::{Action, Signals, Submission, body_fingerprint, evaluate};
use crate::storage::{ImportArticle, ImportRecord, ImportWrite, StorageError, Store};

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Plan and report, write nothing.
    pub dry_run: bool,
    /// Run the posting rules and queue the comments for moderators.
    pub moderate: bool,
    pub url_map: UrlMap,
}

/// What an import created (or, in a dry run, would create) and what it
/// skipped, with why.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub dry_run: bool,
    pub threads_in_file: usize,
    pub comments_in_file: usize,
    /// Comments created, by status.
    pub created: BTreeMap<&'static str, usize>,
    pub articles_new: usize,
    pub articles_existing: usize,
    /// Reason -> where (source ids or positions) of what was not imported.
    pub skipped: BTreeMap<&'static str, Vec<String>>,
}

impl ImportReport {
    pub fn created_total(&self) -> usize {
        self.created.values().sum()
    }

    pub fn skipped_total(&self) -> usize {
        self.skipped.values().map(Vec::len).sum()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error(transparent)]
    Source(#[from] ImportError),
    #[error("no site {0}")]
    NoSite(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Rules(#[from] RulesError),
}

pub const ALREADY_IMPORTED: &str = "already imported (same source id)";
pub const EMPTY_TEXT: &str = "no text left after removing markup";

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The name shown for a comment whose source kept none.
fn anonymous(lang: Lang) -> &'static str {
    match lang {
        Lang::Ar => "مجهول",
        _ => "Anonymous",
    }
}

/// Plan the import of `batch` into `site_key` and, unless it is a dry run,
/// write it in one transaction. `progress(done, total)` follows the writing.
pub async fn import_comments(
    store: &Store,
    site_key: &str,
    format: Format,
    batch: ImportBatch,
    options: &ImportOptions,
    now: i64,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport, ImportFailure> {
    let site = store
        .site(site_key)
        .await?
        .ok_or_else(|| ImportFailure::NoSite(site_key.to_string()))?;
    let mut report = ImportReport {
        dry_run: options.dry_run,
        threads_in_file: batch.threads.len(),
        comments_in_file: batch.comments.len(),
        ..ImportReport::default()
    };
    for (position, why) in &batch.passed_over {
        report
            .skipped
            .entry(why)
            .or_default()
            .push(position.to_string());
    }
    // Isso keeps paths: complete them with the site's first origin.
    let base = site
        .allowed_origins
        .iter()
        .find(|o| o.as_str() != "*")
        .cloned();
    let threads: HashMap<&str, (Result<ArticleTarget, &'static str>, Option<String>)> = batch
        .threads
        .iter()
        .map(|t| {
            let target = article_for(t.url.as_deref(), base.as_deref(), &options.url_map);
            let title = ArticleRef::parse_title(t.title.as_deref()).ok().flatten();
            (t.source_id.as_str(), (target, title))
        })
        .collect();
    let done = store.imported_source_ids(site_key, format).await?;
    let policy = if options.moderate {
        Some(PolicyCache::default().get(store, site_key).await?)
    } else {
        None
    };
    let lang = site.default_lang;
    let mut articles: Vec<ImportArticle> = Vec::new();
    let mut article_at: HashMap<String, usize> = HashMap::new();
    let mut records = Vec::new();
    for c in batch.comments {
        if done.contains(&c.source_id) {
            report
                .skipped
                .entry(ALREADY_IMPORTED)
                .or_default()
                .push(c.source_id);
            continue;
        }
        let Some((target, title)) = threads.get(c.thread_id.as_str()) else {
            // `import::check` guarantees every comment's thread is in the file.
            continue;
        };
        let target = match target {
            Ok(t) => t,
            Err(why) => {
                report.skipped.entry(why).or_default().push(c.source_id);
                continue;
            }
        };
        if c.body.is_empty() && c.status != CommentStatus::Deleted {
            report
                .skipped
                .entry(EMPTY_TEXT)
                .or_default()
                .push(c.source_id);
            continue;
        }
        let name = if c.author_name.is_empty() {
            anonymous(lang).to_string()
        } else {
            c.author_name
        };
        let (status, flagged, findings) = match (&policy, c.status) {
            (Some(policy), CommentStatus::Published | CommentStatus::Pending) => {
                let verdict = evaluate(
                    &Submission {
                        name: &name,
                        email: &c.author_email,
                        title: "",
                        body: &c.body,
                    },
                    &Signals::default(),
                    policy,
                );
                let status = match verdict.action {
                    Action::Reject => CommentStatus::Rejected,
                    Action::Hold => CommentStatus::Held,
                    _ => CommentStatus::Pending,
                };
                let findings =
                    serde_json::to_string(&verdict.findings).unwrap_or_else(|_| "[]".into());
                (status, verdict.action == Action::Flag, findings)
            }
            (_, status) => (status, false, "[]".to_string()),
        };
        match article_at.get(&target.key) {
            Some(&i) => {
                if let Some(a) = articles.get_mut(i) {
                    a.created_at = a.created_at.min(c.created_at);
                }
            }
            None => {
                article_at.insert(target.key.clone(), articles.len());
                articles.push(ImportArticle {
                    key: target.key.clone(),
                    url: target.url.clone(),
                    title: title.clone(),
                    created_at: c.created_at,
                });
            }
        }
        *report.created.entry(status.as_str()).or_default() += 1;
        records.push(ImportRecord {
            id: new_id(),
            article_key: target.key.clone(),
            status,
            flagged,
            author_name: name,
            author_email: c.author_email,
            body_fingerprint: body_fingerprint(&c.body),
            body: c.body,
            lang: lang.code().to_string(),
            findings,
            created_at: c.created_at,
            source_id: c.source_id,
            source_parent_id: c.parent_id,
            source_thread_id: c.thread_id,
        });
    }
    let existing: HashSet<String> = store.existing_article_keys(site_key).await?;
    report.articles_existing = articles
        .iter()
        .filter(|a| existing.contains(&a.key))
        .count();
    report.articles_new = articles.len() - report.articles_existing;
    if options.dry_run || records.is_empty() {
        return Ok(report);
    }
    let total = records.len() as u64;
    let write = ImportWrite {
        site_key: site_key.to_string(),
        source: format,
        articles,
        comments: records,
        at: now,
        announced_if_created_before: site.auto_close_days.map(|d| now - i64::from(d) * DAY_MS),
    };
    progress(0, total);
    let written = store
        .write_import(&write, &|done| progress(done, total))
        .await?;
    report.articles_new = written.articles_created;
    report.articles_existing = write.articles.len() - written.articles_created;
    Ok(report)
}
