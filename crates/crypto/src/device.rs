//! Write-only devices: add records to a member's vault knowing only the member's public key,
//! and prove to the member which enrolled device wrote them.
//!
//! At enrolment the member's client makes the device an X25519 key pair and signs a
//! [`DeviceCertificate`] (member, device, name, categories, the device's public key) with the
//! member's Ed25519 key; the server stores it and cannot make one. Per upload batch the
//! device makes a random 32-byte batch key and seals it once with HPKE **auth mode** from
//! its own key pair to the member's X25519 key (`info = C("datacoop/v2/device-batch",
//! member_id, device_id, batch_id)`, envelope `DeviceBatchKey` version 2), so only that
//! device can have sealed it. Each record's data key is *derived*, not wrapped:
//! `DEK = HKDF(batch_key, C("datacoop/v1/device-record-key", member_id, batch_id, record_id))`,
//! and the record's `wrapped_key` is a `DeviceRecordKeyRef` envelope naming the batch. The
//! record's AAD names the device as its author. The member's client accepts a device record
//! only through a certificate it verified with its own key, in that device's categories.
//!
//! Version 1 batches (before datacoop 0.2) used HPKE base mode, which anyone knowing the
//! member's public key (the server included) can produce; they open only through
//! [`open_legacy_device_batch`], which a client calls only when the member asks for it.

use std::fmt;

use rand_core::CryptoRng;
use uuid::Uuid;

use crate::canonical::Canonical;
use crate::derive::derive_key;
use crate::envelope::{self, inspect, BodyReader, Kind, VERSION_1};
use crate::error::{Error, Result};
use crate::hpke_seal;
use crate::keys::{HpkeKeyPair, HpkePublicKey, MemberKeys, MemberPublicKeys};
use crate::record::{
    open_content, record_format, seal_content_with_rng, Author, RecordBinding, RecordKey,
    SealedRecord, RECORD_FORMAT_VERSION,
};
use crate::rng::os_rng;
use crate::secret::{Plaintext, Secret32};
use crate::sign::{self, context, Signature};

/// What the member signs when enrolling a device: who it is, what it may add, and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCertificate {
    /// The member whose vault the device adds to.
    pub member_id: Uuid,
    /// The device.
    pub device_id: Uuid,
    /// The name the member gave it.
    pub name: String,
    /// The categories it may add (`None`: any).
    pub categories: Option<Vec<String>>,
    /// The device's X25519 public key (its private half is only in the device's credentials).
    pub public_key: HpkePublicKey,
}

impl DeviceCertificate {
    /// The canonical bytes signed (categories sorted, so their order does not matter).
    pub fn message(&self) -> Vec<u8> {
        let mut c = Canonical::new(context::DEVICE_CERTIFICATE)
            .uuid(&self.member_id)
            .uuid(&self.device_id)
            .str(&self.name);
        c = match &self.categories {
            None => c.u8(0),
            Some(list) => {
                let mut sorted: Vec<&str> = list.iter().map(String::as_str).collect();
                sorted.sort_unstable();
                sorted.dedup();
                let mut c = c.u8(1).u32(sorted.len() as u32);
                for cat in sorted {
                    c = c.str(cat);
                }
                c
            }
        };
        c.bytes(self.public_key.as_bytes()).finish()
    }

    /// The member signs the certificate with their own Ed25519 key.
    pub fn sign(&self, member_keys: &MemberKeys) -> Signature {
        sign::sign(
            &member_keys.signing,
            context::DEVICE_CERTIFICATE,
            &self.message(),
        )
    }

    /// Checks the member's signature with the member's own public key (from their opened
    /// keys, never from the server); only a verified device's batches open.
    pub fn verify(
        self,
        member: &MemberPublicKeys,
        signature: &Signature,
    ) -> Result<VerifiedDevice> {
        sign::verify(
            &member.signing,
            context::DEVICE_CERTIFICATE,
            &self.message(),
            signature,
        )?;
        Ok(VerifiedDevice(self))
    }
}

/// A device certificate whose signature by the member has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedDevice(DeviceCertificate);

impl VerifiedDevice {
    /// The verified certificate.
    pub fn certificate(&self) -> &DeviceCertificate {
        &self.0
    }

    /// Whether the member let this device add records of `category`.
    pub fn allows(&self, category: &str) -> bool {
        self.0
            .categories
            .as_ref()
            .is_none_or(|list| list.iter().any(|c| c == category))
    }
}

fn batch_info(member_id: &Uuid, device_id: &Uuid, batch_id: &Uuid) -> Vec<u8> {
    Canonical::new("datacoop/v2/device-batch")
        .uuid(member_id)
        .uuid(device_id)
        .uuid(batch_id)
        .finish()
}

fn legacy_batch_info(member_id: &Uuid, batch_id: &Uuid) -> Vec<u8> {
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
        envelope::open_versioned(wrapped_key, Kind::DeviceRecordKeyRef)?.1,
        Kind::DeviceRecordKeyRef.name(),
    );
    let id: [u8; 16] = r.take()?;
    r.finish()?;
    Ok(Uuid::from_bytes(id))
}

/// The envelope version of a sealed device batch key (1: legacy, unauthenticated; 2: current).
pub fn device_batch_format(sealed_batch_key: &[u8]) -> Result<u8> {
    match inspect(sealed_batch_key)? {
        (Kind::DeviceBatchKey, v) if v == 0 || v > Kind::DeviceBatchKey.latest_version() => {
            Err(Error::UnsupportedVersion {
                kind: Kind::DeviceBatchKey.name(),
                version: v,
            })
        }
        (Kind::DeviceBatchKey, v) => Ok(v),
        _ => Err(Error::WrongKind {
            expected: Kind::DeviceBatchKey.name(),
            found: sealed_batch_key.get(1).copied().unwrap_or(0),
        }),
    }
}

/// The device side of one upload batch: seals records it can no longer read.
pub struct DeviceBatch {
    member_id: Uuid,
    device_id: Uuid,
    batch_id: Uuid,
    key: Secret32,
    sealed_key: Vec<u8>,
}

impl fmt::Debug for DeviceBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceBatch")
            .field("member_id", &self.member_id)
            .field("device_id", &self.device_id)
            .field("batch_id", &self.batch_id)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl DeviceBatch {
    /// Starts a batch: one HPKE auth-mode seal from the device's key pair to the member's
    /// public key (the one in the device's credentials, from the member's own client).
    pub fn new(
        member_public_key: &HpkePublicKey,
        device_keys: &HpkeKeyPair,
        member_id: Uuid,
        device_id: Uuid,
        batch_id: Uuid,
    ) -> Result<Self> {
        Self::new_with_rng(
            member_public_key,
            device_keys,
            member_id,
            device_id,
            batch_id,
            &mut os_rng()?,
        )
    }

    /// [`DeviceBatch::new`] with a caller-supplied generator (test vectors).
    pub fn new_with_rng(
        member_public_key: &HpkePublicKey,
        device_keys: &HpkeKeyPair,
        member_id: Uuid,
        device_id: Uuid,
        batch_id: Uuid,
        rng: &mut impl CryptoRng,
    ) -> Result<Self> {
        let key = Secret32::random(rng);
        let sealed_key = hpke_seal::seal_key(
            Kind::DeviceBatchKey,
            member_public_key,
            Some(device_keys),
            &batch_info(&member_id, &device_id, &batch_id),
            &key,
            rng,
        )?;
        Ok(DeviceBatch {
            member_id,
            device_id,
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

    /// Seals one record of the batch; the binding's member must be the batch's member and
    /// its author this device.
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
        if binding.author != Author::Device(self.device_id) {
            return Err(Error::BindingMismatch { field: "author" });
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
    /// The verified device that sealed it (`None`: a legacy batch opened on the member's request).
    device: Option<VerifiedDevice>,
    key: Secret32,
}

impl fmt::Debug for OpenedDeviceBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedDeviceBatch")
            .field("member_id", &self.member_id)
            .field("batch_id", &self.batch_id)
            .field("device", &self.device)
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

    /// The verified device that sealed the batch (`None` for a legacy batch).
    pub fn device(&self) -> Option<&VerifiedDevice> {
        self.device.as_ref()
    }
}

/// Opens a batch key sealed to the member by a device whose certificate the member's client
/// verified (one HPKE auth-mode open per batch). A version-1 batch is refused.
pub fn open_device_batch(
    member_keys: &MemberKeys,
    device: &VerifiedDevice,
    batch_id: &Uuid,
    sealed_batch_key: &[u8],
) -> Result<OpenedDeviceBatch> {
    let cert = device.certificate();
    let key = hpke_seal::open_key(
        Kind::DeviceBatchKey,
        &member_keys.hpke,
        Some(&cert.public_key),
        &batch_info(&cert.member_id, &cert.device_id, batch_id),
        sealed_batch_key,
    )?;
    Ok(OpenedDeviceBatch {
        member_id: cert.member_id,
        batch_id: *batch_id,
        device: Some(device.clone()),
        key,
    })
}

/// Opens a version-1 (HPKE base mode) batch key. Such a batch proves nothing about who made
/// it, since anyone knowing the member's public key can: call this only when the member
/// explicitly accepts old device records (to re-seal them under their own key).
pub fn open_legacy_device_batch(
    member_keys: &MemberKeys,
    member_id: &Uuid,
    batch_id: &Uuid,
    sealed_batch_key: &[u8],
) -> Result<OpenedDeviceBatch> {
    if device_batch_format(sealed_batch_key)? != VERSION_1 {
        return Err(Error::malformed(
            Kind::DeviceBatchKey.name(),
            "not a version-1 batch key",
        ));
    }
    let key = hpke_seal::open_key(
        Kind::DeviceBatchKey,
        &member_keys.hpke,
        None,
        &legacy_batch_info(member_id, batch_id),
        sealed_batch_key,
    )?;
    Ok(OpenedDeviceBatch {
        member_id: *member_id,
        batch_id: *batch_id,
        device: None,
        key,
    })
}

/// Opens a record written by a device, with its batch opened by [`open_device_batch`]: the
/// record must name that device as its author and be in one of its categories.
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
    match &batch.device {
        // A legacy batch carries only legacy records (a current one would claim an author).
        None if record_format(&sealed.ciphertext)? != VERSION_1 => {
            return Err(Error::Unauthenticated {
                what: "device record",
            })
        }
        None => {}
        Some(device) => {
            if binding.author != Author::Device(device.certificate().device_id) {
                return Err(Error::BindingMismatch { field: "author" });
            }
            if record_format(&sealed.ciphertext)? != RECORD_FORMAT_VERSION {
                return Err(Error::Unauthenticated {
                    what: "device record",
                });
            }
            if !device.allows(&binding.category) {
                return Err(Error::BindingMismatch {
                    field: "category (the device was not enrolled for it)",
                });
            }
        }
    }
    open_content(
        &batch.record_key(&binding.record_id)?,
        binding,
        &sealed.ciphertext,
    )
}
