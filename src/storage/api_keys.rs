use super::{StorageError, Store};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyRecord {
    pub id: String,
    pub site_key: String,
    pub role: String,
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

impl Store {
    pub async fn insert_api_key(
        &self,
        key: &ApiKeyRecord,
        key_hash: &str,
    ) -> Result<(), StorageError> {
        insert(&mut *self.writer.acquire().await?, key, key_hash).await
    }

    /// The live (not revoked) key with this hash.
    pub async fn api_key_by_hash(
        &self,
        key_hash: &str,
    ) -> Result<Option<ApiKeyRecord>, StorageError> {
        Ok(sqlx::query_as(
            "SELECT id, site_key, role, label, created_at, revoked_at FROM api_keys \
             WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(&self.reader)
        .await?)
    }

    pub async fn api_keys(&self, site_key: &str) -> Result<Vec<ApiKeyRecord>, StorageError> {
        Ok(sqlx::query_as(
            "SELECT id, site_key, role, label, created_at, revoked_at FROM api_keys \
             WHERE site_key = $1 ORDER BY created_at, id",
        )
        .bind(site_key)
        .fetch_all(&self.reader)
        .await?)
    }
}

pub(super) async fn insert(
    conn: &mut sqlx::AnyConnection,
    key: &ApiKeyRecord,
    key_hash: &str,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO api_keys (id, site_key, role, label, key_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&key.id)
    .bind(&key.site_key)
    .bind(&key.role)
    .bind(&key.label)
    .bind(key_hash)
    .bind(key.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Revoke a key; false when no live key of that site has this id.
pub(super) async fn revoke(
    conn: &mut sqlx::AnyConnection,
    site_key: &str,
    id: &str,
    now: i64,
) -> Result<bool, StorageError> {
    let r = sqlx::query(
        "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND site_key = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(site_key)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}
