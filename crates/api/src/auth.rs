//! Tokens: short-lived access tokens and rotating refresh tokens.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// What kind of party a token speaks for; every endpoint checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A member of the cooperative, owner of a data account.
    Member,
    /// A researcher acting for a study.
    Researcher,
    /// A steward: board or ethics committee.
    Steward,
}

impl Role {
    /// The wire name, as used in tokens and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Researcher => "researcher",
            Role::Steward => "steward",
        }
    }
}

/// A fresh pair of tokens, returned at login and on every refresh.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenPair {
    /// Bearer token for `Authorization: Bearer …`; short-lived.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Single-use token that buys the next pair; rotated on every use.
    pub refresh_token: String,
    /// Seconds until the refresh token expires if unused.
    pub refresh_expires_in: u64,
}

/// Body of `POST /api/v1/auth/refresh` and `POST /api/v1/auth/logout`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token last received.
    pub refresh_token: String,
}

/// Who the presented access token speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WhoAmI {
    /// The account the token was issued to.
    pub subject: Uuid,
    /// Its role.
    pub role: Role,
    /// The session (refresh-token family) the token belongs to.
    pub session: Uuid,
    /// Expiry of the access token, seconds since the Unix epoch.
    pub expires_at: u64,
}
