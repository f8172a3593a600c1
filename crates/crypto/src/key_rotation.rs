//! The statement a member signs when rotating their keys (`datacoop member rotate-keys`):
//! the new public keys name the fingerprints of the keys they retire, signed by the new
//! Ed25519 key. The access log carries it in the new keys' `key_published` entry, so a
//! client holding only the new keys can tell its own earlier publications from a key the
//! server published in its name (docs/crypto.md section 7.2).

use ring::digest;
use uuid::Uuid;

use crate::canonical::Canonical;
use crate::error::{Error, Result};
use crate::sign::{self, Signature, SigningKey, VerifyingKey, SIGNATURE_LEN};

/// Context string of the canonical statement.
pub const KEY_ROTATION_CONTEXT: &str = "datacoop/v2/key-rotation";

/// Length of a key fingerprint: SHA-256 of a public-key envelope.
pub const FINGERPRINT_LEN: usize = 32;

/// Most fingerprints one statement retires (it fits a log entry's 4,096 extra bytes).
pub const MAX_RETIRED: usize = 120;

/// SHA-256 of a member's public-key envelope (kind 0x02), as `key_published` logs it.
pub fn key_fingerprint(public_keys_envelope: &[u8]) -> [u8; FINGERPRINT_LEN] {
    let d = digest::digest(&digest::SHA256, public_keys_envelope);
    let mut out = [0u8; FINGERPRINT_LEN];
    out.copy_from_slice(d.as_ref());
    out
}

/// The new keys of a member and the fingerprints of every key they replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRotation {
    /// The member.
    pub member_id: Uuid,
    /// Fingerprint of the new public-key envelope.
    pub new_keys: [u8; FINGERPRINT_LEN],
    /// Fingerprints of the keys this rotation retires, oldest first.
    pub retired: Vec<[u8; FINGERPRINT_LEN]>,
}

impl KeyRotation {
    /// `C("datacoop/v2/key-rotation", member_id, new_keys, u32 n, retired_1, …, retired_n)`.
    pub fn message(&self) -> Vec<u8> {
        let mut c = Canonical::new(KEY_ROTATION_CONTEXT)
            .uuid(&self.member_id)
            .bytes(&self.new_keys)
            .u32(self.retired.len() as u32);
        for fp in &self.retired {
            c = c.bytes(fp);
        }
        c.finish()
    }

    /// Signs the statement with the new keys' signing key.
    pub fn sign(&self, new_signing_key: &SigningKey) -> Signature {
        sign::sign(new_signing_key, KEY_ROTATION_CONTEXT, &self.message())
    }

    /// Checks the statement's signature with the new keys' verifying key.
    pub fn verify(&self, new_verifying_key: &VerifyingKey, signature: &Signature) -> Result<()> {
        sign::verify(
            new_verifying_key,
            KEY_ROTATION_CONTEXT,
            &self.message(),
            signature,
        )
    }

    /// The `extra` bytes of the new keys' `key_published` entry:
    /// `new_keys ‖ signature ‖ retired_1 ‖ … ‖ retired_n` (a plain publication at
    /// registration carries `new_keys` alone).
    pub fn log_extra(&self, signature: &Signature) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            FINGERPRINT_LEN + SIGNATURE_LEN + FINGERPRINT_LEN * self.retired.len(),
        );
        out.extend_from_slice(&self.new_keys);
        out.extend_from_slice(&signature.to_bytes());
        for fp in &self.retired {
            out.extend_from_slice(fp);
        }
        out
    }

    /// Parses [`KeyRotation::log_extra`] bytes; `None` for a plain publication (32 bytes).
    pub fn from_log_extra(member_id: Uuid, extra: &[u8]) -> Result<Option<(Self, Signature)>> {
        if extra.len() == FINGERPRINT_LEN {
            return Ok(None);
        }
        let bad = || Error::malformed("key rotation statement", "unexpected length");
        let rest_len = extra
            .len()
            .checked_sub(FINGERPRINT_LEN + SIGNATURE_LEN)
            .ok_or_else(bad)?;
        if rest_len % FINGERPRINT_LEN != 0 || rest_len / FINGERPRINT_LEN > MAX_RETIRED {
            return Err(bad());
        }
        let mut new_keys = [0u8; FINGERPRINT_LEN];
        new_keys.copy_from_slice(&extra[..FINGERPRINT_LEN]);
        let signature =
            Signature::from_bytes(&extra[FINGERPRINT_LEN..FINGERPRINT_LEN + SIGNATURE_LEN])?;
        let retired = extra[FINGERPRINT_LEN + SIGNATURE_LEN..]
            .chunks(FINGERPRINT_LEN)
            .map(|c| {
                let mut fp = [0u8; FINGERPRINT_LEN];
                fp.copy_from_slice(c);
                fp
            })
            .collect();
        Ok(Some((
            KeyRotation {
                member_id,
                new_keys,
                retired,
            },
            signature,
        )))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn statement_round_trips_and_binds_everything() {
        let key = SigningKey::generate().unwrap();
        let other = SigningKey::generate().unwrap();
        let r = KeyRotation {
            member_id: Uuid::from_bytes([1; 16]),
            new_keys: [2; 32],
            retired: vec![[3; 32], [4; 32]],
        };
        let sig = r.sign(&key);
        r.verify(&key.verifying_key(), &sig).unwrap();
        assert!(r.verify(&other.verifying_key(), &sig).is_err());
        let extra = r.log_extra(&sig);
        assert_eq!(extra.len(), 32 + 64 + 64);
        let (back, back_sig) = KeyRotation::from_log_extra(r.member_id, &extra)
            .unwrap()
            .unwrap();
        assert_eq!(back, r);
        back.verify(&key.verifying_key(), &back_sig).unwrap();
        let mut fewer = r.clone();
        fewer.retired.pop();
        assert!(fewer.verify(&key.verifying_key(), &sig).is_err());
        let mut moved = r.clone();
        moved.member_id = Uuid::from_bytes([9; 16]);
        assert!(moved.verify(&key.verifying_key(), &sig).is_err());
        assert!(KeyRotation::from_log_extra(r.member_id, &[0; 32])
            .unwrap()
            .is_none());
        assert!(KeyRotation::from_log_extra(r.member_id, &extra[..100]).is_err());
    }
}
