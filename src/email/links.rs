//! Signed links in mail: moderator decisions (bound to the moderator, the
//! comment, the action and an expiry; single use is recorded by storage) and
//! commenter unsubscribes. A token is `base64url(payload).base64url(hmac)`,
//! keyed with the instance secret, so every instance on the database accepts it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const DOMAIN: &[u8] = b"majlis-email-link-v1\n";
/// Longest token accepted before any decoding.
pub const TOKEN_MAX: usize = 1024;

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
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkSigner(..)")
    }
}

impl LinkSigner {
    pub fn new(key: Vec<u8>) -> LinkSigner {
        LinkSigner { key }
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

    pub fn unsubscribe(&self, site_key: &str, email: &str) -> String {
        self.sign(&["u", site_key, email])
    }

    /// The site and address of a valid unsubscribe token.
    pub fn verify_unsubscribe(&self, token: &str) -> Result<(String, String), LinkError> {
        let (fields, _) = self.open(token)?;
        match fields.as_slice() {
            [kind, site, email] if kind == "u" => Ok((site.clone(), email.clone())),
            _ => Err(LinkError::Invalid),
        }
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
    }
}
