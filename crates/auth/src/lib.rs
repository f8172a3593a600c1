//! Authentication machinery: short-lived JWT access tokens signed with
//! HMAC-SHA256 under a server secret (the server is their only verifier), and
//! rotating refresh tokens stored only as hashes, grouped in revocable sessions.
#![forbid(unsafe_code)]

pub mod device_token;
mod error;
mod provider;
mod secret;
pub mod sessions;
mod tokens;

pub use datacoop_api::auth::Role;
pub use error::AuthError;
pub use secret::TokenSecret;
pub use tokens::{Claims, TokenSettings, Tokens};

/// Seconds since the Unix epoch, the time unit of tokens and sessions.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
