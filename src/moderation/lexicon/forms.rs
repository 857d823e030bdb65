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
    /// The Levantine and Maghrebi collective of a nisba plural (الفلسطينيين → الفلسطينية):
    /// also a feminine adjective ("السلطة الفلسطينية"), so it does not count after a definite
    /// word (see `Lexicon::search`).
    pub collective: bool,
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
            out.push(Form {
                text,
                fem_stem,
                collective: false,
            });
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
    let collectives: Vec<Form> = out
        .iter()
        .filter(|f| !f.fem_stem)
        .filter_map(|f| collective(&f.text))
        .filter(|c| !out.iter().any(|f| &f.text == c))
        .map(|text| Form {
            text,
            fem_stem: false,
            collective: true,
        })
        .collect();
    for c in collectives {
        if !out.iter().any(|f| f.text == c.text) {
            out.push(c);
        }
    }
    out
}

/// The collective of a definite one-word nisba plural: ال…يين / ال…يون → ال…ية
/// ("الفلسطينيين" → "الفلسطينية", "الجزائريين" → "الجزائرية").
fn collective(w: &str) -> Option<String> {
    if w.contains(' ') {
        return None;
    }
    let key: Vec<char> = match_key(w).key.chars().collect();
    let definite = key.starts_with(&['ا', 'ل']);
    let nisba = key.ends_with(&['ي', 'ي', 'ن']) || key.ends_with(&['ي', 'و', 'ن']);
    if !definite || !nisba || key.len() < 7 {
        return None;
    }
    let stem = w.strip_suffix("ين").or_else(|| w.strip_suffix("ون"))?;
    Some(format!("{stem}ة"))
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
        let n = alts.len();
        for k in 0..n {
            if let Some(a) = alts.get(k).cloned() {
                for v in dialect_variants(&a) {
                    if !alts.contains(&v) {
                        alts.push(v);
                    }
                }
            }
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

/// Prepositions with the pronoun "him" and their other persons: a phrase "لا قيمة له" is also
/// said of her and of them.
const PREP_PRONOUNS: &[(&str, &[&str])] = &[
    ("له", &["لها", "لهم", "لهن", "لهما"]),
    ("به", &["بها", "بهم", "بهن"]),
    ("فيه", &["فيها", "فيهم", "فيهن"]),
    ("منه", &["منها", "منهم", "منهن"]),
    ("عنه", &["عنها", "عنهم", "عنهن"]),
    ("عليه", &["عليها", "عليهم", "عليهن"]),
    ("اليه", &["اليها", "اليهم", "اليهن"]),
    ("معه", &["معها", "معهم", "معهن"]),
];

/// Spellings of one word in dialect writing and other persons of a pronoun:
/// * the plural verb ending وا written و, and back ("اقتلوا" / "اقتلو", "نقتلو" / "نقتلوا");
/// * the imperative plural without its initial ا, in the dialect spelling ("احرقوا" → "حرقو");
/// * the interdentals as the dialects write them, ذ → د, ث → ت, ظ → ض ("نذبح" → "ندبح",
///   "كذاب" → "كداب"), in words of at least four letters;
/// * a preposition with "him" in its other persons (له → لها، لهم; see [`PREP_PRONOUNS`]).
fn dialect_variants(w: &str) -> Vec<String> {
    let key: Vec<char> = match_key(w).key.chars().collect();
    let n = key.len();
    let mut out = Vec::new();
    if let Some((_, others)) = PREP_PRONOUNS
        .iter()
        .find(|(p, _)| key.iter().copied().eq(p.chars()))
    {
        out.extend(others.iter().map(|o| o.to_string()));
        return out;
    }
    if n < 4 {
        return out;
    }
    let ends_wa = key.ends_with(&['و', 'ا']);
    let ends_w =
        !ends_wa && key.last() == Some(&'و') && !matches!(key.get(n - 2), Some('ا' | 'و' | 'ي'));
    if ends_wa && let Some(stem) = w.strip_suffix('ا') {
        out.push(stem.to_string());
        if n >= 5 && key.first() == Some(&'ا') {
            out.extend(
                stem.char_indices()
                    .nth(1)
                    .map(|(i, _)| stem[i..].to_string()),
            );
        }
    }
    if ends_w {
        out.push(format!("{w}ا"));
        if n >= 5 && key.first() == Some(&'ا') {
            out.extend(w.char_indices().nth(1).map(|(i, _)| w[i..].to_string()));
        }
    }
    if w.contains(['ذ', 'ث', 'ظ']) {
        let d: String = w
            .chars()
            .map(|c| match c {
                'ذ' => 'د',
                'ث' => 'ت',
                'ظ' => 'ض',
                c => c,
            })
            .collect();
        out.push(d);
    }
    out
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
            fem_stem: true,
            collective: false,
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
    fn nisba_plurals_have_their_collective() {
        let c = |t: &str| -> Vec<String> {
            expand(t, &[])
                .into_iter()
                .filter(|f| f.collective)
                .map(|f| f.text)
                .collect()
        };
        assert_eq!(c("الفلسطينيين"), vec!["الفلسطينية".to_string()]);
        assert!(c("الجزائريون").contains(&"الجزائرية".to_string()));
        // Indefinite (سوريين → سورية is the country) and short words have none.
        assert!(c("سوريين").is_empty());
        assert!(c("الدين").is_empty());
    }

    #[test]
    fn dialect_spellings_table() {
        for (term, want) in [
            ("اقتلوا", "اقتلو"),
            ("احرقوا", "حرقو"),
            ("نقتلو", "نقتلوا"),
            ("نذبح", "ندبح"),
            ("كذاب", "كداب"),
            ("لا قيمة له", "لا قيمة لها"),
            ("لا قيمة له", "لا قيمة لهم"),
        ] {
            let t = texts(term);
            assert!(t.contains(&want.to_string()), "{term} → {want}: {t:?}");
        }
        // Short words keep their letters; a long vowel before و is not a verb ending.
        assert!(!texts("ذيل").contains(&"ديل".to_string()));
        assert!(!texts("راديو").contains(&"راديوا".to_string()));
    }

    #[test]
    fn explicit_forms_are_expanded_too() {
        let f = expand("زامل", &["زوامل".to_string()]);
        assert!(f.iter().any(|f| f.text == "زوامل"));
    }
}
