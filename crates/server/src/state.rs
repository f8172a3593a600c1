//! Shared state handed to every handler (no globals).

use datacoop_accounts::limiter::LoginLimiter;
use datacoop_accounts::Pepper;
use datacoop_auth::Tokens;
use datacoop_store::Db;

/// What handlers need: the database and the token machinery.
#[derive(Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Issues and checks access tokens.
    pub tokens: Tokens,
    /// Mixed into stored authentication hashes.
    pub pepper: Pepper,
    /// Failed-login counter.
    pub limiter: LoginLimiter,
    /// Signs access-log checkpoints.
    pub log_signer: std::sync::Arc<datacoop_accesslog::LogSigner>,
    /// Where blob ciphertext is stored.
    pub blobs: datacoop_store::BlobStore,
    /// Largest blob accepted, bytes.
    pub max_blob_bytes: u64,
}
