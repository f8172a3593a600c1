//! Sealed entries: how the log hashes a researcher's access (a dataset export) so that
//! the researcher can check it is in the log without learning whose data it was.
//!
//! A sealed entry's leaf data keeps the member part (member, place in the member's
//! chain, consent, blinding) behind a commitment, and the rest in clear:
//!
//! ```text
//! u8       version = 3
//! [u8;32]  member part = SHA-256("datacoop/v1/log/sealed-member" ‖ 0x00 ‖ the full entry)
//! u64      time, unix microseconds
//! u8       actor kind, then its ids (as in the full entry)
//! u16      action code
//! u8+[16]  record id:  0 absent | 1 present + uuid
//! u8+[16]  study id:   0 absent | 1 present + uuid
//! u8       extra: 0 absent | 1 present, then u16 length + bytes (≤ 4096)
//! ```
//!
//! "The full entry" is [`AccessEntry::encode`] (version 2): the member holds it and
//! recomputes the commitment; the researcher holds only the sealed form, which the
//! full entry's 16 random blinding bytes keep from being confirmed by guessing.

use super::entry::{put_actor, put_extra, put_ids, Reader};
use super::{AccessEntry, Action, Actor, EntryError};
use datacoop_merkle::{leaf_hash, Hash};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The version byte of a sealed entry's leaf data.
pub const SEALED_ENTRY_VERSION: u8 = 3;

const MEMBER_PART_CONTEXT: &[u8] = b"datacoop/v1/log/sealed-member";

/// What a researcher sees of an entry of their own access: everything but the member part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedEntry {
    /// Commitment to the member part.
    pub member_part: Hash,
    /// When it happened, unix microseconds.
    pub time_micros: u64,
    /// Who did it.
    pub actor: Actor,
    /// What was done.
    pub action: Action,
    /// The record concerned, if any.
    pub record: Option<Uuid>,
    /// The study concerned, if any.
    pub study: Option<Uuid>,
    /// Action-specific bytes.
    pub extra: Option<Vec<u8>>,
}

impl SealedEntry {
    /// The sealed form of a full entry.
    pub fn of(entry: &AccessEntry) -> Result<Self, EntryError> {
        let full = entry.encode()?;
        let mut h = ring::digest::Context::new(&ring::digest::SHA256);
        h.update(MEMBER_PART_CONTEXT);
        h.update(&[0]);
        h.update(&full);
        let mut member_part = [0u8; 32];
        member_part.copy_from_slice(h.finish().as_ref());
        Ok(SealedEntry {
            member_part: Hash(member_part),
            time_micros: entry.time_micros,
            actor: entry.actor,
            action: entry.action,
            record: entry.record,
            study: entry.study,
            extra: entry.extra.clone(),
        })
    }

    /// The leaf data.
    pub fn encode(&self) -> Result<Vec<u8>, EntryError> {
        let mut out = Vec::with_capacity(96);
        out.push(SEALED_ENTRY_VERSION);
        out.extend_from_slice(self.member_part.as_bytes());
        out.extend_from_slice(&self.time_micros.to_be_bytes());
        put_actor(&mut out, &self.actor);
        out.extend_from_slice(&self.action.code().to_be_bytes());
        put_ids(&mut out, &[self.record, self.study]);
        put_extra(&mut out, self.extra.as_deref())?;
        Ok(out)
    }

    /// Parses sealed leaf data; any other input is an error, never a panic.
    pub fn decode(bytes: &[u8]) -> Result<Self, EntryError> {
        let mut r = Reader { bytes, at: 0 };
        let version = r.u8()?;
        if version != SEALED_ENTRY_VERSION {
            return Err(EntryError::UnsupportedVersion(version));
        }
        let member_part = Hash(r.array::<32>()?);
        let time_micros = u64::from_be_bytes(r.array::<8>()?);
        let actor = r.actor()?;
        let code = u16::from_be_bytes(r.array::<2>()?);
        let action = Action::from_code(code).ok_or(EntryError::UnknownAction(code))?;
        let record = r.optional_uuid()?;
        let study = r.optional_uuid()?;
        let extra = r.extra()?;
        if r.at != bytes.len() {
            return Err(EntryError::TrailingBytes(bytes.len() - r.at));
        }
        Ok(SealedEntry {
            member_part,
            time_micros,
            actor,
            action,
            record,
            study,
            extra,
        })
    }

    /// The leaf hash, SHA-256(0x00 ‖ encode()).
    pub fn leaf_hash(&self) -> Result<Hash, EntryError> {
        Ok(leaf_hash(&self.encode()?))
    }
}

/// The leaf hash of an entry as the server stores and lists it (its full encoding):
/// of its sealed form if it is sealed, else of the bytes themselves (also when they do
/// not decode, so a damaged row still has the hash it is listed under).
pub fn leaf_of(encoded: &[u8]) -> Hash {
    match AccessEntry::decode(encoded) {
        Ok(e) if e.is_sealed() => e.leaf_hash().unwrap_or_else(|_| leaf_hash(encoded)),
        _ => leaf_hash(encoded),
    }
}

/// The `extra` of a dataset export's entry: the export's id, then the participant's
/// pseudonym in the study (what the researcher's client looks for in the log).
pub fn export_extra(export: Uuid, pseudonym: Uuid) -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    out.extend_from_slice(export.as_bytes());
    out.extend_from_slice(pseudonym.as_bytes());
    out
}
