//! Match key: the normalised form of a text that every lexicon rule matches against,
//! with an offset map back to the original text (DESIGN §6, ARABIC-MODERATION §1.2).
//!
//! Per original character, in this order:
//! 0. drop a run of ASCII whitespace, or of the separators `. * _ -`, between two tatweels (a
//!    word split to evade the lists: "حمـ ـار", "يلـ.ـعن" → حمار، يلعن);
//! 1. drop tatweel U+0640, harakat and Quranic marks (U+0610–061A, U+064B–065F, U+06D6–06ED,
//!    U+08D3–08FF), the high hamza U+0674, every other combining mark (General_Category=Mark,
//!    e.g. U+0301 or "zalgo" marks) and every Default_Ignorable_Code_Point (Unicode's property
//!    through `icu_properties`: U+00AD, U+061C, zero-width and bidi controls, U+180E, variation
//!    selectors, U+3164 and the other Hangul fillers, the tag characters …);
//! 2. NFKC of the single character (so a presentation form such as U+FEFB ﻻ expands to two key
//!    characters that both map back to the same original character);
//! 3. Latin letters with accents lose the accent (é → e), everything is lower-cased, and a
//!    letter of another script that Unicode's confusables data (UTS #39, crate
//!    `unicode-security`) reads as one ASCII letter becomes that letter (Cyrillic а, Greek ο,
//!    small capital ᴄ, dotless ı);
//! 4. the Arabic look-alike table ([`lookalike`]: Persian, Urdu, Kurdish, Maghrebi and dotless
//!    letters, dagger alef → ا), then the lossy folds ([`lossy`]: أ إ آ ٱ → ا, ى → ي, ة → ه,
//!    ؤ → و, ئ → ي); [`KeyBuf::raw_at`] tells where a lossy fold changed a letter;
//! 5. Arabic-Indic and Persian digits → ASCII digits.
//!
//! The key is a pure per-character function, so it is idempotent:
//! `match_key(&match_key(x).key).key == match_key(x).key`.
//!
//! Token-level folds (leetspeak for Latin tokens, Arabizi transliteration, joining of
//! separated single letters, letter elongation) are NOT applied to the key: they are variants
//! computed by the lexicon on top of the key, so that one key can be matched in several ways
//! (for instance "5ara" both as the Latin Arabizi entry and as the Arabic word خرا).

use icu_properties::props::{BinaryProperty, DefaultIgnorableCodePoint};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_security::confusable_detection::skeleton;

/// The match key of a text plus its offset map.
///
/// `offsets[i]` is the byte offset in the ORIGINAL text where the original character that
/// produced the `i`-th key character (counted in `char`s, not bytes) starts, and `ends[i]` the
/// byte offset where it ends. Both are always on char boundaries of the original. Several key
/// characters may map to the same original character (NFKC expansion of ligatures).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchKey {
    /// The normalised text.
    pub key: String,
    /// Per key char: original byte offset where its source character starts.
    pub offsets: Vec<usize>,
    /// Per key char: original byte offset where its source character ends.
    pub ends: Vec<usize>,
}

impl MatchKey {
    /// Original byte span `[start, end)` covered by key chars `[from, to)` (char indices).
    pub fn original_span(&self, from: usize, to: usize) -> Option<(usize, usize)> {
        if from >= to {
            return None;
        }
        let start = *self.offsets.get(from)?;
        let end = *self.ends.get(to - 1)?;
        Some((start, end))
    }
}

/// Builds the match key of `text` (see the module documentation).
pub fn match_key(text: &str) -> MatchKey {
    let mut buf = KeyBuf::default();
    buf.build(text);
    MatchKey {
        key: buf.chars().iter().collect(),
        offsets: buf.starts().to_vec(),
        ends: buf.ends().to_vec(),
    }
}

/// Reusable internal form of a match key (chars instead of a String).
///
/// The three buffers only grow: the key is their first `len` slots (see [`KeyBuf::build`]).
#[derive(Debug, Default, Clone)]
pub(crate) struct KeyBuf {
    chars: Vec<char>,
    starts: Vec<usize>,
    ends: Vec<usize>,
    len: usize,
    /// Longest run of one repeated ORIGINAL character (0 for an empty text).
    pub max_run: usize,
    /// The original text may contain a mixed-script word (the fast exit of
    /// `rules::mixed_script`): an ASCII letter or digit, or a character in U+00C0–U+052F,
    /// U+0660–U+0669, U+06F0–U+06F9, U+1E00–U+1EFF or U+FF10–U+FF5A.
    pub maybe_mixed: bool,
    /// ASCII letters in the original text, and how many of them are upper-case.
    pub ascii_letters: usize,
    pub ascii_upper: usize,
    /// The original text contains '.' or '/' and an ASCII letter (it may contain a link).
    pub may_link: bool,
    /// A copy of the original text (read lazily by [`KeyBuf::raw_at`]).
    text: String,
}

/// Fast-path table for U+0600–U+06FF: the folded key char, or `'\0'` when the char is dropped.
/// U+0675–U+0678 need NFKC and are not looked up here.
static ARABIC: [char; 256] = arabic_table();

const fn arabic_table() -> [char; 256] {
    let mut t = ['\0'; 256];
    let mut rest: &mut [char] = &mut t;
    let mut u = 0x0600u32;
    while let [slot, tail @ ..] = rest {
        *slot = if is_dropped_arabic(u) {
            '\0'
        } else {
            match char::from_u32(u) {
                Some(c) => fold(c),
                None => '\0',
            }
        };
        rest = tail;
        u += 1;
    }
    t
}

impl KeyBuf {
    /// The key chars.
    pub fn chars(&self) -> &[char] {
        self.chars.get(..self.len).unwrap_or(&[])
    }

    /// Per key char: original byte offset where its source character starts.
    pub fn starts(&self) -> &[usize] {
        self.starts.get(..self.len).unwrap_or(&[])
    }

    /// Per key char: original byte offset where its source character ends.
    pub fn ends(&self) -> &[usize] {
        self.ends.get(..self.len).unwrap_or(&[])
    }

    /// Key char `i` as written, before the lossy folds (ى for a key ي that was ى). Computed
    /// from the original text on demand (only allow entries with such letters ask).
    pub fn raw_at(&self, i: usize) -> Option<char> {
        let starts = self.starts();
        let s = *starts.get(i)?;
        let c = self.text.get(s..)?.chars().next()?;
        // Index of key char `i` among the key chars of its original char (NFKC expansions).
        let mut first = i;
        while first > 0 && starts.get(first - 1) == Some(&s) {
            first -= 1;
        }
        let (mut k, mut out) = (0usize, None);
        key_chars_raw(c, |_, r| {
            if k == i - first {
                out = Some(r);
            }
            k += 1;
        });
        out
    }

    pub fn build(&mut self, text: &str) {
        // The hot loop writes by index into slots instead of pushing: a push re-checks the
        // capacity and may call the allocator, which keeps the three vectors' lengths in
        // memory instead of registers. The buffers keep their length between calls (so they
        // are filled once, not per call). Invariant: they have at least
        // `n + (text.len() - pos)` slots, so every fast-path write is in bounds (each fast
        // path consumes at least one byte and emits at most one key char); the slow path
        // restores it after an NFKC expansion.
        let mut chars = std::mem::take(&mut self.chars);
        let mut starts = std::mem::take(&mut self.starts);
        let mut ends = std::mem::take(&mut self.ends);
        self.text.clear();
        self.text.push_str(text);
        if chars.len() < text.len() {
            chars.resize(text.len(), '\0');
            starts.resize(text.len(), 0);
            ends.resize(text.len(), 0);
        }
        let mut n = 0usize;
        let mut maybe_mixed = false;
        let mut dot_slash = false;
        let (mut letters, mut upper) = (0usize, 0usize);
        let mut max_run = 0usize;
        let mut run = 0usize;
        // Previous original char (`u32::MAX`: none yet).
        let mut prev = u32::MAX;
        // The last character that was not ASCII whitespace was a tatweel.
        let mut after_tatweel = false;
        let bytes = text.as_bytes();
        let mut pos = 0usize;
        while let Some(&b) = bytes.get(pos) {
            if b < 0x80 {
                let u = u32::from(b);
                // Whitespace between two tatweels is inside a word split to evade the lists
                // ("حمـ ـار", "الأفـ ـارقـ ـة"): the key drops it with the tatweels. (One
                // tatweel alone may be decoration at the end of a word.)
                if b.is_ascii_whitespace() {
                    let ws = space_run(bytes, pos);
                    let drop = after_tatweel && tatweel_at(bytes, pos + ws);
                    for (i, &w) in (pos..).zip(bytes.get(pos..pos + ws).unwrap_or(&[])) {
                        let u = u32::from(w);
                        run = if u == prev { run + 1 } else { 1 };
                        max_run = max_run.max(run);
                        prev = u;
                        if !drop {
                            put(
                                &mut chars,
                                &mut starts,
                                &mut ends,
                                n,
                                char::from(w),
                                i,
                                i + 1,
                            );
                            n += 1;
                        }
                    }
                    pos += ws;
                    continue;
                }
                // A separator run between two tatweels splits a word the same way ("يلـ.ـعن",
                // "حـ.ـشـ.ـرات"): dropped with the tatweels.
                if after_tatweel && is_split_mark(b) {
                    let len = split_run(bytes, pos);
                    if tatweel_at(bytes, pos + len) {
                        for &w in bytes.get(pos..pos + len).unwrap_or(&[]) {
                            let u = u32::from(w);
                            run = if u == prev { run + 1 } else { 1 };
                            max_run = max_run.max(run);
                            prev = u;
                        }
                        pos += len;
                        continue;
                    }
                }
                after_tatweel = false;
                run = if u == prev { run + 1 } else { 1 };
                max_run = max_run.max(run);
                prev = u;
                maybe_mixed |= b.is_ascii_alphanumeric();
                dot_slash |= b == b'.' || b == b'/';
                letters += usize::from(b.is_ascii_alphabetic());
                upper += usize::from(b.is_ascii_uppercase());
                let k = char::from(b.to_ascii_lowercase());
                put(&mut chars, &mut starts, &mut ends, n, k, pos, pos + 1);
                n += 1;
                pos += 1;
                continue;
            }
            if (0xD8..=0xDB).contains(&b)
                && let Some(&b1) = bytes.get(pos + 1)
            {
                // Two-byte sequence of U+0600–U+06FF (the text is valid UTF-8).
                let idx = (usize::from(b & 0x03) << 6) | usize::from(b1 & 0x3F);
                if !(0x75..=0x78).contains(&idx) {
                    let u = 0x0600 + idx as u32;
                    after_tatweel = u == 0x0640;
                    run = if u == prev { run + 1 } else { 1 };
                    max_run = max_run.max(run);
                    prev = u;
                    let k = ARABIC.get(idx).copied().unwrap_or('\0');
                    // Only the Arabic-Indic and Persian digits fold to ASCII (to digits).
                    maybe_mixed |= k != '\0' && k.is_ascii();
                    if k != '\0' {
                        put(&mut chars, &mut starts, &mut ends, n, k, pos, pos + 2);
                        n += 1;
                    }
                    pos += 2;
                    continue;
                }
            }
            let Some(c) = text.get(pos..).and_then(|r| r.chars().next()) else {
                break;
            };
            let u = c as u32;
            after_tatweel = false;
            run = if u == prev { run + 1 } else { 1 };
            max_run = max_run.max(run);
            prev = u;
            let end = pos + c.len_utf8();
            maybe_mixed |= matches!(u, 0x00C0..=0x052F | 0x1E00..=0x1EFF | 0xFF10..=0xFF5A);
            let rest = text.len() - end;
            n = push_key_chars(c, pos, end, rest, n, &mut chars, &mut starts, &mut ends);
            pos = end;
        }
        self.len = n;
        self.max_run = max_run;
        self.may_link = dot_slash && letters > 0;
        self.maybe_mixed = maybe_mixed;
        self.ascii_letters = letters;
        self.ascii_upper = upper;
        self.chars = chars;
        self.starts = starts;
        self.ends = ends;
    }
}

/// Length of the run of ASCII whitespace at `pos`.
#[inline]
fn space_run(bytes: &[u8], pos: usize) -> usize {
    bytes
        .get(pos..)
        .unwrap_or(&[])
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count()
}

/// A separator that may split a word between two tatweels ("يلـ.ـعن").
#[inline]
const fn is_split_mark(b: u8) -> bool {
    matches!(b, b'.' | b'*' | b'_' | b'-')
}

/// Length of the run of split marks at `pos`.
#[inline]
fn split_run(bytes: &[u8], pos: usize) -> usize {
    bytes
        .get(pos..)
        .unwrap_or(&[])
        .iter()
        .take_while(|&&b| is_split_mark(b))
        .count()
}

/// A tatweel (U+0640, UTF-8 D9 80) starts at `pos`.
#[inline]
fn tatweel_at(bytes: &[u8], pos: usize) -> bool {
    bytes.get(pos..pos + 2) == Some(&[0xD9, 0x80][..])
}

/// Writes key char `n` (in bounds by the invariant of [`KeyBuf::build`]).
#[inline(always)]
fn put(
    chars: &mut [char],
    starts: &mut [usize],
    ends: &mut [usize],
    n: usize,
    k: char,
    start: usize,
    end: usize,
) {
    if let (Some(c), Some(s), Some(e)) = (chars.get_mut(n), starts.get_mut(n), ends.get_mut(n)) {
        *c = k;
        *s = start;
        *e = end;
    }
}

/// Slow path of [`KeyBuf::build`], kept out of line so that the hot loop keeps its state in
/// registers. Writes the key chars of `c` from slot `n` on and returns the new count; then
/// makes room for `rest` more bytes of text (growing geometrically, so that a text of many
/// expanding characters stays linear).
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn push_key_chars(
    c: char,
    pos: usize,
    end: usize,
    rest: usize,
    mut n: usize,
    chars: &mut Vec<char>,
    starts: &mut Vec<usize>,
    ends: &mut Vec<usize>,
) -> usize {
    key_chars(c, |k| {
        if n < chars.len() {
            put(chars, starts, ends, n, k, pos, end);
        } else {
            chars.push(k);
            starts.push(pos);
            ends.push(end);
        }
        n += 1;
    });
    let want = n + rest;
    if chars.len() < want {
        let len = want.max(2 * chars.len());
        chars.resize(len, '\0');
        starts.resize(len, 0);
        ends.resize(len, 0);
    }
    n
}

/// Emits the key characters for one original character.
#[inline]
pub(crate) fn key_chars(c: char, mut emit: impl FnMut(char)) {
    key_chars_raw(c, |k, _| emit(k));
}

/// Emits the key characters for one original character, each with the letter it was before
/// the lossy folds (see [`lossy`]).
#[inline]
fn key_chars_raw(c: char, mut emit: impl FnMut(char, char)) {
    if c.is_ascii() {
        let l = c.to_ascii_lowercase();
        emit(l, l);
        return;
    }
    let u = c as u32;
    // Fast path: the Arabic block is NFKC-stable except U+0675–U+0678 (high hamza forms).
    if (0x0600..=0x06FF).contains(&u) && !(0x0675..=0x0678).contains(&u) {
        if !is_dropped_arabic(u) {
            let r = lookalike(c);
            emit(lossy(r), r);
        }
        return;
    }
    if is_dropped(c) {
        return;
    }
    for d in core::iter::once(c).nfkc() {
        if is_dropped(d) {
            continue;
        }
        let d = strip_latin_accent(d);
        if d.is_ascii() {
            let l = d.to_ascii_lowercase();
            emit(l, l);
            continue;
        }
        let u = d as u32;
        let confusable_script =
            d.is_alphabetic() && !(0x0600..=0x08FF).contains(&u) && !(0xFB50..=0xFEFF).contains(&u);
        for l in d.to_lowercase() {
            if is_dropped(l) {
                continue;
            }
            // Lower-cased first (Cyrillic І → і → i, not l), then as written (Cyrillic Н is
            // listed as H, н is not).
            // The supplement comes last (capital Η is H, not n); it reads the lower-case
            // letter, so that the key of a key is the key.
            let extra = || {
                EXTRA_CONFUSABLES
                    .iter()
                    .find(|(x, _)| *x == l)
                    .map(|&(_, a)| a)
            };
            if confusable_script
                && let Some(a) = latin_confusable(l)
                    .or_else(|| latin_confusable(d))
                    .or_else(extra)
            {
                emit(a, a);
                continue;
            }
            let r = lookalike(l);
            emit(lossy(r), r);
        }
    }
}

/// Arabic-block characters removed from the key (all are marks except U+061C, tatweel and
/// the high hamza U+0674). U+0670 (dagger alef) is not dropped: it stands for ا.
#[inline]
const fn is_dropped_arabic(u: u32) -> bool {
    matches!(u, 0x061C | 0x0610..=0x061A | 0x0640 | 0x064B..=0x065F | 0x0674 | 0x06D6..=0x06ED)
}

/// Characters removed from the key: Arabic marks and tatweel (see [`is_dropped_arabic`]),
/// U+08D3–U+08FF, every combining mark, and every Default_Ignorable_Code_Point (Unicode's own
/// property, from `icu_properties`: soft hyphen, zero-width and bidi controls, U+180E, the
/// variation selectors, U+3164 and the other Hangul fillers, the tag characters …).
#[inline]
pub fn is_dropped(c: char) -> bool {
    let u = c as u32;
    (0x0600..=0x06FF).contains(&u) && is_dropped_arabic(u)
        || (0x08D3..=0x08FF).contains(&u)
        || (u >= 0x0300 && is_combining_mark(c))
        || (u >= 0x00AD && DefaultIgnorableCodePoint::for_char(c))
}

/// The characters named LATIN LETTER SMALL CAPITAL A–Z in UnicodeData.txt, which the UTS #39
/// confusables data only partly covers (it maps ᴄ ᴏ ᴜ but not ᴋ or ꜰ).
const SMALL_CAPITALS: &[(char, char)] = &[
    ('ᴀ', 'a'),
    ('ʙ', 'b'),
    ('ᴄ', 'c'),
    ('ᴅ', 'd'),
    ('ᴇ', 'e'),
    ('ꜰ', 'f'),
    ('ɢ', 'g'),
    ('ʜ', 'h'),
    ('ɪ', 'i'),
    ('ᴊ', 'j'),
    ('ᴋ', 'k'),
    ('ʟ', 'l'),
    ('ᴍ', 'm'),
    ('ɴ', 'n'),
    ('ᴏ', 'o'),
    ('ᴘ', 'p'),
    ('ꞯ', 'q'),
    ('ʀ', 'r'),
    ('ꜱ', 's'),
    ('ᴛ', 't'),
    ('ᴜ', 'u'),
    ('ᴠ', 'v'),
    ('ᴡ', 'w'),
    ('ʏ', 'y'),
    ('ᴢ', 'z'),
];

/// Lower-case letters of other scripts that readers take for a Latin letter but that the UTS #39
/// data does not map to one (it lists Greek η only as a variant of ŋ-like shapes): Greek η
/// and Cyrillic п read as n in "ηik", "пique", Greek ω as w.
const EXTRA_CONFUSABLES: &[(char, char)] = &[('η', 'n'), ('п', 'n'), ('ω', 'w')];

/// A Latin look-alike from another script (Cyrillic а, Greek ο, small capital ᴄ, dotless ı …)
/// → the ASCII letter it imitates, from Unicode's confusables data (UTS #39 skeleton, crate
/// `unicode-security`). Only single ASCII letters are taken; digits and multi-letter
/// prototypes are not (so Cyrillic з stays з rather than becoming the digit 3).
///
/// The data maps some lower-case letters to a Latin small capital or to another non-ASCII
/// letter rather than to ASCII (Cyrillic т → ᴛ, в → ʙ, н → ʜ; Greek κ and Cyrillic к → ĸ):
/// a small-capital prototype is read as its letter, and otherwise the letter's capital is
/// looked up (κ → Κ → K, м → М → M), which is how the data lists those shapes.
fn latin_confusable(c: char) -> Option<char> {
    fn small_capital(c: char) -> Option<char> {
        SMALL_CAPITALS
            .iter()
            .find(|(s, _)| *s == c)
            .map(|&(_, l)| l)
    }
    /// The skeleton of `c` when it is one character.
    fn single(c: char) -> Option<char> {
        let mut buf = [0u8; 4];
        let mut sk = skeleton(c.encode_utf8(&mut buf));
        let first = sk.next()?;
        sk.next().is_none().then_some(first)
    }
    if let Some(l) = small_capital(c) {
        return Some(l);
    }
    let first = single(c)?;
    if first.is_ascii_alphabetic() {
        return Some(first.to_ascii_lowercase());
    }
    if let Some(l) = small_capital(first) {
        return Some(l);
    }
    let mut upper = c.to_uppercase();
    let u = upper.next().filter(|&u| u != c)?;
    if upper.next().is_some() {
        return None;
    }
    let g = single(u)?;
    g.is_ascii_alphabetic().then(|| g.to_ascii_lowercase())
}

fn strip_latin_accent(c: char) -> char {
    let u = c as u32;
    if !(0x00C0..=0x024F).contains(&u) && !(0x1E00..=0x1EFF).contains(&u) {
        return c;
    }
    let mut first = None;
    decompose_canonical(c, |d| {
        if first.is_none() {
            first = Some(d);
        }
    });
    match first {
        Some(b) if b.is_ascii_alphabetic() => b,
        _ => c,
    }
}

/// Letter and digit folding (applied after NFKC and lower-casing): [`lookalike`], then
/// [`lossy`].
#[inline]
pub const fn fold(c: char) -> char {
    lossy(lookalike(c))
}

/// The documented Arabic look-alike table: letters of Persian, Urdu, Kurdish, Pashto, Sindhi
/// and Maghrebi orthographies, and the dotless archigraphemes, that a reader of Arabic reads as
/// an Arabic letter, mapped to that letter. It loses nothing a reader of Arabic would see, so
/// the allow list's original-spelling check (see `lossy`) reads the text after this table.
///
/// | written | read as | letters |
/// |---|---|---|
/// | dagger alef U+0670, ٲ ٳ ٵ | ا | superscript alef standing for ا (رحمٰن), alef with wavy hamza |
/// | ٮ ٻ پ ڀ | ب | dotless beh, Sindhi/Persian beh forms |
/// | ٹ ٺ ټ ٽ ٿ | ت | Urdu/Pashto/Sindhi teh forms |
/// | چ ڃ ڄ ڇ | ج | Persian/Egyptian che, Sindhi forms |
/// | ځ | ح | Pashto hah with hamza |
/// | څ | خ | Pashto hah with three dots |
/// | ڈ ډ ڊ ڌ ڍ ڎ ڏ ڐ | د | Urdu/Pashto/Sindhi dal forms |
/// | ڑ ڒ ړ ڔ ڕ ږ ڗ | ر | Urdu/Pashto/Kurdish reh forms |
/// | ژ ڙ | ز | Persian zhe |
/// | ښ ڛ | س | seen forms |
/// | ڜ ۺ | ش | sheen forms |
/// | ڝ ڞ | ص | sad forms |
/// | ۻ | ض | dad with dot below |
/// | ڟ | ط | tah with three dots |
/// | ڠ ۼ | غ | Jawi nga, ghain with dot below |
/// | ڡ ڢ ڣ ڤ ڥ ڦ | ف | dotless feh, veh (Maghrebi v) |
/// | ٯ ڧ ڨ ڭ | ق | dotless qaf, Maghrebi qaf, Algerian/Tunisian and Moroccan gaf |
/// | ک ڪ ګ ڬ ڮ گ ڰ ڱ ڲ ڳ ڴ | ك | keheh, swash kaf, gaf forms |
/// | ڵ ڶ ڷ ڸ | ل | Kurdish lam forms |
/// | ڹ ں ڻ ڼ ڽ | ن | noon ghunna and forms |
/// | ھ ہ ۀ ۂ ە ۿ | ه | heh doachashmee, heh goal, Kurdish ae |
/// | ۃ | ة | teh marbuta goal |
/// | ۄ ۅ ۆ ۇ ۈ ۉ ۊ ۋ ۏ | و | Kurdish/Uyghur waw forms |
/// | ی ۍ ێ ې ۑ ے ۓ | ي | Farsi yeh, yeh barree and forms |
pub const fn lookalike(c: char) -> char {
    match c {
        '\u{0670}' | 'ٲ' | 'ٳ' | 'ٵ' => 'ا',
        'ٮ' | 'ٻ' | 'پ' | 'ڀ' => 'ب',
        'ٹ' | 'ٺ' | 'ټ' | 'ٽ' | 'ٿ' => 'ت',
        'چ' | 'ڃ' | 'ڄ' | 'ڇ' => 'ج',
        'ځ' => 'ح',
        'څ' => 'خ',
        'ڈ' | 'ډ' | 'ڊ' | 'ڌ' | 'ڍ' | 'ڎ' | 'ڏ' | 'ڐ' => 'د',
        'ڑ' | 'ڒ' | 'ړ' | 'ڔ' | 'ڕ' | 'ږ' | 'ڗ' => 'ر',
        'ژ' | 'ڙ' => 'ز',
        'ښ' | 'ڛ' => 'س',
        'ڜ' | 'ۺ' => 'ش',
        'ڝ' | 'ڞ' => 'ص',
        'ۻ' => 'ض',
        'ڟ' => 'ط',
        'ڠ' | 'ۼ' => 'غ',
        'ڡ' | 'ڢ' | 'ڣ' | 'ڤ' | 'ڥ' | 'ڦ' => 'ف',
        'ٯ' | 'ڧ' | 'ڨ' | 'ڭ' => 'ق',
        'ک' | 'ڪ' | 'ګ' | 'ڬ' | 'ڮ' | 'گ' | 'ڰ' | 'ڱ' | 'ڲ' | 'ڳ' | 'ڴ' => 'ك',
        'ڵ' | 'ڶ' | 'ڷ' | 'ڸ' => 'ل',
        'ڹ' | 'ں' | 'ڻ' | 'ڼ' | 'ڽ' => 'ن',
        'ھ' | 'ہ' | 'ۀ' | 'ۂ' | 'ە' | 'ۿ' => 'ه',
        'ۃ' => 'ة',
        'ۄ' | 'ۅ' | 'ۆ' | 'ۇ' | 'ۈ' | 'ۉ' | 'ۊ' | 'ۋ' | 'ۏ' => 'و',
        'ی' | 'ۍ' | 'ێ' | 'ې' | 'ۑ' | 'ے' | 'ۓ' => 'ي',
        _ => c,
    }
}

/// The lossy folds: letters that Arabic writers interchange, so that the key must not tell
/// them apart (أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و, ئ → ي), and Arabic-Indic and Persian digits →
/// ASCII. They can turn an innocent word into a listed one (the verb عزى becomes عزي), so the
/// key can tell where they changed a letter (`KeyBuf::raw_at`) and an allow-list entry
/// containing one of these letters only matches the text's original spelling.
#[inline]
pub const fn lossy(c: char) -> char {
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ى' => 'ي',
        'ة' => 'ه',
        'ؤ' => 'و',
        'ئ' => 'ي',
        '\u{0660}'..='\u{0669}' => digit(c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => digit(c as u32 - 0x06F0),
        _ => c,
    }
}

/// A letter the key folds lossily (see [`lossy`]).
#[inline]
pub const fn is_lossy_letter(c: char) -> bool {
    matches!(c, 'أ' | 'إ' | 'آ' | 'ٱ' | 'ى' | 'ة' | 'ؤ' | 'ئ')
}

const fn digit(n: u32) -> char {
    match char::from_digit(n, 10) {
        Some(d) => d,
        None => '0',
    }
}

/// Arabic letter after folding (used for token classes and scripts).
#[inline]
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c as u32,
        0x0620..=0x063F | 0x0641..=0x064A | 0x066E..=0x066F | 0x0671..=0x06D3 | 0x06D5
        | 0x06EE..=0x06EF | 0x06FA..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08C9)
}

/// `c.is_alphanumeric()`, with ASCII and the core Arabic letters (all of them letters)
/// answered before the Unicode tables are searched: a comment's chars are mostly these.
#[inline]
pub(crate) fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c as u32, 0x0621..=0x063A | 0x0641..=0x064A)
        || (!c.is_ascii() && c.is_alphanumeric())
}

/// Latin letter (ASCII or Latin-1 / Extended-A/B / Extended Additional).
#[inline]
pub fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF) && c.is_alphabetic())
}

/// Leetspeak fold for Latin tokens (only applied to tokens that contain letters).
#[inline]
pub fn leet(c: char) -> char {
    match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '@' => 'a',
        '$' => 's',
        '!' => 'i',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> String {
        match_key(s).key
    }

    #[test]
    fn folds_and_drops_table() {
        let cases: &[(&str, &str)] = &[
            ("حَمَارٌ", "حمار"),
            ("حمـــار", "حمار"),
            ("أإآٱٲٳ", "اااااا"),
            ("مستشفى", "مستشفي"),
            ("مدرسة", "مدرسه"),
            ("مؤمن", "مومن"),
            ("بئر", "بير"),
            ("یکگۀہھے", "يككهههي"),
            ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
            ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
            ("ح\u{200B}م\u{200C}ا\u{200D}ر", "حمار"),
            ("\u{202B}حمار\u{202C}\u{2066}\u{FEFF}", "حمار"),
            ("ح\u{061C}م\u{00AD}ار\u{2060}", "حمار"),
            ("\u{FEFB}", "لا"),
            ("\u{FE8D}\u{FEE0}", "ال"),
            ("HeLLo", "hello"),
            ("ＦＵＣＫ", "fuck"),
            ("fúck", "fuck"),
            ("f\u{0301}uck", "fuck"),
            ("ѕһit", "shit"),
            ("ꜰᴜᴄᴋ", "fuck"),
            ("ѕhıt", "shit"),
            ("ЅНІТ", "shit"),
            ("ʙɪᴛᴄʜ", "bitch"),
            ("αss", "ass"),
            ("ηiκ пique ωhore", "nik nique whore"),
            ("ΗΠΩ", "hπw"),
            ("ح\u{180E}م\u{3164}ا\u{E0041}ر", "حمار"),
            ("حمٰر", "حمار"),
            ("ۃڪەیکٮٯں", "هكهيكبقن"),
            ("ڨحبة", "قحبه"),
            ("قُرْآنٌ ۖ", "قران "),
            ("الرَّحْمَٰنِ", "الرحمان"),
            ("٧mar", "7mar"),
            ("حمـ ـار", "حمار"),
            ("يلـ.ـعن", "يلعن"),
            ("حـ.ـشـ.ـرات", "حشرات"),
            ("حمار.ـ اليوم", "حمار. اليوم"),
            ("الأفـ ـارقـ  ـة وباء", "الافارقه وباء"),
            ("كلمةـ ـكلمة", "كلمهكلمه"),
            ("حمارـ اليوم", "حمار اليوم"),
            ("حمار ـاليوم", "حمار اليوم"),
        ];
        for (input, want) in cases {
            assert_eq!(&k(input), want, "input {input:?}");
        }
    }

    #[test]
    fn presentation_form_maps_both_chars_to_same_original_span() {
        let m = match_key("a\u{FEFB}b");
        assert_eq!(m.key, "aلاb");
        assert_eq!(m.offsets, vec![0, 1, 1, 4]);
        assert_eq!(m.ends, vec![1, 4, 4, 5]);
    }

    #[test]
    fn offsets_skip_dropped_chars() {
        let s = "ح\u{200B}ـم";
        let m = match_key(s);
        assert_eq!(m.key, "حم");
        assert_eq!(m.original_span(0, 2), Some((0, s.len())));
    }

    #[test]
    fn lossy_folds_are_remembered() {
        let mut k = KeyBuf::default();
        k.build("عزى مدرسة عزي");
        let key: String = k.chars().iter().collect();
        assert_eq!(key, "عزي مدرسه عزي");
        assert_eq!(k.raw_at(2), Some('ى'));
        assert_eq!(k.raw_at(8), Some('ة'));
        assert_eq!(k.raw_at(12), Some('ي'));
        // Through the slow path (presentation form of ى).
        k.build("عز\u{FEEF}");
        assert_eq!(k.raw_at(2), Some('ى'));
    }

    #[test]
    fn leet_table() {
        let s: String = "sh1t 4$$ @ss 5h!7".chars().map(leet).collect();
        assert_eq!(s, "shit ass ass shit");
    }
}
