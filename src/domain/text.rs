//! Text rules shared by every user-supplied field.

use unicode_normalization::UnicodeNormalization;

/// NFC, CRLF/CR to LF, trimmed. The one normalization applied before
/// validation, storage and counting: what the reader's counter counts too.
pub fn normalize_text(raw: &str) -> String {
    let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
    unified.nfc().collect::<String>().trim().to_string()
}

/// Length as users and the form's counter see it: Unicode scalar values.
pub fn count_chars(s: &str) -> usize {
    s.chars().count()
}

/// The first `max` characters of `s`, with `…` when there was more.
pub fn excerpt(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// Control characters never allowed anywhere (C0 and C1, DEL, NUL). `multiline`
/// permits newline and tab (the comment body).
pub fn has_forbidden_control(s: &str, multiline: bool) -> bool {
    s.chars().any(|c| {
        if multiline && (c == '\n' || c == '\t') {
            return false;
        }
        c.is_control()
    })
}

/// Bidi overrides/isolates, zero-width and other invisible format characters,
/// plus the line/paragraph separators: rejected in one-line fields (name,
/// title, email) because they reorder or hide text in moderator views and
/// could break mail headers.
pub fn has_invisible_or_bidi(s: &str) -> bool {
    s.chars().any(is_invisible_or_bidi)
}

pub fn is_invisible_or_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_counts_characters_and_marks_a_cut() {
        assert_eq!(excerpt("مرحبا", 5), "مرحبا");
        assert_eq!(excerpt("مرحبا بكم", 5), "مرحبا…");
        assert_eq!(excerpt("", 3), "");
    }

    #[test]
    fn normalize_composes_trims_and_unifies_newlines() {
        assert_eq!(normalize_text("  e\u{301}\r\nb\rc  "), "\u{e9}\nb\nc");
    }

    #[test]
    fn arabic_text_survives_normalization_unchanged() {
        let s = "مرحباً بكم في مجلس التعليقات";
        assert_eq!(normalize_text(s), s);
    }

    #[test]
    fn counts_scalar_values_not_bytes() {
        assert_eq!(count_chars("سلام"), 4);
        assert_eq!(count_chars("👍🏽"), 2);
    }

    #[test]
    fn body_allows_newline_and_tab_but_not_nul() {
        assert!(!has_forbidden_control("a\nb\tc", true));
        assert!(has_forbidden_control("a\u{0}b", true));
        assert!(has_forbidden_control("a\nb", false));
        assert!(has_forbidden_control("a\u{85}b", true));
    }

    #[test]
    fn bidi_and_zero_width_are_detected() {
        assert!(has_invisible_or_bidi("evil\u{202E}gnp.exe"));
        assert!(has_invisible_or_bidi("Mod\u{200B}erator"));
        assert!(has_invisible_or_bidi("a\u{2028}b"));
        assert!(!has_invisible_or_bidi("أحمد"));
    }
}
