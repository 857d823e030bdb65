//! The entry points: [`evaluate`] and [`body_fingerprint`].

use std::cell::RefCell;

use super::lexicon::Workspace;
use super::normalize::{KeyBuf, key_chars};
use super::patterns;
use super::policy::Policy;
use super::rules;
use super::verdict::{Field, Verdict};

/// What the commenter sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Submission<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub title: &'a str,
    pub body: &'a str,
}

/// Facts the app computes from its storage before calling [`evaluate`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signals {
    /// Approved comments by this email before.
    pub author_approved: u32,
    /// Rejected/spam comments by this email before.
    pub author_rejected: u32,
    /// The author has no earlier comment at all.
    pub is_first_comment: bool,
    /// Earlier comments by this email with the same [`body_fingerprint`] within the window.
    pub same_body_same_author_recent: u32,
    /// Earlier comments by anyone with the same [`body_fingerprint`] within the window.
    pub same_body_any_author_recent: u32,
    pub email_blocked: bool,
    pub email_domain_blocked: bool,
    pub ip_blocked: bool,
    pub seconds_since_last_by_email: Option<u64>,
    pub seconds_since_last_by_ip: Option<u64>,
    pub count_last_hour_by_email: u32,
    pub count_last_hour_by_ip: u32,
}

thread_local! {
    static BUFFERS: RefCell<(KeyBuf, Workspace)> = RefCell::new((KeyBuf::default(), Workspace::default()));
}

/// Evaluates a submission. Pure: same inputs, same verdict. A preview is this call with
/// `Signals::default()`.
pub fn evaluate(sub: &Submission<'_>, signals: &Signals, policy: &Policy) -> Verdict {
    let mut findings = Vec::new();
    let throttle = rules::rate(policy, signals);
    let mut caps = None;
    let mut may_link = [false; 3];
    BUFFERS.with(|cell| {
        let mut fresh = None;
        let mut guard = cell.try_borrow_mut().ok();
        let (key, ws) = match guard.as_deref_mut() {
            Some((k, w)) => (k, w),
            None => {
                let (k, w) = fresh.insert((KeyBuf::default(), Workspace::default()));
                (k, w)
            }
        };
        for (i, (field, text)) in [
            (Field::Name, sub.name),
            (Field::Title, sub.title),
            (Field::Body, sub.body),
        ]
        .into_iter()
        .enumerate()
        {
            if text.is_empty() {
                continue;
            }
            key.build(text);
            if let Some(m) = may_link.get_mut(i) {
                *m = key.may_link;
            }
            if field == Field::Body {
                caps = rules::excessive_caps_counts(policy, key.ascii_letters, key.ascii_upper);
            }
            let mut hits = policy.lexicon.find(key, ws);
            rules::gate_latin(policy, key, &mut hits);
            // Quoted phrases a condemning frame mentions, found once for the three readers.
            let framed = rules::framed_quotes(policy, text, key, &hits);
            findings.extend(rules::lexicon_findings(
                policy, field, text, key, &hits, &framed,
            ));
            findings.extend(rules::cooccurrence(
                policy, field, text, key, &hits, &framed,
            ));
            findings.extend(patterns::findings(policy, field, text, key, &hits, &framed));
            findings.extend(rules::regexes(policy, field, text));
            if key.max_run > policy.cfg.shape.max_repeated_chars {
                findings.extend(rules::repeated_characters(policy, field, text));
            }
            if key.maybe_mixed {
                findings.extend(rules::mixed_script_words(policy, field, text));
            }
        }
    });
    findings.extend(caps);
    findings.extend(rules::links_found(
        policy,
        &rules::find_links_where(sub, may_link),
        signals,
    ));
    findings.extend(rules::duplicates(policy, signals));
    findings.extend(rules::blocklists(policy, signals));
    Verdict::from_findings(findings, throttle)
}

/// Stable fingerprint of a body for duplicate detection: 64-bit FNV-1a over the UTF-8 of the
/// match key with everything but letters and digits removed, as 16 lower-case hex digits.
/// Stable across versions as long as the match key rules do not change.
pub fn body_fingerprint(body: &str) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let mut buf = [0u8; 4];
    for c in body.chars() {
        key_chars(c, |k| {
            if k.is_alphanumeric() {
                for b in k.encode_utf8(&mut buf).as_bytes() {
                    h ^= u64::from(*b);
                    h = h.wrapping_mul(PRIME);
                }
            }
        });
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::moderation::policy::{PolicyConfig, RegexRule};
    use crate::moderation::verdict::{Action, Finding};
    use std::sync::LazyLock;

    static SEED: LazyLock<Policy> =
        LazyLock::new(|| Policy::compile(&PolicyConfig::seed()).unwrap());

    fn body(text: &str) -> Verdict {
        evaluate(
            &Submission {
                body: text,
                ..Submission::default()
            },
            &Signals::default(),
            &SEED,
        )
    }

    fn codes(v: &Verdict) -> Vec<&str> {
        v.findings.iter().map(|f| f.code.as_str()).collect()
    }

    fn find<'a>(v: &'a Verdict, code: &str) -> &'a Finding {
        v.findings.iter().find(|f| f.code == code).unwrap()
    }

    #[test]
    fn clean_comment_is_allowed() {
        let v = body("مقال رائع، شكرا للكاتب على هذا التحليل");
        assert_eq!(v.action, Action::Allow);
        assert!(v.findings.is_empty(), "{:?}", v.findings);
        assert!(v.throttle.is_none());
    }

    #[test]
    fn banned_term_finding_carries_list_version_span_and_explanations() {
        let text = "انت شرمـــوطة";
        let v = body(text);
        assert_eq!(v.action, Action::Reject);
        let f = find(&v, "banned_term");
        assert_eq!(f.rule, "lexicon:obscenity-ar");
        assert_eq!(f.list.as_deref(), Some("obscenity-ar"));
        assert_eq!(f.list_version, Some(2));
        assert_eq!(f.category.as_deref(), Some("obscenity"));
        assert_eq!(f.field, Some(Field::Body));
        assert_eq!(f.matched.as_deref(), Some("شرموطة"));
        let s = f.spans[0];
        assert_eq!(&text[s.start..s.end], "شرمـــوطة");
        assert!(f.explanation_ar.contains("شرموطة") && f.explanation_en.contains("obscenity-ar"));
    }

    #[test]
    fn a_plainly_english_or_french_field_is_not_read_with_the_other_languages_words() {
        // French words that are English words, and Arabizi readings of digitless words, in a
        // field whose function words say plainly which language it is.
        for text in [
            "Rabies is fatal if untreated, get to a clinic after any dog bite.",
            "La police a arrêté un homme à Oran, le procès aura lieu en mars.",
        ] {
            assert_eq!(body(text).action, Action::Allow, "{text}");
        }
        // The same words where the language is French or unclear, and Arabizi with digits.
        for (text, action) in [
            ("t'es qu'une bite, sérieux", Action::Hold),
            ("Il dit que c'est une bite et que tu es nul", Action::Hold),
            ("ya hmar", Action::Hold),
            ("you are a 7mar and the whole team knows it", Action::Hold),
            ("c'est du porno pour les jeunes", Action::Hold),
        ] {
            assert_eq!(body(text).action, action, "{text}");
        }
        // Lists without a language are read in every field, and the language is read once per
        // field: an English title does not turn off French words in the body.
        let v = evaluate(
            &Submission {
                title: "What is this and why is it here",
                body: "Ta gueule",
                ..Submission::default()
            },
            &Signals::default(),
            &SEED,
        );
        assert_eq!(v.action, Action::Hold);
    }

    #[test]
    fn lexicon_runs_on_name_and_title_too() {
        for (name, title) in [("حقير", ""), ("", "يا حمار")] {
            let v = evaluate(
                &Submission {
                    name,
                    title,
                    ..Submission::default()
                },
                &Signals::default(),
                &SEED,
            );
            assert_eq!(v.action, Action::Hold, "{name}{title}");
        }
    }

    #[test]
    fn protected_entity_rule_table() {
        // (text, expect protected_entity_insult, expected verdict)
        let cases: &[(&str, bool, Action)] = &[
            ("الاسلام دين السلام والمسيحية كذلك", false, Action::Allow),
            ("الكاتب غبي", true, Action::Hold),
            ("هذا الكاتب والله حقير جدا", true, Action::Hold),
            ("يا حمار", true, Action::Hold),
            ("the writer is an idiot", true, Action::Hold),
            ("you idiot", false, Action::Hold),
            ("الشيعة والسنة اخوة", false, Action::Allow),
            (
                "غبي كلمة في المقال الذي كتبه الكاتب عن الاقتصاد والسياسة والمجتمع",
                false,
                Action::Flag,
            ),
        ];
        for (text, expect, action) in cases {
            let v = body(text);
            assert_eq!(
                v.has_code("protected_entity_insult"),
                *expect,
                "{text}: {:?}",
                codes(&v)
            );
            assert_eq!(v.action, *action, "{text}");
            if *expect {
                assert_eq!(find(&v, "protected_entity_insult").action, Action::Hold);
            }
        }
    }

    #[test]
    fn link_rules_table() {
        let cfg = PolicyConfig {
            links: crate::moderation::policy::LinkRules {
                blocked_domains: vec!["spamsite.com".into()],
                allowed_domains: vec!["news.example.org".into()],
                ..Default::default()
            },
            ..PolicyConfig::seed()
        };
        let p = Policy::compile(&cfg).unwrap();
        let first = Signals {
            is_first_comment: true,
            ..Signals::default()
        };
        let regular = Signals {
            author_approved: 3,
            ..Signals::default()
        };
        // (body, signals, expected codes, expected action)
        let cases: Vec<(&str, &Signals, Vec<&str>, Action)> = vec![
            (
                "انظر https://a.com/x و www.b.net",
                &regular,
                vec![],
                Action::Allow,
            ),
            (
                "a.com b.net c.org",
                &regular,
                vec!["too_many_links"],
                Action::Hold,
            ),
            (
                "روابط: https://news.example.org/1 https://news.example.org/2 https://www.news.example.org/3",
                &regular,
                vec![],
                Action::Allow,
            ),
            (
                "زوروا http://x.spamsite.com/offer",
                &regular,
                vec!["blocked_link_domain"],
                Action::Reject,
            ),
            (
                "زوروا spamsite.com الان",
                &regular,
                vec!["blocked_link_domain"],
                Action::Reject,
            ),
            ("notspamsite.com", &regular, vec![], Action::Allow),
            (
                "راجع example.com",
                &first,
                vec!["first_comment_link"],
                Action::Hold,
            ),
            ("e.g. U.S. 3.5 node.js", &first, vec![], Action::Allow),
        ];
        for (text, sig, want, action) in cases {
            let v = evaluate(
                &Submission {
                    body: text,
                    ..Submission::default()
                },
                sig,
                &p,
            );
            let got: Vec<&str> = codes(&v)
                .into_iter()
                .filter(|c| c.contains("link"))
                .collect();
            assert_eq!(got, want, "{text}");
            assert_eq!(v.action, action, "{text}: {:?}", codes(&v));
        }
        let v = evaluate(
            &Submission {
                body: "x https://x.spamsite.com/a y",
                ..Submission::default()
            },
            &regular,
            &p,
        );
        let f = find(&v, "blocked_link_domain");
        assert_eq!(f.matched.as_deref(), Some("x.spamsite.com"));
        assert_eq!(f.spans[0], crate::moderation::Span { start: 2, end: 26 });
    }

    #[test]
    fn signal_rules_table() {
        let cases: Vec<(Signals, &str, Action)> = vec![
            (
                Signals {
                    same_body_same_author_recent: 1,
                    ..Signals::default()
                },
                "duplicate_body",
                Action::Hold,
            ),
            (
                Signals {
                    same_body_any_author_recent: 3,
                    ..Signals::default()
                },
                "duplicate_body",
                Action::Hold,
            ),
            (
                Signals {
                    email_blocked: true,
                    ..Signals::default()
                },
                "blocked_email",
                Action::Reject,
            ),
            (
                Signals {
                    email_domain_blocked: true,
                    ..Signals::default()
                },
                "blocked_email_domain",
                Action::Reject,
            ),
            (
                Signals {
                    ip_blocked: true,
                    ..Signals::default()
                },
                "blocked_ip",
                Action::Reject,
            ),
        ];
        for (sig, code, action) in cases {
            let v = evaluate(
                &Submission {
                    body: "تعليق عادي",
                    ..Submission::default()
                },
                &sig,
                &SEED,
            );
            assert_eq!(codes(&v), vec![code]);
            assert_eq!(v.action, action);
        }
    }

    #[test]
    fn rate_rules_throttle_and_store_nothing() {
        let cases: Vec<(Signals, Option<(u64, &str)>)> = vec![
            (Signals::default(), None),
            (
                Signals {
                    seconds_since_last_by_email: Some(20),
                    ..Signals::default()
                },
                None,
            ),
            (
                Signals {
                    seconds_since_last_by_email: Some(5),
                    ..Signals::default()
                },
                Some((10, "rate_min_interval")),
            ),
            // An IP shared by many readers gets no minimum interval.
            (
                Signals {
                    seconds_since_last_by_ip: Some(0),
                    ..Signals::default()
                },
                None,
            ),
            (
                Signals {
                    count_last_hour_by_email: 20,
                    ..Signals::default()
                },
                Some((300, "rate_hourly_email")),
            ),
            (
                Signals {
                    count_last_hour_by_ip: 60,
                    ..Signals::default()
                },
                Some((300, "rate_hourly_ip")),
            ),
            (
                Signals {
                    count_last_hour_by_ip: 59,
                    ..Signals::default()
                },
                None,
            ),
        ];
        for (sig, want) in cases {
            let v = evaluate(
                &Submission {
                    body: "مرحبا",
                    ..Submission::default()
                },
                &sig,
                &SEED,
            );
            assert_eq!(
                v.throttle.as_ref().map(|t| (t.retry_after_secs, t.code)),
                want,
                "{sig:?}"
            );
            assert!(v.findings.is_empty());
        }
    }

    #[test]
    fn shape_rules_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("جميييييييل", Some("repeated_characters")),
            ("!!!!!!!!!!", Some("repeated_characters")),
            ("ههههههههههه", None),
            ("2000000000", None),
            ("جمييييل", None),
            ("THIS IS A VERY LOUD COMMENT INDEED", Some("excessive_caps")),
            ("This is a normal English comment", None),
            ("NASA و FBI", None),
            ("مرحباhello", Some("mixed_script_token")),
            ("ح7ار", Some("mixed_script_token")),
            ("hеllo", Some("mixed_script_token")),
            ("عام 2024م", None),
            ("https://example.com/مقال", None),
        ];
        for (text, want) in cases {
            let v = body(text);
            let shape: Vec<&str> = codes(&v)
                .into_iter()
                .filter(|c| {
                    [
                        "repeated_characters",
                        "excessive_caps",
                        "mixed_script_token",
                    ]
                    .contains(c)
                })
                .collect();
            assert_eq!(shape, want.iter().copied().collect::<Vec<_>>(), "{text}");
            if want.is_some() {
                assert_eq!(v.action, Action::Flag, "{text}");
            }
        }
    }

    #[test]
    fn regex_rule_matches_configured_fields_only() {
        let cfg = PolicyConfig {
            regexes: vec![RegexRule {
                id: "phone".into(),
                pattern: r"\b05\d{8}\b".into(),
                action: Action::Hold,
                fields: vec![Field::Body],
            }],
            ..PolicyConfig::default()
        };
        let p = Policy::compile(&cfg).unwrap();
        let v = evaluate(
            &Submission {
                body: "اتصل 0512345678",
                ..Submission::default()
            },
            &Signals::default(),
            &p,
        );
        let f = find(&v, "regex_match");
        assert_eq!(f.rule, "regex:phone");
        assert_eq!(v.action, Action::Hold);
        let v = evaluate(
            &Submission {
                name: "0512345678",
                ..Submission::default()
            },
            &Signals::default(),
            &p,
        );
        assert!(v.findings.is_empty());
    }

    #[test]
    fn per_entry_action_and_allow_list() {
        let v = body("نيك");
        assert_eq!(v.action, Action::Hold);
        assert_eq!(body("نيكي هيلي").action, Action::Allow);
        assert_eq!(body("في العرصة").action, Action::Allow);
        assert_eq!(body("ass").action, Action::Flag);
    }

    #[test]
    fn precedence_picks_the_highest_action() {
        let v = evaluate(
            &Submission {
                body: "يا حمار fuck",
                ..Submission::default()
            },
            &Signals {
                same_body_any_author_recent: 1,
                ..Signals::default()
            },
            &SEED,
        );
        assert_eq!(v.action, Action::Reject);
        assert!(v.has_code("duplicate_body") && v.has_code("banned_term"));
    }

    #[test]
    fn body_fingerprint_ignores_case_marks_spacing_and_punctuation() {
        let a = body_fingerprint("مقال رائع!");
        assert_eq!(a.len(), 16);
        for same in [
            "مَقالٌ   رائعٌ",
            "مقال، رائع",
            "مقال\u{200B}رائع...",
            "مقـــال رائع",
        ] {
            assert_eq!(body_fingerprint(same), a, "{same}");
        }
        assert_ne!(body_fingerprint("مقال سيئ"), a);
        assert_eq!(
            body_fingerprint("Hello, World"),
            body_fingerprint("hello world")
        );
        // Stable across versions: pinned value.
        assert_eq!(body_fingerprint(""), "cbf29ce484222325");
        assert_eq!(body_fingerprint("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn verdict_serialises_to_json() {
        let v = body("يا حمار");
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["action"], "hold");
        assert_eq!(json["findings"][0]["field"], "body");
    }
}
