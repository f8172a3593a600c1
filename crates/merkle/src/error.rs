//! Typed errors, one enum per concern, each saying what went wrong in words a caller can
//! pass on (the server maps them to HTTP in one place; the CLI prints them).

use thiserror::Error;

/// Storage-side failures while building roots and proofs (server side).
#[derive(Debug, Error)]
pub enum TreeError {
    /// The hash store has no hash at this index: the tree is smaller than asked, or rows
    /// were deleted.
    #[error("no stored hash at index {index}: the tree is smaller than asked or was truncated")]
    MissingHash {
        /// Stored-hash index that was asked for.
        index: u64,
    },
    /// The reader broke its contract and returned a different number of hashes.
    #[error("hash reader returned {got} hashes for {asked} indexes")]
    ReaderMismatch {
        /// Number of indexes asked for.
        asked: usize,
        /// Number of hashes returned.
        got: usize,
    },
    /// An index outside the tree was asked for (leaf ≥ size, old size > new size).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// Sizes beyond 2^62 leaves are refused so that index arithmetic cannot overflow.
    #[error("tree size {size} is beyond the supported maximum of 2^62 leaves")]
    TreeTooLarge {
        /// The size that was refused.
        size: u64,
    },
    /// The backing store failed (database error, I/O); its message is kept as the source.
    #[error("hash storage failed: {0}")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// A bug in this crate: please report it.
    #[error("internal error in the merkle crate: {0}")]
    Internal(&'static str),
}

/// Why a proof was rejected (client side). Any of these means: do not trust the server's
/// answer; report it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProofError {
    /// Inclusion asked for a leaf index at or beyond the tree size.
    #[error("leaf index {index} is not inside a tree of size {size}")]
    IndexOutOfRange {
        /// Leaf index claimed.
        index: u64,
        /// Tree size claimed.
        size: u64,
    },
    /// The proof has more hashes than the sizes allow.
    #[error("proof has more hashes than a tree of these sizes needs")]
    ProofTooLong,
    /// The proof has fewer hashes than the sizes require.
    #[error("proof has fewer hashes than a tree of these sizes needs")]
    ProofTooShort,
    /// A consistency proof between different sizes cannot be empty (RFC 9162 §2.1.4.2 step 1).
    #[error("consistency proof between two different non-empty sizes is empty")]
    EmptyProof,
    /// The proof recomputes a different root than the checkpoint says.
    #[error("proof does not lead to the expected root hash")]
    RootMismatch,
    /// The consistency proof does not recompute the old root: the old tree was rewritten.
    #[error("consistency proof does not reproduce the old root: history was rewritten")]
    OldRootMismatch,
    /// The consistency proof does not recompute the new root.
    #[error("consistency proof does not reproduce the new root")]
    NewRootMismatch,
    /// The log claims to have shrunk.
    #[error("old tree size {old_size} is larger than new tree size {new_size}: the log shrank")]
    OldSizeGreater {
        /// Earlier size.
        old_size: u64,
        /// Later size.
        new_size: u64,
    },
    /// Equal sizes prove nothing, so the proof must be empty.
    #[error("sizes are equal but the proof is not empty")]
    EqualSizesNonEmptyProof,
    /// Two different roots for the same tree size: the log forked.
    #[error("two different roots for the same tree size: the log forked")]
    EqualSizesDifferentRoots,
    /// Nothing needs proving from the empty tree, so the proof must be empty.
    #[error("old tree is empty but the proof is not")]
    EmptyOldTreeNonEmptyProof,
    /// A tree of size 0 has one possible root, SHA-256 of nothing.
    #[error("old tree is empty but its root is not the empty-tree hash")]
    EmptyOldTreeWrongRoot,
}

/// Why a signed note or checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NoteError {
    /// Not a well-formed signed note (control characters, no blank line before the
    /// signatures, signature lines not of the form `— name base64`).
    #[error("malformed signed note: {0}")]
    Malformed(&'static str),
    /// The note carries more signature lines than we are willing to parse.
    #[error("note has more than {0} signatures")]
    TooManySignatures(usize),
    /// No signature by the trusted key: missing, or only other keys (or other key ids) signed.
    #[error("no signature by the trusted key {name}+{key_id:08x}")]
    NoTrustedSignature {
        /// Trusted key name.
        name: String,
        /// Trusted key id.
        key_id: u32,
    },
    /// A signature line names the trusted key but does not verify: forged or altered note.
    #[error("signature by {name}+{key_id:08x} does not verify: the note was altered or forged")]
    BadSignature {
        /// Trusted key name.
        name: String,
        /// Trusted key id.
        key_id: u32,
    },
    /// A verifier key string is not `<name>+<8 hex>+<base64(0x01 ‖ 32-byte key)>`.
    #[error("malformed verifier key: {0}")]
    BadVerifierKey(&'static str),
    /// A key name is empty or contains spaces or `+`.
    #[error("invalid key name {0:?}: it must be non-empty without spaces or '+'")]
    BadKeyName(String),
    /// The checkpoint body is not origin, size, root hash, one per line.
    #[error("malformed checkpoint: {0}")]
    BadCheckpoint(&'static str),
}
