//! The account-recovery proof: a member who lost the passphrase shows the server, without
//! revealing anything secret, that they hold the recovery code.
//!
//! The recovery code derives an Ed25519 key ([`RecoveryKey::signing_key`]) whose public half
//! was registered with the account; it signs the server's fresh challenge together with the
//! new login material and the *new* recovery material, so the used code stops working. The
//! server verifies with the stored recovery public key, so it keeps no secret that could stand
//! in for the proof (a stolen database forges nothing), someone who only read the vault key
//! cannot make it, and a captured request cannot be replayed with other material. Accounts
//! registered before datacoop 0.2 have no recovery public key: for them the member's own
//! Ed25519 key signs (the version-1 rule), once, and the recovery registers one.
//! Section 7.1 of `docs/crypto.md`.
//!
//! [`RecoveryKey::signing_key`]: crate::RecoveryKey::signing_key

use ring::digest;
use uuid::Uuid;

use crate::canonical::Canonical;
use crate::error::Result;
use crate::sign::{self, context, Signature, SigningKey, VerifyingKey};

/// Context string of the canonical message a recovery proof signs.
pub const RECOVERY_REQUEST_CONTEXT: &str = "datacoop/v2/account-recovery-request";

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
    /// The vault key sealed under the new recovery key (box 0x11).
    pub new_recovery_vault_key: &'a [u8],
    /// The new recovery key's Ed25519 public key (32 bytes).
    pub new_recovery_public_key: &'a [u8],
}

impl RecoveryRequest<'_> {
    /// `C("datacoop/v2/account-recovery-request", member_id, challenge, kdf_params,
    /// SHA-256(auth_key), sealed_vault_key, new_recovery_vault_key, new_recovery_public_key)`:
    /// the bytes signed in context `datacoop/v1/account-recovery`.
    pub fn message(&self) -> Vec<u8> {
        let auth_hash = digest::digest(&digest::SHA256, self.auth_key);
        Canonical::new(RECOVERY_REQUEST_CONTEXT)
            .uuid(self.member_id)
            .bytes(self.challenge)
            .bytes(self.kdf_params)
            .bytes(auth_hash.as_ref())
            .bytes(self.sealed_vault_key)
            .bytes(self.new_recovery_vault_key)
            .bytes(self.new_recovery_public_key)
            .finish()
    }

    /// Signs the request with the recovery signing key (or, for an account from before
    /// datacoop 0.2, the member's own Ed25519 key opened from the vault).
    pub fn sign(&self, key: &SigningKey) -> Signature {
        sign::sign(key, context::ACCOUNT_RECOVERY, &self.message())
    }

    /// Checks a proof against the account's registered recovery public key (or, for an
    /// account from before datacoop 0.2, its member signing key);
    /// [`crate::Error::InvalidSignature`] if it fails.
    pub fn verify(&self, public: &VerifyingKey, signature: &Signature) -> Result<()> {
        sign::verify(
            public,
            context::ACCOUNT_RECOVERY,
            &self.message(),
            signature,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RecoveryKey;

    #[test]
    fn proof_binds_member_challenge_and_material() {
        let code = RecoveryKey::generate().unwrap();
        let key = code.signing_key().unwrap();
        let public = code.verifying_key().unwrap();
        assert_eq!(public, key.verifying_key());
        let id = Uuid::from_u128(1);
        let req = RecoveryRequest {
            member_id: &id,
            challenge: b"challenge",
            kdf_params: b"params",
            auth_key: &[7u8; 32],
            sealed_vault_key: b"sealed",
            new_recovery_vault_key: b"new recovery copy",
            new_recovery_public_key: &[9u8; 32],
        };
        let sig = req.sign(&key);
        req.verify(&public, &sig).unwrap();
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
            RecoveryRequest {
                new_recovery_vault_key: b"another copy",
                ..req
            },
            RecoveryRequest {
                new_recovery_public_key: &[1u8; 32],
                ..req
            },
        ] {
            assert_eq!(
                changed.verify(&public, &sig).unwrap_err().code(),
                "invalid_signature"
            );
        }
        let stranger = RecoveryKey::generate().unwrap().verifying_key().unwrap();
        assert!(req.verify(&stranger, &sig).is_err());
    }
}
