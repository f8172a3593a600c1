//! A study's X25519 key pair, made on the researcher's machine. The public half goes
//! into the study's terms for the cooperative to approve; the private half, which
//! opens the share keys members seal to the study, is stored on the server sealed
//! under the researcher's vault key, so the researcher can export from any machine
//! they log in on and the server still cannot open it.

use crate::aead_box;
use crate::canonical::Canonical;
use crate::envelope::Kind;
use crate::error::Result;
use crate::keys::{HpkeKeyPair, HpkePublicKey};
use crate::rng::os_rng;
use crate::vault::VaultKey;
use rand_core::CryptoRng;
use uuid::Uuid;

fn aad(researcher: &Uuid, study: &Uuid) -> Vec<u8> {
    Canonical::new("datacoop/v1/study-key")
        .uuid(researcher)
        .uuid(study)
        .finish()
}

/// A study's key pair.
#[derive(Debug)]
pub struct StudyKeys {
    /// Opens share keys sealed to the study.
    pub hpke: HpkeKeyPair,
}

impl StudyKeys {
    /// A fresh key pair.
    pub fn generate() -> Result<Self> {
        Self::generate_with_rng(&mut os_rng()?)
    }

    /// [`StudyKeys::generate`] with a caller-supplied generator (test vectors).
    pub fn generate_with_rng(rng: &mut impl CryptoRng) -> Result<Self> {
        Ok(StudyKeys {
            hpke: HpkeKeyPair::generate_with_rng(rng)?,
        })
    }

    /// The public half, for the study's terms.
    pub fn public_key(&self) -> &HpkePublicKey {
        self.hpke.public_key()
    }

    /// Seals the private half under the researcher's vault key, bound to researcher and
    /// study.
    pub fn seal(&self, vault_key: &VaultKey, researcher: &Uuid, study: &Uuid) -> Result<Vec<u8>> {
        self.seal_with_rng(vault_key, researcher, study, &mut os_rng()?)
    }

    /// [`StudyKeys::seal`] with a caller-supplied generator (test vectors).
    pub fn seal_with_rng(
        &self,
        vault_key: &VaultKey,
        researcher: &Uuid,
        study: &Uuid,
        rng: &mut impl CryptoRng,
    ) -> Result<Vec<u8>> {
        let secret = self.hpke.private_bytes();
        aead_box::seal(
            Kind::StudySecretKey,
            &vault_key.member_keys_wrap_key,
            &aad(researcher, study),
            secret.as_slice(),
            rng,
        )
    }

    /// Opens the sealed private half; it must match the study's public key.
    pub fn open(
        sealed: &[u8],
        vault_key: &VaultKey,
        researcher: &Uuid,
        study: &Uuid,
        public: &HpkePublicKey,
    ) -> Result<Self> {
        let plain = aead_box::open(
            Kind::StudySecretKey,
            &vault_key.member_keys_wrap_key,
            &aad(researcher, study),
            sealed,
        )?;
        let hpke = HpkeKeyPair::from_private_bytes(&plain)?;
        if hpke.public_key() != public {
            return Err(crate::Error::malformed(
                Kind::StudySecretKey.name(),
                "the private key does not belong to the study's public key",
            ));
        }
        Ok(StudyKeys { hpke })
    }
}
