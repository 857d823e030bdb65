//! Orchestration between the HTTP edge and storage: each function is one
//! use case following the request flow of DESIGN.md (parse, gate, gather
//! signals, decide, persist in one transaction, respond).

mod admin;
mod clock;
mod comments;
mod moderation;
mod notify;
mod rate_limit;
mod read_cache;
mod rules;

pub use admin::{
    AdminError, INSTANCE, LexiconPut, LexiconSaved, NewModeratorDto, add_block, add_moderator,
    change_site, create_api_key, create_site, delete_lexicon, disable_moderator, edit_comment,
    put_lexicon, put_patterns, put_rules, remove_block, revoke_api_key, set_moderator_password,
};
pub use clock::now_ms;
pub use comments::{SubmitContext, SubmitError, SubmitOutcome, submit_comment};
pub use moderation::{Decision, DecisionError, decide, decide_by_link};
pub use rate_limit::{Limited, RateLimiter};
pub use read_cache::{Cached, ReadCache};
pub use rules::{
    PolicyCache, RulesError, StoredPolicy, cidr_contains, findings_after_edit, parse_cidr,
};
