//! Compiled word lists: one Aho-Corasick automaton over every spelling of every entry of every
//! list (plus the protected terms and the allow list), run over a "scan string" built from the
//! match key, followed by token logic that decides whether a raw automaton hit counts.
//!
//! **Entries are lemmas** ([`forms`]): when a list is compiled, each Arabic entry is expanded
//! into its spellings (irregular forms from `seed/forms-ar.txt` and the entry's own `forms`,
//! the article on inner words, hamza seats, the feminine stem of a word in ة); regular endings
//! are suffix classes checked by the token logic, so they cost no pattern.
//!
//! Scan string: the match key is split into tokens (runs of letters/digits; Latin tokens may
//! also contain the leet symbols `@ $ !`; a change between Arabic and Latin letters splits a
//! token). Runs of single-letter tokens separated by any run of non-letters (up to
//! [`MAX_JOIN_GAP`] chars: punctuation of any script, symbols, emoji, the braille blank …) are
//! joined ("ح.م.ا.ر", "f u c k", "ح⠀م⠀ا⠀ر": at least 3 letters, or exactly 2 when the
//! separators contain no whitespace; an Arabizi digit among spaced Latin letters is one of
//! them, "9.a.7.b.a"; a first letter set off by another gap than the rest of the run, as in
//! "a m.o.r.o.n", stays a word of its own). Each token is run-length collapsed ("حماااار" → ح م ا ر
//! with counts 1 1 4 1) and tokens are joined with one space. Entries go through the same
//! pipeline, so an entry letter that is doubled ("ass") requires at least that many repeats in
//! the text (each letter may repeat, legit double letters are still required).
//!
//! Token logic for a hit of a spelling E spanning tokens `ta..=tb`:
//! * Arabic spellings: the text before E in token `ta` must be empty or a proclitic
//!   (و ف ب ك ل ال وال بال فال كال لل يا …); the text after E in `tb` must fit the spelling's
//!   [`Suffixes`] class: pronoun enclitics (ه ها هم ك كم ي …) for short entries (≤ 3 letters,
//!   whose plural endings would create real words such as زبون), the full class for the rest
//!   (pronouns, sound plural and dual ين ون ات ان, ة → ت before a pronoun: حقيرتك) and a
//!   required feminine suffix for feminine stems (قحب + ات / تك / تين). A three-letter entry
//!   ending in ي (غبي) takes the full class (غبيين، غبيون، غبيات).
//! * An Arabic affix written with its letters repeated ("االلززبب") is read collapsed, and
//!   then borrows none of the entry's own repeated letters.
//! * Latin entries: nothing before; after: nothing or a simple suffix (s es ed ing er ers y;
//!   short entries only s es).
//! * Latin entries marked `substring` (≥ 4 letters): anywhere.
//! * Allow entries containing a letter the key folds lossily (ى ة أ إ آ ؤ ئ) only match where
//!   the text has that letter as written: "عزى" (offered condolences) is allowed, the slur
//!   "عزي" is not, although both have the key عزي.
//!
//! Variants, matched after the main scan:
//! * Latin tokens with leet characters (0 1 3 4 5 7 @ $ !) or a v standing for u ("fvck");
//! * masked letters: two Latin tokens separated only by `*` or `#`, one letter each ("f*ck",
//!   "b*tch"), compared with the one-word Latin entries, except inside a word spelled out
//!   with stars between its letters ("l*m*i*z*i*r");
//! * a word split in two by whitespace: two adjacent tokens of one script, neither a function
//!   word (in Arabic, or a function word beside a piece of at most two letters that is no
//!   word: "يل عن", "قح بة"), one of them at most two letters or a line break between them (in
//!   Arabic also two pieces cut by punctuation without a space: "الشي.عة", "ك.فار"), are
//!   joined; the join counts only for an entry of at least four letters (three when
//!   punctuation cut it: "كـ.لب") that spans both parts and ends with the second ("حما ر",
//!   "شرمو طة");
//! * an entry glued to the word before it, the space dropped ("الكاتبحمار", "هذاالكلب",
//!   "youidiot"): read in the main scan when the word is frequent and the entry long enough,
//!   or the entry too long to end another word (see [`glued`]);
//! * Arabizi ([`arabizi`]): runs of Latin tokens are read as Arabic spellings of the entries
//!   (both digit maps, digitless skeletons with word-boundary discipline); 0 1 @ $ ! stand for
//!   no Arabizi letter, so there they are leet (o i a s i: "d1n", "9@7b@").

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

mod arabizi;
mod forms;

use super::normalize::{
    KeyBuf, is_alnum, is_arabic_letter, is_latin_letter, is_lossy_letter, leet,
};

const PROCLITICS: &[&str] = &[
    "و", "ف", "ب", "ك", "ل", "ال", "وال", "بال", "فال", "كال", "يا", "وب", "ول", "فل", "وك", "فب",
    "لل", "ولل", "فلل", "وبال", "فبال", "وكال",
    // Levantine and Gulf demonstrative ه + article ("هالبلد" this country), and عال (على ال).
    "هال", "وهال", "بهال", "لهال", "عهال", "فهال", "عال", "وعال",
];
const ENCLITICS: &[&str] = &[
    "ه", "ها", "هم", "هن", "هما", "ك", "كم", "كما", "كن", "ي", "نا", "ين", "ون", "ات", "ان", "يه",
    "تك", "تكم", "تكن", "ته", "تها", "تهم", "تهن", "تي", "تنا", "تين", "تان",
];
/// Suffixes of a feminine stem (the entry without its ة): plural, dual, ة → ت before a pronoun.
const FEM_SUFFIXES: &[&str] = &[
    "ات", "تان", "تين", "تي", "تك", "تكم", "تكن", "ته", "تها", "تهم", "تهن", "تنا", "اتك", "اتكم",
    "اته", "اتها", "اتهم", "اتي", "اتنا",
];
const SHORT_ENCLITICS: &[&str] = &["ه", "ها", "هم", "هن", "هما", "ك", "كم", "كما", "كن", "ي"];
/// Endings of a three-letter noun beyond its pronouns: the dual (كلبان، كلبين). Sound plurals
/// stay out (they make real words of short stems). The accusative tanween is [`tanween`].
const TRILITERAL_ENDINGS: &[&str] = &["ان", "ين"];

/// The accusative tanween written ا after a noun (حماراً → حمارا، كلباً → كلبا), except after
/// و ا ه, where ا is the plural verb ending (فجروا is not ف + جرو + ا) or part of the word.
fn tanween(suffix: &[SChar], last: &SChar) -> bool {
    matches!(suffix, [c] if c.ch == 'ا' && c.count == 1) && !matches!(last.ch, 'و' | 'ا' | 'ه')
}
/// Tense prefixes of the dialects before an imperfect verb (ن… ي…): Egyptian ه ح, Moroccan غ,
/// MSA س ("هنذبح", "حنقتل", "غنحرقو", "سنطرد").
const TENSE_PROCLITICS: &[&str] = &["ه", "ح", "غ", "س", "وه", "وح", "وغ", "وس", "فس", "فه"];
/// Proclitics an independent pronoun takes (و ف): "كانت" is a verb, not ك + انت.
const PRONOUN_PROCLITICS: &[&str] = &["و", "ف"];
/// Independent pronouns (match keys) that take no preposition or article: an entry starting
/// with one ("انت غبي") only takes و or ف before it.
const PRONOUNS: &[&str] = &[
    "انت",
    "انتي",
    "انتو",
    "انتم",
    "انتما",
    "انتن",
    "انا",
    "هو",
    "هي",
    "هم",
    "هن",
    "هما",
    "نتا",
    "نتي",
    "نتوما",
    "نحن",
    "احنا",
];
/// The longest affix of the lists above and below, in chars: a match with more scan chars
/// than this before or after it in its word cannot spell an affix (every scan char stands for
/// at least one char), so it is dropped before the lists are tried (before it, the bound is
/// [`MAX_GLUE_PREFIX`]: an entry glued to the word before it).
const MAX_AFFIX: usize = 4;
const LATIN_SUFFIXES: &[&str] = &["s", "es", "ed", "ing", "er", "ers", "y"];
const SHORT_LATIN_SUFFIXES: &[&str] = &["s", "es"];
/// Longest text, in scan chars, before an entry glued to the word before it (a word and a
/// proclitic: "الكاتبحمار", "هذاالكلب"); see [`glued`].
const MAX_GLUE_PREFIX: usize = 12;
/// Latin words an insult is glued to in Latin text ("youidiot", "thismoron", "espececonnard").
const LATIN_GLUE_HEADS: &[&str] = &[
    "you", "ur", "your", "youre", "ya", "this", "that", "these", "those", "such", "what", "a",
    "an", "sale", "espece", "tu", "vous", "une", "des", "ces",
];

/// An affix list with its words packed as numbers, sorted, for [`spells`]' common case (no
/// elongated letter at the seam): one binary search instead of a walk through the list.
struct Affixes {
    words: &'static [&'static str],
    keys: std::sync::LazyLock<Box<[u64]>>,
}

/// Up to [`MAX_AFFIX`] chars of the Basic Multilingual Plane packed 16 bits each (chars are
/// never NUL, so the length is part of the number); `None` for anything longer or wider.
fn affix_key(chars: impl Iterator<Item = char>) -> Option<u64> {
    let mut key = 0u64;
    for (n, c) in chars.enumerate() {
        let u = u32::from(c);
        if n >= MAX_AFFIX || u > 0xFFFF {
            return None;
        }
        key = (key << 16) | u64::from(u);
    }
    Some(key)
}

/// [`affix_key`] of `head` then `tail` with their run counts expanded, read run by run
/// (this runs for most automaton matches, so it avoids the chained iterators).
fn runs_key(head: &[SChar], tail: &[SChar]) -> Option<u64> {
    let mut key = 0u64;
    let mut n = 0usize;
    for c in head.iter().chain(tail) {
        let u = u32::from(c.ch);
        let count = usize::from(c.count);
        if n + count > MAX_AFFIX || u > 0xFFFF {
            return None;
        }
        for _ in 0..count {
            key = (key << 16) | u64::from(u);
        }
        n += count;
    }
    Some(key)
}

fn affix_keys(words: &[&str]) -> Box<[u64]> {
    let mut keys: Vec<u64> = words.iter().filter_map(|w| affix_key(w.chars())).collect();
    keys.sort_unstable();
    keys.into()
}

macro_rules! affixes {
    ($($set:ident = $list:ident;)*) => {
        $(static $set: Affixes = Affixes {
            words: $list,
            keys: std::sync::LazyLock::new(|| affix_keys($list)),
        };)*
    };
}

affixes! {
    PROCLITIC_SET = PROCLITICS;
    ENCLITIC_SET = ENCLITICS;
    FEM_SUFFIX_SET = FEM_SUFFIXES;
    SHORT_ENCLITIC_SET = SHORT_ENCLITICS;
    TRILITERAL_ENDING_SET = TRILITERAL_ENDINGS;
    TENSE_PROCLITIC_SET = TENSE_PROCLITICS;
    PRONOUN_PROCLITIC_SET = PRONOUN_PROCLITICS;
    LATIN_SUFFIX_SET = LATIN_SUFFIXES;
    SHORT_LATIN_SUFFIX_SET = SHORT_LATIN_SUFFIXES;
}

/// Longest run of non-letters between two single letters that are joined.
const MAX_JOIN_GAP: usize = 8;

/// Function words: a split word is never joined with one of these ("من حط" is not منحط).
const FUNCTION_WORDS: &[&str] = &[
    "و", "في", "من", "عن", "مع", "لا", "ما", "لم", "لن", "قد", "يا", "او", "ان", "هل", "كل", "ثم",
    "اي", "بل", "لو", "اذ", "له", "لك", "لي", "به", "بك", "بي", "هو", "هي", "هم", "انا", "انت",
    "نحن", "ده", "دي", "دا", "شي", "كي", "اه", "يا", "الا", "على", "الى", "هذا", "هذه", "ذلك", "a",
    "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it", "me", "my", "no", "of",
    "on", "or", "so", "to", "up", "us", "we", "i", "oh", "ok", "am", "la", "le", "de", "et", "un",
    "en", "du", "il", "je", "tu", "ce", "ne", "se", "sa", "ta", "ma",
];

/// Two adjacent tokens that may be one word split by whitespace: same script, separated by
/// whitespace only (in Arabic also by one to three punctuation marks without a space), neither
/// a function word, and one of them at most two letters, a line break or such punctuation
/// between them — or, for two longer pieces on one line, `long(first, second)` says
/// the second piece is the tail of a long entry and neither piece is a frequent word.
fn split_candidate(
    chars: &[char],
    t: &Tok,
    u: &Tok,
    long: impl FnOnce(&[char], &[char]) -> bool,
) -> bool {
    if t.script != u.script || t.script == Script::Other || t.b1 - t.b0 != 1 || u.b1 - u.b0 != 1 {
        return false;
    }
    let gap = chars.get(t.k1..u.k0).unwrap_or(&[]);
    let short = t.k1 - t.k0 <= 2 || u.k1 - u.k0 <= 2;
    // Punctuation inside an Arabic word, without spaces ("الشي.عة", "ك.فار"), cuts it as
    // surely as a line break: Arabic writes no dot or dash between the letters of a word.
    // So it does inside a Latin word ("ab.ruti"), but for an apostrophe, which elides
    // ("c'est", "qu'il": two words).
    let elision = |c: &char| matches!(c, '\'' | '’' | '‘' | '`');
    let cut = gap
        .iter()
        .all(|c| !is_alnum(*c) && !c.is_whitespace() && !elision(c));
    if gap.is_empty() || gap.len() > 3 || !(cut || gap.iter().all(|c| c.is_whitespace())) {
        return false;
    }
    let (a, b) = (
        chars.get(t.k0..t.k1).unwrap_or(&[]),
        chars.get(u.k0..u.k1).unwrap_or(&[]),
    );
    if !(short || cut || gap.contains(&'\n') || long(a, b)) {
        return false;
    }
    // The shorter one first: it is usually the function word.
    let (x, y) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match (is_function_word(x), is_function_word(y)) {
        (false, false) => true,
        // An Arabic function word beside a piece that is no word ("يل عن", "قح بة"): both
        // halves of one word, whatever the first looks like.
        (true, false) => t.script == Script::Arabic && fragment(y),
        (false, true) => t.script == Script::Arabic && fragment(x),
        (true, true) => false,
    }
}

/// Two-letter Arabic words (match keys) that are not in [`FUNCTION_WORDS`]: never a
/// [`fragment`].
const SHORT_WORDS: &[&str] = &[
    "اب", "ام", "اخ", "يد", "دم", "فم", "عم", "حج", "سن", "شر", "خط", "حق", "كم", "قط", "ضد", "جد",
    "حب", "مر", "عز", "فن", "رب", "دب", "بر", "بن", "سد", "صف", "طب", "غد", "نص", "حد", "حل", "حر",
    "جو", "زي", "بس", "مد", "ود", "سم", "غم", "يم", "ضم", "دو", "بو", "قل", "خذ", "كن", "دع", "عد",
    "رد", "صح", "حط", "جا", "را", "شف", "قم", "نم", "سر", "فر", "خل", "حي", "مي", "فه", "كه", "ذا",
    "ته", "عش", "غش", "رش", "مش", "بش", "دق", "شك", "عض", "فض", "رق", "هم", "نا", "وا", "غا", "لو",
    "شد", "جر", "كب", "صب", "لف", "ظن", "اذ", "بي", "ني", "لي", "مو", "زه", "طز", "يه", "ست", "كف",
    "صم", "شم", "لب", "ان", "ال", "مل", "نو", "فو", "رز", "قص", "بخ", "تم", "كد", "هز", "اف",
];

/// A piece of at most two letters that is no word of its own: neither a function word nor one
/// of [`SHORT_WORDS`] nor a frequent word.
fn fragment(w: &[char]) -> bool {
    w.len() <= 2
        && !is_function_word(w)
        && !FREQUENT.contains(w)
        && !SHORT_WORDS.iter().any(|s| s.chars().eq(w.iter().copied()))
}

/// Longest word kept in [`collapse`]'s buffer.
const MAX_JOIN_PIECE: usize = 24;

/// `w` with runs of one letter collapsed ("شررموطة" → شرموطة) into `buf`; `None` when longer
/// than the buffer.
fn collapse<'b>(w: &[char], buf: &'b mut [char; MAX_JOIN_PIECE]) -> Option<&'b [char]> {
    let mut n = 0;
    for &c in w {
        if n > 0 && buf.get(n - 1) == Some(&c) {
            continue;
        }
        *buf.get_mut(n)? = c;
        n += 1;
    }
    buf.get(..n)
}

/// Frequent words never joined with a neighbour into an entry (`seed/frequent.txt`), as
/// collapsed match keys.
static FREQUENT: std::sync::LazyLock<rustc_hash::FxHashSet<Box<[char]>>> =
    std::sync::LazyLock::new(|| {
        let mut key = KeyBuf::default();
        let mut out = rustc_hash::FxHashSet::default();
        let mut buf = [' '; MAX_JOIN_PIECE];
        for w in include_str!("seed/frequent.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(str::split_whitespace)
        {
            key.build(w);
            if let Some(c) = collapse(key.chars(), &mut buf) {
                out.insert(c.into());
            }
        }
        out
    });

/// [`FUNCTION_WORDS`] as char slices.
static FUNCTION_CHARS: std::sync::LazyLock<Vec<Vec<char>>> =
    std::sync::LazyLock::new(|| FUNCTION_WORDS.iter().map(|w| w.chars().collect()).collect());

/// One of [`FUNCTION_WORDS`] (a length check first: most tokens are longer).
fn is_function_word(w: &[char]) -> bool {
    w.len() <= 4
        && FUNCTION_CHARS
            .iter()
            .any(|f| f.first() == w.first() && f.as_slice() == w)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Script {
    Arabic,
    Latin,
    #[default]
    Other,
}

/// Which suffixes an Arabic spelling accepts after it (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Suffixes {
    /// Pronoun enclitics only (short entries: the plural endings make real words, زبون).
    Pronouns,
    /// Pronouns, sound plural, dual and feminine endings, ة → ت before a pronoun.
    Full,
    /// The stem of an entry ending in ة: a feminine suffix is required (قحب + ات).
    FemStem,
}

/// How an entry may match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Mode {
    Arabic { suffixes: Suffixes },
    Latin { short: bool },
    Substring,
}

/// What a pattern stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// Letters of the spelling (run counts included).
    letters: u16,
    /// The spelling is one word.
    one_word: bool,
    /// Allow entries: (pattern char, letter as written) where the entry has a letter the key
    /// folds lossily (ى ة أ إ آ ؤ ئ); the text must have that letter there too.
    strict: Box<[(u16, char)]>,
    /// One-word Latin entries: the word with its runs expanded (for masked letters).
    word: Option<Box<[char]>>,
    /// The spelling starts with an independent pronoun (see [`PRONOUNS`]).
    pronoun_head: bool,
    /// The spelling starts like an imperfect verb (ن or ي, at least four letters): it also
    /// takes [`TENSE_PROCLITICS`].
    imperfect: bool,
    /// A generated collective (see `forms::Form::collective`).
    collective: bool,
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
    /// Explicit extra forms (list entries only; see [`forms::expand`]).
    pub forms: &'a [String],
    /// Arabic spellings are also read in Arabizi (list entries and pattern-class terms; not
    /// the site's protected names).
    pub arabizi: bool,
}

/// Builds the automaton and its pattern table.
#[derive(Default)]
struct Compiler {
    key: KeyBuf,
    ws: Workspace,
    pat_index: HashMap<Vec<u8>, u32>,
    patterns: Vec<Vec<u8>>,
    tagged: Vec<(u32, PatRef)>,
    seen: std::collections::HashSet<(u32, HitKind, Mode)>,
    entries: usize,
    arabizi: arabizi::Builder,
    /// Tails (≥ 3 letters, after a head of ≥ 3) of one-word entry spellings, collapsed.
    join_tails: rustc_hash::FxHashSet<Box<[char]>>,
    /// One-word allow entries, collapsed (never joined, like the frequent words).
    common: rustc_hash::FxHashSet<Box<[char]>>,
}

impl Compiler {
    /// Adds one spelling of `def`.
    fn add(
        &mut self,
        def: &EntryDef<'_>,
        text: &str,
        fem_stem: bool,
        collective: bool,
    ) -> Result<(), EntryError> {
        self.key.build(text);
        self.ws.tokenize(self.key.chars());
        if self.ws.toks.is_empty() {
            return Err(EntryError::Empty);
        }
        let mut scan = Scan::default();
        self.ws.fill_main_scan(self.key.chars(), &mut scan);
        let mut has_arabic = false;
        let mut has_latin = false;
        let mut letters = 0usize;
        for t in &self.ws.toks {
            match t.script {
                Script::Arabic => has_arabic = true,
                Script::Latin => has_latin = true,
                Script::Other => {}
            }
            letters += t.k1 - t.k0;
        }
        let one_word = self.ws.toks.len() == 1;
        let short = one_word && letters <= 3;
        let mode = if def.substring {
            if has_arabic || !has_latin || letters < 4 {
                return Err(EntryError::SubstringNotAllowed);
            }
            Mode::Substring
        } else if has_arabic && !has_latin {
            let ends_in_ya = scan.sc.last().is_some_and(|c| c.ch == 'ي');
            let suffixes = if fem_stem {
                Suffixes::FemStem
            } else if short && !(letters == 3 && ends_in_ya) {
                Suffixes::Pronouns
            } else {
                Suffixes::Full
            };
            Mode::Arabic { suffixes }
        } else {
            Mode::Latin { short }
        };
        let counts: Vec<u16> = scan.sc.iter().map(|c| c.count).collect();
        let mut spellings = vec![(scan.text.clone(), counts.clone())];
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
            spellings.push((text, c2));
        }
        if one_word && !def.substring {
            let chars: Vec<char> = scan.sc.iter().map(|c| c.ch).collect();
            match def.kind {
                HitKind::Entry { .. } => {
                    for cut in 3..chars.len().saturating_sub(2) {
                        if let Some(tail) = chars.get(cut..) {
                            self.join_tails.insert(tail.into());
                        }
                    }
                }
                HitKind::Allow => {
                    self.common.insert(chars.into());
                }
                HitKind::Protected(_) => {}
            }
        }
        let pronoun_head = matches!(mode, Mode::Arabic { .. })
            && self.ws.toks.first().is_some_and(|t| {
                let w: String = self
                    .key
                    .chars()
                    .get(t.k0..t.k1)
                    .unwrap_or(&[])
                    .iter()
                    .collect();
                PRONOUNS.contains(&w.as_str())
            });
        let imperfect = matches!(mode, Mode::Arabic { .. })
            && self.ws.toks.first().is_some_and(|t| {
                t.k1 - t.k0 >= 4 && matches!(self.key.chars().get(t.k0), Some('ن' | 'ي'))
            });
        let letters = u16::try_from(letters).unwrap_or(u16::MAX);
        let mut strict: Vec<(u16, char)> = Vec::new();
        if def.kind == HitKind::Allow {
            for (i, c) in scan.sc.iter().enumerate() {
                if let Some(raw) = self.key.raw_at(c.k0 as usize)
                    && raw != c.ch
                    && is_lossy_letter(raw)
                {
                    strict.push((u16::try_from(i).unwrap_or(u16::MAX), raw));
                }
            }
        }
        if let (true, false, Mode::Arabic { suffixes }) = (def.arabizi, collective, mode) {
            let mut chars = Vec::with_capacity(scan.sc.len());
            for c in &scan.sc {
                for _ in 0..c.count {
                    chars.push(c.ch);
                }
            }
            let digitless = matches!(def.kind, HitKind::Entry { .. });
            self.arabizi.add(&chars, def.kind, suffixes, digitless);
        }
        let word: Option<Box<[char]>> =
            (one_word && matches!(mode, Mode::Latin { .. } | Mode::Substring)).then(|| {
                scan.sc
                    .iter()
                    .flat_map(|c| std::iter::repeat_n(c.ch, usize::from(c.count)))
                    .collect()
            });
        for (n, (text, counts)) in spellings.into_iter().enumerate() {
            // The attached vocative drops pattern char 2 (the space after يا).
            let strict: Box<[(u16, char)]> = strict
                .iter()
                .filter(|(i, _)| n == 0 || *i != 2)
                .map(|&(i, c)| (if n > 0 && i > 2 { i - 1 } else { i }, c))
                .collect();
            let next = self.patterns.len() as u32;
            let id = *self.pat_index.entry(text.clone()).or_insert(next);
            if id == next {
                self.patterns.push(text);
            }
            if !self.seen.insert((id, def.kind, mode)) {
                continue;
            }
            self.tagged.push((
                id,
                PatRef {
                    kind: def.kind,
                    mode,
                    counts: counts.into_boxed_slice(),
                    letters,
                    one_word,
                    strict,
                    word: word.clone(),
                    pronoun_head,
                    imperfect,
                    collective,
                },
            ));
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Lexicon, EntryError> {
        self.tagged.sort_by_key(|(id, _)| *id);
        let mut pat_refs = vec![(0u32, 0u32); self.patterns.len()];
        let mut refs = Vec::with_capacity(self.tagged.len());
        for (id, r) in self.tagged {
            if let Some(slot) = pat_refs.get_mut(id as usize) {
                if slot.1 == slot.0 {
                    slot.0 = refs.len() as u32;
                }
                refs.push(r);
                slot.1 = refs.len() as u32;
            }
        }
        let ac = if self.patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&self.patterns)
                    .map_err(|e| EntryError::Automaton(e.to_string()))?,
            )
        };
        let arabizi = self.arabizi.finish().map_err(EntryError::Automaton)?;
        let max_tail = self.join_tails.iter().map(|t| t.len()).max().unwrap_or(0);
        Ok(Lexicon {
            ac,
            pat_refs,
            refs,
            entries: self.entries,
            arabizi,
            join_tails: self.join_tails,
            max_tail,
            common: self.common,
        })
    }
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
    /// Entries compiled (list entries, protected terms and allow entries).
    entries: usize,
    arabizi: arabizi::Index,
    /// See [`Compiler`]: tails of one-word entry spellings, their longest length, and the
    /// one-word allow entries.
    join_tails: rustc_hash::FxHashSet<Box<[char]>>,
    max_tail: usize,
    common: rustc_hash::FxHashSet<Box<[char]>>,
}

impl Lexicon {
    /// Compiles entries; on error returns the index of the offending entry.
    pub(crate) fn build<'a>(
        defs: impl IntoIterator<Item = EntryDef<'a>>,
    ) -> Result<Lexicon, (usize, EntryError)> {
        let mut c = Compiler::default();
        let mut last = 0usize;
        for (i, def) in defs.into_iter().enumerate() {
            last = i;
            c.entries += 1;
            // List entries and pattern-class terms are lemmas (not the site's protected
            // names, which are matched as written).
            let expand = matches!(def.kind, HitKind::Entry { .. } | HitKind::Protected(_))
                && def.arabizi
                && !def.substring;
            let spellings = if expand {
                forms::expand(def.term, def.forms)
            } else {
                vec![forms::Form {
                    text: def.term.to_string(),
                    fem_stem: false,
                    collective: false,
                }]
            };
            for (n, f) in spellings.iter().enumerate() {
                match c.add(&def, &f.text, f.fem_stem, f.collective) {
                    Ok(()) => {}
                    // Only the entry itself must compile; a generated spelling may vanish.
                    Err(e) if n == 0 => return Err((i, e)),
                    Err(_) => {}
                }
            }
        }
        c.finish().map_err(|e| (last, e))
    }

    /// Number of distinct patterns in the automaton.
    pub fn pattern_count(&self) -> usize {
        self.pat_refs.len()
    }

    /// Number of entries compiled (list entries, protected terms and allow entries).
    pub fn entry_count(&self) -> usize {
        self.entries
    }

    /// Number of spellings matched (entries and their generated forms).
    pub fn form_count(&self) -> usize {
        self.refs.len()
    }

    /// Number of Arabic spellings also matched in Arabizi.
    pub fn arabizi_form_count(&self) -> usize {
        self.arabizi.form_count()
    }

    /// Two pieces of at least three letters may be one word split in two: the second is the
    /// tail of a one-word entry spelling of at least six letters, and neither piece is a
    /// frequent word or a one-word allow entry.
    fn long_join(&self, a: &[char], b: &[char]) -> bool {
        if b.len() > self.max_tail + MAX_JOIN_PIECE / 2 || a.len() >= MAX_JOIN_PIECE {
            return false;
        }
        let mut buf = [' '; MAX_JOIN_PIECE];
        let Some(tail) = collapse(b, &mut buf) else {
            return false;
        };
        if tail.len() < 3 || !self.join_tails.contains(tail) {
            return false;
        }
        let frequent = |w: &[char]| FREQUENT.contains(w) || self.common.contains(w);
        if frequent(tail) {
            return false;
        }
        let mut buf = [' '; MAX_JOIN_PIECE];
        collapse(a, &mut buf).is_some_and(|head| !frequent(head))
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
        self.search(ac, &scan, Via::Key, Some(key), None, &mut hits);
        // Vocative flags per token, from the main scan.
        ws.vocative.clear();
        for &(a, b) in &scan.toks {
            let t: &[SChar] = scan.sc.get(a as usize..b as usize).unwrap_or(&[]);
            // يا, ya, and the Maghrebi vocative أ written alone ("سكت أ الحمار").
            let voc = matches!(t, [x, y] if (x.ch == 'ي' && y.ch == 'ا') || (x.ch == 'y' && y.ch == 'a'))
                || matches!(t, [x] if x.ch == 'ا' && x.count == 1);
            ws.vocative.push(voc);
        }
        let mut vscan = std::mem::take(&mut ws.vscan);
        let mut run = std::mem::take(&mut ws.run);
        let mut readings = std::mem::take(&mut ws.readings);
        run.clear();
        readings.clear();
        let ntoks = ws.toks.len();
        for ti in 0..ntoks {
            let Some(t) = ws.toks.get(ti).copied() else {
                continue;
            };
            // A word split in two by a space or a line break: the two tokens joined.
            if let Some(u) = ws.toks.get(ti + 1).copied()
                && split_candidate(key.chars(), &t, &u, |a, b| self.long_join(a, b))
            {
                vscan.clear();
                let chars = key.chars();
                vscan.push_token(
                    ti as u32,
                    (t.k0..t.k1)
                        .chain(u.k0..u.k1)
                        .filter_map(|k| chars.get(k).map(|&c| (c, k, k + 1))),
                );
                vscan.finish();
                let from = hits.len();
                // Cut by punctuation (no space): pattern-class terms are read across it too.
                let cut = !chars
                    .get(t.k1..u.k0)
                    .unwrap_or(&[])
                    .iter()
                    .any(|c| c.is_whitespace());
                self.search(ac, &vscan, Via::Key, None, Some((u.k0, cut)), &mut hits);
                for h in hits.get_mut(from..).unwrap_or(&mut []) {
                    h.tok1 = ti as u32 + 1;
                }
            }
            if t.script != Script::Latin {
                self.read_arabizi(&mut run, &mut readings, ws, &mut hits);
                continue;
            }
            ws.tmp.clear();
            for b in t.b0..t.b1 {
                if let Some(bt) = ws.base.get(b) {
                    ws.tmp
                        .extend(key.chars().get(bt.k0..bt.k1).unwrap_or(&[]).iter().copied());
                }
            }
            // Leetspeak and the v-for-u mask ("sh1t", "fvck").
            if (t.has_digit || t.has_symbol || ws.tmp.contains(&'v'))
                && ws.tmp.iter().any(|&c| leet(c) != c || c == 'v')
            {
                vscan.clear();
                vscan.push_token(
                    ti as u32,
                    ws.tmp
                        .iter()
                        .map(|&c| (if c == 'v' { 'u' } else { leet(c) }, t.k0, t.k1)),
                );
                vscan.finish();
                self.search(ac, &vscan, Via::Leet, None, None, &mut hits);
            }
            // Arabizi uses neither 0 nor 1 nor the symbols for a letter: there they are leet
            // ("d1n", "9@7b@", "r@bk0n").
            let arabizi_leet = |c: char| match c {
                '0' => 'o',
                '1' | '!' => 'i',
                '@' => 'a',
                '$' => 's',
                c => c,
            };
            let has_digit = t.has_digit && ws.tmp.iter().any(|&c| arabizi_leet(c).is_ascii_digit());
            run.push_token(
                ti as u32,
                ws.tmp.iter().map(|&c| arabizi_leet(c)),
                has_digit,
            );
        }
        self.read_arabizi(&mut run, &mut readings, ws, &mut hits);
        // Multi-word Latin entries with leetspeak in one of their words ("fils de ch!enne",
        // "va te faire f0utre"): the whole field with its Latin leet tokens folded.
        let leet_tok = |t: &Tok| t.script == Script::Latin && (t.has_digit || t.has_symbol);
        if ntoks > 1 && ws.toks.iter().any(leet_tok) {
            vscan.clear();
            let chars = key.chars();
            for (ti, t) in ws.toks.iter().enumerate() {
                let fold = leet_tok(t);
                let mut word: Vec<(char, usize, usize)> = Vec::with_capacity(t.k1 - t.k0);
                for b in ws.base.get(t.b0..t.b1).unwrap_or(&[]) {
                    for &c in chars.get(b.k0..b.k1).unwrap_or(&[]) {
                        word.push((if fold { leet(c) } else { c }, t.k0, t.k1));
                    }
                }
                vscan.push_token(ti as u32, word.into_iter());
            }
            vscan.finish();
            let from = hits.len();
            self.search(ac, &vscan, Via::Leet, None, None, &mut hits);
            // Keep the phrases that span a folded token (single words were read above).
            let toks = &ws.toks;
            let mut k = from;
            while k < hits.len() {
                let keep = hits.get(k).is_some_and(|h| {
                    h.tok1 > h.tok0
                        && toks
                            .get(h.tok0 as usize..=h.tok1 as usize)
                            .is_some_and(|r| r.iter().any(leet_tok))
                });
                if keep {
                    k += 1;
                } else {
                    hits.swap_remove(k);
                }
            }
        }
        // Masked letters ("f*ck", "b*tch", "s**t"), on raw tokens: "s**t" is also a joined run
        // of two single letters.
        if ws.base.len() > 1
            && ws.toks.iter().any(|t| t.script == Script::Latin)
            && key.chars().iter().any(|c| matches!(c, '*' | '#'))
        {
            for bi in 0..ws.base.len() - 1 {
                let (Some(a), Some(b)) = (ws.base.get(bi).copied(), ws.base.get(bi + 1).copied())
                else {
                    continue;
                };
                if a.script != Script::Latin || b.script != Script::Latin {
                    continue;
                }
                let tok_of = |x: usize| ws.toks.iter().position(|t| t.b0 <= x && x < t.b1);
                // Inside a word spelled out letter by letter ("l*m*i*z*i*r") a star
                // separates letters; it masks none.
                let spelled = |t: usize| ws.toks.get(t).is_some_and(|t| t.b1 - t.b0 >= 4);
                if let (Some(t0), Some(t1)) = (tok_of(bi), tok_of(bi + 1))
                    && !(t0 == t1 && spelled(t0))
                {
                    self.masked(key.chars(), (t0, a.k0, a.k1), (t1, b.k0, b.k1), &mut hits);
                }
            }
        }
        ws.vscan = vscan;
        ws.scan = scan;
        ws.run = run;
        ws.readings = readings;
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

    /// Arabizi readings of the Latin run collected so far (then clears it).
    fn read_arabizi(
        &self,
        run: &mut arabizi::Run,
        readings: &mut Vec<arabizi::Reading>,
        ws: &Workspace,
        hits: &mut Vec<Hit>,
    ) {
        if run.toks.is_empty() {
            return;
        }
        readings.clear();
        self.arabizi.find(run, readings);
        for r in readings.iter() {
            let (Some(a), Some(b)) = (run.toks.get(r.t0), run.toks.get(r.t1)) else {
                continue;
            };
            let (Some(ta), Some(tb)) = (ws.toks.get(a.0 as usize), ws.toks.get(b.0 as usize))
            else {
                continue;
            };
            hits.push(Hit {
                kind: r.kind,
                tok0: a.0,
                tok1: b.0,
                k0: ta.k0,
                k1: tb.k1,
                vocative: r.vocative,
                via: Via::Arabizi,
            });
        }
        run.clear();
    }

    /// Latin entries written with masked letters: raw tokens `a` and `b` (token index, key
    /// range) separated only by `*` or `#`, each standing for one letter ("f*ck", "b*tch",
    /// "f**k", "a**hole").
    fn masked(
        &self,
        chars: &[char],
        a: (usize, usize, usize),
        b: (usize, usize, usize),
        hits: &mut Vec<Hit>,
    ) {
        let gap = chars.get(a.2..b.1).unwrap_or(&[]);
        if gap.is_empty() || gap.len() > 3 || !gap.iter().all(|c| matches!(c, '*' | '#')) {
            return;
        }
        let left = chars.get(a.1..a.2).unwrap_or(&[]);
        let right = chars.get(b.1..b.2).unwrap_or(&[]);
        let real = left.len() + right.len();
        if real < 2 || real < gap.len() || !left.iter().chain(right).all(char::is_ascii_alphabetic)
        {
            return;
        }
        let masked: Vec<Option<char>> = left
            .iter()
            .map(|&c| Some(c))
            .chain(gap.iter().map(|_| None))
            .chain(right.iter().map(|&c| Some(c)))
            .collect();
        for r in &self.refs {
            let short = match r.mode {
                Mode::Latin { short } => short,
                Mode::Substring => false,
                Mode::Arabic { .. } => continue,
            };
            if !r.one_word || !matches!(r.kind, HitKind::Entry { .. }) {
                continue;
            }
            let Some(word) = r.word.as_deref() else {
                continue;
            };
            let Some(rest) = masked.len().checked_sub(word.len()) else {
                continue;
            };
            let head_ok = masked
                .iter()
                .zip(word)
                .all(|(m, w)| m.is_none_or(|c| c == *w));
            let tail: Option<String> = masked
                .get(word.len()..)
                .and_then(|t| t.iter().copied().collect());
            let suffixes = if short {
                SHORT_LATIN_SUFFIXES
            } else {
                LATIN_SUFFIXES
            };
            let tail_ok = rest == 0 || tail.is_some_and(|t| suffixes.contains(&t.as_str()));
            if head_ok && tail_ok {
                hits.push(Hit {
                    kind: r.kind,
                    tok0: a.0 as u32,
                    tok1: b.0 as u32,
                    k0: a.1,
                    k1: b.2,
                    vocative: false,
                    via: Via::Leet,
                });
            }
        }
    }

    /// Runs the automaton over `scan`. `key`: the main scan (allow entries' spelling check);
    /// `split`: the scan is two tokens joined, the second starting at this key index; `true`
    /// when punctuation without a space cut them (then protected and pattern-class terms count
    /// too, not only list entries).
    fn search(
        &self,
        ac: &AhoCorasick,
        scan: &Scan,
        via: Via,
        key: Option<&KeyBuf>,
        split: Option<(usize, bool)>,
        out: &mut Vec<Hit>,
    ) {
        // Entries glued to the word before them are read in the main scan only.
        let glue = via == Via::Key && key.is_some() && split.is_none();
        for m in ac.find_overlapping_iter(scan.text.as_slice()) {
            let (Some(s), Some(e)) = (scan.char_at(m.start()), scan.char_at(m.end())) else {
                continue;
            };
            let Some(&(r0, r1)) = self.pat_refs.get(m.pattern().as_usize()) else {
                continue;
            };
            if let Some((k, _)) = split {
                // A joined word: an entry across the split, ending with the second token.
                let spans = scan.sc.get(s).is_some_and(|c| (c.k0 as usize) < k)
                    && scan.sc.get(e - 1).is_some_and(|c| (c.k1 as usize) > k);
                let at_end = scan.toks.first().is_some_and(|t| t.1 as usize == e);
                if !spans || !at_end {
                    continue;
                }
            }
            // What every spelling of the pattern reads the same way; without it (a match
            // cut by a scan code or a token boundary), no spelling is valid.
            let Some(at) = At::new(scan, s, e) else {
                continue;
            };
            for r in self.refs.get(r0 as usize..r1 as usize).unwrap_or(&[]) {
                // Affixes too long for any spelling but a substring (`validate` would refuse
                // it first).
                if at.long_affix && !matches!(r.mode, Mode::Substring) {
                    continue;
                }
                // Three letters are enough when punctuation without a space cut the word
                // ("كـ.لب").
                if let Some((_, cut)) = split
                    && (!r.one_word
                        || r.letters < if cut { 3 } else { 4 }
                        || !(cut || matches!(r.kind, HitKind::Entry { .. })))
                {
                    continue;
                }
                // A collective after a definite word is its feminine adjective ("السلطة
                // الفلسطينية"); it is read in the main scan only.
                if r.collective && (key.is_none() || after_definite(scan, s)) {
                    continue;
                }
                if !r.strict.is_empty() {
                    let Some(key) = key else {
                        continue;
                    };
                    let spelled = r.strict.iter().all(|&(i, raw)| {
                        scan.sc
                            .get(s + usize::from(i))
                            .and_then(|c| key.raw_at(c.k0 as usize))
                            == Some(raw)
                    });
                    if !spelled {
                        continue;
                    }
                }
                if let Some(h) = validate(r, scan, &at, via, glue) {
                    out.push(h);
                }
            }
        }
    }
}

/// The token before the one holding scan char `s` is a definite word (starts with ال, after
/// an optional و ف ب ل ك).
fn after_definite(scan: &Scan, s: usize) -> bool {
    let Some(t) = scan.sc.get(s).map(|c| c.tok as usize) else {
        return false;
    };
    let Some(&(a, b)) = t.checked_sub(1).and_then(|p| scan.toks.get(p)) else {
        return false;
    };
    let w: Vec<char> = scan
        .sc
        .get(a as usize..b as usize)
        .unwrap_or(&[])
        .iter()
        .map(|c| c.ch)
        .collect();
    let rest = match w.first() {
        Some('و' | 'ف' | 'ب' | 'ك') if w.get(1..3) == Some(&['ا', 'ل'][..]) => w.get(1..),
        _ => Some(w.as_slice()),
    };
    rest.is_some_and(|r| r.starts_with(&['ا', 'ل']) && r.len() > 3)
}

/// True when `head` + `ch` repeated `k` times + `tail` (all expanded with their run
/// counts) spells one of `list`, for some `k` in `0..=extra`.
fn spells(head: &[SChar], ch: char, extra: u16, tail: &[SChar], list: &Affixes) -> bool {
    if extra == 0 {
        // Nothing of the stem's run may join the affix: `head` + `tail` is the affix itself.
        return runs_key(head, tail).is_some_and(|k| list.keys.binary_search(&k).is_ok());
    }
    list.words.iter().any(|p| {
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
fn ok_prefix(prefix: &[SChar], first: &SChar, need: u16, list: &Affixes) -> bool {
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
fn ok_suffix(suffix: &[SChar], last: &SChar, need: u16, list: &Affixes) -> bool {
    if suffix.is_empty() {
        return true;
    }
    spells(&[], last.ch, last.count.saturating_sub(need), suffix, list)
}

/// A list entry glued to the word before it, the space dropped ("الكاتبحمار",
/// "هذاالكلب", "youidiot"): `prefix` (the token's text before the entry) is a word `w` of at
/// least two letters then, in Arabic, a proclitic or nothing. How surely the entry is not the
/// end of a longer word decides which `w` count: in Arabic, a frequent or function word
/// before an entry of at least four letters, any word before the article (ال، وال، بال …)
/// and an entry of at least three, any word before an entry of at least five; in Latin
/// script, one of [`LATIN_GLUE_HEADS`] before an entry of at least four letters.
fn glued(prefix: &[SChar], first: &SChar, need: u16, r: &PatRef) -> bool {
    if !matches!(r.kind, HitKind::Entry { .. })
        || prefix.len() < 2
        || prefix.len() > MAX_GLUE_PREFIX
    {
        return false;
    }
    let mut word = [' '; MAX_GLUE_PREFIX];
    for (slot, c) in word.iter_mut().zip(prefix) {
        *slot = c.ch;
    }
    match r.mode {
        Mode::Substring => false,
        Mode::Latin { .. } => {
            let w = word.get(..prefix.len()).unwrap_or(&[]);
            r.letters >= 4
                && LATIN_GLUE_HEADS
                    .iter()
                    .any(|h| h.chars().eq(w.iter().copied()))
        }
        Mode::Arabic { .. } => {
            if r.letters < 3 {
                return false;
            }
            // The word ends at a run boundary, or inside a run whose last letter starts the
            // proclitic ("هذاالكلب": هذا + ال, one run of ا between them).
            let mut p = [SChar::default(); MAX_GLUE_PREFIX];
            (2..=prefix.len()).any(|i| {
                let w = word.get(..i).unwrap_or(&[]);
                let rest = prefix.get(i..).unwrap_or(&[]);
                let shared = prefix.get(i - 1).filter(|c| c.count >= 2);
                std::iter::once(None).chain(shared.map(Some)).any(|lent| {
                    let mut len = 0;
                    for c in lent.map(|c| SChar { count: 1, ..*c }).iter().chain(rest) {
                        if let Some(slot) = p.get_mut(len) {
                            *slot = *c;
                            len += 1;
                        }
                    }
                    let p = p.get(..len).unwrap_or(&[]);
                    if !ok_prefix(p, first, need, &PROCLITIC_SET) {
                        return false;
                    }
                    let article = matches!(p, [.., a, l] if a.ch == 'ا' && l.ch == 'ل');
                    r.letters >= 5
                        || article
                        || (r.letters >= 4 && (FREQUENT.contains(w) || is_function_word(w)))
                })
            })
        }
    }
}

/// An Arabic affix with every run written once, when some letter of it is repeated (`None`
/// otherwise, and for an affix too long to be one).
fn collapsed(affix: &[SChar]) -> Option<([SChar; MAX_AFFIX], usize)> {
    if affix.len() > MAX_AFFIX || affix.iter().all(|c| c.count == 1) {
        return None;
    }
    let mut out = [SChar::default(); MAX_AFFIX];
    for (slot, c) in out.iter_mut().zip(affix) {
        *slot = SChar { count: 1, ..*c };
    }
    Some((out, affix.len()))
}

/// An automaton match at scan chars `[s, e)`, read once for all the spellings of its pattern.
#[derive(Clone, Copy)]
struct At<'s> {
    hit: &'s [SChar],
    first: &'s SChar,
    last: &'s SChar,
    /// Scan chars of the tokens' start and end.
    ts: u32,
    te: u32,
    prefix: &'s [SChar],
    suffix: &'s [SChar],
    /// The prefix is longer than [`MAX_GLUE_PREFIX`] or the suffix than [`MAX_AFFIX`].
    long_affix: bool,
}

impl<'s> At<'s> {
    fn new(scan: &'s Scan, s: usize, e: usize) -> Option<At<'s>> {
        let hit = scan.sc.get(s..e)?;
        let first = hit.first()?;
        let last = hit.last()?;
        let &(ts, _) = scan.toks.get(first.tok as usize)?;
        let &(_, te) = scan.toks.get(last.tok as usize)?;
        let prefix = scan.sc.get(ts as usize..s)?;
        let suffix = scan.sc.get(e..te as usize)?;
        Some(At {
            hit,
            first,
            last,
            ts,
            te,
            prefix,
            suffix,
            long_affix: prefix.len() > MAX_GLUE_PREFIX || suffix.len() > MAX_AFFIX,
        })
    }
}

/// Whether `r` counts at `at`. `glue`: the main scan, where an entry glued to the word before
/// it is read too ([`glued`]).
fn validate(r: &PatRef, scan: &Scan, at: &At<'_>, via: Via, glue: bool) -> Option<Hit> {
    let At {
        hit,
        first,
        last,
        ts,
        te,
        prefix,
        suffix,
        long_affix,
    } = *at;
    if hit.len() != r.counts.len() {
        return None;
    }
    if hit.iter().zip(r.counts.iter()).any(|(c, &n)| c.count < n) {
        return None;
    }
    let ta = first.tok;
    let tb = last.tok;
    let substring = matches!(r.mode, Mode::Substring);
    if !substring && (long_affix || (!glue && prefix.len() > MAX_AFFIX)) {
        return None;
    }
    let need_first = r.counts.first().copied().unwrap_or(1);
    let need_last = r.counts.last().copied().unwrap_or(1);
    let ok = match r.mode {
        Mode::Substring => true,
        Mode::Latin { short } => {
            (prefix.is_empty() || (glue && glued(prefix, first, need_first, r)))
                && ok_suffix(
                    suffix,
                    last,
                    need_last,
                    if short {
                        &SHORT_LATIN_SUFFIX_SET
                    } else {
                        &LATIN_SUFFIX_SET
                    },
                )
        }
        Mode::Arabic { suffixes } => {
            let proclitics = if r.pronoun_head {
                &PRONOUN_PROCLITIC_SET
            } else {
                &PROCLITIC_SET
            };
            let pre_ok = |prefix: &[SChar], first: &SChar| {
                ok_prefix(prefix, first, need_first, proclitics)
                    || (r.imperfect && ok_prefix(prefix, first, need_first, &TENSE_PROCLITIC_SET))
            };
            let suf_ok = |suffix: &[SChar], last: &SChar| match suffixes {
                Suffixes::Pronouns => {
                    ok_suffix(suffix, last, need_last, &SHORT_ENCLITIC_SET)
                        || (r.letters == 3
                            && r.one_word
                            && (tanween(suffix, last)
                                || ok_suffix(suffix, last, need_last, &TRILITERAL_ENDING_SET)))
                }
                Suffixes::Full => {
                    ok_suffix(suffix, last, need_last, &ENCLITIC_SET) || tanween(suffix, last)
                }
                // The suffix is required: `spells` with an empty tail only accepts a word
                // made of the stem's last letter, and no feminine suffix is one.
                Suffixes::FemStem => spells(
                    &[],
                    last.ch,
                    last.count.saturating_sub(need_last),
                    suffix,
                    &FEM_SUFFIX_SET,
                ),
            };
            // An affix written with its letters repeated ("االلززبب", "حمارررهههم") is the
            // affix; the entry's own repeated first or last letter then lends none to it
            // (االلييمميينن is not ا + لئيم + ين).
            let whole_first = SChar {
                count: need_first,
                ..*first
            };
            let whole_last = SChar {
                count: need_last,
                ..*last
            };
            (pre_ok(prefix, first)
                || collapsed(prefix)
                    .is_some_and(|(a, n)| pre_ok(a.get(..n).unwrap_or(&[]), &whole_first))
                || (glue && glued(prefix, first, need_first, r)))
                && (suf_ok(suffix, last)
                    || collapsed(suffix)
                        .is_some_and(|(a, n)| suf_ok(a.get(..n).unwrap_or(&[]), &whole_last)))
        }
    };
    if !ok {
        return None;
    }
    let (k0, k1) = if substring {
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
    // An allow-list phrase covers every term inside it: list entries, protected terms and
    // pattern-class terms alike (the name "عبد الله" is not God, "ya kalbi" is not a dog).
    hits.retain(|h| {
        h.kind != HitKind::Allow
            && !(matches!(h.kind, HitKind::Entry { .. } | HitKind::Protected(_))
                && allows.iter().any(|&(a, b)| a <= h.k0 && h.k1 <= b))
    });
    hits.sort_by_key(|h| (h.k0, std::cmp::Reverse(h.k1)));
    let mut out: Vec<Hit> = Vec::with_capacity(hits.len());
    // The end of the longest reach among `out`: a hit ending after it is inside none of them
    // (most hits, which follow each other), so `out` is searched only for the others.
    let mut reach = 0usize;
    for h in hits.iter() {
        let dup = h.k1 <= reach
            && out.iter().any(|o| {
                let same_list = match (o.kind, h.kind) {
                    (HitKind::Entry { list: a, .. }, HitKind::Entry { list: b, .. }) => a == b,
                    (a, b) => a == b,
                };
                same_list && o.k0 <= h.k0 && h.k1 <= o.k1
            });
        if !dup {
            reach = reach.max(h.k1);
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

/// A base token that is one ASCII digit (an Arabizi letter when it stands among spaced Latin
/// letters).
fn lone_digit(b: &BaseTok) -> bool {
    b.k1 - b.k0 == 1 && b.has_digit && b.script == Script::Other
}

/// A base token of one to three letters (no digit or symbol).
fn short_piece(b: &BaseTok) -> bool {
    b.k1 - b.k0 <= 3 && !b.has_digit && !b.has_symbol && b.script != Script::Other
}

/// Between base tokens `a` and `b`: one to three non-letters and no whitespace.
fn tight_gap(chars: &[char], a: &BaseTok, b: &BaseTok) -> bool {
    let gap = chars.get(a.k1..b.k0).unwrap_or(&[]);
    !gap.is_empty() && gap.len() <= 3 && !gap.iter().any(|c| is_alnum(*c) || c.is_whitespace())
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
    run: arabizi::Run,
    readings: Vec<arabizi::Reading>,
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
    } else if is_alnum(c) {
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
            && !self.base.windows(2).any(|w| match w {
                [a, b] => short_piece(a) && short_piece(b) && tight_gap(chars, a, b),
                _ => false,
            })
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
            // The whitespace between the run's first two letters: a wider
            // gap later ("ك ا ت ب  م ر ت ز ق") is the writer's word break.
            let mut first_blanks = None;
            // The run's script (a digit has none) and its letters (digits not counted).
            let mut script = bi.script;
            let mut run_letters = usize::from(bi.single_letter);
            if bi.single_letter || lone_digit(&bi) {
                while let Some(bj) = self.base.get(j).copied() {
                    let Some(prev) = self.base.get(j - 1) else {
                        break;
                    };
                    // An Arabizi digit among spaced Latin letters is one of them ("9.a.7.b.a",
                    // "n 3 a l").
                    let fits = if bj.single_letter {
                        script == Script::Other || bj.script == script
                    } else {
                        lone_digit(&bj) && script != Script::Arabic
                    };
                    if !fits {
                        break;
                    }
                    // Any run of non-letters separates single letters (punctuation of any
                    // script, symbols, emoji, dashes, brackets, the braille blank …).
                    let gap = chars.get(prev.k1..bj.k0).unwrap_or(&[]);
                    if gap.is_empty()
                        || gap.len() > MAX_JOIN_GAP
                        || gap.iter().any(|c| is_alnum(*c))
                    {
                        break;
                    }
                    let blanks = gap.iter().filter(|c| c.is_whitespace()).count();
                    if blanks > *first_blanks.get_or_insert(blanks) {
                        break;
                    }
                    spaced |= blanks > 0;
                    if bj.single_letter {
                        script = bj.script;
                        run_letters += 1;
                    }
                    j += 1;
                }
            }
            // A letter set off from the run by another gap than the run's own is a word of
            // its own: the article in "a m.o.r.o.n", the elided "d'" of "d'e.n.c.u.l.é.s".
            if j - i >= 4 && bi.single_letter {
                let gap = |x: usize| match (self.base.get(x), self.base.get(x + 1)) {
                    (Some(a), Some(b)) => chars.get(a.k1..b.k0),
                    _ => None,
                };
                if gap(i) != gap(i + 1) && (i + 2..j - 1).all(|x| gap(x) == gap(i + 1)) {
                    j = i + 1;
                    run_letters = 1;
                }
            }
            if j - i > 1 && (run_letters < 2 || script == Script::Other) {
                // Digits alone, or one letter among digits ("3.5", "a.1.2"): no word.
                j = i + 1;
            }
            let run = j - i;
            let mut join = run >= 3 || (run == 2 && !spaced);
            // A word cut into short pieces by punctuation without spaces ("ab-ru-ti",
            // "الم.ص.ح.ف"): at least three pieces of at most three letters.
            if !join && short_piece(&bi) {
                let mut k = i + 1;
                while let (Some(a), Some(b)) = (self.base.get(k - 1), self.base.get(k)) {
                    if !short_piece(b) || b.script != bi.script || !tight_gap(chars, a, b) {
                        break;
                    }
                    k += 1;
                }
                if k - i >= 3 {
                    j = k;
                    join = true;
                }
            }
            let end = if join { j } else { i + 1 };
            let k1 = self.base.get(end - 1).map(|b| b.k1).unwrap_or(bi.k1);
            let mut tok = Tok {
                b0: i,
                b1: end,
                k0: bi.k0,
                k1,
                script: if join { script } else { bi.script },
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

    #[test]
    fn no_affix_is_longer_than_the_bound_validate_cuts_at() {
        for list in [
            PROCLITICS,
            ENCLITICS,
            FEM_SUFFIXES,
            SHORT_ENCLITICS,
            TRILITERAL_ENDINGS,
            TENSE_PROCLITICS,
            PRONOUN_PROCLITICS,
            LATIN_SUFFIXES,
            SHORT_LATIN_SUFFIXES,
        ] {
            for a in list {
                assert!(
                    a.chars().count() <= MAX_AFFIX,
                    "{a} is longer than MAX_AFFIX"
                );
            }
        }
    }

    #[test]
    fn run_keys_are_the_affix_keys_of_the_expanded_runs() {
        let sc = |ch: char, count: u16| SChar {
            ch,
            count,
            ..SChar::default()
        };
        let cases: &[(&[SChar], &[SChar])] = &[
            (&[], &[]),
            (&[sc('و', 1)], &[]),
            (&[], &[sc('ه', 1), sc('م', 1)]),
            (&[sc('ل', 2)], &[sc('ا', 1)]),
            (&[sc('ا', 2), sc('ل', 2)], &[]),
            (&[sc('ا', 2), sc('ل', 2)], &[sc('ك', 1)]),
            (&[sc('s', 5)], &[]),
            (&[sc('\u{1F600}', 1)], &[]),
        ];
        for (head, tail) in cases {
            let expanded = head
                .iter()
                .chain(tail.iter())
                .flat_map(|c| std::iter::repeat_n(c.ch, usize::from(c.count)));
            assert_eq!(
                runs_key(head, tail),
                affix_key(expanded),
                "{head:?} {tail:?}"
            );
        }
    }

    fn lex(entries: &[(&str, bool)]) -> Lexicon {
        let defs = entries.iter().enumerate().map(|(i, (t, sub))| EntryDef {
            kind: HitKind::Entry {
                list: 0,
                entry: i as u32,
            },
            term: t,
            substring: *sub,
            forms: &[],
            arabizi: true,
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
    fn a_latin_word_cut_by_punctuation_is_read_whole_but_not_across_an_elision() {
        let l = lex(&[("abruti", false), ("cest", false)]);
        for (text, found) in [
            ("un ab.ruti", vec!["ab.ruti"]),
            ("un abr-uti", vec!["abr-uti"]),
            ("c'est", vec![]),
            ("c’est", vec![]),
        ] {
            let got: Vec<String> = hits(&l, text).into_iter().map(|(t, _)| t).collect();
            assert_eq!(got, found, "{text}");
        }
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
            ("ك ا ت ب  م ر ت ز ق", 2),
            ("ك.ا.ت.ب  م.ر.ت.ز.ق", 2),
            ("f u c k   y o u", 2),
            ("sh!t!", 1),
        ];
        for (text, want) in cases {
            let mut key = KeyBuf::default();
            key.build(text);
            ws.tokenize(key.chars());
            assert_eq!(ws.toks.len(), *want, "{text}");
        }
    }

    /// Every text finds at least the hits it names, and a text naming none
    /// finds nothing.
    fn check_table(l: &Lexicon, cases: &[(&str, &[&str])]) {
        for (text, want) in cases {
            let got: Vec<String> = hits(l, text).into_iter().map(|h| h.0).collect();
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
        check_table(&l, cases);
    }

    #[test]
    fn inflection_pronouns_and_split_pieces_table() {
        let l = lex(&[
            ("حمار", false),
            ("كلب", false),
            ("جرو", false),
            ("انت غبي", false),
            ("abruti", false),
            ("fils de chienne", false),
            ("المصحف", false),
        ]);
        let cases: &[(&str, &[&str])] = &[
            // The accusative tanween and the dual of a three-letter noun.
            ("كان حمارا", &["حمارا"]),
            ("لم يكن إلا كلباً", &["كلبا"]),
            ("كلبين", &["كلبين"]),
            ("الكلبان", &["الكلبان"]),
            // ا after و is the plural verb ending: فجروا is not ف + جرو.
            ("فجروا", &[]),
            // An independent pronoun takes no preposition: كانت is not ك + انت.
            ("كانت غبية", &[]),
            ("وانت غبي", &["وانت غبي"]),
            // A word cut into short pieces by punctuation.
            ("un ab-ru-ti complet", &["ab-ru-ti"]),
            ("الم.ص.ح.ف", &["الم.ص.ح.ف"]),
            ("ab-ru ti", &[]),
            // Leetspeak inside a phrase.
            ("fils de ch!enne", &["fils de ch!enne"]),
            ("fils de chienne", &["fils de chienne"]),
        ];
        check_table(&l, cases);
    }

    #[test]
    fn glued_and_split_words_table() {
        let l = lex(&[
            ("حمار", false),
            ("كلب", false),
            ("شرموطة", false),
            ("يلعن", false),
            ("idiot", false),
            ("منحط", false),
        ]);
        let cases: &[(&str, &[&str])] = &[
            // Glued to a frequent word, to the article, or a long entry after any word.
            ("هذاحمار", &["هذاحمار"]),
            ("الكاتبحمار", &["الكاتبحمار"]),
            ("الكاتبالحمار", &["الكاتبالحمار"]),
            ("هذاالكلب", &["هذاالكلب"]),
            ("الكاتبةشرموطة", &["الكاتبةشرموطة"]),
            ("youidiot", &["youidiot"]),
            // Not after any word when the entry is short: it may end a longer word.
            ("استحمار", &[]),
            ("مكلب", &[]),
            ("someidiot", &[]),
            // A three-letter entry cut by punctuation, a function word beside a fragment.
            ("كـ.لب", &["كـ.لب"]),
            ("يل عن", &["يل عن"]),
            // Two words: a function word and a real short word stay apart.
            ("من حط", &[]),
            ("ك لب", &[]),
        ];
        check_table(&l, cases);
    }

    #[test]
    fn class_terms_are_read_in_arabizi_where_the_run_is_arabizi() {
        let l = Lexicon::build([
            EntryDef {
                kind: HitKind::Protected(0),
                term: "الانجيل",
                substring: false,
                forms: &[],
                arabizi: true,
            },
            EntryDef {
                kind: HitKind::Protected(1),
                term: "قمل",
                substring: false,
                forms: &[],
                arabizi: true,
            },
        ])
        .unwrap();
        let words = |t: &str| -> Vec<String> { hits(&l, t).into_iter().map(|h| h.0).collect() };
        // A letter-digit word marks the run as Arabizi; the article may stand alone.
        assert_eq!(words("el engil da wara2"), vec!["el engil".to_string()]);
        // Without one, a class term is not read from a digitless word.
        assert!(words("el engil da waraq").is_empty());
        // Read by context, a class term takes no ending: "kamlin" (all) is not قمل + ين.
        assert!(words("kamlin w 3la").is_empty());
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
            forms: &[],
            arabizi: true,
        }]);
        assert!(matches!(r, Err((0, EntryError::SubstringNotAllowed))));
        let r = Lexicon::build([EntryDef {
            kind: HitKind::Allow,
            term: " ... ",
            substring: false,
            forms: &[],
            arabizi: true,
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
                forms: &[],
                arabizi: true,
            },
            EntryDef {
                kind: HitKind::Allow,
                term: "scunthorpe",
                substring: false,
                forms: &[],
                arabizi: true,
            },
        ];
        let l = Lexicon::build(defs).unwrap();
        assert!(hits(&l, "Scunthorpe United").is_empty());
        assert_eq!(hits(&l, "cunt").len(), 1);
    }
}
