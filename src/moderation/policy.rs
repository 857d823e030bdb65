//! Per-site policy: `PolicyConfig` (serde, editable by admins) compiled into a validated
//! `Policy`.

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use super::lexicon::{EntryDef, EntryError, HitKind, Lexicon};
use super::patterns::{PatternConfig, Patterns};
use super::verdict::{Action, Field};

/// Maximum number of admin regexes.
pub const MAX_REGEXES: usize = 100;
/// Maximum length of one admin regex pattern, in characters.
pub const MAX_REGEX_LEN: usize = 500;
/// Compiled size cap of one admin regex (bytes), see `RegexBuilder::size_limit`.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Maximum number of lexicon entries + protected terms + allow entries.
pub const MAX_LEXICON_ENTRIES: usize = 200_000;
/// Maximum co-occurrence window.
pub const MAX_COOCCURRENCE_WINDOW: usize = 50;

/// Category of a lexicon list.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Insult,
    Obscenity,
    Religion,
    SectarianRacist,
    Spam,
    Custom,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Insult => "insult",
            Category::Obscenity => "obscenity",
            Category::Religion => "religion",
            Category::SectarianRacist => "sectarian_racist",
            Category::Spam => "spam",
            Category::Custom => "custom",
        }
    }

    pub(crate) fn label_ar(self) -> &'static str {
        match self {
            Category::Insult => "شتائم",
            Category::Obscenity => "ألفاظ بذيئة",
            Category::Religion => "إساءة للمقدسات",
            Category::SectarianRacist => "طائفية/عنصرية",
            Category::Spam => "رسائل دعائية",
            Category::Custom => "قائمة مخصصة",
        }
    }
}

/// A lexicon entry: a plain string, or
/// `{"term": "...", "action": "hold", "substring": true, "forms": ["..."]}`.
///
/// Arabic entries are lemmas: their regular forms are generated when the list is compiled (see
/// `lexicon` module docs); `forms` adds irregular ones (broken plurals) the generator cannot
/// know. In a list editor's text area an entry is one line: `term | hold substring forms=a,b`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(untagged)]
pub enum Entry {
    Term(String),
    Detailed(EntryDetail),
}

/// Per-entry overrides.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EntryDetail {
    pub term: String,
    /// Overrides the list's action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// Latin entries of ≥ 4 letters only: match anywhere inside words.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub substring: bool,
    /// Extra forms matched as this entry (e.g. a broken plural: كلب → كلاب).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<String>,
}

impl Entry {
    pub fn term(&self) -> &str {
        match self {
            Entry::Term(t) => t,
            Entry::Detailed(d) => &d.term,
        }
    }
    pub fn action(&self) -> Option<Action> {
        match self {
            Entry::Term(_) => None,
            Entry::Detailed(d) => d.action,
        }
    }
    pub fn substring(&self) -> bool {
        match self {
            Entry::Term(_) => false,
            Entry::Detailed(d) => d.substring,
        }
    }
    pub fn forms(&self) -> &[String] {
        match self {
            Entry::Term(_) => &[],
            Entry::Detailed(d) => &d.forms,
        }
    }

    /// Parses one line of a list editor or seed file: `term` or
    /// `term | hold substring forms=a,b` (flags in any order; unknown flags are ignored).
    pub fn parse_line(line: &str) -> Entry {
        let mut parts = line.splitn(2, '|');
        let term = parts.next().unwrap_or("").trim().to_string();
        let Some(flags) = parts.next() else {
            return Entry::Term(term);
        };
        let mut detail = EntryDetail {
            term,
            action: None,
            substring: false,
            forms: Vec::new(),
        };
        for f in flags.split_whitespace() {
            match f {
                "allow" => detail.action = Some(Action::Allow),
                "flag" => detail.action = Some(Action::Flag),
                "hold" => detail.action = Some(Action::Hold),
                "reject" => detail.action = Some(Action::Reject),
                "substring" => detail.substring = true,
                _ => {
                    if let Some(forms) = f.strip_prefix("forms=") {
                        detail.forms.extend(
                            forms
                                .split([',', '،'])
                                .map(str::trim)
                                .filter(|s| !s.is_empty())
                                .map(str::to_string),
                        );
                    }
                }
            }
        }
        if detail.action.is_none() && !detail.substring && detail.forms.is_empty() {
            return Entry::Term(detail.term);
        }
        Entry::Detailed(detail)
    }

    /// The entry as one editor line (the inverse of [`Entry::parse_line`]).
    pub fn to_line(&self) -> String {
        let Entry::Detailed(d) = self else {
            return self.term().to_string();
        };
        let mut flags = Vec::new();
        if let Some(a) = d.action {
            flags.push(a.as_str().to_string());
        }
        if d.substring {
            flags.push("substring".to_string());
        }
        if !d.forms.is_empty() {
            flags.push(format!("forms={}", d.forms.join(",")));
        }
        if flags.is_empty() {
            d.term.clone()
        } else {
            format!("{} | {}", d.term, flags.join(" "))
        }
    }
}

/// One word list.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LexiconSpec {
    /// Stable list name, e.g. "insult-ar" (1–64 chars of a-z 0-9 - _).
    pub name: String,
    pub category: Category,
    pub action: Action,
    pub version: u32,
    pub entries: Vec<Entry>,
    /// The language of a list of Latin-script words (`en`, `fr`): a field written in the other
    /// of the two is not read with it ("bite" is French obscenity, an English "dog bite" is
    /// not). Unset: read in every field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<LatinLang>,
}

/// A European language of Latin-script lists and fields (see [`LexiconSpec::lang`]).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LatinLang {
    En,
    Fr,
}

/// An admin regex, matched against the ORIGINAL text of the given fields.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RegexRule {
    pub id: String,
    pub pattern: String,
    pub action: Action,
    /// Empty = name, title and body.
    #[serde(default)]
    pub fields: Vec<Field>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LinkRules {
    /// More links than this (not counting allowed domains) → `too_many_links_action`.
    pub max_links: u32,
    pub too_many_links_action: Action,
    /// Hosts (subdomains included) whose links trigger `blocked_domain_action`.
    pub blocked_domains: Vec<String>,
    pub blocked_domain_action: Action,
    /// Hosts (subdomains included) that never count as links for the other rules.
    pub allowed_domains: Vec<String>,
    /// Any (non-allowed) link in an author's first comment.
    pub first_comment_link_action: Action,
}

impl Default for LinkRules {
    fn default() -> Self {
        LinkRules {
            max_links: 2,
            too_many_links_action: Action::Hold,
            blocked_domains: Vec::new(),
            blocked_domain_action: Action::Reject,
            allowed_domains: Vec::new(),
            first_comment_link_action: Action::Hold,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DuplicateRules {
    pub action: Action,
    /// Window the app uses when computing the duplicate signals.
    pub window_minutes: u32,
}

impl Default for DuplicateRules {
    fn default() -> Self {
        DuplicateRules {
            action: Action::Hold,
            window_minutes: 60,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RateRules {
    /// Minimum seconds between two comments by the same email (0 = off).
    pub min_interval_secs: u64,
    /// Max comments per hour per email (0 = off).
    pub max_per_hour_email: u32,
    /// Max comments per hour per IP (0 = off).
    pub max_per_hour_ip: u32,
    /// Retry-After for the hourly caps.
    pub hourly_retry_after_secs: u64,
}

impl Default for RateRules {
    fn default() -> Self {
        RateRules {
            min_interval_secs: 15,
            max_per_hour_email: 20,
            max_per_hour_ip: 60,
            hourly_retry_after_secs: 300,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BlocklistRules {
    pub action: Action,
}

impl Default for BlocklistRules {
    fn default() -> Self {
        BlocklistRules {
            action: Action::Reject,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ShapeRules {
    /// A character repeated more than this many times in a row → `repeated_chars_action`
    /// (letters/punctuation; the laughter letter ه and digits are exempt). 0 = off.
    pub max_repeated_chars: usize,
    pub repeated_chars_action: Action,
    /// Share of upper-case among Latin letters of the body at or above which → `caps_action`.
    pub caps_ratio: f32,
    /// Minimum number of Latin letters in the body for the caps rule.
    pub caps_min_letters: usize,
    pub caps_action: Action,
    /// A word mixing scripts (Arabic+Latin, Latin+Cyrillic/Greek, …).
    pub mixed_script_action: Action,
}

impl Default for ShapeRules {
    fn default() -> Self {
        ShapeRules {
            max_repeated_chars: 6,
            repeated_chars_action: Action::Flag,
            caps_ratio: 0.7,
            caps_min_letters: 20,
            caps_action: Action::Flag,
            mixed_script_action: Action::Flag,
        }
    }
}

/// The editable per-site policy. Unknown fields are rejected; missing fields take defaults.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    pub lexicons: Vec<LexiconSpec>,
    /// Exceptions: a token/phrase matching one of these never counts as a lexicon hit.
    pub allow: Vec<String>,
    /// Religions, God, prophets, sects, groups, "the writer"…: near an insult → hold.
    pub protected_terms: Vec<String>,
    /// Distance in tokens for the protected-entity rule (default 5).
    pub cooccurrence_window: usize,
    pub regexes: Vec<RegexRule>,
    pub links: LinkRules,
    pub duplicates: DuplicateRules,
    pub rate: RateRules,
    pub blocklists: BlocklistRules,
    pub shape: ShapeRules,
    /// Pattern rules: term classes and "class A within N tokens of class B" rules (hold).
    /// A document without this field (saved before pattern rules existed) gets the seed's.
    #[serde(default = "PatternConfig::seed")]
    pub patterns: PatternConfig,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            lexicons: Vec::new(),
            allow: Vec::new(),
            protected_terms: Vec::new(),
            cooccurrence_window: 5,
            regexes: Vec::new(),
            links: LinkRules::default(),
            duplicates: DuplicateRules::default(),
            rate: RateRules::default(),
            blocklists: BlocklistRules::default(),
            shape: ShapeRules::default(),
            patterns: PatternConfig::default(),
        }
    }
}

/// Why a `PolicyConfig` was refused.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    #[error("lexicon {list:?}: entry {index} ({term:?}) is empty after normalisation")]
    EmptyEntry {
        list: String,
        index: usize,
        term: String,
    },
    #[error(
        "lexicon {list:?}: entry {index} ({term:?}) cannot use substring matching (only Latin entries of at least 4 letters can)"
    )]
    SubstringNotAllowed {
        list: String,
        index: usize,
        term: String,
    },
    #[error("{what} {index} ({term:?}) is empty after normalisation")]
    EmptyTerm {
        what: &'static str,
        index: usize,
        term: String,
    },
    #[error("lexicon name {0:?} is used twice")]
    DuplicateLexicon(String),
    #[error("lexicon name {0:?} is invalid: use 1-64 characters a-z, 0-9, '-' or '_'")]
    InvalidLexiconName(String),
    #[error("too many lexicon entries: {count} (at most {max})")]
    TooManyEntries { count: usize, max: usize },
    #[error("too many regex rules: {count} (at most {max})")]
    TooManyRegexes { count: usize, max: usize },
    #[error("regex rule {id:?}: the pattern has {len} characters (at most {max})")]
    RegexTooLong { id: String, len: usize, max: usize },
    #[error("regex rule {id:?}: invalid pattern: {message}")]
    InvalidRegex { id: String, message: String },
    #[error("regex rule id {0:?} is used twice")]
    DuplicateRegexId(String),
    #[error("regex rule id {0:?} is invalid: use 1-64 characters a-z, 0-9, '-', '_' or '.'")]
    InvalidRegexId(String),
    #[error("domain {0:?} is invalid: use a host name such as example.com")]
    InvalidDomain(String),
    #[error("setting {setting}: {message}")]
    InvalidSetting {
        setting: &'static str,
        message: String,
    },
    #[error("the word lists could not be compiled: {0}")]
    Automaton(String),
    #[error("pattern rules: {id:?}: {message}")]
    InvalidPattern { id: String, message: String },
}

impl PolicyError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::EmptyEntry { .. } => "empty_entry",
            PolicyError::SubstringNotAllowed { .. } => "substring_not_allowed",
            PolicyError::EmptyTerm { .. } => "empty_term",
            PolicyError::DuplicateLexicon(_) => "duplicate_lexicon",
            PolicyError::InvalidLexiconName(_) => "invalid_lexicon_name",
            PolicyError::TooManyEntries { .. } => "too_many_entries",
            PolicyError::TooManyRegexes { .. } => "too_many_regexes",
            PolicyError::RegexTooLong { .. } => "regex_too_long",
            PolicyError::InvalidRegex { .. } => "invalid_regex",
            PolicyError::DuplicateRegexId(_) => "duplicate_regex_id",
            PolicyError::InvalidRegexId(_) => "invalid_regex_id",
            PolicyError::InvalidDomain(_) => "invalid_domain",
            PolicyError::InvalidSetting { .. } => "invalid_setting",
            PolicyError::Automaton(_) => "automaton",
            PolicyError::InvalidPattern { .. } => "invalid_pattern",
        }
    }
}

/// Compiled list metadata.
#[derive(Debug, Clone)]
pub(crate) struct ListMeta {
    pub name: String,
    pub category: Category,
    pub version: u32,
    /// (term as written, effective action)
    pub entries: Vec<(String, Action)>,
    pub lang: Option<LatinLang>,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledRegex {
    pub id: String,
    pub rule: String,
    pub re: Regex,
    pub action: Action,
    pub fields: Vec<Field>,
}

/// A compiled, validated policy. Cheap to share (`Arc<Policy>`); immutable.
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) cfg: PolicyConfig,
    pub(crate) lexicon: Lexicon,
    pub(crate) lists: Vec<ListMeta>,
    pub(crate) protected: Vec<String>,
    pub(crate) regexes: Vec<CompiledRegex>,
    pub(crate) blocked_domains: Vec<String>,
    pub(crate) allowed_domains: Vec<String>,
    pub(crate) patterns: Patterns,
}

enum Source {
    Entry { list: usize, index: usize },
    Protected(usize),
    ClassTerm { class: usize, index: usize },
    Allow(usize),
}

fn valid_name(s: &str, extra: &[char]) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars().all(|c| {
            c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || c == '-'
                || c == '_'
                || extra.contains(&c)
        })
}

/// Normalises a configured domain ("*.Example.com." → "example.com").
pub(crate) fn normalize_domain(d: &str) -> Option<String> {
    let d = d
        .trim()
        .trim_start_matches("*.")
        .trim_matches('.')
        .to_ascii_lowercase();
    let ok = d.contains('.')
        && d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    ok.then_some(d)
}

impl Policy {
    /// Validates and compiles a configuration.
    pub fn compile(cfg: &PolicyConfig) -> Result<Policy, PolicyError> {
        // Lists.
        let mut lists = Vec::with_capacity(cfg.lexicons.len());
        let mut sources = Vec::new();
        let mut defs_src: Vec<(&str, bool, HitKind, &[String])> = Vec::new();
        for (li, spec) in cfg.lexicons.iter().enumerate() {
            if !valid_name(&spec.name, &[]) {
                return Err(PolicyError::InvalidLexiconName(spec.name.clone()));
            }
            if cfg.lexicons.iter().take(li).any(|o| o.name == spec.name) {
                return Err(PolicyError::DuplicateLexicon(spec.name.clone()));
            }
            let mut entries = Vec::with_capacity(spec.entries.len());
            for (ei, e) in spec.entries.iter().enumerate() {
                entries.push((e.term().to_string(), e.action().unwrap_or(spec.action)));
                sources.push(Source::Entry {
                    list: li,
                    index: ei,
                });
                defs_src.push((
                    e.term(),
                    e.substring(),
                    HitKind::Entry {
                        list: li as u32,
                        entry: ei as u32,
                    },
                    e.forms(),
                ));
            }
            lists.push(ListMeta {
                name: spec.name.clone(),
                category: spec.category,
                version: spec.version,
                entries,
                lang: spec.lang,
            });
        }
        for (i, t) in cfg.protected_terms.iter().enumerate() {
            sources.push(Source::Protected(i));
            defs_src.push((t, false, HitKind::Protected(i as u32), &[]));
        }
        // Class terms of the pattern rules are protected-term hits numbered after the site's
        // protected terms (see `patterns`).
        let base = cfg.protected_terms.len() as u32;
        for (n, (class, index, t)) in cfg.patterns.terms().enumerate() {
            sources.push(Source::ClassTerm { class, index });
            defs_src.push((t, false, HitKind::Protected(base + n as u32), &[]));
        }
        let patterns = cfg
            .patterns
            .compile(base)
            .map_err(|(id, message)| PolicyError::InvalidPattern { id, message })?;
        for (i, t) in cfg.allow.iter().enumerate() {
            sources.push(Source::Allow(i));
            defs_src.push((t, false, HitKind::Allow, &[]));
        }
        if defs_src.len() > MAX_LEXICON_ENTRIES {
            return Err(PolicyError::TooManyEntries {
                count: defs_src.len(),
                max: MAX_LEXICON_ENTRIES,
            });
        }
        let lexicon =
            Lexicon::build(
                defs_src
                    .iter()
                    .map(|(term, substring, kind, forms)| EntryDef {
                        kind: *kind,
                        term,
                        substring: *substring,
                        forms,
                        arabizi: match kind {
                            HitKind::Entry { .. } => true,
                            HitKind::Protected(i) => *i >= base,
                            HitKind::Allow => false,
                        },
                    }),
            )
            .map_err(|(i, err)| {
                let term = defs_src.get(i).map(|d| d.0.to_string()).unwrap_or_default();
                match (sources.get(i), err) {
                    (_, EntryError::Automaton(m)) => PolicyError::Automaton(m),
                    (Some(Source::Entry { list, index }), EntryError::Empty) => {
                        PolicyError::EmptyEntry {
                            list: cfg
                                .lexicons
                                .get(*list)
                                .map(|l| l.name.clone())
                                .unwrap_or_default(),
                            index: *index,
                            term,
                        }
                    }
                    (Some(Source::Entry { list, index }), EntryError::SubstringNotAllowed) => {
                        PolicyError::SubstringNotAllowed {
                            list: cfg
                                .lexicons
                                .get(*list)
                                .map(|l| l.name.clone())
                                .unwrap_or_default(),
                            index: *index,
                            term,
                        }
                    }
                    (Some(Source::Protected(index)), _) => PolicyError::EmptyTerm {
                        what: "protected term",
                        index: *index,
                        term,
                    },
                    (Some(Source::ClassTerm { class, index }), _) => PolicyError::InvalidPattern {
                        id: cfg
                            .patterns
                            .classes
                            .get(*class)
                            .map(|c| c.name.clone())
                            .unwrap_or_default(),
                        message: format!("term {index} ({term:?}) is empty after normalisation"),
                    },
                    (Some(Source::Allow(index)), _) => PolicyError::EmptyTerm {
                        what: "allow entry",
                        index: *index,
                        term,
                    },
                    (None, _) => PolicyError::EmptyTerm {
                        what: "entry",
                        index: i,
                        term,
                    },
                }
            })?;

        // Regexes.
        if cfg.regexes.len() > MAX_REGEXES {
            return Err(PolicyError::TooManyRegexes {
                count: cfg.regexes.len(),
                max: MAX_REGEXES,
            });
        }
        let mut regexes = Vec::with_capacity(cfg.regexes.len());
        for (i, r) in cfg.regexes.iter().enumerate() {
            if !valid_name(&r.id, &['.']) {
                return Err(PolicyError::InvalidRegexId(r.id.clone()));
            }
            if cfg.regexes.iter().take(i).any(|o| o.id == r.id) {
                return Err(PolicyError::DuplicateRegexId(r.id.clone()));
            }
            let len = r.pattern.chars().count();
            if len > MAX_REGEX_LEN {
                return Err(PolicyError::RegexTooLong {
                    id: r.id.clone(),
                    len,
                    max: MAX_REGEX_LEN,
                });
            }
            let re = RegexBuilder::new(&r.pattern)
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| PolicyError::InvalidRegex {
                    id: r.id.clone(),
                    message: e.to_string(),
                })?;
            let fields = if r.fields.is_empty() {
                vec![Field::Name, Field::Title, Field::Body]
            } else {
                r.fields.clone()
            };
            regexes.push(CompiledRegex {
                id: r.id.clone(),
                rule: format!("regex:{}", r.id),
                re,
                action: r.action,
                fields,
            });
        }

        // Domains.
        let norm = |v: &[String]| -> Result<Vec<String>, PolicyError> {
            v.iter()
                .map(|d| normalize_domain(d).ok_or_else(|| PolicyError::InvalidDomain(d.clone())))
                .collect()
        };
        let blocked_domains = norm(&cfg.links.blocked_domains)?;
        let allowed_domains = norm(&cfg.links.allowed_domains)?;

        // Settings.
        if cfg.cooccurrence_window > MAX_COOCCURRENCE_WINDOW {
            return Err(PolicyError::InvalidSetting {
                setting: "cooccurrence_window",
                message: format!("must be at most {MAX_COOCCURRENCE_WINDOW}"),
            });
        }
        let r = cfg.shape.caps_ratio;
        if !(r > 0.0 && r <= 1.0) {
            return Err(PolicyError::InvalidSetting {
                setting: "shape.caps_ratio",
                message: "must be greater than 0 and at most 1".to_string(),
            });
        }
        if cfg.shape.max_repeated_chars == 1 {
            return Err(PolicyError::InvalidSetting {
                setting: "shape.max_repeated_chars",
                message: "must be 0 (off) or at least 2".to_string(),
            });
        }

        Ok(Policy {
            cfg: cfg.clone(),
            lexicon,
            lists,
            protected: cfg.protected_terms.clone(),
            regexes,
            blocked_domains,
            allowed_domains,
            patterns,
        })
    }

    /// The configuration this policy was compiled from.
    pub fn config(&self) -> &PolicyConfig {
        &self.cfg
    }

    /// Number of distinct normalised patterns in the automaton.
    pub fn pattern_count(&self) -> usize {
        self.lexicon.pattern_count()
    }

    /// The compiled word lists (entry and generated-form counts).
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }
}

// ---------------------------------------------------------------------------------------------
// Seed lists

struct SeedList {
    name: &'static str,
    category: Category,
    action: Action,
    version: u32,
    text: &'static str,
}

impl SeedList {
    /// The seed's French lists are French: a plainly English field is not read with them
    /// ("a dog bite"). The English lists are left unset: French and Arabizi writers borrow
    /// English swearwords ("c'est du porno"), English writers rarely borrow French ones.
    fn lang(&self) -> Option<LatinLang> {
        self.name.contains("-fr").then_some(LatinLang::Fr)
    }
}

const SEED_LISTS: &[SeedList] = &[
    SeedList {
        name: "obscenity-ar",
        category: Category::Obscenity,
        action: Action::Reject,
        version: 2,
        text: include_str!("seed/obscenity-ar.txt"),
    },
    SeedList {
        name: "insult-ar",
        category: Category::Insult,
        action: Action::Hold,
        version: 2,
        text: include_str!("seed/insult-ar.txt"),
    },
    SeedList {
        name: "religion-ar",
        category: Category::Religion,
        action: Action::Hold,
        version: 2,
        text: include_str!("seed/religion-ar.txt"),
    },
    SeedList {
        name: "sectarian-racist-ar",
        category: Category::SectarianRacist,
        action: Action::Hold,
        version: 2,
        text: include_str!("seed/sectarian-racist-ar.txt"),
    },
    SeedList {
        name: "obscenity-arabizi",
        category: Category::Obscenity,
        action: Action::Reject,
        version: 2,
        text: include_str!("seed/obscenity-arabizi.txt"),
    },
    SeedList {
        name: "obscenity-en",
        category: Category::Obscenity,
        action: Action::Reject,
        version: 2,
        text: include_str!("seed/obscenity-en.txt"),
    },
    SeedList {
        name: "insult-en",
        category: Category::Insult,
        action: Action::Hold,
        version: 2,
        text: include_str!("seed/insult-en.txt"),
    },
    SeedList {
        name: "insult-fr",
        category: Category::Insult,
        action: Action::Hold,
        version: 1,
        text: include_str!("seed/insult-fr.txt"),
    },
    SeedList {
        name: "obscenity-fr",
        category: Category::Obscenity,
        action: Action::Reject,
        version: 1,
        text: include_str!("seed/obscenity-fr.txt"),
    },
    SeedList {
        name: "sectarian-racist-latin",
        category: Category::SectarianRacist,
        action: Action::Hold,
        version: 1,
        text: include_str!("seed/sectarian-racist-latin.txt"),
    },
    SeedList {
        name: "insult-ar-msa",
        category: Category::Insult,
        action: Action::Hold,
        version: 1,
        text: include_str!("seed/insult-ar-msa.txt"),
    },
    SeedList {
        name: "insult-ar-mashreq",
        category: Category::Insult,
        action: Action::Hold,
        version: 1,
        text: include_str!("seed/insult-ar-mashreq.txt"),
    },
    SeedList {
        name: "insult-ar-maghreb",
        category: Category::Insult,
        action: Action::Hold,
        version: 1,
        text: include_str!("seed/insult-ar-maghreb.txt"),
    },
    SeedList {
        name: "insult-arabizi",
        category: Category::Insult,
        action: Action::Hold,
        version: 1,
        text: include_str!("seed/insult-arabizi.txt"),
    },
    SeedList {
        name: "insult-en-2",
        category: Category::Insult,
        action: Action::Hold,
        version: 1,
        text: include_str!("seed/insult-en-2.txt"),
    },
    SeedList {
        name: "insult-fr-2",
        category: Category::Insult,
        action: Action::Hold,
        version: 1,
        text: include_str!("seed/insult-fr-2.txt"),
    },
    SeedList {
        name: "obscenity-ar-2",
        category: Category::Obscenity,
        action: Action::Reject,
        version: 1,
        text: include_str!("seed/obscenity-ar-2.txt"),
    },
    SeedList {
        name: "religion-ar-2",
        category: Category::Religion,
        action: Action::Hold,
        version: 1,
        text: include_str!("seed/religion-ar-2.txt"),
    },
    SeedList {
        name: "spam",
        category: Category::Spam,
        action: Action::Flag,
        version: 1,
        text: include_str!("seed/spam.txt"),
    },
];

const SEED_PROTECTED: &str = include_str!("seed/protected-terms.txt");
const SEED_ALLOW: &str = include_str!("seed/allow.txt");

/// Lines of a seed file: '#' starts a comment, blank lines are skipped.
fn seed_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
}

/// Parses "term" or "term | hold substring forms=a,b" (see [`Entry::parse_line`]).
pub(crate) fn parse_seed_entry(line: &str) -> Entry {
    Entry::parse_line(line)
}

impl PolicyConfig {
    /// The shipped seed lists, protected terms and allow list; new sites start from it.
    pub fn seed() -> PolicyConfig {
        PolicyConfig {
            lexicons: SEED_LISTS
                .iter()
                .map(|s| LexiconSpec {
                    name: s.name.to_string(),
                    category: s.category,
                    action: s.action,
                    version: s.version,
                    entries: seed_lines(s.text).map(parse_seed_entry).collect(),
                    lang: s.lang(),
                })
                .collect(),
            allow: seed_lines(SEED_ALLOW).map(str::to_string).collect(),
            protected_terms: seed_lines(SEED_PROTECTED).map(str::to_string).collect(),
            patterns: PatternConfig::seed(),
            ..PolicyConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_compiles_and_every_seed_list_is_non_empty() {
        let cfg = PolicyConfig::seed();
        let p = Policy::compile(&cfg).unwrap();
        assert!(p.pattern_count() > 100);
        for l in &cfg.lexicons {
            assert!(!l.entries.is_empty(), "{}", l.name);
        }
        assert!(!cfg.protected_terms.is_empty());
    }

    #[test]
    fn config_roundtrips_through_json_and_rejects_unknown_fields() {
        let cfg = PolicyConfig::seed();
        let json = serde_json::to_string(&cfg).unwrap();
        let back: PolicyConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cfg);
        let err = serde_json::from_str::<PolicyConfig>(r#"{"lexiconz": []}"#);
        assert!(err.is_err());
        let empty: PolicyConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(empty.cooccurrence_window, 5);
        // A policy saved before pattern rules existed gets the seed's; an explicit empty
        // document stays empty.
        assert_eq!(empty.patterns, PatternConfig::seed());
        let none: PolicyConfig =
            serde_json::from_str(r#"{"patterns": {"classes": [], "rules": []}}"#).unwrap();
        assert!(none.patterns.rules.is_empty());
        assert_eq!(empty.links.max_links, 2);
        assert_eq!(empty.rate.min_interval_secs, 15);
    }

    #[test]
    fn entry_deserialises_from_string_or_object() {
        let v: Vec<Entry> = serde_json::from_str(
            r#"["abc", {"term": "defg", "action": "hold"}, {"term": "hijk", "substring": true}]"#,
        )
        .unwrap();
        assert_eq!(v[0], Entry::Term("abc".into()));
        assert_eq!(v[1].action(), Some(Action::Hold));
        assert!(v[2].substring());
        let c: Category = serde_json::from_str("\"sectarian_racist\"").unwrap();
        assert_eq!(c, Category::SectarianRacist);
    }

    fn with_regex(id: &str, pattern: &str) -> PolicyConfig {
        PolicyConfig {
            regexes: vec![RegexRule {
                id: id.into(),
                pattern: pattern.into(),
                action: Action::Hold,
                fields: vec![],
            }],
            ..PolicyConfig::default()
        }
    }

    #[test]
    fn policy_errors_table() {
        let long = "a".repeat(501);
        let too_many = PolicyConfig {
            regexes: (0..101)
                .map(|i| RegexRule {
                    id: format!("r{i}"),
                    pattern: "x".into(),
                    action: Action::Flag,
                    fields: vec![],
                })
                .collect(),
            ..PolicyConfig::default()
        };
        let list = |name: &str, entries: Vec<Entry>| PolicyConfig {
            lexicons: vec![LexiconSpec {
                lang: None,
                name: name.into(),
                category: Category::Custom,
                action: Action::Flag,
                version: 1,
                entries,
            }],
            ..PolicyConfig::default()
        };
        let cases: Vec<(PolicyConfig, &str)> = vec![
            (with_regex("bad", "(unclosed"), "invalid_regex"),
            (
                with_regex("big", r"\w{1000}\w{1000}\w{1000}"),
                "invalid_regex",
            ),
            (with_regex("long", &long), "regex_too_long"),
            (with_regex("Bad Id", "x"), "invalid_regex_id"),
            (too_many, "too_many_regexes"),
            (list("ok", vec![Entry::Term("...".into())]), "empty_entry"),
            (list("Bad name", vec![]), "invalid_lexicon_name"),
            (
                list(
                    "ok",
                    vec![Entry::Detailed(EntryDetail {
                        term: "كلب".into(),
                        action: None,
                        substring: true,
                        forms: vec![],
                    })],
                ),
                "substring_not_allowed",
            ),
            (
                PolicyConfig {
                    cooccurrence_window: 500,
                    ..PolicyConfig::default()
                },
                "invalid_setting",
            ),
            (
                PolicyConfig {
                    links: LinkRules {
                        blocked_domains: vec!["not a domain".into()],
                        ..LinkRules::default()
                    },
                    ..PolicyConfig::default()
                },
                "invalid_domain",
            ),
        ];
        for (cfg, code) in cases {
            let err = Policy::compile(&cfg).unwrap_err();
            assert_eq!(err.code(), code, "{err}");
            assert!(!err.to_string().is_empty());
        }
        let err = Policy::compile(&with_regex("bad", "(unclosed")).unwrap_err();
        assert!(err.to_string().contains("\"bad\""), "{err}");
    }

    #[test]
    fn seed_entry_flags() {
        assert_eq!(parse_seed_entry("abc"), Entry::Term("abc".into()));
        let e = parse_seed_entry("word | hold substring");
        assert_eq!(e.term(), "word");
        assert_eq!(e.action(), Some(Action::Hold));
        assert!(e.substring());
        let e = parse_seed_entry("زامل | forms=زوامل،زاملين");
        assert_eq!(e.forms(), ["زوامل".to_string(), "زاملين".to_string()]);
        assert_eq!(e.action(), None);
    }

    #[test]
    fn entry_lines_round_trip() {
        for line in [
            "abc",
            "word | hold substring",
            "كلب | forms=كلاب,كلوب",
            "x | flag forms=y",
        ] {
            assert_eq!(Entry::parse_line(line).to_line(), line);
        }
        assert_eq!(Entry::parse_line("abc | "), Entry::Term("abc".into()));
    }

    #[test]
    fn explicit_forms_match_as_the_entry() {
        let cfg = PolicyConfig {
            lexicons: vec![LexiconSpec {
                lang: None,
                name: "custom".into(),
                category: Category::Insult,
                action: Action::Hold,
                version: 1,
                entries: vec![
                    serde_json::from_str(r#"{"term": "زامل", "forms": ["زوامل"]}"#).unwrap(),
                ],
            }],
            ..PolicyConfig::default()
        };
        let json = serde_json::to_string(&cfg).unwrap();
        assert!(json.contains(r#""forms":["زوامل"]"#), "{json}");
        let p = Policy::compile(&cfg).unwrap();
        let v = crate::moderation::evaluate(
            &crate::moderation::Submission {
                body: "يا الزوامل",
                ..Default::default()
            },
            &crate::moderation::Signals::default(),
            &p,
        );
        assert_eq!(
            v.findings.first().and_then(|f| f.matched.as_deref()),
            Some("زامل")
        );
    }

    #[test]
    fn domains_normalise() {
        assert_eq!(
            normalize_domain("*.Example.COM."),
            Some("example.com".into())
        );
        assert_eq!(normalize_domain("localhost"), None);
    }
}
