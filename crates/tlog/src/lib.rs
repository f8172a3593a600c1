//! Named tamper-evident logs in the database, one machinery for all of them:
//! the access log today, the governance record chain next.
//!
//! A log is a [`LogId`]: a number and a name, with its own head row
//! (`log_head`), its own RFC 9162 tree in `log_hashes` (Go sumdb stored-hash
//! layout: an append reads at most ~62 hashes, a proof about 25, whatever the
//! size), its own signed checkpoints and, through its [`LogSigner`], its own
//! origin and key. What a leaf *is* belongs to the log's owner: the owner
//! encodes its entries, stores them in its own table, and hands this crate
//! their leaf hashes with [`append_leaves`] inside the transaction that does
//! what the entries record.
#![forbid(unsafe_code)]

mod append;
mod error;
mod head;
mod query;
mod reader;
mod signer;

pub use append::{append_leaves, reserve, store_leaves};
pub use error::LogError;
pub use head::{ensure, tree_size, LogId};
pub use query::{consistency_proof, inclusion_proofs, latest_checkpoint};
pub use signer::LogSigner;
