use super::{StorageError, Store};

/// A moderator account. `sites` empty with role `admin` means every site.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ModeratorRecord {
    pub id: String,
    pub email: String,
    /// `admin` or `moderator`.
    pub role: String,
    pub password_hash: String,
    pub lang: String,
    pub disabled_at: Option<i64>,
    /// Read from `moderator_sites`, not from the account's row.
    #[sqlx(skip)]
    pub sites: Vec<String>,
    pub created_at: i64,
}

impl ModeratorRecord {
    /// Whether this account may work on `site_key`.
    pub fn can_moderate(&self, site_key: &str) -> bool {
        self.disabled_at.is_none()
            && ((self.role == "admin" && self.sites.is_empty())
                || self.sites.iter().any(|s| s == site_key))
    }
}

async fn sites_of(store: &Store, id: &str) -> Result<Vec<String>, StorageError> {
    Ok(sqlx::query_scalar(
        "SELECT site_key FROM moderator_sites WHERE moderator_id = $1 ORDER BY site_key",
    )
    .bind(id)
    .fetch_all(&store.reader)
    .await?)
}

const COLUMNS: &str = "id, email, role, password_hash, lang, disabled_at, created_at";

impl Store {
    pub async fn set_moderator_lang(&self, id: &str, lang: &str) -> Result<(), StorageError> {
        sqlx::query("UPDATE moderators SET lang = $1 WHERE id = $2")
            .bind(lang)
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Create a moderator with its sites in one transaction; `Conflict` if
    /// the email is taken.
    pub async fn insert_moderator(&self, m: &ModeratorRecord) -> Result<(), StorageError> {
        let mut tx = self.writer.begin().await?;
        insert(&mut tx, m).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn moderator_by_email(
        &self,
        email: &str,
    ) -> Result<Option<ModeratorRecord>, StorageError> {
        self.moderator_where("email", email).await
    }

    pub async fn moderator(&self, id: &str) -> Result<Option<ModeratorRecord>, StorageError> {
        self.moderator_where("id", id).await
    }

    /// The account whose `column` (a constant of the callers) is `value`.
    async fn moderator_where(
        &self,
        column: &str,
        value: &str,
    ) -> Result<Option<ModeratorRecord>, StorageError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM moderators WHERE {column} = $1"
        ));
        let m = sqlx::query_as(sql)
            .bind(value)
            .fetch_optional(&self.reader)
            .await?;
        let Some(mut m): Option<ModeratorRecord> = m else {
            return Ok(None);
        };
        m.sites = sites_of(self, &m.id).await?;
        Ok(Some(m))
    }

    /// Every account, with its sites.
    pub async fn moderators(&self) -> Result<Vec<ModeratorRecord>, StorageError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM moderators ORDER BY email"));
        let mut out: Vec<ModeratorRecord> = sqlx::query_as(sql).fetch_all(&self.reader).await?;
        for m in &mut out {
            m.sites = sites_of(self, &m.id).await?;
        }
        Ok(out)
    }

    /// Active accounts that may moderate `site_key` (for alerts).
    pub async fn moderators_of_site(
        &self,
        site_key: &str,
    ) -> Result<Vec<ModeratorRecord>, StorageError> {
        Ok(self
            .moderators()
            .await?
            .into_iter()
            .filter(|m| m.can_moderate(site_key))
            .collect())
    }

    pub async fn disable_moderator(&self, id: &str, now: i64) -> Result<bool, StorageError> {
        disable(&mut *self.writer.acquire().await?, id, now).await
    }
}

/// A moderator with its sites, on `conn` (a transaction: several rows).
pub(super) async fn insert(
    conn: &mut sqlx::AnyConnection,
    m: &ModeratorRecord,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO moderators (id, email, role, password_hash, lang, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&m.id)
    .bind(&m.email)
    .bind(&m.role)
    .bind(&m.password_hash)
    .bind(&m.lang)
    .bind(m.created_at)
    .execute(&mut *conn)
    .await?;
    for site in &m.sites {
        sqlx::query("INSERT INTO moderator_sites (moderator_id, site_key) VALUES ($1, $2)")
            .bind(&m.id)
            .bind(site)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(super) async fn set_password(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    hash: &str,
    now: i64,
) -> Result<bool, StorageError> {
    let r = sqlx::query("UPDATE moderators SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub(super) async fn disable(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    now: i64,
) -> Result<bool, StorageError> {
    let r = sqlx::query(
        "UPDATE moderators SET disabled_at = $1, updated_at = $1 WHERE id = $2 AND disabled_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}
