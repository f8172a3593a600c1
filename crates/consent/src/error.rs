//! Why a research action was refused.

use datacoop_governance::GovError;
use datacoop_store::StoreError;

/// A refused or failed research action.
#[derive(Debug, thiserror::Error)]
pub enum ConsentError {
    /// No such researcher or study (or not one the caller may see).
    #[error("{0}")]
    NotFound(String),
    /// The caller may not do this (e.g. an unverified researcher submitting).
    #[error("{1}")]
    Forbidden(&'static str, String),
    /// The action conflicts with where things stand (e.g. submitting twice).
    #[error("{1}")]
    Conflict(&'static str, String),
    /// A field is invalid; the text says what to change.
    #[error("{0}")]
    Invalid(String),
    /// The governance log refused or failed.
    #[error(transparent)]
    Governance(#[from] GovError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for ConsentError {
    fn from(e: diesel::result::Error) -> Self {
        ConsentError::Store(StoreError::Query(e))
    }
}
