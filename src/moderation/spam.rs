//! Spam signals beside the posting rules: pure functions over facts the app
//! gathered from storage (counts, hashes), so each is unit-tested without a
//! database.
//!
//! - **Per-network cap**: comments from one network (IPv4 /24, IPv6 /48) in
//!   the last hour. One host spreading a flood over the addresses around it
//!   dodges the per-address cap but not this one. A whole mobile carrier can
//!   sit behind one network, so the cap is set far above the per-address cap:
//!   it stops floods, never a busy newsroom.
//! - **Near-duplicate bodies**: a MinHash signature over character 5-grams
//!   of the body's match key, letters only: spacing, marks, elongation and
//!   punctuation do not count, nor do links and digits, which bots vary from
//!   copy to copy (a new URL path or phone number each time) while the text
//!   around them stays. Two bodies' signatures agree in about the share of
//!   5-grams they have in common (Jaccard), so small edits ("win" →
//!   "win!!", a word swapped) keep them close. The same text from several
//!   other addresses within the window, again and again from one address,
//!   or close to a known spam body (marked spam by a moderator or a trap,
//!   or held by the spam signals themselves), is held.
//! - **First-time burst**: many addresses the site has never seen before
//!   commenting on one article within a short window (a bought crowd or a
//!   botnet pointed at one page). It weighs in the spam score; on its own it
//!   holds nothing, since a story that goes viral brings new readers too.
//! - **Spam score**: every spam signal above, the link rules, the traps and
//!   the proof of work's result add their weight ([`WEIGHTS`]); each one that
//!   adds shows its weight in the queue, and a total at or over the site's
//!   threshold holds the comment with `spam` suggested to the moderators.

use std::collections::HashSet;

use super::normalize::key_chars;
use super::rules::link_spans;
use super::verdict::{Action, Finding, ReasonCode, Throttle};

/// MinHash signature length (the similarity's resolution is 1/this).
pub const SIGNATURE_LEN: usize = 32;
/// Characters per shingle.
const SHINGLE: usize = 5;
/// Only the start of a long body is signed (bounded work per comment).
const SIGNED_CHARS: usize = 1500;
/// Signatures agreeing on at least this share are near-duplicates.
pub const NEAR_DUPLICATE_SIMILARITY: f32 = 0.6;
/// Near-duplicates from this many other addresses within the window hold.
pub const NEAR_DUPLICATE_ADDRESSES: u32 = 2;

fn mix(mut z: u64) -> u64 {
    // splitmix64's finaliser.
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A body's MinHash signature: per slot, the least of its shingles' hashes
/// under that slot's hash function, kept to 32 bits (b-bit MinHash: two
/// different minima agree by chance once in four billion, which moves no
/// similarity). Computed once when a comment is stored and kept with it
/// (`signature_text`), so a submission compares itself with the recent
/// bodies without signing each of them again.
pub type Signature = [u32; SIGNATURE_LEN];

/// The MinHash signature of a body's letters outside links (all
/// `u32::MAX` for one with none).
pub fn body_signature(body: &str) -> Signature {
    let links = link_spans(body);
    let mut chars: Vec<char> = Vec::new();
    for (at, c) in body.char_indices() {
        if chars.len() >= SIGNED_CHARS {
            break;
        }
        if links.iter().any(|l| l.start <= at && at < l.end) {
            continue;
        }
        key_chars(c, |k| {
            // Digits are left out: Arabic-Indic ones are ASCII in the key.
            if k.is_alphabetic() {
                chars.push(k);
            }
        });
    }
    let mut sig = [u32::MAX; SIGNATURE_LEN];
    let n = SHINGLE.min(chars.len()).max(1);
    for w in chars.windows(n) {
        let h = w.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, c| {
            (h ^ u64::from(u32::from(*c))).wrapping_mul(0x0000_0100_0000_01b3)
        });
        for (i, slot) in sig.iter_mut().enumerate() {
            // The high half: splitmix64 mixes every input bit into it.
            let v = (mix(h ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)) >> 32) as u32;
            if v < *slot {
                *slot = v;
            }
        }
    }
    sig
}

/// A signature as stored: each slot as eight hex digits.
pub fn signature_text(sig: &Signature) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(SIGNATURE_LEN * 8);
    for v in sig {
        let _ = write!(out, "{v:08x}");
    }
    out
}

/// A stored signature read back; `None` for anything `signature_text`
/// did not write.
pub fn parse_signature(text: &str) -> Option<Signature> {
    if text.len() != SIGNATURE_LEN * 8 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut sig = [0; SIGNATURE_LEN];
    for (slot, digits) in sig.iter_mut().zip(text.as_bytes().chunks(8)) {
        *slot = u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
    }
    Some(sig)
}

/// The estimated share of shingles two bodies have in common (0 to 1).
pub fn similarity(a: &Signature, b: &Signature) -> f32 {
    if a.iter().all(|v| *v == u32::MAX) {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f32 / SIGNATURE_LEN as f32
}

/// A body seen before on the site.
#[derive(Debug, Clone, Copy)]
pub struct SeenBody<'a> {
    pub signature: &'a Signature,
    /// Keyed hash of the address it came from.
    pub address: &'a str,
    /// A known spam body: a moderator (or a trap) marked it spam, or the
    /// spam signals held it ([`held_as_spam`]).
    pub spam: bool,
}

/// What the earlier bodies say about a new one.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NearDuplicates {
    /// Other addresses that sent a near-duplicate within the window.
    pub other_addresses: u32,
    /// Near-duplicates the same address sent within the window (small
    /// edits dodge the exact duplicate rule).
    pub same_address: u32,
    /// Close to a known spam body.
    pub known_spam: bool,
    /// The highest similarity found.
    pub best: f32,
}

/// Compare a new body's signature with earlier ones.
pub fn near_duplicates<'a>(
    signature: &Signature,
    address: &str,
    seen: impl IntoIterator<Item = SeenBody<'a>>,
) -> NearDuplicates {
    let mut out = NearDuplicates::default();
    let mut addresses = HashSet::new();
    for s in seen {
        let sim = similarity(signature, s.signature);
        if sim < NEAR_DUPLICATE_SIMILARITY {
            continue;
        }
        out.best = out.best.max(sim);
        out.known_spam |= s.spam;
        if s.address != address && !s.address.is_empty() {
            addresses.insert(s.address);
        } else if s.address == address && !address.is_empty() {
            out.same_address = out.same_address.saturating_add(1);
        }
    }
    out.other_addresses = u32::try_from(addresses.len()).unwrap_or(u32::MAX);
    out
}

/// `near_duplicate_body`: close to a known spam body, or the same text
/// (give or take small edits) from several other addresses, or again and
/// again from this one.
pub fn near_duplicate_finding(d: &NearDuplicates) -> Option<Finding> {
    let pct = (d.best * 100.0).round();
    let (ar, en) = if d.known_spam {
        (
            format!("يشبه ({pct}٪) تعليقًا صُنّف أو حُجز رسالة مزعجة"),
            format!("{pct}% like a comment marked or held as spam"),
        )
    } else if d.other_addresses >= NEAR_DUPLICATE_ADDRESSES {
        let n = d.other_addresses;
        (
            format!("نص شبه مطابق ({pct}٪) أُرسل من {n} عناوين أخرى مؤخرًا"),
            format!("Nearly the same text ({pct}%) came from {n} other addresses recently"),
        )
    } else if d.same_address >= NEAR_DUPLICATE_ADDRESSES {
        let n = d.same_address;
        (
            format!("أرسل هذا العنوان نصًا شبه مطابق ({pct}٪) {n} مرات مؤخرًا"),
            format!("This address sent nearly the same text ({pct}%) {n} times recently"),
        )
    } else {
        return None;
    };
    Some(Finding {
        category: Some("spam".to_string()),
        matched: Some(format!("{pct}%")),
        ..Finding::simple(
            ReasonCode::NearDuplicateBody,
            "spam.near_duplicate",
            Action::Hold,
            ar,
            en,
        )
    })
}

/// A held comment whose findings say the spam signals held it (a `spam`
/// finding that holds: the spam score over its threshold, a near-duplicate,
/// a refused proof of work) counts as a known spam body for the
/// near-duplicate check, as one marked spam does: a bot's copies held so
/// far hold the next ones before a moderator has looked. A comment the
/// posting rules held (an insult, a blocked link) is not spam by that, so
/// it does not count.
pub fn held_as_spam(findings: &[Finding]) -> bool {
    findings
        .iter()
        .any(|f| f.action == Action::Hold && f.category.as_deref() == Some("spam"))
}

/// One network's recent volume and the cap it is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkVolume {
    /// Comments from the network in the last hour (counted up to `cap`).
    pub last_hour: u32,
    /// The most a network may send in an hour; 0 turns the cap off.
    pub cap: u32,
    pub retry_after_secs: u64,
}

/// `rate_hourly_network`: the network reached its hourly cap; nothing is
/// stored and the client is asked to come back later.
pub fn network_throttle(v: &NetworkVolume) -> Option<Throttle> {
    (v.cap > 0 && v.last_hour >= v.cap).then(|| Throttle {
        retry_after_secs: v.retry_after_secs,
        code: ReasonCode::RateHourlyNetwork.as_str(),
    })
}

/// What the submission's proof of work showed (checked by the app).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofOfWork<'a> {
    Solved,
    /// None sent: the no-JavaScript form, or a client that skipped it.
    Missing,
    /// Sent but refused (forged, expired, another site's, spent): why.
    Failed(&'a str),
}

/// `proof_of_work_failed`: a proof was sent and refused. A reader's browser
/// sends a fresh one, so this is a replaying or forging program: hold it
/// (answered like any other, so it learns nothing).
pub fn proof_of_work(p: ProofOfWork<'_>) -> Option<Finding> {
    let ProofOfWork::Failed(why) = p else {
        return None;
    };
    Some(Finding {
        category: Some("spam".to_string()),
        matched: Some(why.to_string()),
        ..Finding::simple(
            ReasonCode::ProofOfWorkFailed,
            "spam.proof_of_work",
            Action::Hold,
            format!("إثبات العمل المرسل غير صالح ({why}): برنامج يعيد استخدامه أو يزوّره"),
            format!(
                "The proof of work sent is not valid ({why}): a program replaying or forging it"
            ),
        )
    })
}

/// Minutes over which first-time addresses on one article are counted.
pub const FIRST_TIME_WINDOW_MINUTES: i64 = 15;
/// First-time addresses (this one included) on one article within the
/// window that make a burst.
pub const FIRST_TIME_BURST_ADDRESSES: u32 = 8;

/// Who commented on the article lately, as storage counted it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArticleNewcomers {
    /// Distinct other addresses that commented on the article within the
    /// window and had never commented on the site before it.
    pub first_time_addresses: u32,
    /// This client's address had never commented on the site before the
    /// window (an unknown address counts as seen: nothing to compare).
    pub this_address_first_time: bool,
}

/// `first_time_burst`: this address is new to the site and so are many
/// others that just commented on the same article. A weight in the spam
/// score, not a hold by itself.
pub fn first_time_burst(n: &ArticleNewcomers) -> Option<Finding> {
    let total = n.first_time_addresses.saturating_add(1);
    if !n.this_address_first_time || total < FIRST_TIME_BURST_ADDRESSES {
        return None;
    }
    let mins = FIRST_TIME_WINDOW_MINUTES;
    Some(Finding {
        category: Some("spam".to_string()),
        matched: Some(total.to_string()),
        ..Finding::simple(
            ReasonCode::FirstTimeBurst,
            "spam.first_time_burst",
            Action::Allow,
            format!("{total} عنوانًا لم يُرَ من قبل علّقت على هذا المقال خلال {mins} دقيقة"),
            format!(
                "{total} addresses never seen before commented on this article within {mins} minutes"
            ),
        )
    })
}

/// The weight of each spam signal in the spam score. A reader's comment
/// carries none of them; a trap, a refused proof or a near-duplicate alone
/// reaches the default threshold (so the queue proposes `spam`), the weaker
/// signals only together.
///
/// | signal | weight |
/// | --- | --- |
/// | `honeypot`, `filled_too_fast` (traps) | 10 |
/// | `blocked_link_domain`, `proof_of_work_failed`, `near_duplicate_body` | 6 |
/// | `too_many_links` | 4 |
/// | `first_comment_link`, `duplicate_body`, `first_time_burst` | 3 |
/// | `proof_of_work_missing`, `address_volume`, `network_volume` | 2 |
/// | `repeated_characters`, `excessive_caps`, `mixed_script_token` | 1 |
pub const WEIGHTS: [(ReasonCode, u32); 15] = [
    (ReasonCode::Honeypot, 10),
    (ReasonCode::FilledTooFast, 10),
    (ReasonCode::BlockedLinkDomain, 6),
    (ReasonCode::ProofOfWorkFailed, 6),
    (ReasonCode::NearDuplicateBody, 6),
    (ReasonCode::TooManyLinks, 4),
    (ReasonCode::FirstCommentLink, 3),
    (ReasonCode::DuplicateBody, 3),
    (ReasonCode::FirstTimeBurst, 3),
    (ReasonCode::ProofOfWorkMissing, 2),
    (ReasonCode::AddressVolume, 2),
    (ReasonCode::NetworkVolume, 2),
    (ReasonCode::RepeatedCharacters, 1),
    (ReasonCode::ExcessiveCaps, 1),
    (ReasonCode::MixedScriptToken, 1),
];

/// The spam score at which a comment is held with `spam` suggested, for a
/// site that sets none.
pub const DEFAULT_SPAM_THRESHOLD: u32 = 6;
/// Comments from one address in the last hour that count as volume.
pub const ADDRESS_VOLUME: u32 = 10;
/// Comments from one network in the last hour that count as volume.
pub const NETWORK_VOLUME: u32 = 60;

/// The weight of a finding's code (0 for one that is not a spam signal).
pub fn weight_of(code: &str) -> u32 {
    WEIGHTS
        .iter()
        .find(|(c, _)| c.as_str() == code)
        .map_or(0, |(_, w)| *w)
}

/// Spam signals that are not findings of their own: the app's counts and
/// the proof of work's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreSignals<'a> {
    pub proof_of_work: ProofOfWork<'a>,
    /// Comments from the client's address on the site in the last hour.
    pub address_last_hour: u32,
    /// Comments from the client's network on the site in the last hour.
    pub network_last_hour: u32,
}

/// The result of [`spam_score`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpamScore {
    pub total: u32,
    pub threshold: u32,
}

impl SpamScore {
    /// At or over the threshold (a threshold of 0 turns the score off).
    pub fn suspicious(&self) -> bool {
        self.threshold > 0 && self.total >= self.threshold
    }
}

fn weighted(code: ReasonCode, rule: &str, ar: String, en: String) -> Finding {
    Finding {
        category: Some("spam".to_string()),
        ..Finding::simple(code, rule, Action::Allow, ar, en)
    }
}

/// Add up the spam signals of a submission. Each finding that is a spam
/// signal gets its weight written on it, the signals that are not findings
/// yet (no proof of work, volume) are added as findings with their weight,
/// and a `spam_score` finding sums them up: `hold` at or over `threshold`
/// (where [`suggestion`] then proposes `spam`), `allow` under it. A
/// submission with no spam signal, or only a missing proof of work (the
/// no-JavaScript form) under the threshold, gets no finding from it.
pub fn spam_score(
    findings: &mut Vec<Finding>,
    signals: &ScoreSignals<'_>,
    threshold: u32,
) -> SpamScore {
    let before = findings.len();
    if signals.proof_of_work == ProofOfWork::Missing {
        findings.push(weighted(
            ReasonCode::ProofOfWorkMissing,
            "spam.proof_of_work",
            "أُرسل دون إثبات العمل (نموذج بلا جافاسكربت أو برنامج)".to_string(),
            "Sent without the proof of work (a form without JavaScript, or a program)".to_string(),
        ));
    }
    if signals.address_last_hour >= ADDRESS_VOLUME {
        let n = signals.address_last_hour;
        findings.push(Finding {
            matched: Some(n.to_string()),
            ..weighted(
                ReasonCode::AddressVolume,
                "spam.address_volume",
                format!("{n} تعليقًا من هذا العنوان خلال الساعة الأخيرة"),
                format!("{n} comments from this address in the last hour"),
            )
        });
    }
    if signals.network_last_hour >= NETWORK_VOLUME {
        let n = signals.network_last_hour;
        findings.push(Finding {
            matched: Some(n.to_string()),
            ..weighted(
                ReasonCode::NetworkVolume,
                "spam.network_volume",
                format!("{n} تعليقًا من شبكة هذا العنوان خلال الساعة الأخيرة"),
                format!("{n} comments from this address's network in the last hour"),
            )
        });
    }
    let mut total = 0u32;
    let mut counted: Vec<String> = Vec::new();
    for f in findings.iter_mut() {
        let w = weight_of(&f.code);
        // One weight per signal, however many times it was found.
        if w == 0 || counted.contains(&f.code) {
            continue;
        }
        counted.push(f.code.clone());
        f.weight = Some(w);
        total = total.saturating_add(w);
    }
    let score = SpamScore { total, threshold };
    let only_no_proof = counted
        .iter()
        .all(|c| c == ReasonCode::ProofOfWorkMissing.as_str());
    if only_no_proof && !score.suspicious() {
        findings.truncate(before);
        return score;
    }
    if total > 0 {
        let (action, ar, en) = if score.suspicious() {
            (
                Action::Hold,
                format!(
                    "مجموع مؤشرات الرسائل المزعجة {total} (الحد {threshold}): رسالة مزعجة على الأرجح"
                ),
                format!("Spam signals add up to {total} (threshold {threshold}): likely spam"),
            )
        } else {
            (
                Action::Allow,
                format!("مجموع مؤشرات الرسائل المزعجة {total} (الحد {threshold})"),
                format!("Spam signals add up to {total} (threshold {threshold})"),
            )
        };
        findings.push(Finding {
            category: Some("spam".to_string()),
            matched: Some(format!("{total}/{threshold}")),
            weight: Some(total),
            ..Finding::simple(ReasonCode::SpamScore, "spam.score", action, ar, en)
        });
    }
    score
}

/// The decision proposed to the moderators for a stored comment: `spam`
/// when its spam score held it.
pub fn suggestion(findings: &[Finding]) -> Option<&'static str> {
    findings
        .iter()
        .any(|f| f.code == ReasonCode::SpamScore.as_str() && f.action == Action::Hold)
        .then_some("spam")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_edits_keep_bodies_close_and_other_texts_stay_apart() {
        let base = body_signature(
            "Earn $500 a day from home! Visit cheap-pills.top/offer now and join thousands of happy members",
        );
        for close in [
            "Earn $500 a day from home!! Visit cheap-pills.top/offer now and join thousands of happy members",
            "earn 500 a day from home visit cheap-pills.top/offer NOW and join thousands of happy members!",
            "Earn $700 a day from home! Visit cheap-pills.top/offer2 now and join thousands of happy members",
        ] {
            let s = similarity(&base, &body_signature(close));
            assert!(s >= NEAR_DUPLICATE_SIMILARITY, "{s} {close}");
        }
        for far in [
            "The minister's budget leaves the regions short again, as last year.",
            "مقال ممتاز عن الميزانية، شكرا للكاتب على هذا العرض الواضح",
        ] {
            let s = similarity(&base, &body_signature(far));
            assert!(s < 0.2, "{s} {far}");
        }
        let ar = body_signature("اربح ٥٠٠ دولار يوميا من البيت، زوروا موقعنا الآن واشتركوا مجانا");
        let ar_edit =
            body_signature("اربح 500 دولار يومياً من البيت!! زوروا موقعنا الان واشتركوا مجاناً");
        assert!(similarity(&ar, &ar_edit) >= NEAR_DUPLICATE_SIMILARITY);
        assert_eq!(
            similarity(&body_signature("!!!"), &body_signature("...")),
            0.0
        );
    }

    #[test]
    fn links_and_digits_bots_vary_are_left_out_of_the_comparison() {
        let a = body_signature(
            "Cheap followers, message me on WhatsApp 0551234512 today https://win-big.click/17",
        );
        let b = body_signature(
            "Cheap followers, message me on WhatsApp 0559876512 today http://cheap-pills.top/offer/908",
        );
        let c = body_signature("Cheap followers, message me on WhatsApp ٠٥٥٤٤٤ today");
        assert_eq!(similarity(&a, &b), 1.0);
        assert_eq!(similarity(&a, &c), 1.0);
        // A body that is only links and numbers has nothing to compare.
        let bare = body_signature("https://win-big.click/17 0551234512");
        assert_eq!(
            similarity(&bare, &body_signature("www.win-big.click 42")),
            0.0
        );
    }

    #[test]
    fn only_a_hold_by_the_spam_signals_makes_a_held_body_known_spam() {
        let f = |code, action, spam: bool| Finding {
            category: spam.then(|| "spam".to_string()),
            ..Finding::simple(code, "r", action, String::new(), String::new())
        };
        // Held by the spam score, by a near-duplicate, by a refused proof.
        assert!(held_as_spam(&[
            f(ReasonCode::FirstCommentLink, Action::Flag, false),
            f(ReasonCode::SpamScore, Action::Hold, true),
        ]));
        assert!(held_as_spam(&[f(
            ReasonCode::NearDuplicateBody,
            Action::Hold,
            true
        )]));
        // Held by the posting rules (an insult, a blocked link), or a spam
        // score under the threshold: not spam by that.
        assert!(!held_as_spam(&[
            f(ReasonCode::BannedTerm, Action::Hold, false),
            f(ReasonCode::BlockedLinkDomain, Action::Hold, false),
            f(ReasonCode::SpamScore, Action::Allow, true),
        ]));
        assert!(!held_as_spam(&[]));
    }

    #[test]
    fn a_near_duplicate_alone_reaches_the_default_threshold_and_suggests_spam() {
        let d = NearDuplicates {
            other_addresses: NEAR_DUPLICATE_ADDRESSES,
            best: 0.9,
            ..NearDuplicates::default()
        };
        let mut f: Vec<_> = near_duplicate_finding(&d).into_iter().collect();
        let s = spam_score(
            &mut f,
            &signals(ProofOfWork::Solved),
            DEFAULT_SPAM_THRESHOLD,
        );
        assert_eq!(s.total, 6);
        assert!(s.suspicious());
        assert_eq!(suggestion(&f), Some("spam"));
        assert!(held_as_spam(&f));
    }

    #[test]
    fn a_stored_signature_reads_back_as_it_was_and_nothing_else_reads() {
        let sig = body_signature("اربح ٥٠٠ دولار يوميا من البيت، زوروا موقعنا الآن");
        let text = signature_text(&sig);
        assert_eq!(text.len(), SIGNATURE_LEN * 8);
        assert_eq!(parse_signature(&text), Some(sig));
        let none = body_signature("");
        assert_eq!(parse_signature(&signature_text(&none)), Some(none));
        assert_eq!(parse_signature(""), None);
        assert_eq!(parse_signature(&text[1..]), None);
        assert_eq!(parse_signature(&text.replace('0', "g")), None);
        assert_eq!(parse_signature(&format!("+{}", &text[1..])), None);
    }

    #[test]
    fn near_duplicates_hold_from_other_addresses_or_known_spam_only() {
        let sig = body_signature("Cheap followers, message me on WhatsApp 0551234567 today");
        let same = body_signature("Cheap followers!! message me on WhatsApp 0551234567 today.");
        let other = body_signature("A thoughtful piece on the water shortage in the south.");
        let seen = |address, spam, s| SeenBody {
            signature: s,
            address,
            spam,
        };
        // The same address once again: the exact duplicate rule's business;
        // a third near-copy with small edits is held.
        let d = near_duplicates(&sig, "me", [seen("me", false, &same)]);
        assert_eq!((d.other_addresses, d.same_address), (0, 1));
        assert_eq!(near_duplicate_finding(&d), None);
        let d = near_duplicates(
            &sig,
            "me",
            [seen("me", false, &same), seen("me", false, &same)],
        );
        assert_eq!((d.other_addresses, d.same_address), (0, 2));
        assert!(near_duplicate_finding(&d).is_some());
        let d = near_duplicates(
            &sig,
            "me",
            [
                seen("a", false, &same),
                seen("b", false, &same),
                seen("c", false, &other),
            ],
        );
        assert_eq!(d.other_addresses, 2);
        let f = near_duplicate_finding(&d).unwrap();
        assert_eq!(
            (f.code.as_str(), f.action),
            ("near_duplicate_body", Action::Hold)
        );
        let d = near_duplicates(&sig, "me", [seen("a", true, &same)]);
        assert!(d.known_spam && near_duplicate_finding(&d).is_some());
        let d = near_duplicates(
            &sig,
            "me",
            [seen("a", true, &other), seen("b", false, &other)],
        );
        assert_eq!(d, NearDuplicates::default());
    }

    #[test]
    fn only_a_failed_proof_is_a_finding() {
        assert_eq!(proof_of_work(ProofOfWork::Solved), None);
        assert_eq!(proof_of_work(ProofOfWork::Missing), None);
        let f = proof_of_work(ProofOfWork::Failed("replayed")).unwrap();
        assert_eq!(
            (f.code.as_str(), f.action, f.matched.as_deref()),
            ("proof_of_work_failed", Action::Hold, Some("replayed"))
        );
    }

    #[test]
    fn a_network_is_throttled_only_once_it_reaches_its_cap() {
        let v = |last_hour, cap| NetworkVolume {
            last_hour,
            cap,
            retry_after_secs: 300,
        };
        assert_eq!(network_throttle(&v(1199, 1200)), None);
        let t = network_throttle(&v(1200, 1200)).unwrap();
        assert_eq!((t.code, t.retry_after_secs), ("rate_hourly_network", 300));
        // 0 turns the cap off.
        assert_eq!(network_throttle(&v(1_000_000, 0)), None);
    }

    #[test]
    fn a_burst_needs_a_first_time_address_among_enough_others() {
        let n = |others, first| ArticleNewcomers {
            first_time_addresses: others,
            this_address_first_time: first,
        };
        assert_eq!(first_time_burst(&n(6, true)), None);
        let f = first_time_burst(&n(7, true)).unwrap();
        assert_eq!(
            (f.code.as_str(), f.action, f.matched.as_deref()),
            ("first_time_burst", Action::Allow, Some("8"))
        );
        // An address the site knows is not part of a burst of newcomers.
        assert_eq!(first_time_burst(&n(500, false)), None);
    }

    fn signals(pow: ProofOfWork<'_>) -> ScoreSignals<'_> {
        ScoreSignals {
            proof_of_work: pow,
            address_last_hour: 0,
            network_last_hour: 0,
        }
    }

    fn codes(f: &[Finding]) -> Vec<(&str, Option<u32>, Action)> {
        f.iter()
            .map(|f| (f.code.as_str(), f.weight, f.action))
            .collect()
    }

    #[test]
    fn a_reader_with_a_solved_proof_scores_nothing_and_gets_no_finding() {
        let mut f = Vec::new();
        let s = spam_score(&mut f, &signals(ProofOfWork::Solved), 6);
        assert_eq!((s.total, s.suspicious()), (0, false));
        assert!(f.is_empty());
        assert_eq!(suggestion(&f), None);
    }

    #[test]
    fn weights_add_up_once_per_signal_and_the_threshold_holds_with_spam_suggested() {
        let link =
            |code| Finding::simple(code, "links", Action::Flag, String::new(), String::new());
        let mut f = vec![
            link(ReasonCode::FirstCommentLink),
            link(ReasonCode::FirstCommentLink),
            Finding::simple(
                ReasonCode::BannedTerm,
                "lexicon",
                Action::Hold,
                String::new(),
                String::new(),
            ),
        ];
        let s = spam_score(
            &mut f,
            &ScoreSignals {
                proof_of_work: ProofOfWork::Missing,
                address_last_hour: ADDRESS_VOLUME,
                network_last_hour: NETWORK_VOLUME - 1,
            },
            9,
        );
        // first_comment_link 3 + no proof 2 + address volume 2.
        assert_eq!(
            s,
            SpamScore {
                total: 7,
                threshold: 9
            }
        );
        assert_eq!(
            codes(&f),
            vec![
                ("first_comment_link", Some(3), Action::Flag),
                ("first_comment_link", None, Action::Flag),
                ("banned_term", None, Action::Hold),
                ("proof_of_work_missing", Some(2), Action::Allow),
                ("address_volume", Some(2), Action::Allow),
                ("spam_score", Some(7), Action::Allow),
            ]
        );
        assert_eq!(suggestion(&f), None);
        let mut f = vec![link(ReasonCode::FirstCommentLink)];
        let s = spam_score(
            &mut f,
            &ScoreSignals {
                network_last_hour: NETWORK_VOLUME,
                ..signals(ProofOfWork::Missing)
            },
            DEFAULT_SPAM_THRESHOLD,
        );
        assert_eq!(s.total, 7);
        assert!(s.suspicious());
        let last = f.last().unwrap();
        assert_eq!(
            (last.code.as_str(), last.action, last.matched.as_deref()),
            ("spam_score", Action::Hold, Some("7/6"))
        );
        assert_eq!(suggestion(&f), Some("spam"));
        // A reader's form without JavaScript: no finding under the threshold.
        let mut f = Vec::new();
        let s = spam_score(&mut f, &signals(ProofOfWork::Missing), 6);
        assert_eq!((s.total, f.len()), (2, 0));
        let s = spam_score(&mut f, &signals(ProofOfWork::Missing), 2);
        assert!(s.suspicious() && suggestion(&f).is_some());
        // A threshold of 0 turns the score off.
        let mut f = vec![link(ReasonCode::BlockedLinkDomain)];
        assert!(!spam_score(&mut f, &signals(ProofOfWork::Solved), 0).suspicious());
    }

    #[test]
    fn every_weighted_code_is_a_spam_signal_once() {
        let mut seen = HashSet::new();
        for (code, w) in WEIGHTS {
            assert!(w > 0 && seen.insert(code.as_str()), "{}", code.as_str());
        }
        assert_eq!(weight_of("banned_term"), 0);
        assert_eq!(weight_of("honeypot"), 10);
    }
}
