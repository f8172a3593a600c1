//! A member's long-lived key pairs: X25519 for HPKE (receiving sealed keys) and Ed25519 (signing).
//!
//! The private halves are stored only sealed under a key derived from the vault key:
//! box plaintext = `x25519_private (32) ‖ ed25519_seed (32)`, AAD = `C("datacoop/v1/member-keys",
//! member_id)`. The public halves are published as a `MemberPublicKeys` envelope
//! (`x25519_public (32) ‖ ed25519_public (32)`), which the access log records so the server
//! cannot substitute them unnoticed.

use std::fmt;

use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem as _, Serializable};
use rand_core::CryptoRng;
use uuid::Uuid;

use crate::aead_box;
use crate::canonical::Canonical;
use crate::envelope::{self, BodyReader, Kind};
use crate::error::{Error, Result};
use crate::rng::os_rng;
use crate::secret::{Secret32, KEY_LEN};
use crate::sign::{SigningKey, VerifyingKey};
use crate::vault::VaultKey;

type HpkeKem = X25519HkdfSha256;

/// An X25519 public key that HPKE seals to (a member's, or a study's once its approval is verified).
#[derive(Clone)]
pub struct HpkePublicKey {
    bytes: [u8; KEY_LEN],
    pub(crate) key: <HpkeKem as hpke::Kem>::PublicKey,
}

impl fmt::Debug for HpkePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HpkePublicKey({})", envelope::to_base64url(&self.bytes))
    }
}

impl PartialEq for HpkePublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for HpkePublicKey {}

impl HpkePublicKey {
    /// Parses a 32-byte X25519 public key (low-order keys are refused when sealing).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let arr: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| Error::InvalidPublicKey { what: "X25519 key" })?;
        let key = <HpkeKem as hpke::Kem>::PublicKey::from_bytes(&arr)
            .map_err(|_| Error::InvalidPublicKey { what: "X25519 key" })?;
        Ok(HpkePublicKey { bytes: arr, key })
    }

    /// The 32 bytes to publish.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.bytes
    }
}

/// An X25519 key pair for opening HPKE-sealed keys (members and studies).
pub struct HpkeKeyPair {
    secret: Secret32,
    pub(crate) private: <HpkeKem as hpke::Kem>::PrivateKey,
    public: HpkePublicKey,
}

impl fmt::Debug for HpkeKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HpkeKeyPair {{ private: [redacted], public: {:?} }}",
            self.public
        )
    }
}

impl HpkeKeyPair {
    /// A fresh key pair (RFC 9180 DeriveKeyPair over 32 random bytes).
    pub fn generate() -> Result<Self> {
        Self::generate_with_rng(&mut os_rng()?)
    }

    /// [`HpkeKeyPair::generate`] with a caller-supplied generator (test vectors).
    pub fn generate_with_rng(rng: &mut impl CryptoRng) -> Result<Self> {
        let (private, _) = HpkeKem::gen_keypair_with_rng(rng);
        let secret = Secret32::from_slice(&private.to_bytes())
            .ok_or(Error::malformed("X25519 private key", "not 32 bytes"))?;
        Self::from_secret(secret)
    }

    /// Rebuilds a key pair from its 32-byte serialised private key (RFC 9180 SerializePrivateKey).
    pub fn from_private_bytes(bytes: &[u8]) -> Result<Self> {
        let secret = Secret32::from_slice(bytes)
            .ok_or(Error::malformed("X25519 private key", "not 32 bytes"))?;
        Self::from_secret(secret)
    }

    /// The 32-byte serialised private key, for a device's own credentials file (keep it secret).
    pub fn private_bytes(&self) -> zeroize::Zeroizing<[u8; KEY_LEN]> {
        zeroize::Zeroizing::new(*self.secret.as_bytes())
    }

    pub(crate) fn from_secret(secret: Secret32) -> Result<Self> {
        let private = <HpkeKem as hpke::Kem>::PrivateKey::from_bytes(secret.as_bytes())
            .map_err(|_| Error::malformed("X25519 private key", "rejected"))?;
        let public = HpkePublicKey::from_bytes(&HpkeKem::sk_to_pk(&private).to_bytes())?;
        Ok(HpkeKeyPair {
            secret,
            private,
            public,
        })
    }

    /// The public half, to publish.
    pub fn public_key(&self) -> &HpkePublicKey {
        &self.public
    }
}

/// A member's published public keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPublicKeys {
    /// Devices and the member's own clients seal batch keys to this.
    pub hpke: HpkePublicKey,
    /// Verifies the member's consent receipts and ballots.
    pub signing: VerifyingKey,
}

impl MemberPublicKeys {
    /// Envelope to publish: header ‖ x25519 public (32) ‖ ed25519 public (32).
    pub fn to_envelope(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(3 + 2 * KEY_LEN);
        out.extend_from_slice(&Kind::MemberPublicKeys.header());
        out.extend_from_slice(self.hpke.as_bytes());
        out.extend_from_slice(self.signing.as_bytes());
        out
    }

    /// Parses a published envelope (authenticate it against the access log before use).
    pub fn from_envelope(bytes: &[u8]) -> Result<Self> {
        let mut r = BodyReader::new(
            envelope::open(bytes, Kind::MemberPublicKeys)?,
            Kind::MemberPublicKeys.name(),
        );
        let hpke: [u8; KEY_LEN] = r.take()?;
        let signing: [u8; KEY_LEN] = r.take()?;
        r.finish()?;
        Ok(MemberPublicKeys {
            hpke: HpkePublicKey::from_bytes(&hpke)?,
            signing: VerifyingKey::from_bytes(&signing)?,
        })
    }
}

/// A member's private keys, in memory only after the vault is opened.
#[derive(Debug)]
pub struct MemberKeys {
    /// Opens device batch keys sealed to the member.
    pub hpke: HpkeKeyPair,
    /// Signs consent receipts and ballots.
    pub signing: SigningKey,
}

fn member_keys_aad(member_id: &Uuid) -> Vec<u8> {
    Canonical::new("datacoop/v1/member-keys")
        .uuid(member_id)
        .finish()
}

impl MemberKeys {
    /// Fresh key pairs, made once at registration.
    pub fn generate() -> Result<Self> {
        Self::generate_with_rng(&mut os_rng()?)
    }

    /// [`MemberKeys::generate`] with a caller-supplied generator (test vectors).
    pub fn generate_with_rng(rng: &mut impl CryptoRng) -> Result<Self> {
        Ok(MemberKeys {
            hpke: HpkeKeyPair::generate_with_rng(rng)?,
            signing: SigningKey::generate_with_rng(rng)?,
        })
    }

    /// The halves to publish.
    pub fn public_keys(&self) -> MemberPublicKeys {
        MemberPublicKeys {
            hpke: self.hpke.public_key().clone(),
            signing: self.signing.verifying_key(),
        }
    }

    /// Seals the private halves under the vault key for storage on the server.
    pub fn seal(&self, vault_key: &VaultKey, member_id: &Uuid) -> Result<Vec<u8>> {
        self.seal_with_rng(vault_key, member_id, &mut os_rng()?)
    }

    /// [`MemberKeys::seal`] with a caller-supplied generator (test vectors).
    pub fn seal_with_rng(
        &self,
        vault_key: &VaultKey,
        member_id: &Uuid,
        rng: &mut impl CryptoRng,
    ) -> Result<Vec<u8>> {
        let mut plain = zeroize::Zeroizing::new([0u8; 2 * KEY_LEN]);
        plain[..KEY_LEN].copy_from_slice(self.hpke.secret.as_bytes());
        plain[KEY_LEN..].copy_from_slice(self.signing.seed().as_bytes());
        aead_box::seal(
            Kind::MemberSecretKeys,
            &vault_key.member_keys_wrap_key,
            &member_keys_aad(member_id),
            plain.as_slice(),
            rng,
        )
    }

    /// Opens the sealed private halves after login.
    pub fn open(sealed: &[u8], vault_key: &VaultKey, member_id: &Uuid) -> Result<Self> {
        let plain = aead_box::open(
            Kind::MemberSecretKeys,
            &vault_key.member_keys_wrap_key,
            &member_keys_aad(member_id),
            sealed,
        )?;
        if plain.len() != 2 * KEY_LEN {
            return Err(Error::malformed(
                Kind::MemberSecretKeys.name(),
                "unexpected length",
            ));
        }
        let hpke_secret = Secret32::from_slice(&plain[..KEY_LEN]).ok_or(Error::malformed(
            Kind::MemberSecretKeys.name(),
            "unexpected length",
        ))?;
        let seed = Secret32::from_slice(&plain[KEY_LEN..]).ok_or(Error::malformed(
            Kind::MemberSecretKeys.name(),
            "unexpected length",
        ))?;
        Ok(MemberKeys {
            hpke: HpkeKeyPair::from_secret(hpke_secret)?,
            signing: SigningKey::from_seed(seed)?,
        })
    }
}
