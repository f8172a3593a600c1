//! Sharing with a study: one share key per consent, sealed once to the study, wrapping many DEKs.
//!
//! The share key is 32 random bytes, sealed with HPKE to the study's X25519 key
//! (`info = C("datacoop/v1/study-share", study_id, consent_id)`, envelope `StudyShareKey`).
//! Each covered record's data key is wrapped under it in a `ShareRecordKeyWrap` box with AAD
//! `C("datacoop/v1/share-record-key-wrap", consent_id, record_id)`. Withdrawal deletes those
//! wraps on the server; what the study already opened cannot be recalled.

use std::fmt;

use rand_core::CryptoRng;
use uuid::Uuid;

use crate::aead_box;
use crate::canonical::Canonical;
use crate::envelope::Kind;
use crate::error::Result;
use crate::hpke_seal;
use crate::keys::{HpkeKeyPair, HpkePublicKey};
use crate::record::{open_content, unwrap_record_key, RecordBinding, RecordKey};
use crate::rng::os_rng;
use crate::secret::{Plaintext, Secret32};
use crate::vault::VaultKey;

/// The key of one consent: opens exactly the data keys wrapped for that consent.
pub struct ShareKey {
    study_id: Uuid,
    consent_id: Uuid,
    key: Secret32,
}

impl fmt::Debug for ShareKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShareKey")
            .field("study_id", &self.study_id)
            .field("consent_id", &self.consent_id)
            .field("key", &"[redacted]")
            .finish()
    }
}

fn share_info(study_id: &Uuid, consent_id: &Uuid) -> Vec<u8> {
    Canonical::new("datacoop/v1/study-share")
        .uuid(study_id)
        .uuid(consent_id)
        .finish()
}

fn member_aad(member_id: &Uuid, study_id: &Uuid, consent_id: &Uuid) -> Vec<u8> {
    Canonical::new("datacoop/v1/member-share-key")
        .uuid(member_id)
        .uuid(study_id)
        .uuid(consent_id)
        .finish()
}

fn wrap_aad(consent_id: &Uuid, record_id: &Uuid) -> Vec<u8> {
    Canonical::new("datacoop/v1/share-record-key-wrap")
        .uuid(consent_id)
        .uuid(record_id)
        .finish()
}

impl ShareKey {
    /// A fresh share key for a new consent.
    pub fn generate(study_id: Uuid, consent_id: Uuid) -> Result<Self> {
        Ok(Self::generate_with_rng(
            study_id,
            consent_id,
            &mut os_rng()?,
        ))
    }

    /// [`ShareKey::generate`] with a caller-supplied generator (test vectors).
    pub fn generate_with_rng(study_id: Uuid, consent_id: Uuid, rng: &mut impl CryptoRng) -> Self {
        ShareKey {
            study_id,
            consent_id,
            key: Secret32::random(rng),
        }
    }

    /// The consent this key belongs to.
    pub fn consent_id(&self) -> Uuid {
        self.consent_id
    }

    /// The study this key is for.
    pub fn study_id(&self) -> Uuid {
        self.study_id
    }

    /// Seals the share key under the member's vault key (box 0x43), so their machines can
    /// make the copies of records added later (future data).
    pub fn seal_for_member(&self, vault_key: &VaultKey, member_id: &Uuid) -> Result<Vec<u8>> {
        aead_box::seal(
            Kind::MemberShareKey,
            &vault_key.member_keys_wrap_key,
            &member_aad(member_id, &self.study_id, &self.consent_id),
            self.key.as_bytes(),
            &mut os_rng()?,
        )
    }

    /// Opens the member's copy of a consent's share key.
    pub fn open_for_member(
        vault_key: &VaultKey,
        member_id: &Uuid,
        study_id: Uuid,
        consent_id: Uuid,
        sealed: &[u8],
    ) -> Result<Self> {
        let key = aead_box::open_key(
            Kind::MemberShareKey,
            &vault_key.member_keys_wrap_key,
            &member_aad(member_id, &study_id, &consent_id),
            sealed,
        )?;
        Ok(ShareKey {
            study_id,
            consent_id,
            key,
        })
    }

    /// Seals the share key to the study's public key (verify the governance signature on it first).
    pub fn seal_to_study(&self, study_public_key: &HpkePublicKey) -> Result<Vec<u8>> {
        self.seal_to_study_with_rng(study_public_key, &mut os_rng()?)
    }

    /// [`ShareKey::seal_to_study`] with a caller-supplied generator (test vectors).
    pub fn seal_to_study_with_rng(
        &self,
        study_public_key: &HpkePublicKey,
        rng: &mut impl CryptoRng,
    ) -> Result<Vec<u8>> {
        hpke_seal::seal_key(
            Kind::StudyShareKey,
            study_public_key,
            None,
            &share_info(&self.study_id, &self.consent_id),
            &self.key,
            rng,
        )
    }

    /// The study's side: opens a share key sealed to it for this study and consent.
    pub fn open_as_study(
        study_keys: &HpkeKeyPair,
        study_id: Uuid,
        consent_id: Uuid,
        sealed: &[u8],
    ) -> Result<Self> {
        let key = hpke_seal::open_key(
            Kind::StudyShareKey,
            study_keys,
            None,
            &share_info(&study_id, &consent_id),
            sealed,
        )?;
        Ok(ShareKey {
            study_id,
            consent_id,
            key,
        })
    }

    /// Wraps one record's data key for this consent.
    pub fn wrap_record_key(&self, record_id: &Uuid, key: &RecordKey) -> Result<Vec<u8>> {
        self.wrap_record_key_with_rng(record_id, key, &mut os_rng()?)
    }

    /// [`ShareKey::wrap_record_key`] with a caller-supplied generator (test vectors, bulk grants).
    pub fn wrap_record_key_with_rng(
        &self,
        record_id: &Uuid,
        key: &RecordKey,
        rng: &mut impl CryptoRng,
    ) -> Result<Vec<u8>> {
        aead_box::seal(
            Kind::ShareRecordKeyWrap,
            &self.key,
            &wrap_aad(&self.consent_id, record_id),
            key.0.as_bytes(),
            rng,
        )
    }

    /// The study's side: unwraps one record's data key.
    pub fn unwrap_record_key(&self, record_id: &Uuid, wrapped: &[u8]) -> Result<RecordKey> {
        aead_box::open_key(
            Kind::ShareRecordKeyWrap,
            &self.key,
            &wrap_aad(&self.consent_id, record_id),
            wrapped,
        )
        .map(RecordKey)
    }

    /// Re-wraps a data key from the member's vault wrap to this consent, without touching content.
    pub fn rewrap_from_vault_with_rng(
        &self,
        vault_key: &VaultKey,
        member_id: &Uuid,
        record_id: &Uuid,
        version: u64,
        member_wrapped: &[u8],
        rng: &mut impl CryptoRng,
    ) -> Result<Vec<u8>> {
        let key = unwrap_record_key(vault_key, member_id, record_id, version, member_wrapped)?;
        self.wrap_record_key_with_rng(record_id, &key, rng)
    }

    /// Grants a consent over many records at once: `(record_id, version, member_wrapped_key)`
    /// in, share wraps out.
    pub fn grant_from_vault<'a>(
        &self,
        vault_key: &VaultKey,
        member_id: &Uuid,
        records: impl IntoIterator<Item = (Uuid, u64, &'a [u8])>,
    ) -> Result<Vec<(Uuid, Vec<u8>)>> {
        let mut rng = os_rng()?;
        records
            .into_iter()
            .map(|(record_id, version, wrapped)| {
                let out = self.rewrap_from_vault_with_rng(
                    vault_key, member_id, &record_id, version, wrapped, &mut rng,
                )?;
                Ok((record_id, out))
            })
            .collect()
    }
}

/// The study's side: opens a shared record's content from its share wrap and ciphertext.
pub fn open_shared_record(
    share_key: &ShareKey,
    binding: &RecordBinding,
    share_wrapped_key: &[u8],
    ciphertext: &[u8],
) -> Result<Plaintext> {
    let key = share_key.unwrap_record_key(&binding.record_id, share_wrapped_key)?;
    open_content(&key, binding, ciphertext)
}
