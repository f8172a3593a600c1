//! The authentication error type.

use datacoop_store::StoreError;

/// Why a token or session was refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    #[error("this endpoint needs an access token: send `Authorization: Bearer <token>`")]
    MissingToken,
    /// The access token has expired.
    #[error("the access token has expired: get a new one with your refresh token or log in again")]
    Expired,
    /// The token is malformed, tampered with, signed by another key or meant for another audience.
    #[error("the access token is not valid here: log in again")]
    InvalidToken,
    /// Unknown email or wrong passphrase (deliberately indistinguishable).
    #[error("unknown email or wrong passphrase; check both, or recover the account with your recovery code")]
    InvalidCredentials,
    /// The token is valid but its role may not call this endpoint.
    #[error("a {0} token may not do this")]
    Forbidden(&'static str),
    /// A device token was sent where only a member may act.
    #[error("a device token can only add records (POST /api/v1/device/records); it cannot read or list anything")]
    DeviceTokenNotAllowed,
    /// The device token is unknown or was revoked.
    #[error("this device token is not valid (unknown or revoked): ask the member for a new one with `datacoop devices add`")]
    InvalidDeviceToken,
    /// The refresh token is unknown, expired, or its session was revoked.
    #[error("the refresh token is not valid: log in again")]
    InvalidRefresh,
    /// A refresh token was presented twice: the session is revoked as a precaution.
    #[error("this refresh token was already used, so the session has been revoked: log in again")]
    RefreshReused,
    /// The server's signing secret could not be loaded or created.
    #[error("token signing secret: {0}")]
    Secret(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for AuthError {
    fn from(e: diesel::result::Error) -> Self {
        AuthError::Store(StoreError::Query(e))
    }
}
