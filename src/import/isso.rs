//! Isso keeps its comments in an SQLite database: `threads` (`id`, `uri`: the
//! page's path, `title`) and `comments` (`id`, `tid`, `parent`, `created`:
//! unix seconds, `mode`: 1 accepted, 2 waiting for moderation, 4 deleted but
//! kept for its replies, `text`: what the reader typed, `author`, `email`).
//! `storage::read_isso` reads the rows; this maps them.

use super::html::{Whitespace, to_text};
use super::model::{Format, ImportBatch, ImportError, ImportedComment, ImportedThread, Position};
use super::{clean_email, clean_name};
use crate::domain::CommentStatus;

/// A row of Isso's `threads` table.
#[derive(Debug, Clone)]
pub struct IssoThread {
    pub id: i64,
    pub uri: String,
    pub title: Option<String>,
}

/// A row of Isso's `comments` table.
#[derive(Debug, Clone)]
pub struct IssoComment {
    pub id: i64,
    pub tid: i64,
    pub parent: Option<i64>,
    pub created: f64,
    pub mode: i64,
    pub text: Option<String>,
    pub author: Option<String>,
    pub email: Option<String>,
}

pub fn map(
    threads: Vec<IssoThread>,
    comments: Vec<IssoComment>,
) -> Result<ImportBatch, ImportError> {
    let mut batch = ImportBatch::default();
    for t in threads {
        batch.threads.push(ImportedThread {
            source_id: t.id.to_string(),
            url: Some(t.uri),
            title: t.title.filter(|s| !s.trim().is_empty()),
            position: Position::Record(format!("threads row id {}", t.id)),
        });
    }
    for c in comments {
        let position = Position::Record(format!("comments row id {}", c.id));
        let status = match c.mode {
            1 => CommentStatus::Published,
            2 => CommentStatus::Pending,
            4 => CommentStatus::Deleted,
            other => {
                return Err(ImportError::malformed(
                    Format::Isso,
                    position,
                    format!("unknown mode {other}"),
                ));
            }
        };
        if !c.created.is_finite() || c.created < 0.0 {
            return Err(ImportError::malformed(
                Format::Isso,
                position,
                format!("created is not a time: {}", c.created),
            ));
        }
        batch.comments.push(ImportedComment {
            source_id: c.id.to_string(),
            thread_id: c.tid.to_string(),
            parent_id: c.parent.map(|p| p.to_string()),
            author_name: clean_name(c.author.as_deref().unwrap_or("")),
            author_email: clean_email(c.email.as_deref().unwrap_or("")),
            body: to_text(c.text.as_deref().unwrap_or(""), Whitespace::Keep),
            created_at: (c.created * 1000.0).round() as i64,
            status,
            position,
        });
    }
    Ok(batch)
}
