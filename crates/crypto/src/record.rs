//! Records: one random data key (DEK) per record version, content under XChaCha20-Poly1305.
//!
//! Content box AAD: `C("datacoop/v1/record", 0x01, member_id, record_id, version, content_type)`.
//! The member's own client wraps the DEK under `record_wrap_key = HKDF(vault_key,
//! C("datacoop/v1/record-key-wrap-key"))` with AAD `C("datacoop/v1/record-key-wrap",
//! member_id, record_id)`. The server can therefore neither read a record nor move it to
//! another member, record id, version or content type without the open failing.

use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aead_box;
use crate::canonical::Canonical;
use crate::envelope::Kind;
use crate::error::{Error, Result};
use crate::rng::os_rng;
use crate::secret::{secret_key_type, Plaintext, Secret32};
use crate::vault::VaultKey;

/// Version of the record AAD layout, encoded inside the AAD.
pub const RECORD_FORMAT_VERSION: u8 = 1;

/// Longest content type accepted, in bytes.
pub const MAX_CONTENT_TYPE_LEN: usize = 255;

/// Where a record belongs: bound into its AAD so the server cannot swap records between places.
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
}

impl RecordBinding {
    /// The canonical associated data for this record's content.
    pub fn aad(&self) -> Result<Vec<u8>> {
        if self.content_type.is_empty() || self.content_type.len() > MAX_CONTENT_TYPE_LEN {
            return Err(Error::InvalidInput {
                what: "content type",
                reason: "must be 1 to 255 bytes",
            });
        }
        Ok(Canonical::new("datacoop/v1/record")
            .u8(RECORD_FORMAT_VERSION)
            .uuid(&self.member_id)
            .uuid(&self.record_id)
            .u64(self.version)
            .str(&self.content_type)
            .finish())
    }
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
    aead_box::seal(Kind::RecordContent, &key.0, &binding.aad()?, plaintext, rng)
}

/// Decrypts a record's content with its data key, checking the binding.
pub fn open_content(
    key: &RecordKey,
    binding: &RecordBinding,
    ciphertext: &[u8],
) -> Result<Plaintext> {
    aead_box::open(Kind::RecordContent, &key.0, &binding.aad()?, ciphertext)
}

fn wrap_aad(member_id: &Uuid, record_id: &Uuid) -> Vec<u8> {
    Canonical::new("datacoop/v1/record-key-wrap")
        .uuid(member_id)
        .uuid(record_id)
        .finish()
}

/// Wraps a data key under the member's vault-derived wrapping key (e.g. to adopt a device record's key).
pub fn wrap_record_key(
    vault_key: &VaultKey,
    member_id: &Uuid,
    record_id: &Uuid,
    key: &RecordKey,
) -> Result<Vec<u8>> {
    wrap_record_key_with_rng(vault_key, member_id, record_id, key, &mut os_rng()?)
}

/// [`wrap_record_key`] with a caller-supplied generator (test vectors, bulk wrapping).
pub fn wrap_record_key_with_rng(
    vault_key: &VaultKey,
    member_id: &Uuid,
    record_id: &Uuid,
    key: &RecordKey,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>> {
    aead_box::seal(
        Kind::RecordKeyWrap,
        &vault_key.record_wrap_key,
        &wrap_aad(member_id, record_id),
        key.0.as_bytes(),
        rng,
    )
}

/// Unwraps a data key wrapped by [`wrap_record_key_with_rng`] (to open, share or re-key a record).
pub fn unwrap_record_key(
    vault_key: &VaultKey,
    member_id: &Uuid,
    record_id: &Uuid,
    wrapped: &[u8],
) -> Result<RecordKey> {
    aead_box::open_key(
        Kind::RecordKeyWrap,
        &vault_key.record_wrap_key,
        &wrap_aad(member_id, record_id),
        wrapped,
    )
    .map(RecordKey)
}

/// Encrypts a new record version for the member's own vault.
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
    let key = RecordKey::generate_with_rng(rng);
    Ok(SealedRecord {
        ciphertext: seal_content_with_rng(&key, binding, plaintext, rng)?,
        wrapped_key: wrap_record_key_with_rng(
            vault_key,
            &binding.member_id,
            &binding.record_id,
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
    let key = unwrap_record_key(
        vault_key,
        &binding.member_id,
        &binding.record_id,
        &sealed.wrapped_key,
    )?;
    open_content(&key, binding, &sealed.ciphertext)
}
