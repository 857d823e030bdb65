//! Reader reports (#18): a reader tells the moderators that a published
//! comment breaks the rules, with a reason and an optional note.

use serde::{Deserialize, Serialize};

use super::text::normalize_text;
use super::validation::{FieldError, ValidationErrors, check_note};

/// Why a reader reports a comment: the posting rules' categories, and the
/// DSA-style "illegal content" where the site offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    Insult,
    Sacred,
    Religion,
    Sectarian,
    Obscenity,
    Spam,
    OffTopic,
    Other,
    /// Offered only by sites that turn it on.
    Illegal,
}

impl ReportReason {
    pub const ALL: [ReportReason; 9] = [
        ReportReason::Insult,
        ReportReason::Sacred,
        ReportReason::Religion,
        ReportReason::Sectarian,
        ReportReason::Obscenity,
        ReportReason::Spam,
        ReportReason::OffTopic,
        ReportReason::Other,
        ReportReason::Illegal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportReason::Insult => "insult",
            ReportReason::Sacred => "sacred",
            ReportReason::Religion => "religion",
            ReportReason::Sectarian => "sectarian",
            ReportReason::Obscenity => "obscenity",
            ReportReason::Spam => "spam",
            ReportReason::OffTopic => "off_topic",
            ReportReason::Other => "other",
            ReportReason::Illegal => "illegal",
        }
    }

    pub fn parse(raw: &str) -> Option<ReportReason> {
        ReportReason::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    /// The reasons a site offers its readers.
    pub fn offered(illegal: bool) -> Vec<ReportReason> {
        ReportReason::ALL
            .into_iter()
            .filter(|r| illegal || *r != ReportReason::Illegal)
            .collect()
    }
}

pub const REPORT_NOTE_MAX: usize = 500;

/// A report as it arrives (JSON).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportDto {
    pub reason: Option<String>,
    pub note: Option<String>,
    pub captcha_id: Option<String>,
    pub captcha_answer: Option<String>,
    pub pow: Option<String>,
}

/// A report whose fields passed every rule; only `NewReport::parse` makes one.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub reason: ReportReason,
    /// Normalized, possibly empty.
    pub note: String,
}

impl NewReport {
    /// `illegal`: whether the site offers the "illegal content" reason.
    pub fn parse(dto: &ReportDto, illegal: bool) -> Result<NewReport, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let reason = match dto.reason.as_deref().map(str::trim) {
            None | Some("") => Err(FieldError::new("required")),
            Some(raw) => ReportReason::parse(raw)
                .filter(|r| ReportReason::offered(illegal).contains(r))
                .ok_or_else(|| FieldError::new("invalid_choice")),
        };
        let note = normalize_text(dto.note.as_deref().unwrap_or(""));
        if let Err(e) = check_note(&note, REPORT_NOTE_MAX) {
            errors.add("note", e);
        }
        if let Err(e) = &reason {
            errors.add("reason", e.clone());
        }
        errors.clone().into_result()?;
        match reason {
            Ok(reason) => Ok(NewReport { reason, note }),
            Err(_) => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn dto(reason: &str, note: &str) -> ReportDto {
        ReportDto {
            reason: Some(reason.into()),
            note: Some(note.into()),
            ..ReportDto::default()
        }
    }

    #[test]
    fn a_report_needs_a_reason_the_site_offers_and_a_short_note() {
        assert_eq!(
            NewReport::parse(&dto("insult", " شتيمة \r\n"), false)
                .map(|r| r.note)
                .unwrap(),
            "شتيمة"
        );
        assert!(NewReport::parse(&dto("illegal", ""), false).is_err());
        assert!(NewReport::parse(&dto("illegal", ""), true).is_ok());
        assert!(NewReport::parse(&dto("rude", ""), true).is_err());
        assert!(NewReport::parse(&dto("", ""), true).is_err());
        let long = "ا".repeat(REPORT_NOTE_MAX + 1);
        let errs = NewReport::parse(&dto("spam", &long), true).unwrap_err();
        assert!(errs.has("note"));
    }
}
