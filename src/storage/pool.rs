use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use secrecy::ExposeSecret;
use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};

use super::{CommentBatcher, RulesMemo, StorageError};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Handle to the database. Cheap to clone.
///
/// Reads go through `reader`. Writes go through `writer`: on SQLite a single
/// connection, so writers queue inside majlis instead of failing with
/// SQLITE_BUSY; on PostgreSQL the same pool as the readers.
#[derive(Clone, Debug)]
pub struct Store {
    pub(super) reader: AnyPool,
    pub(super) writer: AnyPool,
    pub(super) backend: Backend,
    /// After a commit that changed what is published under an article:
    /// (site, article key). Read caches subscribe.
    pub(super) published: tokio::sync::broadcast::Sender<PublishedChange>,
    /// The SQLite `synchronous` level of every connection (FULL or NORMAL).
    pub(super) sqlite_synchronous: &'static str,
    /// The group-commit writer of submissions.
    pub(super) batcher: Option<CommentBatcher>,
    /// The batch writer of likes.
    pub(super) likes: super::likes::LikeBatcher,
    /// SQLite: policy versions and blocks as last read (see `RulesMemo`).
    pub(super) rules_memo: Option<std::sync::Arc<RulesMemo>>,
    /// The key webhook secrets are sealed with, derived from an instance
    /// secret on first use (see `storage::webhooks`).
    pub(super) webhook_sealer: std::sync::Arc<tokio::sync::OnceCell<crate::seal::Sealer>>,
}

/// What is published under an article changed (site key, article key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedChange {
    pub site: String,
    pub article: String,
}

/// How to reach the database (from `[database]` of the settings).
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `sqlite://path/to/file.db` (created if missing) or `postgres://...`.
    pub url: secrecy::SecretString,
    pub max_connections: u32,
    /// How long a request waits for a connection before answering 503.
    pub acquire_timeout_ms: u64,
    /// SQLite `synchronous` pragma: `full` or `normal`.
    pub sqlite_synchronous: String,
    /// SQLite: refresh the planner's statistics when the writer connection
    /// opens (the server). A one-off command that only reads (a backup) must
    /// not: that refresh writes, and would hold up a serving majlis.
    pub refresh_statistics: bool,
}

/// Writer connections that, on SQLite, commit without waiting for the
/// disk: for rows worth nothing after a crash (a security code, a like),
/// whose durable commit would only queue them behind the disk. The next
/// durable commit syncs the log, these frames included. On PostgreSQL they
/// are plain writer connections (such transactions turn off
/// `synchronous_commit` themselves).
#[derive(Clone, Debug)]
pub(super) struct UnsyncedWriter {
    pub(super) pool: AnyPool,
    pub(super) backend: Backend,
    /// The SQLite `synchronous` level restored on release.
    pub(super) level: &'static str,
}

impl UnsyncedWriter {
    /// A connection; give it back through [`UnsyncedWriter::release`].
    pub(super) async fn acquire(
        &self,
    ) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StorageError> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Sqlite {
            sqlx::raw_sql("PRAGMA synchronous = OFF")
                .execute(&mut *conn)
                .await?;
        }
        Ok(conn)
    }

    /// Restore the connection's `synchronous` level; should that fail, it is
    /// closed rather than reused unsynced.
    pub(super) async fn release(&self, mut conn: sqlx::pool::PoolConnection<sqlx::Any>) {
        if self.backend != Backend::Sqlite {
            return;
        }
        let restore = format!("PRAGMA synchronous = {}", self.level);
        if sqlx::raw_sql(sqlx::AssertSqlSafe(restore))
            .execute(&mut *conn)
            .await
            .is_err()
        {
            conn.close_on_drop();
        }
    }
}

impl Store {
    /// The writer without disk syncs (see [`UnsyncedWriter`]).
    pub(super) fn unsynced(&self) -> UnsyncedWriter {
        UnsyncedWriter {
            pool: self.writer.clone(),
            backend: self.backend,
            level: self.sqlite_synchronous,
        }
    }

    pub async fn connect(settings: impl Into<ConnectOptions>) -> Result<Store, StorageError> {
        let settings: ConnectOptions = settings.into();
        sqlx::any::install_default_drivers();
        let url = settings.url.expose_secret().to_string();
        let acquire = Duration::from_millis(settings.acquire_timeout_ms);
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = AnyConnectOptions::from_str(&url)?;
            let pool = AnyPoolOptions::new()
                .max_connections(settings.max_connections.max(2))
                .acquire_timeout(acquire)
                .connect_with(options)
                .await?;
            let published = tokio::sync::broadcast::channel(1024).0;
            return Ok(Store {
                likes: super::likes::LikeBatcher::start(UnsyncedWriter {
                    pool: pool.clone(),
                    backend: Backend::Postgres,
                    level: "FULL",
                }),
                batcher: Some(CommentBatcher::start(
                    pool.clone(),
                    published.clone(),
                    Backend::Postgres,
                )),
                reader: pool.clone(),
                writer: pool,
                backend: Backend::Postgres,
                published,
                sqlite_synchronous: "FULL",
                rules_memo: None,
                webhook_sealer: Default::default(),
            });
        }
        let Some(path) = url.strip_prefix("sqlite://") else {
            return Err(StorageError::Corrupt(format!(
                "database.url must start with sqlite:// or postgres://, got {:?}",
                url.split(':').next().unwrap_or("")
            )));
        };
        let path = path.split('?').next().unwrap_or(path);
        if let Some(parent) = Path::new(path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| StorageError::Unavailable(e.into()))?;
        }
        let synchronous = settings.sqlite_synchronous.to_ascii_uppercase();
        let synchronous_level = synchronous.clone();
        let options = AnyConnectOptions::from_str(&format!("sqlite://{path}?mode=rwc"))?;
        // A write waits for SQLite's lock no longer than a request waits for a
        // connection, so a locked database answers 503 in bounded time.
        let busy_ms = settings.acquire_timeout_ms;
        let pragmas = format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
             PRAGMA busy_timeout = {busy_ms}; PRAGMA foreign_keys = ON;"
        );
        // The writer also refreshes the planner's statistics where they are
        // missing or stale (bounded work, as SQLite recommends at connection
        // open), so filters on a large archive pick their own indexes.
        let writer_pragmas = if settings.refresh_statistics {
            format!("{pragmas} PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002;")
        } else {
            pragmas.clone()
        };
        let writer = sqlite_pool(options.clone(), 1, acquire, writer_pragmas).await?;
        let reader =
            sqlite_pool(options, settings.max_connections.max(1), acquire, pragmas).await?;
        let published = tokio::sync::broadcast::channel(1024).0;
        let sqlite_synchronous = match synchronous_level.as_str() {
            "NORMAL" => "NORMAL",
            "EXTRA" => "EXTRA",
            _ => "FULL",
        };
        Ok(Store {
            likes: super::likes::LikeBatcher::start(UnsyncedWriter {
                pool: writer.clone(),
                backend: Backend::Sqlite,
                level: sqlite_synchronous,
            }),
            batcher: Some(CommentBatcher::start(
                writer.clone(),
                published.clone(),
                Backend::Sqlite,
            )),
            rules_memo: Some(std::sync::Arc::default()),
            webhook_sealer: Default::default(),
            reader,
            writer,
            backend: Backend::Sqlite,
            published,
            sqlite_synchronous,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Apply every pending migration of this backend.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.writer).await?;
        Ok(())
    }

    /// True when the database answers and every migration is applied.
    pub async fn ready(&self) -> Result<bool, StorageError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let latest = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = $1")
                .bind(true)
                .fetch_one(&self.reader)
                .await?;
        Ok(applied == Some(latest))
    }

    /// Versions of the embedded migrations per backend (a test keeps them equal).
    pub fn migration_versions(backend: Backend) -> Vec<i64> {
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.iter().map(|m| m.version).collect()
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    /// The named instance secret, created on first use. Every process on the
    /// same database reads the same value.
    pub async fn instance_secret(&self, name: &str, now: i64) -> Result<Vec<u8>, StorageError> {
        let fresh = crate::domain::new_secret_token(32);
        sqlx::query(
            "INSERT INTO instance_secrets (name, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(&fresh)
        .bind(now)
        .execute(&self.writer)
        .await?;
        let value: String =
            sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = $1")
                .bind(name)
                .fetch_one(&self.writer)
                .await?;
        hex::decode(value).map_err(|e| StorageError::Corrupt(format!("instance secret: {e}")))
    }
}

/// The PostgreSQL channel that carries read-cache invalidations between
/// majlis processes.
pub const CACHE_CHANNEL: &str = "majlis_cache";

impl Store {
    /// Subscribe to changes of what is published (this process's commits).
    pub fn published_changes(&self) -> tokio::sync::broadcast::Receiver<PublishedChange> {
        self.published.subscribe()
    }

    /// Called after a commit that changed what is published under an article:
    /// tell this process's subscribers and, on PostgreSQL, every other majlis
    /// process on the database. Best effort: readers also expire entries.
    pub(super) async fn announce_published_change(&self, site: &str, article: &str) {
        let change = PublishedChange {
            site: site.to_string(),
            article: article.to_string(),
        };
        let _ = self.published.send(change.clone());
        if self.backend == Backend::Postgres {
            super::events::notify_others(&self.writer, &[change]).await;
        }
    }
}

/// A SQLite pool of at most `max` connections, each of which runs `pragmas`
/// when it opens.
async fn sqlite_pool(
    options: AnyConnectOptions,
    max: u32,
    acquire: Duration,
    pragmas: String,
) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(acquire)
        .after_connect(move |conn, _meta| {
            let sql = pragmas.clone();
            Box::pin(async move {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(conn)
                    .await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
}
