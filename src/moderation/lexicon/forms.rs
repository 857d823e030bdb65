//! Forms of Arabic list entries, generated once when a list is compiled (never per comment).
//!
//! An entry is a lemma ("حمار", "قحبة", "ولد حرام"); [`expand`] returns the spellings the
//! automaton should contain for it. Each spelling still goes through the token logic of the
//! lexicon, which adds proclitics (و ف ب ل ال يا …) and the suffix class of the spelling:
//!
//! * the entry itself, and each explicit `forms` of the entry;
//! * every word replaced by its irregular forms from `seed/forms-ar.txt` (broken plurals:
//!   كلب → كلاب in "يا كلب" → "يا كلاب");
//! * inner words of multi-word entries with and without the article (ولد حرام → ولد الحرام,
//!   ولد لحرام (Darija), ابن الكلب → ابن كلب);
//! * hamza on each seat (ء ئ ؤ: دنيء → دنيئ, لئيم → لءيم, and a final ء after ا dropped:
//!   أغبياء → اغبيا);
//! * for a last word ending in ة, its feminine stem, which only matches with a feminine
//!   suffix (قحبة → قحبات, قحبتك, قحبتين; see `Suffixes::FemStem`).
//!
//! Sound plurals, duals, the feminine ة of masculine words and ة → ت before a pronoun
//! (حقيرين، حقيرون، حقيرة، حقيرات، حقيرتك) are suffix classes checked by the token logic, so
//! they cost no extra pattern.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::super::normalize::match_key;

/// Cap on the spellings generated for one entry (before hamza variants).
const MAX_VARIANTS: usize = 32;
/// Cap on the hamza variants of one spelling.
const MAX_HAMZA_VARIANTS: usize = 12;

const TABLE: &str = include_str!("../seed/forms-ar.txt");

/// The irregular-forms table: folded lemma → forms (as written in the table).
static IRREGULAR: LazyLock<HashMap<String, Vec<String>>> = LazyLock::new(|| parse_table(TABLE));

/// Parses "lemma = form form" lines.
pub(crate) fn parse_table(text: &str) -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some((lemma, forms)) = line.split_once('=') else {
            continue;
        };
        let lemma = match_key(lemma.trim()).key;
        if lemma.is_empty() {
            continue;
        }
        let slot = map.entry(lemma).or_default();
        for f in forms.split_whitespace() {
            if !slot.iter().any(|s| s == f) {
                slot.push(f.to_string());
            }
        }
    }
    map
}

/// Number of lemmas in the shipped irregular-forms table.
#[cfg(test)]
pub(crate) fn table_len() -> usize {
    IRREGULAR.len()
}

/// One spelling to compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Form {
    pub text: String,
    /// The spelling is the feminine stem of an entry ending in ة: it only matches with a
    /// feminine suffix.
    pub fem_stem: bool,
}

fn is_arabic(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFEFF)
}

/// The spellings of `term` (with its explicit `forms`); see the module documentation.
/// Non-Arabic terms are returned unchanged.
pub(crate) fn expand(term: &str, forms: &[String]) -> Vec<Form> {
    let mut out: Vec<Form> = Vec::new();
    let push = |text: String, fem_stem: bool, out: &mut Vec<Form>| {
        if !out.iter().any(|f| f.text == text && f.fem_stem == fem_stem) {
            out.push(Form { text, fem_stem });
        }
    };
    for base in std::iter::once(term).chain(forms.iter().map(String::as_str)) {
        if !base.chars().any(is_arabic) {
            push(base.to_string(), false, &mut out);
            continue;
        }
        for v in word_variants(base) {
            for h in hamza_variants(&v) {
                if let Some(stem) = fem_stem(&h) {
                    push(stem, true, &mut out);
                }
                push(h, false, &mut out);
            }
        }
    }
    out
}

/// Cartesian product of the per-word alternatives (irregular forms, article on inner words).
fn word_variants(base: &str) -> Vec<String> {
    let words: Vec<&str> = base.split_whitespace().collect();
    let mut acc: Vec<String> = vec![String::new()];
    for (i, w) in words.iter().enumerate() {
        let mut alts: Vec<String> = vec![(*w).to_string()];
        let key = match_key(w).key;
        if let Some(irr) = IRREGULAR.get(&key) {
            alts.extend(irr.iter().cloned());
        } else if let Some(irr) = key.strip_prefix("ال").and_then(|k| IRREGULAR.get(k)) {
            alts.extend(irr.iter().map(|f| format!("ال{f}")));
        }
        if i > 0 {
            let n = alts.len();
            for k in 0..n {
                if let Some(a) = alts.get(k).cloned() {
                    for v in article_variants(&a) {
                        if !alts.contains(&v) {
                            alts.push(v);
                        }
                    }
                }
            }
        }
        let mut next = Vec::with_capacity(acc.len() * alts.len());
        for prefix in &acc {
            for a in &alts {
                if next.len() >= MAX_VARIANTS {
                    break;
                }
                let mut s = prefix.clone();
                if !s.is_empty() {
                    s.push(' ');
                }
                s.push_str(a);
                next.push(s);
            }
        }
        acc = next;
    }
    acc
}

/// The word with the article added (ال and the Darija ل) or removed.
fn article_variants(w: &str) -> Vec<String> {
    let key: Vec<char> = match_key(w).key.chars().collect();
    let n = key.len();
    match key.as_slice() {
        ['ا', 'ل', ..] if n >= 5 => w
            .char_indices()
            .nth(2)
            .map(|(i, _)| vec![w.get(i..).unwrap_or("").to_string()])
            .unwrap_or_default(),
        // Verbs (ي ت ن), words starting with ا and the vocative take no article.
        [first, ..] if n >= 3 && !matches!(first, 'ا' | 'ي' | 'ت' | 'ن') => {
            vec![format!("ال{w}"), format!("ل{w}")]
        }
        _ => Vec::new(),
    }
}

/// Hamza on each seat: every ء ئ ؤ may be written as any of them; a final ء after ا may be
/// dropped.
fn hamza_variants(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<Vec<char>> = vec![Vec::with_capacity(chars.len())];
    for (i, &c) in chars.iter().enumerate() {
        let alts: &[Option<char>] = if matches!(c, 'ء' | 'ئ' | 'ؤ') {
            let last = chars.get(i + 1).is_none_or(|n| n.is_whitespace());
            let after_alef = i > 0 && matches!(chars.get(i - 1), Some('ا'));
            if last && after_alef {
                &[Some('ء'), Some('ئ'), Some('ؤ'), None]
            } else {
                &[Some('ء'), Some('ئ'), Some('ؤ')]
            }
        } else {
            &[]
        };
        if alts.is_empty() || out.len() * alts.len() > MAX_HAMZA_VARIANTS {
            for v in &mut out {
                v.push(c);
            }
            continue;
        }
        let mut next = Vec::with_capacity(out.len() * alts.len());
        for v in &out {
            for a in alts {
                let mut w = v.clone();
                w.extend(a.iter());
                next.push(w);
            }
        }
        out = next;
    }
    out.into_iter().map(|v| v.into_iter().collect()).collect()
}

/// The spelling without its final ة when the stem keeps at least three letters.
fn fem_stem(s: &str) -> Option<String> {
    let t = s.trim_end();
    let stem = t.strip_suffix('ة').or_else(|| t.strip_suffix('ۃ'))?;
    let last_word = stem.rsplit(' ').next().unwrap_or(stem);
    (match_key(last_word).key.chars().count() >= 3).then(|| stem.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(term: &str) -> Vec<String> {
        expand(term, &[]).into_iter().map(|f| f.text).collect()
    }

    #[test]
    fn irregular_table_parses_and_covers_shipped_lemmas() {
        for lemma in [
            "كلب",
            "حمار",
            "خنزير",
            "غبي",
            "حقير",
            "ابن",
            "قحبة",
            "شرموطة",
        ] {
            assert!(IRREGULAR.contains_key(&match_key(lemma).key), "{lemma}");
        }
        assert!(table_len() > 30);
    }

    #[test]
    fn expansions_table() {
        let t = texts("يا كلب");
        assert!(t.contains(&"يا كلاب".to_string()), "{t:?}");
        assert!(t.contains(&"يا الكلب".to_string()), "{t:?}");
        let t = texts("ولد حرام");
        for want in ["ولد الحرام", "ولد لحرام", "ولاد حرام", "أولاد الحرام"]
        {
            assert!(t.contains(&want.to_string()), "{want}: {t:?}");
        }
        let t = texts("ابن الكلب");
        assert!(t.contains(&"ابن كلب".to_string()), "{t:?}");
        assert!(t.contains(&"ولاد الكلاب".to_string()), "{t:?}");
        let t = texts("دنيء");
        assert!(t.contains(&"دنيئ".to_string()) && t.contains(&"دنيؤ".to_string()));
        let t = texts("أغبياء");
        assert!(t.contains(&"أغبيا".to_string()), "{t:?}");
        let f = expand("قحبة", &[]);
        assert!(f.contains(&Form {
            text: "قحب".into(),
            fem_stem: true
        }));
        // A two-letter stem is not generated.
        assert!(expand("مرة", &[]).iter().all(|f| !f.fem_stem));
        // Verbs and الله keep their spelling.
        let t = texts("لعنك الله");
        assert!(!t.iter().any(|s| s.ends_with(" له")), "{t:?}");
        let t = texts("الله يلعنك");
        assert_eq!(t, vec!["الله يلعنك".to_string()]);
        assert_eq!(texts("fuck"), vec!["fuck".to_string()]);
    }

    #[test]
    fn explicit_forms_are_expanded_too() {
        let f = expand("زامل", &["زوامل".to_string()]);
        assert!(f.iter().any(|f| f.text == "زوامل"));
    }
}
