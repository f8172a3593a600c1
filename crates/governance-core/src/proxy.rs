//! A proxy authorisation in text form (Cooperatives Act §43(5)), signed by the member
//! who grants it; its revocation is the same statement with `revoke` set.
//!
//! ```text
//! message = C("datacoop/v1/proxy", assembly, grantor, holder, u8 revoke, u64 at_micros)
//! signature = Ed25519 by the grantor's governance key, context "datacoop/v1/proxy"
//! ```

use datacoop_api::b64::Base64Url;
use datacoop_crypto::sign::context;
use datacoop_crypto::{sign, verify, Canonical, Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// What the grantor signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Proxy {
    /// The assembly it is for.
    pub assembly: Uuid,
    /// The member who authorises (register id).
    pub grantor: Uuid,
    /// The member who votes for them (register id).
    pub holder: Uuid,
    /// `true` ends the authorisation.
    pub revoke: bool,
    /// When it was signed (unix microseconds).
    pub at_micros: u64,
}

impl Proxy {
    /// The canonical bytes that are signed.
    pub fn message(&self) -> Vec<u8> {
        Canonical::new(context::PROXY)
            .uuid(&self.assembly)
            .uuid(&self.grantor)
            .uuid(&self.holder)
            .u8(u8::from(self.revoke))
            .u64(self.at_micros)
            .finish()
    }

    /// Signs it with the grantor's governance key.
    pub fn sign(self, key: &SigningKey) -> SignedProxy {
        SignedProxy {
            signature: Base64Url(
                sign(key, context::PROXY, &self.message())
                    .to_bytes()
                    .to_vec(),
            ),
            proxy: self,
        }
    }
}

/// A proxy statement with the grantor's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignedProxy {
    /// The signed statement.
    pub proxy: Proxy,
    /// Ed25519 signature by the grantor's governance key.
    pub signature: Base64Url,
}

impl SignedProxy {
    /// Whether the signature verifies under `key` (the grantor's registered key).
    pub fn verifies(&self, key: &VerifyingKey) -> bool {
        Signature::from_bytes(&self.signature)
            .map(|s| verify(key, context::PROXY, &self.proxy.message(), &s).is_ok())
            .unwrap_or(false)
    }
}

/// The proof that a governance key is held by whoever publishes it for a register entry.
///
/// ```text
/// message = C("datacoop/v1/governance-key", member, key)
/// signature = Ed25519 by that key, context "datacoop/v1/governance-key"
/// ```
pub fn key_proof_message(member: &Uuid, key: &VerifyingKey) -> Vec<u8> {
    Canonical::new(context::GOVERNANCE_KEY)
        .uuid(member)
        .bytes(key.as_bytes())
        .finish()
}

/// Signs the key proof.
pub fn prove_key(member: &Uuid, key: &SigningKey) -> Vec<u8> {
    sign(
        key,
        context::GOVERNANCE_KEY,
        &key_proof_message(member, &key.verifying_key()),
    )
    .to_bytes()
    .to_vec()
}

/// Checks a key proof.
pub fn key_proof_holds(member: &Uuid, key: &VerifyingKey, proof: &[u8]) -> bool {
    Signature::from_bytes(proof)
        .map(|s| {
            verify(
                key,
                context::GOVERNANCE_KEY,
                &key_proof_message(member, key),
                &s,
            )
            .is_ok()
        })
        .unwrap_or(false)
}
