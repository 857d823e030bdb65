//! The one delivery loop of the outboxes (mail, webhooks): lease due rows
//! from storage (so several instances never take the same row at once),
//! hand each claimed batch to its courier, and sleep until the next poll or
//! until a commit that queued something wakes it. Retries back off
//! exponentially with jitter. Settings arrive as plain values.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use rand::RngExt;
use tokio::sync::Notify;

use crate::domain::new_id;
use crate::service::now_ms;
use crate::storage::StorageError;

/// Wakes a delivery loop after a commit that queued rows for it.
#[derive(Clone, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    pub fn notify(&self) {
        self.0.notify_one();
    }

    async fn notified(&self) {
        self.0.notified().await;
    }
}

/// The wakes of both delivery loops, rung by the use cases in `service`
/// after a commit that queued mail or webhook deliveries.
///
/// A process without delivery loops (the command line) holds
/// `Wakes::unheard()`: ringing it reaches nobody, and what it queued goes
/// out at the serving instance's next poll (`run` polls the shared tables
/// every `poll_interval_ms`, whoever wrote the rows).
#[derive(Clone, Default)]
pub struct Wakes {
    pub mail: Wake,
    pub hooks: Wake,
}

impl Wakes {
    /// For a process that runs no delivery loop.
    pub fn unheard() -> Wakes {
        Wakes::default()
    }

    /// After a commit that queued mail (`mail`) and/or webhook deliveries
    /// (`hooks`).
    pub fn queued(&self, mail: bool, hooks: bool) {
        if mail {
            self.mail.notify();
        }
        if hooks {
            self.hooks.notify();
        }
    }
}

/// How a delivery loop polls and leases.
#[derive(Debug, Clone, Copy)]
pub struct Lease {
    /// Between polls (a wake comes sooner).
    pub poll: Duration,
    /// Rows claimed per round.
    pub batch_size: u32,
    /// How long a claimed row stays leased to this instance.
    pub lease: Duration,
}

/// When a failed attempt is tried again.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts before a row is marked `failed`.
    pub max_attempts: u32,
    /// First retry delay in seconds; doubles per attempt, with jitter.
    pub base_secs: u64,
    /// Longest retry delay in seconds.
    pub max_secs: u64,
}

impl Retry {
    /// When the attempt that failed at `at` (the `attempts`-th) is tried
    /// again; `None` when it was the last (or `permanent`).
    pub fn next(&self, attempts: i64, at: i64, permanent: bool) -> Option<i64> {
        let attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
        (!permanent && attempts < self.max_attempts)
            .then(|| at + backoff_ms(self.base_secs, self.max_secs, attempts))
    }
}

/// A queue a delivery loop drains: mail or webhooks.
pub trait Courier: Send + Sync + 'static {
    type Item: Send + Sync;
    /// Named in the log.
    const NAME: &'static str;

    /// Lease up to `limit` due rows to `owner` until `until`.
    fn claim(
        &self,
        owner: &str,
        now: i64,
        until: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Self::Item>, StorageError>> + Send;

    /// Deliver one claimed batch, recording each attempt; `false` ends the
    /// round (the far end is likely down: wait for the next poll).
    fn deliver(
        &self,
        owner: &str,
        batch: &[Self::Item],
    ) -> impl Future<Output = Result<bool, StorageError>> + Send;
}

/// Claim and deliver due rows until none is left or the courier stops the
/// round.
pub async fn deliver_due<C: Courier>(
    courier: &C,
    owner: &str,
    lease: &Lease,
) -> Result<(), StorageError> {
    let lease_ms = i64::try_from(lease.lease.as_millis()).unwrap_or(60_000);
    loop {
        let now = now_ms();
        let batch = courier
            .claim(owner, now, now + lease_ms, lease.batch_size)
            .await?;
        if batch.is_empty() || !courier.deliver(owner, &batch).await? {
            return Ok(());
        }
    }
}

/// Run forever (a background task, see `jobs`).
pub async fn run<C: Courier>(courier: C, lease: Lease, wake: Wake) {
    let owner = new_id();
    let poll = lease.poll.max(Duration::from_millis(10));
    loop {
        if let Err(e) = deliver_due(&courier, &owner, &lease).await {
            tracing::warn!(error = %e, queue = C::NAME, "delivery round failed");
        }
        tokio::select! {
            () = tokio::time::sleep(poll) => {}
            () = wake.notified() => {}
        }
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
