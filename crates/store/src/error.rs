//! The storage error type: says what failed and what the operator can do.

/// Errors from the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names a database this build does not speak.
    #[error(
        "unsupported database URL scheme in {0:?}: use sqlite://PATH or postgres://USER@HOST/DB"
    )]
    UnsupportedScheme(String),
    /// The database could not be reached or opened.
    #[error("cannot connect to the database at {url}: {reason}; check that it is running and the URL is right")]
    Connect {
        /// The redacted URL.
        url: String,
        /// What the driver said.
        reason: String,
    },
    /// No connection became free in time: the database is down or overloaded.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// A migration failed; the database is left at the last good version.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    /// The blocking task running the query was cancelled or panicked.
    #[error("database task did not complete: {0}")]
    Task(String),
    /// The blob store cannot be opened, written or read.
    #[error("blob store failure: {0}")]
    BlobStore(String),
    /// An uploaded body could not be read to its end (cut, or malformed).
    #[error("the upload body could not be read to its end: {0}")]
    BlobBody(String),
    /// An uploaded body grew past the limit, in bytes.
    #[error("the upload is larger than the limit of {0} bytes")]
    BlobTooLarge(u64),
    /// Caller input the storage plumbing refuses (an `Idempotency-Key`, a time).
    #[error("{0}")]
    Invalid(String),
    /// An `Idempotency-Key` was reused for a different request.
    #[error("this Idempotency-Key was used for a different request; use a new key")]
    IdempotencyMismatch,
    /// No permit for slow work (a password hash) freed in time: retry after
    /// the seconds given.
    #[error("the server is busy; try again in {0} seconds")]
    Busy(u64),
    /// A blob's object is missing from the store (its row remains).
    #[error("the object of blob {0} is missing from the blob store")]
    BlobMissing(String),
}

impl StoreError {
    /// True when a row refers to one that does not exist (e.g. a deleted account).
    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(
            self,
            StoreError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                _
            ))
        )
    }

    /// True when PostgreSQL aborted the transaction to resolve a conflict with a
    /// concurrent one (a deadlock or a serialization failure): nothing was written and
    /// the same request, sent again, succeeds.
    pub fn is_transient_conflict(&self) -> bool {
        match self {
            StoreError::Query(diesel::result::Error::DatabaseError(kind, info)) => {
                matches!(
                    kind,
                    diesel::result::DatabaseErrorKind::SerializationFailure
                ) || info.message().contains("deadlock detected")
            }
            _ => false,
        }
    }

    /// True when the error is a unique-constraint violation (a conflict, not a fault).
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            StoreError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}
