//! Backups of a SQLite database: a consistent copy taken while majlis
//! serves (`VACUUM INTO` reads one snapshot, writers go on), checked with
//! `PRAGMA integrity_check`, and a restore into an empty database. On
//! PostgreSQL the server's own tools do this (`pg_dump`/`pg_restore`, see the
//! README), and these refuse.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::ConnectOptions as _;
use sqlx::sqlite::SqliteConnectOptions;

use super::{Backend, StorageError, Store};

/// What a checked copy holds.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub bytes: u64,
    pub comments: i64,
}

/// Why a backup or restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "majlis backup and restore work on SQLite; on PostgreSQL use pg_dump and pg_restore \
         (README, \"Backups\")"
    )]
    Postgres,
    #[error("{0} already exists: choose a new file")]
    Exists(PathBuf),
    #[error("the database to restore into is not empty ({0} comments, {1} sites)")]
    NotEmpty(i64, i64),
    #[error("the copy failed its integrity check: {0}")]
    Damaged(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Storage(e.into())
    }
}

impl Store {
    /// Write a consistent copy of the database to `output` (a new file) and
    /// check it. Writers are not held up: the copy reads one snapshot.
    pub async fn backup_to(&self, output: &Path) -> Result<BackupReport, BackupError> {
        if self.backend != Backend::Sqlite {
            return Err(BackupError::Postgres);
        }
        if output.exists() {
            return Err(BackupError::Exists(output.to_path_buf()));
        }
        let target = output.to_str().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "path is not UTF-8")
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.reader)
            .await?;
        check_copy(output).await
    }
}

/// `PRAGMA integrity_check` on a SQLite file opened read-only, and what it
/// holds.
pub async fn check_copy(path: &Path) -> Result<BackupReport, BackupError> {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await?;
    let verdict: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await?;
    if verdict != ["ok"] {
        return Err(BackupError::Damaged(verdict.join("; ")));
    }
    let comments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments")
        .fetch_one(&mut conn)
        .await?;
    drop(conn);
    Ok(BackupReport {
        bytes: std::fs::metadata(path)?.len(),
        comments,
    })
}

/// Restore a checked backup into the SQLite database at `url`, which must be
/// empty (missing, or without sites and comments). The copy is written next
/// to the database and renamed over it, then migrated to this version.
pub async fn restore_sqlite(backup: &Path, url: &str) -> Result<BackupReport, BackupError> {
    let Some(rest) = url.strip_prefix("sqlite://") else {
        return Err(BackupError::Postgres);
    };
    let path = PathBuf::from(rest.split('?').next().unwrap_or(rest));
    let report = check_copy(backup).await?;
    if path.exists() {
        let mut conn = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .read_only(true)
            .connect()
            .await?;
        let count = |table: &str| format!("SELECT COUNT(*) FROM {table}");
        let comments: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count("comments")))
            .fetch_one(&mut conn)
            .await
            .unwrap_or(0);
        let sites: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count("sites")))
            .fetch_one(&mut conn)
            .await
            .unwrap_or(0);
        drop(conn);
        if comments > 0 || sites > 0 {
            return Err(BackupError::NotEmpty(comments, sites));
        }
    }
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    let mut partial = path.clone().into_os_string();
    partial.push(".restoring");
    let partial = PathBuf::from(partial);
    std::fs::copy(backup, &partial)?;
    std::fs::File::open(&partial)?.sync_all()?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.clone().into_os_string();
        side.push(suffix);
        match std::fs::remove_file(PathBuf::from(side)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    std::fs::rename(&partial, &path)?;
    Ok(report)
}
