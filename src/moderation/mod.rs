//! Posting-rules engine (DESIGN §6): pure functions from a submission, precomputed signals and
//! a compiled per-site policy to a verdict with explained findings.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod engine;
pub mod lexicon;
pub mod normalize;
pub mod patterns;
pub mod policy;
pub mod rules;
pub mod spam;
pub mod traps;
pub mod verdict;

pub use engine::{Signals, Submission, body_fingerprint, evaluate};
pub use lexicon::Lexicon;
pub use normalize::{MatchKey, match_key};
pub use patterns::{PatternConfig, PatternRule, PostingRule, TermClass};
pub use policy::{
    BlocklistRules, Category, DuplicateRules, Entry, EntryDetail, LatinLang, LexiconSpec,
    LinkRules, Policy, PolicyConfig, PolicyError, RateRules, RegexRule, ShapeRules,
};
pub use traps::{TrapSignals, traps};
pub use verdict::{Action, Field, Finding, ReasonCode, Span, Throttle, Verdict};
