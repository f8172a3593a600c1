//! The crate's single error type: every failure says what the user can do next.

use std::io;

/// Everything that can go wrong in this crate, with a message a person can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server offered Argon2id parameters below the client's hard floor (a downgrade attempt or a misconfiguration).
    #[error(
        "the server asked for a weaker passphrase hash than this app accepts ({param} = {value}, \
         minimum {floor}); do not log in, and report this to the cooperative"
    )]
    KdfParamsBelowFloor {
        /// Which parameter: "memory_kib", "iterations" or "parallelism".
        param: &'static str,
        /// The value received.
        value: u32,
        /// The smallest value accepted.
        floor: u32,
    },
    /// The server offered Argon2id parameters so large they would exhaust this device.
    #[error(
        "the server asked for a passphrase hash too expensive for this device ({param} = {value}, \
         maximum {ceiling}); report this to the cooperative"
    )]
    KdfParamsAboveCeiling {
        /// Which parameter.
        param: &'static str,
        /// The value received.
        value: u32,
        /// The largest value accepted.
        ceiling: u32,
    },
    /// An empty passphrase was given.
    #[error("the passphrase is empty: enter your passphrase")]
    EmptyPassphrase,
    /// The key does not match the one this ciphertext was sealed with (checked by key commitment).
    #[error(
        "the {what} does not open with this key: check the passphrase or recovery code, \
         or that you are signed in to the right account"
    )]
    WrongKey {
        /// The object that failed to open.
        what: &'static str,
    },
    /// The key is right but the ciphertext or its bound context was changed.
    #[error(
        "the {what} was modified after it was sealed: do not trust it, and report it to the cooperative"
    )]
    Tampered {
        /// The object that failed to authenticate.
        what: &'static str,
    },
    /// A public-key sealed object failed to open: wrong recipient key or modified data (indistinguishable).
    #[error(
        "the {what} cannot be opened with this key, or it was modified: check that it was sealed \
         to this key, and report it if it was"
    )]
    CannotOpen {
        /// The object that failed to open.
        what: &'static str,
    },
    /// The bytes do not parse as the expected structure.
    #[error("the {what} is malformed ({reason}): it is damaged or is not datacoop data")]
    Malformed {
        /// The object that failed to parse.
        what: &'static str,
        /// Why it failed.
        reason: &'static str,
    },
    /// The bytes do not start with the datacoop envelope magic byte.
    #[error("this is not a datacoop envelope: it is damaged or comes from another program")]
    NotAnEnvelope,
    /// The envelope holds a different kind of object than the caller asked for.
    #[error("expected a {expected} envelope but found kind 0x{found:02x}: the server returned the wrong object")]
    WrongKind {
        /// The kind the caller expected.
        expected: &'static str,
        /// The kind byte found.
        found: u8,
    },
    /// The envelope's format version is unknown to this build.
    #[error(
        "the {kind} uses format version {version}, which this app does not know: update the app"
    )]
    UnsupportedVersion {
        /// The kind of envelope.
        kind: &'static str,
        /// The version byte found.
        version: u8,
    },
    /// The ciphertext names a different owner or place than the caller expected.
    #[error("the ciphertext belongs to a different {field}: the server returned the wrong item")]
    BindingMismatch {
        /// Which binding field differs.
        field: &'static str,
    },
    /// An object in an old format that cannot prove who wrote it (a version-1 device batch).
    #[error(
        "the {what} is in an old format (version 1) that does not prove which device wrote it: \
         the server could have made it; refuse it unless you re-seal it on purpose"
    )]
    Unauthenticated {
        /// The object.
        what: &'static str,
    },
    /// A recovery code was mistyped or is not a datacoop recovery code.
    #[error("the recovery code is not valid ({reason}): check it for typos")]
    InvalidRecoveryCode {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An encrypted stream ended before its final chunk.
    #[error("the encrypted file is incomplete (it ends before its last chunk): download it again")]
    StreamTruncated,
    /// A chunk of an encrypted stream failed to authenticate.
    #[error("chunk {index} of the encrypted file was modified, reordered, cut or followed by extra data: download it again")]
    StreamChunk {
        /// Zero-based index of the failing chunk.
        index: u64,
    },
    /// A public key is not a valid key of its type.
    #[error("the {what} is not a valid public key: the server sent a damaged or substituted key")]
    InvalidPublicKey {
        /// Which key.
        what: &'static str,
    },
    /// A signature does not verify for the given key, context and message.
    #[error("the signature does not verify: the signed data, its purpose or the key was changed")]
    InvalidSignature,
    /// The caller passed an argument outside what the format allows.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which argument.
        what: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The operating system's random number generator failed.
    #[error("the system's random number generator failed: try again, and restart the device if it persists")]
    Randomness,
    /// Reading or writing a stream failed.
    #[error("reading or writing the data failed: {0}")]
    Io(#[from] io::Error),
}

impl Error {
    /// A stable snake_case code for logs, APIs and test vectors (messages may change, codes do not).
    pub fn code(&self) -> &'static str {
        match self {
            Error::KdfParamsBelowFloor { .. } => "kdf_params_below_floor",
            Error::KdfParamsAboveCeiling { .. } => "kdf_params_above_ceiling",
            Error::EmptyPassphrase => "empty_passphrase",
            Error::WrongKey { .. } => "wrong_key",
            Error::Tampered { .. } => "tampered",
            Error::CannotOpen { .. } => "cannot_open",
            Error::Malformed { .. } => "malformed",
            Error::NotAnEnvelope => "not_an_envelope",
            Error::WrongKind { .. } => "wrong_kind",
            Error::UnsupportedVersion { .. } => "unsupported_version",
            Error::BindingMismatch { .. } => "binding_mismatch",
            Error::Unauthenticated { .. } => "unauthenticated",
            Error::InvalidRecoveryCode { .. } => "invalid_recovery_code",
            Error::StreamTruncated => "stream_truncated",
            Error::StreamChunk { .. } => "stream_chunk",
            Error::InvalidPublicKey { .. } => "invalid_public_key",
            Error::InvalidSignature => "invalid_signature",
            Error::InvalidInput { .. } => "invalid_input",
            Error::Randomness => "randomness",
            Error::Io(_) => "io",
        }
    }

    /// Recovers this crate's error from an `io::Error` returned by a stream's `Read`/`Write` impl.
    pub fn from_io(err: io::Error) -> Error {
        if err.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            if let Some(inner) = err.into_inner() {
                if let Ok(ours) = inner.downcast::<Error>() {
                    return *ours;
                }
            }
            return Error::Malformed {
                what: "stream",
                reason: "unrecoverable error",
            };
        }
        Error::Io(err)
    }

    /// Wraps this error for a `Read`/`Write` impl; [`Error::from_io`] gets it back.
    pub(crate) fn into_io(self) -> io::Error {
        match self {
            Error::Io(err) => err,
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        }
    }

    pub(crate) fn malformed(what: &'static str, reason: &'static str) -> Error {
        Error::Malformed { what, reason }
    }
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
