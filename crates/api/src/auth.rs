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
    /// A member (the default where a message predates roles).
    pub fn member() -> Role {
        Role::Member
    }

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
#[derive(Clone, Serialize, Deserialize, ToSchema)]
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

/// Both tokens are bearer secrets: `Debug` shows only their lifetimes.
impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair")
            .field("access_token", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &"[redacted]")
            .field("refresh_expires_in", &self.refresh_expires_in)
            .finish_non_exhaustive()
    }
}

/// Body of `POST /api/v1/auth/refresh` and `POST /api/v1/auth/logout`.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token last received.
    pub refresh_token: String,
}

/// The refresh token is a bearer secret: `Debug` never shows it.
impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshRequest { refresh_token: \"[redacted]\" }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_token() {
        let pair = TokenPair {
            access_token: "eyJ-access-secret".into(),
            token_type: "Bearer".into(),
            expires_in: 900,
            refresh_token: "refresh-secret".into(),
            refresh_expires_in: 86400,
        };
        let refresh = RefreshRequest {
            refresh_token: "refresh-secret".into(),
        };
        for text in [format!("{pair:?}"), format!("{refresh:?}")] {
            assert!(!text.contains("secret"), "{text}");
            assert!(text.contains("[redacted]"), "{text}");
        }
    }
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
