//! Who may moderate: API keys for integrators and the moderation API.

mod api_key;

pub use api_key::{ApiKey, Role, generate_api_key, hash_api_key};
