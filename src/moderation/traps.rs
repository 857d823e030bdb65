//! Silent traps: signs that a program, not a person, filled the form.
//!
//! - **honeypot**: a field hidden from people and from assistive technology
//!   (off screen, out of the tab order, `aria-hidden`). A person never types
//!   in it; a form-filling bot fills every text field it finds.
//! - **filled_too_fast**: less time between the issue of the security code
//!   (kept on our side, so the client cannot forge it) and the submission
//!   than anyone needs to read the code and write a comment.
//!
//! A trapped submission is answered exactly like any other and stored as
//! `spam` with these findings, so a bot learns nothing from the answer.

use super::verdict::{Action, Finding, ReasonCode};

/// What the app measured about how the form was filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrapSignals {
    /// Something other than blanks was sent in the honeypot field.
    pub honeypot_filled: bool,
    /// Milliseconds from the code's issue to the submission, when a code
    /// was answered (sites without one have no start time to measure from).
    pub fill_ms: Option<i64>,
    /// The least fill time a person takes; 0 turns the check off.
    pub min_fill_ms: i64,
}

/// The traps a submission fell into (empty for a person).
pub fn traps(s: &TrapSignals) -> Vec<Finding> {
    let mut out = Vec::new();
    if s.honeypot_filled {
        out.push(Finding {
            category: Some("spam".to_string()),
            ..Finding::simple(
                ReasonCode::Honeypot,
                "traps.honeypot",
                Action::Reject,
                "مُلئ حقل مخفي لا يراه القرّاء: أرسله برنامج".to_string(),
                "A hidden field no reader sees was filled in: sent by a program".to_string(),
            )
        });
    }
    if let Some(ms) = s.fill_ms
        && s.min_fill_ms > 0
        && ms < s.min_fill_ms
    {
        let secs = format!("{:.1}", ms.max(0) as f64 / 1000.0);
        out.push(Finding {
            category: Some("spam".to_string()),
            matched: Some(format!("{ms} ms")),
            ..Finding::simple(
                ReasonCode::FilledTooFast,
                "traps.min_fill_time",
                Action::Reject,
                format!("أُرسل بعد {secs} ثانية من إصدار رمز التحقق: أسرع من أي قارئ"),
                format!("Sent {secs} s after the security code was issued: faster than any reader"),
            )
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(s: TrapSignals) -> Vec<String> {
        traps(&s).into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn each_trap_is_named_and_a_person_falls_in_none() {
        let person = TrapSignals {
            honeypot_filled: false,
            fill_ms: Some(45_000),
            min_fill_ms: 3_000,
        };
        let cases: [(TrapSignals, &[&str]); 7] = [
            (person, &[]),
            (
                TrapSignals {
                    honeypot_filled: true,
                    ..person
                },
                &["honeypot"],
            ),
            (
                TrapSignals {
                    fill_ms: Some(2_999),
                    ..person
                },
                &["filled_too_fast"],
            ),
            (
                TrapSignals {
                    fill_ms: Some(3_000),
                    ..person
                },
                &[],
            ),
            // No code, no start time: nothing to measure.
            (
                TrapSignals {
                    fill_ms: None,
                    ..person
                },
                &[],
            ),
            // 0 turns the fill-time check off.
            (
                TrapSignals {
                    fill_ms: Some(0),
                    min_fill_ms: 0,
                    ..person
                },
                &[],
            ),
            (
                TrapSignals {
                    honeypot_filled: true,
                    fill_ms: Some(10),
                    min_fill_ms: 3_000,
                },
                &["honeypot", "filled_too_fast"],
            ),
        ];
        for (signals, want) in cases {
            assert_eq!(codes(signals), want, "{signals:?}");
        }
    }

    #[test]
    fn trap_findings_are_spam_with_both_explanations() {
        let all = traps(&TrapSignals {
            honeypot_filled: true,
            fill_ms: Some(500),
            min_fill_ms: 3_000,
        });
        for f in all {
            assert_eq!(f.category.as_deref(), Some("spam"));
            assert!(!f.explanation_ar.is_empty() && !f.explanation_en.is_empty());
        }
    }
}
