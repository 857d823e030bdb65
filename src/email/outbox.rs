//! The mail courier: delivers the messages the delivery loop leases
//! (`crate::delivery`) over SMTP, retries failures with exponential backoff
//! and jitter, gives up after the configured number of attempts; and the
//! periodic digest of the pending queue.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

use super::EmailError;
use super::message::{Composer, MailComment, build_message};
use crate::delivery::{Courier, Retry};
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

/// Where an SMTP relay is and how to talk to it (plain values from the
/// settings).
#[derive(Debug, Clone)]
pub struct SmtpRelay {
    /// Empty: no SMTP, messages are logged.
    pub host: String,
    pub port: u16,
    /// `starttls`, `tls` (implicit TLS) or `none`.
    pub tls: String,
    /// Empty: no authentication.
    pub username: String,
    pub password: SecretString,
    pub timeout: Duration,
}

impl Transport {
    pub fn new(s: &SmtpRelay) -> Result<Transport, EmailError> {
        if s.host.trim().is_empty() {
            return Ok(Transport::Log);
        }
        let host = s.host.trim();
        let builder = match s.tls.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| EmailError::Smtp(e.to_string()))?,
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| EmailError::Smtp(e.to_string()))?,
            _ => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        };
        let mut builder = builder
            .port(s.port)
            .timeout(Some(s.timeout.max(Duration::from_secs(1))));
        if !s.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                s.username.clone(),
                s.password.expose_secret().to_string(),
            ));
        }
        Ok(Transport::Smtp(builder.build()))
    }
}

#[derive(Clone)]
pub struct Worker {
    pub store: Store,
    pub composer: Composer,
    pub transport: Transport,
    /// Envelope and `From:` address of every message.
    pub from_address: String,
    pub retry: Retry,
}

impl Courier for Worker {
    type Item = OutboxMessage;
    const NAME: &'static str = "email_outbox";

    async fn claim(
        &self,
        owner: &str,
        now: i64,
        until: i64,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StorageError> {
        self.store.claim_outbox(owner, now, until, limit).await
    }

    /// One message after another; a failure ends the round (the relay is
    /// likely down: wait for the next poll).
    async fn deliver(&self, owner: &str, batch: &[OutboxMessage]) -> Result<bool, StorageError> {
        let mut all_sent = true;
        for m in batch {
            all_sent &= self.deliver_one(owner, m).await?;
        }
        Ok(all_sent)
    }
}

impl Worker {
    /// Deliver one claimed message; `false` when the attempt failed.
    async fn deliver_one(&self, owner: &str, row: &OutboxMessage) -> Result<bool, StorageError> {
        let m = &row.message;
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
                    .from_address
                    .rsplit_once('@')
                    .map_or("majlis", |(_, d)| d);
                match build_message(m, &self.from_address, domain) {
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
                let attempts = row.attempts;
                let next = self.retry.next(attempts, now_ms(), permanent);
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
