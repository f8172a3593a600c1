//! The vault key: 256 random bits at the root of a member's data, stored only sealed.
//!
//! One copy is sealed under the passphrase's key-encryption key, one under the recovery key.
//! Changing the passphrase re-seals the first copy only; nothing under the vault key changes.
//! AAD for both copies: `C("datacoop/v1/vault-key", member_id)`.

use std::fmt;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::aead_box;
use crate::canonical::Canonical;
use crate::derive::derive_key;
use crate::envelope::Kind;
use crate::error::{Error, Result};
use crate::kdf::Kek;
use crate::recovery::RecoveryKey;
use crate::rng::os_rng;
use crate::secret::Secret32;

/// The member's root data key, with the subkeys derived from it computed once.
#[derive(Clone)]
pub struct VaultKey {
    key: Secret32,
    pub(crate) record_wrap_key: Secret32,
    pub(crate) member_keys_wrap_key: Secret32,
}

impl fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VaultKey([redacted])")
    }
}

impl PartialEq for VaultKey {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.key.ct_eq(&other.key))
    }
}

impl Eq for VaultKey {}

impl VaultKey {
    /// A fresh vault key, made once at registration.
    pub fn generate() -> Result<Self> {
        Self::generate_with_rng(&mut os_rng()?)
    }

    /// [`VaultKey::generate`] with a caller-supplied generator (test vectors).
    pub fn generate_with_rng(rng: &mut impl CryptoRng) -> Result<Self> {
        Self::from_secret(Secret32::random(rng))
    }

    /// The raw key, for the member's own local key store (a 0600 file on the
    /// member's machine). Never send it anywhere.
    pub fn to_local_bytes(&self) -> zeroize::Zeroizing<[u8; crate::KEY_LEN]> {
        zeroize::Zeroizing::new(*self.key.as_bytes())
    }

    /// Restores a key saved with [`VaultKey::to_local_bytes`].
    pub fn from_local_bytes(bytes: &[u8]) -> Result<Self> {
        let key = Secret32::from_slice(bytes).ok_or(Error::InvalidInput {
            what: "vault key",
            reason: "must be 32 bytes",
        })?;
        Self::from_secret(key)
    }

    /// The member's governance signing key (Ed25519) for one register entry:
    /// `HKDF-SHA256(vault key, C("datacoop/v1/governance-key", register_id))`. Derived,
    /// not stored, so every machine that opens the vault signs ballots with the same key
    /// and the server never holds it (docs/crypto.md section 13.1). A new vault key (key
    /// rotation) derives a new one, which a steward's new invitation links.
    pub fn governance_key(&self, register_id: &Uuid) -> Result<crate::SigningKey> {
        let seed = derive_key(
            self.key.as_bytes(),
            &Canonical::new("datacoop/v1/governance-key")
                .uuid(register_id)
                .finish(),
        )?;
        crate::SigningKey::from_seed(seed)
    }

    /// The secret a member's client draws a study's date offset from (de-identification
    /// level `shifted`): `HKDF-SHA256(vault key, C("datacoop/v1/study-date-shift", study))`,
    /// the same on every machine that opens the vault, unknown to the server and study.
    pub fn study_date_secret(&self, study: &Uuid) -> Result<zeroize::Zeroizing<[u8; 32]>> {
        let s = derive_key(
            self.key.as_bytes(),
            &Canonical::new("datacoop/v1/study-date-shift")
                .uuid(study)
                .finish(),
        )?;
        Ok(zeroize::Zeroizing::new(*s.as_bytes()))
    }

    fn from_secret(key: Secret32) -> Result<Self> {
        let record_wrap_key = derive_key(
            key.as_bytes(),
            &Canonical::new("datacoop/v1/record-key-wrap-key").finish(),
        )?;
        let member_keys_wrap_key = derive_key(
            key.as_bytes(),
            &Canonical::new("datacoop/v1/member-keys-wrap-key").finish(),
        )?;
        Ok(VaultKey {
            key,
            record_wrap_key,
            member_keys_wrap_key,
        })
    }
}

fn vault_aad(member_id: &Uuid) -> Vec<u8> {
    Canonical::new("datacoop/v1/vault-key")
        .uuid(member_id)
        .finish()
}

/// Seals the vault key under the passphrase's KEK for storage on the server.
pub fn seal_vault_key(vault_key: &VaultKey, kek: &Kek, member_id: &Uuid) -> Result<Vec<u8>> {
    seal_vault_key_with_rng(vault_key, kek, member_id, &mut os_rng()?)
}

/// [`seal_vault_key`] with a caller-supplied generator (test vectors).
pub fn seal_vault_key_with_rng(
    vault_key: &VaultKey,
    kek: &Kek,
    member_id: &Uuid,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>> {
    aead_box::seal(
        Kind::VaultKeyByPassphrase,
        &kek.0,
        &vault_aad(member_id),
        vault_key.key.as_bytes(),
        rng,
    )
}

/// Opens the passphrase copy at login; a wrong passphrase gives [`crate::Error::WrongKey`].
pub fn open_vault_key(sealed: &[u8], kek: &Kek, member_id: &Uuid) -> Result<VaultKey> {
    let key = aead_box::open_key(
        Kind::VaultKeyByPassphrase,
        &kek.0,
        &vault_aad(member_id),
        sealed,
    )?;
    VaultKey::from_secret(key)
}

/// Seals the vault key under the recovery key (the copy used when the passphrase is lost).
pub fn seal_vault_key_for_recovery(
    vault_key: &VaultKey,
    recovery_key: &RecoveryKey,
    member_id: &Uuid,
) -> Result<Vec<u8>> {
    seal_vault_key_for_recovery_with_rng(vault_key, recovery_key, member_id, &mut os_rng()?)
}

/// [`seal_vault_key_for_recovery`] with a caller-supplied generator (test vectors).
pub fn seal_vault_key_for_recovery_with_rng(
    vault_key: &VaultKey,
    recovery_key: &RecoveryKey,
    member_id: &Uuid,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>> {
    aead_box::seal(
        Kind::VaultKeyByRecovery,
        &recovery_key.wrap_key,
        &vault_aad(member_id),
        vault_key.key.as_bytes(),
        rng,
    )
}

/// Opens the recovery copy, after which the member sets a new passphrase.
pub fn open_vault_key_with_recovery(
    sealed: &[u8],
    recovery_key: &RecoveryKey,
    member_id: &Uuid,
) -> Result<VaultKey> {
    let key = aead_box::open_key(
        Kind::VaultKeyByRecovery,
        &recovery_key.wrap_key,
        &vault_aad(member_id),
        sealed,
    )?;
    VaultKey::from_secret(key)
}

/// A key a shell holds (`datacoop member unlock` prints it as `DATACOOP_SESSION`): it
/// opens the client's local copy of the vault key (box 0x13), so neither the
/// environment alone nor the session file alone opens the vault, and `datacoop member
/// lock` (deleting the local copy) makes a leaked shell key worthless.
#[derive(Clone)]
pub struct ShellKey(Secret32);

impl fmt::Debug for ShellKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ShellKey([redacted])")
    }
}

impl ShellKey {
    /// 32 fresh random bytes from the operating system.
    pub fn generate() -> Result<Self> {
        Ok(ShellKey(Secret32::random(&mut os_rng()?)))
    }

    /// The key as a shell holds it.
    pub fn to_bytes(&self) -> zeroize::Zeroizing<[u8; crate::KEY_LEN]> {
        zeroize::Zeroizing::new(*self.0.as_bytes())
    }

    /// Reads a key a shell held (exactly 32 bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Secret32::from_slice(bytes)
            .map(ShellKey)
            .ok_or(Error::InvalidInput {
                what: "shell key",
                reason: "must be 32 bytes",
            })
    }
}

fn shell_aad(member_id: &Uuid) -> Vec<u8> {
    Canonical::new("datacoop/v2/vault-key-shell")
        .uuid(member_id)
        .finish()
}

/// Seals the vault key under a shell key: the local copy an unlocked shell opens.
pub fn seal_vault_key_for_shell(
    vault_key: &VaultKey,
    shell_key: &ShellKey,
    member_id: &Uuid,
) -> Result<Vec<u8>> {
    aead_box::seal(
        Kind::VaultKeyByShell,
        &shell_key.0,
        &shell_aad(member_id),
        vault_key.key.as_bytes(),
        &mut os_rng()?,
    )
}

/// Opens the local copy with the shell's key; another key gives [`crate::Error::WrongKey`].
pub fn open_vault_key_for_shell(
    sealed: &[u8],
    shell_key: &ShellKey,
    member_id: &Uuid,
) -> Result<VaultKey> {
    let key = aead_box::open_key(
        Kind::VaultKeyByShell,
        &shell_key.0,
        &shell_aad(member_id),
        sealed,
    )?;
    VaultKey::from_secret(key)
}

#[cfg(test)]
mod shell_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_shell_key_opens_only_its_own_copy_of_its_own_member() {
        let vault = VaultKey::generate().unwrap();
        let (shell, other) = (ShellKey::generate().unwrap(), ShellKey::generate().unwrap());
        let member = Uuid::from_bytes([1; 16]);
        let copy = seal_vault_key_for_shell(&vault, &shell, &member).unwrap();
        assert_eq!(copy.len(), 107);
        assert_eq!(copy[1], Kind::VaultKeyByShell as u8);
        assert!(open_vault_key_for_shell(&copy, &shell, &member).unwrap() == vault);
        assert!(open_vault_key_for_shell(&copy, &other, &member).is_err());
        assert!(open_vault_key_for_shell(&copy, &shell, &Uuid::from_bytes([2; 16])).is_err());
        // Not interchangeable with the passphrase copy's kind.
        let kek = crate::kdf::Kek(Secret32::from_slice(shell.to_bytes().as_slice()).unwrap());
        assert!(open_vault_key(&copy, &kek, &member).is_err());
        assert_eq!(format!("{shell:?}"), "ShellKey([redacted])");
        let back = ShellKey::from_bytes(shell.to_bytes().as_slice()).unwrap();
        assert!(open_vault_key_for_shell(&copy, &back, &member).is_ok());
        assert!(ShellKey::from_bytes(&[0; 31]).is_err());
    }
}
