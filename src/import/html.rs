//! Comment bodies of other systems are HTML (Disqus, Remark42) or text with a
//! little HTML in it (WordPress); majlis stores plain text and escapes it on
//! output. This keeps what a reader wrote: the words, paragraphs and line
//! breaks, and a link's address after its text when the text does not show
//! it. Markup, scripts and styles go; entities are decoded (HTML5 names,
//! through quick-xml's table).

use crate::domain::normalize_text;

/// How whitespace in the source counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whitespace {
    /// HTML: runs of whitespace are one space; only tags break lines.
    Collapse,
    /// Text with tags (WordPress): line breaks typed by the writer are kept.
    Keep,
}

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "section",
    "article",
    "figure",
    "hr",
];

/// Plain text of an HTML fragment: NFC, trimmed, at most one blank line
/// between paragraphs, no control characters but newline and tab.
pub fn to_text(html: &str, ws: Whitespace) -> String {
    let mut out = String::with_capacity(html.len());
    // Output offset where the current link's text starts, and its address.
    let mut link: Option<(usize, String)> = None;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_text(&mut out, rest.get(..lt).unwrap_or(""), ws);
        let after = rest.get(lt..).unwrap_or("");
        if let Some(comment) = after.strip_prefix("<!--") {
            rest = comment
                .find("-->")
                .map_or("", |end| comment.get(end + 3..).unwrap_or(""));
            continue;
        }
        let Some(tag) = Tag::parse(after) else {
            // A `<` that starts no tag is text ("a < b").
            push_text(&mut out, "<", ws);
            rest = after.get(1..).unwrap_or("");
            continue;
        };
        rest = after.get(tag.len..).unwrap_or("");
        match tag.name.as_str() {
            "script" | "style" if !tag.closing => {
                let close = format!("</{}", tag.name);
                let lower = rest.to_ascii_lowercase();
                rest = match lower.find(&close) {
                    Some(i) => {
                        let from = rest.get(i..).unwrap_or("");
                        from.find('>')
                            .map_or("", |j| from.get(j + 1..).unwrap_or(""))
                    }
                    None => "",
                };
            }
            "br" => out.push('\n'),
            "a" if !tag.closing => {
                link = tag.href.map(|h| (out.len(), h));
            }
            "a" => {
                if let Some((start, href)) = link.take() {
                    let text = out.get(start..).unwrap_or("").trim().to_string();
                    let shown = text.trim_end_matches('/') == href.trim_end_matches('/')
                        || href.starts_with('#')
                        || href.to_ascii_lowercase().starts_with("javascript:");
                    if text.is_empty() {
                        out.push_str(&href);
                    } else if !shown {
                        out.push_str(" (");
                        out.push_str(&href);
                        out.push(')');
                    }
                }
            }
            name if BLOCKS.contains(&name) => out.push_str("\n\n"),
            _ => {}
        }
    }
    push_text(&mut out, rest, ws);
    tidy(&out)
}

/// Append source text, decoding entities and treating whitespace per `ws`.
fn push_text(out: &mut String, raw: &str, ws: Whitespace) {
    if raw.is_empty() {
        return;
    }
    let decoded = decode_entities(raw);
    match ws {
        Whitespace::Keep => out.push_str(&decoded),
        Whitespace::Collapse => {
            for c in decoded.chars() {
                if c.is_whitespace() && c != '\u{a0}' {
                    if !out.ends_with([' ', '\n']) && !out.is_empty() {
                        out.push(' ');
                    }
                } else {
                    out.push(c);
                }
            }
        }
    }
}

/// `&amp;`, `&#1587;`, `&nbsp;` ... decoded; an unknown or broken reference
/// is left as it was typed.
pub fn decode_entities(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_string();
    }
    match quick_xml::escape::unescape(raw) {
        Ok(s) => s.into_owned(),
        Err(_) => {
            // Decode reference by reference, keeping the broken ones.
            let mut out = String::with_capacity(raw.len());
            let mut rest = raw;
            while let Some(amp) = rest.find('&') {
                out.push_str(rest.get(..amp).unwrap_or(""));
                let from = rest.get(amp..).unwrap_or("");
                let candidate = from
                    .find(';')
                    .filter(|&semi| semi <= 40)
                    .and_then(|semi| from.get(..=semi));
                match candidate.and_then(|c| quick_xml::escape::unescape(c).ok()) {
                    Some(decoded) => {
                        out.push_str(&decoded);
                        rest = from.get(candidate.map_or(1, str::len)..).unwrap_or("");
                    }
                    None => {
                        out.push('&');
                        rest = from.get(1..).unwrap_or("");
                    }
                }
            }
            out.push_str(rest);
            out
        }
    }
}

/// NFC, spaces at line ends dropped, at most one blank line in a row,
/// control characters other than newline and tab dropped, trimmed.
fn tidy(text: &str) -> String {
    let text = normalize_text(text);
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.split('\n') {
        let line: String = line
            .chars()
            .filter(|c| !c.is_control() || *c == '\t')
            .collect();
        let line = line.trim_end();
        let line = line.strip_prefix(' ').unwrap_or(line);
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank_run = 0;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out.trim().to_string()
}

/// A tag at the start of `s` (which begins with `<`).
struct Tag {
    name: String,
    closing: bool,
    href: Option<String>,
    /// Bytes up to and including the closing `>`.
    len: usize,
}

impl Tag {
    fn parse(s: &str) -> Option<Tag> {
        let body = s.strip_prefix('<')?;
        let (closing, body) = match body.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, body),
        };
        let first = body.chars().next()?;
        if !(first.is_ascii_alphabetic() || first == '!' || first == '?') {
            return None;
        }
        let end = find_tag_end(body)?;
        let inner = body.get(..end)?;
        let name: String = inner
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let href = (name == "a" && !closing)
            .then(|| attribute(inner, "href"))
            .flatten()
            .map(|h| decode_entities(&h));
        Some(Tag {
            name,
            closing,
            href,
            len: 1 + usize::from(closing) + end + 1,
        })
    }
}

/// Offset of the `>` ending a tag, skipping quoted attribute values.
fn find_tag_end(body: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in body.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

/// The value of an attribute inside a tag's text.
fn attribute(inner: &str, name: &str) -> Option<String> {
    let lower = inner.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower.get(from..)?.find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = lower[..at].ends_with(|c: char| c.is_whitespace());
        let rest = inner.get(from..)?.trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value = rest.get(1..)?.trim_start();
        return Some(match value.chars().next()? {
            q @ ('"' | '\'') => {
                let v = value.get(1..)?;
                v.get(..v.find(q)?)?.to_string()
            }
            _ => value
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()?
                .to_string(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_breaks_links_and_entities_become_plain_text() {
        let cases = [
            (
                "<p>مرحبا</p><p>سطر ثانٍ<br>ثالث</p>",
                "مرحبا\n\nسطر ثانٍ\nثالث",
            ),
            (
                "see <a href=\"https://x.example/a\" rel=\"nofollow\">this</a>!",
                "see this (https://x.example/a)!",
            ),
            (
                "<a href=\"https://x.example/\">https://x.example/</a>",
                "https://x.example/",
            ),
            (
                "a &lt; b &amp;&amp; c&nbsp;d &#1587;",
                "a < b && c\u{a0}d س",
            ),
            ("x <script>alert(1)</script>y", "x y"),
            ("1 < 2 and <b>bold</b>", "1 < 2 and bold"),
            ("<p>one\n  two</p>\n\n\n<p>three</p>", "one two\n\nthree"),
            ("broken &entity here", "broken &entity here"),
            ("<!-- hidden -->shown", "shown"),
        ];
        for (html, text) in cases {
            assert_eq!(to_text(html, Whitespace::Collapse), text, "{html}");
        }
    }

    #[test]
    fn wordpress_text_keeps_the_writers_line_breaks() {
        assert_eq!(
            to_text(
                "first line\nsecond <em>line</em>\n\n\n\nnext",
                Whitespace::Keep
            ),
            "first line\nsecond line\n\nnext"
        );
    }
}
