use super::{Backend, StorageError, Store};

/// A stored challenge: never the answer, only its keyed hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChallengeRecord {
    pub id: String,
    pub site_key: String,
    pub answer_hash: String,
    pub expires_at: i64,
    /// When it was issued: the start of the reader's fill time.
    #[sqlx(rename = "created_at")]
    pub issued_at: i64,
}

impl Store {
    pub async fn insert_challenge(
        &self,
        challenge: &ChallengeRecord,
        png: &[u8],
        wav: Option<&[u8]>,
    ) -> Result<(), StorageError> {
        let insert = sqlx::query(
            "INSERT INTO captcha_challenges (id, site_key, answer_hash, png, wav, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&challenge.id)
        .bind(&challenge.site_key)
        .bind(&challenge.answer_hash)
        .bind(png)
        .bind(wav)
        .bind(challenge.expires_at)
        .bind(challenge.issued_at);
        // A security code lives ten minutes and is worth nothing after a
        // crash, so its commit does not wait for the disk.
        let unsynced = self.unsynced();
        let mut conn = unsynced.acquire().await?;
        let inserted = insert.execute(&mut *conn).await;
        unsynced.release(conn).await;
        inserted?;
        Ok(())
    }

    /// Remove the challenge and hand it back, exactly once: of two concurrent
    /// attempts only the one whose DELETE removed the row gets it.
    pub async fn take_challenge(&self, id: &str) -> Result<Option<ChallengeRecord>, StorageError> {
        let challenge: Option<ChallengeRecord> = sqlx::query_as(
            "SELECT id, site_key, answer_hash, expires_at, created_at FROM captcha_challenges \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.writer)
        .await?;
        let Some(challenge) = challenge else {
            return Ok(None);
        };
        let deleted = sqlx::query("DELETE FROM captcha_challenges WHERE id = $1")
            .bind(id)
            .execute(&self.writer)
            .await?;
        if deleted.rows_affected() != 1 {
            return Ok(None);
        }
        Ok(Some(challenge))
    }

    /// Whether a challenge issued for `site_key` is still there to be
    /// answered: not used, not expired.
    pub async fn challenge_is_open(
        &self,
        id: &str,
        site_key: &str,
        now: i64,
    ) -> Result<bool, StorageError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT expires_at FROM captcha_challenges \
             WHERE id = $1 AND site_key = $2 AND expires_at > $3",
        )
        .bind(id)
        .bind(site_key)
        .bind(now)
        .fetch_optional(&self.reader)
        .await?;
        Ok(found.is_some())
    }

    /// The image of a challenge that has not expired or been used.
    pub async fn challenge_png(&self, id: &str, now: i64) -> Result<Option<Vec<u8>>, StorageError> {
        let png: Option<Vec<u8>> = sqlx::query_scalar(
            "SELECT png FROM captcha_challenges WHERE id = $1 AND expires_at > $2",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(&self.reader)
        .await?;
        Ok(png)
    }

    /// The spoken version of a live challenge, when one was asked for.
    pub async fn challenge_wav(&self, id: &str, now: i64) -> Result<Option<Vec<u8>>, StorageError> {
        let wav: Option<Option<Vec<u8>>> = sqlx::query_scalar(
            "SELECT wav FROM captcha_challenges WHERE id = $1 AND expires_at > $2",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(&self.reader)
        .await?;
        Ok(wav.flatten())
    }

    pub async fn purge_expired_challenges(&self, now: i64) -> Result<u64, StorageError> {
        let r = sqlx::query("DELETE FROM captcha_challenges WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(r.rows_affected())
    }
}

impl Store {
    /// The writer connection's SQLite `synchronous` level (0 OFF, 1 NORMAL,
    /// 2 FULL, 3 EXTRA); `None` on PostgreSQL.
    pub async fn writer_synchronous(&self) -> Result<Option<i64>, StorageError> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&self.writer)
            .await?;
        Ok(Some(level))
    }
}
