//! Storage: one diesel connection type over SQLite (embedded default) and
//! PostgreSQL (for scale), chosen from the URL scheme, with a pool, embedded
//! migrations and a way to run every query off the async workers.
#![forbid(unsafe_code)]

pub mod blobs;
mod connection;
mod db;
mod error;
pub mod group;
pub mod idempotency;
pub mod limiter;
mod permits;
pub mod time;

pub use group::Finisher;
pub mod migrate;
mod page;
pub mod schema;
pub mod secret_file;
mod url;

pub use blobs::{BlobLocation, BlobStore, Staged};
pub use connection::DbConn;
pub use db::{blocking, Db, DbOptions, SqliteSync};
pub use error::StoreError;
pub use page::{load_page, Page};
pub use permits::{PermitStats, Permits};
pub use url::{Backend, DatabaseUrl};

/// Re-export so domain crates write queries against the same diesel.
pub use diesel;

/// Runs `$body` with `$c` bound to the concrete backend connection inside a
/// [`DbConn`]. On hot paths this skips `MultiConnection`'s query wrapper,
/// which renders the SQL text on every execution just to find the cached
/// prepared statement; on the concrete connection a query with a static
/// type is found in the statement cache by its type.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::DbConn::Sqlite($c) => $body,
            $crate::DbConn::Postgres($c) => $body,
        }
    };
}
