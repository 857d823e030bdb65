//! The message catalogue: every user-facing string in every language, one
//! file per language (`ar.txt`, `en.txt`) of `key = text` lines. To add a
//! language, add a file, a `Lang` variant and a line in `catalogue()`.
//! Placeholders are written `{name}`.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::domain::Lang;

type Catalogue = HashMap<&'static str, &'static str>;

fn parse(source: &'static str) -> Catalogue {
    source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

static AR: LazyLock<Catalogue> = LazyLock::new(|| parse(include_str!("ar.txt")));
static EN: LazyLock<Catalogue> = LazyLock::new(|| parse(include_str!("en.txt")));

fn catalogue(lang: Lang) -> &'static Catalogue {
    match lang {
        Lang::Ar => &AR,
        Lang::En => &EN,
    }
}

/// The text for `key` in `lang`, falling back to English, then to the key.
pub fn t(lang: Lang, key: &str) -> &'static str {
    catalogue(lang)
        .get(key)
        .or_else(|| EN.get(key))
        .copied()
        .unwrap_or("")
}

/// Like `t`, with `{name}` placeholders filled in.
pub fn tf<'a>(
    lang: Lang,
    key: &str,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut text = t(lang, key).to_string();
    for (name, value) in params {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// The CLDR plural category of a whole number `n` in `lang`: `zero`, `one`,
/// `two`, `few`, `many` or `other` (the same as `Intl.PluralRules` in the
/// browser, which the embed script uses).
pub fn plural_category(lang: Lang, n: u64) -> &'static str {
    match lang {
        Lang::Ar => match (n, n % 100) {
            (0, _) => "zero",
            (1, _) => "one",
            (2, _) => "two",
            (_, 3..=10) => "few",
            (_, 11..=99) => "many",
            _ => "other",
        },
        Lang::En => {
            if n == 1 {
                "one"
            } else {
                "other"
            }
        }
    }
}

/// The characters-left counter's text: `left` may be negative (over the limit).
pub fn chars_left(lang: Lang, left: i64) -> String {
    let n = left.unsigned_abs();
    let key = if left < 0 {
        // `over.zero` does not exist: zero is never over.
        format!("form.over.{}", plural_category(lang, n))
    } else {
        format!("form.left.{}", plural_category(lang, n))
    };
    tf(lang, &key, [("n", n.to_string().as_str())])
}

/// Which family of codes `label` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// A comment status (`pending`, `rejected` ...).
    Status,
    /// An audit action (`approve`, `reject`, `block_email` ...).
    Action,
    /// A reason a moderator chose, or a finding's category (`off_topic`, `religion` ...).
    Reason,
    /// Who acted (`system`, `moderator`, `api_key`).
    Actor,
    /// A posting-rules finding (`banned_term`, `duplicate_body` ...).
    Finding,
}

/// The label a person reads for a stored code, in `lang`. A code without a
/// label (a reason typed as free text, an action added later) is shown as it is.
pub fn label(lang: Lang, family: Code, code: &str) -> String {
    let prefix = match family {
        Code::Status => "code.status.",
        Code::Action => "code.action.",
        Code::Reason => "dash.reason.",
        Code::Actor => "code.actor.",
        Code::Finding => "code.finding.",
    };
    let key = format!("{prefix}{code}");
    catalogue(lang)
        .get(key.as_str())
        .or_else(|| EN.get(key.as_str()))
        .map(|s| s.to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Every key of a language's file (for the test that keeps them in step).
pub fn keys(lang: Lang) -> Vec<&'static str> {
    let mut k: Vec<_> = catalogue(lang).keys().copied().collect();
    k.sort_unstable();
    k
}

/// The best supported language of an `Accept-Language` header, by q-value.
pub fn negotiate(accept_language: Option<&str>) -> Option<Lang> {
    let header = accept_language?;
    let mut best: Option<(f32, Lang)> = None;
    for part in header.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("").trim();
        let q = pieces
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if let Some(lang) = Lang::parse(tag)
            && q > 0.0
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key() {
        let en = keys(Lang::En);
        for lang in Lang::ALL {
            assert_eq!(keys(lang), en, "{lang:?} differs from en");
        }
    }

    #[test]
    fn codes_have_labels_and_free_text_stays_as_typed() {
        assert_eq!(label(Lang::Ar, Code::Reason, "off_topic"), "خارج الموضوع");
        assert_eq!(label(Lang::En, Code::Status, "rejected"), "Rejected");
        assert_eq!(
            label(Lang::Ar, Code::Reason, "off topic, sorry"),
            "off topic, sorry"
        );
        for status in crate::domain::CommentStatus::ALL {
            assert_ne!(
                label(Lang::Ar, Code::Status, status.as_str()),
                status.as_str()
            );
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            tf(Lang::En, "field.too_long", [("max", "60")]),
            "Must be at most 60 characters."
        );
    }

    #[test]
    fn accept_language_is_negotiated_by_quality() {
        assert_eq!(negotiate(Some("fr-FR, en;q=0.5, ar;q=0.9")), Some(Lang::Ar));
        assert_eq!(negotiate(Some("en-GB,en;q=0.9")), Some(Lang::En));
        assert_eq!(negotiate(Some("fr")), None);
        assert_eq!(negotiate(None), None);
    }

    #[test]
    fn arabic_counts_take_the_plural_form_of_their_category() {
        let cases = [
            (0, "zero"),
            (1, "one"),
            (2, "two"),
            (3, "few"),
            (10, "few"),
            (11, "many"),
            (99, "many"),
            (100, "other"),
            (102, "other"),
            (103, "few"),
            (111, "many"),
            (2000, "other"),
        ];
        for (n, cat) in cases {
            assert_eq!(plural_category(Lang::Ar, n), cat, "{n}");
        }
        assert_eq!(chars_left(Lang::Ar, 2000), "يتبقّى 2000 حرف");
        assert_eq!(chars_left(Lang::Ar, 5), "يتبقّى 5 أحرف");
        assert_eq!(chars_left(Lang::Ar, 2), "يتبقّى حرفان");
        assert_eq!(chars_left(Lang::Ar, 0), "لم يتبقَّ أي حرف");
        assert_eq!(chars_left(Lang::Ar, -1), "زاد النص حرفًا واحدًا عن الحد");
        assert_eq!(chars_left(Lang::Ar, -12), "زاد النص 12 حرفًا عن الحد");
        assert_eq!(chars_left(Lang::En, 1), "1 character left");
        assert_eq!(chars_left(Lang::En, 0), "0 characters left");
        assert_eq!(chars_left(Lang::En, -2), "2 characters too many");
    }
}
