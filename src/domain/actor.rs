/// Who made a change: the audit log's `actor_kind` and `actor_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A dashboard account, by id.
    Moderator(String),
    /// An integrator's API key, by id.
    ApiKey(String),
    /// An instance-level key of the admin API, by id.
    RootKey(String),
    /// An operator at the command line (`majlis site set ...`).
    Cli,
    /// majlis itself (the posting rules, the auto-close timer ...).
    System,
}

impl Actor {
    /// The audit log's `actor_kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Moderator(_) => "moderator",
            Actor::ApiKey(_) => "api_key",
            Actor::RootKey(_) => "root_key",
            Actor::Cli => "cli",
            Actor::System => "system",
        }
    }

    /// The audit log's `actor_id` (empty for the command line and the system).
    pub fn id(&self) -> &str {
        match self {
            Actor::Moderator(id) | Actor::ApiKey(id) | Actor::RootKey(id) => id,
            Actor::Cli | Actor::System => "",
        }
    }
}
