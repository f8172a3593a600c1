//! Why an access-log entry's bytes were refused.

use thiserror::Error;

/// Why an encoded access-log entry could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EntryError {
    /// Bytes end before the entry does.
    #[error("entry is truncated: needed {needed} more bytes at offset {offset}")]
    Truncated {
        /// Offset at which more bytes were needed.
        offset: usize,
        /// How many more bytes were needed.
        needed: usize,
    },
    /// Bytes continue after a complete entry.
    #[error("entry has {0} trailing bytes after its end")]
    TrailingBytes(usize),
    /// Entry written by a newer encoding: update the client.
    #[error("entry encoding version {0} is not supported by this client: update it")]
    UnsupportedVersion(u8),
    /// Unknown actor kind byte.
    #[error("unknown actor kind {0}")]
    UnknownActorKind(u8),
    /// Unknown action code: written by a newer server; update the client.
    #[error("unknown action code {0}: update the client")]
    UnknownAction(u16),
    /// An optional-field flag byte other than 0 or 1.
    #[error("invalid presence flag {flag} at offset {offset}")]
    InvalidFlag {
        /// Offset of the flag byte.
        offset: usize,
        /// Value found.
        flag: u8,
    },
    /// The extra bytes are over the limit.
    #[error("extra data is {len} bytes, over the limit of {max}")]
    ExtraTooLong {
        /// Length given.
        len: usize,
        /// Maximum allowed.
        max: usize,
    },
}
