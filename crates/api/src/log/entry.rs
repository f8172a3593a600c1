//! The access-log entry: what happened, to whose data, by whom, under which consent, and
//! its one canonical byte encoding (the leaf data of the tree).
//!
//! Layout (all integers big-endian):
//!
//! ```text
//! u8       version = 2 (1 for entries written before the member chain)
//! [u8;16]  blinding (random; makes the leaf hash reveal nothing guessable)
//! u64      time, unix microseconds
//! u8       actor kind: 1 member, 2 device, 3 researcher, 4 steward, 5 server
//! ...      actor ids: member/device/steward: uuid; researcher: uuid, study uuid; server: none
//! u16      action code (see `Action`)
//! [u8;16]  member whose data it concerns
//! u64      version 2 only: the member's sequence number (0 for their first entry)
//! [u8;32]  version 2 only: leaf hash of the member's previous entry (zeros for the first)
//! u8+[16]  record id:  0 absent | 1 present + uuid
//! u8+[16]  study id:   0 absent | 1 present + uuid
//! u8+[16]  consent id: 0 absent | 1 present + uuid
//! u8       extra: 0 absent | 1 present, then u16 length + bytes (≤ 4096)
//! ```
//!
//! Decoding accepts exactly the bytes encoding produces (no trailing bytes, flags 0 or 1,
//! known codes), so `encode(decode(b)) == b` whenever decoding succeeds.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use super::{Action, EntryError};
use datacoop_merkle::{leaf_hash, Hash};

/// Current encoding version, the first byte of every new entry.
pub const ENTRY_VERSION: u8 = 2;

/// The version of entries written before the member chain existed (no
/// sequence number, no previous hash); still decoded.
pub const LEGACY_ENTRY_VERSION: u8 = 1;

/// Where an entry stands in the chain of its member's entries (version 2):
/// the server numbers each member's entries 0, 1, 2, … and links each to
/// the previous one, so an entry it leaves out of a listing is a visible gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberChain {
    /// The member's own sequence number of this entry, from 0.
    pub seq: u64,
    /// Leaf hash of the member's previous entry; all zeros for seq 0.
    pub prev: Hash,
}

/// Largest `extra` payload accepted (a key fingerprint is 32 bytes).
pub const MAX_EXTRA_LEN: usize = 4096;

/// Who performed the access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A member acting on their own account.
    Member {
        /// Member id.
        id: Uuid,
    },
    /// One of a member's enrolled devices.
    Device {
        /// Device id.
        id: Uuid,
    },
    /// A researcher acting for a study.
    Researcher {
        /// Researcher id.
        id: Uuid,
        /// Study the researcher acted for.
        study: Uuid,
    },
    /// A cooperative steward (administrator).
    Steward {
        /// Steward id.
        id: Uuid,
    },
    /// The server itself (scheduled jobs, key publication); the log's origin names it.
    Server,
}

impl Actor {
    pub(super) fn kind_byte(&self) -> u8 {
        match self {
            Actor::Member { .. } => 1,
            Actor::Device { .. } => 2,
            Actor::Researcher { .. } => 3,
            Actor::Steward { .. } => 4,
            Actor::Server => 5,
        }
    }
}

/// One access-log entry, JSON-friendly (uuids as strings, bytes as base64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    /// Random 16 bytes so that a leaf hash shown to others cannot be confirmed by guessing
    /// the entry's contents.
    #[serde(with = "b64_array")]
    pub blinding: [u8; 16],
    /// When it happened, unix microseconds.
    pub time_micros: u64,
    /// Who did it.
    pub actor: Actor,
    /// What was done.
    pub action: Action,
    /// The member whose data it concerns.
    pub member: Uuid,
    /// Its place in the member's chain; absent only in version-1 entries.
    /// The log fills it in when it appends the entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<MemberChain>,
    /// The record (or blob) concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<Uuid>,
    /// The study concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub study: Option<Uuid>,
    /// The consent the access relied on, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Uuid>,
    /// Action-specific bytes, e.g. the fingerprint of a published key.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "b64_opt")]
    pub extra: Option<Vec<u8>>,
}

impl AccessEntry {
    /// Fresh random blinding bytes from the operating system.
    pub fn new_blinding() -> Result<[u8; 16], ring::error::Unspecified> {
        use ring::rand::SecureRandom as _;
        let mut out = [0u8; 16];
        ring::rand::SystemRandom::new().fill(&mut out)?;
        Ok(out)
    }

    /// The canonical bytes of this entry: the leaf data appended to the log.
    pub fn encode(&self) -> Result<Vec<u8>, EntryError> {
        let mut out = Vec::with_capacity(128);
        out.push(if self.chain.is_some() {
            ENTRY_VERSION
        } else {
            LEGACY_ENTRY_VERSION
        });
        out.extend_from_slice(&self.blinding);
        out.extend_from_slice(&self.time_micros.to_be_bytes());
        put_actor(&mut out, &self.actor);
        out.extend_from_slice(&self.action.code().to_be_bytes());
        out.extend_from_slice(self.member.as_bytes());
        if let Some(chain) = &self.chain {
            out.extend_from_slice(&chain.seq.to_be_bytes());
            out.extend_from_slice(chain.prev.as_bytes());
        }
        put_ids(&mut out, &[self.record, self.study, self.consent]);
        put_extra(&mut out, self.extra.as_deref())?;
        Ok(out)
    }

    /// Parses canonical entry bytes; any other input is an error, never a panic.
    pub fn decode(bytes: &[u8]) -> Result<Self, EntryError> {
        let mut r = Reader { bytes, at: 0 };
        let version = r.u8()?;
        if version != ENTRY_VERSION && version != LEGACY_ENTRY_VERSION {
            return Err(EntryError::UnsupportedVersion(version));
        }
        let blinding = r.array::<16>()?;
        let time_micros = u64::from_be_bytes(r.array::<8>()?);
        let actor = r.actor()?;
        let code = u16::from_be_bytes(r.array::<2>()?);
        let action = Action::from_code(code).ok_or(EntryError::UnknownAction(code))?;
        let member = r.uuid()?;
        let chain = if version == ENTRY_VERSION {
            Some(MemberChain {
                seq: u64::from_be_bytes(r.array::<8>()?),
                prev: Hash(r.array::<32>()?),
            })
        } else {
            None
        };
        let record = r.optional_uuid()?;
        let study = r.optional_uuid()?;
        let consent = r.optional_uuid()?;
        let extra = r.extra()?;
        if r.at != bytes.len() {
            return Err(EntryError::TrailingBytes(bytes.len() - r.at));
        }
        Ok(AccessEntry {
            blinding,
            time_micros,
            actor,
            action,
            member,
            chain,
            record,
            study,
            consent,
            extra,
        })
    }

    /// The leaf hash of this entry: SHA-256(0x00 ‖ leaf data), where the leaf data is
    /// [`encode`](Self::encode) itself, or for a researcher's access its sealed form
    /// ([`SealedEntry`](super::SealedEntry)).
    pub fn leaf_hash(&self) -> Result<Hash, EntryError> {
        Ok(leaf_hash(&self.leaf_data()?))
    }

    /// Whether the log keeps this entry's member part behind a commitment: entries of a
    /// researcher's access, in the member chain, so the researcher can check them
    /// in the log without learning whose they are.
    pub fn is_sealed(&self) -> bool {
        self.chain.is_some() && matches!(self.actor, Actor::Researcher { .. })
    }

    /// The bytes the log hashes as this entry's leaf: [`encode`](Self::encode), or for a
    /// sealed entry ([`is_sealed`](Self::is_sealed)) its sealed form.
    pub fn leaf_data(&self) -> Result<Vec<u8>, EntryError> {
        if self.is_sealed() {
            super::SealedEntry::of(self)?.encode()
        } else {
            self.encode()
        }
    }
}

/// Writes the actor: its kind byte, then its ids.
pub(super) fn put_actor(out: &mut Vec<u8>, actor: &Actor) {
    out.push(actor.kind_byte());
    match actor {
        Actor::Member { id } | Actor::Device { id } | Actor::Steward { id } => {
            out.extend_from_slice(id.as_bytes());
        }
        Actor::Researcher { id, study } => {
            out.extend_from_slice(id.as_bytes());
            out.extend_from_slice(study.as_bytes());
        }
        Actor::Server => {}
    }
}

/// Writes optional ids: 0 absent | 1 present + uuid.
pub(super) fn put_ids(out: &mut Vec<u8>, ids: &[Option<Uuid>]) {
    for id in ids {
        match id {
            None => out.push(0),
            Some(id) => {
                out.push(1);
                out.extend_from_slice(id.as_bytes());
            }
        }
    }
}

/// Writes the extra bytes: 0 absent | 1 present, u16 length, bytes.
pub(super) fn put_extra(out: &mut Vec<u8>, extra: Option<&[u8]>) -> Result<(), EntryError> {
    match extra {
        None => out.push(0),
        Some(extra) => {
            let len = u16::try_from(extra.len())
                .ok()
                .filter(|_| extra.len() <= MAX_EXTRA_LEN)
                .ok_or(EntryError::ExtraTooLong {
                    len: extra.len(),
                    max: MAX_EXTRA_LEN,
                })?;
            out.push(1);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(extra);
        }
    }
    Ok(())
}

/// Bounds-checked cursor over untrusted bytes.
pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
}

impl Reader<'_> {
    pub(super) fn take(&mut self, len: usize) -> Result<&[u8], EntryError> {
        let available = self.bytes.len() - self.at;
        if len > available {
            return Err(EntryError::Truncated {
                offset: self.at,
                needed: len - available,
            });
        }
        let out = &self.bytes[self.at..self.at + len];
        self.at += len;
        Ok(out)
    }

    pub(super) fn array<const N: usize>(&mut self) -> Result<[u8; N], EntryError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(super) fn u8(&mut self) -> Result<u8, EntryError> {
        Ok(self.array::<1>()?[0])
    }

    pub(super) fn uuid(&mut self) -> Result<Uuid, EntryError> {
        Ok(Uuid::from_bytes(self.array::<16>()?))
    }

    pub(super) fn flag(&mut self) -> Result<bool, EntryError> {
        let offset = self.at;
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            flag => Err(EntryError::InvalidFlag { offset, flag }),
        }
    }

    pub(super) fn actor(&mut self) -> Result<Actor, EntryError> {
        Ok(match self.u8()? {
            1 => Actor::Member { id: self.uuid()? },
            2 => Actor::Device { id: self.uuid()? },
            3 => Actor::Researcher {
                id: self.uuid()?,
                study: self.uuid()?,
            },
            4 => Actor::Steward { id: self.uuid()? },
            5 => Actor::Server,
            other => return Err(EntryError::UnknownActorKind(other)),
        })
    }

    pub(super) fn extra(&mut self) -> Result<Option<Vec<u8>>, EntryError> {
        if !self.flag()? {
            return Ok(None);
        }
        let len = usize::from(u16::from_be_bytes(self.array::<2>()?));
        if len > MAX_EXTRA_LEN {
            return Err(EntryError::ExtraTooLong {
                len,
                max: MAX_EXTRA_LEN,
            });
        }
        Ok(Some(self.take(len)?.to_vec()))
    }

    pub(super) fn optional_uuid(&mut self) -> Result<Option<Uuid>, EntryError> {
        if self.flag()? {
            Ok(Some(self.uuid()?))
        } else {
            Ok(None)
        }
    }
}

fn decode_b64<E: serde::de::Error>(text: &str) -> Result<Vec<u8>, E> {
    STANDARD.decode(text).map_err(E::custom)
}

mod b64_array {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &[u8; 16], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 16], D::Error> {
        let text = String::deserialize(d)?;
        let bytes = decode_b64::<D::Error>(&text)?;
        <[u8; 16]>::try_from(bytes.as_slice())
            .map_err(|_| serde::de::Error::custom("blinding must be 16 bytes"))
    }
}

mod b64_opt {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(b) => s.serialize_some(&STANDARD.encode(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| decode_b64::<D::Error>(&t))
            .transpose()
    }
}
