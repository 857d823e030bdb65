//! Disqus XML export: `<thread dsq:id>` elements (the pages, with `<link>`
//! and `<title>`) and `<post dsq:id>` elements (the comments, naming their
//! `<thread dsq:id>` and, for replies, their `<parent dsq:id>`), both
//! children of the root `<disqus>`.

use super::html::{Whitespace, to_text};
use super::model::{Format, ImportBatch, ImportError, ImportedComment, ImportedThread};
use super::xml::{Element, for_each_record};
use super::{clean_email, clean_name, rfc3339_ms};
use crate::domain::CommentStatus;

const F: Format = Format::Disqus;

pub fn parse(src: &str) -> Result<ImportBatch, ImportError> {
    let mut batch = ImportBatch::default();
    for_each_record(src, F, 1, |e| {
        match e.name.as_str() {
            "thread" => batch.threads.push(thread(&e)?),
            "post" => batch.comments.push(post(&e)?),
            _ => {}
        }
        Ok(())
    })?;
    if batch.threads.is_empty() && batch.comments.is_empty() {
        return Err(ImportError::malformed(
            F,
            super::model::Position::Line(1),
            "no <thread> or <post> elements: not a Disqus export",
        ));
    }
    Ok(batch)
}

fn id_of(e: &Element, what: &str) -> Result<String, ImportError> {
    e.attr("id")
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .ok_or_else(|| ImportError::malformed(F, e.position(), format!("<{what}> without dsq:id")))
}

fn flag(e: &Element, name: &str) -> bool {
    e.text_of(name)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn thread(e: &Element) -> Result<ImportedThread, ImportError> {
    Ok(ImportedThread {
        source_id: id_of(e, "thread")?,
        url: e.text_of("link").map(str::to_string),
        title: e.text_of("title").map(str::to_string),
        position: e.position(),
    })
}

fn post(e: &Element) -> Result<ImportedComment, ImportError> {
    let source_id = id_of(e, "post")?;
    let thread = e
        .child("thread")
        .and_then(|t| t.attr("id"))
        .map(str::to_string)
        .ok_or_else(|| ImportError::malformed(F, e.position(), "<post> without <thread dsq:id>"))?;
    let parent_id = e
        .child("parent")
        .and_then(|p| p.attr("id"))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    let created = e
        .text_of("createdAt")
        .ok_or_else(|| ImportError::malformed(F, e.position(), "<post> without <createdAt>"))?;
    let created_at = rfc3339_ms(created).ok_or_else(|| {
        ImportError::malformed(
            F,
            e.position(),
            format!("<createdAt> is not a time: {created:?}"),
        )
    })?;
    let author = e.child("author");
    let status = if flag(e, "isDeleted") {
        CommentStatus::Deleted
    } else if flag(e, "isSpam") {
        CommentStatus::Spam
    } else if e
        .text_of("isApproved")
        .is_some_and(|v| v.eq_ignore_ascii_case("false"))
    {
        CommentStatus::Pending
    } else {
        CommentStatus::Published
    };
    Ok(ImportedComment {
        source_id,
        thread_id: thread,
        parent_id,
        author_name: clean_name(author.and_then(|a| a.text_of("name")).unwrap_or("")),
        author_email: clean_email(author.and_then(|a| a.text_of("email")).unwrap_or("")),
        body: to_text(
            e.child("message").map(|m| m.text.as_str()).unwrap_or(""),
            Whitespace::Collapse,
        ),
        created_at,
        status,
        position: e.position(),
    })
}
