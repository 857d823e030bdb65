//! The puzzle itself, pure: no clock, no storage.
//!
//! The server picks a secret `number` in `0..=maxnumber` and a salt that
//! carries its own expiry and site (`<random>?expires=<unix s>&site=<key>`),
//! and publishes `challenge = hex(SHA-256(salt ‖ number))` with
//! `signature = hex(HMAC-SHA-256(key, challenge))`. The client tries numbers
//! from 0 up until the hash matches: on average `maxnumber / 2` hashes. The
//! server checks the signature (it issued this challenge, unchanged), the
//! expiry and site inside the salt (covered by the challenge, so they cannot
//! be edited without breaking it) and one hash. Nothing is stored at issue;
//! a solved challenge is remembered until it expires so it is used once.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The only algorithm issued and accepted.
pub const ALGORITHM: &str = "SHA-256";

/// Longest encoded solution accepted (a real one is about 300 bytes).
const MAX_PAYLOAD: usize = 1024;

/// A challenge as the client receives it (ALTCHA's field names).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Issued {
    pub algorithm: String,
    pub challenge: String,
    pub maxnumber: u64,
    pub salt: String,
    pub signature: String,
}

/// A solution as the client sends it, base64 of this JSON object in the
/// `pow` field of the submission.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Solution {
    pub algorithm: String,
    pub challenge: String,
    pub number: u64,
    pub salt: String,
    pub signature: String,
}

impl Solution {
    /// The `pow` field for this solution.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::STANDARD.encode(json)
    }

    /// Decode a `pow` field; `None` for anything that is not a solution.
    pub fn decode(field: &str) -> Option<Solution> {
        if field.len() > MAX_PAYLOAD {
            return None;
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(field.trim())
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// Why a solution was refused. Kept apart for the logs and the findings;
/// the client is never told which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowFailure {
    Malformed,
    BadSignature,
    Expired,
    OtherSite,
    WrongNumber,
    Replayed,
}

impl PowFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            PowFailure::Malformed => "malformed",
            PowFailure::BadSignature => "bad_signature",
            PowFailure::Expired => "expired",
            PowFailure::OtherSite => "other_site",
            PowFailure::WrongNumber => "wrong_number",
            PowFailure::Replayed => "replayed",
        }
    }
}

fn sha256_hex(salt: &str, number: u64) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(number.to_string().as_bytes());
    hex::encode(h.finalize())
}

fn sign(key: &[u8], challenge: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(challenge.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// A new challenge for `site`, expiring at `expires_secs` (unix seconds),
/// whose answer is `number` (`nonce` makes the salt unique).
pub fn issue(
    key: &[u8],
    site: &str,
    expires_secs: i64,
    nonce: &str,
    number: u64,
    maxnumber: u64,
) -> Issued {
    let salt = format!("{nonce}?expires={expires_secs}&site={site}");
    let challenge = sha256_hex(&salt, number);
    Issued {
        algorithm: ALGORITHM.to_string(),
        signature: sign(key, &challenge),
        challenge,
        maxnumber,
        salt,
    }
}

/// `(expires unix seconds, site)` from a salt this server issued.
pub fn salt_params(salt: &str) -> Option<(i64, &str)> {
    let (_, query) = salt.split_once('?')?;
    let mut expires = None;
    let mut site = None;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("expires", v)) => expires = v.parse::<i64>().ok(),
            Some(("site", v)) => site = Some(v),
            _ => return None,
        }
    }
    Some((expires?, site?))
}

/// Check a solution for `site` at `now_secs`: every check but single use
/// (which needs storage). The cheap checks run before the hash.
pub fn check(key: &[u8], s: &Solution, site: &str, now_secs: i64) -> Result<(), PowFailure> {
    if s.algorithm != ALGORITHM || s.challenge.len() != 64 {
        return Err(PowFailure::Malformed);
    }
    let expected = sign(key, &s.challenge);
    if !bool::from(expected.as_bytes().ct_eq(s.signature.as_bytes())) {
        return Err(PowFailure::BadSignature);
    }
    let (expires, salt_site) = salt_params(&s.salt).ok_or(PowFailure::Malformed)?;
    if expires <= now_secs {
        return Err(PowFailure::Expired);
    }
    if salt_site != site {
        return Err(PowFailure::OtherSite);
    }
    if sha256_hex(&s.salt, s.number) != s.challenge {
        return Err(PowFailure::WrongNumber);
    }
    Ok(())
}

/// Solve a challenge as the browser does (0, 1, 2, … up to `maxnumber`).
/// Used by the tests and the spam simulation.
pub fn solve(c: &Issued) -> Option<Solution> {
    (0..=c.maxnumber)
        .find(|n| sha256_hex(&c.salt, *n) == c.challenge)
        .map(|number| Solution {
            algorithm: c.algorithm.clone(),
            challenge: c.challenge.clone(),
            number,
            salt: c.salt.clone(),
            signature: c.signature.clone(),
        })
}

/// How hard the puzzle is: the range the secret number is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Difficulty {
    /// `maxnumber` for a client that sent nothing recently.
    pub base: u64,
    /// The most `maxnumber` ever grows to.
    pub max: u64,
}

/// `maxnumber` for a client whose address sent `address_recent` and whose
/// network sent `network_recent` comments in the last hour: one extra
/// base per 2 comments from the address and per 20 from the network (a
/// network is shared, so it weighs less), never above `max`. A reader who
/// comments now and then always gets the base.
pub fn difficulty(d: Difficulty, address_recent: u64, network_recent: u64) -> u64 {
    let factor = 1 + address_recent / 2 + network_recent / 20;
    d.base.saturating_mul(factor).min(d.max.max(d.base))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"test key";

    fn issued(number: u64) -> Issued {
        issue(KEY, "news", 2_000, "00ff", number, 1_000)
    }

    #[test]
    fn a_solved_challenge_checks_and_every_tampering_is_named() {
        let c = issued(437);
        let s = solve(&c).unwrap();
        assert_eq!(s.number, 437);
        assert_eq!(check(KEY, &s, "news", 1_999), Ok(()));
        let cases: [(Solution, &str, i64, PowFailure); 6] = [
            (s.clone(), "news", 2_000, PowFailure::Expired),
            (s.clone(), "other", 1_000, PowFailure::OtherSite),
            (
                Solution {
                    number: 438,
                    ..s.clone()
                },
                "news",
                1_000,
                PowFailure::WrongNumber,
            ),
            (
                Solution {
                    signature: "00".repeat(32),
                    ..s.clone()
                },
                "news",
                1_000,
                PowFailure::BadSignature,
            ),
            // A salt edited to live longer no longer hashes to the challenge.
            (
                Solution {
                    salt: "00ff?expires=9999&site=news".into(),
                    ..s.clone()
                },
                "news",
                1_000,
                PowFailure::WrongNumber,
            ),
            (
                Solution {
                    algorithm: "SHA-1".into(),
                    ..s.clone()
                },
                "news",
                1_000,
                PowFailure::Malformed,
            ),
        ];
        for (sol, site, now, want) in cases {
            assert_eq!(check(KEY, &sol, site, now), Err(want), "{sol:?}");
        }
        // Another server's key never signed it.
        assert_eq!(
            check(b"other key", &s, "news", 1_000),
            Err(PowFailure::BadSignature)
        );
    }

    #[test]
    fn solutions_round_trip_through_the_pow_field() {
        let s = solve(&issued(3)).unwrap();
        assert_eq!(Solution::decode(&s.encode()), Some(s));
        assert_eq!(Solution::decode("not base64!"), None);
        assert_eq!(Solution::decode(&"A".repeat(2_000)), None);
    }

    #[test]
    fn salts_carry_expiry_and_site_and_nothing_else() {
        assert_eq!(salt_params("ab?expires=12&site=news"), Some((12, "news")));
        assert_eq!(salt_params("ab?site=news"), None);
        assert_eq!(salt_params("ab?expires=12&site=news&x=1"), None);
        assert_eq!(salt_params("ab"), None);
    }

    #[test]
    fn difficulty_grows_with_recent_volume_and_stops_at_the_max() {
        let d = Difficulty {
            base: 50_000,
            max: 2_000_000,
        };
        assert_eq!(difficulty(d, 0, 0), 50_000);
        assert_eq!(difficulty(d, 1, 19), 50_000);
        assert_eq!(difficulty(d, 2, 0), 100_000);
        assert_eq!(difficulty(d, 0, 40), 150_000);
        assert_eq!(difficulty(d, 1_000, 1_000), 2_000_000);
    }
}
