//! Write-only devices: add records to a member's vault knowing only the member's public key.
//!
//! Per upload batch the device makes a random 32-byte batch key and seals it once with HPKE
//! to the member's X25519 key (`info = C("datacoop/v1/device-batch", member_id, batch_id)`,
//! envelope `DeviceBatchKey`). Each record's data key is *derived*, not wrapped:
//! `DEK = HKDF(batch_key, C("datacoop/v1/device-record-key", member_id, batch_id, record_id))`,
//! and the record's `wrapped_key` is a `DeviceRecordKeyRef` envelope naming the batch. The
//! member's client opens the batch key once (one HPKE open per batch) and re-derives every
//! DEK. A device can add records and read nothing, not even what it wrote once the batch
//! key is dropped.

use std::fmt;

use rand_core::CryptoRng;
use uuid::Uuid;

use crate::canonical::Canonical;
use crate::derive::derive_key;
use crate::envelope::{self, BodyReader, Kind};
use crate::error::{Error, Result};
use crate::hpke_seal;
use crate::keys::{HpkePublicKey, MemberKeys};
use crate::record::{open_content, seal_content_with_rng, RecordBinding, RecordKey, SealedRecord};
use crate::rng::os_rng;
use crate::secret::{Plaintext, Secret32};

fn batch_info(member_id: &Uuid, batch_id: &Uuid) -> Vec<u8> {
    Canonical::new("datacoop/v1/device-batch")
        .uuid(member_id)
        .uuid(batch_id)
        .finish()
}

fn derive_record_key(
    batch_key: &Secret32,
    member_id: &Uuid,
    batch_id: &Uuid,
    record_id: &Uuid,
) -> Result<RecordKey> {
    let info = Canonical::new("datacoop/v1/device-record-key")
        .uuid(member_id)
        .uuid(batch_id)
        .uuid(record_id)
        .finish();
    derive_key(batch_key.as_bytes(), &info).map(RecordKey)
}

fn key_ref(batch_id: &Uuid) -> Vec<u8> {
    let mut out = Vec::with_capacity(3 + 16);
    out.extend_from_slice(&Kind::DeviceRecordKeyRef.header());
    out.extend_from_slice(batch_id.as_bytes());
    out
}

/// Reads which batch a device record's key comes from (so the client knows which batch key to open).
pub fn device_record_batch_id(wrapped_key: &[u8]) -> Result<Uuid> {
    let mut r = BodyReader::new(
        envelope::open(wrapped_key, Kind::DeviceRecordKeyRef)?,
        Kind::DeviceRecordKeyRef.name(),
    );
    let id: [u8; 16] = r.take()?;
    r.finish()?;
    Ok(Uuid::from_bytes(id))
}

/// The device side of one upload batch: seals records it can no longer read.
pub struct DeviceBatch {
    member_id: Uuid,
    batch_id: Uuid,
    key: Secret32,
    sealed_key: Vec<u8>,
}

impl fmt::Debug for DeviceBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceBatch")
            .field("member_id", &self.member_id)
            .field("batch_id", &self.batch_id)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl DeviceBatch {
    /// Starts a batch: one HPKE seal to the member's public key (authenticate that key first).
    pub fn new(member_public_key: &HpkePublicKey, member_id: Uuid, batch_id: Uuid) -> Result<Self> {
        Self::new_with_rng(member_public_key, member_id, batch_id, &mut os_rng()?)
    }

    /// [`DeviceBatch::new`] with a caller-supplied generator (test vectors).
    pub fn new_with_rng(
        member_public_key: &HpkePublicKey,
        member_id: Uuid,
        batch_id: Uuid,
        rng: &mut impl CryptoRng,
    ) -> Result<Self> {
        let key = Secret32::random(rng);
        let sealed_key = hpke_seal::seal_key(
            Kind::DeviceBatchKey,
            member_public_key,
            &batch_info(&member_id, &batch_id),
            &key,
            rng,
        )?;
        Ok(DeviceBatch {
            member_id,
            batch_id,
            key,
            sealed_key,
        })
    }

    /// The `DeviceBatchKey` envelope to upload once with the batch.
    pub fn sealed_batch_key(&self) -> &[u8] {
        &self.sealed_key
    }

    /// The batch id this batch was created for.
    pub fn batch_id(&self) -> Uuid {
        self.batch_id
    }

    /// Seals one record of the batch; the binding's member must be the batch's member.
    pub fn seal_record(&self, binding: &RecordBinding, plaintext: &[u8]) -> Result<SealedRecord> {
        self.seal_record_with_rng(binding, plaintext, &mut os_rng()?)
    }

    /// [`DeviceBatch::seal_record`] with a caller-supplied generator (test vectors).
    pub fn seal_record_with_rng(
        &self,
        binding: &RecordBinding,
        plaintext: &[u8],
        rng: &mut impl CryptoRng,
    ) -> Result<SealedRecord> {
        if binding.member_id != self.member_id {
            return Err(Error::BindingMismatch { field: "member" });
        }
        let key = derive_record_key(
            &self.key,
            &self.member_id,
            &self.batch_id,
            &binding.record_id,
        )?;
        Ok(SealedRecord {
            ciphertext: seal_content_with_rng(&key, binding, plaintext, rng)?,
            wrapped_key: key_ref(&self.batch_id),
        })
    }
}

/// The member's side of a batch: the opened batch key, from which record keys are re-derived.
pub struct OpenedDeviceBatch {
    member_id: Uuid,
    batch_id: Uuid,
    key: Secret32,
}

impl fmt::Debug for OpenedDeviceBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedDeviceBatch")
            .field("member_id", &self.member_id)
            .field("batch_id", &self.batch_id)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl OpenedDeviceBatch {
    /// The data key of one record in this batch (to open it, or to share it with a study).
    pub fn record_key(&self, record_id: &Uuid) -> Result<RecordKey> {
        derive_record_key(&self.key, &self.member_id, &self.batch_id, record_id)
    }

    /// The batch id.
    pub fn batch_id(&self) -> Uuid {
        self.batch_id
    }
}

/// Opens a batch key sealed to the member (one HPKE open per batch).
pub fn open_device_batch(
    member_keys: &MemberKeys,
    member_id: &Uuid,
    batch_id: &Uuid,
    sealed_batch_key: &[u8],
) -> Result<OpenedDeviceBatch> {
    let key = hpke_seal::open_key(
        Kind::DeviceBatchKey,
        &member_keys.hpke,
        &batch_info(member_id, batch_id),
        sealed_batch_key,
    )?;
    Ok(OpenedDeviceBatch {
        member_id: *member_id,
        batch_id: *batch_id,
        key,
    })
}

/// Opens a record written by a device, with its batch opened by [`open_device_batch`].
pub fn open_device_record(
    batch: &OpenedDeviceBatch,
    binding: &RecordBinding,
    sealed: &SealedRecord,
) -> Result<Plaintext> {
    if device_record_batch_id(&sealed.wrapped_key)? != batch.batch_id {
        return Err(Error::BindingMismatch {
            field: "device batch",
        });
    }
    if binding.member_id != batch.member_id {
        return Err(Error::BindingMismatch { field: "member" });
    }
    open_content(
        &batch.record_key(&binding.record_id)?,
        binding,
        &sealed.ciphertext,
    )
}
