//! A fresh database per test.

use diesel::{Connection, PgConnection, RunQueryDsl};
use tempfile::TempDir;

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A new database on the server named by `DATACOOP_TEST_POSTGRES_URL`.
    Postgres,
}

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    /// URL the server should use.
    pub url: String,
    /// Temporary directory (SQLite file lives here; also usable as data dir).
    pub dir: TempDir,
    drop_pg: Option<(String, String)>,
}

/// Environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_ENV: &str = "DATACOOP_TEST_POSTGRES_URL";

impl TestDb {
    /// Creates the database, or returns `None` (skip) when PostgreSQL is not
    /// configured outside CI. Panics under `CI=true` when it is missing.
    pub fn create(backend: Backend) -> Option<TestDb> {
        let dir = tempfile::tempdir().expect("temporary directory");
        match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Some(TestDb {
                    url,
                    dir,
                    drop_pg: None,
                })
            }
            Backend::Postgres => {
                let admin = match std::env::var(POSTGRES_ENV) {
                    Ok(u) if !u.is_empty() => u,
                    _ => {
                        if std::env::var("CI").as_deref() == Ok("true") {
                            panic!("CI=true but {POSTGRES_ENV} is not set: the PostgreSQL tests must run in CI (see .ci/run)");
                        }
                        eprintln!("skipped: set {POSTGRES_ENV}=postgres://USER:PASS@HOST/DB to run the PostgreSQL variant");
                        return None;
                    }
                };
                let name = format!("datacoop_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::establish(&admin)
                    .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {POSTGRES_ENV}: {e}"));
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("create test database");
                let url = with_database(&admin, &name);
                Some(TestDb {
                    url,
                    dir,
                    drop_pg: Some((admin, name)),
                })
            }
        }
    }
}

/// Replaces the database name (the URL path) of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

impl TestDb {
    /// Drops a PostgreSQL test database now, under whoever uses it (to test
    /// what happens when the database goes away).
    pub fn drop_now(&self) {
        if let Some((admin, name)) = &self.drop_pg {
            let mut conn = PgConnection::establish(admin).expect("admin connection");
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .expect("drop test database");
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.drop_pg.take() {
            if let Ok(mut conn) = PgConnection::establish(&admin) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_database_name() {
        assert_eq!(
            super::with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "x"),
            "postgres://u:p@h:5432/x?sslmode=disable"
        );
        assert_eq!(
            super::with_database("postgres://u@h", "x"),
            "postgres://u@h/x"
        );
    }
}
