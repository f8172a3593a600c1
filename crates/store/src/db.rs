//! The connection pools and the one way to run queries: off the async
//! workers, one closure per transaction.

use crate::group::{Finisher, GroupCommitter};
use crate::{migrate, Backend, DatabaseUrl, DbConn, StoreError};
use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::Connection;
use std::time::Duration;

/// Opens pooled connections of the configured backend only.
#[derive(Debug)]
struct Manager(DatabaseUrl);

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        DbConn::open(&self.0).map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// SQLite's durability setting (`PRAGMA synchronous`) in WAL mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteSync {
    /// Every commit is fsynced: an acknowledged write survives power loss.
    Full,
    /// Commits are fsynced at checkpoints: an acknowledged write survives a
    /// crash of the server process, but the last commits can be lost on power
    /// loss or an OS crash. The database is never corrupted either way.
    Normal,
}

/// Tuning of the pools.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Connections for readers (and, on PostgreSQL, writers).
    pub pool_size: u32,
    /// How long to wait for a connection before reporting the database unavailable.
    pub connect_timeout: Duration,
    /// SQLite: how long a statement waits on a lock held by another process.
    pub busy_timeout: Duration,
    /// SQLite durability.
    pub sqlite_sync: SqliteSync,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            pool_size: 8,
            connect_timeout: Duration::from_secs(5),
            busy_timeout: Duration::from_secs(5),
            sqlite_sync: SqliteSync::Full,
        }
    }
}

#[derive(Debug)]
struct SqlitePragmas {
    sync: SqliteSync,
    busy_timeout: Duration,
}

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if let DbConn::Sqlite(c) = conn {
            let sync = match self.sync {
                SqliteSync::Full => "FULL",
                SqliteSync::Normal => "NORMAL",
            };
            c.batch_execute(&format!(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; \
                 PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON;",
                self.busy_timeout.as_millis()
            ))
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// The database: a pool of readers and, on SQLite, a single writer so that
/// write transactions queue in the process instead of failing with `BUSY`.
#[derive(Clone)]
pub struct Db {
    url: DatabaseUrl,
    readers: Pool<Manager>,
    writer: Pool<Manager>,
    group: std::sync::Arc<GroupCommitter>,
    finisher: crate::group::Finishers,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("url", &self.url).finish()
    }
}

impl Db {
    /// Opens the pools (blocking: call at start-up); fails when the database
    /// cannot be reached or opened.
    pub fn connect(url: &DatabaseUrl, opts: &DbOptions) -> Result<Db, StoreError> {
        match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| StoreError::Connect {
                        url: url.redacted(),
                        reason: format!("cannot create directory {}: {e}", dir.display()),
                    })?;
                }
            }
            DatabaseUrl::Postgres(_) => {}
        }
        // Establish one connection directly first: its error says more than
        // r2d2's timeout does.
        DbConn::open(url).map_err(|e| StoreError::Connect {
            url: url.redacted(),
            reason: one_line(&e.to_string()),
        })?;
        let build = |size: u32| {
            Pool::builder()
                .max_size(size)
                .min_idle(Some(1))
                .connection_timeout(opts.connect_timeout)
                .connection_customizer(Box::new(SqlitePragmas {
                    sync: opts.sqlite_sync,
                    busy_timeout: opts.busy_timeout,
                }))
                .build(Manager(url.clone()))
                .map_err(|e| StoreError::Connect {
                    url: url.redacted(),
                    reason: one_line(&e.to_string()),
                })
        };
        let readers = build(opts.pool_size.max(1))?;
        let writer = match url.backend() {
            Backend::Sqlite => build(1)?,
            Backend::Postgres => readers.clone(),
        };
        let finisher: crate::group::Finishers = Default::default();
        let group = std::sync::Arc::new(GroupCommitter::start(writer.clone(), finisher.clone()));
        Ok(Db {
            url: url.clone(),
            readers,
            writer,
            group,
            finisher,
        })
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    /// The URL with secrets removed, for logs.
    pub fn redacted_url(&self) -> String {
        self.url.redacted()
    }

    /// Applies pending migrations (blocking: call at start-up).
    pub fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let mut conn = checkout(&self.writer)?;
        migrate::run_pending(&mut conn)
    }

    /// Runs a read-only closure on a pooled connection, off the async workers.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let pool = self.readers.clone();
        blocking(move || {
            let mut conn = checkout(&pool)?;
            f(&mut conn)
        })
        .await
    }

    /// Runs a closure as one transaction on the writer, off the async
    /// workers: it commits when the closure returns `Ok`, else rolls back.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + From<diesel::result::Error> + Send + 'static,
    {
        let pool = self.writer.clone();
        blocking(move || {
            let mut conn = checkout(&pool)?;
            let conn: &mut DbConn = &mut conn;
            conn.transaction(f)
        })
        .await
    }

    /// Like [`Db::write`], but committed together with the other grouped
    /// writes queued at the same moment (group commit): the closure runs in
    /// its own savepoint, and its result is delivered only after the group's
    /// commit. For the hot paths: single record writes and logged reads.
    pub async fn write_grouped<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + From<diesel::result::Error> + Send + 'static,
    {
        self.grouped(move |c| f(c).map(|v| (v, None))).await
    }

    /// Like [`Db::write_grouped`], and the closure also returns work for the
    /// end of the group (`X`, e.g. access-log entries): every successful
    /// job's `X` goes to the installed [`Finisher`] in one call, inside the
    /// same transaction. If that fails, the group rolls back and every job
    /// fails: an access whose log entry cannot be written does not happen.
    pub async fn write_grouped_then<T, X, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<(T, X), E> + Send + 'static,
        T: Send + 'static,
        X: Send + 'static,
        E: From<StoreError> + From<diesel::result::Error> + Send + 'static,
    {
        self.grouped(move |c| {
            f(c).map(|(v, x)| (v, Some(Box::new(x) as Box<dyn std::any::Any + Send>)))
        })
        .await
    }

    /// Like [`Db::write_grouped_then`] for a closure that only reads (a
    /// logged read: look the record up, hand the group its log entry). On
    /// SQLite it runs without a savepoint of its own, since a failed read has
    /// nothing to roll back: two statements fewer per read. (PostgreSQL keeps
    /// the savepoint: there a failed statement would abort the whole group.)
    /// The closure must not write.
    pub async fn read_grouped_then<T, X, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<(T, X), E> + Send + 'static,
        T: Send + 'static,
        X: Send + 'static,
        E: From<StoreError> + From<diesel::result::Error> + Send + 'static,
    {
        let savepoint = self.url.backend() == Backend::Postgres;
        self.grouped_job(savepoint, move |c| {
            f(c).map(|(v, x)| (v, Some(Box::new(x) as Box<dyn std::any::Any + Send>)))
        })
        .await
    }

    /// Adds a finisher of grouped writes' deferred work (see [`Finisher`]).
    pub fn add_group_finisher(&self, finisher: Finisher) {
        if let Ok(mut all) = self.finisher.write() {
            all.push(finisher);
        }
    }

    async fn grouped<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<(T, Option<Box<dyn std::any::Any + Send>>), E>
            + Send
            + 'static,
        T: Send + 'static,
        E: From<StoreError> + From<diesel::result::Error> + Send + 'static,
    {
        self.grouped_job(true, f).await
    }

    /// Queues a job for the group committer; with `savepoint`, the job runs
    /// in its own savepoint so its failure rolls back only its own writes.
    async fn grouped_job<T, E, F>(&self, savepoint: bool, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<(T, Option<Box<dyn std::any::Any + Send>>), E>
            + Send
            + 'static,
        T: Send + 'static,
        E: From<StoreError> + From<diesel::result::Error> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, E>>();
        let job: crate::group::Job = Box::new(move |c: &mut DbConn| {
            let ran = if savepoint { c.transaction(f) } else { f(c) };
            let (res, extra) = match ran {
                Ok((v, x)) => (Ok(v), x),
                Err(e) => (Err(e), None),
            };
            let deliver: crate::group::Deliver = Box::new(move |commit: Result<(), String>| {
                let out = match (res, commit) {
                    (Ok(v), Ok(())) => Ok(v),
                    (Ok(_), Err(e)) => Err(StoreError::Unavailable(e).into()),
                    (Err(e), _) => Err(e),
                };
                let _ = tx.send(out);
            });
            (deliver, extra)
        });
        self.group.submit(job).map_err(E::from)?;
        match rx.await {
            Ok(res) => res,
            Err(_) => Err(StoreError::Unavailable(
                "the database did not take the write; retry shortly".into(),
            )
            .into()),
        }
    }

    /// True when the database answers a trivial query within a second.
    pub async fn ping(&self) -> bool {
        let pool = self.readers.clone();
        let res: Result<(), StoreError> = blocking(move || {
            let mut conn = pool
                .get_timeout(Duration::from_secs(1))
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            conn.batch_execute("SELECT 1")?;
            Ok(())
        })
        .await;
        res.is_ok()
    }

    /// Connections currently held open by the reader pool (for metrics).
    pub fn pool_state(&self) -> (u32, u32) {
        let s = self.readers.state();
        (s.connections, s.idle_connections)
    }
}

fn checkout(pool: &Pool<Manager>) -> Result<PooledConnection<Manager>, StoreError> {
    pool.get()
        .map_err(|e| StoreError::Unavailable(e.to_string()))
}

/// Runs blocking work (a query, a slow hash) off the async workers; a
/// cancelled or panicked task is a [`StoreError::Task`].
pub async fn blocking<T, E, F>(f: F) -> Result<T, E>
where
    F: FnOnce() -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(res) => res,
        Err(e) => Err(StoreError::Task(e.to_string()).into()),
    }
}

/// Driver messages (libpq's especially) span lines; errors here are one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
