//! Compiled word lists: one Aho-Corasick automaton over every entry of every list (plus the
//! protected terms and the allow list), run over a "scan string" built from the match key,
//! followed by token logic that decides whether a raw automaton hit counts.
//!
//! Scan string: the match key is split into tokens (runs of letters/digits; Latin tokens may
//! also contain the leet symbols `@ $ !`; a change between Arabic and Latin letters splits a
//! token). Runs of single-letter tokens separated by separators are joined ("ح.م.ا.ر",
//! "f u c k": at least 3 letters, or exactly 2 when the separators contain no whitespace). Each
//! token is run-length collapsed ("حماااار" → ح م ا ر with counts 1 1 4 1) and tokens are joined
//! with one space. Entries go through the same pipeline, so an entry letter that is doubled
//! ("ass") requires at least that many repeats in the text (each letter may repeat, legit double
//! letters are still required).
//!
//! Token logic for a hit of entry E spanning tokens `ta..=tb`:
//! * Arabic entries: the text before E in token `ta` must be empty or a proclitic
//!   (و ف ب ك ل ال وال بال فال كال لل يا …) and the text after E in `tb` empty or an enclitic
//!   (ه ها هم هن ك كم ي ين ون ات …). Short entries (≤ 3 letters) only accept pronoun enclitics
//!   (not the plural endings ين ون ات, which create real words such as زبون).
//! * Latin entries: nothing before; after: nothing or a simple suffix (s es ed ing er ers y;
//!   short entries only s es).
//! * Latin entries marked `substring` (≥ 4 letters): anywhere.
//!
//! Variants: Latin tokens with letters and leet characters (0 1 3 4 5 7 @ $ !) are also matched
//! after the leet fold; Latin tokens with letters and Arabizi digits (2 3 5 6 7 8 9) are also
//! transliterated into Arabic candidates matched against the Arabic entries.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::normalize::{KeyBuf, arabizi_variants, is_arabic_letter, is_latin_letter, leet};

const PROCLITICS: &[&str] = &[
    "و", "ف", "ب", "ك", "ل", "ال", "وال", "بال", "فال", "كال", "يا", "وب", "ول", "فل", "وك", "فب",
    "لل", "ولل", "فلل", "وبال", "فبال", "وكال",
];
const ENCLITICS: &[&str] = &[
    "ه", "ها", "هم", "هن", "هما", "ك", "كم", "كما", "كن", "ي", "نا", "ين", "ون", "ات", "ان", "يه",
];
const SHORT_ENCLITICS: &[&str] = &["ه", "ها", "هم", "هن", "هما", "ك", "كم", "كما", "كن", "ي"];
const LATIN_SUFFIXES: &[&str] = &["s", "es", "ed", "ing", "er", "ers", "y"];
const SHORT_LATIN_SUFFIXES: &[&str] = &["s", "es"];

/// Characters that may separate joined single letters.
fn is_join_sep(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '.' | '-' | '_' | '*' | '·' | '•' | '|' | '/' | '+' | '~' | ',' | '،' | '\'' | '"'
        )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Script {
    Arabic,
    Latin,
    #[default]
    Other,
}

/// How an entry may match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Arabic { short: bool },
    Latin { short: bool },
    Substring,
}

/// What a pattern stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HitKind {
    /// Entry `entry` of lexicon list `list`.
    Entry { list: u32, entry: u32 },
    /// Protected term number `n`.
    Protected(u32),
    /// Allow-list exception.
    Allow,
}

/// How the text was read when the hit was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Via {
    Key,
    Leet,
    Arabizi,
}

#[derive(Clone, Debug)]
struct PatRef {
    kind: HitKind,
    mode: Mode,
    counts: Box<[u16]>,
}

/// A validated hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    pub kind: HitKind,
    /// First and last (inclusive) token index in the field.
    pub tok0: u32,
    pub tok1: u32,
    /// Key char range `[k0, k1)` covered (whole tokens, or the hit itself for substrings).
    pub k0: usize,
    pub k1: usize,
    /// The hit is addressed with the vocative يا (prefix or previous token).
    pub vocative: bool,
    pub via: Via,
}

/// One entry to compile.
pub(crate) struct EntryDef<'a> {
    pub kind: HitKind,
    pub term: &'a str,
    pub substring: bool,
}

/// Why an entry could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EntryError {
    Empty,
    SubstringNotAllowed,
    Automaton(String),
}

/// The compiled lexicon.
#[derive(Debug, Clone)]
pub struct Lexicon {
    ac: Option<AhoCorasick>,
    pat_refs: Vec<(u32, u32)>,
    refs: Vec<PatRef>,
}

impl Lexicon {
    /// Compiles entries; on error returns the index of the offending entry.
    pub(crate) fn build<'a>(
        defs: impl IntoIterator<Item = EntryDef<'a>>,
    ) -> Result<Lexicon, (usize, EntryError)> {
        let mut pat_index: HashMap<Vec<u8>, u32> = HashMap::new();
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut tagged: Vec<(u32, PatRef)> = Vec::new();
        let mut key = KeyBuf::default();
        let mut ws = Workspace::default();
        let mut last = 0usize;
        for (i, def) in defs.into_iter().enumerate() {
            last = i;
            key.build(def.term);
            ws.tokenize(key.chars());
            if ws.toks.is_empty() {
                return Err((i, EntryError::Empty));
            }
            let mut scan = Scan::default();
            ws.fill_main_scan(key.chars(), &mut scan);
            let mut has_arabic = false;
            let mut has_latin = false;
            let mut letters = 0usize;
            for t in &ws.toks {
                match t.script {
                    Script::Arabic => has_arabic = true,
                    Script::Latin => has_latin = true,
                    Script::Other => {}
                }
                letters += t.k1 - t.k0;
            }
            let short = ws.toks.len() == 1 && letters <= 3;
            let mode = if def.substring {
                if has_arabic || !has_latin || letters < 4 {
                    return Err((i, EntryError::SubstringNotAllowed));
                }
                Mode::Substring
            } else if has_arabic && !has_latin {
                Mode::Arabic { short }
            } else {
                Mode::Latin { short }
            };
            let counts: Vec<u16> = scan.sc.iter().map(|c| c.count).collect();
            let mut forms = vec![(scan.text.clone(), counts.clone())];
            // "يا كلب" also matches the attached vocative "ياكلب".
            if matches!(mode, Mode::Arabic { .. })
                && scan.toks.len() > 1
                && scan.sc.iter().map(|c| c.ch).take(3).eq("يا ".chars())
            {
                let mut text = Vec::with_capacity(scan.text.len());
                for (i, c) in scan.sc.iter().enumerate() {
                    if i != 2 {
                        encode(c.ch, &mut text);
                    }
                }
                let c2: Vec<u16> = counts
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != 2)
                    .map(|(_, c)| *c)
                    .collect();
                forms.push((text, c2));
            }
            for (text, counts) in forms {
                let next = patterns.len() as u32;
                let id = *pat_index.entry(text.clone()).or_insert(next);
                if id == next {
                    patterns.push(text);
                }
                tagged.push((
                    id,
                    PatRef {
                        kind: def.kind,
                        mode,
                        counts: counts.into_boxed_slice(),
                    },
                ));
            }
        }
        tagged.sort_by_key(|(id, _)| *id);
        let mut pat_refs = vec![(0u32, 0u32); patterns.len()];
        let mut refs = Vec::with_capacity(tagged.len());
        for (id, r) in tagged {
            if let Some(slot) = pat_refs.get_mut(id as usize) {
                if slot.1 == slot.0 {
                    slot.0 = refs.len() as u32;
                }
                refs.push(r);
                slot.1 = refs.len() as u32;
            }
        }
        let ac = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&patterns)
                    .map_err(|e| (last, EntryError::Automaton(e.to_string())))?,
            )
        };
        Ok(Lexicon { ac, pat_refs, refs })
    }

    /// Number of distinct patterns in the automaton.
    pub fn pattern_count(&self) -> usize {
        self.pat_refs.len()
    }

    /// Finds all validated hits in a match key. Allow-list exceptions are applied: entry hits
    /// inside an allow hit are removed, allow hits themselves are not returned.
    pub(crate) fn find(&self, key: &KeyBuf, ws: &mut Workspace) -> Vec<Hit> {
        let mut hits = Vec::new();
        let Some(ac) = &self.ac else {
            return hits;
        };
        let mut scan = std::mem::take(&mut ws.scan);
        ws.tokenize_scan(key.chars(), &mut scan);
        if ws.toks.is_empty() {
            ws.scan = scan;
            return hits;
        }
        self.search(ac, &scan, Via::Key, &mut hits);
        // Vocative flags per token, from the main scan.
        ws.vocative.clear();
        for &(a, b) in &scan.toks {
            let t: &[SChar] = scan.sc.get(a as usize..b as usize).unwrap_or(&[]);
            let voc =
                matches!(t, [x, y] if (x.ch == 'ي' && y.ch == 'ا') || (x.ch == 'y' && y.ch == 'a'));
            ws.vocative.push(voc);
        }
        // Variants of Latin tokens.
        let mut vscan = std::mem::take(&mut ws.vscan);
        let ntoks = ws.toks.len();
        for ti in 0..ntoks {
            let Some(t) = ws.toks.get(ti).copied() else {
                continue;
            };
            if t.script != Script::Latin || !(t.has_digit || t.has_symbol) {
                continue;
            }
            ws.tmp.clear();
            for b in t.b0..t.b1 {
                if let Some(bt) = ws.base.get(b) {
                    ws.tmp
                        .extend(key.chars().get(bt.k0..bt.k1).unwrap_or(&[]).iter().copied());
                }
            }
            if ws.tmp.iter().any(|&c| leet(c) != c) {
                vscan.clear();
                vscan.push_token(ti as u32, ws.tmp.iter().map(|&c| (leet(c), t.k0, t.k1)));
                vscan.finish();
                self.search(ac, &vscan, Via::Leet, &mut hits);
            }
            if !t.has_symbol
                && ws
                    .tmp
                    .iter()
                    .any(|c| matches!(c, '2' | '3' | '5' | '6' | '7' | '8' | '9'))
            {
                let prev_voc = ti
                    .checked_sub(1)
                    .and_then(|p| ws.vocative.get(p).copied().zip(ws.toks.get(p)))
                    .filter(|(v, _)| *v)
                    .map(|(_, p)| (p.k0, p.k1));
                for v in arabizi_variants(&ws.tmp) {
                    vscan.clear();
                    if let Some((p0, p1)) = prev_voc {
                        vscan
                            .push_token(ti as u32 - 1, ['ي', 'ا'].into_iter().map(|c| (c, p0, p1)));
                    }
                    vscan.push_token(ti as u32, v.iter().map(|&c| (c, t.k0, t.k1)));
                    vscan.finish();
                    self.search(ac, &vscan, Via::Arabizi, &mut hits);
                }
            }
        }
        ws.vscan = vscan;
        ws.scan = scan;
        for h in &mut hits {
            if !h.vocative && h.tok0 > 0 {
                h.vocative = ws
                    .vocative
                    .get(h.tok0 as usize - 1)
                    .copied()
                    .unwrap_or(false);
            }
        }
        postprocess(&mut hits);
        hits
    }

    fn search(&self, ac: &AhoCorasick, scan: &Scan, via: Via, out: &mut Vec<Hit>) {
        for m in ac.find_overlapping_iter(scan.text.as_slice()) {
            let (Some(s), Some(e)) = (scan.char_at(m.start()), scan.char_at(m.end())) else {
                continue;
            };
            let Some(&(r0, r1)) = self.pat_refs.get(m.pattern().as_usize()) else {
                continue;
            };
            for r in self.refs.get(r0 as usize..r1 as usize).unwrap_or(&[]) {
                if let Some(h) = validate(r, scan, s, e, via) {
                    out.push(h);
                }
            }
        }
    }
}

/// True when `head` + `ch` repeated `k` times + `tail` (all expanded with their run
/// counts) spells one of `list`, for some `k` in `0..=extra`.
fn spells(head: &[SChar], ch: char, extra: u16, tail: &[SChar], list: &[&str]) -> bool {
    list.iter().any(|p| {
        // Peel `head` off the front of the word and `tail` off its back (most words fail on
        // their first char, without counting their chars); what is left must be `ch`
        // repeated at most `extra` times.
        let mut rest = p.chars();
        for c in head {
            for _ in 0..c.count {
                if rest.next() != Some(c.ch) {
                    return false;
                }
            }
        }
        for c in tail.iter().rev() {
            for _ in 0..c.count {
                if rest.next_back() != Some(c.ch) {
                    return false;
                }
            }
        }
        let mut k = 0usize;
        for r in rest {
            if r != ch {
                return false;
            }
            k += 1;
        }
        k <= usize::from(extra)
    })
}

/// Prefix is acceptable: empty, or a proclitic, where the proclitic may end with letters of
/// the entry's first run ("لل" + "لوطي" collapses into one run of ل).
fn ok_prefix(prefix: &[SChar], first: &SChar, need: u16, list: &[&str]) -> bool {
    if prefix.is_empty() {
        return true;
    }
    spells(
        prefix,
        first.ch,
        first.count.saturating_sub(need),
        &[],
        list,
    )
}

/// Suffix is acceptable: empty, or an enclitic/suffix (compared with run counts expanded, so
/// "assess" is not "ass" + "es").
fn ok_suffix(suffix: &[SChar], last: &SChar, need: u16, list: &[&str]) -> bool {
    if suffix.is_empty() {
        return true;
    }
    spells(&[], last.ch, last.count.saturating_sub(need), suffix, list)
}

fn validate(r: &PatRef, scan: &Scan, s: usize, e: usize, via: Via) -> Option<Hit> {
    let hit = scan.sc.get(s..e)?;
    if hit.len() != r.counts.len() {
        return None;
    }
    if hit.iter().zip(r.counts.iter()).any(|(c, &n)| c.count < n) {
        return None;
    }
    let first = hit.first()?;
    let last = hit.last()?;
    let ta = first.tok;
    let tb = last.tok;
    let &(ts, _) = scan.toks.get(ta as usize)?;
    let &(_, te) = scan.toks.get(tb as usize)?;
    let prefix = scan.sc.get(ts as usize..s)?;
    let suffix = scan.sc.get(e..te as usize)?;
    let need_first = r.counts.first().copied().unwrap_or(1);
    let need_last = r.counts.last().copied().unwrap_or(1);
    let ok = match r.mode {
        Mode::Substring => true,
        Mode::Latin { short } => {
            prefix.is_empty()
                && ok_suffix(
                    suffix,
                    last,
                    need_last,
                    if short {
                        SHORT_LATIN_SUFFIXES
                    } else {
                        LATIN_SUFFIXES
                    },
                )
        }
        Mode::Arabic { short } => {
            ok_prefix(prefix, first, need_first, PROCLITICS)
                && ok_suffix(
                    suffix,
                    last,
                    need_last,
                    if short { SHORT_ENCLITICS } else { ENCLITICS },
                )
        }
    };
    if !ok {
        return None;
    }
    let (k0, k1) = if r.mode == Mode::Substring {
        (first.k0 as usize, last.k1 as usize)
    } else {
        let a = scan.sc.get(ts as usize)?;
        let b = scan.sc.get((te as usize).checked_sub(1)?)?;
        (a.k0 as usize, b.k1 as usize)
    };
    let vocative = prefix.len() >= 2
        && prefix.first().map(|c| c.ch) == Some('ي')
        && prefix.get(1).map(|c| c.ch) == Some('ا');
    Some(Hit {
        kind: r.kind,
        tok0: *scan.tok_main.get(ta as usize)?,
        tok1: *scan.tok_main.get(tb as usize)?,
        k0,
        k1,
        vocative,
        via,
    })
}

/// Removes entry hits inside allow hits, drops allow hits, dedupes.
fn postprocess(hits: &mut Vec<Hit>) {
    let allows: Vec<(usize, usize)> = hits
        .iter()
        .filter(|h| h.kind == HitKind::Allow)
        .map(|h| (h.k0, h.k1))
        .collect();
    hits.retain(|h| {
        h.kind != HitKind::Allow
            && !(matches!(h.kind, HitKind::Entry { .. })
                && allows.iter().any(|&(a, b)| a <= h.k0 && h.k1 <= b))
    });
    hits.sort_by_key(|h| (h.k0, std::cmp::Reverse(h.k1)));
    let mut out: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits.iter() {
        let dup = out.iter().any(|o| {
            let same_list = match (o.kind, h.kind) {
                (HitKind::Entry { list: a, .. }, HitKind::Entry { list: b, .. }) => a == b,
                (a, b) => a == b,
            };
            same_list && o.k0 <= h.k0 && h.k1 <= o.k1
        });
        if !dup {
            out.push(*h);
        }
    }
    *hits = out;
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SChar {
    pub ch: char,
    pub count: u16,
    pub k0: u32,
    pub k1: u32,
    /// Local token index; u32::MAX for the space between tokens.
    pub tok: u32,
}

/// Byte code of one scan char (see [`Scan::text`]).
#[inline(always)]
fn encode(ch: char, out: &mut Vec<u8>) -> usize {
    let u = ch as u32;
    if u < 0x80 {
        out.push(u as u8);
        1
    } else if (0x0620..0x06A0).contains(&u) {
        out.push((u - 0x0620 + 0x80) as u8);
        1
    } else {
        out.extend_from_slice(&[ESCAPE, (u >> 16) as u8, (u >> 8) as u8, u as u8]);
        4
    }
}

/// Lead byte of a 4-byte scan code. ASCII control characters are separators, so they never
/// appear in a scan as themselves.
const ESCAPE: u8 = 0x01;

/// Marks a byte of `Scan::text` that does not start a char.
const NOT_A_CHAR: u32 = u32::MAX;

/// The scan string and per-char metadata.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scan {
    /// The scan chars in a compact prefix code (so that the automaton reads about one byte per
    /// char): ASCII as itself, U+0620–U+069F as one byte 0x80–0xFF, anything else as
    /// [`ESCAPE`] plus three bytes of the code point. Entries use the same code; a match that
    /// starts or ends inside a 4-byte code is discarded.
    pub text: Vec<u8>,
    pub sc: Vec<SChar>,
    /// byte offset in `text` → index in `sc`, or [`NOT_A_CHAR`] inside a 4-byte code (plus
    /// one sentinel at `text.len()`). Only built when `escaped`; otherwise every char is one
    /// byte and the map is the identity.
    pub b2c: Vec<u32>,
    /// `text` contains a 4-byte code.
    pub escaped: bool,
    /// Local token → scan char range.
    pub toks: Vec<(u32, u32)>,
    /// Local token → token index in the field.
    pub tok_main: Vec<u32>,
}

impl Scan {
    fn clear(&mut self) {
        self.text.clear();
        self.sc.clear();
        self.b2c.clear();
        self.escaped = false;
        self.toks.clear();
        self.tok_main.clear();
    }

    fn push_token(&mut self, main: u32, chars: impl Iterator<Item = (char, usize, usize)>) {
        let local = self.toks.len() as u32;
        if local > 0 {
            let k = self.sc.last().map(|c| c.k1).unwrap_or(0);
            self.push_char(SChar {
                ch: ' ',
                count: 1,
                k0: k,
                k1: k,
                tok: u32::MAX,
            });
        }
        let start = self.sc.len();
        for (ch, k0, k1) in chars {
            if self.sc.len() > start
                && let Some(last) = self.sc.last_mut()
                && last.ch == ch
            {
                last.count = last.count.saturating_add(1);
                last.k1 = k1 as u32;
                continue;
            }
            self.push_char(SChar {
                ch,
                count: 1,
                k0: k0 as u32,
                k1: k1 as u32,
                tok: local,
            });
        }
        self.toks.push((start as u32, self.sc.len() as u32));
        self.tok_main.push(main);
    }

    #[inline(always)]
    fn push_char(&mut self, c: SChar) {
        if encode(c.ch, &mut self.text) != 1 {
            self.escaped = true;
        }
        self.sc.push(c);
    }

    fn finish(&mut self) {
        self.b2c.clear();
        if self.escaped {
            let mut buf = Vec::with_capacity(4);
            for (idx, c) in self.sc.iter().enumerate() {
                buf.clear();
                self.b2c.push(idx as u32);
                for _ in 1..encode(c.ch, &mut buf) {
                    self.b2c.push(NOT_A_CHAR);
                }
            }
            self.b2c.push(self.sc.len() as u32);
        }
    }

    /// Index in `sc` of the char starting at byte `at` of `text` (`sc.len()` at the end).
    #[inline]
    fn char_at(&self, at: usize) -> Option<usize> {
        if self.escaped {
            self.b2c
                .get(at)
                .copied()
                .filter(|&i| i != NOT_A_CHAR)
                .map(|i| i as usize)
        } else {
            (at <= self.sc.len()).then_some(at)
        }
    }
}

/// A raw token of the key.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BaseTok {
    k0: usize,
    k1: usize,
    script: Script,
    /// All chars are the same letter (e.g. "ح" or "ححح").
    single_letter: bool,
    has_digit: bool,
    has_symbol: bool,
}

/// An effective token: one base token or a joined run of single-letter base tokens.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tok {
    pub b0: usize,
    pub b1: usize,
    pub k0: usize,
    pub k1: usize,
    pub script: Script,
    pub has_digit: bool,
    pub has_symbol: bool,
}

/// Reusable buffers for matching (one per thread / call site).
#[derive(Debug, Default, Clone)]
pub(crate) struct Workspace {
    pub base: Vec<BaseTok>,
    pub toks: Vec<Tok>,
    scan: Scan,
    vscan: Scan,
    tmp: Vec<char>,
    vocative: Vec<bool>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Arabic,
    Latin,
    Digit,
    OtherAlnum,
    Symbol,
    Sep,
}

/// U+0620–U+064A except tatweel: Arabic letters (see `is_arabic_letter`) that make up almost
/// all Arabic text.
#[inline(always)]
fn is_common_arabic_letter(c: char) -> bool {
    let u = c as u32;
    (0x0620..=0x064A).contains(&u) && u != 0x0640
}

fn classify(c: char) -> Class {
    if c.is_ascii_alphabetic() {
        Class::Latin
    } else if c.is_ascii_digit() {
        Class::Digit
    } else if c.is_ascii() {
        if matches!(c, '@' | '$' | '!') {
            Class::Symbol
        } else {
            Class::Sep
        }
    } else if is_arabic_letter(c) {
        Class::Arabic
    } else if is_latin_letter(c) {
        Class::Latin
    } else if c.is_alphanumeric() {
        Class::OtherAlnum
    } else {
        Class::Sep
    }
}

impl Workspace {
    /// Splits the key into base tokens and effective tokens.
    pub(crate) fn tokenize(&mut self, chars: &[char]) {
        let mut scan = std::mem::take(&mut self.scan);
        self.tokenize_scan(chars, &mut scan);
        self.scan = scan;
    }

    /// [`Workspace::tokenize`] and [`Workspace::fill_main_scan`] in one pass over the key: the
    /// scan is written while the base tokens are found, and rebuilt only when single-letter
    /// tokens were joined (then base tokens and effective tokens differ).
    pub(crate) fn tokenize_scan(&mut self, chars: &[char], scan: &mut Scan) {
        self.base.clear();
        self.toks.clear();
        scan.clear();
        scan.text.reserve(chars.len() + 4);
        scan.sc.reserve(chars.len() + 1);
        let mut cur: Option<BaseTok> = None;
        // First char of the current token (for `single_letter`).
        let mut first = '\0';
        // Scan index where the current token starts, and its last scan char (run collapse).
        let mut sc_start = 0usize;
        let mut last = '\0';
        let mut i = 0usize;
        while let Some(&c) = chars.get(i) {
            // Fast path: Arabic letters continuing an Arabic (or not yet lettered) token.
            if is_common_arabic_letter(c)
                && let Some(t) = cur.as_mut()
                && t.script != Script::Latin
            {
                t.script = Script::Arabic;
                let mut single = t.single_letter;
                let mut j = i;
                while let Some(&d) = chars.get(j) {
                    if !is_common_arabic_letter(d) {
                        break;
                    }
                    single &= first == d;
                    if d == last
                        && let Some(prev) = scan.sc.last_mut()
                    {
                        prev.count = prev.count.saturating_add(1);
                        prev.k1 = j as u32 + 1;
                    } else {
                        last = d;
                        scan.push_char(SChar {
                            ch: d,
                            count: 1,
                            k0: j as u32,
                            k1: j as u32 + 1,
                            tok: self.base.len() as u32,
                        });
                    }
                    j += 1;
                }
                t.single_letter = single;
                t.k1 = j;
                i = j;
                continue;
            }
            let class = classify(c);
            let next = chars.get(i + 1).copied();
            let include = match class {
                Class::Sep => false,
                Class::Symbol => {
                    let in_latin = cur.is_some_and(|t| t.script != Script::Arabic);
                    let next_latin = next.is_some_and(|n| n.is_ascii_alphanumeric());
                    if c == '!' {
                        in_latin && next_latin
                    } else {
                        in_latin || next.is_some_and(|n| n.is_ascii_alphabetic())
                    }
                }
                _ => true,
            };
            if !include {
                if let Some(t) = cur.take() {
                    self.push_base(t, sc_start, scan);
                }
                i += 1;
                continue;
            }
            let script = match class {
                Class::Arabic => Some(Script::Arabic),
                Class::Latin => Some(Script::Latin),
                _ => None,
            };
            // Split between Arabic and non-Arabic letters.
            if let (Some(t), Some(s)) = (cur, script)
                && t.script != Script::Other
                && t.script != s
            {
                self.push_base(t, sc_start, scan);
                cur = None;
            }
            if cur.is_none() {
                first = c;
                last = '\0';
                if !self.base.is_empty() {
                    let k = scan.sc.last().map(|c| c.k1).unwrap_or(0);
                    scan.push_char(SChar {
                        ch: ' ',
                        count: 1,
                        k0: k,
                        k1: k,
                        tok: u32::MAX,
                    });
                }
                sc_start = scan.sc.len();
            }
            let t = cur.get_or_insert(BaseTok {
                k0: i,
                k1: i,
                script: Script::Other,
                single_letter: true,
                has_digit: false,
                has_symbol: false,
            });
            if let Some(s) = script
                && t.script == Script::Other
            {
                t.script = s;
            }
            if t.single_letter {
                t.single_letter = first == c && matches!(class, Class::Arabic | Class::Latin);
            }
            t.has_digit |= class == Class::Digit;
            t.has_symbol |= class == Class::Symbol;
            t.k1 = i + 1;
            if c == last
                && let Some(prev) = scan.sc.last_mut()
            {
                prev.count = prev.count.saturating_add(1);
                prev.k1 = i as u32 + 1;
            } else {
                last = c;
                scan.push_char(SChar {
                    ch: c,
                    count: 1,
                    k0: i as u32,
                    k1: i as u32 + 1,
                    tok: self.base.len() as u32,
                });
            }
            i += 1;
        }
        if let Some(t) = cur.take() {
            self.push_base(t, sc_start, scan);
        }
        scan.finish();
        // A join needs two single-letter tokens; without them (the usual case) every base
        // token is a token and the join loop below is skipped.
        if self
            .base
            .iter()
            .filter(|b| b.single_letter)
            .nth(1)
            .is_none()
        {
            self.toks
                .extend(self.base.iter().enumerate().map(|(i, b)| Tok {
                    b0: i,
                    b1: i + 1,
                    k0: b.k0,
                    k1: b.k1,
                    script: b.script,
                    has_digit: b.has_digit,
                    has_symbol: b.has_symbol,
                }));
            return;
        }
        // Join runs of single letters.
        let n = self.base.len();
        let mut i = 0;
        while i < n {
            let Some(bi) = self.base.get(i).copied() else {
                break;
            };
            let mut j = i + 1;
            let mut spaced = false;
            if bi.single_letter {
                while let Some(bj) = self.base.get(j).copied() {
                    let Some(prev) = self.base.get(j - 1) else {
                        break;
                    };
                    if !bj.single_letter || bj.script != bi.script {
                        break;
                    }
                    let gap = chars.get(prev.k1..bj.k0).unwrap_or(&[]);
                    if gap.is_empty() || gap.len() > 4 || !gap.iter().all(|&c| is_join_sep(c)) {
                        break;
                    }
                    spaced |= gap.iter().any(|c| c.is_whitespace());
                    j += 1;
                }
            }
            let run = j - i;
            let join = run >= 3 || (run == 2 && !spaced);
            let end = if join { j } else { i + 1 };
            let k1 = self.base.get(end - 1).map(|b| b.k1).unwrap_or(bi.k1);
            let mut tok = Tok {
                b0: i,
                b1: end,
                k0: bi.k0,
                k1,
                script: bi.script,
                has_digit: false,
                has_symbol: false,
            };
            for b in self.base.get(i..end).unwrap_or(&[]) {
                tok.has_digit |= b.has_digit;
                tok.has_symbol |= b.has_symbol;
            }
            self.toks.push(tok);
            i = end;
        }
        if self.toks.len() != self.base.len() {
            self.fill_main_scan(chars, scan);
        }
    }

    /// Ends base token `t`, whose scan chars start at `sc_start`.
    fn push_base(&mut self, t: BaseTok, sc_start: usize, scan: &mut Scan) {
        scan.toks.push((sc_start as u32, scan.sc.len() as u32));
        scan.tok_main.push(self.base.len() as u32);
        self.base.push(t);
    }

    fn fill_main_scan(&self, chars: &[char], scan: &mut Scan) {
        scan.clear();
        scan.text.reserve(chars.len() + 4);
        scan.sc.reserve(chars.len() + 1);
        for (ti, t) in self.toks.iter().enumerate() {
            if ti > 0 {
                let k = scan.sc.last().map(|c| c.k1).unwrap_or(0);
                scan.push_char(SChar {
                    ch: ' ',
                    count: 1,
                    k0: k,
                    k1: k,
                    tok: u32::MAX,
                });
            }
            let start = scan.sc.len();
            let local = ti as u32;
            // Run-length collapse within the token.
            let mut last = '\0';
            for b in self.base.get(t.b0..t.b1).unwrap_or(&[]) {
                for (k, &ch) in (b.k0..).zip(chars.get(b.k0..b.k1).unwrap_or(&[])) {
                    if ch == last
                        && scan.sc.len() > start
                        && let Some(prev) = scan.sc.last_mut()
                    {
                        prev.count = prev.count.saturating_add(1);
                        prev.k1 = k as u32 + 1;
                        continue;
                    }
                    last = ch;
                    scan.push_char(SChar {
                        ch,
                        count: 1,
                        k0: k as u32,
                        k1: k as u32 + 1,
                        tok: local,
                    });
                }
            }
            scan.toks.push((start as u32, scan.sc.len() as u32));
            scan.tok_main.push(local);
        }
        scan.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(entries: &[(&str, bool)]) -> Lexicon {
        let defs = entries.iter().enumerate().map(|(i, (t, sub))| EntryDef {
            kind: HitKind::Entry {
                list: 0,
                entry: i as u32,
            },
            term: t,
            substring: *sub,
        });
        Lexicon::build(defs).unwrap()
    }

    fn hits(l: &Lexicon, text: &str) -> Vec<(String, Via)> {
        let mut key = KeyBuf::default();
        key.build(text);
        let mut ws = Workspace::default();
        l.find(&key, &mut ws)
            .into_iter()
            .map(|h| {
                let s = key.starts().get(h.k0).copied().unwrap();
                let e = key.ends().get(h.k1 - 1).copied().unwrap();
                (text[s..e].to_string(), h.via)
            })
            .collect()
    }

    #[test]
    fn tokenizer_joins_single_letter_runs() {
        let mut ws = Workspace::default();
        let cases: &[(&str, usize)] = &[
            ("ح م ا ر", 1),
            ("ح.م.ا.ر", 1),
            ("ك س", 2),
            ("ك.س", 1),
            ("f u c k", 1),
            ("a b", 2),
            ("هذا و ذاك", 3),
            ("abcحمار", 2),
            ("a$$ hole", 2),
            ("sh!t!", 1),
        ];
        for (text, want) in cases {
            let mut key = KeyBuf::default();
            key.build(text);
            ws.tokenize(key.chars());
            assert_eq!(ws.toks.len(), *want, "{text}");
        }
    }

    #[test]
    fn token_logic_table() {
        let l = lex(&[
            ("كس", false),
            ("حمار", false),
            ("زب", false),
            ("ass", false),
            ("fuck", false),
            ("cunt", true),
            ("كس امك", false),
            ("5ara", false),
        ]);
        let cases: &[(&str, &[&str])] = &[
            ("كس", &["كس"]),
            ("وكسك", &["وكسك"]),
            ("كسر عكس المكسيك كسب", &[]),
            ("زبون الزبدة", &[]),
            ("زبه", &["زبه"]),
            ("يا حمار", &["حمار"]),
            ("والحمارين", &["والحمارين"]),
            ("بالحماره", &["بالحماره"]),
            ("حماررر", &["حماررر"]),
            ("حممممار", &["حممممار"]),
            ("ح م ا ر", &["ح م ا ر"]),
            ("ح.م.ا.ر!", &["ح.م.ا.ر"]),
            ("ك س", &[]),
            ("ك.س", &["ك.س"]),
            ("class assistant as", &[]),
            ("asss", &["asss"]),
            ("asses", &["asses"]),
            ("fucking", &["fucking"]),
            ("f.u.c.k", &["f.u.c.k"]),
            ("scunthorpe", &["cunt"]),
            ("كس امك", &["كس امك"]),
            ("5araaa", &["5araaa"]),
            ("mifuck", &[]),
        ];
        for (text, want) in cases {
            let got: Vec<String> = hits(&l, text).into_iter().map(|h| h.0).collect();
            for w in *want {
                assert!(
                    got.iter().any(|g| g == w),
                    "{text}: want {w:?}, got {got:?}"
                );
            }
            if want.is_empty() {
                assert!(got.is_empty(), "{text}: got {got:?}");
            }
        }
    }

    #[test]
    fn leet_and_arabizi_variants() {
        let l = lex(&[("shit", false), ("حمار", false)]);
        let h = hits(&l, "sh1t");
        assert_eq!(h, vec![("sh1t".to_string(), Via::Leet)]);
        let h = hits(&l, "ya 7mar");
        assert_eq!(h, vec![("7mar".to_string(), Via::Arabizi)]);
        assert!(hits(&l, "7 2024 777").is_empty());
    }

    #[test]
    fn substring_requires_latin_four_letters() {
        let r = Lexicon::build([EntryDef {
            kind: HitKind::Allow,
            term: "كلب",
            substring: true,
        }]);
        assert!(matches!(r, Err((0, EntryError::SubstringNotAllowed))));
        let r = Lexicon::build([EntryDef {
            kind: HitKind::Allow,
            term: " ... ",
            substring: false,
        }]);
        assert!(matches!(r, Err((0, EntryError::Empty))));
    }

    #[test]
    fn allow_list_suppresses() {
        let defs = vec![
            EntryDef {
                kind: HitKind::Entry { list: 0, entry: 0 },
                term: "cunt",
                substring: true,
            },
            EntryDef {
                kind: HitKind::Allow,
                term: "scunthorpe",
                substring: false,
            },
        ];
        let l = Lexicon::build(defs).unwrap();
        assert!(hits(&l, "Scunthorpe United").is_empty());
        assert_eq!(hits(&l, "cunt").len(), 1);
    }
}
