//! Sealing: authenticated encryption of small secrets at rest (webhook
//! signing secrets) and of opaque tokens (unsubscribe links), with keys
//! derived from an instance secret.
//!
//! A key is HKDF-SHA256 over the instance secret, with a purpose string as
//! the `info`, so one instance secret yields unrelated keys per use. Sealing
//! is AES-256-GCM with a random 96-bit nonce (these keys seal few messages,
//! far below the 2^32 random-nonce bound) and associated data chosen by the
//! caller (a row id, a purpose), so a ciphertext moved to another row does
//! not open. Stored text is `sealed:v1:<key id>:<base64url(nonce ‖ ciphertext)>`;
//! the key id (eight hex digits derived from the key, not the key) tells
//! which instance secret sealed a row, which is what rotation needs.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use rand::RngExt;
use sha2::Sha256;

const SALT: &[u8] = b"majlis-seal-v1";
const PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the sealed value is malformed")]
    Malformed,
    #[error("the sealed value was sealed with another key")]
    OtherKey,
    #[error("the sealed value does not open (tampered, or moved from another row)")]
    Invalid,
}

/// One derived key. `Debug` never shows it.
#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
    id: String,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealer({})", self.id)
    }
}

impl Sealer {
    /// The key for `purpose` derived from `instance_secret`.
    pub fn derive(instance_secret: &[u8], purpose: &str) -> Sealer {
        let hk = Hkdf::<Sha256>::new(Some(SALT), instance_secret);
        let mut key = [0u8; 32];
        let mut id = [0u8; 4];
        // 32 and 4 bytes are far below HKDF-SHA256's 8160-byte limit.
        let _ = hk.expand(purpose.as_bytes(), &mut key);
        let _ = hk.expand(format!("{purpose}/key-id").as_bytes(), &mut id);
        Sealer {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
            id: hex::encode(id),
        }
    }

    /// The public id of this key (derived, reveals nothing of the key).
    pub fn key_id(&self) -> &str {
        &self.id
    }

    /// `nonce ‖ ciphertext ‖ tag` of `plaintext`, bound to `aad`.
    pub fn seal_bytes(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        let nonce: [u8; NONCE_LEN] = rand::rng().random();
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            // AES-GCM fails only beyond 64 GiB of plaintext.
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open_bytes(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, SealError> {
        if sealed.len() < NONCE_LEN + 16 {
            return Err(SealError::Malformed);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| SealError::Invalid)
    }

    /// The stored form of `plaintext`.
    pub fn seal_text(&self, plaintext: &str, aad: &[u8]) -> String {
        format!(
            "{PREFIX}{}:{}",
            self.id,
            URL_SAFE_NO_PAD.encode(self.seal_bytes(plaintext.as_bytes(), aad))
        )
    }

    pub fn open_text(&self, stored: &str, aad: &[u8]) -> Result<String, SealError> {
        let (id, body) = stored
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .ok_or(SealError::Malformed)?;
        if id != self.id {
            return Err(SealError::OtherKey);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| SealError::Malformed)?;
        String::from_utf8(self.open_bytes(&bytes, aad)?).map_err(|_| SealError::Malformed)
    }

    /// Whether `stored` is a sealed value (by any key).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }

    /// The key id a sealed value names.
    pub fn key_id_of(stored: &str) -> Option<&str> {
        stored
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .map(|(id, _)| id)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sealed_text_opens_only_with_its_key_and_its_associated_data() {
        let s = Sealer::derive(b"instance secret", "webhook_secret");
        let stored = s.seal_text("whsec_abc", b"hook-1");
        assert!(Sealer::is_sealed(&stored));
        assert!(!stored.contains("whsec_abc"));
        assert_eq!(s.open_text(&stored, b"hook-1").unwrap(), "whsec_abc");
        assert_eq!(s.open_text(&stored, b"hook-2"), Err(SealError::Invalid));
        let other = Sealer::derive(b"another secret", "webhook_secret");
        assert_eq!(
            other.open_text(&stored, b"hook-1"),
            Err(SealError::OtherKey)
        );
        assert_eq!(Sealer::key_id_of(&stored), Some(s.key_id()));
        assert_eq!(
            s.open_text("whsec_abc", b"hook-1"),
            Err(SealError::Malformed)
        );
    }

    #[test]
    fn purposes_derive_unrelated_keys_and_each_seal_is_fresh() {
        let a = Sealer::derive(b"k", "one");
        let b = Sealer::derive(b"k", "two");
        assert_ne!(a.key_id(), b.key_id());
        let sealed = a.seal_bytes(b"x", b"");
        assert_eq!(b.open_bytes(&sealed, b""), Err(SealError::Invalid));
        assert_ne!(a.seal_bytes(b"x", b""), sealed);
        assert_eq!(a.open_bytes(&sealed, b"").unwrap(), b"x");
    }
}
