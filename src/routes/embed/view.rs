use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::domain::{Lang, count_chars, normalize_text};
use crate::i18n::t;

/// Template helper: `{{ tr.get("form.name") }}`.
#[derive(Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn get(&self, key: &str) -> &'static str {
        t(self.0, key)
    }
}

pub struct CaptchaView {
    pub id: String,
    pub image_url: String,
    pub width: u32,
    pub height: u32,
    /// The reader's answer, kept when the same code is shown again.
    pub answer: String,
}

/// The comment form with its values and errors.
pub struct FormView {
    pub action: String,
    pub name: String,
    pub email: String,
    pub title: String,
    pub body: String,
    pub accept_terms: bool,
    /// Mail me replies (unticked unless the reader ticked it).
    pub notify_replies: bool,
    pub article_url: String,
    pub article_title: String,
    pub return_to: String,
    pub errors: BTreeMap<String, Vec<String>>,
    pub banner: Option<String>,
    pub captcha: Option<CaptchaView>,
    pub max_chars: usize,
    pub terms_url: String,
    pub lang: Lang,
    /// The site's posting rules, shown above the submit button.
    pub rules: String,
    /// The banner says the comment broke the rules: it links to them.
    pub rules_error: bool,
    /// The comment this form answers, and the heading that says so.
    pub parent_id: String,
    pub reply_heading: Option<String>,
    /// The page again with a form for a new comment.
    pub new_comment_url: String,
}

impl FormView {
    pub fn errors_for(&self, field: &str) -> Vec<String> {
        self.errors.get(field).cloned().unwrap_or_default()
    }

    pub fn has_error(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }

    /// What the live counter would show for the kept body.
    pub fn chars_left(&self) -> i64 {
        self.max_chars as i64 - count_chars(&normalize_text(&self.body)) as i64
    }

    /// The counter's sentence for the kept body, in the page's language.
    pub fn chars_left_text(&self) -> String {
        crate::i18n::chars_left(self.lang, self.chars_left())
    }

    /// The counter's sentences by plural category, for `form.js`:
    /// `{"left": {"one": "..."}, "over": {...}}` with `{n}` placeholders.
    pub fn counter_texts(&self) -> String {
        let group = |prefix: &str| {
            ["zero", "one", "two", "few", "many", "other"]
                .iter()
                .map(|c| {
                    (
                        (*c).to_string(),
                        serde_json::Value::from(t(self.lang, &format!("{prefix}{c}"))),
                    )
                })
                .collect::<serde_json::Map<_, _>>()
        };
        serde_json::json!({"left": group("form.left."), "over": group("form.over.")}).to_string()
    }
}

pub struct CommentView {
    pub id: String,
    pub name: String,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub when: String,
    pub when_iso: String,
    /// For a reply to a reply: "in reply to NAME", localized.
    pub in_reply_to: Option<String>,
    /// Under a top-level comment: its visible replies, oldest first.
    pub replies: Vec<CommentView>,
    /// The page again with the form set to answer this comment.
    pub reply_url: String,
    /// Its report form.
    pub report_url: String,
    /// Selected by the editors: listed first, under their heading.
    pub featured: bool,
    /// Readers' likes.
    pub likes: i64,
    /// Where its like form posts, when the site has likes on.
    pub like_action: Option<String>,
    /// Where the like form comes back to: this comment in the section.
    pub like_back: String,
}

/// Everything the comment section partial needs.
pub struct SectionView {
    pub tr: Tr,
    pub lang: &'static str,
    pub dir: &'static str,
    pub form: FormView,
    pub comments: Vec<CommentView>,
    pub count: i64,
    /// The article's Atom feed (a path on majlis).
    pub feed_url: String,
}

const MONTHS_AR: [&str; 12] = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A reader-facing time in GMT: `29 نوفمبر 2026 - 18:04 GMT` / `29 November 2026, 18:04 GMT`.
pub fn human_time(ms: i64, lang: Lang) -> String {
    let Ok(t) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) else {
        return String::new();
    };
    let month = usize::from(u8::from(t.month())).saturating_sub(1);
    match lang {
        Lang::Ar => format!(
            "{} {} {} - {:02}:{:02} GMT",
            t.day(),
            MONTHS_AR.get(month).copied().unwrap_or(""),
            t.year(),
            t.hour(),
            t.minute()
        ),
        Lang::En => format!(
            "{} {} {}, {:02}:{:02} GMT",
            t.day(),
            MONTHS_EN.get(month).copied().unwrap_or(""),
            t.year(),
            t.hour(),
            t.minute()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_in_gmt_with_arabic_month_names() {
        // 2026-11-29T18:04:00Z
        let ms = 1_795_975_440_000;
        assert_eq!(human_time(ms, Lang::Ar), "29 نوفمبر 2026 - 18:04 GMT");
        assert_eq!(human_time(ms, Lang::En), "29 November 2026, 18:04 GMT");
    }
}
