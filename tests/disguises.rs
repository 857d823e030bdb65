//! Disguises by class, measured generatively: every violation of the committed posting-rules
//! corpora (never the sealed batches) that the seed policy stops *because of a word-list
//! finding* is disguised by deterministic transforms applied to the words the finding's span
//! covers, and must stay held or rejected; the same transforms applied to words of the benign
//! comments must not stop them. Prints the table per transform (run with `--nocapture`), and
//! fails below the lines in [`lines_for`].
//!
//! Which lines count: the line is stopped, some finding that stops it is a word-list finding
//! (`lexicon:…`), and with the text of every such finding's span deleted it is no longer
//! stopped (the words are what stops it; a line that a pattern rule stops anyway measures
//! nothing here).
//!
//! General exclusions (written here, never per line): a transform applies to a span only when
//! the span has what it changes (a Latin letter with a look-alike, an Arabic letter with a
//! variant …); a word is split only when it has at least [`MIN_SPLIT`] letters; a span is glued
//! to the previous word only when that word is a letter word and the span's first word has at
//! least [`MIN_GLUE`] letters (gluing a short Arabic word makes a new word: ك+لب, من+حط).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use majlis::moderation::{Action, Policy, PolicyConfig, Signals, Submission, Verdict, evaluate};

/// The committed corpora that are not sealed (the sealed batches are never read here).
const CORPORA: &[(&str, &str)] = &[
    (
        "posting-rules",
        include_str!("fixtures/moderation/posting-rules.tsv"),
    ),
    (
        "holdout",
        include_str!("fixtures/moderation/posting-rules-holdout.tsv"),
    ),
    (
        "fresh",
        include_str!("fixtures/moderation/posting-rules-fresh.tsv"),
    ),
    (
        "dev",
        include_str!("fixtures/moderation/posting-rules-dev.tsv"),
    ),
    (
        "dev3",
        include_str!("fixtures/moderation/posting-rules-dev3.tsv"),
    ),
    (
        "dev4",
        include_str!("fixtures/moderation/posting-rules-dev4.tsv"),
    ),
    (
        "dev5",
        include_str!("fixtures/moderation/posting-rules-dev5.tsv"),
    ),
    (
        "dev6",
        include_str!("fixtures/moderation/posting-rules-dev6.tsv"),
    ),
    (
        "dev7",
        include_str!("fixtures/moderation/posting-rules-dev7.tsv"),
    ),
    (
        "dev8",
        include_str!("fixtures/moderation/posting-rules-dev8.tsv"),
    ),
    (
        "dev9",
        include_str!("fixtures/moderation/posting-rules-dev9.tsv"),
    ),
    (
        "dev11",
        include_str!("fixtures/moderation/posting-rules-dev11.tsv"),
    ),
];

/// Shortest word (in letters) split in two at its middle.
const MIN_SPLIT: usize = 4;
/// Shortest first word (in letters) of a span glued to the previous word.
const MIN_GLUE: usize = 4;

/// The invisible characters of transform (a).
const INVISIBLES: &[(char, &str)] = &[
    ('\u{200B}', "ZWSP"),
    ('\u{200C}', "ZWNJ"),
    ('\u{200D}', "ZWJ"),
    ('\u{2060}', "WJ"),
    ('\u{00AD}', "SHY"),
    ('\u{180E}', "MVS"),
    ('\u{034F}', "CGJ"),
];

/// Latin letters and a Cyrillic or Greek look-alike (transform b).
const HOMOGLYPHS: &[(char, char)] = &[
    ('a', 'а'),
    ('e', 'е'),
    ('o', 'о'),
    ('p', 'р'),
    ('c', 'с'),
    ('x', 'х'),
    ('y', 'у'),
    ('i', 'і'),
    ('s', 'ѕ'),
    ('j', 'ј'),
    ('h', 'һ'),
    ('k', 'κ'),
    ('n', 'η'),
    ('t', 'τ'),
    ('u', 'υ'),
    ('v', 'ν'),
    ('b', 'Ь'),
    ('m', 'м'),
];

/// Leetspeak (transform h).
const LEET: &[(char, char)] = &[('o', '0'), ('i', '1'), ('a', '@'), ('s', '$')];

/// Harakat inserted after letters (transform g), in turn.
const HARAKAT: &[char] = &['\u{064E}', '\u{0650}', '\u{0651}', '\u{0652}', '\u{064F}'];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum T {
    /// (a) one invisible character between every two letters.
    Invisible(usize),
    /// (b) the first Latin letter with a look-alike replaced.
    HomoglyphOne,
    /// (b) every Latin letter with a look-alike replaced.
    HomoglyphAll,
    /// (c) the middle letter of each word written four times.
    ElongateMiddle,
    /// (c) every letter written twice.
    ElongateAll,
    /// (d) one separator between every two letters of each word.
    Separator(char),
    /// (e) glued to the previous word.
    Glue,
    /// (f) the longest word split by a space at its middle.
    Split,
    /// (g) a haraka after every letter.
    Harakat,
    /// (g) a run of tatweels after the middle letter of each word.
    TatweelMiddle,
    /// (g) أ إ آ written ا.
    BareAlef,
    /// (g) final ى written ي and final ي written ى.
    AlefMaqsura,
    /// (g) final ة written ه and final ه written ة.
    TaMarbuta,
    /// (h) upper case.
    Upper,
    /// (h) leetspeak: every o i a s.
    LeetAll,
    /// (h) leetspeak: the first o i a s.
    LeetOne,
}

impl T {
    fn all() -> Vec<T> {
        let mut v: Vec<T> = (0..INVISIBLES.len()).map(T::Invisible).collect();
        v.extend([
            T::HomoglyphOne,
            T::HomoglyphAll,
            T::ElongateMiddle,
            T::ElongateAll,
        ]);
        v.extend(['.', '-', '_', '*', ' ', '🔥', 'ـ'].map(T::Separator));
        v.extend([
            T::Glue,
            T::Split,
            T::Harakat,
            T::TatweelMiddle,
            T::BareAlef,
            T::AlefMaqsura,
            T::TaMarbuta,
            T::Upper,
            T::LeetAll,
            T::LeetOne,
        ]);
        v
    }

    fn class(self) -> &'static str {
        match self {
            T::Invisible(_) => "a invisible",
            T::HomoglyphOne | T::HomoglyphAll => "b homoglyph",
            T::ElongateMiddle | T::ElongateAll => "c elongation",
            T::Separator(_) => "d separator",
            T::Glue => "e glued",
            T::Split => "f split",
            T::Harakat | T::TatweelMiddle | T::BareAlef | T::AlefMaqsura | T::TaMarbuta => {
                "g arabic"
            }
            T::Upper | T::LeetAll | T::LeetOne => "h latin",
        }
    }

    fn name(self) -> String {
        match self {
            T::Invisible(i) => format!("invisible {}", INVISIBLES[i].1),
            T::HomoglyphOne => "one look-alike letter".into(),
            T::HomoglyphAll => "all look-alike letters".into(),
            T::ElongateMiddle => "middle letter ×4".into(),
            T::ElongateAll => "every letter ×2".into(),
            T::Separator(' ') => "separator space".into(),
            T::Separator('ـ') => "separator tatweel".into(),
            T::Separator(c) => format!("separator {c}"),
            T::Glue => "glued to previous word".into(),
            T::Split => "split at middle".into(),
            T::Harakat => "harakat".into(),
            T::TatweelMiddle => "tatweel run".into(),
            T::BareAlef => "أ إ آ → ا".into(),
            T::AlefMaqsura => "ى ↔ ي".into(),
            T::TaMarbuta => "ة ↔ ه".into(),
            T::Upper => "upper case".into(),
            T::LeetAll => "leet all".into(),
            T::LeetOne => "leet one".into(),
        }
    }
}

fn is_letter(c: char) -> bool {
    c.is_alphanumeric()
}

/// An Arabic letter (tatweel is not one).
fn is_arabic(c: char) -> bool {
    matches!(c as u32, 0x0620..=0x063F | 0x0641..=0x064A | 0x066E..=0x06D3)
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
}

/// Arabic span: more Arabic letters than Latin ones.
fn arabic_span(s: &str) -> bool {
    s.chars().filter(|&c| is_arabic(c)).count() > s.chars().filter(|&c| is_latin(c)).count()
}

/// `s` with `sep` between every two adjacent letters.
fn between_letters(s: &str, sep: &str) -> String {
    let mut out = String::new();
    let mut prev = None::<char>;
    for c in s.chars() {
        if prev.is_some_and(is_letter) && is_letter(c) {
            out.push_str(sep);
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// Maps each whitespace-separated word of `s`, keeping the whitespace.
fn per_word(s: &str, mut f: impl FnMut(&str) -> String) -> String {
    let mut out = String::new();
    let mut word = String::new();
    for c in s.chars() {
        if c.is_whitespace() {
            if !word.is_empty() {
                out.push_str(&f(&word));
                word.clear();
            }
            out.push(c);
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        out.push_str(&f(&word));
    }
    out
}

fn letters(w: &str) -> usize {
    w.chars().filter(|&c| is_letter(c)).count()
}

/// Index (in chars) of the middle letter of `w`, and its char.
fn middle_letter(w: &str) -> Option<usize> {
    let idx: Vec<usize> = w
        .chars()
        .enumerate()
        .filter(|(_, c)| is_letter(*c))
        .map(|(i, _)| i)
        .collect();
    idx.get(idx.len() / 2).copied()
}

/// The disguised span, or `None` when the transform does not apply to it (see the module
/// documentation for the general exclusions).
fn disguise_span(t: T, s: &str) -> Option<String> {
    let arabic = arabic_span(s);
    let out = match t {
        T::Invisible(i) => between_letters(s, &INVISIBLES[i].0.to_string()),
        T::HomoglyphOne | T::HomoglyphAll => {
            let mut done = false;
            s.chars()
                .map(|c| match HOMOGLYPHS.iter().find(|(l, _)| *l == c) {
                    Some(&(_, g)) if !(done && t == T::HomoglyphOne) => {
                        done = true;
                        g
                    }
                    _ => c,
                })
                .collect()
        }
        T::ElongateMiddle => per_word(s, |w| {
            let m = middle_letter(w);
            w.chars()
                .enumerate()
                .flat_map(|(i, c)| std::iter::repeat_n(c, if Some(i) == m { 4 } else { 1 }))
                .collect()
        }),
        T::ElongateAll => s
            .chars()
            .flat_map(|c| std::iter::repeat_n(c, if is_letter(c) { 2 } else { 1 }))
            .collect(),
        T::Separator('ـ') if !arabic => return None,
        T::Separator(' ') => {
            // The writer's own word break stays wider than the separator.
            let wide = per_word(s, |w| w.to_string()).replace(' ', "  ");
            per_word(&wide, |w| between_letters(w, " "))
        }
        T::Separator(c) => per_word(s, |w| between_letters(w, &c.to_string())),
        T::Glue => return None, // handled on the whole text
        T::Split => {
            let longest = s
                .split_whitespace()
                .max_by_key(|w| letters(w))
                .filter(|w| letters(w) >= MIN_SPLIT)?;
            let mut done = false;
            per_word(s, |w| {
                if done || w != longest {
                    return w.to_string();
                }
                done = true;
                let m = middle_letter(w).unwrap_or(0);
                let (a, b): (String, String) =
                    (w.chars().take(m).collect(), w.chars().skip(m).collect());
                format!("{a} {b}")
            })
        }
        T::Harakat => {
            if !arabic {
                return None;
            }
            let mut n = 0;
            s.chars()
                .flat_map(|c| {
                    if is_arabic(c) {
                        n += 1;
                        vec![c, HARAKAT[n % HARAKAT.len()]]
                    } else {
                        vec![c]
                    }
                })
                .collect()
        }
        T::TatweelMiddle => {
            if !arabic {
                return None;
            }
            per_word(s, |w| {
                let m = middle_letter(w);
                let n = w.chars().count();
                w.chars()
                    .enumerate()
                    .flat_map(|(i, c)| {
                        if Some(i) == m
                            && i + 1 < n
                            && !matches!(
                                c,
                                'ا' | 'أ'
                                    | 'إ'
                                    | 'آ'
                                    | 'د'
                                    | 'ذ'
                                    | 'ر'
                                    | 'ز'
                                    | 'و'
                                    | 'ة'
                                    | 'ى'
                                    | 'ء'
                            )
                        {
                            vec![c, 'ـ', 'ـ', 'ـ']
                        } else {
                            vec![c]
                        }
                    })
                    .collect()
            })
        }
        T::BareAlef => s
            .chars()
            .map(|c| {
                if matches!(c, 'أ' | 'إ' | 'آ') {
                    'ا'
                } else {
                    c
                }
            })
            .collect(),
        T::AlefMaqsura | T::TaMarbuta => {
            let (x, y) = if t == T::AlefMaqsura {
                ('ى', 'ي')
            } else {
                ('ة', 'ه')
            };
            per_word(s, |w| {
                let mut cs: Vec<char> = w.chars().collect();
                // The last letter of the word (trailing punctuation stays).
                if let Some(i) = cs.iter().rposition(|c| is_letter(*c)) {
                    cs[i] = match cs[i] {
                        c if c == x => y,
                        c if c == y && i > 0 => x,
                        c => c,
                    };
                }
                cs.into_iter().collect()
            })
        }
        T::Upper => {
            if arabic {
                return None;
            }
            s.to_uppercase()
        }
        T::LeetAll | T::LeetOne => {
            if arabic {
                return None;
            }
            let mut done = false;
            s.chars()
                .map(
                    |c| match LEET.iter().find(|(l, _)| *l == c.to_ascii_lowercase()) {
                        Some(&(_, g)) if !(done && t == T::LeetOne) => {
                            done = true;
                            g
                        }
                        _ => c,
                    },
                )
                .collect()
        }
    };
    (out != s).then_some(out)
}

/// The text with every span (byte ranges, sorted, disjoint) disguised; `None` when the
/// transform applies to none of them.
fn disguise(t: T, text: &str, spans: &[(usize, usize)]) -> Option<String> {
    let mut out = String::new();
    let mut at = 0;
    let mut any = false;
    for &(s, e) in spans {
        let mut prefix = &text[at..s];
        let span = &text[s..e];
        let new = if t == T::Glue {
            // The whitespace before the span goes when a letter word precedes it.
            let trimmed = prefix.trim_end();
            let first_word = span.split_whitespace().next().unwrap_or("");
            let prev_word = trimmed.rsplit(char::is_whitespace).next().unwrap_or("");
            let glue = trimmed.len() < prefix.len()
                && !prev_word.is_empty()
                && prev_word.chars().all(is_letter)
                && letters(first_word) >= MIN_GLUE;
            if glue {
                prefix = trimmed;
                Some(span.to_string())
            } else {
                None
            }
        } else {
            disguise_span(t, span)
        };
        out.push_str(prefix);
        // Letters spaced out: the writer's word breaks around them widen too.
        let widen = t == T::Separator(' ') && new.is_some();
        if widen && prefix.ends_with(char::is_whitespace) {
            out.push(' ');
        }
        match new {
            Some(n) => {
                any = true;
                out.push_str(&n);
                if widen && text[e..].starts_with(char::is_whitespace) {
                    out.push(' ');
                }
            }
            None => out.push_str(span),
        }
        at = e;
    }
    out.push_str(&text[at..]);
    any.then_some(out)
}

struct Line {
    batch: &'static str,
    line: usize,
    expected: &'static str,
    text: &'static str,
}

fn lines() -> Vec<Line> {
    let mut out = Vec::new();
    for &(batch, corpus) in CORPORA {
        for (i, l) in corpus.lines().enumerate() {
            if l.starts_with('#') || l.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 3, "{batch} line {}", i + 1);
            out.push(Line {
                batch,
                line: i + 1,
                expected: cols[0],
                text: cols[2],
            });
        }
    }
    out
}

fn verdict(policy: &Policy, body: &str) -> Verdict {
    evaluate(
        &Submission {
            body,
            ..Submission::default()
        },
        &Signals::default(),
        policy,
    )
}

fn stopped(v: &Verdict) -> bool {
    v.action >= Action::Hold
}

/// The spans of the word-list findings that stop the line, merged, sorted.
fn word_list_spans(v: &Verdict) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = v
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("lexicon:") && f.action >= Action::Hold)
        .flat_map(|f| f.spans.iter().map(|s| (s.start, s.end)))
        .collect();
    spans.sort();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Words (runs of letters and marks, at least two letters) of a text, as byte ranges.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let inside = is_letter(c)
            || (start.is_some() && matches!(c as u32, 0x0640 | 0x064B..=0x065F | 0x0670));
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if letters(&text[s..i]) >= 2 {
                    out.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// A small deterministic generator (so the benign words picked never change between runs).
fn pick(seed: u64, n: usize) -> usize {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    (x % n as u64) as usize
}

/// The lines each transform must hold: least share (%) of the counted violations left
/// stopped, and most disguised benign comments stopped. Set just under what the engine
/// reaches (a fall fails the test; raise them when the engine improves). Gluing and splitting
/// are the open classes: the engine joins a split word only when a piece is short, a line
/// break or punctuation cuts it, or the second piece is the tail of a long entry, and it reads
/// an entry glued to the word before it only after a frequent word, the article or in Latin a
/// few heads ("you", "a", "des" …), or when the entry has five letters or more: a shorter
/// entry at the end of any word is too often the end of a real word (الجزائري ends in ايري).
/// What is left is mostly a four-letter entry after a content word ("اللاعبلقيط") and French
/// after "un" or "de". The benign comments they stop are mostly quotations and reported
/// speech whose frame the glue or the split breaks.
fn lines_for(t: T) -> (f64, usize) {
    match t {
        T::Invisible(_) | T::HomoglyphOne | T::HomoglyphAll | T::Upper => (100.0, 0),
        T::Harakat | T::TatweelMiddle | T::BareAlef | T::AlefMaqsura | T::TaMarbuta => (100.0, 0),
        T::Separator('ـ') => (100.0, 0),
        T::ElongateMiddle => (97.5, 0),
        T::ElongateAll => (96.0, 1),
        T::Separator(' ') => (88.0, 0),
        T::Separator('.') => (95.5, 4),
        T::Separator(_) => (95.5, 1),
        T::LeetAll | T::LeetOne => (94.0, 1),
        T::Glue => (69.0, 8),
        T::Split => (54.0, 11),
    }
}
/// Benign words disguised per line and transform.
const BENIGN_PICKS: u64 = 1;

#[test]
fn disguised_insults_stay_stopped_and_disguised_benign_words_stay_clean() {
    let policy = Policy::compile(&PolicyConfig::seed()).expect("seed compiles");
    let lines = lines();
    let transforms = T::all();
    // Violations that the word lists stop: (line, spans).
    let mut counted: Vec<(&Line, Vec<(usize, usize)>)> = Vec::new();
    let (mut violations, mut stopped_before, mut other_reason) = (0, 0, 0);
    for l in lines.iter().filter(|l| l.expected != "benign") {
        violations += 1;
        let v = verdict(&policy, l.text);
        if !stopped(&v) {
            continue;
        }
        stopped_before += 1;
        let spans = word_list_spans(&v);
        if spans.is_empty() {
            other_reason += 1;
            continue;
        }
        let mut blank = String::new();
        let mut at = 0;
        for &(s, e) in &spans {
            blank.push_str(&l.text[at..s]);
            at = e;
        }
        blank.push_str(&l.text[at..]);
        if stopped(&verdict(&policy, &blank)) {
            other_reason += 1;
            continue;
        }
        counted.push((l, spans));
    }
    println!(
        "violations {violations}, stopped {stopped_before}, stopped by a word list alone {} \
         (stopped by something else too: {other_reason})\n",
        counted.len()
    );
    // transform -> (applicable, stopped after, examples of misses)
    let mut table: BTreeMap<T, (usize, usize, Vec<String>)> = BTreeMap::new();
    for &t in &transforms {
        let e = table.entry(t).or_default();
        for (l, spans) in &counted {
            let Some(text) = disguise(t, l.text, spans) else {
                continue;
            };
            e.0 += 1;
            if stopped(&verdict(&policy, &text)) {
                e.1 += 1;
            } else {
                let words: Vec<&str> = spans.iter().map(|&(s, e)| &l.text[s..e]).collect();
                e.2.push(format!(
                    "{} line {} {words:?} → {:?}",
                    l.batch,
                    l.line,
                    text.chars().take(160).collect::<String>()
                ));
            }
        }
    }
    // Benign side: BENIGN_PICKS words per line, chosen by a fixed generator.
    let mut benign_table: BTreeMap<T, (usize, usize, Vec<String>)> = BTreeMap::new();
    let benign: Vec<&Line> = lines.iter().filter(|l| l.expected == "benign").collect();
    for &t in &transforms {
        let e = benign_table.entry(t).or_default();
        for (n, l) in benign.iter().enumerate() {
            let ws = words(l.text);
            if ws.is_empty() {
                continue;
            }
            let before = stopped(&verdict(&policy, l.text));
            for p in 0..BENIGN_PICKS {
                let w = ws[pick(n as u64 * 31 + p * 7 + 1, ws.len())];
                let Some(text) = disguise(t, l.text, &[w]) else {
                    continue;
                };
                // A word split into two words that are themselves listed ("نيكولا" → نيك
                // ولا) is an insult as written: not a false hit of the engine.
                if t == T::Split
                    && text[w.0..]
                        .split_whitespace()
                        .take(2)
                        .any(|piece| stopped(&verdict(&policy, piece)))
                {
                    continue;
                }
                e.0 += 1;
                if !before && stopped(&verdict(&policy, &text)) {
                    e.1 += 1;
                    let why: Vec<String> = verdict(&policy, &text)
                        .findings
                        .iter()
                        .filter(|f| f.action >= Action::Hold)
                        .map(|f| format!("{} {:?}", f.rule, f.matched))
                        .collect();
                    e.2.push(format!(
                        "{} line {} {:?} → {text:?} {why:?}",
                        l.batch,
                        l.line,
                        &l.text[w.0..w.1]
                    ));
                }
            }
        }
    }
    println!(
        "| Class | Transform | Violations stopped before → after | % | Benign disguised → stopped |\n\
         |---|---|---:|---:|---:|"
    );
    let mut by_class: BTreeMap<&str, (usize, usize, usize, usize)> = BTreeMap::new();
    for &t in &transforms {
        let (n, s, _) = &table[&t];
        let (bn, bs, _) = &benign_table[&t];
        let pct = if *n == 0 {
            100.0
        } else {
            100.0 * *s as f64 / *n as f64
        };
        println!(
            "| {} | {} | {n} → {s} | {pct:.1} | {bn} → {bs} |",
            t.class(),
            t.name()
        );
        let c = by_class.entry(t.class()).or_default();
        c.0 += n;
        c.1 += s;
        c.2 += bn;
        c.3 += bs;
    }
    println!(
        "\n| Class | Violations stopped before → after | % | Benign disguised → stopped |\n|---|---:|---:|---:|"
    );
    for (c, (n, s, bn, bs)) in &by_class {
        let pct = if *n == 0 {
            100.0
        } else {
            100.0 * *s as f64 / *n as f64
        };
        println!("| {c} | {n} → {s} | {pct:.1} | {bn} → {bs} |");
    }
    for &t in &transforms {
        let (_, _, misses) = &table[&t];
        if !misses.is_empty() {
            println!("\n{}: {} missed (first 40)", t.name(), misses.len());
            for m in misses.iter().take(40) {
                println!("  {m}");
            }
        }
        let (_, _, fps) = &benign_table[&t];
        if !fps.is_empty() {
            println!("\n{}: {} benign stopped", t.name(), fps.len());
            for m in fps {
                println!("  {m}");
            }
        }
    }
    for &t in &transforms {
        let (min, max_benign) = lines_for(t);
        let (n, s, _) = &table[&t];
        let pct = if *n == 0 {
            100.0
        } else {
            100.0 * *s as f64 / *n as f64
        };
        assert!(
            pct >= min,
            "{}: {s}/{n} disguised violations stopped, below {min} %",
            t.name()
        );
        let stopped = benign_table[&t].1;
        assert!(
            stopped <= max_benign,
            "{}: {stopped} disguised benign comments stopped, above {max_benign}",
            t.name()
        );
    }
}
