//! Ed25519 signatures over canonical encodings, separated by purpose with a context string.
//!
//! The signed bytes are `C("datacoop/v1/signature", context, message)` (see [`Canonical`]),
//! where `message` is itself a canonical encoding: never re-serialised JSON, whose bytes are
//! not stable. A signature made for one context never verifies under another.

use std::fmt;

use rand_core::CryptoRng;
use ring::signature::{self as ring_sig, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::canonical::Canonical;
use crate::error::{Error, Result};
use crate::rng::os_rng;
use crate::secret::{Secret32, KEY_LEN};

/// Context strings for the objects datacoop signs; each names its purpose and format version.
pub mod context {
    /// A member's consent receipt (and the server's countersignature over the same bytes).
    pub const CONSENT_RECEIPT: &str = "datacoop/v1/consent-receipt";
    /// A member's ballot in a cooperative vote.
    pub const BALLOT: &str = "datacoop/v1/ballot";
    /// An access-log checkpoint in datacoop's own canonical form (C2SP notes use their own format).
    pub const CHECKPOINT: &str = "datacoop/v1/checkpoint";
    /// The governance key's approval of a study's public key.
    pub const STUDY_KEY_APPROVAL: &str = "datacoop/v1/study-key-approval";
    /// A member's certificate for a write-only device: its id, name, categories and key.
    pub const DEVICE_CERTIFICATE: &str = "datacoop/v1/device-certificate";
    /// A member's proof, during account recovery, that the recovery code opened the vault.
    pub const ACCOUNT_RECOVERY: &str = "datacoop/v1/account-recovery";
    /// A member's governance key proving it is theirs when published in the register.
    pub const GOVERNANCE_KEY: &str = "datacoop/v1/governance-key";
    /// A member's authorisation (or its revocation) of a proxy for one assembly.
    pub const PROXY: &str = "datacoop/v1/proxy";
}

/// Length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// An Ed25519 signing key held as its 32-byte RFC 8032 seed (wiped on drop).
///
/// ring's expanded key pair, kept alongside for speed, is not wiped by ring on drop.
pub struct SigningKey {
    seed: Secret32,
    pair: Ed25519KeyPair,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey([redacted])")
    }
}

impl SigningKey {
    /// A fresh signing key.
    pub fn generate() -> Result<Self> {
        Self::generate_with_rng(&mut os_rng()?)
    }

    /// [`SigningKey::generate`] with a caller-supplied generator (test vectors).
    pub fn generate_with_rng(rng: &mut impl CryptoRng) -> Result<Self> {
        Self::from_seed(Secret32::random(rng))
    }

    pub(crate) fn from_seed(seed: Secret32) -> Result<Self> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed.as_bytes())
            .map_err(|_| Error::malformed("signing key", "rejected seed"))?;
        Ok(SigningKey { seed, pair })
    }

    pub(crate) fn seed(&self) -> &Secret32 {
        &self.seed
    }

    /// The public half to publish (through the transparency log) so others can verify.
    pub fn verifying_key(&self) -> VerifyingKey {
        let mut out = [0u8; KEY_LEN];
        out.copy_from_slice(self.pair.public_key().as_ref());
        VerifyingKey(out)
    }
}

impl PartialEq for SigningKey {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.seed.ct_eq(&other.seed))
    }
}

/// An Ed25519 public key (32 bytes, RFC 8032 encoding).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VerifyingKey([u8; KEY_LEN]);

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "VerifyingKey({})",
            crate::envelope::to_base64url(&self.0)
        )
    }
}

impl VerifyingKey {
    /// Parses a public key received from the server or another party.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let arr = bytes.try_into().map_err(|_| Error::InvalidPublicKey {
            what: "Ed25519 key",
        })?;
        Ok(VerifyingKey(arr))
    }

    /// The 32 bytes to publish.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl TryFrom<String> for VerifyingKey {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::from_bytes(&crate::envelope::from_base64url(&s)?)
    }
}

impl From<VerifyingKey> for String {
    fn from(k: VerifyingKey) -> String {
        crate::envelope::to_base64url(&k.0)
    }
}

/// A 64-byte Ed25519 signature.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Signature([u8; SIGNATURE_LEN]);

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", crate::envelope::to_base64url(&self.0))
    }
}

impl Signature {
    /// Parses a signature received from elsewhere.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let arr = bytes
            .try_into()
            .map_err(|_| Error::malformed("signature", "not 64 bytes"))?;
        Ok(Signature(arr))
    }

    /// The 64 bytes to store or send.
    pub fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        self.0
    }
}

impl TryFrom<String> for Signature {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::from_bytes(&crate::envelope::from_base64url(&s)?)
    }
}

impl From<Signature> for String {
    fn from(s: Signature) -> String {
        crate::envelope::to_base64url(&s.0)
    }
}

/// The exact bytes signed for `context` and `message`.
pub fn signed_bytes(context: &str, message: &[u8]) -> Vec<u8> {
    Canonical::new("datacoop/v1/signature")
        .str(context)
        .bytes(message)
        .finish()
}

/// Signs a canonical `message` for one purpose (`context`, see [`context`]).
pub fn sign(key: &SigningKey, context: &str, message: &[u8]) -> Signature {
    let sig = key.pair.sign(&signed_bytes(context, message));
    let mut out = [0u8; SIGNATURE_LEN];
    out.copy_from_slice(sig.as_ref());
    Signature(out)
}

/// Verifies a signature made by [`sign`] for the same context and message.
pub fn verify(
    key: &VerifyingKey,
    context: &str,
    message: &[u8],
    signature: &Signature,
) -> Result<()> {
    UnparsedPublicKey::new(&ring_sig::ED25519, key.0)
        .verify(&signed_bytes(context, message), &signature.0)
        .map_err(|_| Error::InvalidSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_bound_to_context_and_message() {
        let key = SigningKey::generate().unwrap();
        let msg = Canonical::new("datacoop/v1/ballot-body").u64(7).finish();
        let sig = sign(&key, context::BALLOT, &msg);
        let vk = key.verifying_key();
        verify(&vk, context::BALLOT, &msg, &sig).unwrap();
        assert!(verify(&vk, context::CONSENT_RECEIPT, &msg, &sig).is_err());
        assert!(verify(&vk, context::BALLOT, &msg[1..], &sig).is_err());
        let other = SigningKey::generate().unwrap().verifying_key();
        assert!(verify(&other, context::BALLOT, &msg, &sig).is_err());
        assert_eq!(format!("{key:?}"), "SigningKey([redacted])");
    }
}
