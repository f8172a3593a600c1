//! Registration and login: the passphrase never leaves the client; only an
//! authentication key derived from it, and key material sealed on the client.

use crate::auth::TokenPair;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Body of `POST /api/v1/members`: a new data account, all keys sealed client-side.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Account id, chosen by the client (it is bound into the sealed keys).
    pub member_id: Uuid,
    /// Login name.
    pub email: String,
    /// Passphrase KDF parameters envelope (salt included), base64url.
    #[serde(with = "crate::b64")]
    #[schema(value_type = String, format = Byte)]
    pub kdf_params: Vec<u8>,
    /// Authentication key derived from the passphrase, base64url.
    #[serde(with = "crate::b64")]
    #[schema(value_type = String, format = Byte)]
    pub auth_key: Vec<u8>,
    /// Vault key sealed under the key-encryption key, base64url.
    #[serde(with = "crate::b64")]
    #[schema(value_type = String, format = Byte)]
    pub sealed_vault_key: Vec<u8>,
    /// Vault key sealed under the recovery key, base64url.
    #[serde(with = "crate::b64")]
    #[schema(value_type = String, format = Byte)]
    pub recovery_vault_key: Vec<u8>,
    /// Public keys envelope (X25519 for HPKE, Ed25519), base64url.
    #[serde(with = "crate::b64")]
    #[schema(value_type = String, format = Byte)]
    pub public_keys: Vec<u8>,
    /// Private keys sealed under the vault key, base64url.
    #[serde(with = "crate::b64")]
    #[schema(value_type = String, format = Byte)]
    pub sealed_member_keys: Vec<u8>,
}

/// Answer to registration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Registered {
    /// The new account.
    pub member_id: Uuid,
}

/// Body of `POST /api/v1/auth/prelogin`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreloginRequest {
    /// Login name.
    pub email: String,
}

/// KDF parameters for an email (plausible ones for unknown emails, so the
/// answer does not reveal who is a member).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PreloginResponse {
    /// Passphrase KDF parameters envelope, base64url. Clients must check them against their floor.
    #[serde(with = "crate::b64")]
    #[schema(value_type = String, format = Byte)]
    pub kdf_params: Vec<u8>,
}

/// Body of `POST /api/v1/auth/login`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    pub email: String,
    /// Authentication key derived from the passphrase, base64url.
    #[serde(with = "crate::b64")]
    #[schema(value_type = String, format = Byte)]
    pub auth_key: Vec<u8>,
    /// Name of this device or session, shown in the session list.
    #[serde(default)]
    pub label: Option<String>,
}

/// Tokens and the sealed key material the client opens locally.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    /// The account.
    pub member_id: Uuid,
    /// Access and refresh tokens.
    pub tokens: TokenPair,
    /// Vault key sealed under the key-encryption key, base64url.
    #[serde(with = "crate::b64")]
    #[schema(value_type = String, format = Byte)]
    pub sealed_vault_key: Vec<u8>,
    /// Private keys sealed under the vault key, base64url.
    #[serde(with = "crate::b64")]
    #[schema(value_type = String, format = Byte)]
    pub sealed_member_keys: Vec<u8>,
    /// Public keys envelope, base64url.
    #[serde(with = "crate::b64")]
    #[schema(value_type = String, format = Byte)]
    pub public_keys: Vec<u8>,
}
