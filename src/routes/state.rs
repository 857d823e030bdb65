//! What every request handler may use, built once by `startup`.

use std::net::IpAddr;
use std::sync::Arc;

use crate::captcha::CaptchaService;
use crate::config::Settings;
use crate::delivery::Wakes;
use crate::email::Composer;
use crate::service::{PolicyCache, RateLimiter, ReadCache};
use crate::storage::Store;

/// Everything a request handler may use. Cloned per worker.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub captcha: CaptchaService,
    /// Issues and checks the invisible proof of work.
    pub pow: crate::pow::PowService,
    pub policies: PolicyCache,
    pub read_cache: ReadCache,
    pub metrics: crate::routes::metrics::Metrics,
    pub settings: Arc<Settings>,
    pub trusted_proxies: Arc<[IpAddr]>,
    /// Key of the keyed hash that replaces client IPs in storage.
    pub ip_key: Arc<[u8]>,
    /// Renders mail and signs the links in it.
    pub composer: Composer,
    /// Wake the delivery loops; the use cases that queue rows ring them.
    pub wakes: Wakes,
    /// Requests per API key.
    pub api_limiter: RateLimiter,
    /// Security codes issued per client address.
    pub captcha_limiter: RateLimiter,
    /// Security codes issued per client network (IPv4 /24, IPv6 /48).
    pub network_code_limiter: RateLimiter,
    /// Likes and unlikes per client address.
    pub like_limiter: RateLimiter,
}
