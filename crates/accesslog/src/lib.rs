//! The access log members can trust, stored in the database.
//!
//! Entries are leaves of an RFC 9162 Merkle tree ([`datacoop_merkle`]); the
//! tree's stored hashes live in `log_hashes`, so an append reads at most ~62
//! hashes and a proof about 25, whatever the size. Every access path calls
//! [`append`] inside the transaction that performs the access: if the entry
//! cannot be written, the access fails with it.
#![forbid(unsafe_code)]

mod append;
mod error;
mod query;
mod reader;
mod signer;

pub use append::{append, entry, install};
pub use error::LogError;
pub use query::{
    consistency_proof, entries_for_member, inclusion_proofs, latest_checkpoint, tree_size,
};
pub use signer::LogSigner;

pub use datacoop_merkle::{AccessEntry, Action, Actor};
