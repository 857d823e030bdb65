//! WordPress export (WXR): `<rss><channel><item>` per post or page, with
//! `<link>`, `<title>`, `<wp:post_id>` and its `<wp:comment>` elements
//! (`wp:comment_id`, `wp:comment_parent`, `wp:comment_approved`, ...).
//! Comment text is what the writer typed (WordPress adds paragraphs when it
//! displays it), so its line breaks are kept.

use super::html::{Whitespace, to_text};
use super::model::{Format, ImportBatch, ImportError, ImportedComment, ImportedThread};
use super::xml::{Element, for_each_record};
use super::{clean_email, clean_name, wordpress_time_ms};
use crate::domain::CommentStatus;

const F: Format = Format::Wordpress;

pub fn parse(src: &str) -> Result<ImportBatch, ImportError> {
    let mut batch = ImportBatch::default();
    for_each_record(src, F, 2, |item| {
        if item.name != "item" {
            return Ok(());
        }
        let comments: Vec<&Element> = item
            .children
            .iter()
            .filter(|c| c.name == "comment")
            .collect();
        if comments.is_empty() {
            return Ok(());
        }
        let post_id = item.text_of("post_id").map(str::to_string).ok_or_else(|| {
            ImportError::malformed(
                F,
                item.position(),
                "<item> with comments but no <wp:post_id>",
            )
        })?;
        batch.threads.push(ImportedThread {
            source_id: post_id.clone(),
            url: item.text_of("link").map(str::to_string),
            title: item.text_of("title").map(str::to_string),
            position: item.position(),
        });
        for c in comments {
            if let Some(kind @ ("pingback" | "trackback")) = c.text_of("comment_type") {
                let why = if kind == "pingback" {
                    "a pingback, not a reader comment"
                } else {
                    "a trackback, not a reader comment"
                };
                batch.passed_over.push((c.position(), why));
                continue;
            }
            batch.comments.push(comment(c, &post_id)?);
        }
        Ok(())
    })?;
    Ok(batch)
}

fn comment(c: &Element, post_id: &str) -> Result<ImportedComment, ImportError> {
    let bad = |m: String| ImportError::malformed(F, c.position(), m);
    let source_id = c
        .text_of("comment_id")
        .ok_or_else(|| bad("<wp:comment> without <wp:comment_id>".into()))?
        .to_string();
    let created_at = match c.text_of("comment_date_gmt") {
        Some(gmt) if !gmt.starts_with("0000") => wordpress_time_ms(gmt),
        // Never-published drafts have no GMT date; their local date is
        // the best there is.
        _ => c.text_of("comment_date").and_then(wordpress_time_ms),
    }
    .ok_or_else(|| bad("<wp:comment_date_gmt> is missing or not a time".into()))?;
    let status = match c.text_of("comment_approved").unwrap_or("1") {
        "1" | "approve" => CommentStatus::Published,
        "0" | "hold" => CommentStatus::Pending,
        "spam" => CommentStatus::Spam,
        "trash" | "post-trashed" => CommentStatus::Deleted,
        other => return Err(bad(format!("unknown <wp:comment_approved> {other:?}"))),
    };
    let parent_id = c
        .text_of("comment_parent")
        .filter(|p| *p != "0")
        .map(str::to_string);
    Ok(ImportedComment {
        source_id,
        thread_id: post_id.to_string(),
        parent_id,
        author_name: clean_name(c.text_of("comment_author").unwrap_or("")),
        author_email: clean_email(c.text_of("comment_author_email").unwrap_or("")),
        body: to_text(
            c.child("comment_content")
                .map(|m| m.text.as_str())
                .unwrap_or(""),
            Whitespace::Keep,
        ),
        created_at,
        status,
        position: c.position(),
    })
}
