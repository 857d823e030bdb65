//! The webhook courier: POSTs the deliveries the delivery loop leases
//! (`crate::delivery`) signed, records every attempt, retries failures with
//! exponential backoff and jitter, and gives up after the configured number
//! of attempts. Its periodic sweep announces articles that closed by
//! themselves (`closes_at`, auto-close age) and trims the delivery log.

use std::sync::Arc;
use std::time::Duration;

use super::WebhookError;
use super::events::article_closed;
use super::signing::sign_all;
use super::target::{CheckedResolver, TargetPolicy};
use crate::delivery::{Courier, Retry};
use crate::service::now_ms;
use crate::storage::{AttemptResult, DeliveryRecord, StorageError, Store};

/// Articles announced per sweep; the rest follow at the next one.
const CLOSE_SWEEP_BATCH: u32 = 200;
/// Longest error text kept in the delivery log.
const ERROR_MAX_CHARS: usize = 300;

/// Install ring as the process's rustls provider (once; later calls are no-ops).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The HTTP client of deliveries: no redirects, no proxies, a resolver that
/// refuses addresses the policy forbids, and a timeout per attempt.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    policy: TargetPolicy,
}

impl Sender {
    /// `timeout`: how long one attempt may take (connect + answer).
    pub fn new(policy: TargetPolicy, timeout: Duration) -> Result<Sender, WebhookError> {
        install_crypto_provider();
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| WebhookError::Client(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let timeout = timeout.max(Duration::from_millis(1));
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .dns_resolver(Arc::new(CheckedResolver(policy)))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(timeout)
            .timeout(timeout)
            .user_agent(concat!("majlis-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| WebhookError::Client(e.to_string()))?;
        Ok(Sender { client, policy })
    }

    /// POST one signed delivery; the HTTP status of the answer, or why none came.
    pub async fn send(
        &self,
        url: &str,
        secrets: &[&str],
        msg_id: &str,
        body: &str,
    ) -> Result<u16, String> {
        let url = self.policy.parse(url).map_err(|e| e.to_string())?;
        self.policy.check_literal(&url).map_err(|e| e.to_string())?;
        let timestamp = now_ms() / 1000;
        let signature = sign_all(secrets, msg_id, timestamp, body)
            .ok_or_else(|| "the subscription's secret is not a whsec_ key".to_string())?;
        let response = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", msg_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| error_chain(&e))?;
        Ok(response.status().as_u16())
    }
}

/// An error with its causes, bounded ("error sending request: ...: the host
/// is or resolves to a private ... address").
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text.chars().take(ERROR_MAX_CHARS).collect()
}

pub struct Worker {
    pub store: Store,
    pub sender: Sender,
    pub retry: Retry,
}

impl Courier for Worker {
    type Item = DeliveryRecord;
    const NAME: &'static str = "webhook_deliveries";

    async fn claim(
        &self,
        owner: &str,
        now: i64,
        until: i64,
        limit: u32,
    ) -> Result<Vec<DeliveryRecord>, StorageError> {
        self.store
            .claim_webhook_deliveries(owner, now, until, limit)
            .await
    }

    /// The attempts of one batch concurrently; every receiver is its own
    /// far end, so one failing does not end the round.
    async fn deliver(&self, owner: &str, batch: &[DeliveryRecord]) -> Result<bool, StorageError> {
        let results =
            futures_util::future::join_all(batch.iter().map(|d| self.deliver_one(owner, d))).await;
        for r in results {
            r?;
        }
        Ok(true)
    }
}

/// Announce articles that closed by themselves since the last sweep
/// (`article.closed`, at most `CLOSE_SWEEP_BATCH` per sweep) and drop
/// delivery-log rows older than `keep_ms` (0 = keep forever). Returns how
/// many articles were announced.
pub async fn sweep(store: &Store, now: i64, keep_ms: i64) -> usize {
    let announced = match store
        .announce_closed_articles(now, CLOSE_SWEEP_BATCH, article_closed)
        .await
    {
        Ok(n) => {
            if n > 0 {
                tracing::info!(articles = n, "article.closed queued");
            }
            n
        }
        Err(e) => {
            tracing::warn!(error = %e, "closed-article sweep failed");
            0
        }
    };
    if keep_ms > 0 {
        match store.purge_webhook_log(now.saturating_sub(keep_ms)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deliveries = n, "old webhook deliveries purged"),
            Err(e) => tracing::warn!(error = %e, "could not purge the webhook log"),
        }
    }
    announced
}

impl Worker {
    /// When a failed attempt is tried again (`None`: it was the last).
    fn retry_at(&self, d: &DeliveryRecord, at: i64) -> Option<i64> {
        self.retry.next(d.attempts, at, false)
    }

    async fn deliver_one(&self, owner: &str, d: &DeliveryRecord) -> Result<(), StorageError> {
        let hook = match self.store.webhook_by_id(&d.webhook_id).await {
            // The secret is sealed under a key this instance does not have
            // (the instance secret was replaced): an attempt that failed,
            // retried later, so restoring the key resumes deliveries.
            Err(StorageError::Corrupt(why)) => {
                tracing::error!(delivery = %d.id, %why, "webhook subscription cannot be read");
                let at = now_ms();
                let failed = AttemptResult {
                    attempt: d.attempts,
                    at,
                    status_code: None,
                    error: Some("the subscription's secret cannot be opened".into()),
                    duration_ms: 0,
                };
                self.store
                    .record_webhook_attempt(&d.id, owner, false, &failed, self.retry_at(d, at))
                    .await?;
                return Ok(());
            }
            other => other?,
        };
        let Some(hook) = hook else {
            // Queued while its subscription was being deleted: close it so it
            // is not claimed again.
            let gone = AttemptResult {
                attempt: d.attempts,
                at: now_ms(),
                status_code: None,
                error: Some("the subscription no longer exists".into()),
                duration_ms: 0,
            };
            self.store
                .record_webhook_attempt(&d.id, owner, false, &gone, None)
                .await?;
            return Ok(());
        };
        let started = now_ms();
        let outcome = self
            .sender
            .send(&hook.url, &hook.live_secrets(started), &d.id, &d.payload)
            .await;
        let at = now_ms();
        let duration_ms = at - started;
        let (delivered, result) = match outcome {
            Ok(code) if (200..300).contains(&code) => (
                true,
                AttemptResult {
                    attempt: d.attempts,
                    at,
                    duration_ms,
                    status_code: Some(code),
                    error: None,
                },
            ),
            Ok(code) => (
                false,
                AttemptResult {
                    attempt: d.attempts,
                    at,
                    duration_ms,
                    status_code: Some(code),
                    error: Some(format!("the receiver answered HTTP {code}")),
                },
            ),
            Err(error) => (
                false,
                AttemptResult {
                    attempt: d.attempts,
                    at,
                    duration_ms,
                    status_code: None,
                    error: Some(error),
                },
            ),
        };
        let attempts = d.attempts;
        let next = if delivered {
            None
        } else {
            self.retry_at(d, at)
        };
        if delivered {
            tracing::info!(webhook = %hook.id, delivery = %d.id, event = %d.event_type, attempt = attempts, "webhook delivered");
        } else if next.is_some() {
            tracing::warn!(webhook = %hook.id, delivery = %d.id, attempt = attempts, error = ?result.error, "webhook delivery failed; will retry");
        } else {
            tracing::error!(webhook = %hook.id, delivery = %d.id, attempt = attempts, error = ?result.error, "webhook delivery failed for good; marked failed");
        }
        self.store
            .record_webhook_attempt(&d.id, owner, delivered, &result, next)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::time::Duration;

    use super::Sender;
    use crate::webhooks::TargetPolicy;

    fn strict() -> Sender {
        let policy = TargetPolicy {
            allow_http: false,
            allow_private_networks: false,
        };
        Sender::new(policy, Duration::from_secs(5)).unwrap()
    }

    #[tokio::test]
    async fn the_sender_refuses_private_targets_even_if_they_were_stored() {
        let sender = strict();
        let secret = crate::webhooks::new_secret();
        for url in [
            "https://127.0.0.1:1/",
            "https://[::ffff:10.0.0.1]/",
            "https://localhost:1/",
        ] {
            let err = sender
                .send(url, &[&secret], "msg_1", "{}")
                .await
                .unwrap_err();
            assert!(err.contains("private"), "{url}: {err}");
        }
        let err = sender
            .send("http://example.org/", &[&secret], "msg_1", "{}")
            .await
            .unwrap_err();
        assert!(err.contains("https"), "{err}");
    }
}
