//! The access log on the wire: checkpoints, a member's own entries, proofs.

mod action;
mod entry;
mod entry_error;
mod sealed;

pub use action::Action;
pub use entry::{
    AccessEntry, Actor, MemberChain, ENTRY_VERSION, LEGACY_ENTRY_VERSION, MAX_EXTRA_LEN,
};
pub use entry_error::EntryError;
pub use sealed::{export_extra, leaf_of, SealedEntry, SEALED_ENTRY_VERSION};

use crate::b64::Base64Url;
use datacoop_merkle::Hash;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Most inclusion proofs in one request.
pub const MAX_PROOFS: usize = 1000;

/// The log's identity: what clients pin to check checkpoint signatures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LogKey {
    /// The checkpoint origin line (the log's name).
    pub origin: String,
    /// The note verifier key, `<name>+<hex key id>+<base64(0x01 ‖ Ed25519 public key)>`.
    pub verifier_key: String,
}

/// The latest signed checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LogCheckpoint {
    /// The C2SP tlog-checkpoint signed note, verbatim.
    pub checkpoint: String,
}

/// One of the member's own entries.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LogEntryView {
    /// Leaf index in the log.
    pub index: u64,
    /// The canonical encoding, base64url: what is hashed as the leaf, except for a
    /// researcher's access, whose leaf is its sealed form ([`SealedEntry`], [`leaf_of`]).
    pub encoded: Base64Url,
    /// The decoded entry, for display; absent when the stored bytes do not
    /// decode (a damaged or tampered row, shown rather than hidden).
    #[schema(value_type = Option<Object>)]
    pub entry: Option<AccessEntry>,
}

/// A page of entries.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LogEntryPage {
    /// Entries in index order.
    pub items: Vec<LogEntryView>,
    /// Pass as `after` for the next page; absent on the last.
    pub next_after: Option<u64>,
}

/// Filters of `GET /api/v1/log/entries`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LogEntryQuery {
    /// Actor kind: member, device, researcher, steward, server.
    pub actor: Option<String>,
    /// Action, e.g. record_read, login, key_published.
    pub action: Option<String>,
    /// Study id.
    pub study: Option<Uuid>,
    /// At or after (RFC 3339).
    pub from: Option<String>,
    /// Before (RFC 3339).
    pub to: Option<String>,
    /// Cursor: the `next_after` of the previous page.
    pub after: Option<u64>,
    /// Page size (default 100, at most 1000).
    pub limit: Option<u32>,
}

/// Body of `POST /api/v1/log/proofs/inclusion`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InclusionRequest {
    /// Tree size of the checkpoint to prove against.
    pub tree_size: u64,
    /// Leaf indexes (at most `MAX_PROOFS`).
    pub indexes: Vec<u64>,
}

/// Inclusion proofs, one per requested index, in order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InclusionProofs {
    /// Tree size they prove against.
    pub tree_size: u64,
    /// Leaf hash of each index (standard base64).
    #[schema(value_type = Vec<String>)]
    pub leaf_hashes: Vec<Hash>,
    /// Audit paths (standard base64 hashes).
    #[schema(value_type = Vec<Vec<String>>)]
    pub proofs: Vec<Vec<Hash>>,
}

/// Query of `GET /api/v1/log/proofs/consistency`.
#[derive(Debug, Clone, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The older tree size.
    pub from: u64,
    /// The newer tree size.
    pub to: u64,
}

/// A consistency proof between two sizes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsistencyProof {
    /// Older size.
    pub from: u64,
    /// Newer size.
    pub to: u64,
    /// The proof (standard base64 hashes).
    #[schema(value_type = Vec<String>)]
    pub proof: Vec<Hash>,
}
