/// What can go wrong below the service layer. Constraint violations are
/// classified by kind, never by constraint name.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database cannot be reached or is saturated: retry later (503).
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// The database is out of space or read-only (507).
    #[error("database cannot store more data: {0}")]
    Full(#[source] sqlx::Error),
    /// A uniqueness rule was broken (e.g. a key that already exists).
    #[error("conflict with an existing row")]
    Conflict,
    /// Stored data does not decode into what the code expects.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Other(#[source] sqlx::Error),
}

impl StorageError {
    /// An error of the same kind and message, for each of several callers
    /// that one failure answers (a group commit that did not happen).
    pub(super) fn same_kind(&self) -> StorageError {
        let copy = |e: &sqlx::Error| sqlx::Error::Protocol(e.to_string());
        match self {
            StorageError::Unavailable(e) => StorageError::Unavailable(copy(e)),
            StorageError::Full(e) => StorageError::Full(copy(e)),
            StorageError::Conflict => StorageError::Conflict,
            StorageError::Corrupt(m) => StorageError::Corrupt(m.clone()),
            StorageError::Other(e) => StorageError::Other(copy(e)),
        }
    }
}

impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> StorageError {
        match &e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StorageError::Unavailable(e)
            }
            sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) => StorageError::Unavailable(e),
            sqlx::Error::Database(db) => {
                if matches!(db.kind(), sqlx::error::ErrorKind::UniqueViolation) {
                    return StorageError::Conflict;
                }
                let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                match code.as_str() {
                    // SQLite: BUSY, LOCKED, IOERR; PostgreSQL: connection and shutdown classes.
                    "5" | "6" | "10" | "261" | "517" | "57P01" | "57P02" | "57P03" => {
                        StorageError::Unavailable(e)
                    }
                    // SQLite: FULL, READONLY; PostgreSQL: disk full, out of memory.
                    "13" | "8" | "53100" | "53200" => StorageError::Full(e),
                    c if c.starts_with("08") => StorageError::Unavailable(e),
                    _ => StorageError::Other(e),
                }
            }
            _ => StorageError::Other(e),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StorageError {
    fn from(e: sqlx::migrate::MigrateError) -> StorageError {
        StorageError::Other(sqlx::Error::Migrate(Box::new(e)))
    }
}
