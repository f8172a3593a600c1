//! One connection type over both backends (diesel's `MultiConnection`).

use crate::DatabaseUrl;
use diesel::{Connection, ConnectionResult, PgConnection, SqliteConnection};

/// A database connection: SQLite or PostgreSQL, picked at run time from the URL.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// Embedded SQLite.
    Sqlite(diesel::SqliteConnection),
    /// PostgreSQL.
    Postgres(diesel::PgConnection),
}

impl DbConn {
    /// Opens a connection of exactly the backend the URL names.
    ///
    /// (`MultiConnection::establish` would try every backend in turn, hiding
    /// the real error and letting SQLite treat a PostgreSQL URL as a file name.)
    pub fn open(url: &DatabaseUrl) -> ConnectionResult<DbConn> {
        match url {
            DatabaseUrl::Sqlite(path) => {
                SqliteConnection::establish(&path.to_string_lossy()).map(DbConn::Sqlite)
            }
            DatabaseUrl::Postgres(u) => PgConnection::establish(u).map(DbConn::Postgres),
        }
    }
}
