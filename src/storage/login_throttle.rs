//! The login throttle: attempts per account and per client address.

use super::{StorageError, Store};

/// Failures older than this (with none since) no longer count.
const FAILURES_FORGOTTEN_AFTER_MS: i64 = 60 * 60 * 1000;

/// The login throttle of one kind of key (an account, a client address).
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    /// Attempts allowed before each further one must wait.
    pub free: u32,
    pub base_ms: i64,
    pub max_ms: i64,
}

impl LoginThrottle {
    /// The wait that starts after the `attempts`-th attempt, if any: the
    /// `free`-th attempt starts a wait of `base_ms`, each further one
    /// doubles it, up to `max_ms`.
    pub fn wait_after(&self, attempts: i64) -> Option<i64> {
        let over = attempts.saturating_sub(i64::from(self.free));
        if over < 0 {
            return None;
        }
        let exp = u32::try_from(over).unwrap_or(u32::MAX).min(30);
        Some(self.base_ms.saturating_mul(1_i64 << exp).min(self.max_ms))
    }
}

/// The answer to a reserved login attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginAttempt {
    /// Counted: the password may be checked.
    Reserved,
    /// Refused without checking: a wait runs until this instant (ms).
    Wait { until: i64 },
}

impl Store {
    /// Reserve one login attempt for `key`, before the password is checked.
    ///
    /// The counter is read and incremented by one guarded upsert that holds
    /// the row until the wait is written, so parallel attempts queue on the
    /// row and cost exactly what sequential ones do. An attempt arriving
    /// while a wait is running is refused (and costs nothing). The attempt
    /// that reaches `free` starts the wait: `base_ms`, doubling with every
    /// further attempt, at most `max_ms`.
    pub async fn reserve_login_attempt(
        &self,
        key: &str,
        throttle: &LoginThrottle,
        now: i64,
    ) -> Result<LoginAttempt, StorageError> {
        let mut tx = self.writer.begin().await?;
        let reserved: Option<i64> = sqlx::query_scalar(
            "INSERT INTO login_throttle (throttle_key, failures, next_allowed_at, updated_at) \
             VALUES ($1, 1, 0, $2) ON CONFLICT (throttle_key) DO UPDATE SET \
             failures = CASE WHEN login_throttle.updated_at < $3 THEN 1 \
             ELSE login_throttle.failures + 1 END, updated_at = excluded.updated_at \
             WHERE login_throttle.next_allowed_at <= $2 \
             RETURNING failures",
        )
        .bind(key)
        .bind(now)
        .bind(now - FAILURES_FORGOTTEN_AFTER_MS)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(attempts) = reserved else {
            let until: i64 = sqlx::query_scalar(
                "SELECT next_allowed_at FROM login_throttle WHERE throttle_key = $1",
            )
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(LoginAttempt::Wait { until });
        };
        if let Some(wait) = throttle.wait_after(attempts) {
            sqlx::query("UPDATE login_throttle SET next_allowed_at = $1 WHERE throttle_key = $2")
                .bind(now.saturating_add(wait))
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(LoginAttempt::Reserved)
    }

    /// Give back the attempt a successful login reserved on `key`, so that
    /// signing in does not count as a failure; the wait ends if the count
    /// falls below the free attempts again.
    pub async fn refund_login_attempt(&self, key: &str, free: u32) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE login_throttle SET failures = failures - 1, next_allowed_at = \
             CASE WHEN failures - 1 < $1 THEN 0 ELSE next_allowed_at END \
             WHERE throttle_key = $2 AND failures > 0",
        )
        .bind(i64::from(free))
        .bind(key)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1")
            .bind(key)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::LoginThrottle;

    #[test]
    fn the_free_attempt_that_reaches_the_limit_starts_the_wait_and_each_next_doubles_it() {
        let t = LoginThrottle {
            free: 5,
            base_ms: 2_000,
            max_ms: 900_000,
        };
        let waits: Vec<Option<i64>> = (1..=8).map(|n| t.wait_after(n)).collect();
        assert_eq!(
            waits,
            [
                None,
                None,
                None,
                None,
                Some(2_000),
                Some(4_000),
                Some(8_000),
                Some(16_000)
            ]
        );
        assert_eq!(t.wait_after(1_000), Some(900_000));
    }
}
