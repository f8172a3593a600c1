//! The account-recovery proof: a member who lost the passphrase shows the server, without
//! revealing anything secret, that the recovery code opened the vault.
//!
//! The recovery code opens the vault key (box 0x11), the vault key opens the member's private
//! keys (box 0x12), and the Ed25519 key among them signs the server's fresh challenge together
//! with the new login material. The server verifies with the member's stored public key, so it
//! keeps no secret that could stand in for the proof (a stolen database forges nothing), and a
//! captured request cannot be replayed with other material. Section 7.1 of `docs/crypto.md`.

use ring::digest;
use uuid::Uuid;

use crate::canonical::Canonical;
use crate::error::Result;
use crate::keys::{MemberKeys, MemberPublicKeys};
use crate::sign::{self, context, Signature};

/// Context string of the canonical message a recovery proof signs.
pub const RECOVERY_REQUEST_CONTEXT: &str = "datacoop/v1/account-recovery-request";

/// What a recovery request commits to: the server's challenge and the new login material.
#[derive(Debug, Clone, Copy)]
pub struct RecoveryRequest<'a> {
    /// The account being recovered.
    pub member_id: &'a Uuid,
    /// The server's challenge, exactly as received (opaque bytes).
    pub challenge: &'a [u8],
    /// The new `KdfParams` envelope.
    pub kdf_params: &'a [u8],
    /// The new authentication key (only its SHA-256 enters the message).
    pub auth_key: &'a [u8],
    /// The vault key sealed under the new KEK (box 0x10).
    pub sealed_vault_key: &'a [u8],
}

impl RecoveryRequest<'_> {
    /// `C("datacoop/v1/account-recovery-request", member_id, challenge, kdf_params,
    /// SHA-256(auth_key), sealed_vault_key)`: the bytes signed in context `datacoop/v1/account-recovery`.
    pub fn message(&self) -> Vec<u8> {
        let auth_hash = digest::digest(&digest::SHA256, self.auth_key);
        Canonical::new(RECOVERY_REQUEST_CONTEXT)
            .uuid(self.member_id)
            .bytes(self.challenge)
            .bytes(self.kdf_params)
            .bytes(auth_hash.as_ref())
            .bytes(self.sealed_vault_key)
            .finish()
    }

    /// Signs the request with the member's Ed25519 key (opened from the vault).
    pub fn sign(&self, keys: &MemberKeys) -> Signature {
        sign::sign(&keys.signing, context::ACCOUNT_RECOVERY, &self.message())
    }

    /// Checks a proof against the member's stored public keys; [`crate::Error::InvalidSignature`] if it fails.
    pub fn verify(&self, public: &MemberPublicKeys, signature: &Signature) -> Result<()> {
        sign::verify(
            &public.signing,
            context::ACCOUNT_RECOVERY,
            &self.message(),
            signature,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_binds_member_challenge_and_material() {
        let keys = MemberKeys::generate().unwrap();
        let id = Uuid::from_u128(1);
        let req = RecoveryRequest {
            member_id: &id,
            challenge: b"challenge",
            kdf_params: b"params",
            auth_key: &[7u8; 32],
            sealed_vault_key: b"sealed",
        };
        let sig = req.sign(&keys);
        req.verify(&keys.public_keys(), &sig).unwrap();
        let other = Uuid::from_u128(2);
        for changed in [
            RecoveryRequest {
                member_id: &other,
                ..req
            },
            RecoveryRequest {
                challenge: b"challengf",
                ..req
            },
            RecoveryRequest {
                auth_key: &[8u8; 32],
                ..req
            },
            RecoveryRequest {
                sealed_vault_key: b"sealeD",
                ..req
            },
        ] {
            assert_eq!(
                changed
                    .verify(&keys.public_keys(), &sig)
                    .unwrap_err()
                    .code(),
                "invalid_signature"
            );
        }
        let stranger = MemberKeys::generate().unwrap();
        assert!(req.verify(&stranger.public_keys(), &sig).is_err());
    }
}
