//! The outbox worker: claims due messages with a lease (so several instances
//! never send one twice), delivers them over SMTP, retries failures with
//! exponential backoff and jitter, gives up after the configured number of
//! attempts, and sends the periodic digest of the pending queue.

use std::sync::Arc;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use rand::RngExt;
use secrecy::ExposeSecret;
use tokio::sync::Notify;

use super::EmailError;
use super::message::{Composer, MailComment, build_message};
use crate::config::EmailSettings;
use crate::domain::new_id;
use crate::service::now_ms;
use crate::storage::{OutboxMessage, StorageError, Store};

/// Comments per digest mail; the rest follow in the next digest.
const DIGEST_MAX_COMMENTS: u32 = 50;

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No SMTP configured: write each message to the log.
    Log,
}

impl Transport {
    pub fn from_settings(s: &EmailSettings) -> Result<Transport, EmailError> {
        if s.smtp_host.trim().is_empty() {
            return Ok(Transport::Log);
        }
        let host = s.smtp_host.trim();
        let builder = match s.smtp_tls.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| EmailError::Smtp(e.to_string()))?,
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| EmailError::Smtp(e.to_string()))?,
            _ => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        };
        let mut builder = builder
            .port(s.smtp_port)
            .timeout(Some(Duration::from_secs(s.send_timeout_secs.max(1))));
        if !s.smtp_username.is_empty() {
            builder = builder.credentials(Credentials::new(
                s.smtp_username.clone(),
                s.smtp_password.expose_secret().to_string(),
            ));
        }
        Ok(Transport::Smtp(builder.build()))
    }
}

/// Delay before the next attempt after `attempts` failed ones:
/// base * 2^(attempts-1), capped at `max_secs`, of which a random part of up
/// to one half is dropped (jitter, so instances do not retry in step).
pub fn backoff_ms(base_secs: u64, max_secs: u64, attempts: u32) -> i64 {
    let base = base_secs.saturating_mul(1000);
    let cap = max_secs.saturating_mul(1000).max(base);
    let exp = base
        .saturating_mul(1u64 << attempts.saturating_sub(1).min(30))
        .min(cap);
    let half = exp / 2;
    let jitter = if half > 0 {
        rand::rng().random_range(0..=half)
    } else {
        0
    };
    i64::try_from(half + jitter).unwrap_or(i64::MAX)
}

/// Wakes the worker after a commit that queued mail.
#[derive(Clone, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    pub fn notify(&self) {
        self.0.notify_one();
    }
}

pub struct Worker {
    pub store: Store,
    pub composer: Composer,
    pub transport: Transport,
    pub settings: EmailSettings,
    pub wake: Wake,
}

impl Worker {
    /// Run forever (a background task of the application).
    pub async fn run(self) {
        let owner = new_id();
        let poll = Duration::from_millis(self.settings.poll_interval_ms.max(10));
        let digest_every = i64::try_from(self.settings.digest_interval_secs)
            .unwrap_or(i64::MAX / 1000)
            .saturating_mul(1000);
        let mut last_digest = now_ms();
        loop {
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                () = self.wake.0.notified() => {}
            }
            let now = now_ms();
            if now - last_digest >= digest_every {
                last_digest = now;
                if let Err(e) = self.digest(now).await {
                    tracing::warn!(error = %e, "moderator digest failed; retrying next time");
                }
            }
            if let Err(e) = self.deliver_due(&owner).await {
                tracing::warn!(error = %e, "outbox delivery round failed");
            }
        }
    }

    /// Claim and deliver due messages until none is left, or until one
    /// fails (the relay is likely down: wait for the next poll).
    pub async fn deliver_due(&self, owner: &str) -> Result<(), StorageError> {
        let lease_ms = i64::try_from(self.settings.lease_secs)
            .unwrap_or(60)
            .saturating_mul(1000);
        loop {
            let now = now_ms();
            let batch = self
                .store
                .claim_outbox(owner, now, now + lease_ms, self.settings.batch_size)
                .await?;
            if batch.is_empty() {
                return Ok(());
            }
            let mut all_sent = true;
            for m in &batch {
                all_sent &= self.deliver(owner, m).await?;
            }
            if !all_sent {
                return Ok(());
            }
        }
    }

    /// Deliver one claimed message; `false` when the attempt failed.
    async fn deliver(&self, owner: &str, m: &OutboxMessage) -> Result<bool, StorageError> {
        let result = match &self.transport {
            Transport::Log => {
                tracing::info!(
                    message = %m.id,
                    kind = %m.kind,
                    site = %m.site_key,
                    subject = %m.subject,
                    body = %m.body_text,
                    "no SMTP configured; this message would be sent (kept in the outbox as logged)"
                );
                self.store
                    .finish_outbox(&m.id, owner, "logged", now_ms())
                    .await?;
                return Ok(true);
            }
            Transport::Smtp(smtp) => {
                let domain = self
                    .settings
                    .from_address
                    .rsplit_once('@')
                    .map_or("majlis", |(_, d)| d);
                match build_message(m, &self.settings.from_address, domain) {
                    Ok(message) => smtp
                        .send(message)
                        .await
                        .map(|_| ())
                        .map_err(|e| (e.to_string(), e.is_permanent())),
                    // A message that cannot be built never will be.
                    Err(e) => Err((e.to_string(), true)),
                }
            }
        };
        match result {
            Ok(()) => {
                self.store
                    .finish_outbox(&m.id, owner, "sent", now_ms())
                    .await?;
                tracing::info!(message = %m.id, kind = %m.kind, "email delivered");
                Ok(true)
            }
            Err((error, permanent)) => {
                let attempts = u32::try_from(m.attempts).unwrap_or(u32::MAX);
                let next = (!permanent && attempts < self.settings.max_attempts)
                    .then(|| now_ms() + self.backoff_ms(attempts));
                if next.is_some() {
                    tracing::warn!(message = %m.id, attempt = attempts, %error, "email delivery failed; will retry");
                } else {
                    tracing::error!(message = %m.id, attempt = attempts, %error, "email delivery failed for good; marked failed");
                }
                self.store.retry_outbox(&m.id, owner, &error, next).await?;
                Ok(false)
            }
        }
    }

    fn backoff_ms(&self, attempts: u32) -> i64 {
        backoff_ms(
            self.settings.retry_base_secs,
            self.settings.retry_max_secs,
            attempts,
        )
    }

    /// Queue one digest per moderator for every site with pending comments
    /// not yet digested.
    pub async fn digest(&self, now: i64) -> Result<(), StorageError> {
        for site in self.store.sites().await? {
            let key = site.key.as_str();
            let settings = self.store.site_email_settings(key).await?;
            if !settings.moderator_alerts {
                continue;
            }
            let candidates = self
                .store
                .undigested_pending(key, DIGEST_MAX_COMMENTS)
                .await?;
            if candidates.is_empty() {
                continue;
            }
            let moderators = self.store.moderators_of_site(key).await?;
            if moderators.is_empty() {
                continue;
            }
            let mut comments = Vec::with_capacity(candidates.len());
            for c in &candidates {
                if let Some(item) = self.store.comment(key, &c.id).await? {
                    comments.push(MailComment::from(&item));
                }
            }
            let messages: Vec<_> = moderators
                .iter()
                .map(|m| self.composer.digest(&site, &settings, m, &comments, now))
                .collect();
            let ids: Vec<String> = candidates.into_iter().map(|c| c.id).collect();
            match self.store.record_digest(key, &ids, &messages, now).await {
                Ok(true) => tracing::info!(site = key, comments = ids.len(), "digest queued"),
                // Another instance digested them first.
                Ok(false) | Err(StorageError::Conflict) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn retries_back_off_exponentially_with_jitter_up_to_the_cap() {
        for _ in 0..100 {
            let first = backoff_ms(30, 3600, 1);
            assert!((15_000..=30_000).contains(&first), "{first}");
            let fourth = backoff_ms(30, 3600, 4);
            assert!((120_000..=240_000).contains(&fourth), "{fourth}");
            let late = backoff_ms(30, 3600, 40);
            assert!((1_800_000..=3_600_000).contains(&late), "{late}");
        }
        assert_eq!(backoff_ms(0, 3600, 5), 0);
    }
}
