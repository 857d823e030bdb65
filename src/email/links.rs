//! Links in mail: moderator decisions (bound to the moderator, the comment,
//! the action and an expiry; single use is recorded by storage) and commenter
//! unsubscribes. A decision token is `base64url(payload).base64url(hmac)`,
//! keyed with the instance secret, so every instance on the database accepts
//! it. An unsubscribe token is opaque: the site and address sealed
//! (AES-256-GCM, key derived from the same instance secret) and padded, so
//! links that end up in access logs reveal no address in any encoding.
//! Unsubscribe links of the earlier signed form still work.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::seal::Sealer;

type HmacSha256 = Hmac<Sha256>;

const DOMAIN: &[u8] = b"majlis-email-link-v1\n";
/// Longest token accepted before any decoding.
pub const TOKEN_MAX: usize = 1024;
/// Unsubscribe plaintexts are padded to a multiple of this, so a token's
/// length says nothing about the address's length (almost every address
/// fits one block).
const UNSUBSCRIBE_PAD: usize = 128;
const UNSUBSCRIBE_AAD: &[u8] = b"majlis-unsubscribe-v2";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkAction {
    Approve,
    Reject,
}

impl LinkAction {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkAction::Approve => "approve",
            LinkAction::Reject => "reject",
        }
    }

    fn parse(raw: &str) -> Option<LinkAction> {
        match raw {
            "approve" => Some(LinkAction::Approve),
            "reject" => Some(LinkAction::Reject),
            _ => None,
        }
    }
}

/// What a valid decision link allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionClaim {
    pub site_key: String,
    pub comment_id: String,
    pub moderator_id: String,
    pub action: LinkAction,
    pub expires_at: i64,
    /// Stable id of this link, recorded when it is used.
    pub link_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link is malformed or its signature does not match")]
    Invalid,
    #[error("the link has expired")]
    Expired,
}

#[derive(Clone)]
pub struct LinkSigner {
    key: Vec<u8>,
    unsubscribe: Sealer,
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkSigner(..)")
    }
}

impl LinkSigner {
    pub fn new(key: Vec<u8>) -> LinkSigner {
        let unsubscribe = Sealer::derive(&key, "email-unsubscribe");
        LinkSigner { key, unsubscribe }
    }

    fn mac(&self, payload: &[u8]) -> HmacSha256 {
        // HMAC accepts keys of any length.
        let mut mac = HmacSha256::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(DOMAIN);
        mac.update(payload);
        mac
    }

    fn sign(&self, fields: &[&str]) -> String {
        let payload = fields.join("\n");
        let tag = self.mac(payload.as_bytes()).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload.as_bytes()),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The verified fields of a token and the hex of its first 16 MAC bytes.
    fn open(&self, token: &str) -> Result<(Vec<String>, String), LinkError> {
        if token.len() > TOKEN_MAX {
            return Err(LinkError::Invalid);
        }
        let (payload, tag) = token.split_once('.').ok_or(LinkError::Invalid)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| LinkError::Invalid)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| LinkError::Invalid)?;
        self.mac(&payload)
            .verify_slice(&tag)
            .map_err(|_| LinkError::Invalid)?;
        let text = String::from_utf8(payload).map_err(|_| LinkError::Invalid)?;
        let id = hex::encode(tag.get(..16).ok_or(LinkError::Invalid)?);
        Ok((text.split('\n').map(str::to_string).collect(), id))
    }

    pub fn decision(
        &self,
        site_key: &str,
        comment_id: &str,
        moderator_id: &str,
        action: LinkAction,
        expires_at: i64,
    ) -> String {
        self.sign(&[
            "d",
            site_key,
            comment_id,
            moderator_id,
            action.as_str(),
            &expires_at.to_string(),
        ])
    }

    pub fn verify_decision(&self, token: &str, now: i64) -> Result<DecisionClaim, LinkError> {
        let (fields, link_id) = self.open(token)?;
        let [kind, site, comment, moderator, action, expires] = fields.as_slice() else {
            return Err(LinkError::Invalid);
        };
        if kind != "d" {
            return Err(LinkError::Invalid);
        }
        let action = LinkAction::parse(action).ok_or(LinkError::Invalid)?;
        let expires_at: i64 = expires.parse().map_err(|_| LinkError::Invalid)?;
        if expires_at <= now {
            return Err(LinkError::Expired);
        }
        Ok(DecisionClaim {
            site_key: site.clone(),
            comment_id: comment.clone(),
            moderator_id: moderator.clone(),
            action,
            expires_at,
            link_id,
        })
    }

    /// An opaque unsubscribe token for `email` on `site_key`.
    pub fn unsubscribe(&self, site_key: &str, email: &str) -> String {
        let mut plain = format!("{site_key}\n{email}").into_bytes();
        let padded = plain.len().div_ceil(UNSUBSCRIBE_PAD).max(1) * UNSUBSCRIBE_PAD;
        plain.resize(padded, 0);
        URL_SAFE_NO_PAD.encode(self.unsubscribe.seal_bytes(&plain, UNSUBSCRIBE_AAD))
    }

    /// The site and address of a valid unsubscribe token (sealed, or of the
    /// earlier signed form `payload.tag`).
    pub fn verify_unsubscribe(&self, token: &str) -> Result<(String, String), LinkError> {
        if token.len() > TOKEN_MAX {
            return Err(LinkError::Invalid);
        }
        if token.contains('.') {
            let (fields, _) = self.open(token)?;
            return match fields.as_slice() {
                [kind, site, email] if kind == "u" => Ok((site.clone(), email.clone())),
                _ => Err(LinkError::Invalid),
            };
        }
        let sealed = URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| LinkError::Invalid)?;
        let plain = self
            .unsubscribe
            .open_bytes(&sealed, UNSUBSCRIBE_AAD)
            .map_err(|_| LinkError::Invalid)?;
        let text = String::from_utf8(plain).map_err(|_| LinkError::Invalid)?;
        let (site, email) = text
            .trim_end_matches('\0')
            .split_once('\n')
            .ok_or(LinkError::Invalid)?;
        Ok((site.to_string(), email.to_string()))
    }

    /// The earlier unsubscribe token form, which carried the address in
    /// signed base64 (kept to test that old links still work).
    #[cfg(test)]
    fn signed_unsubscribe(&self, site_key: &str, email: &str) -> String {
        self.sign(&["u", site_key, email])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> LinkSigner {
        LinkSigner::new(b"test key".to_vec())
    }

    #[test]
    fn a_decision_link_round_trips_until_it_expires() {
        let s = signer();
        let t = s.decision("news", "c1", "m1", LinkAction::Reject, 1000);
        let claim = s.verify_decision(&t, 999).unwrap();
        assert_eq!(claim.comment_id, "c1");
        assert_eq!(claim.moderator_id, "m1");
        assert_eq!(claim.action, LinkAction::Reject);
        assert_eq!(s.verify_decision(&t, 1000), Err(LinkError::Expired));
    }

    #[test]
    fn tampered_or_foreign_links_are_invalid() {
        let s = signer();
        let t = s.decision("news", "c1", "m1", LinkAction::Approve, 1000);
        let (payload, tag) = t.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode("d\nnews\nc2\nm1\napprove\n1000");
        assert_eq!(
            s.verify_decision(&format!("{forged_payload}.{tag}"), 0),
            Err(LinkError::Invalid)
        );
        let mut flipped = tag.to_string();
        flipped.replace_range(0..1, if tag.starts_with('A') { "B" } else { "A" });
        assert_eq!(
            s.verify_decision(&format!("{payload}.{flipped}"), 0),
            Err(LinkError::Invalid)
        );
        let other = LinkSigner::new(b"other key".to_vec());
        assert_eq!(other.verify_decision(&t, 0), Err(LinkError::Invalid));
        let u = s.unsubscribe("news", "a@example.com");
        assert_eq!(s.verify_decision(&u, 0), Err(LinkError::Invalid));
        assert_eq!(
            s.verify_unsubscribe(&u).unwrap(),
            ("news".into(), "a@example.com".into())
        );
        assert_eq!(s.verify_unsubscribe("garbage"), Err(LinkError::Invalid));
        assert_eq!(other.verify_unsubscribe(&u), Err(LinkError::Invalid));
    }

    #[test]
    fn unsubscribe_tokens_reveal_nothing_of_the_address_and_old_signed_ones_still_work() {
        let s = signer();
        let short = s.unsubscribe("news", "a@example.com");
        let long = s.unsubscribe("news", "someone.with.a.longer.name@mail.example.org");
        assert_eq!(short.len(), long.len(), "the length gives nothing away");
        assert_ne!(short, s.unsubscribe("news", "a@example.com"));
        for t in [&short, &long] {
            assert!(!t.contains('.'));
            let decoded = URL_SAFE_NO_PAD.decode(t).unwrap();
            assert!(!String::from_utf8_lossy(&decoded).contains("example"));
        }
        let old = s.signed_unsubscribe("news", "a@example.com");
        assert_eq!(
            s.verify_unsubscribe(&old).unwrap(),
            ("news".into(), "a@example.com".into())
        );
    }
}
