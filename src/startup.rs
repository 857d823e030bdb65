//! Wiring: settings in, a bound server out. Tests build the same
//! `Application` on port 0 with their own settings.

use std::net::{IpAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, DefaultHeaders};
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;

use crate::captcha::{CaptchaService, IssueObserver};
use crate::config::Settings;
use crate::delivery::Wakes;
use crate::domain::{Site, SiteKey};
use crate::email::{Composer, LinkSigner};
use crate::jobs::{Couriers, Jobs, JobsError};
use crate::service::{PolicyCache, RateLimiter, ReadCache, now_ms};
use crate::storage::{StorageError, Store};

pub use crate::routes::AppState;

/// Hooks only the test harness sets.
#[derive(Default, Clone)]
pub struct Hooks {
    pub captcha_issued: Option<IssueObserver>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("cannot listen: {0}")]
    Bind(#[from] std::io::Error),
    #[error(transparent)]
    Jobs(#[from] JobsError),
}

pub struct Application {
    port: u16,
    server: Server,
    store: Store,
}

pub use crate::domain::DEMO_SITE;

impl Application {
    pub async fn build(settings: Settings) -> Result<Application, StartupError> {
        Application::build_with(settings, Hooks::default()).await
    }

    pub async fn build_with(settings: Settings, hooks: Hooks) -> Result<Application, StartupError> {
        crate::webhooks::install_crypto_provider();
        // Compressed once here, not on the first reader's request.
        crate::routes::warm_embed_js();
        let store = Store::connect(&settings.database).await?;
        store.migrate().await?;
        let now = now_ms();
        if settings.demo.enabled {
            ensure_demo_site(&store, &settings, now).await?;
        }
        let captcha_key = store.instance_secret("captcha", now).await?;
        let ip_key = store.instance_secret("ip_hash", now).await?;
        let links = LinkSigner::new(store.instance_secret("email_links", now).await?);
        // Webhook secrets stored in clear by an earlier version, or sealed
        // with a rotated-out key, are sealed with the current key before
        // anything reads them (SQL migrations cannot: the key is not in SQL).
        let resealed = store.seal_webhook_secrets().await?;
        if resealed > 0 {
            tracing::info!(resealed, "webhook secrets sealed with the current key");
        }
        let composer = Composer::new(
            &settings.server.base_url,
            links,
            settings.email.link_ttl_hours,
            &settings.email.from_name,
        );
        let wakes = Wakes::default();
        let couriers = Couriers::new(&store, &composer, &settings)?;
        let captcha = CaptchaService::new(
            store.clone(),
            captcha_key,
            settings.captcha.ttl_secs,
            settings.captcha.length,
            settings.captcha.pool_size,
            hooks.captcha_issued,
        )
        .with_min_fill_secs(settings.captcha.min_fill_secs);
        let pow = crate::pow::PowService::new(
            store.clone(),
            store.instance_secret("pow", now).await?,
            settings.captcha.ttl_secs,
            crate::pow::Difficulty {
                base: settings.spam.pow_base_maxnumber,
                max: settings.spam.pow_max_maxnumber,
            },
        );
        let trusted_proxies: Vec<IpAddr> = settings
            .server
            .trusted_proxies
            .iter()
            .filter_map(|p| p.parse().ok())
            .collect();
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))?;
        let port = listener.local_addr()?.port();
        let read_cache = ReadCache::new(settings.server.read_cache_mb.saturating_mul(1024 * 1024));
        let state = AppState {
            store: store.clone(),
            captcha,
            pow,
            policies: PolicyCache::default(),
            read_cache: read_cache.clone(),
            metrics: crate::routes::metrics::Metrics::default(),
            settings: Arc::new(settings.clone()),
            trusted_proxies: trusted_proxies.into(),
            ip_key: ip_key.into(),
            composer,
            wakes: wakes.clone(),
            api_limiter: RateLimiter::new(settings.api.rate_limit_per_minute, &store),
            captcha_limiter: RateLimiter::new(settings.captcha.max_per_minute_per_ip, &store),
            network_code_limiter: RateLimiter::new(
                settings.spam.max_codes_per_minute_per_network,
                &store,
            ),
            like_limiter: RateLimiter::new(settings.likes.max_per_minute_per_ip, &store),
        };
        crate::jobs::start(
            Jobs {
                store: store.clone(),
                wakes,
                read_cache,
            },
            couriers,
            &settings,
        );
        let server = run(listener, state, &settings)?;
        tracing::info!(
            port,
            backend = store.backend().name(),
            "majlis is listening"
        );
        Ok(Application {
            port,
            server,
            store,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Serve until stopped (SIGTERM / Ctrl-C finish in-flight requests first).
    pub async fn run_until_stopped(self) -> Result<(), std::io::Error> {
        self.server.await
    }
}

fn run(
    listener: TcpListener,
    state: AppState,
    settings: &Settings,
) -> Result<Server, std::io::Error> {
    let data = web::Data::new(state);
    let workers = match settings.server.workers {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let server = HttpServer::new(move || {
        App::new()
            .wrap(Compress::default())
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
                    // Framed by no one, unless the answer says who may
                    // (the comment section: its site's origins).
                    .add(("Content-Security-Policy", "frame-ancestors 'none'")),
            )
            .wrap(actix_web::middleware::from_fn(
                crate::routes::methods::head_as_get,
            ))
            .wrap(actix_web::middleware::from_fn(
                crate::routes::limits::head_limits,
            ))
            .wrap(actix_web::middleware::from_fn(
                crate::routes::metrics::record,
            ))
            .wrap(TracingLogger::default())
            .wrap(actix_web::middleware::from_fn(
                crate::routes::methods::refuse_long_methods,
            ))
            .app_data(data.clone())
            .configure(crate::routes::configure)
    })
    .workers(workers)
    .client_request_timeout(Duration::from_secs(
        settings.server.request_head_timeout_secs,
    ))
    .shutdown_timeout(settings.server.shutdown_timeout_secs)
    .listen(listener)?
    .run();
    Ok(server)
}

/// The built-in `demo` site: Arabic, pre-moderated, captcha on, reachable
/// from the configured base URL. Created once; later edits are kept.
async fn ensure_demo_site(
    store: &Store,
    settings: &Settings,
    now: i64,
) -> Result<(), StorageError> {
    if store.site(DEMO_SITE).await?.is_some() {
        return Ok(());
    }
    let base = settings.server.base_url.trim_end_matches('/').to_string();
    let site = Site {
        name: "صحيفة المجلس (عرض تجريبي)".into(),
        allowed_origins: vec![base.clone()],
        terms_url: format!("{base}/terms"),
        ..Site::new(SiteKey::parse(DEMO_SITE).map_err(StorageError::Corrupt)?)
    };
    match store.insert_site(&site, now).await {
        Ok(()) | Err(StorageError::Conflict) => Ok(()),
        Err(e) => Err(e),
    }
}
