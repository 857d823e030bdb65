//! Streaming XML records for the XML exports (Disqus, WordPress): the
//! elements at one depth of the document are built one at a time as small
//! trees (with the line each starts on) and handed to the format's mapper, so
//! a large export never sits in memory as one tree. quick-xml checks that
//! the document is well formed; its errors carry the line they happened on.

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use super::model::{Format, ImportError, Position};

/// An element with its text (the concatenation of its own text, CDATA and
/// entity references) and child elements. Names are local: `dsq:id` is `id`.
#[derive(Debug, Clone, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
    pub line: usize,
}

impl Element {
    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The trimmed text of the first child with this name, if not empty.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn position(&self) -> Position {
        Position::Line(self.line)
    }
}

/// Line numbers of byte offsets, from the offsets of every newline.
struct Lines(Vec<usize>);

impl Lines {
    fn of(src: &str) -> Lines {
        Lines(
            src.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }

    fn line(&self, offset: u64) -> usize {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

/// Call `each` with every element `depth` levels below the root (the root is
/// depth 0), in document order. The whole document is checked: an error
/// anywhere, even after the last record, fails with its line.
pub fn for_each_record(
    src: &str,
    format: Format,
    depth: usize,
    mut each: impl FnMut(Element) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let lines = Lines::of(src);
    let mut reader = Reader::from_str(src);
    reader.config_mut().check_end_names = true;
    let malformed = |offset: u64, message: String| {
        ImportError::malformed(format, Position::Line(lines.line(offset)), message)
    };
    // Open elements above the record depth (names only) and the record being built.
    let mut open: Vec<String> = Vec::new();
    let mut building: Vec<Element> = Vec::new();
    let mut seen_root = false;
    loop {
        let start = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| malformed(reader.error_position(), e.to_string()))?;
        match event {
            Event::Start(e) => {
                let element = element_of(&e, lines.line(start), &malformed, start)?;
                if open.is_empty() && building.is_empty() {
                    if seen_root {
                        return Err(malformed(start, "more than one root element".into()));
                    }
                    seen_root = true;
                }
                if open.len() + building.len() >= depth {
                    building.push(element);
                } else {
                    open.push(element.name);
                }
            }
            Event::Empty(e) => {
                let element = element_of(&e, lines.line(start), &malformed, start)?;
                if open.is_empty() && building.is_empty() {
                    return Err(malformed(start, "the document has no content".into()));
                }
                if let Some(parent) = building.last_mut() {
                    parent.children.push(element);
                } else if open.len() == depth {
                    each(element)?;
                }
            }
            Event::End(_) => {
                if let Some(done) = building.pop() {
                    match building.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => each(done)?,
                    }
                } else {
                    open.pop();
                }
            }
            Event::Text(t) => {
                if let Some(top) = building.last_mut() {
                    top.text.push_str(&t.xml10_content());
                } else if open.is_empty() && !t.xml10_content().trim().is_empty() {
                    return Err(malformed(start, "text outside the root element".into()));
                }
            }
            Event::CData(c) => {
                if let Some(top) = building.last_mut() {
                    top.text.push_str(&c.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r.into_inner();
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => s.to_string(),
                            None => {
                                return Err(malformed(start, format!("unknown entity &{name};")));
                            }
                        }
                    }
                    Err(e) => return Err(malformed(start, e.to_string())),
                };
                if let Some(top) = building.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => {
                if let Some(unclosed) = building.last().map(|e| e.name.clone()).or(open.pop()) {
                    return Err(malformed(
                        src.len() as u64,
                        format!("the file ends before <{unclosed}> is closed"),
                    ));
                }
                if !seen_root {
                    return Err(malformed(0, "no XML document in the file".into()));
                }
                return Ok(());
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
}

fn element_of(
    e: &quick_xml::events::BytesStart<'_>,
    line: usize,
    malformed: &impl Fn(u64, String) -> ImportError,
    start: u64,
) -> Result<Element, ImportError> {
    let name = e.local_name().as_ref().to_string();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| malformed(start, err.to_string()))?;
        let key = a.key.local_name().as_ref().to_string();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| malformed(start, err.to_string()))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Element {
        name,
        attrs,
        line,
        ..Element::default()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn records(src: &str, depth: usize) -> Result<Vec<Element>, ImportError> {
        let mut out = Vec::new();
        for_each_record(src, Format::Disqus, depth, |e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn records_carry_their_line_text_and_attributes() {
        let src = "<?xml version=\"1.0\"?>\n<root xmlns:dsq=\"x\">\n  <post dsq:id=\"7\">\n    <message><![CDATA[<p>hi</p>]]> &amp; &#1587;</message>\n    <parent dsq:id=\"3\"/>\n  </post>\n</root>\n";
        let got = records(src, 1).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].line, 3);
        assert_eq!(got[0].attr("id"), Some("7"));
        assert_eq!(got[0].text_of("message"), Some("<p>hi</p> & س"));
        assert_eq!(got[0].child("parent").unwrap().attr("id"), Some("3"));
    }

    #[test]
    fn a_mismatched_tag_fails_with_its_line() {
        let src = "<root>\n<post>\n<message>x</mesage>\n</post>\n</root>\n";
        let err = records(src, 1).unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
    }

    #[test]
    fn a_truncated_document_fails() {
        let err = records("<root>\n<post>\n<message>x</message>\n", 1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("ends before"), "{err}");
    }
}
