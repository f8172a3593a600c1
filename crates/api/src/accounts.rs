//! Registration and login: the passphrase never leaves the client; only an
//! authentication key derived from it, and key material sealed on the client.

use crate::auth::TokenPair;
use crate::b64::Base64Url;
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
    pub kdf_params: Base64Url,
    /// Authentication key derived from the passphrase, base64url.
    pub auth_key: Base64Url,
    /// Vault key sealed under the key-encryption key, base64url.
    pub sealed_vault_key: Base64Url,
    /// Vault key sealed under the recovery key, base64url.
    pub recovery_vault_key: Base64Url,
    /// The recovery code's Ed25519 public key (32 bytes), base64url: a recovery must be
    /// signed by the key the code derives (docs/crypto.md section 7.1).
    pub recovery_public_key: Base64Url,
    /// Public keys envelope (X25519 for HPKE, Ed25519), base64url.
    pub public_keys: Base64Url,
    /// Private keys sealed under the vault key, base64url.
    pub sealed_member_keys: Base64Url,
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
    pub kdf_params: Base64Url,
}

/// Body of `POST /api/v1/auth/login`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    pub email: String,
    /// Authentication key derived from the passphrase, base64url.
    pub auth_key: Base64Url,
    /// Name of this device or session, shown in the session list.
    #[serde(default)]
    pub label: Option<String>,
}

/// Tokens and the sealed key material the client opens locally.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    /// The account.
    pub member_id: Uuid,
    /// The role the tokens carry: `member`, or `researcher` for a researcher's account.
    #[serde(default = "crate::auth::Role::member")]
    pub role: crate::auth::Role,
    /// Access and refresh tokens.
    pub tokens: TokenPair,
    /// Vault key sealed under the key-encryption key, base64url.
    pub sealed_vault_key: Base64Url,
    /// Private keys sealed under the vault key, base64url.
    pub sealed_member_keys: Base64Url,
    /// Public keys envelope, base64url.
    pub public_keys: Base64Url,
}

/// Body of `PUT /api/v1/members/me/passphrase`: new login material, the vault key re-sealed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassphraseChange {
    /// Authentication key of the current passphrase (the proof), base64url.
    pub current_auth_key: Base64Url,
    /// New passphrase KDF parameters envelope (fresh salt), base64url.
    pub kdf_params: Base64Url,
    /// Authentication key of the new passphrase, base64url.
    pub auth_key: Base64Url,
    /// Vault key sealed under the new key-encryption key, base64url.
    pub sealed_vault_key: Base64Url,
}

/// Answer to a passphrase change or a recovery: which sessions ended.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginMaterialReplaced {
    /// The account.
    pub member_id: Uuid,
    /// How many other sessions were revoked (their access tokens lapse within the access-token lifetime).
    pub sessions_revoked: u64,
}

/// Body of `POST /api/v1/auth/recovery/start`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryStartRequest {
    /// Login name of the account to recover.
    pub email: String,
}

/// What the recovery code opens, and the challenge to sign (a stable decoy for unknown emails).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecoveryStart {
    /// The account (bound into the sealed keys).
    pub member_id: Uuid,
    /// Vault key sealed under the recovery key (box 0x11), base64url.
    pub recovery_vault_key: Base64Url,
    /// Private keys sealed under the vault key (box 0x12), base64url.
    pub sealed_member_keys: Base64Url,
    /// Server challenge to sign, opaque, valid for a few minutes and for one recovery, base64url.
    pub challenge: Base64Url,
    /// True for an account from before datacoop 0.2, which has no recovery public key:
    /// its proof is signed with the member's own key (opened with the recovery code).
    #[serde(default)]
    pub legacy_proof: bool,
}

/// Body of `POST /api/v1/auth/recovery/complete`: new login material and the signed proof.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryComplete {
    /// Login name of the account to recover.
    pub email: String,
    /// The challenge from `recovery/start`, base64url.
    pub challenge: Base64Url,
    /// New passphrase KDF parameters envelope, base64url.
    pub kdf_params: Base64Url,
    /// Authentication key of the new passphrase, base64url.
    pub auth_key: Base64Url,
    /// Vault key sealed under the new key-encryption key, base64url.
    pub sealed_vault_key: Base64Url,
    /// Vault key sealed under a NEW recovery key (the used code stops working), base64url.
    pub new_recovery_vault_key: Base64Url,
    /// The new recovery code's Ed25519 public key (32 bytes), base64url.
    pub new_recovery_public_key: Base64Url,
    /// Ed25519 signature (context `datacoop/v1/account-recovery`) over the request by the
    /// key the used recovery code derives, base64url.
    pub signature: Base64Url,
}

/// Body of `PUT /api/v1/members/me/recovery`: a new recovery code replaces the old one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryCodeChange {
    /// Authentication key of the current passphrase, base64url (proves it is the member).
    pub current_auth_key: Base64Url,
    /// Vault key sealed under the new recovery key (box 0x11), base64url.
    pub recovery_vault_key: Base64Url,
    /// The new recovery code's Ed25519 public key (32 bytes), base64url.
    pub recovery_public_key: Base64Url,
}

/// One of the caller's live sessions.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionInfo {
    /// Session id (revoke with `DELETE /api/v1/auth/sessions/{id}`).
    pub id: Uuid,
    /// The label given at login (device name), if any.
    pub label: Option<String>,
    /// Started (RFC 3339).
    pub created_at: String,
    /// Last token refresh (RFC 3339).
    pub last_used_at: String,
    /// Ends unless refreshed before (RFC 3339).
    pub expires_at: String,
    /// True for the session of the token that asked.
    pub current: bool,
}

/// Answer of `GET /api/v1/auth/sessions`, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionList {
    /// The live sessions.
    pub sessions: Vec<SessionInfo>,
}

/// Body of `DELETE /api/v1/members/me`: the passphrase, re-derived, as confirmation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountDeletion {
    /// Authentication key of the current passphrase, base64url.
    pub auth_key: Base64Url,
}

/// What account deletion removed, and what the cooperative keeps.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccountDeleted {
    /// The account that no longer exists.
    pub member_id: Uuid,
    /// Records deleted (their ciphertext is unreadable anywhere, backups included, once the sealed keys are gone).
    pub records_deleted: u64,
    /// Sessions ended and deleted.
    pub sessions_deleted: u64,
    /// Device tokens deleted (with the device batch keys).
    #[serde(default)]
    pub devices_deleted: u64,
    /// Blobs deleted, with their objects in the blob store (their wrapped keys went with the rows).
    #[serde(default)]
    pub blobs_deleted: u64,
    /// What is kept about the member, by name (the register entry, if the account was linked to one).
    pub kept: Vec<String>,
}

/// The form an email takes everywhere (stored, looked up, bound into the passphrase
/// derivation): trimmed and lower case; `None` if it is not an address.
pub fn normalise_email(email: &str) -> Option<String> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'));
    ok.then_some(e)
}

/// Most records plus blobs one key rotation re-wraps.
pub const MAX_ROTATION_ITEMS: usize = 200_000;

/// A record's data key as stored: what a key rotation re-wraps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordKeyWrap {
    /// Record id.
    pub id: Uuid,
    /// The record's current version (a wrap is bound to it).
    pub version: u64,
    /// The wrapped data key (box 0x21) or device reference (0x22), base64url.
    pub wrapped_key: Base64Url,
}

/// A page of `GET /api/v1/members/me/record-keys`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordKeyPage {
    /// Wrapped keys in record-id order.
    pub items: Vec<RecordKeyWrap>,
    /// Pass as `after` for the next page; absent on the last.
    pub next_after: Option<Uuid>,
}

/// Query of `GET /api/v1/members/me/record-keys`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecordKeyQuery {
    /// Cursor: the `next_after` of the previous page.
    pub after: Option<Uuid>,
    /// Page size (default 1000, at most 1000).
    pub limit: Option<u32>,
}

/// A blob's data key, wrapped anew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlobKeyWrap {
    /// Blob id.
    pub id: Uuid,
    /// The wrapped data key (box 0x21, bound to version 1), base64url.
    pub wrapped_key: Base64Url,
}

/// Body of `POST /api/v1/members/me/keys/rotation`: a new vault key and new member key
/// pairs, every data key wrapped anew under the new vault key, and a new recovery code.
/// Everything is made on the client; the server swaps it in one transaction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRotationRequest {
    /// Authentication key of the current passphrase, base64url (proves it is the member).
    pub current_auth_key: Base64Url,
    /// The new public keys (envelope 0x02), base64url.
    pub public_keys: Base64Url,
    /// The new private keys sealed under the new vault key (box 0x12), base64url.
    pub sealed_member_keys: Base64Url,
    /// The new vault key sealed under the passphrase's key-encryption key (box 0x10).
    pub sealed_vault_key: Base64Url,
    /// The new vault key sealed under the new recovery key (box 0x11).
    pub recovery_vault_key: Base64Url,
    /// The new recovery code's Ed25519 public key (32 bytes), base64url.
    pub recovery_public_key: Base64Url,
    /// Fingerprints (SHA-256 of the public-key envelope) of every key these replace,
    /// oldest first; must include the current keys.
    pub retired_keys: Vec<Base64Url>,
    /// The new signing key's signature over the rotation statement (docs/crypto.md 7.2).
    pub signature: Base64Url,
    /// Every record's data key wrapped under the new vault key, at its current version.
    pub records: Vec<RecordKeyWrap>,
    /// Every blob's data key wrapped under the new vault key.
    pub blobs: Vec<BlobKeyWrap>,
}

/// Answer of a key rotation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KeysRotated {
    /// The account.
    pub member_id: Uuid,
    /// Records whose data key was re-wrapped.
    pub records_rewrapped: u64,
    /// Blobs whose data key was re-wrapped.
    pub blobs_rewrapped: u64,
    /// Devices revoked (they hold the old public key; enrol them again).
    pub devices_revoked: u64,
    /// Other sessions ended.
    pub sessions_revoked: u64,
}
