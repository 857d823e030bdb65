//! What the benchmarks share: a fresh database to run on, and dropping it.

use majlis::domain::new_id;

/// A fresh database: a SQLite file `{label}.db` in `dir`, or, given a
/// PostgreSQL URL, a new database `majlis_{label}_…` on that server.
pub async fn database(pg: Option<&str>, dir: &std::path::Path, label: &str) -> String {
    match pg {
        None => format!("sqlite://{}/{label}.db", dir.display()),
        Some(base) => {
            let name = format!("majlis_{label}_{}", new_id());
            let admin = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(base)
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&admin)
                .await
                .unwrap();
            let (prefix, _) = base.rsplit_once('/').unwrap();
            format!("{prefix}/{name}")
        }
    }
}

/// Drop a benchmark's PostgreSQL database `db_url` through the server `base`.
pub async fn drop_database(base: &str, db_url: &str) {
    let Some((_, name)) = db_url.rsplit_once('/') else {
        return;
    };
    let dropped = match sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(base)
        .await
    {
        Ok(admin) => sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&admin)
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    if let Err(e) = dropped {
        eprintln!("could not drop the benchmark database {name}: {e}");
    }
}
