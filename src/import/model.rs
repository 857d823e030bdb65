//! The neutral model every source format is parsed into: threads (the
//! source's pages) and comments with their author, time, status and place in
//! the reply tree. Nothing here knows majlis's storage.

use std::fmt;

use crate::domain::CommentStatus;

/// The systems majlis imports from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A Disqus XML export.
    Disqus,
    /// A WordPress export (WXR).
    Wordpress,
    /// An Isso SQLite database.
    Isso,
    /// A Remark42 backup (JSON lines, gzipped or not).
    Remark42,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::Disqus,
        Format::Wordpress,
        Format::Isso,
        Format::Remark42,
    ];

    /// The name used on the command line and stored as the comment's source.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Disqus => "disqus",
            Format::Wordpress => "wordpress",
            Format::Isso => "isso",
            Format::Remark42 => "remark42",
        }
    }

    pub fn parse(raw: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == raw)
    }
}

/// Where in the source something is: a line of a text file, or a record of
/// a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    Line(usize),
    /// A row of a source database, e.g. `comments row id 7`.
    Record(String),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "line {n}"),
            Position::Record(r) => f.write_str(r),
        }
    }
}

/// A page of the source system that comments were left on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedThread {
    pub source_id: String,
    /// The page's address (Isso keeps only its path).
    pub url: Option<String>,
    pub title: Option<String>,
    pub position: Position,
}

/// One comment as the source system kept it; the body is already plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedComment {
    pub source_id: String,
    pub thread_id: String,
    /// The source id of the comment this one answers.
    pub parent_id: Option<String>,
    pub author_name: String,
    /// Lower-cased; empty when the source kept none.
    pub author_email: String,
    pub body: String,
    /// Unix milliseconds, UTC.
    pub created_at: i64,
    /// Published, pending, deleted or spam, as the source had it.
    pub status: CommentStatus,
    pub position: Position,
}

/// What a source file holds that majlis can use, and what it passed over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportBatch {
    pub threads: Vec<ImportedThread>,
    pub comments: Vec<ImportedComment>,
    /// Records of the file that are not reader comments (pingbacks,
    /// trackbacks), with why: reported by `--dry-run` and after a run.
    pub passed_over: Vec<(Position, &'static str)>,
}

/// A source that cannot be imported. Nothing is written when parsing fails.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A line of the `--url-map` file that is not `OLD NEW`.
    #[error("url map line {line}: {message}")]
    UrlMap { line: usize, message: String },
    /// The file is not what its format says, at this place.
    #[error("malformed {format} file at {position}: {message}")]
    Malformed {
        format: &'static str,
        position: Position,
        message: String,
    },
}

impl ImportError {
    pub fn malformed(format: Format, position: Position, message: impl Into<String>) -> Self {
        ImportError::Malformed {
            format: format.as_str(),
            position,
            message: message.into(),
        }
    }
}
