//! Passphrase → Argon2id → HKDF split into an authentication key and a key-encryption key.
//!
//! The server stores the Argon2id parameters and salt and hands them out at login: they are
//! attacker-controlled input, so the client refuses anything below a hard floor (a weaker
//! hash would let a malicious server brute-force the `auth_key` offline) or above a ceiling
//! (which would exhaust the device).
//!
//! Version 2 parameters (datacoop 0.2) do not use the server's salt as the Argon2 salt: the
//! client derives it, `SHA-256(C("datacoop/v2/argon2-salt", email, server_salt))`, so a
//! server that hands every member the same salt still cannot crack them all with one
//! dictionary; and the passphrase is NFC-normalised first, so every client derives the same
//! keys. Version 1 parameters (accounts from 0.1) use the server's salt and the passphrase as
//! typed; a client accepts them only when the member agrees (see [`KdfParams::is_legacy`]).

use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::canonical::Canonical;
use crate::derive::derive_key;
use crate::envelope::{self, BodyReader, Kind, HEADER_LEN, VERSION_1, VERSION_2};
use crate::error::{Error, Result};
use crate::rng::os_rng;
use crate::secret::{secret_key_type, KEY_LEN};

/// Length of the Argon2id salt.
pub const SALT_LEN: usize = 16;

/// Argon2id cost parameters and salt for one member's passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "KdfParamsJson", into = "KdfParamsJson")]
pub struct KdfParams {
    version: u8,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    salt: [u8; SALT_LEN],
}

impl KdfParams {
    /// Default memory (64 MiB), RFC 9106's second recommendation.
    pub const DEFAULT_MEMORY_KIB: u32 = 64 * 1024;
    /// Default passes over memory.
    pub const DEFAULT_ITERATIONS: u32 = 3;
    /// Default lanes.
    pub const DEFAULT_PARALLELISM: u32 = 4;
    /// Hard floor on memory (19 MiB, the OWASP minimum): the client never derives below it.
    pub const FLOOR_MEMORY_KIB: u32 = 19 * 1024;
    /// Hard floor on passes.
    pub const FLOOR_ITERATIONS: u32 = 2;
    /// Hard floor on lanes.
    pub const FLOOR_PARALLELISM: u32 = 1;
    /// Ceiling on memory (1 GiB) so a server cannot exhaust the device.
    pub const CEILING_MEMORY_KIB: u32 = 1024 * 1024;
    /// Ceiling on passes.
    pub const CEILING_ITERATIONS: u32 = 16;
    /// Ceiling on lanes.
    pub const CEILING_PARALLELISM: u32 = 16;

    /// Accepts parameters only within the floor and ceiling, so a server cannot downgrade the hash.
    pub fn new(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
        salt: [u8; SALT_LEN],
    ) -> Result<Self> {
        let params = KdfParams {
            version: VERSION_2,
            memory_kib,
            iterations,
            parallelism,
            salt,
        };
        params.validate()?;
        Ok(params)
    }

    /// Default parameters with a fresh random salt, for registration and passphrase changes.
    pub fn generate() -> Result<Self> {
        Self::generate_with_rng(&mut os_rng()?)
    }

    /// [`KdfParams::generate`] with a caller-supplied generator (test vectors).
    pub fn generate_with_rng(rng: &mut impl CryptoRng) -> Result<Self> {
        let mut salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        Self::new(
            Self::DEFAULT_MEMORY_KIB,
            Self::DEFAULT_ITERATIONS,
            Self::DEFAULT_PARALLELISM,
            salt,
        )
    }

    /// Re-checks the floor and ceiling (also done on every construction and decode).
    pub fn validate(&self) -> Result<()> {
        let checks = [
            (
                "memory_kib",
                self.memory_kib,
                Self::FLOOR_MEMORY_KIB,
                Self::CEILING_MEMORY_KIB,
            ),
            (
                "iterations",
                self.iterations,
                Self::FLOOR_ITERATIONS,
                Self::CEILING_ITERATIONS,
            ),
            (
                "parallelism",
                self.parallelism,
                Self::FLOOR_PARALLELISM,
                Self::CEILING_PARALLELISM,
            ),
        ];
        for (param, value, floor, ceiling) in checks {
            if value < floor {
                return Err(Error::KdfParamsBelowFloor {
                    param,
                    value,
                    floor,
                });
            }
            if value > ceiling {
                return Err(Error::KdfParamsAboveCeiling {
                    param,
                    value,
                    ceiling,
                });
            }
        }
        // Argon2 needs at least 8 KiB per lane; the floor and ceiling above already imply it.
        if self.memory_kib < 8 * self.parallelism {
            return Err(Error::KdfParamsBelowFloor {
                param: "memory_kib",
                value: self.memory_kib,
                floor: 8 * self.parallelism,
            });
        }
        Ok(())
    }

    /// Version 1 (datacoop 0.1): the server's salt is the Argon2 salt, the passphrase is used
    /// as typed. A client should accept these only when the member agrees, then upgrade them
    /// with a passphrase change.
    pub fn is_legacy(&self) -> bool {
        self.version == VERSION_1
    }

    /// The envelope version (1 or 2).
    pub fn version(&self) -> u8 {
        self.version
    }

    /// Whether these parameters cost at least as much as `other` in every dimension and are
    /// of the same or a later version (so accepting them loses nothing remembered).
    pub fn at_least(&self, other: &KdfCost) -> bool {
        self.version >= other.version
            && self.memory_kib >= other.memory_kib
            && self.iterations >= other.iterations
            && self.parallelism >= other.parallelism
    }

    /// The cost to remember for this account (no salt).
    pub fn cost(&self) -> KdfCost {
        KdfCost {
            version: self.version,
            memory_kib: self.memory_kib,
            iterations: self.iterations,
            parallelism: self.parallelism,
        }
    }

    /// Memory cost in KiB.
    pub fn memory_kib(&self) -> u32 {
        self.memory_kib
    }

    /// Number of passes.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Number of lanes.
    pub fn parallelism(&self) -> u32 {
        self.parallelism
    }

    /// The per-member salt.
    pub fn salt(&self) -> &[u8; SALT_LEN] {
        &self.salt
    }

    /// Binary envelope: header ‖ memory_kib u32 BE ‖ iterations u32 BE ‖ parallelism u32 BE ‖ salt (16);
    /// the header's version byte says how the salt and passphrase are used.
    pub fn to_envelope(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + 12 + SALT_LEN);
        out.extend_from_slice(&[envelope::MAGIC, Kind::KdfParams as u8, self.version]);
        out.extend_from_slice(&self.memory_kib.to_be_bytes());
        out.extend_from_slice(&self.iterations.to_be_bytes());
        out.extend_from_slice(&self.parallelism.to_be_bytes());
        out.extend_from_slice(&self.salt);
        out
    }

    /// Decodes and validates an envelope from the server: downgraded parameters are an error.
    pub fn from_envelope(bytes: &[u8]) -> Result<Self> {
        let (version, body) = envelope::open_versioned(bytes, Kind::KdfParams)?;
        let mut r = BodyReader::new(body, Kind::KdfParams.name());
        let m = u32::from_be_bytes(r.take()?);
        let t = u32::from_be_bytes(r.take()?);
        let p = u32::from_be_bytes(r.take()?);
        let salt = r.take()?;
        r.finish()?;
        let mut params = Self::new(m, t, p, salt)?;
        params.version = version;
        Ok(params)
    }

    /// The Argon2 salt for `email` (normalised, as the server stores it).
    fn argon2_salt(&self, email: &str) -> Vec<u8> {
        if self.is_legacy() {
            return self.salt.to_vec();
        }
        let input = Canonical::new("datacoop/v2/argon2-salt")
            .str(email)
            .bytes(&self.salt)
            .finish();
        ring::digest::digest(&ring::digest::SHA256, &input)
            .as_ref()
            .to_vec()
    }
}

/// The cost of an account's parameters, without the salt: what a client remembers per
/// account to refuse a later downgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfCost {
    /// Envelope version (1: legacy salt use; 2: client-derived salt).
    pub version: u8,
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

/// JSON form of [`KdfParams`]; decoding goes through the same floor checks.
#[derive(Serialize, Deserialize)]
struct KdfParamsJson {
    #[serde(default = "legacy_version")]
    version: u8,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    #[serde(with = "crate::envelope::base64url")]
    salt: Vec<u8>,
}

fn legacy_version() -> u8 {
    VERSION_1
}

impl TryFrom<KdfParamsJson> for KdfParams {
    type Error = Error;
    fn try_from(j: KdfParamsJson) -> Result<Self> {
        let salt = j.salt.as_slice().try_into().map_err(|_| {
            Error::malformed("passphrase hashing parameters", "salt is not 16 bytes")
        })?;
        let mut p = KdfParams::new(j.memory_kib, j.iterations, j.parallelism, salt)?;
        p.version = match j.version {
            VERSION_1 => VERSION_1,
            VERSION_2 => VERSION_2,
            v => {
                return Err(Error::UnsupportedVersion {
                    kind: Kind::KdfParams.name(),
                    version: v,
                })
            }
        };
        Ok(p)
    }
}

impl From<KdfParams> for KdfParamsJson {
    fn from(p: KdfParams) -> Self {
        KdfParamsJson {
            version: p.version,
            memory_kib: p.memory_kib,
            iterations: p.iterations,
            parallelism: p.parallelism,
            salt: p.salt.to_vec(),
        }
    }
}

secret_key_type!(
    /// Sent to the server at login in place of the passphrase; the server stores only its own slow hash of it.
    AuthKey
);

impl AuthKey {
    /// The bytes to send at login (and only there).
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        self.0.as_bytes()
    }

    /// The login form for the API.
    pub fn to_base64url(&self) -> String {
        envelope::to_base64url(self.0.as_bytes())
    }
}

secret_key_type!(
    /// Key-encryption key: opens the vault key, never leaves the client.
    Kek
);

/// Derives the login key and the key-encryption key from a passphrase for the account
/// `email` (normalised: trimmed, lower case, as the server stores it), refusing weak
/// parameters. With version 2 parameters the passphrase is NFC-normalised and the Argon2
/// salt derived from the email and the server's salt.
pub fn derive_passphrase_keys(
    passphrase: &str,
    email: &str,
    params: &KdfParams,
) -> Result<(AuthKey, Kek)> {
    use unicode_normalization::UnicodeNormalization;
    params.validate()?;
    if passphrase.is_empty() {
        return Err(Error::EmptyPassphrase);
    }
    // Sized up front so growing leaves no unwiped copies behind.
    let mut normalised = Zeroizing::new(String::with_capacity(passphrase.len() * 3));
    if params.is_legacy() {
        normalised.push_str(passphrase);
    } else {
        normalised.extend(passphrase.nfc());
    }
    let salt = params.argon2_salt(email);
    let argon_params = Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(KEY_LEN),
    )
    .map_err(|_| Error::malformed("passphrase hashing parameters", "rejected by Argon2"))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
    let mut master = Zeroizing::new([0u8; KEY_LEN]);
    argon
        .hash_password_into(normalised.as_bytes(), &salt, master.as_mut_slice())
        .map_err(|_| Error::InvalidInput {
            what: "passphrase",
            reason: "rejected by Argon2 (too long?)",
        })?;
    let auth = derive_key(
        master.as_slice(),
        &Canonical::new("datacoop/v1/auth-key").finish(),
    )?;
    let kek = derive_key(
        master.as_slice(),
        &Canonical::new("datacoop/v1/kek").finish(),
    )?;
    Ok((AuthKey(auth), Kek(kek)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_are_enforced_on_every_path() {
        let salt = [1u8; SALT_LEN];
        assert!(matches!(
            KdfParams::new(8 * 1024, 3, 4, salt),
            Err(Error::KdfParamsBelowFloor {
                param: "memory_kib",
                ..
            })
        ));
        assert!(matches!(
            KdfParams::new(64 * 1024, 1, 4, salt),
            Err(Error::KdfParamsBelowFloor {
                param: "iterations",
                ..
            })
        ));
        assert!(matches!(
            KdfParams::new(64 * 1024, 3, 0, salt),
            Err(Error::KdfParamsBelowFloor {
                param: "parallelism",
                ..
            })
        ));
        assert!(matches!(
            KdfParams::new(4 * 1024 * 1024, 3, 4, salt),
            Err(Error::KdfParamsAboveCeiling { .. })
        ));
        let ok = KdfParams::new(64 * 1024, 3, 4, salt).unwrap();
        let mut env = ok.to_envelope();
        assert_eq!(KdfParams::from_envelope(&env).unwrap(), ok);
        env[3..7].copy_from_slice(&1024u32.to_be_bytes());
        assert_eq!(
            KdfParams::from_envelope(&env).unwrap_err().code(),
            "kdf_params_below_floor"
        );
        let json =
            r#"{"memory_kib":1024,"iterations":3,"parallelism":4,"salt":"AQEBAQEBAQEBAQEBAQEBAQ"}"#;
        assert!(serde_json::from_str::<KdfParams>(json).is_err());
    }

    #[test]
    fn keys_are_redacted_in_debug() {
        let p = KdfParams::new(KdfParams::FLOOR_MEMORY_KIB, 2, 1, [0; SALT_LEN]).unwrap();
        let (auth, kek) = derive_passphrase_keys("correct horse", "ana@example.org", &p).unwrap();
        assert_eq!(format!("{auth:?}"), "AuthKey([redacted])");
        assert_eq!(format!("{kek:?}"), "Kek([redacted])");
        assert_ne!(auth.as_bytes(), kek.0.as_bytes());
    }
}
