//! One small function per rule. Every function is pure: it reads the submission text, the
//! precomputed signals and the compiled policy, and returns findings.

use std::sync::LazyLock;

use regex::Regex;

use super::lexicon::{Hit, HitKind, Via};
use super::normalize::{KeyBuf, is_alnum};
use super::policy::{Category, LatinLang, Policy};
use super::verdict::{Action, Field, Finding, ReasonCode, Span, Throttle};
use super::{Signals, Submission};

fn key_span(key: &KeyBuf, k0: usize, k1: usize) -> Option<Span> {
    let start = *key.starts().get(k0)?;
    let end = *key.ends().get(k1.checked_sub(1)?)?;
    Some(Span { start, end })
}

fn snippet(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// Closed-class grammar: what a word list needs to tell an insult used from an insult mentioned
// or denied. These are particles of the languages (not vocabulary of the lists).

/// Copular negations, as match-key words ("isn't" is the key words "isn" "t"): "ليس حمارا",
/// "مش غبي", "ماشي مكلخ", "is not an idiot", "n'est pas un idiot".
const NEGATIONS: &[&str] = &[
    "ليس",
    "ليست",
    "لست",
    "لستم",
    "لستن",
    "لسنا",
    "ليسوا",
    "ليسا",
    "ليسو",
    "مش",
    "مشي",
    "موش",
    "مو",
    "ماشي",
    "مهوش",
    "مهيش",
    "ماهوش",
    "ماهيش",
    "ماهاش",
    "مانيش",
    "ماكش",
    "ماكيش",
    "ماهمش",
    "ماهومش",
    "مب",
    "مهب",
    "منيش",
    "not",
    "isn",
    "aren",
    "wasn",
    "weren",
    "never",
    "pas",
    "jamais",
    "mashi",
    "machi",
    "mch",
    "mich",
    "mouch",
    "mesh",
    "mish",
    "mahouch",
    "mahich",
];

/// Exceptive particles: after a negation they make an assertion ("ما هو إلا حمار", "لم يكن
/// سوى كلب", "nothing but a pig", "n'est qu'un chien", Darija "غير" = only), and the
/// correction "not X but rather Y" ("لم يكن نبيا بل كان زعيم عصابة", "pas un prophète mais un
/// imposteur"): Y is asserted.
const EXCEPTIVES: &[&str] = &[
    "الا",
    "سوى",
    "غير",
    "بل",
    "mais",
    "but",
    "except",
    "only",
    "qu",
    "que",
    "juste",
    "seulement",
    "ghir",
    "gher",
    "ella",
    "illa",
    "gheir",
];

/// Quotation marks of Arabic, Latin and CJK typography.
const QUOTES: &[char] = &[
    '"', '\'', '«', '»', '“', '”', '„', '‟', '‘', '’', '‹', '›', '「', '」', '『', '』', '〝', '〞',
];

/// Characters that end a clause for [`negated`].
const CLAUSE_END: &[char] = &['.', '!', '?', '؟', ';', '؛', '\n', ',', '،', ':'];

fn is_word(w: &[char], list: &[&str]) -> bool {
    list.iter().any(|l| w.iter().copied().eq(l.chars()))
}

/// The words (runs of letters and digits) of key chars `[from, to)`.
fn key_words(chars: &[char], from: usize, to: usize) -> impl Iterator<Item = &[char]> {
    chars
        .get(from..to)
        .unwrap_or(&[])
        .split(|c| !is_alnum(*c))
        .filter(|w| !w.is_empty())
}

/// English function words that are no words of Arabizi or French (so "la", "de", "ya", "fi",
/// "w" and "ou", which Arabizi writes too, are left out).
const ENGLISH_WORDS: &[&str] = &[
    "the", "and", "is", "are", "was", "were", "of", "to", "for", "with", "this", "that", "it",
    "you", "they", "we", "be", "not", "at", "by", "from", "have", "has", "had", "will", "would",
    "should", "can", "after", "any", "if", "or", "so", "but", "who", "what", "my", "your", "our",
    "his", "her", "their", "them", "she", "just", "been", "does", "than", "there", "about", "into",
    "get", "all", "its", "when", "how", "why", "these", "those", "every", "some",
];

/// French function words that are no words of Arabizi or English.
const FRENCH_WORDS: &[&str] = &[
    "le", "les", "des", "du", "un", "une", "et", "est", "sont", "que", "qui", "pour", "pas", "sur",
    "dans", "avec", "cette", "ces", "elle", "ils", "elles", "nous", "vous", "je", "tu", "au",
    "aux", "ne", "se", "ses", "leur", "leurs", "mais", "ont", "etait", "comme", "tres", "qu",
    "cet", "aussi", "donc", "sans", "chez", "etre", "fait", "quand", "tous", "toutes",
];

/// The European language a field is written in, when its Latin words say so plainly: at least
/// two distinct function words of one language and more than twice as many as of the other,
/// and no word mixing letters with an Arabizi digit ("3la", "7mar"), which marks Arabizi.
pub(crate) fn latin_language(key: &KeyBuf) -> Option<LatinLang> {
    let chars = key.chars();
    let mut en: Vec<&[char]> = Vec::new();
    let mut fr: Vec<&[char]> = Vec::new();
    for w in key_words(chars, 0, chars.len()) {
        let letters = w.iter().any(char::is_ascii_alphabetic);
        if letters
            && w.iter()
                .any(|c| matches!(c, '2' | '3' | '5' | '7' | '8' | '9'))
        {
            return None;
        }
        if !w.iter().all(char::is_ascii_lowercase) {
            continue;
        }
        if is_word(w, ENGLISH_WORDS) && !en.contains(&w) {
            en.push(w);
        } else if is_word(w, FRENCH_WORDS) && !fr.contains(&w) {
            fr.push(w);
        }
    }
    if en.len() >= 2 && en.len() > 2 * fr.len() {
        Some(LatinLang::En)
    } else if fr.len() >= 2 && fr.len() > 2 * en.len() {
        Some(LatinLang::Fr)
    } else {
        None
    }
}

/// Drops the hits a field's language rules out: a word of an English or French list in a
/// field plainly written in the other language, and a digitless Arabizi reading in a field
/// plainly written in English or French ("mars" in a French sentence is the month, not an
/// Arabizi spelling).
pub(crate) fn gate_latin(policy: &Policy, key: &KeyBuf, hits: &mut Vec<Hit>) {
    let list_lang = |h: &Hit| match h.kind {
        HitKind::Entry { list, .. } => policy.lists.get(list as usize).and_then(|m| m.lang),
        _ => None,
    };
    // The field's language is read only when a hit could be dropped by it:
    // most fields have neither kind, and this runs on every submission.
    if !hits
        .iter()
        .any(|h| h.via == Via::Arabizi || list_lang(h).is_some())
    {
        return;
    }
    let Some(lang) = latin_language(key) else {
        return;
    };
    hits.retain(|h| {
        // Such a field has no Arabizi-digit word, so a reading is of digitless words.
        if h.via == Via::Arabizi {
            return false;
        }
        list_lang(h).is_none_or(|l| l == lang)
    });
}

/// An exceptive particle among the key words `[from, to)`.
pub(crate) fn exceptive_between(key: &KeyBuf, from: usize, to: usize) -> bool {
    key_words(key.chars(), from, to).any(|w| is_word(w, EXCEPTIVES))
}

/// A clause ends (comma, colon, sentence end) between key chars `from` and `to`: a negation
/// does not reach past it ("ماشي مسلمين، نطردوهم" negates the first clause, not the threat).
pub(crate) fn clause_break_between(key: &KeyBuf, from: usize, to: usize) -> bool {
    key.chars()
        .get(from..to)
        .is_some_and(|s| s.iter().any(|c| CLAUSE_END.contains(c)))
}

/// The last three words of the clause before key char `k0`, nearest first, read backwards
/// from it (a long clause is never split whole for every hit in it), and how many there are.
fn clause_words_before(key: &KeyBuf, k0: usize) -> ([&[char]; 3], usize) {
    let head = key.chars().get(..k0).unwrap_or(&[]);
    let mut words: [&[char]; 3] = [&[]; 3];
    let mut n = 0;
    let mut i = head.len();
    'words: while n < words.len() {
        loop {
            match i.checked_sub(1).and_then(|j| head.get(j)) {
                None => break 'words,
                Some(c) if CLAUSE_END.contains(c) => break 'words,
                Some(c) if is_alnum(*c) => break,
                Some(_) => i -= 1,
            }
        }
        let end = i;
        while i
            .checked_sub(1)
            .and_then(|j| head.get(j))
            .is_some_and(|c| is_alnum(*c))
        {
            i -= 1;
        }
        if let Some(slot) = words.get_mut(n) {
            *slot = head.get(i..end).unwrap_or(&[]);
        }
        n += 1;
    }
    (words, n)
}

/// The hit at key chars `[k0, k1)` is denied: a copular negation among the three words
/// before it in its clause, and no exceptive particle between them ("الشاب ماهوش مهبول",
/// "he is not an idiot"; but "ما هو إلا حمار" asserts).
pub(crate) fn negated(key: &KeyBuf, k0: usize) -> bool {
    let (words, n) = clause_words_before(key, k0);
    let words = words.get(..n).unwrap_or(&[]);
    let Some(neg) = words.iter().position(|w| is_word(w, NEGATIONS)) else {
        return false;
    };
    !words
        .get(..neg)
        .unwrap_or(&[])
        .iter()
        .any(|w| is_word(w, EXCEPTIVES))
}

/// Nouns that name a word ("كلمة", "the word", "le mot"), as match-key words (ة folds to ه).
const WORD_NOUNS: &[&str] = &[
    "كلمه",
    "لفظ",
    "لفظه",
    "عباره",
    "word",
    "mot",
    "terme",
    "term",
    "kelma",
    "kalma",
    "kilma",
];

/// The hit at key chars `[k0, k1)` is named as a word: a noun of [`WORD_NOUNS`] right before
/// it, only blanks between ("كلمة مكلخ ماشي مزيانة", "the word idiot is rude"): the word is
/// mentioned, not used, as if it were quoted. It steps down held words only: an obscenity
/// named is still printed.
pub(crate) fn named(key: &KeyBuf, k0: usize) -> bool {
    let head = key.chars().get(..k0).unwrap_or(&[]);
    let end = head
        .iter()
        .rposition(|c| !c.is_whitespace())
        .map_or(0, |i| i + 1);
    if end == head.len() {
        return false;
    }
    let start = head
        .get(..end)
        .unwrap_or(&[])
        .iter()
        .rposition(|c| !is_alnum(*c))
        .map_or(0, |i| i + 1);
    is_word(head.get(start..end).unwrap_or(&[]), WORD_NOUNS)
}

/// Verbs that label someone with a word ("يصف الشيعة بالمجوس", "اللي كيسمي الأفارقة …",
/// "les traiter de …"), as match-key words.
const LABEL_VERBS: &[&str] = &[
    "يصف",
    "يصفون",
    "تصف",
    "وصف",
    "وصفوا",
    "وصفت",
    "ويصف",
    "ووصف",
    "يسمي",
    "يسمون",
    "تسمي",
    "تسميه",
    "سمى",
    "سموا",
    "كيسمي",
    "كيسميو",
    "بيسمي",
    "بيسموا",
    "ينعت",
    "ينعتون",
    "نعت",
    "calling",
    "labelling",
    "labeling",
    "traiter",
    "traitent",
    "qualifier",
];

/// The hit at key chars `[k0, k1)` is a label someone else gives: a verb of [`LABEL_VERBS`]
/// among the three words before it in its clause ("نرفض أي خطاب يصف الشيعة بالمجوس", "اللي
/// كيسمي الأفارقة عزاوة راه عنصري"): the word is reported, not used by the writer.
pub(crate) fn labelled(key: &KeyBuf, k0: usize) -> bool {
    let (words, n) = clause_words_before(key, k0);
    words
        .get(..n)
        .unwrap_or(&[])
        .iter()
        .any(|w| is_word(w, LABEL_VERBS))
}

/// The span is quoted: a quotation mark right before and right after it, the opening one not
/// inside a word ("the word \"vermin\"", «عزاوة»): the word is mentioned, not used.
pub(crate) fn quoted(text: &str, span: Span) -> bool {
    let before = text.get(..span.start).unwrap_or("");
    let after = text.get(span.end..).unwrap_or("");
    let mut b = before.chars().rev();
    let mut a = after.chars();
    let (Some(open), Some(close)) = (b.next(), a.next()) else {
        return false;
    };
    QUOTES.contains(&open)
        && QUOTES.contains(&close)
        && b.next().is_none_or(|c| !is_alnum(c))
        && a.next().is_none_or(|c| !is_alnum(c))
}

/// Opening and closing marks of a quoted phrase (no apostrophes: "you're", "l'homme").
const PHRASE_OPEN: &[char] = &['"', '«', '“', '„', '「', '『'];
const PHRASE_CLOSE: &[char] = &['"', '»', '”', '“', '」', '』'];
/// Most words of a quoted phrase read as a mention ("أنت حمار", "you're a donkey").
const PHRASE_WORDS: usize = 6;

/// The quoted phrases of `text` (byte ranges inside the marks): at most [`PHRASE_WORDS`]
/// words between an opening and a closing mark, no sentence end between them.
fn quoted_phrases(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match open {
            Some(o) if PHRASE_CLOSE.contains(&c) => {
                let inner = text.get(o..i).unwrap_or("");
                let words = inner
                    .split(|c: char| !is_alnum(c) && c != '\'')
                    .filter(|w| !w.is_empty())
                    .count();
                if (1..=PHRASE_WORDS).contains(&words) {
                    out.push((o, i));
                }
                open = None;
            }
            Some(_) if ".!?؟\n".contains(c) => open = None,
            None if PHRASE_OPEN.contains(&c) => open = Some(i + c.len_utf8()),
            _ => {}
        }
    }
    out
}

/// False when `text` holds none of [`PHRASE_OPEN`]: no `"` and no lead byte of their UTF-8
/// (C2 for «, E2 for “ and „, E3 for 「 and 『). A vectorised byte search spares most fields
/// the char-by-char search.
fn may_open_phrase(bytes: &[u8]) -> bool {
    memchr::memchr3(b'"', 0xC2, 0xE2, bytes).is_some() || memchr::memchr(0xE3, bytes).is_some()
}

/// The quoted phrases that a condemning frame mentions: a counter-speech cue outside the marks
/// in the same sentence ("عبارة «أنت حمار» ليست حجة", "“You're a donkey” is not an
/// argument", "من يردد ألقابا مثل «الروافض»"). A word inside one is mentioned, not used.
/// An insult in quotes alone, without the frame, is still used ("«أنت حمار»").
pub(crate) fn framed_quotes(
    policy: &Policy,
    text: &str,
    key: &KeyBuf,
    hits: &[Hit],
) -> Vec<(usize, usize)> {
    if !may_open_phrase(text.as_bytes()) || !text.contains(PHRASE_OPEN) {
        return Vec::new();
    }
    let mut phrases = quoted_phrases(text);
    let sentences = super::patterns::Sentences::new(text);
    phrases.retain(|&(a, b)| {
        let inner = Span { start: a, end: b };
        hits.iter().any(|c| {
            policy.patterns.is_counter(policy, key, c)
                && key_span(key, c.k0, c.k1).is_some_and(|sc| {
                    (sc.end <= a || sc.start >= b) && !sentences.break_between(sc, inner)
                })
        })
    });
    phrases
}

/// The span is mentioned, not used: quoted itself ([`quoted`]) or inside one of the `framed`
/// quoted phrases ([`framed_quotes`], computed once per field).
pub(crate) fn mentioned(text: &str, framed: &[(usize, usize)], span: Span) -> bool {
    quoted(text, span)
        || framed
            .iter()
            .any(|&(a, b)| a <= span.start && span.end <= b)
}

/// One step down: a mentioned or denied word is shown to a moderator, not stopped for it.
fn lower(action: Action) -> Action {
    match action {
        Action::Reject => Action::Hold,
        Action::Hold => Action::Flag,
        a => a,
    }
}

/// An oath formula: والله، تالله (بالله is also "in God") (a protected word that is nobody's target).
/// "والله" followed by a relative pronoun is "and God who …" ("والله الذي تعبدونه أكذوبة"),
/// unless a negation follows it (the oath "والله الذي لا إله إلا هو").
pub(crate) fn oath(key: &KeyBuf, k0: usize, k1: usize) -> bool {
    let chars = key.chars();
    let w = chars.get(k0..k1).unwrap_or(&[]);
    // Every formula starts with one of these (most hits are no oath).
    if !matches!(w.first(), Some('و' | 'ت' | 'ف' | 'w')) {
        return false;
    }
    let formula = is_word(
        w,
        &[
            "والله",
            "تالله",
            "فوالله",
            "wallah",
            "wallahi",
            "wellah",
            "wlh",
        ],
    );
    if !formula {
        return false;
    }
    let mut next = key_words(chars, k1, chars.len());
    let relative = next
        .next()
        .is_some_and(|n| is_word(n, &["الذي", "اللي", "الي", "يلي", "اللى"]));
    !relative || next.next().is_some_and(|n| is_word(n, &["لا", "ما"]))
}

/// `banned_term`: one finding per lexicon hit.
pub(crate) fn lexicon_findings(
    policy: &Policy,
    field: Field,
    text: &str,
    key: &KeyBuf,
    hits: &[Hit],
    framed: &[(usize, usize)],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for h in hits {
        let HitKind::Entry { list, entry } = h.kind else {
            continue;
        };
        let Some(meta) = policy.lists.get(list as usize) else {
            continue;
        };
        let Some((term, action)) = meta.entries.get(entry as usize) else {
            continue;
        };
        let Some(span) = key_span(key, h.k0, h.k1) else {
            continue;
        };
        let found = snippet(text, span);
        let (action, how_en, how_ar) = if mentioned(text, framed, span) {
            (
                lower(*action),
                " (quoted: mentioned, not used)",
                " (بين علامتي تنصيص: ذكر للكلمة لا استعمال لها)",
            )
        } else if *action == Action::Hold && named(key, h.k0) {
            // An obscenity named as a word is still printed: only insults and
            // slurs, which wrong no one when named, step down.
            (
                lower(*action),
                " (named as a word: mentioned, not used)",
                " (مذكورة بوصفها كلمة: ذكر للكلمة لا استعمال لها)",
            )
        } else if *action == Action::Hold && labelled(key, h.k0) {
            (
                lower(*action),
                " (a label someone is said to give: reported, not used)",
                " (وصف منسوب إلى غير الكاتب: نقل للكلمة لا استعمال لها)",
            )
        } else if *action == Action::Hold && negated(key, h.k0) {
            (Action::Flag, " (denied)", " (منفية)")
        } else {
            (*action, "", "")
        };
        let (via_en, via_ar) = match h.via {
            Via::Key => ("", ""),
            Via::Leet => (" after leetspeak folding", " بعد فك الرموز البديلة"),
            Via::Arabizi => (
                " after Arabizi transliteration",
                " بعد تحويل العربيزي إلى حروف عربية",
            ),
        };
        out.push(Finding {
            category: Some(meta.category.as_str().to_string()),
            list: Some(meta.name.clone()),
            list_version: Some(meta.version),
            field: Some(field),
            spans: vec![span],
            matched: Some(term.clone()),
            ..Finding::simple(
                ReasonCode::BannedTerm,
                &format!("lexicon:{}", meta.name),
                action,
                format!(
                    "كلمة محظورة: «{term}» (القائمة: {} الإصدار {}، {}) وردت في النص بصيغة «{found}»{via_ar}{how_ar}",
                    meta.name,
                    meta.version,
                    meta.category.label_ar()
                ),
                format!(
                    "Banned term \"{term}\" (list: {} v{}, {}), found as \"{found}\"{via_en}{how_en}",
                    meta.name,
                    meta.version,
                    meta.category.as_str()
                ),
            )
        });
    }
    out
}

/// `protected_entity_insult`: an insult/obscenity hit within `cooccurrence_window` tokens of a
/// protected term, or addressed with the vocative يا. Always hold (never reject).
pub(crate) fn cooccurrence(
    policy: &Policy,
    field: Field,
    text: &str,
    key: &KeyBuf,
    hits: &[Hit],
    framed: &[(usize, usize)],
) -> Option<Finding> {
    let window = policy.cfg.cooccurrence_window as u32;
    let is_insult = |h: &Hit| match h.kind {
        HitKind::Entry { list, entry } => policy.lists.get(list as usize).is_some_and(|m| {
            matches!(m.category, Category::Insult | Category::Obscenity)
                && m.entries
                    .get(entry as usize)
                    .is_some_and(|(_, a)| *a != Action::Allow)
        }),
        _ => false,
    };
    let word = |h: &Hit| key.chars().get(h.k0..h.k1).unwrap_or(&[]);
    let used = |h: &Hit| {
        !negated(key, h.k0)
            && !named(key, h.k0)
            && !labelled(key, h.k0)
            && key_span(key, h.k0, h.k1).is_some_and(|s| !mentioned(text, framed, s))
    };
    // Counter-speech frames an insult to condemn it ("saying Jews are vermin is racist"): a
    // counter cue in the same sentence, outside the words between the target and the insult
    // (inside them it describes the target: "اليهودية ديانة عنصرية حاقدة").
    let sentences = super::patterns::Sentences::new(text);
    let countered = |h: &Hit, p: Option<&Hit>| {
        let (lo, hi) = p.map_or((h.k0, h.k1), |p| (h.k0.min(p.k0), h.k1.max(p.k1)));
        key_span(key, h.k0, h.k1).is_some_and(|sh| {
            hits.iter().any(|c| {
                policy.patterns.is_counter(policy, key, c)
                    && !(lo <= c.k0 && c.k1 <= hi)
                    && key_span(key, c.k0, c.k1).is_some_and(|sc| !sentences.break_between(sc, sh))
            })
        })
    };
    for h in hits.iter().filter(|h| is_insult(h) && used(h)) {
        let near = hits.iter().find(|p| {
            // Class terms of the pattern rules are numbered from `patterns.base()`. The target
            // is another word than the insult, and an oath (والله) targets nobody.
            matches!(p.kind, HitKind::Protected(i) if i < policy.patterns.base())
                && (p.k1 <= h.k0 || h.k1 <= p.k0)
                && word(p) != word(h)
                && !oath(key, p.k0, p.k1)
                && {
                    let d = if p.tok1 < h.tok0 {
                        h.tok0 - p.tok1
                    } else {
                        p.tok0.saturating_sub(h.tok1)
                    };
                    d <= window
                }
        });
        let target = match near {
            Some(p) => match p.kind {
                HitKind::Protected(i) => policy.protected.get(i as usize).cloned(),
                _ => None,
            },
            None if h.vocative => Some("يا".to_string()),
            None => None,
        };
        let Some(target) = target else {
            continue;
        };
        if countered(h, near) {
            continue;
        }
        let mut spans = Vec::new();
        spans.extend(key_span(key, h.k0, h.k1));
        if let Some(p) = near {
            spans.extend(key_span(key, p.k0, p.k1));
        }
        spans.sort_by_key(|s| s.start);
        // The insult as written (the spans are sorted, so the first may be the target).
        let insult = key_span(key, h.k0, h.k1)
            .map(|s| snippet(text, s).to_string())
            .unwrap_or_default();
        spans.sort_by_key(|s| s.start);
        return Some(Finding {
            field: Some(field),
            spans,
            matched: Some(target.clone()),
            ..Finding::simple(
                ReasonCode::ProtectedEntityInsult,
                "cooccurrence",
                Action::Hold,
                format!(
                    "إساءة قرب جهة محمية: «{target}» ضمن {window} كلمات من «{insult}»؛ تحتاج قرار مشرف"
                ),
                format!(
                    "Insult near a protected entity: \"{target}\" within {window} words of \"{insult}\"; needs a moderator decision"
                ),
            )
        });
    }
    None
}

/// `regex_match`: admin regexes over the original text of their fields.
pub fn regexes(policy: &Policy, field: Field, text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in &policy.regexes {
        if !r.fields.contains(&field) {
            continue;
        }
        let spans: Vec<Span> =
            r.re.find_iter(text)
                .take(20)
                .map(|m| Span {
                    start: m.start(),
                    end: m.end(),
                })
                .collect();
        if spans.is_empty() {
            continue;
        }
        out.push(Finding {
            field: Some(field),
            spans,
            matched: Some(r.id.clone()),
            ..Finding::simple(
                ReasonCode::RegexMatch,
                &r.rule,
                r.action,
                format!("تطابق مع التعبير النمطي «{}»", r.id),
                format!("Matches the regular expression rule \"{}\"", r.id),
            )
        });
    }
    out
}

static LINK_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:https?://[^\s<>"'()\[\]{}]+|(?-u:\b)www\.[^\s<>"'()\[\]{}]+|(?-u:\b)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.(?:com|net|org|info|biz|io|co|me|xyz|ru|cn|top|site|online|club|app|dev|ly|tk|ml|ga|cf|gq|sa|ae|eg|uk|us|de|fr|tv|cc|ws|gg|link|shop|store|vip|bet|casino|live|news|blog|win|click|ir|iq|jo|lb|ma|dz|tn|kw|qa|om|bh|sy|ps|ye|sd|tr|in|pk)(?-u:\b)(?:/[^\s<>"'()\[\]{}]*)?)"#,
    )
    .ok()
});

/// A link found in a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub field: Field,
    pub span: Span,
    /// Lower-case host name.
    pub host: String,
}

/// Extracts the host from a matched link.
pub fn link_host(link: &str) -> String {
    let rest = match link.find("://") {
        Some(i) => link.get(i + 3..).unwrap_or(""),
        None => link,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end).unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// The byte ranges of the links in `text` (as [`find_links`] finds them).
pub(crate) fn link_spans(text: &str) -> Vec<Span> {
    let Some(re) = LINK_RE.as_ref().filter(|_| may_contain_link(text)) else {
        return Vec::new();
    };
    re.find_iter(text)
        .map(|m| Span {
            start: m.start(),
            end: m.end(),
        })
        .collect()
}

/// Finds links (http(s)://, www., bare domains with a known TLD) in name, title and body.
pub fn find_links(sub: &Submission<'_>) -> Vec<Link> {
    find_links_where(sub, [sub.name, sub.title, sub.body].map(may_contain_link))
}

/// Every link contains '.' or '/' and an ASCII letter (with `(?i)`, only 'k' and 's' have
/// non-ASCII case variants, and no alternative of the link regex is spelt with those alone).
pub(crate) fn may_contain_link(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().any(|&b| b == b'.' || b == b'/') && bytes.iter().any(u8::is_ascii_alphabetic)
}

/// [`find_links`] over the fields (name, title, body) whose flag says they may contain a link.
pub(crate) fn find_links_where(sub: &Submission<'_>, may: [bool; 3]) -> Vec<Link> {
    let Some(re) = LINK_RE.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ((field, text), may) in [
        (Field::Name, sub.name),
        (Field::Title, sub.title),
        (Field::Body, sub.body),
    ]
    .into_iter()
    .zip(may)
    {
        if !may {
            continue;
        }
        for m in re.find_iter(text) {
            let raw = m.as_str().trim_end_matches(['.', ',', '!', '?', ';', ':']);
            out.push(Link {
                field,
                span: Span {
                    start: m.start(),
                    end: m.start() + raw.len(),
                },
                host: link_host(raw),
            });
        }
    }
    out
}

fn domain_in(host: &str, list: &[String]) -> Option<String> {
    list.iter()
        .find(|d| {
            host == d.as_str()
                || (host.len() > d.len()
                    && host.ends_with(d.as_str())
                    && host.as_bytes().get(host.len() - d.len() - 1) == Some(&b'.'))
        })
        .cloned()
}

/// `blocked_link_domain`, `too_many_links`, `first_comment_link`.
pub fn links(policy: &Policy, sub: &Submission<'_>, signals: &Signals) -> Vec<Finding> {
    links_found(policy, &find_links(sub), signals)
}

/// [`links`] from the links already found.
pub(crate) fn links_found(policy: &Policy, found: &[Link], signals: &Signals) -> Vec<Finding> {
    let rules = &policy.cfg.links;
    let mut out = Vec::new();
    let mut counted: Vec<&Link> = Vec::new();
    for l in found {
        if let Some(d) = domain_in(&l.host, &policy.blocked_domains) {
            out.push(Finding {
                field: Some(l.field),
                spans: vec![l.span],
                matched: Some(l.host.clone()),
                ..Finding::simple(
                    ReasonCode::BlockedLinkDomain,
                    "links.blocked_domains",
                    rules.blocked_domain_action,
                    format!("رابط إلى نطاق محظور: {} ({d})", l.host),
                    format!("Link to a blocked domain: {} ({d})", l.host),
                )
            });
        }
        if domain_in(&l.host, &policy.allowed_domains).is_none() {
            counted.push(l);
        }
    }
    let spans_of = |links: &[&Link]| -> (Option<Field>, Vec<Span>) {
        let field = links.first().map(|l| l.field);
        if links.iter().all(|l| Some(l.field) == field) {
            (field, links.iter().map(|l| l.span).collect())
        } else {
            (None, Vec::new())
        }
    };
    if counted.len() as u64 > u64::from(rules.max_links) {
        let (field, spans) = spans_of(&counted);
        let n = counted.len();
        out.push(Finding {
            field,
            spans,
            ..Finding::simple(
                ReasonCode::TooManyLinks,
                "links.max_count",
                rules.too_many_links_action,
                format!("عدد الروابط {n} يتجاوز الحد ({})", rules.max_links),
                format!("{n} links, more than the limit of {}", rules.max_links),
            )
        });
    }
    if signals.is_first_comment && !counted.is_empty() {
        let (field, spans) = spans_of(&counted);
        out.push(Finding {
            field,
            spans,
            ..Finding::simple(
                ReasonCode::FirstCommentLink,
                "links.first_comment",
                rules.first_comment_link_action,
                "أول تعليق لهذا الكاتب ويحتوي على رابط".to_string(),
                "First comment by this author and it contains a link".to_string(),
            )
        });
    }
    out
}

/// `duplicate_body`: same normalised body recently (signals computed by the app).
pub fn duplicates(policy: &Policy, signals: &Signals) -> Option<Finding> {
    let same = signals.same_body_same_author_recent;
    let any = signals.same_body_any_author_recent;
    if same == 0 && any == 0 {
        return None;
    }
    let win = policy.cfg.duplicates.window_minutes;
    Some(Finding::simple(
        ReasonCode::DuplicateBody,
        "duplicates",
        policy.cfg.duplicates.action,
        format!("نص مكرر خلال {win} دقيقة: {same} مرة من الكاتب نفسه و{any} مرة من أي كاتب"),
        format!(
            "Duplicate body within {win} minutes: {same} time(s) by this author, {any} by anyone"
        ),
    ))
}

/// `blocked_email`, `blocked_email_domain`, `blocked_ip`.
pub fn blocklists(policy: &Policy, signals: &Signals) -> Vec<Finding> {
    let action = policy.cfg.blocklists.action;
    let mut out = Vec::new();
    if signals.email_blocked {
        out.push(Finding {
            field: Some(Field::Email),
            ..Finding::simple(
                ReasonCode::BlockedEmail,
                "blocklists.email",
                action,
                "البريد الإلكتروني في قائمة الحظر".to_string(),
                "The email address is blocklisted".to_string(),
            )
        });
    }
    if signals.email_domain_blocked {
        out.push(Finding {
            field: Some(Field::Email),
            ..Finding::simple(
                ReasonCode::BlockedEmailDomain,
                "blocklists.email_domain",
                action,
                "نطاق البريد الإلكتروني في قائمة الحظر".to_string(),
                "The email domain is blocklisted".to_string(),
            )
        });
    }
    if signals.ip_blocked {
        out.push(Finding::simple(
            ReasonCode::BlockedIp,
            "blocklists.ip",
            action,
            "عنوان IP في قائمة الحظر".to_string(),
            "The IP address is blocklisted".to_string(),
        ));
    }
    out
}

/// Rate limits → throttle (not a finding). The longest wait wins.
pub fn rate(policy: &Policy, signals: &Signals) -> Option<Throttle> {
    let r = &policy.cfg.rate;
    let mut best: Option<Throttle> = None;
    let mut consider = |t: Throttle| {
        if best
            .as_ref()
            .is_none_or(|b| t.retry_after_secs > b.retry_after_secs)
        {
            best = Some(t);
        }
    };
    if r.min_interval_secs > 0 {
        // Per email only: many readers share one address behind carrier NAT,
        // so an IP gets the hourly cap, never the minimum interval.
        if let Some(since) = signals.seconds_since_last_by_email
            && since < r.min_interval_secs
        {
            consider(Throttle {
                retry_after_secs: r.min_interval_secs - since,
                code: ReasonCode::RateMinInterval.as_str(),
            });
        }
    }
    if r.max_per_hour_email > 0 && signals.count_last_hour_by_email >= r.max_per_hour_email {
        consider(Throttle {
            retry_after_secs: r.hourly_retry_after_secs,
            code: ReasonCode::RateHourlyEmail.as_str(),
        });
    }
    if r.max_per_hour_ip > 0 && signals.count_last_hour_by_ip >= r.max_per_hour_ip {
        consider(Throttle {
            retry_after_secs: r.hourly_retry_after_secs,
            code: ReasonCode::RateHourlyIp.as_str(),
        });
    }
    best
}

/// `repeated_characters`: a character repeated more than `max_repeated_chars` times in a row
/// (whitespace, digits and the laughter letter ه are exempt).
pub fn repeated_characters(policy: &Policy, field: Field, text: &str) -> Option<Finding> {
    let max = policy.cfg.shape.max_repeated_chars;
    if max == 0 {
        return None;
    }
    let mut spans = Vec::new();
    let mut run_char = '\0';
    let mut run_start = 0usize;
    let mut run_len = 0usize;
    let flush = |c: char, start: usize, end: usize, len: usize, spans: &mut Vec<Span>| {
        if len > max && !c.is_whitespace() && !c.is_numeric() && c != 'ه' && c != 'ھ' {
            spans.push(Span { start, end });
        }
    };
    for (i, c) in text.char_indices() {
        if c == run_char {
            run_len += 1;
            continue;
        }
        flush(run_char, run_start, i, run_len, &mut spans);
        run_char = c;
        run_start = i;
        run_len = 1;
    }
    flush(run_char, run_start, text.len(), run_len, &mut spans);
    if spans.is_empty() {
        return None;
    }
    Some(Finding {
        field: Some(field),
        spans,
        ..Finding::simple(
            ReasonCode::RepeatedCharacters,
            "shape.repeated_chars",
            policy.cfg.shape.repeated_chars_action,
            format!("حرف مكرر أكثر من {max} مرات متتالية"),
            format!("A character repeated more than {max} times in a row"),
        )
    })
}

/// `excessive_caps`: share of upper-case Latin letters in the body.
pub fn excessive_caps(policy: &Policy, body: &str) -> Option<Finding> {
    let (mut letters, mut upper) = (0usize, 0usize);
    // Branch-free so that the loop vectorises.
    for &b in body.as_bytes() {
        letters += usize::from((b | 0x20).wrapping_sub(b'a') < 26);
        upper += usize::from(b.wrapping_sub(b'A') < 26);
    }
    excessive_caps_counts(policy, letters, upper)
}

/// [`excessive_caps`] from the counts of ASCII letters and upper-case ASCII letters.
pub(crate) fn excessive_caps_counts(
    policy: &Policy,
    letters: usize,
    upper: usize,
) -> Option<Finding> {
    let s = &policy.cfg.shape;
    if letters == 0 || letters < s.caps_min_letters {
        return None;
    }
    let ratio = upper as f64 / letters as f64;
    if ratio < f64::from(s.caps_ratio) {
        return None;
    }
    let pct = (ratio * 100.0).round();
    Some(Finding {
        field: Some(Field::Body),
        ..Finding::simple(
            ReasonCode::ExcessiveCaps,
            "shape.caps",
            s.caps_action,
            format!("نسبة الأحرف اللاتينية الكبيرة {pct}٪"),
            format!("{pct}% of the Latin letters are upper-case"),
        )
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sc {
    Arabic,
    Latin,
    Cyrillic,
    Greek,
}

fn script_of(c: char) -> Option<Sc> {
    let u = c as u32;
    let sc = match u {
        0x0041..=0x005A | 0x0061..=0x007A => return Some(Sc::Latin),
        0x0000..=0x007F => return None,
        0x0600..=0x06FF => {
            return super::normalize::is_arabic_letter(super::normalize::fold(c))
                .then_some(Sc::Arabic);
        }
        0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Sc::Arabic,
        0x00C0..=0x024F | 0x1E00..=0x1EFF | 0xFF21..=0xFF5A => Sc::Latin,
        0x0400..=0x052F => Sc::Cyrillic,
        0x0370..=0x03FF => Sc::Greek,
        _ => return None,
    };
    c.is_alphabetic().then_some(sc)
}

/// The span of the word `text[start..end]` when it mixes scripts (see [`mixed_script`]).
fn mixed_word(text: &str, start: usize, end: usize) -> Option<Span> {
    let word = text.get(start..end)?;
    if word.is_empty() {
        return None;
    }
    let mut first: Option<Sc> = None;
    let mut mixed = false;
    let mut last_script: Option<Sc> = None;
    let mut digit_after_arabic = false;
    for c in word.chars() {
        if let Some(s) = script_of(c) {
            match first {
                None => first = Some(s),
                Some(f) if f != s => mixed = true,
                _ => {}
            }
            if s == Sc::Arabic && digit_after_arabic {
                mixed = true;
            }
            last_script = Some(s);
            digit_after_arabic = false;
        } else if c.is_numeric() {
            digit_after_arabic = last_script == Some(Sc::Arabic) || digit_after_arabic;
        } else if !super::normalize::is_dropped(c) {
            last_script = None;
            digit_after_arabic = false;
        }
    }
    (mixed && !(word.contains("://") || word.contains("www.") || word.contains('@')))
        .then_some(Span { start, end })
}

/// `mixed_script_token`: a word mixing letter scripts (Arabic+Latin, Latin+Cyrillic …) or
/// with digits between Arabic letters ("ح7ار"). URLs, e-mail addresses and tatweel-free
/// numbers such as "2024م" are not flagged.
pub fn mixed_script(policy: &Policy, field: Field, text: &str) -> Option<Finding> {
    // Fast exit: text with only Arabic letters (and no digits) cannot mix scripts.
    let maybe_mixed = text.bytes().any(|b| b.is_ascii_alphanumeric())
        || text.chars().any(|c| {
            matches!(c as u32, 0x00C0..=0x052F | 0x0660..=0x0669 | 0x06F0..=0x06F9 | 0x1E00..=0x1EFF | 0xFF10..=0xFF5A)
        });
    if !maybe_mixed {
        return None;
    }
    mixed_script_words(policy, field, text)
}

/// [`mixed_script`] without its fast exit (the caller already knows the text may mix scripts).
pub(crate) fn mixed_script_words(policy: &Policy, field: Field, text: &str) -> Option<Finding> {
    let mut spans = Vec::new();
    // Words are split on whitespace as `str::split(char::is_whitespace)` does. A word made of
    // characters of the Arabic block U+0600–U+06FF other than digits has a single script, so
    // only the other words are examined.
    let bytes = text.as_bytes();
    let mut start = 0usize;
    let mut suspect = false;
    let mut i = 0usize;
    let n = bytes.len();
    while i < n {
        let b = bytes.get(i).copied().unwrap_or(0);
        let (len, ws) = if b < 0x80 {
            let ws = matches!(b, 0x09..=0x0D | 0x20);
            suspect |= !ws;
            (1, ws)
        } else if (0xD8..=0xDB).contains(&b) {
            // U+0600–U+06FF.
            let b1 = bytes.get(i + 1).copied().unwrap_or(0);
            suspect |= (b == 0xD9 && (0xA0..=0xA9).contains(&b1))
                || (b == 0xDB && (0xB0..=0xB9).contains(&b1));
            (2, false)
        } else {
            let c = text.get(i..).and_then(|r| r.chars().next()).unwrap_or(' ');
            let ws = c.is_whitespace();
            suspect |= !ws;
            (c.len_utf8(), ws)
        };
        if ws {
            if suspect && let Some(span) = mixed_word(text, start, i) {
                spans.push(span);
            }
            start = i + len;
            suspect = false;
        }
        i += len;
    }
    if suspect && let Some(span) = mixed_word(text, start, n) {
        spans.push(span);
    }
    if spans.is_empty() {
        return None;
    }
    Some(Finding {
        field: Some(field),
        spans,
        ..Finding::simple(
            ReasonCode::MixedScriptToken,
            "shape.mixed_script",
            policy.cfg.shape.mixed_script_action,
            "كلمة تخلط بين أنظمة كتابة مختلفة (محاولة تحايل محتملة)".to_string(),
            "A word mixes writing systems (possible evasion)".to_string(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> KeyBuf {
        let mut k = KeyBuf::default();
        k.build(text);
        k
    }

    /// Key index of the first char of `word` in `text`'s key.
    fn at(k: &KeyBuf, word: &str) -> usize {
        let chars = k.chars();
        let w: Vec<char> = word.chars().collect();
        chars
            .windows(w.len())
            .position(|x| x == w.as_slice())
            .unwrap()
    }

    #[test]
    fn negation_and_exceptive_table() {
        // (text, word, denied)
        let cases = [
            ("الشاب ماهوش مهبول", "مهبول", true),
            ("الدري ماشي مكلخ", "مكلخ", true),
            ("he is not an idiot", "idiot", true),
            ("il n'est pas un abruti", "abruti", true),
            ("ما هو إلا حمار", "حمار", false),
            ("ماشي غير حمار", "حمار", false),
            ("he is nothing but an idiot", "idiot", false),
            ("مش عارف، انت حمار", "حمار", false),
            ("انت حمار", "حمار", false),
            ("ليس لدي أي شك في أنك حمار", "حمار", false),
            ("ليس رجلا بل حمار", "حمار", false),
            ("ce n'est pas un homme mais un abruti", "abruti", false),
            ("ليس حمارا بل رجل", "حمارا", true),
        ];
        for (text, word, want) in cases {
            let k = key(text);
            assert_eq!(negated(&k, at(&k, word)), want, "{text}");
        }
    }

    #[test]
    fn quoted_words_are_mentioned() {
        for (text, word, want) in [
            ("كلمة \"الكلب\" في الشعر", "\"الكلب\"", true),
            ("Calling refugees \"vermin\" is racist", "\"vermin\"", true),
            (
                "Traiter les migrants de «cafards» est ignoble",
                "«cafards»",
                true,
            ),
            ("you are a vermin", "vermin", false),
            ("l'idiot", "idiot", false),
        ] {
            let start = text.find(word).unwrap();
            let (start, end) = if word.starts_with(['"', '«']) {
                let q = word.chars().next().unwrap().len_utf8();
                let e = word.chars().last().unwrap().len_utf8();
                (start + q, start + word.len() - e)
            } else {
                (start, start + word.len())
            };
            assert_eq!(quoted(text, Span { start, end }), want, "{text}");
        }
    }

    #[test]
    fn a_word_named_by_a_noun_of_words_or_given_as_a_label_by_someone_else_is_reported() {
        type Reads = fn(&KeyBuf, usize) -> bool;
        let cases: [(Reads, &str, &str, bool); 12] = [
            (named, "كلمة مكلخ ماشي مزيانة", "مكلخ", true),
            (named, "the word idiot is rude", "idiot", true),
            (named, "le mot  connard est une insulte", "connard", true),
            (named, "الكاتب مكلخ", "مكلخ", false),
            (named, "a word, idiot", "idiot", false),
            (named, "مكلخ", "مكلخ", false),
            (labelled, "نرفض أي خطاب يصف الشيعة بالمجوس", "بالمجوس", true),
            (labelled, "اللي كيسمي الأفارقة عزاوة راه عنصري", "عزاو", true),
            (
                labelled,
                "arrêtez de les traiter de bougnoules",
                "bougnoules",
                true,
            ),
            (labelled, "الشيعة مجوس", "مجوس", false),
            (labelled, "يصف الشيعة، مجوس", "مجوس", false),
            (labelled, "يصف الشيعة في كل مقال بأنهم مجوس", "مجوس", false),
        ];
        for (reads, text, word, want) in cases {
            let k = key(text);
            assert_eq!(reads(&k, at(&k, word)), want, "{text}");
        }
    }

    #[test]
    fn a_named_or_reported_word_is_flagged_with_its_reason() {
        let policy = Policy::compile(&crate::moderation::PolicyConfig::seed()).unwrap();
        for (text, reason) in [
            ("كلمة مكلخ ماشي مزيانة", "named as a word"),
            ("اللي كيسمي الأفارقة عزاوة راه عنصري", "reported, not used"),
        ] {
            let v = crate::moderation::evaluate(
                &crate::moderation::Submission {
                    body: text,
                    ..Default::default()
                },
                &crate::moderation::Signals::default(),
                &policy,
            );
            assert!(v.action < Action::Hold, "{text}: {:?}", v.findings);
            assert!(
                v.findings
                    .iter()
                    .any(|f| f.explanation_en.contains(reason) && f.action == Action::Flag),
                "{text}: {:?}",
                v.findings
            );
        }
        // An obscenity named as a word is still printed: still rejected.
        let v = crate::moderation::evaluate(
            &crate::moderation::Submission {
                body: "تعليق فيه كلمة س.ك.س واضحة",
                ..Default::default()
            },
            &crate::moderation::Signals::default(),
            &policy,
        );
        assert_eq!(v.action, Action::Reject, "{:?}", v.findings);
    }

    #[test]
    fn quoted_phrases_are_short_and_end_within_their_sentence() {
        let inner = |text: &str| -> Vec<String> {
            quoted_phrases(text)
                .into_iter()
                .map(|(a, b)| text[a..b].to_string())
                .collect()
        };
        assert_eq!(
            inner("ألقابا مثل \"الروافض\" و\"النواصب\" تفرق"),
            ["الروافض", "النواصب"]
        );
        assert_eq!(inner("«أنت حمار» ليست حجة"), ["أنت حمار"]);
        assert_eq!(
            inner("“You're a donkey” is not an argument"),
            ["You're a donkey"]
        );
        // Too long for a mention, or cut by a sentence end.
        assert!(inner("\"one two three four five six seven\" x").is_empty());
        assert!(inner("He said \"no. Then\" left").is_empty());
    }

    #[test]
    fn a_quoted_insult_is_mentioned_only_with_a_condemning_frame() {
        let policy = Policy::compile(&crate::moderation::PolicyConfig::seed()).unwrap();
        let framed = |text: &str| {
            let k = key(text);
            let mut ws = crate::moderation::lexicon::Workspace::default();
            let hits = policy.lexicon.find(&k, &mut ws);
            framed_quotes(&policy, text, &k, &hits)
        };
        assert_eq!(framed("عبارة \"أنت حمار\" ليست حجة").len(), 1);
        assert_eq!(framed("\"You're a donkey\" is not an argument").len(), 1);
        assert!(framed("\"أنت حمار\" يا كاتب").is_empty());
        // The frame must be outside the marks and in the same sentence.
        assert!(framed("\"الكلام هذا عيب\" قال").is_empty());
        assert!(framed("\"أنت حمار\". ليست حجة").is_empty());
    }

    #[test]
    fn a_cooccurrence_finding_quotes_the_target_and_the_insult() {
        let policy = Policy::compile(&crate::moderation::PolicyConfig::seed()).unwrap();
        let text = "الكاتب غبي";
        let k = key(text);
        let mut ws = crate::moderation::lexicon::Workspace::default();
        let hits = policy.lexicon.find(&k, &mut ws);
        let f = cooccurrence(&policy, Field::Body, text, &k, &hits, &[]).unwrap();
        assert!(
            f.explanation_en.contains("\"الكاتب\" within"),
            "{}",
            f.explanation_en
        );
        assert!(
            f.explanation_en.contains("of \"غبي\""),
            "{}",
            f.explanation_en
        );
    }

    #[test]
    fn oaths_are_nobodys_target() {
        let k = key("والله تالله بالله الله");
        let n = k.chars().len();
        assert!(oath(&k, 0, 5));
        assert!(oath(&k, 6, 11));
        assert!(!oath(&k, 12, 17));
        assert!(!oath(&k, 18, n));
        // "and God who …" names God; the oath "by God besides whom there is no god" does not.
        let k = key("والله الذي تعبدونه");
        assert!(!oath(&k, 0, 5));
        let k = key("والله الذي لا إله إلا هو");
        assert!(oath(&k, 0, 5));
    }
}
