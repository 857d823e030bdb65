//! Dashboard sessions: a random 256-bit token in the cookie, only its
//! SHA-256 in the database (a leaked table cannot be replayed), and a CSRF
//! token bound to the session.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Cookie name when served over HTTPS. Browsers accept `__Host-` cookies only
/// with `Secure`, `Path=/` and no `Domain`, so they cannot be set by a
/// sibling subdomain.
pub const SECURE_COOKIE: &str = "__Host-majlis_session";
/// Cookie name for plain-HTTP development (no `Secure` flag possible).
pub const PLAIN_COOKIE: &str = "majlis_session";
/// Pre-session CSRF cookie for the login form (double submit).
pub const LOGIN_CSRF_SECURE_COOKIE: &str = "__Host-majlis_login";
pub const LOGIN_CSRF_PLAIN_COOKIE: &str = "majlis_login";

/// A new session or CSRF token: 32 random bytes, hex.
pub fn new_token() -> String {
    crate::domain::new_secret_token(32)
}

/// What the database keeps of a session token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Constant-time comparison of a submitted CSRF token with the expected one.
pub fn tokens_match(submitted: &str, expected: &str) -> bool {
    !expected.is_empty() && bool::from(submitted.as_bytes().ct_eq(expected.as_bytes()))
}

/// Session lifetime rules.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub idle_ms: i64,
    pub absolute_ms: i64,
}

impl Timeouts {
    /// Whether a session created at `created` and last used at `seen` is still alive at `now`.
    pub fn alive(&self, created: i64, seen: i64, now: i64) -> bool {
        now < created.saturating_add(self.absolute_ms) && now < seen.saturating_add(self.idle_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_end_when_idle_or_old() {
        let t = Timeouts {
            idle_ms: 10,
            absolute_ms: 100,
        };
        assert!(t.alive(0, 0, 9));
        assert!(!t.alive(0, 0, 10));
        assert!(t.alive(0, 95, 99));
        assert!(!t.alive(0, 95, 100));
    }

    #[test]
    fn csrf_tokens_compare_exactly() {
        let a = new_token();
        assert!(tokens_match(&a, &a));
        assert!(!tokens_match(&new_token(), &a));
        assert!(!tokens_match("", ""));
        assert_eq!(hash_token(&a).len(), 64);
    }
}
