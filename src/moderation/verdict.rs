//! Results of an evaluation: actions, findings, verdict.

use serde::{Deserialize, Serialize};

/// What the rules ask for. Precedence (the `Ord`): reject > hold > flag > allow.
#[derive(
    Serialize,
    Deserialize,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Debug,
    Hash,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Allow,
    Flag,
    Hold,
    Reject,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Flag => "flag",
            Action::Hold => "hold",
            Action::Reject => "reject",
        }
    }
}

/// A field of a submission.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Email,
    Title,
    Body,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::Title => "title",
            Field::Body => "body",
        }
    }
}

/// Byte offsets `[start, end)` into the ORIGINAL field text, always on char boundaries.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Stable reason codes (the `code` of a [`Finding`] / [`Throttle`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReasonCode {
    BannedTerm,
    ProtectedEntityInsult,
    RegexMatch,
    TooManyLinks,
    BlockedLinkDomain,
    FirstCommentLink,
    DuplicateBody,
    BlockedEmail,
    BlockedEmailDomain,
    BlockedIp,
    RepeatedCharacters,
    ExcessiveCaps,
    MixedScriptToken,
    RateMinInterval,
    RateHourlyEmail,
    RateHourlyIp,
    RateHourlyNetwork,
    WriterInsult,
    PersonInsult,
    SacredInsult,
    ReligionAttack,
    SectarianIncitement,
    RacistIncitement,
    ObscenePattern,
    Honeypot,
    FilledTooFast,
    ProofOfWorkFailed,
    NearDuplicateBody,
    FirstTimeBurst,
    ProofOfWorkMissing,
    AddressVolume,
    NetworkVolume,
    SpamScore,
}

impl ReasonCode {
    pub const ALL: [ReasonCode; 33] = [
        ReasonCode::BannedTerm,
        ReasonCode::ProtectedEntityInsult,
        ReasonCode::RegexMatch,
        ReasonCode::TooManyLinks,
        ReasonCode::BlockedLinkDomain,
        ReasonCode::FirstCommentLink,
        ReasonCode::DuplicateBody,
        ReasonCode::BlockedEmail,
        ReasonCode::BlockedEmailDomain,
        ReasonCode::BlockedIp,
        ReasonCode::RepeatedCharacters,
        ReasonCode::ExcessiveCaps,
        ReasonCode::MixedScriptToken,
        ReasonCode::RateMinInterval,
        ReasonCode::RateHourlyEmail,
        ReasonCode::RateHourlyIp,
        ReasonCode::RateHourlyNetwork,
        ReasonCode::WriterInsult,
        ReasonCode::PersonInsult,
        ReasonCode::SacredInsult,
        ReasonCode::ReligionAttack,
        ReasonCode::SectarianIncitement,
        ReasonCode::RacistIncitement,
        ReasonCode::ObscenePattern,
        ReasonCode::Honeypot,
        ReasonCode::FilledTooFast,
        ReasonCode::ProofOfWorkFailed,
        ReasonCode::NearDuplicateBody,
        ReasonCode::FirstTimeBurst,
        ReasonCode::ProofOfWorkMissing,
        ReasonCode::AddressVolume,
        ReasonCode::NetworkVolume,
        ReasonCode::SpamScore,
    ];

    /// Stable snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::BannedTerm => "banned_term",
            ReasonCode::ProtectedEntityInsult => "protected_entity_insult",
            ReasonCode::RegexMatch => "regex_match",
            ReasonCode::TooManyLinks => "too_many_links",
            ReasonCode::BlockedLinkDomain => "blocked_link_domain",
            ReasonCode::FirstCommentLink => "first_comment_link",
            ReasonCode::DuplicateBody => "duplicate_body",
            ReasonCode::BlockedEmail => "blocked_email",
            ReasonCode::BlockedEmailDomain => "blocked_email_domain",
            ReasonCode::BlockedIp => "blocked_ip",
            ReasonCode::RepeatedCharacters => "repeated_characters",
            ReasonCode::ExcessiveCaps => "excessive_caps",
            ReasonCode::MixedScriptToken => "mixed_script_token",
            ReasonCode::RateMinInterval => "rate_min_interval",
            ReasonCode::RateHourlyEmail => "rate_hourly_email",
            ReasonCode::RateHourlyIp => "rate_hourly_ip",
            ReasonCode::RateHourlyNetwork => "rate_hourly_network",
            ReasonCode::WriterInsult => "writer_insult",
            ReasonCode::PersonInsult => "person_insult",
            ReasonCode::SacredInsult => "sacred_insult",
            ReasonCode::ReligionAttack => "religion_attack",
            ReasonCode::SectarianIncitement => "sectarian_incitement",
            ReasonCode::RacistIncitement => "racist_incitement",
            ReasonCode::ObscenePattern => "obscene_pattern",
            ReasonCode::Honeypot => "honeypot",
            ReasonCode::FilledTooFast => "filled_too_fast",
            ReasonCode::ProofOfWorkFailed => "proof_of_work_failed",
            ReasonCode::NearDuplicateBody => "near_duplicate_body",
            ReasonCode::FirstTimeBurst => "first_time_burst",
            ReasonCode::ProofOfWorkMissing => "proof_of_work_missing",
            ReasonCode::AddressVolume => "address_volume",
            ReasonCode::NetworkVolume => "network_volume",
            ReasonCode::SpamScore => "spam_score",
        }
    }
}

/// One rule result, shown to moderators (never to the commenter).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Finding {
    /// Stable snake_case reason code (see [`ReasonCode`]).
    pub code: String,
    /// Rule id, e.g. "lexicon:insult-ar", "cooccurrence", "links.max_count".
    pub rule: String,
    pub action: Action,
    /// insult|obscenity|religion|sectarian_racist|spam|custom
    pub category: Option<String>,
    pub list: Option<String>,
    pub list_version: Option<u32>,
    pub field: Option<Field>,
    /// Byte offsets into the ORIGINAL field text, on char boundaries.
    pub spans: Vec<Span>,
    /// The lexicon entry that matched (moderators only).
    pub matched: Option<String>,
    pub explanation_ar: String,
    pub explanation_en: String,
    /// What this finding adds to the spam score (see
    /// [`crate::moderation::spam::WEIGHTS`]); absent when it adds nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
}

impl Finding {
    /// A finding without list/field/spans; fill the rest with struct update syntax.
    pub(crate) fn simple(
        code: ReasonCode,
        rule: &str,
        action: Action,
        explanation_ar: String,
        explanation_en: String,
    ) -> Finding {
        Finding {
            code: code.as_str().to_string(),
            rule: rule.to_string(),
            action,
            category: None,
            list: None,
            list_version: None,
            field: None,
            spans: Vec::new(),
            matched: None,
            explanation_ar,
            explanation_en,
            weight: None,
        }
    }
}

/// Rate limiting: the app answers 429 with `Retry-After` and stores nothing.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Throttle {
    pub retry_after_secs: u64,
    pub code: &'static str,
}

/// The outcome of [`crate::moderation::evaluate`].
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Verdict {
    /// Highest action over all findings (allow when there is none).
    pub action: Action,
    pub findings: Vec<Finding>,
    /// Set when the submission must be refused for posting too fast.
    pub throttle: Option<Throttle>,
}

impl Verdict {
    pub(crate) fn from_findings(findings: Vec<Finding>, throttle: Option<Throttle>) -> Verdict {
        let action = findings
            .iter()
            .map(|f| f.action)
            .max()
            .unwrap_or(Action::Allow);
        Verdict {
            action,
            findings,
            throttle,
        }
    }

    /// True when some finding has the given code.
    pub fn has_code(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_precedence_is_reject_hold_flag_allow() {
        let mut v = vec![Action::Flag, Action::Reject, Action::Allow, Action::Hold];
        v.sort();
        assert_eq!(
            v,
            vec![Action::Allow, Action::Flag, Action::Hold, Action::Reject]
        );
    }

    #[test]
    fn action_serialises_snake_case() {
        assert_eq!(
            serde_json::to_string(&Action::Hold).unwrap_or_default(),
            "\"hold\""
        );
        let a: Action = serde_json::from_str("\"reject\"").unwrap();
        assert_eq!(a, Action::Reject);
    }

    #[test]
    fn reason_codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for c in ReasonCode::ALL {
            let s = c.as_str();
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert!(seen.insert(s));
        }
    }
}
