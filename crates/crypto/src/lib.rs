//! Client-side cryptography for datacoop: the server never sees a member's data or keys.
//!
//! The specification, with every key, derivation, encoding and the threat model, is
//! `docs/crypto.md`; test vectors are in `tests/vectors.json`. In short:
//!
//! * [`derive_passphrase_keys`]: passphrase → Argon2id → [`AuthKey`] (sent at login) and [`Kek`].
//! * [`VaultKey`]: the member's root key, stored sealed under the KEK ([`seal_vault_key`]) and
//!   under a printable [`RecoveryKey`] ([`seal_vault_key_for_recovery`]).
//! * [`MemberKeys`]: X25519 (HPKE) and Ed25519 key pairs, sealed under the vault key.
//! * [`seal_record`]/[`open_record`]: one data key per record, XChaCha20-Poly1305, key-committed.
//! * [`DeviceBatch`]: write-only devices seal one HPKE auth-mode batch key per upload batch,
//!   from a key pair the member certified ([`DeviceCertificate`]).
//! * [`ShareKey`]: one HPKE-sealed key per consent, wrapping each shared record's data key.
//! * [`StreamEncryptor`]/[`StreamDecryptor`]: age-style chunked encryption for large blobs.
//! * [`sign()`]/[`verify`]: Ed25519 over [`Canonical`] encodings with a context string.
//! * [`RecoveryRequest`]: the signed proof that a recovery code opened the vault.
//!
//! Every operation needing randomness has a `*_with_rng` twin for deterministic test vectors;
//! the plain form seeds ChaCha20 from the operating system and fails with
//! [`Error::Randomness`] rather than panicking.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![warn(missing_docs)]

mod aead_box;
pub mod canonical;
mod derive;
mod device;
pub mod envelope;
mod error;
mod hpke_seal;
mod kdf;
mod key_rotation;
mod keys;
mod record;
mod recovery;
mod recovery_proof;
pub mod rng;
mod secret;
mod share;
pub mod sign;
pub mod stream;
mod study_key;
mod vault;

pub use canonical::{Canonical, CanonicalReader};
pub use device::{
    device_batch_format, device_record_batch_id, open_device_batch, open_device_record,
    open_legacy_device_batch, DeviceBatch, DeviceCertificate, OpenedDeviceBatch, VerifiedDevice,
};
pub use envelope::Kind;
pub use error::{Error, Result};
pub use kdf::{derive_passphrase_keys, AuthKey, KdfCost, KdfParams, Kek, SALT_LEN};
pub use key_rotation::{
    key_fingerprint, KeyRotation, FINGERPRINT_LEN, KEY_ROTATION_CONTEXT, MAX_RETIRED,
};
pub use keys::{HpkeKeyPair, HpkePublicKey, MemberKeys, MemberPublicKeys};
pub use record::{
    open_content, open_record, record_format, seal_content_with_rng, seal_record,
    seal_record_with_rng, unwrap_record_key, wrap_record_key, wrap_record_key_with_rng, Author,
    RecordBinding, RecordKey, SealedRecord, MAX_CONTENT_TYPE_LEN, MAX_META_LEN,
    RECORD_FORMAT_VERSION,
};
pub use recovery::RecoveryKey;
pub use recovery_proof::{RecoveryRequest, RECOVERY_REQUEST_CONTEXT};
pub use secret::{Plaintext, KEY_LEN};
pub use share::{open_shared_record, ShareKey};
pub use sign::{sign, verify, Signature, SigningKey, VerifyingKey};
pub use stream::{
    decrypt_stream, encrypt_stream, BlobBinding, StreamDecryptor, StreamEncryptor, StreamOpener,
    StreamSealer,
};
pub use study_key::StudyKeys;
pub use vault::{
    open_vault_key, open_vault_key_for_shell, open_vault_key_with_recovery, seal_vault_key,
    seal_vault_key_for_recovery, seal_vault_key_for_recovery_with_rng, seal_vault_key_for_shell,
    seal_vault_key_with_rng, ShellKey, VaultKey,
};
