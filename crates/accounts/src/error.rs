//! The accounts error type.

use datacoop_store::StoreError;

/// Why an account or record operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Registration with an email or id already in use.
    #[error("an account with this email or id already exists: log in instead, or register with another email")]
    AlreadyExists,
    /// The member's files would use more than their storage quota.
    #[error("{0}")]
    QuotaExceeded(String),
    /// Registration with the id of a deleted account.
    #[error("this account id belonged to a deleted account and is never given out again: register again (the app picks a new id)")]
    IdRetired,
    /// Unknown email or wrong passphrase (deliberately indistinguishable).
    #[error("unknown email or wrong passphrase")]
    InvalidCredentials,
    /// The current passphrase (its authentication key) is wrong.
    #[error("the current passphrase is wrong; if you lost it, use `datacoop member recover` with your recovery code")]
    WrongPassphrase,
    /// Recovery proof refused: unknown email, wrong recovery code, or a spent or forged challenge.
    #[error("recovery refused: unknown email, or the proof does not verify; check the email and the recovery code, then start the recovery again")]
    RecoveryFailed,
    /// The token's account no longer exists (deleted).
    #[error("this account no longer exists")]
    NoAccount,
    /// Too many failed logins: wait the seconds given.
    #[error(
        "too many failed attempts (login, passphrase or recovery); wait {0} seconds and try again"
    )]
    RateLimited(u64),
    /// Too many registrations from one client address: wait the seconds given.
    #[error("too many new accounts from this address; wait {0} seconds and try again")]
    TooManyRegistrations(u64),
    /// Every passphrase-hashing permit stayed taken for the whole wait: retry
    /// after the seconds given (nothing was counted against the caller).
    #[error("the server is busy checking passphrases; try again in a few seconds")]
    Busy(u64),
    /// A field is invalid.
    #[error("{0}")]
    Invalid(String),
    /// No such record for this member.
    #[error("no such record")]
    NotFound,
    /// The record changed since the caller read it.
    #[error("the record is at version {current}; fetch it again and send version {}", current + 1)]
    VersionConflict {
        /// The stored version.
        current: u64,
    },
    /// A record id is reused with different content.
    #[error("record {0} already exists with different content; send a new version instead")]
    RecordExists(String),
    /// A device tried to add a record outside what its token allows.
    #[error("{0}")]
    DeviceScope(String),

    /// The records or files changed during a key rotation: nothing was changed.
    #[error("{0}")]
    RotationStale(String),
    /// A device token was refused.
    #[error(transparent)]
    Auth(#[from] datacoop_auth::AuthError),
    /// A blob id is reused with different content.
    #[error("blob {0} already exists with different content; upload it under a new id")]
    BlobExists(String),
    /// An uploaded blob is not what its headers promised (length, hash, or
    /// not an encrypted stream of this member and blob); nothing was stored.
    #[error("{1}; nothing was stored")]
    BlobMismatch(&'static str, String),
    /// The access could not be logged, so it did not happen.
    #[error(transparent)]
    Log(#[from] datacoop_accesslog::LogError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for AccountError {
    fn from(e: diesel::result::Error) -> Self {
        AccountError::Store(StoreError::Query(e))
    }
}
