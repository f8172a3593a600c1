//! The application layer: every use case of the cooperative is one method
//! of [`App`], which owns its transaction and its log entries. Route handlers
//! extract, call one method and respond; domain crates (`accounts`, and next
//! `consent` and `governance`) provide functions on a connection. This crate
//! knows nothing of HTTP. Where a new use case goes: docs/architecture.md.
#![forbid(unsafe_code)]

mod auth;
mod blobs;
mod caller;
mod clock;
mod consents;
mod datasets;
mod devices;
mod erase;
mod error;
mod governance;
mod log;
mod members;
mod notices;
mod records;
mod research;

pub use caller::{DeviceCaller, MemberCaller, ResearcherCaller, StudyReader};
pub use clock::Clock;
pub use datasets::DatasetStream;
pub use error::AppError;
pub use governance::GovernanceSettings;

use datacoop_accesslog::LogSigner;
use datacoop_accounts::{Hasher, Pepper};
use datacoop_auth::Tokens;
use datacoop_store::limiter::{LoginLimiter, Policy, RateLimiter};
use datacoop_store::{BlobStore, Db, PermitStats};
use std::sync::Arc;
use std::time::Duration;

/// Limits and choices of the operator that use cases apply.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest blob accepted, bytes.
    pub max_blob_bytes: u64,
    /// Most ciphertext bytes of one member's files together (0: no quota).
    pub blob_quota_bytes: u64,
    /// Server-side passphrase hashes allowed at once (each holds 19 MiB); at least 1.
    pub max_concurrent_hashes: usize,
    /// Longest a request waits for a hashing permit before it is told the server is busy.
    pub hash_wait: Duration,
    /// Free failures and the growing wait, per account (email).
    pub failures_per_account: Policy,
    /// Free failures and the growing wait, per client address.
    pub failures_per_address: Policy,
    /// New accounts per client address per minute (0: no limit).
    pub registrations_per_minute: u32,
    /// Governance: rules, stewards, invitations.
    pub governance: GovernanceSettings,
    /// Study copies per page of a dataset download.
    pub dataset_page_copies: u32,
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
    /// Signs governance-log checkpoints.
    pub governance_log: LogSigner,
    /// Sends the outbox's notices over SMTP (none: notices are queued, not sent).
    pub mailer: Option<datacoop_notices::Mailer>,
    /// The clock use cases decide by.
    pub clock: Clock,
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
    hasher: Hasher,
    limiter: LoginLimiter,
    registrations: RateLimiter,
    access_log: Arc<LogSigner>,
    governance_log: Arc<LogSigner>,
    mailer: Option<datacoop_notices::Mailer>,
    clock: Clock,
    settings: Settings,
}

impl App {
    /// Assembles the application from what start-up prepared.
    pub fn new(parts: Parts) -> App {
        App {
            db: parts.db,
            blobs: parts.blobs,
            tokens: parts.tokens,
            hasher: Hasher::new(
                parts.pepper,
                parts.settings.max_concurrent_hashes,
                parts.settings.hash_wait,
            ),
            limiter: LoginLimiter::new(
                parts.settings.failures_per_account,
                parts.settings.failures_per_address,
            ),
            registrations: RateLimiter::per_minute(parts.settings.registrations_per_minute),
            access_log: Arc::new(parts.access_log),
            governance_log: Arc::new(parts.governance_log),
            mailer: parts.mailer,
            clock: parts.clock,
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

    /// Passphrase hashes run and requests refused as busy since start (for metrics).
    pub fn hash_stats(&self) -> PermitStats {
        self.hasher.stats()
    }
}
