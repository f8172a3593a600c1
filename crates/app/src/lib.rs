//! The application layer: every use case of the cooperative is one method
//! of [`App`], which owns its transaction and its log entries. Route handlers
//! extract, call one method and respond; domain crates (`accounts`, and next
//! `consent` and `governance`) provide functions on a connection. This crate
//! knows nothing of HTTP. Where a new use case goes: docs/architecture.md.
#![forbid(unsafe_code)]

mod auth;
mod blobs;
mod caller;
mod devices;
mod erase;
mod error;
mod log;
mod members;
mod records;

pub use caller::{DeviceCaller, MemberCaller};
pub use error::AppError;

use datacoop_accesslog::LogSigner;
use datacoop_accounts::Pepper;
use datacoop_auth::Tokens;
use datacoop_store::limiter::LoginLimiter;
use datacoop_store::{BlobStore, Db};
use std::sync::Arc;

/// Limits and choices of the operator that use cases apply.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest blob accepted, bytes.
    pub max_blob_bytes: u64,
}

/// What the server prepared at start-up, handed to [`App::new`].
#[derive(Debug)]
pub struct Parts {
    /// The database (access log installed as its group finisher).
    pub db: Db,
    /// Where blob ciphertext is stored.
    pub blobs: BlobStore,
    /// Issues and checks access tokens.
    pub tokens: Tokens,
    /// Mixed into stored authentication hashes.
    pub pepper: Pepper,
    /// Signs access-log checkpoints.
    pub access_log: LogSigner,
    /// Operator limits.
    pub settings: Settings,
}

/// The cooperative's use cases, over one database, blob store, token issuer
/// and log signer. Cheap to share: the server holds one.
#[derive(Debug)]
pub struct App {
    db: Db,
    blobs: BlobStore,
    tokens: Tokens,
    pepper: Pepper,
    limiter: LoginLimiter,
    access_log: Arc<LogSigner>,
    settings: Settings,
}

impl App {
    /// Assembles the application from what start-up prepared.
    pub fn new(parts: Parts) -> App {
        App {
            db: parts.db,
            blobs: parts.blobs,
            tokens: parts.tokens,
            pepper: parts.pepper,
            limiter: LoginLimiter::default(),
            access_log: Arc::new(parts.access_log),
            settings: parts.settings,
        }
    }

    /// The database (health checks, metrics and tests reach it here).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The blob store.
    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// The token issuer (tests mint tokens with it).
    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    /// The operator's limits.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}
