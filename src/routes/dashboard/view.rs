//! Pieces shared by the dashboard pages: the layout data, highlighting of
//! rule findings in place, times in GMT.

use time::OffsetDateTime;

use crate::domain::Lang;
use crate::i18n::t;
use crate::moderation::{Field, Finding};
use crate::routes::{CSS, FIVE_MINUTES, JAVASCRIPT, static_asset};

/// Template helper: `{{ tr.get("dash.approve") }}`.
#[derive(Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn get(&self, key: &str) -> &'static str {
        t(self.0, key)
    }
}

/// What every signed-in page shows around its content.
pub struct Layout {
    pub lang: &'static str,
    pub dir: &'static str,
    pub csrf: String,
    pub me: String,
    /// Admins see the site settings; admins of every site also the accounts.
    pub admin: bool,
    pub admin_of_all: bool,
    pub active: &'static str,
}

/// A piece of text, highlighted when a rule matched it.
pub struct Segment {
    pub text: String,
    pub hit: bool,
}

/// Split `text` into plain and highlighted segments by the spans of the
/// findings on `field`. Spans are byte offsets; ones that do not fit the
/// text (e.g. after an edit) are ignored rather than misplaced.
pub fn highlight(text: &str, findings: &[Finding], field: Field) -> Vec<Segment> {
    let mut spans: Vec<(usize, usize)> = findings
        .iter()
        .filter(|f| f.field == Some(field))
        .flat_map(|f| f.spans.iter().map(|s| (s.start, s.end)))
        .filter(|(s, e)| s < e && text.get(*s..*e).is_some())
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut out = Vec::new();
    let mut at = 0;
    for (s, e) in merged {
        if let Some(plain) = text.get(at..s).filter(|p| !p.is_empty()) {
            out.push(Segment {
                text: plain.to_string(),
                hit: false,
            });
        }
        if let Some(hit) = text.get(s..e) {
            out.push(Segment {
                text: hit.to_string(),
                hit: true,
            });
        }
        at = e;
    }
    if let Some(rest) = text.get(at..).filter(|r| !r.is_empty()) {
        out.push(Segment {
            text: rest.to_string(),
            hit: false,
        });
    }
    out
}

/// `2026-11-29 18:04 GMT`.
pub fn gmt(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02} GMT",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

/// `YYYY-MM-DD` as unix milliseconds at 00:00 GMT.
pub fn parse_day(raw: &str) -> Option<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(raw.trim(), &fmt).ok()?;
    let secs = date.midnight().assume_utc().unix_timestamp();
    Some(secs * 1000)
}

/// Only our own dashboard paths are followed after an action.
pub fn safe_return(raw: Option<&str>) -> String {
    match raw {
        Some(p)
            if p.starts_with("/dashboard")
                && !p.contains("//")
                && crate::domain::BackLink::local(p).is_some() =>
        {
            p.to_string()
        }
        _ => "/dashboard".to_string(),
    }
}

/// `GET /dashboard/static/dashboard.js`
pub async fn script() -> actix_web::HttpResponse {
    static_asset(JAVASCRIPT, FIVE_MINUTES).body(include_str!("../assets/dashboard.js"))
}

/// `GET /dashboard/static/dashboard.css`
pub async fn stylesheet() -> actix_web::HttpResponse {
    static_asset(CSS, FIVE_MINUTES).body(include_str!("../assets/dashboard.css"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::moderation::{Action, Span};

    fn finding(field: Field, start: usize, end: usize) -> Finding {
        Finding {
            code: "banned_term".into(),
            rule: "lexicon:x".into(),
            action: Action::Hold,
            category: None,
            list: None,
            list_version: None,
            field: Some(field),
            spans: vec![Span { start, end }],
            matched: None,
            explanation_ar: String::new(),
            explanation_en: String::new(),
            weight: None,
        }
    }

    #[test]
    fn findings_are_highlighted_in_place_and_bad_spans_ignored() {
        let text = "يا حمار انت";
        let start = text.find("حمار").unwrap();
        let end = start + "حمار".len();
        let segs = highlight(
            text,
            &[
                finding(Field::Body, start, end),
                finding(Field::Body, start + 1, end),
                finding(Field::Title, 0, 2),
                finding(Field::Body, 0, 999),
            ],
            Field::Body,
        );
        let parts: Vec<(&str, bool)> = segs.iter().map(|s| (s.text.as_str(), s.hit)).collect();
        assert_eq!(parts, vec![("يا ", false), ("حمار", true), (" انت", false)]);
    }

    #[test]
    fn days_and_gmt_times() {
        assert_eq!(parse_day("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_day("nope"), None);
        assert_eq!(gmt(86_400_000 + 61_000), "1970-01-02 00:01 GMT");
        assert_eq!(safe_return(Some("//evil.test")), "/dashboard");
        assert_eq!(
            safe_return(Some("/dashboard?tab=held")),
            "/dashboard?tab=held"
        );
    }
}
