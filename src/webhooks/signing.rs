//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>): the
//! secret is `whsec_` + base64 of random key bytes; each delivery carries
//! `webhook-id`, `webhook-timestamp` (unix seconds) and
//! `webhook-signature: v1,<base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))>`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngExt;
use sha2::Sha256;

const SECRET_PREFIX: &str = "whsec_";
/// 256-bit keys.
const SECRET_BYTES: usize = 32;

/// A new signing secret, `whsec_` + base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut rng = rand::rng();
    let key: Vec<u8> = (0..SECRET_BYTES).map(|_| rng.random::<u8>()).collect();
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The `webhook-signature` header value of one delivery attempt, or `None`
/// when the stored secret is not a valid `whsec_` key.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The `webhook-signature` header value signed with every live secret (the
/// current one first, then a rotated-out one while its overlap lasts),
/// space-separated as Standard Webhooks allows: a receiver accepts the
/// delivery when any of them verifies. `None` when a secret is not a valid
/// `whsec_` key or there is none.
pub fn sign_all(secrets: &[&str], msg_id: &str, timestamp: i64, body: &str) -> Option<String> {
    let signatures = secrets
        .iter()
        .map(|s| sign(s, msg_id, timestamp, body))
        .collect::<Option<Vec<String>>>()?;
    (!signatures.is_empty()).then(|| signatures.join(" "))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The example of the Standard Webhooks reference libraries.
    #[test]
    fn matches_the_standard_webhooks_test_vector() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        let sig = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn new_secrets_are_distinct_whsec_keys_of_32_bytes() {
        let a = new_secret();
        assert!(a.starts_with("whsec_"));
        assert_eq!(STANDARD.decode(&a[6..]).unwrap().len(), 32);
        assert_ne!(a, new_secret());
    }
}
