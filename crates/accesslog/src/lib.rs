//! The access log members can trust: every access to a member's data is an
//! entry, appended inside the transaction that performs the access (if the
//! entry cannot be written, the access fails with it).
//!
//! Entries ([`AccessEntry`], the access log's own type, defined with its
//! canonical encoding in `datacoop_api::log` so clients decode it too) live in
//! `log_entries`, with columns for a member's filters; their leaf hashes go
//! to log [`LogId::ACCESS`](datacoop_tlog::LogId::ACCESS) of the named-log
//! machinery ([`datacoop_tlog`]), which keeps the tree, the checkpoints and
//! the proofs.
#![forbid(unsafe_code)]

mod append;
mod query;

pub use append::{append, entry, install};
pub use query::{
    consistency_proof, entries_for_member, inclusion_proofs, latest_checkpoint, sealed_entries,
};

pub use datacoop_api::log::{AccessEntry, Action, Actor};
pub use datacoop_tlog::{LogError, LogSigner};
