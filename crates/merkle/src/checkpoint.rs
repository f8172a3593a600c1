//! Signed tree heads in the C2SP tlog-checkpoint format (c2sp.org/tlog-checkpoint):
//! `origin\nsize\nbase64(root)\n` inside a signed note.

use ring::signature::Ed25519KeyPair;
use serde::{Deserialize, Serialize};

use crate::error::NoteError;
use crate::hash::Hash;
use crate::note::{open_note, sign_note, VerifierKey};

/// A tree head: the log named `origin` had `size` leaves with root hash `root`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Log identity, e.g. `coop.example/accesslog`.
    pub origin: String,
    /// Number of leaves.
    pub size: u64,
    /// RFC 9162 root hash of those leaves.
    pub root: Hash,
}

impl Checkpoint {
    /// The note text that gets signed: three lines, each ending in a newline.
    pub fn to_note_text(&self) -> Result<String, NoteError> {
        if self.origin.is_empty() {
            return Err(NoteError::BadCheckpoint("origin is empty"));
        }
        if self.origin.chars().any(|c| c < ' ') {
            return Err(NoteError::BadCheckpoint(
                "origin contains a newline or control character",
            ));
        }
        Ok(format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64()
        ))
    }

    /// Parses a checkpoint's note text (already verified), refusing anything but exactly
    /// the three lines: extension lines are not used by this log and so are rejected.
    pub fn from_note_text(text: &str) -> Result<Self, NoteError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(NoteError::BadCheckpoint("text must end with a newline"))?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(NoteError::BadCheckpoint(
                "expected origin, size and root hash lines",
            ));
        };
        if lines.next().is_some() {
            return Err(NoteError::BadCheckpoint(
                "unexpected extra lines after the root hash",
            ));
        }
        if origin.is_empty() {
            return Err(NoteError::BadCheckpoint("origin is empty"));
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size: parse_size(size)?,
            root: Hash::from_base64(root).ok_or(NoteError::BadCheckpoint(
                "root hash is not base64 of 32 bytes",
            ))?,
        })
    }
}

/// Signs a checkpoint with the log's Ed25519 key; returns the signed note text.
pub fn sign_checkpoint(
    checkpoint: &Checkpoint,
    key_name: &str,
    key: &Ed25519KeyPair,
) -> Result<String, NoteError> {
    sign_note(&checkpoint.to_note_text()?, key_name, key)
}

/// Verifies a signed checkpoint against the pinned verifier key string and parses it.
///
/// The caller still checks that `origin` is the log it expects.
pub fn parse_and_verify_checkpoint(
    signed: &str,
    verifier_key: &str,
) -> Result<Checkpoint, NoteError> {
    let vkey = VerifierKey::parse(verifier_key)?;
    verify_checkpoint(signed, &vkey)
}

/// Like [`parse_and_verify_checkpoint`] with an already parsed key.
pub fn verify_checkpoint(signed: &str, verifier: &VerifierKey) -> Result<Checkpoint, NoteError> {
    Checkpoint::from_note_text(open_note(signed, verifier)?)
}

/// Decimal without sign or leading zeros (except "0"), fitting in a u64.
fn parse_size(text: &str) -> Result<u64, NoteError> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if !canonical {
        return Err(NoteError::BadCheckpoint(
            "tree size must be decimal without leading zeros",
        ));
    }
    text.parse()
        .map_err(|_| NoteError::BadCheckpoint("tree size is too large"))
}
