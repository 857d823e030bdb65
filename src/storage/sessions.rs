//! Dashboard sessions (the token itself is never stored, only its hash).

use super::{StorageError, Store};

/// A live dashboard session (the token itself is never stored).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    pub moderator_id: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

impl Store {
    pub async fn insert_session(
        &self,
        token_hash: &str,
        moderator_id: &str,
        csrf_token: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, moderator_id, csrf_token, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(token_hash)
        .bind(moderator_id)
        .bind(csrf_token)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StorageError> {
        Ok(sqlx::query_as(
            "SELECT moderator_id, csrf_token, created_at, last_seen_at FROM sessions \
             WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await?)
    }

    pub async fn touch_session(&self, token_hash: &str, now: i64) -> Result<(), StorageError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// End every session of an account (disabled, password changed).
    pub async fn delete_sessions_of(&self, moderator_id: &str) -> Result<u64, StorageError> {
        let r = sqlx::query("DELETE FROM sessions WHERE moderator_id = $1")
            .bind(moderator_id)
            .execute(&self.writer)
            .await?;
        Ok(r.rows_affected())
    }

    /// Drop sessions past either timeout.
    pub async fn purge_sessions(
        &self,
        created_before: i64,
        seen_before: i64,
    ) -> Result<u64, StorageError> {
        let r = sqlx::query("DELETE FROM sessions WHERE created_at < $1 OR last_seen_at < $2")
            .bind(created_before)
            .bind(seen_before)
            .execute(&self.writer)
            .await?;
        Ok(r.rows_affected())
    }
}
