//! The application layer's error: what a use case was refused with. The HTTP
//! mapping stays in one place, the server's `error.rs`.

use datacoop_accesslog::LogError;
use datacoop_accounts::AccountError;
use datacoop_auth::AuthError;
use datacoop_consent::ConsentError;
use datacoop_governance::GovError;
use datacoop_store::StoreError;

/// Why a use case was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The caller asked for something that is not theirs or does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Well-formed but invalid input.
    #[error("{0}")]
    Invalid(String),
    /// Refused by the accounts domain.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// Refused by the token and session machinery.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// Refused by governance (register, assemblies, votes).
    #[error(transparent)]
    Governance(#[from] GovError),
    /// Refused by the research side (researchers, studies, consents).
    #[error(transparent)]
    Consent(#[from] ConsentError),
    /// The access log refused or failed.
    #[error(transparent)]
    Log(#[from] LogError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<datacoop_store::diesel::result::Error> for AppError {
    fn from(e: datacoop_store::diesel::result::Error) -> Self {
        AppError::Store(StoreError::Query(e))
    }
}
