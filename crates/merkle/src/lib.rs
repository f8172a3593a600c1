//! Pure core of datacoop's tamper-evident logs (the access log, the governance
//! record chain), shared by the server (which stores tree nodes and
//! builds proofs) and the client (which verifies them):
//!
//! - RFC 9162 Merkle tree hashing ([`leaf_hash`], [`node_hash`]);
//! - the stored-hash layout for cheap appends and O(log n) proofs over any [`HashReader`]
//!   ([`stored_hashes_for_append`], [`tree_hash`], [`prove_inclusion`], [`prove_consistency`]);
//! - the RFC 9162 verifiers ([`verify_inclusion`], [`verify_consistency`]);
//! - C2SP signed-note checkpoints ([`sign_checkpoint`], [`parse_and_verify_checkpoint`]).
//!
//! No I/O, no database, no async: storage comes in through [`HashReader`].
#![forbid(unsafe_code)]

mod checkpoint;
mod error;
mod hash;
mod memory;
mod note;
mod prove;
mod stored;
mod verify;

pub use checkpoint::{parse_and_verify_checkpoint, sign_checkpoint, verify_checkpoint, Checkpoint};
pub use error::{NoteError, ProofError, TreeError};
pub use hash::{leaf_hash, node_hash, Hash, EMPTY_ROOT, HASH_LEN, LEAF_PREFIX, NODE_PREFIX};
pub use memory::MemoryHashStore;
pub use note::{
    key_id, open_note, sign_note, verifier_key_string, VerifierKey, ALG_ED25519, MAX_SIGNATURES,
};
pub use prove::{
    consistency_read_count, inclusion_read_count, leaf_hash_at, prove_consistency, prove_inclusion,
    tree_hash,
};
pub use stored::{
    split_stored_hash_index, stored_hash_count, stored_hash_index, stored_hashes_for_append,
    stored_hashes_for_batch, stored_hashes_for_leaf_hash, HashReader, MAX_TREE_SIZE,
};
pub use verify::{verify_consistency, verify_inclusion};
