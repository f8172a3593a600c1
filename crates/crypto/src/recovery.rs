//! The recovery key: 256 random bits shown once to the member as a printable, checksummed code.
//!
//! Code layout: `0x01 (version) ‖ secret (32) ‖ check (2)` = 35 bytes = 280 bits, written as 56
//! Crockford base32 characters in 14 groups of 4 joined by `-`. `check` is the first two bytes
//! of `SHA-256("datacoop/v1/recovery-code" ‖ 0x01 ‖ secret)`, so most typos are caught before
//! any decryption is attempted. Decoding ignores case, spaces and hyphens and reads `O` as `0`
//! and `I`/`L` as `1`.

use std::fmt;

use rand_core::CryptoRng;
use ring::digest;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::canonical::Canonical;
use crate::derive::derive_key;
use crate::error::{Error, Result};
use crate::rng::os_rng;
use crate::secret::{Secret32, KEY_LEN};
use crate::sign::{SigningKey, VerifyingKey};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_VERSION: u8 = 0x01;
const PAYLOAD_LEN: usize = 1 + KEY_LEN + 2;
const CODE_CHARS: usize = PAYLOAD_LEN * 8 / 5;
const GROUP: usize = 4;

/// The member's second way into the vault when the passphrase is lost; printed, never stored in clear.
#[derive(Clone)]
pub struct RecoveryKey {
    secret: Secret32,
    pub(crate) wrap_key: Secret32,
}

impl fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryKey([redacted])")
    }
}

impl PartialEq for RecoveryKey {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.secret.ct_eq(&other.secret))
    }
}

impl Eq for RecoveryKey {}

fn checksum(secret: &[u8; KEY_LEN]) -> [u8; 2] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(b"datacoop/v1/recovery-code");
    ctx.update(&[CODE_VERSION]);
    ctx.update(secret);
    let d = ctx.finish();
    [d.as_ref()[0], d.as_ref()[1]]
}

fn decode_char(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| a as char == c)
        .map(|p| p as u8)
}

impl RecoveryKey {
    /// A fresh recovery key, created once at registration (or when the member asks for a new one).
    pub fn generate() -> Result<Self> {
        Self::generate_with_rng(&mut os_rng()?)
    }

    /// [`RecoveryKey::generate`] with a caller-supplied generator (test vectors).
    pub fn generate_with_rng(rng: &mut impl CryptoRng) -> Result<Self> {
        Self::from_secret(Secret32::random(rng))
    }

    fn from_secret(secret: Secret32) -> Result<Self> {
        let wrap_key = derive_key(
            secret.as_bytes(),
            &Canonical::new("datacoop/v1/recovery-wrap-key").finish(),
        )?;
        Ok(RecoveryKey { secret, wrap_key })
    }

    /// The recovery signing key: `Ed25519 seed = HKDF(secret, C("datacoop/v2/recovery-signing-key"))`.
    /// Its public half is registered with the account, so a recovery proves knowledge of the
    /// code itself (docs/crypto.md section 7.1), not merely of the vault key.
    pub fn signing_key(&self) -> Result<SigningKey> {
        let seed = derive_key(
            self.secret.as_bytes(),
            &Canonical::new("datacoop/v2/recovery-signing-key").finish(),
        )?;
        SigningKey::from_seed(seed)
    }

    /// The public half of [`RecoveryKey::signing_key`], registered with the account.
    pub fn verifying_key(&self) -> Result<VerifyingKey> {
        Ok(self.signing_key()?.verifying_key())
    }

    /// The printable code to show the member once (e.g. `ABCD-EFGH-…`, 14 groups of 4).
    pub fn to_code(&self) -> Zeroizing<String> {
        let mut payload = Zeroizing::new([0u8; PAYLOAD_LEN]);
        payload[0] = CODE_VERSION;
        payload[1..1 + KEY_LEN].copy_from_slice(self.secret.as_bytes());
        payload[1 + KEY_LEN..].copy_from_slice(&checksum(self.secret.as_bytes()));
        let mut out = Zeroizing::new(String::with_capacity(CODE_CHARS + CODE_CHARS / GROUP));
        let mut acc: u32 = 0;
        let mut bits = 0;
        let mut written = 0;
        for &byte in payload.iter() {
            acc = (acc << 8) | u32::from(byte);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                if written > 0 && written % GROUP == 0 {
                    out.push('-');
                }
                out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
                written += 1;
            }
        }
        acc.zeroize();
        out
    }

    /// Parses a code typed by the member; a typo gives [`Error::InvalidRecoveryCode`], not a decryption failure.
    pub fn from_code(code: &str) -> Result<Self> {
        let mut payload = Zeroizing::new([0u8; PAYLOAD_LEN]);
        let mut acc: u32 = 0;
        let mut bits = 0;
        let mut chars = 0usize;
        let mut pos = 0usize;
        for c in code.chars() {
            if c == '-' || c.is_whitespace() {
                continue;
            }
            let v = decode_char(c).ok_or(Error::InvalidRecoveryCode {
                reason: "it contains a character that is not in recovery codes",
            })?;
            chars += 1;
            if chars > CODE_CHARS {
                return Err(Error::InvalidRecoveryCode {
                    reason: "it is too long",
                });
            }
            acc = ((acc << 5) | u32::from(v)) & 0xFFFF;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                payload[pos] = (acc >> bits) as u8;
                pos += 1;
            }
        }
        acc.zeroize();
        if chars != CODE_CHARS {
            return Err(Error::InvalidRecoveryCode {
                reason: "it is too short",
            });
        }
        if payload[0] != CODE_VERSION {
            return Err(Error::InvalidRecoveryCode {
                reason: "it is not a version-1 recovery code",
            });
        }
        let secret =
            Secret32::from_slice(&payload[1..1 + KEY_LEN]).ok_or(Error::InvalidRecoveryCode {
                reason: "it is too short",
            })?;
        if !bool::from(checksum(secret.as_bytes()).ct_eq(&payload[1 + KEY_LEN..])) {
            return Err(Error::InvalidRecoveryCode {
                reason: "its checksum does not match; a character is probably mistyped",
            });
        }
        Self::from_secret(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_round_trips_and_tolerates_case_and_confusables() {
        let key = RecoveryKey::generate().unwrap();
        let code = key.to_code();
        assert_eq!(code.len(), 56 + 13);
        assert_eq!(RecoveryKey::from_code(&code).unwrap(), key);
        let sloppy = code
            .to_lowercase()
            .replace('-', " ")
            .replace('0', "o")
            .replace('1', "l");
        assert_eq!(RecoveryKey::from_code(&sloppy).unwrap(), key);
    }

    #[test]
    fn typos_are_caught_by_the_checksum() {
        let key = RecoveryKey::generate().unwrap();
        let code = key.to_code();
        let mut chars: Vec<char> = code.chars().collect();
        chars[5] = if chars[5] == 'A' { 'B' } else { 'A' };
        let typo: String = chars.into_iter().collect();
        assert_eq!(
            RecoveryKey::from_code(&typo).unwrap_err().code(),
            "invalid_recovery_code"
        );
        assert!(RecoveryKey::from_code("ABCD").is_err());
        assert!(RecoveryKey::from_code(&format!("{}A", &*code)).is_err());
        assert!(RecoveryKey::from_code("UUUU").is_err());
        assert_eq!(format!("{key:?}"), "RecoveryKey([redacted])");
    }
}
