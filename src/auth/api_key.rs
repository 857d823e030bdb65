use sha2::{Digest, Sha256};

/// What an API key may do on its site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Moderator,
    Admin,
}

impl Role {
    pub fn parse(raw: &str) -> Option<Role> {
        match raw {
            "moderator" => Some(Role::Moderator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }
}

/// An authenticated API key: which site it belongs to and what it may do.
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub id: String,
    pub site_key: String,
    pub role: Role,
}

impl ApiKey {
    /// The audit log's actor for what this key does.
    pub fn actor(&self) -> crate::domain::Actor {
        crate::domain::Actor::ApiKey(self.id.clone())
    }
}

const PREFIX: &str = "mjk_";

/// A new secret key (256 random bits), shown to the operator once.
pub fn generate_api_key() -> String {
    format!("{PREFIX}{}", crate::domain::new_secret_token(32))
}

const ROOT_PREFIX: &str = "mjr_";

/// A new instance-level key of the admin API (256 random bits), shown once.
pub fn generate_root_key() -> String {
    format!("{ROOT_PREFIX}{}", crate::domain::new_secret_token(32))
}

/// What is stored: SHA-256 of the key. The key has 256 bits of entropy, so a
/// fast hash is enough; the lookup by hash never compares secrets byte by byte.
pub fn hash_api_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_hashed_deterministically() {
        let a = generate_api_key();
        let b = generate_api_key();
        assert_ne!(a, b);
        assert_eq!(a.len(), PREFIX.len() + 64);
        assert_eq!(hash_api_key(&a), hash_api_key(&a));
        assert_ne!(hash_api_key(&a), hash_api_key(&b));
    }
}
