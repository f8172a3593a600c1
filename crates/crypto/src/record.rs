//! Records: one random data key (DEK) per record version, content under XChaCha20-Poly1305.
//!
//! Content box AAD (envelope version 2): `C("datacoop/v2/record", member_id, record_id,
//! version, content_type, category, type_code, effective_at_micros?, author)`, so every field the
//! server shows beside a record (its category, type, effective time, and whether the member
//! or which device wrote it) is authenticated with the content. The member's own client
//! wraps the DEK under `record_wrap_key = HKDF(vault_key, C("datacoop/v1/record-key-wrap-key"))`
//! with AAD `C("datacoop/v2/record-key-wrap", member_id, record_id, version)`. The server can
//! therefore neither read a record nor move, re-date, re-categorise or re-attribute it
//! without the open failing.
//!
//! Version 1 envelopes (written before datacoop 0.2) still open: their AAD covered member,
//! record id, version and content type only ([`RecordBinding::aad`] with version 1), so a
//! client that opens one says that its metadata is unauthenticated and offers to re-seal it.

use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aead_box;
use crate::canonical::Canonical;
use crate::envelope::{inspect, Kind, VERSION_1, VERSION_2};
use crate::error::{Error, Result};
use crate::rng::os_rng;
use crate::secret::{secret_key_type, Plaintext, Secret32};
use crate::vault::VaultKey;

/// Version of the record AAD layout this build writes (the envelope's version byte).
pub const RECORD_FORMAT_VERSION: u8 = VERSION_2;

/// Longest content type accepted, in bytes.
pub const MAX_CONTENT_TYPE_LEN: usize = 255;

/// Longest category or type code bound into a record, in bytes.
pub const MAX_META_LEN: usize = 1024;

/// Who wrote a record version: bound into its AAD, so the server cannot re-attribute it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Author {
    /// The member's own client (the data key is wrapped under the vault key).
    Member,
    /// A write-only device the member enrolled (the data key derives from a device batch).
    Device(Uuid),
}

/// Where a record belongs and what it claims to be: bound into its AAD so the server cannot
/// swap, move, re-date, re-categorise or re-attribute records.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordBinding {
    /// The owning member.
    pub member_id: Uuid,
    /// The record (stable across versions).
    pub record_id: Uuid,
    /// The record version; every version gets a fresh data key.
    pub version: u64,
    /// Media type of the plaintext, e.g. `application/json`.
    pub content_type: String,
    /// Visible category, e.g. `vital-signs` (bound from version 2).
    #[serde(default)]
    pub category: String,
    /// Visible type code, e.g. a LOINC code (bound from version 2).
    #[serde(default)]
    pub type_code: String,
    /// Visible effective time as microseconds since 1970-01-01T00:00:00Z (bound from
    /// version 2; the API shows it as RFC 3339 UTC, which both sides convert exactly).
    #[serde(default)]
    pub effective_at: Option<i64>,
    /// Who wrote this version (bound from version 2).
    #[serde(default = "member_author")]
    pub author: Author,
}

fn member_author() -> Author {
    Author::Member
}

fn check_len(what: &'static str, value: &str, max: usize) -> Result<()> {
    if value.len() > max {
        return Err(Error::InvalidInput {
            what,
            reason: "too long to bind into a record",
        });
    }
    Ok(())
}

impl RecordBinding {
    /// The canonical associated data for this record's content in envelope `version`
    /// (1: member, record, version, content type; 2: also category, type, effective time, author).
    pub fn aad(&self, version: u8) -> Result<Vec<u8>> {
        if self.content_type.is_empty() || self.content_type.len() > MAX_CONTENT_TYPE_LEN {
            return Err(Error::InvalidInput {
                what: "content type",
                reason: "must be 1 to 255 bytes",
            });
        }
        match version {
            VERSION_1 => Ok(Canonical::new("datacoop/v1/record")
                .u8(VERSION_1)
                .uuid(&self.member_id)
                .uuid(&self.record_id)
                .u64(self.version)
                .str(&self.content_type)
                .finish()),
            VERSION_2 => {
                check_len("category", &self.category, MAX_META_LEN)?;
                check_len("type code", &self.type_code, MAX_META_LEN)?;
                let mut c = Canonical::new("datacoop/v2/record")
                    .uuid(&self.member_id)
                    .uuid(&self.record_id)
                    .u64(self.version)
                    .str(&self.content_type)
                    .str(&self.category)
                    .str(&self.type_code);
                c = match self.effective_at {
                    None => c.u8(0),
                    // i64 big-endian (two's complement): times before 1970 are negative.
                    Some(t) => c.u8(1).u64(t as u64),
                };
                Ok(match self.author {
                    Author::Member => c.u8(0),
                    Author::Device(id) => c.u8(1).uuid(&id),
                }
                .finish())
            }
            v => Err(Error::UnsupportedVersion {
                kind: Kind::RecordContent.name(),
                version: v,
            }),
        }
    }
}

/// The envelope version of a record's content (1: metadata not authenticated; 2: current).
pub fn record_format(ciphertext: &[u8]) -> Result<u8> {
    match inspect(ciphertext)? {
        (Kind::RecordContent, v) if v == 0 || v > Kind::RecordContent.latest_version() => {
            Err(Error::UnsupportedVersion {
                kind: Kind::RecordContent.name(),
                version: v,
            })
        }
        (Kind::RecordContent, v) => Ok(v),
        _ => Err(Error::WrongKind {
            expected: Kind::RecordContent.name(),
            found: found_byte(ciphertext),
        }),
    }
}

fn found_byte(bytes: &[u8]) -> u8 {
    bytes.get(1).copied().unwrap_or(0)
}

secret_key_type!(
    /// A record's data key (DEK): the one key that opens one record version, so it can be shared alone.
    RecordKey
);

impl RecordKey {
    /// A fresh random data key.
    pub fn generate() -> Result<Self> {
        Ok(Self::generate_with_rng(&mut os_rng()?))
    }

    /// [`RecordKey::generate`] with a caller-supplied generator (test vectors).
    pub fn generate_with_rng(rng: &mut impl CryptoRng) -> Self {
        RecordKey(Secret32::random(rng))
    }
}

/// What the server stores for a record: the content box and the wrapped (or referenced) data key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedRecord {
    /// `RecordContent` envelope.
    #[serde(with = "crate::envelope::base64url")]
    pub ciphertext: Vec<u8>,
    /// `RecordKeyWrap` envelope (member's client) or `DeviceRecordKeyRef` (write-only device).
    #[serde(with = "crate::envelope::base64url")]
    pub wrapped_key: Vec<u8>,
}

/// Encrypts a record's content under its data key.
pub fn seal_content_with_rng(
    key: &RecordKey,
    binding: &RecordBinding,
    plaintext: &[u8],
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>> {
    aead_box::seal(
        Kind::RecordContent,
        &key.0,
        &binding.aad(RECORD_FORMAT_VERSION)?,
        plaintext,
        rng,
    )
}

/// Decrypts a record's content with its data key, checking the binding (for a version-1
/// envelope only its version-1 fields: see [`record_format`]).
pub fn open_content(
    key: &RecordKey,
    binding: &RecordBinding,
    ciphertext: &[u8],
) -> Result<Plaintext> {
    let version = record_format(ciphertext)?;
    aead_box::open(
        Kind::RecordContent,
        &key.0,
        &binding.aad(version)?,
        ciphertext,
    )
}

fn wrap_aad(version: u8, member_id: &Uuid, record_id: &Uuid, record_version: u64) -> Vec<u8> {
    if version == VERSION_1 {
        return Canonical::new("datacoop/v1/record-key-wrap")
            .uuid(member_id)
            .uuid(record_id)
            .finish();
    }
    Canonical::new("datacoop/v2/record-key-wrap")
        .uuid(member_id)
        .uuid(record_id)
        .u64(record_version)
        .finish()
}

/// Wraps a data key under the member's vault-derived wrapping key, bound to one record
/// version (e.g. to re-wrap under a new vault key).
pub fn wrap_record_key(
    vault_key: &VaultKey,
    member_id: &Uuid,
    record_id: &Uuid,
    version: u64,
    key: &RecordKey,
) -> Result<Vec<u8>> {
    wrap_record_key_with_rng(
        vault_key,
        member_id,
        record_id,
        version,
        key,
        &mut os_rng()?,
    )
}

/// [`wrap_record_key`] with a caller-supplied generator (test vectors, bulk wrapping).
pub fn wrap_record_key_with_rng(
    vault_key: &VaultKey,
    member_id: &Uuid,
    record_id: &Uuid,
    version: u64,
    key: &RecordKey,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>> {
    aead_box::seal(
        Kind::RecordKeyWrap,
        &vault_key.record_wrap_key,
        &wrap_aad(
            Kind::RecordKeyWrap.latest_version(),
            member_id,
            record_id,
            version,
        ),
        key.0.as_bytes(),
        rng,
    )
}

/// Unwraps a data key wrapped by [`wrap_record_key_with_rng`] (to open, share or re-key a
/// record); a version-1 wrap is bound to the record but not to its version.
pub fn unwrap_record_key(
    vault_key: &VaultKey,
    member_id: &Uuid,
    record_id: &Uuid,
    version: u64,
    wrapped: &[u8],
) -> Result<RecordKey> {
    let (_, wrap_version) = inspect(wrapped)?;
    aead_box::open_key(
        Kind::RecordKeyWrap,
        &vault_key.record_wrap_key,
        &wrap_aad(wrap_version, member_id, record_id, version),
        wrapped,
    )
    .map(RecordKey)
}

/// Encrypts a new record version for the member's own vault (the binding's author must be
/// [`Author::Member`]).
pub fn seal_record(
    vault_key: &VaultKey,
    binding: &RecordBinding,
    plaintext: &[u8],
) -> Result<SealedRecord> {
    seal_record_with_rng(vault_key, binding, plaintext, &mut os_rng()?)
}

/// [`seal_record`] with a caller-supplied generator (test vectors, batch sealing).
pub fn seal_record_with_rng(
    vault_key: &VaultKey,
    binding: &RecordBinding,
    plaintext: &[u8],
    rng: &mut impl CryptoRng,
) -> Result<SealedRecord> {
    if binding.author != Author::Member {
        return Err(Error::BindingMismatch { field: "author" });
    }
    let key = RecordKey::generate_with_rng(rng);
    Ok(SealedRecord {
        ciphertext: seal_content_with_rng(&key, binding, plaintext, rng)?,
        wrapped_key: wrap_record_key_with_rng(
            vault_key,
            &binding.member_id,
            &binding.record_id,
            binding.version,
            &key,
            rng,
        )?,
    })
}

/// Decrypts a record sealed by the member's own client.
pub fn open_record(
    vault_key: &VaultKey,
    binding: &RecordBinding,
    sealed: &SealedRecord,
) -> Result<Plaintext> {
    if binding.author != Author::Member {
        return Err(Error::BindingMismatch { field: "author" });
    }
    let key = unwrap_record_key(
        vault_key,
        &binding.member_id,
        &binding.record_id,
        binding.version,
        &sealed.wrapped_key,
    )?;
    open_content(&key, binding, &sealed.ciphertext)
}
