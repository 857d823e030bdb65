//! Moderator passwords: argon2id with the crate defaults (m=19456 KiB, t=2,
//! p=1, the OWASP baseline), hashed and verified off the async runtime with
//! at most `CONCURRENCY` at a time, since each one takes ~19 MiB and tens of
//! milliseconds of CPU.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

/// Hashing jobs running at once; more logins wait their turn.
pub const CONCURRENCY: usize = 2;
/// Shortest accepted password (ASVS 6.2.1). No composition rules.
pub const MIN_LEN: usize = 8;
/// Longest accepted password in characters (bounds the hashing input).
pub const MAX_LEN: usize = 128;

static PERMITS: Semaphore = Semaphore::const_new(CONCURRENCY);

/// A hash verified for unknown emails so that their answer takes as long as
/// a wrong password's.
static DUMMY: LazyLock<String> =
    LazyLock::new(|| hash_blocking(&crate::domain::new_secret_token(16)).unwrap_or_default());

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("passwords have at least {MIN_LEN} characters")]
    TooShort,
    #[error("passwords have at most {MAX_LEN} characters")]
    TooLong,
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// Length rules only (no truncation, no case folding).
pub fn check_policy(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if n > MAX_LEN {
        return Err(PasswordError::TooLong);
    }
    Ok(())
}

fn hash_blocking(password: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hashing(e.to_string()))
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) for a new password.
pub async fn hash_password(password: &str) -> Result<String, PasswordError> {
    check_policy(password)?;
    let _permit = PERMITS
        .acquire()
        .await
        .map_err(|e| PasswordError::Hashing(e.to_string()))?;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| PasswordError::Hashing(e.to_string()))?
}

/// Whether `password` matches `hash`; with `None` (unknown account) a dummy
/// hash is verified instead and the answer is always false.
pub async fn verify_password(password: &str, hash: Option<&str>) -> bool {
    if password.chars().count() > MAX_LEN {
        return false;
    }
    let Ok(_permit) = PERMITS.acquire().await else {
        return false;
    };
    let password = password.to_string();
    let known = hash.is_some();
    let hash = hash.map(str::to_string);
    let ok = tokio::task::spawn_blocking(move || {
        let hash = hash.unwrap_or_else(|| DUMMY.clone());
        verify_blocking(&password, &hash)
    })
    .await
    .unwrap_or(false);
    ok && known
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_is_argon2id_with_owasp_parameters_and_verifies() {
        let h = hash_password("correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse battery", Some(&h)).await);
        assert!(!verify_password("correct horse batterY", Some(&h)).await);
        assert!(!verify_password("correct horse battery", None).await);
    }

    #[test]
    fn length_rules_only() {
        assert!(check_policy("short").is_err());
        assert!(check_policy("كلمة سر طويلة").is_ok());
        assert!(check_policy(&"x".repeat(MAX_LEN + 1)).is_err());
    }
}
