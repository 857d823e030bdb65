use super::{StorageError, Store};

impl Store {
    /// Remember a solved proof-of-work challenge until it expires. False
    /// when it was already spent (by this or another instance).
    pub async fn spend_pow_challenge(
        &self,
        challenge: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<bool, StorageError> {
        let r = sqlx::query(
            "INSERT INTO pow_spent (challenge, expires_at, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (challenge) DO NOTHING",
        )
        .bind(challenge)
        .bind(expires_at)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Forget spent challenges that have expired (they are refused as
    /// expired anyway).
    pub async fn purge_spent_pow(&self, now: i64) -> Result<u64, StorageError> {
        let r = sqlx::query("DELETE FROM pow_spent WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(r.rows_affected())
    }
}
