//! The error type of the log machinery (and of the logs built on it).

use datacoop_store::StoreError;

/// Why a log operation failed.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The tree could not be read or extended (missing or damaged hashes).
    #[error("log tree: {0}")]
    Tree(#[from] datacoop_merkle::TreeError),
    /// An entry could not be encoded or decoded.
    #[error("log entry: {0}")]
    Entry(#[from] datacoop_api::log::EntryError),
    /// The request asks for something outside the log.
    #[error("{0}")]
    Invalid(String),
    /// The signing key could not be loaded, created or used.
    #[error("log signing key: {0}")]
    Key(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for LogError {
    fn from(e: diesel::result::Error) -> Self {
        LogError::Store(StoreError::Query(e))
    }
}
