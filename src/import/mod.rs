//! Importers: comments of the systems newsrooms leave (Disqus, WordPress,
//! Isso, Remark42) parsed into one neutral model (`ImportBatch`), checked as
//! a whole before anything is written. `service::import_comments` maps the
//! threads to articles and writes the batch in one transaction.

mod disqus;
mod html;
mod isso;
mod keys;
mod model;
mod remark42;
mod wordpress;
mod xml;

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

pub use html::{Whitespace, to_text};
pub use isso::{IssoComment, IssoThread};
pub use keys::{ArticleTarget, UrlMap, article_for, key_from_url};
pub use model::{Format, ImportBatch, ImportError, ImportedComment, ImportedThread, Position};

use crate::domain::{is_invisible_or_bidi, normalize_text};

/// Longest author name kept (longer ones are cut at a character boundary:
/// the source accepted them, majlis shows them in one line).
pub const NAME_MAX: usize = 60;

/// Read and parse an export file (Disqus, WordPress, Remark42; gzipped or
/// not). Isso is a database: read it with `storage::read_isso` and `isso`.
pub fn parse_file(format: Format, path: &Path) -> Result<ImportBatch, ImportError> {
    let text = read_text(path)?;
    if let Format::Isso = format {
        return Err(ImportError::malformed(
            format,
            Position::Line(1),
            "an Isso database is read with read_isso",
        ));
    }
    parse_str(format, &text)
}

/// Map the rows of an Isso database and check them.
pub fn from_isso(
    threads: Vec<IssoThread>,
    comments: Vec<IssoComment>,
) -> Result<ImportBatch, ImportError> {
    check(Format::Isso, isso::map(threads, comments)?)
}

/// Parse an export already in memory (tests, benches).
pub fn parse_str(format: Format, text: &str) -> Result<ImportBatch, ImportError> {
    let batch = match format {
        Format::Disqus => disqus::parse(text)?,
        Format::Wordpress => wordpress::parse(text)?,
        Format::Remark42 => remark42::parse(text)?,
        Format::Isso => {
            return Err(ImportError::malformed(
                format,
                Position::Line(1),
                "not a text format",
            ));
        }
    };
    check(format, batch)
}

/// The file as UTF-8 text, gunzipped when it starts with the gzip magic.
fn read_text(path: &Path) -> Result<String, ImportError> {
    let io = |source| ImportError::Io {
        path: path.display().to_string(),
        source,
    };
    let bytes = std::fs::read(path).map_err(io)?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_end(&mut out)
            .map_err(io)?;
        out
    } else {
        bytes
    };
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e
            .as_bytes()
            .iter()
            .take(at)
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        ImportError::Io {
            path: path.display().to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("not UTF-8 text at line {line}"),
            ),
        }
    })
}

/// The batch as a whole: unique ids, every comment on a thread of the file.
fn check(format: Format, batch: ImportBatch) -> Result<ImportBatch, ImportError> {
    let mut threads = HashSet::new();
    for t in &batch.threads {
        if !threads.insert(t.source_id.as_str()) {
            return Err(ImportError::malformed(
                format,
                t.position.clone(),
                format!("thread id {} appears twice", t.source_id),
            ));
        }
    }
    let mut comments = HashSet::new();
    for c in &batch.comments {
        if !threads.contains(c.thread_id.as_str()) {
            return Err(ImportError::malformed(
                format,
                c.position.clone(),
                format!(
                    "comment {} names thread {}, which the file does not have",
                    c.source_id, c.thread_id
                ),
            ));
        }
        if !comments.insert(c.source_id.as_str()) {
            return Err(ImportError::malformed(
                format,
                c.position.clone(),
                format!("comment id {} appears twice", c.source_id),
            ));
        }
    }
    Ok(batch)
}

/// An author name as majlis shows it: NFC, one line, no invisible or bidi
/// characters, at most `NAME_MAX` characters.
pub(crate) fn clean_name(raw: &str) -> String {
    let text = normalize_text(&html::decode_entities(raw));
    let one_line: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control() && !is_invisible_or_bidi(*c))
        .collect();
    let words: Vec<&str> = one_line.split_whitespace().collect();
    words
        .join(" ")
        .chars()
        .take(NAME_MAX)
        .collect::<String>()
        .trim()
        .to_string()
}

/// An email as majlis stores it: trimmed, lower-cased; empty if it is not
/// one line without spaces.
pub(crate) fn clean_email(raw: &str) -> String {
    let e = normalize_text(raw).to_lowercase();
    if e.contains('@') && !e.chars().any(|c| c.is_whitespace() || c.is_control()) && e.len() <= 254
    {
        e
    } else {
        String::new()
    }
}

/// RFC 3339 (with any offset and fraction) to unix milliseconds.
pub(crate) fn rfc3339_ms(raw: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(raw.trim(), &time::format_description::well_known::Rfc3339)
        .ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// WordPress's `YYYY-MM-DD HH:MM:SS` (UTC for the `_gmt` fields).
pub(crate) fn wordpress_time_ms(raw: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let t = time::PrimitiveDateTime::parse(raw.trim(), &format).ok()?;
    let t = t.assume_utc();
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn names_and_emails_are_cleaned_once() {
        assert_eq!(clean_name("  ليلى\u{202e} \n أحمد "), "ليلى أحمد");
        assert_eq!(clean_name("Tom &amp; Jerry"), "Tom & Jerry");
        assert_eq!(clean_email(" Sam@Example.COM "), "sam@example.com");
        assert_eq!(clean_email("not an email"), "");
    }

    #[test]
    fn times_are_read_in_utc() {
        assert_eq!(rfc3339_ms("2013-01-02T12:00:00Z"), Some(1_357_128_000_000));
        assert_eq!(
            rfc3339_ms("2017-12-20T15:18:22-06:00"),
            Some(1_513_804_702_000)
        );
        assert_eq!(
            wordpress_time_ms("2013-01-02 12:00:00"),
            Some(1_357_128_000_000)
        );
        assert_eq!(rfc3339_ms("yesterday"), None);
    }
}
