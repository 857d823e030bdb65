//! Instance-level keys of the admin API: stored as SHA-256 only.

use super::{StorageError, Store};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RootKeyRecord {
    pub id: String,
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str = "id, label, created_at, revoked_at";

impl Store {
    /// The live (not revoked) root key with this hash.
    pub async fn root_key_by_hash(
        &self,
        key_hash: &str,
    ) -> Result<Option<RootKeyRecord>, StorageError> {
        let sql =
            format!("SELECT {COLUMNS} FROM root_keys WHERE key_hash = $1 AND revoked_at IS NULL");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(key_hash)
            .fetch_optional(&self.reader)
            .await?)
    }

    /// Every root key, oldest first (never the secrets).
    pub async fn root_keys(&self) -> Result<Vec<RootKeyRecord>, StorageError> {
        let sql = format!("SELECT {COLUMNS} FROM root_keys ORDER BY created_at, id");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.reader)
            .await?)
    }
}

pub(super) async fn insert(
    conn: &mut sqlx::AnyConnection,
    key: &RootKeyRecord,
    key_hash: &str,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO root_keys (id, label, key_hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&key.id)
        .bind(&key.label)
        .bind(key_hash)
        .bind(key.created_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Revoke a root key; false when no live key has this id.
pub(super) async fn revoke(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    now: i64,
) -> Result<bool, StorageError> {
    let r =
        sqlx::query("UPDATE root_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(conn)
            .await?;
    Ok(r.rows_affected() == 1)
}
