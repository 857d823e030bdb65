//! Remark42 backup: JSON lines. The first line of a backup made by Remark42
//! is its metadata (`{"version":1,"users":[...],"posts":[...]}`); every
//! other line is one comment: `id`, `pid` (the parent's id, empty for a
//! top-level comment), `text` (HTML), `user` (`name`, `id`), `locator`
//! (`site`, `url`: the thread), `time` (RFC 3339), `title` and `delete`.
//! Remark42 has no moderation queue: a comment is published or deleted.

use std::collections::HashMap;

use serde::Deserialize;

use super::html::{Whitespace, to_text};
use super::model::{Format, ImportBatch, ImportError, ImportedComment, ImportedThread, Position};
use super::{clean_name, rfc3339_ms};
use crate::domain::CommentStatus;

const F: Format = Format::Remark42;

#[derive(Deserialize)]
struct Comment {
    id: String,
    #[serde(default)]
    pid: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    user: User,
    locator: Locator,
    time: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    delete: bool,
}

#[derive(Deserialize, Default)]
struct User {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct Locator {
    url: String,
}

pub fn parse(src: &str) -> Result<ImportBatch, ImportError> {
    let mut batch = ImportBatch::default();
    let mut threads: HashMap<String, usize> = HashMap::new();
    for (i, line) in src.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = |m: String| ImportError::malformed(F, Position::Line(n), m);
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| bad(format!("column {}: {e}", e.column())))?;
        let Some(object) = value.as_object() else {
            return Err(bad("a line is not a JSON object".into()));
        };
        if !object.contains_key("id") && object.contains_key("version") {
            // The backup's metadata (users' and posts' settings).
            continue;
        }
        let c: Comment = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        let created_at = rfc3339_ms(&c.time)
            .ok_or_else(|| bad(format!("\"time\" is not a time: {:?}", c.time)))?;
        if c.id.trim().is_empty() {
            return Err(bad("empty \"id\"".into()));
        }
        let thread = c.locator.url.trim().to_string();
        if let Some(&at) = threads.get(&thread) {
            if let (Some(t), Some(title)) = (batch.threads.get_mut(at), &c.title)
                && t.title.is_none()
                && !title.trim().is_empty()
            {
                t.title = Some(title.trim().to_string());
            }
        } else {
            threads.insert(thread.clone(), batch.threads.len());
            batch.threads.push(ImportedThread {
                source_id: thread.clone(),
                url: Some(thread.clone()),
                title: c
                    .title
                    .as_deref()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string),
                position: Position::Line(n),
            });
        }
        batch.comments.push(ImportedComment {
            source_id: c.id.trim().to_string(),
            thread_id: thread,
            parent_id: Some(c.pid.trim().to_string()).filter(|p| !p.is_empty()),
            author_name: clean_name(&c.user.name),
            author_email: String::new(),
            body: to_text(&c.text, Whitespace::Collapse),
            created_at,
            status: if c.delete {
                CommentStatus::Deleted
            } else {
                CommentStatus::Published
            },
            position: Position::Line(n),
        });
    }
    Ok(batch)
}
