//! Why a governance action was refused.

use datacoop_governance_core::GovernanceError;
use datacoop_store::StoreError;
use datacoop_tlog::LogError;

/// A refused or failed governance action.
#[derive(Debug, thiserror::Error)]
pub enum GovError {
    /// Only stewards (configuration `governance.stewards`) may do this.
    #[error("only the cooperative's stewards may do this (the server's governance.stewards)")]
    NotSteward,
    /// The caller's account is linked to no register entry.
    #[error(
        "your account is not linked to an entry in the register: join with the invitation a \
         steward gave you (datacoop gov join INVITATION)"
    )]
    NotInRegister,
    /// No such register entry, assembly or motion.
    #[error("{0}")]
    NotFound(String),
    /// The invitation is unknown, used or expired.
    #[error("this invitation is unknown, already used or expired: ask a steward for a new one")]
    Invitation,
    /// The account is already linked to another register entry.
    #[error("your account is already linked to register entry {0}")]
    AlreadyLinked(String),
    /// Voting on the motion has closed, or not opened.
    #[error("{0}")]
    NotVoting(String),
    /// A ballot or proxy that cannot count.
    #[error("{1}")]
    Refused(&'static str, String),
    /// Refused by the statute rules (timeline, proxies).
    #[error(transparent)]
    Rules(#[from] GovernanceError),
    /// A field is invalid.
    #[error("{0}")]
    Invalid(String),
    /// The governance log failed.
    #[error(transparent)]
    Log(#[from] LogError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for GovError {
    fn from(e: diesel::result::Error) -> Self {
        GovError::Store(StoreError::Query(e))
    }
}
