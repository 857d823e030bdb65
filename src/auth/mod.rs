//! Who may moderate: API keys for integrators and the moderation API;
//! passwords and sessions for the dashboard.

mod api_key;
pub mod password;
pub mod session;

pub use api_key::{ApiKey, Role, generate_api_key, generate_root_key, hash_api_key};
