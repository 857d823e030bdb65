//! Settings tree: `config/default.toml`, then an optional environment file,
//! then `MAJLIS__SECTION__KEY` environment variables. Unknown keys fail at start.

use std::path::{Path, PathBuf};

use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use secrecy::SecretString;
use serde::Deserialize;

/// The documented defaults, compiled in so `cargo run` works from any directory.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub captcha: CaptchaSettings,
    pub log: LogSettings,
    pub demo: DemoSettings,
    pub email: EmailSettings,
    pub dashboard: DashboardSettings,
    pub api: ApiSettings,
    pub privacy: PrivacySettings,
    pub webhooks: WebhookSettings,
    pub spam: SpamSettings,
    pub likes: LikesSettings,
}

/// Readers' likes (each site turns them on in its settings).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LikesSettings {
    /// Likes and unlikes one client address may send per minute (0 = no
    /// limit); beyond it 429 with Retry-After.
    pub max_per_minute_per_ip: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// Public base URL of this majlis, used in links (never taken from the Host header).
    pub base_url: String,
    /// Worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// MiB the read cache's answers may take (least recently read out first).
    pub read_cache_mb: usize,
    /// Peers whose `X-Forwarded-For` is believed. Anyone else's is ignored.
    pub trusted_proxies: Vec<String>,
    /// Seconds a client may take to send the request head (408 after).
    pub request_head_timeout_secs: u64,
    /// Seconds a client may take to send a request body (408 after).
    pub request_body_timeout_secs: u64,
    /// Seconds to finish in-flight requests on shutdown.
    pub shutdown_timeout_secs: u64,
    /// Largest accepted request body for comment submissions, in bytes.
    pub max_body_bytes: usize,
    /// Bearer token for `/metrics`; empty = loopback peers that are not trusted proxies only.
    pub metrics_token: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://path/to/file.db` (created if missing) or `postgres://...`.
    pub url: SecretString,
    pub max_connections: u32,
    /// How long a request waits for a connection before answering 503.
    pub acquire_timeout_ms: u64,
    /// SQLite `synchronous` pragma: `full` (default, durable on power loss) or `normal`.
    pub sqlite_synchronous: String,
}

impl From<&DatabaseSettings> for crate::storage::ConnectOptions {
    fn from(d: &DatabaseSettings) -> crate::storage::ConnectOptions {
        crate::storage::ConnectOptions {
            url: d.url.clone(),
            max_connections: d.max_connections,
            acquire_timeout_ms: d.acquire_timeout_ms,
            sqlite_synchronous: d.sqlite_synchronous.clone(),
            refresh_statistics: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptchaSettings {
    /// Seconds an issued security code stays valid.
    pub ttl_secs: u64,
    /// Number of characters in the image.
    pub length: u32,
    /// Images rendered ahead of demand (each used once); 0 renders on request.
    pub pool_size: usize,
    /// Security codes one client address may request per minute (0 = no
    /// limit); beyond it 429 with Retry-After.
    pub max_per_minute_per_ip: u32,
    /// Seconds a person needs at least from the issue of a code to sending
    /// the form; a faster submission is stored as spam (0 = no check).
    pub min_fill_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `pretty` for development, `json` for production log shipping.
    pub format: String,
    /// A tracing `EnvFilter` directive, e.g. `info` or `majlis=debug,info`.
    pub level: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSettings {
    /// Create the `demo` site on start and serve the demo article page at `/`.
    pub enabled: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// SMTP relay host; empty means no SMTP: messages are logged and kept in the outbox.
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `starttls`, `tls` (implicit TLS) or `none` (local relays only).
    pub smtp_tls: String,
    /// Empty means no authentication.
    pub smtp_username: String,
    pub smtp_password: SecretString,
    /// Envelope and `From:` address of every message.
    pub from_address: String,
    /// `From:` display name when a site sets none (sites default to their name).
    pub from_name: String,
    /// Milliseconds between outbox polls (a commit also wakes the worker).
    pub poll_interval_ms: u64,
    /// Messages claimed per poll.
    pub batch_size: u32,
    /// Seconds a claimed message stays leased to one worker.
    pub lease_secs: u64,
    /// Seconds an SMTP conversation may take before the attempt fails.
    pub send_timeout_secs: u64,
    /// Attempts before a message is marked `failed`.
    pub max_attempts: u32,
    /// First retry delay in seconds; doubles per attempt, with jitter.
    pub retry_base_secs: u64,
    /// Longest retry delay in seconds.
    pub retry_max_secs: u64,
    /// Seconds between digests of the pending queue (0 = at every poll).
    pub digest_interval_secs: u64,
    /// Hours an emailed approve/reject link stays valid.
    pub link_ttl_hours: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardSettings {
    /// Minutes without a request after which a moderator session ends.
    pub idle_timeout_mins: u64,
    /// Hours after login after which a session ends whatever the activity.
    pub absolute_timeout_hours: u64,
    /// Failed logins allowed per account before the delays start.
    pub free_failures_per_account: u32,
    /// Failed logins allowed per client address before the delays start.
    pub free_failures_per_ip: u32,
    /// First delay in seconds; it doubles with every further failure.
    pub throttle_base_secs: u64,
    /// Longest delay in seconds (no permanent lockout).
    pub throttle_max_secs: u64,
    /// Seconds a keyboard or button decision in the queue waits, with an
    /// "undo" offered, before it is sent (0 sends at once).
    pub undo_secs: u64,
}

/// Spam defence beside the security code: per-network caps and the
/// proof of work.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpamSettings {
    /// Comments one network (IPv4 /24, IPv6 /48) may send to one site per
    /// hour (0 = no cap). Counted in the database, so shared by instances.
    pub max_per_hour_per_network: u32,
    /// Security codes one network may request per minute (0 = no limit).
    pub max_codes_per_minute_per_network: u32,
    /// The proof of work's `maxnumber` for a client that sent nothing in the
    /// last hour (a reader's browser tries half of it on average).
    pub pow_base_maxnumber: u64,
    /// The most `maxnumber` grows to for a client sending a lot.
    pub pow_max_maxnumber: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSettings {
    /// Requests one API key may make per minute (0 = unlimited). Counted in
    /// memory on SQLite and in the database on PostgreSQL, so several
    /// instances share one budget per key.
    pub rate_limit_per_minute: u32,
    /// Days an entry stays in the change feed (0 = forever).
    pub changes_keep_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacySettings {
    /// Days a comment keeps the keyed hash of its client address (used for
    /// rate limits, duplicate checks and IP blocks); 0 keeps it for good.
    pub ip_hash_retention_days: u32,
    /// Seconds between runs of the retention purge.
    pub purge_interval_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// Accept `http://` targets (development only; production wants https).
    pub allow_http: bool,
    /// Accept targets on loopback, private, link-local and other
    /// non-public addresses (a receiver on the same machine or network).
    pub allow_private_networks: bool,
    /// Milliseconds one delivery attempt may take (connect + answer).
    pub timeout_ms: u64,
    /// Attempts before a delivery is marked `failed`.
    pub max_attempts: u32,
    /// First retry delay in seconds; doubles per attempt, with jitter.
    pub retry_base_secs: u64,
    /// Longest retry delay in seconds.
    pub retry_max_secs: u64,
    /// Milliseconds between outbox polls (a commit also wakes the worker).
    pub poll_interval_ms: u64,
    /// Deliveries claimed (and attempted concurrently) per round.
    pub batch_size: u32,
    /// Seconds a claimed delivery stays leased to one worker.
    pub lease_secs: u64,
    /// Seconds between looks for articles that closed by themselves
    /// (`closes_at` passed or the site's auto-close age), to emit `article.closed`.
    pub close_sweep_secs: u64,
    /// Subscriptions a site may have.
    pub max_per_site: u32,
    /// Days delivered and failed deliveries stay in the log (0 = forever).
    pub keep_log_days: u64,
}

impl WebhookSettings {
    pub fn policy(&self) -> crate::webhooks::TargetPolicy {
        crate::webhooks::TargetPolicy {
            allow_http: self.allow_http,
            allow_private_networks: self.allow_private_networks,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    Missing(PathBuf),
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Settings {
    /// Defaults, then `path` (if given), then `MAJLIS__*` environment variables.
    pub fn load(path: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut figment = Figment::new().merge(Toml::string(DEFAULT_TOML));
        if let Some(path) = path {
            if !path.exists() {
                return Err(ConfigError::Missing(path.to_path_buf()));
            }
            figment = figment.merge(Toml::file(path));
        }
        figment = figment.merge(Env::prefixed("MAJLIS__").split("__"));
        let settings: Settings = figment
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        settings.check()?;
        Ok(settings)
    }

    /// Parse one TOML document layered over the defaults (used by tests).
    pub fn from_toml_over_defaults(toml: &str) -> Result<Settings, ConfigError> {
        let settings: Settings = Figment::new()
            .merge(Toml::string(DEFAULT_TOML))
            .merge(Toml::string(toml))
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        match self.database.sqlite_synchronous.as_str() {
            "full" | "normal" | "extra" => {}
            other => {
                return Err(ConfigError::Invalid(format!(
                    "database.sqlite_synchronous must be full, normal or extra, not {other:?}"
                )));
            }
        }
        match self.log.format.as_str() {
            "pretty" | "json" => {}
            other => {
                return Err(ConfigError::Invalid(format!(
                    "log.format must be pretty or json, not {other:?}"
                )));
            }
        }
        if !(1..=8).contains(&self.captcha.length) {
            return Err(ConfigError::Invalid(
                "captcha.length must be between 1 and 8".into(),
            ));
        }
        match self.email.smtp_tls.as_str() {
            "starttls" | "tls" | "none" => {}
            other => {
                return Err(ConfigError::Invalid(format!(
                    "email.smtp_tls must be starttls, tls or none, not {other:?}"
                )));
            }
        }
        if self.email.from_address.parse::<lettre::Address>().is_err() {
            return Err(ConfigError::Invalid(format!(
                "email.from_address {:?} is not an email address",
                self.email.from_address
            )));
        }
        if self.email.max_attempts == 0 || self.email.batch_size == 0 || self.email.lease_secs == 0
        {
            return Err(ConfigError::Invalid(
                "email.max_attempts, email.batch_size and email.lease_secs must be at least 1"
                    .into(),
            ));
        }
        let w = &self.webhooks;
        if w.max_attempts == 0 || w.batch_size == 0 || w.lease_secs == 0 || w.timeout_ms == 0 {
            return Err(ConfigError::Invalid(
                "webhooks.max_attempts, webhooks.batch_size, webhooks.lease_secs and \
                 webhooks.timeout_ms must be at least 1"
                    .into(),
            ));
        }
        if w.lease_secs.saturating_mul(1000) <= w.timeout_ms {
            return Err(ConfigError::Invalid(
                "webhooks.lease_secs must be longer than webhooks.timeout_ms, or a slow \
                 receiver could get the same delivery twice at once"
                    .into(),
            ));
        }
        for proxy in &self.server.trusted_proxies {
            if proxy.parse::<std::net::IpAddr>().is_err() {
                return Err(ConfigError::Invalid(format!(
                    "server.trusted_proxies: {proxy:?} is not an IP address"
                )));
            }
        }
        Ok(())
    }
}
