//! Storage: one diesel connection type over SQLite (embedded default) and
//! PostgreSQL (for scale), chosen from the URL scheme, with a pool, embedded
//! migrations and a way to run every query off the async workers.
#![forbid(unsafe_code)]

pub mod blobs;
mod connection;
mod db;
mod error;
mod group;

pub use group::Finisher;
pub mod migrate;
pub mod schema;
pub mod secret_file;
mod url;

pub use blobs::{BlobLocation, BlobStore, Staged};
pub use connection::DbConn;
pub use db::{Db, DbOptions, SqliteSync};
pub use error::StoreError;
pub use url::{Backend, DatabaseUrl};

/// Re-export so domain crates write queries against the same diesel.
pub use diesel;
