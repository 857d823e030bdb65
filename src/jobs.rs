//! Every background task of a running majlis, started in one place: the
//! delivery loop of each outbox (mail, webhooks; see `delivery`), the
//! periodic chores (digest, closed-article sweep, purges), and the read
//! cache's invalidation listener. Settings become plain values here.

use std::future::Future;
use std::time::Duration;

use secrecy::ExposeSecret;

use crate::config::Settings;
use crate::delivery::{Lease, Retry, Wakes};
use crate::email::{Composer, EmailError, SmtpRelay, Transport};
use crate::service::{ReadCache, now_ms};
use crate::storage::{Backend, CACHE_CHANNEL, LIKES_CHANNEL, Store};
use crate::webhooks::WebhookError;

/// What the background tasks need beyond the settings.
pub struct Jobs {
    pub store: Store,
    pub wakes: Wakes,
    pub read_cache: ReadCache,
}

#[derive(Debug, thiserror::Error)]
pub enum JobsError {
    #[error("email settings: {0}")]
    Email(#[from] EmailError),
    #[error("webhook settings: {0}")]
    Webhooks(#[from] WebhookError),
}

/// The mail and webhook couriers, built before anything starts so that bad
/// settings stop the start-up.
pub struct Couriers {
    mail: crate::email::Worker,
    hooks: crate::webhooks::Worker,
}

impl Couriers {
    pub fn new(store: &Store, composer: &Composer, s: &Settings) -> Result<Couriers, JobsError> {
        let e = &s.email;
        let transport = Transport::new(&SmtpRelay {
            host: e.smtp_host.clone(),
            port: e.smtp_port,
            tls: e.smtp_tls.clone(),
            username: e.smtp_username.clone(),
            password: e.smtp_password.clone(),
            timeout: Duration::from_secs(e.send_timeout_secs),
        })?;
        let w = &s.webhooks;
        let sender = crate::webhooks::Sender::new(w.policy(), Duration::from_millis(w.timeout_ms))?;
        Ok(Couriers {
            mail: crate::email::Worker {
                store: store.clone(),
                composer: composer.clone(),
                transport,
                from_address: e.from_address.clone(),
                retry: Retry {
                    max_attempts: e.max_attempts,
                    base_secs: e.retry_base_secs,
                    max_secs: e.retry_max_secs,
                },
            },
            hooks: crate::webhooks::Worker {
                store: store.clone(),
                sender,
                retry: Retry {
                    max_attempts: w.max_attempts,
                    base_secs: w.retry_base_secs,
                    max_secs: w.retry_max_secs,
                },
            },
        })
    }
}

/// Start every background task.
pub fn start(jobs: Jobs, couriers: Couriers, s: &Settings) {
    let Jobs {
        store,
        wakes: Wakes {
            mail: mail_wake,
            hooks: hook_wake,
        },
        read_cache,
    } = jobs;
    let Couriers { mail, hooks } = couriers;

    // The two delivery loops.
    let mail_poll = Duration::from_millis(s.email.poll_interval_ms);
    let mail_lease = Lease {
        poll: mail_poll,
        batch_size: s.email.batch_size,
        lease: Duration::from_secs(s.email.lease_secs),
    };
    let hook_poll = Duration::from_millis(s.webhooks.poll_interval_ms);
    let hook_lease = Lease {
        poll: hook_poll,
        batch_size: s.webhooks.batch_size,
        lease: Duration::from_secs(s.webhooks.lease_secs),
    };
    let digest = mail.clone();
    let (replies, replies_wake) = (mail.clone(), mail_wake.clone());
    tokio::spawn(crate::delivery::run(mail, mail_lease, mail_wake.clone()));
    tokio::spawn(crate::delivery::run(hooks, hook_lease, hook_wake.clone()));

    // The moderators' digest of the pending queue, first after one interval.
    let digest_every = Duration::from_secs(s.email.digest_interval_secs).max(mail_poll);
    periodically(digest_every, digest_every, move || {
        let (digest, wake) = (digest.clone(), mail_wake.clone());
        async move {
            match digest.digest(now_ms()).await {
                Ok(()) => wake.notify(),
                Err(e) => tracing::warn!(error = %e, "moderator digest failed; retrying next time"),
            }
        }
    });

    // Reply mails that came due (a cheap indexed look-up), at the mail poll.
    periodically(mail_poll, mail_poll, move || {
        let (replies, wake) = (replies.clone(), replies_wake.clone());
        async move {
            match crate::service::send_reply_notices(&replies.store, &replies.composer, now_ms())
                .await
            {
                Ok(0) => {}
                Ok(_) => wake.notify(),
                Err(e) => tracing::warn!(error = %e, "reply mail failed; retrying next time"),
            }
        }
    });

    // Articles that closed by themselves, and the webhook log's retention.
    let sweep_every = Duration::from_secs(s.webhooks.close_sweep_secs).max(hook_poll);
    let keep_ms = i64::try_from(s.webhooks.keep_log_days)
        .unwrap_or(i64::MAX / 86_400_000)
        .saturating_mul(86_400_000);
    let sweeper = store.clone();
    periodically(Duration::ZERO, sweep_every, move || {
        let (store, wake) = (sweeper.clone(), hook_wake.clone());
        async move {
            if crate::webhooks::sweep(&store, now_ms(), keep_ms).await > 0 {
                wake.notify();
            }
        }
    });

    // The change feed's retention, hourly.
    let changes_keep_ms = i64::from(s.api.changes_keep_days).saturating_mul(86_400_000);
    if changes_keep_ms > 0 {
        let feed = store.clone();
        periodically(Duration::ZERO, Duration::from_secs(3600), move || {
            let store = feed.clone();
            async move {
                match store
                    .purge_comment_changes(now_ms() - changes_keep_ms)
                    .await
                {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(entries = n, "change feed entries past retention dropped")
                    }
                    Err(e) => tracing::warn!(error = %e, "could not purge the change feed"),
                }
            }
        });
    }

    // Expired captcha challenges, every minute.
    let captchas = store.clone();
    periodically(Duration::ZERO, Duration::from_secs(60), move || {
        let store = captchas.clone();
        async move {
            if let Err(e) = store.purge_expired_challenges(now_ms()).await {
                tracing::warn!(error = %e, "could not purge expired captcha challenges");
            }
            if let Err(e) = store.purge_spent_pow(now_ms()).await {
                tracing::warn!(error = %e, "could not purge spent proof-of-work challenges");
            }
        }
    });

    // Dashboard sessions past their idle or absolute timeout, hourly
    // (expired ones are refused on sight anyway; this only keeps the table
    // small).
    let idle_ms =
        i64::try_from(s.dashboard.idle_timeout_mins.saturating_mul(60_000)).unwrap_or(i64::MAX);
    let absolute_ms = i64::try_from(s.dashboard.absolute_timeout_hours.saturating_mul(3_600_000))
        .unwrap_or(i64::MAX);
    let sessions = store.clone();
    periodically(Duration::ZERO, Duration::from_secs(3600), move || {
        let store = sessions.clone();
        async move {
            let now = now_ms();
            if let Err(e) = store
                .purge_sessions(now.saturating_sub(absolute_ms), now.saturating_sub(idle_ms))
                .await
            {
                tracing::warn!(error = %e, "could not purge expired dashboard sessions");
            }
        }
    });

    // Client-address hashes past their retention and expired API request
    // counters, at start and then every `privacy.purge_interval_secs`.
    let retention_ms = i64::from(s.privacy.ip_hash_retention_days) * 86_400_000;
    let privacy = store.clone();
    periodically(
        Duration::ZERO,
        Duration::from_secs(s.privacy.purge_interval_secs.max(1)),
        move || {
            let store = privacy.clone();
            async move { purge_privacy(&store, retention_ms).await }
        },
    );

    spawn_cache_invalidation(&store, s, read_cache);
}

/// Run `chore` first after `first`, then every `every` (a chore that takes
/// longer than `every` delays the next one rather than bunching them).
fn periodically<F, Fut>(first: Duration, every: Duration, mut chore: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let every = every.max(Duration::from_millis(10));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + first, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            chore().await;
        }
    });
}

async fn purge_privacy(store: &Store, retention_ms: i64) {
    let now = now_ms();
    if retention_ms > 0 {
        match store.purge_ip_hashes(now - retention_ms, 500).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(comments = n, "cleared client-address hashes past retention"),
            Err(e) => tracing::warn!(error = %e, "could not clear old client-address hashes"),
        }
    }
    if let Err(e) = store.purge_rate_windows(now - 2 * 60_000).await {
        tracing::warn!(error = %e, "could not drop expired API request counters");
    }
}

/// Keep the read cache true: this process's commits arrive on the store's
/// channel; other processes' arrive through PostgreSQL `LISTEN`.
fn spawn_cache_invalidation(store: &Store, settings: &Settings, cache: ReadCache) {
    let mut local = store.published_changes();
    let mine = cache.clone();
    tokio::spawn(async move {
        loop {
            match local.recv().await {
                Ok(change) => mine.invalidate(&change.site, &change.article),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => mine.clear(),
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
    if store.backend() != Backend::Postgres {
        return;
    }
    let url = settings.database.url.expose_secret().to_string();
    tokio::spawn(async move {
        loop {
            match listen(&url, &cache).await {
                Ok(()) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "cache invalidation listener lost; reconnecting")
                }
            }
            // Anything may have changed while we were not listening.
            cache.clear();
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

async fn listen(url: &str, cache: &ReadCache) -> Result<(), sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen_all([CACHE_CHANNEL, LIKES_CHANNEL]).await?;
    cache.clear();
    loop {
        let n = listener.recv().await?;
        if n.channel() == LIKES_CHANNEL {
            cache.liked_from_notification(n.payload());
        } else {
            cache.invalidate_from_notification(n.payload());
        }
    }
}
