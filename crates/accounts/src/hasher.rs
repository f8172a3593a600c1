//! The server's slow hash of authentication keys (peppered Argon2id), and
//! the one door every such hash goes through: a bounded number run at once
//! ([`Permits`]), so memory stays at permits × 19 MiB and a flood of logins
//! or registrations waits briefly or is told to come back (503,
//! [`AccountError::Busy`]) instead of exhausting the host.

use crate::members::Pepper;
use crate::AccountError;
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use datacoop_store::{PermitStats, Permits, StoreError};
use ring::rand::{SecureRandom, SystemRandom};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// Server hash parameters (RFC 9106 / OWASP minimum: the input is already a
/// 256-bit key stretched by the client's Argon2id, so this guards the stored
/// value, not a weak secret).
const HASH_M_KIB: u32 = 19 * 1024;
const HASH_T: u32 = 2;
const HASH_P: u32 = 1;
const SALT_LEN: usize = 16;

/// Memory one server hash holds while it runs, in bytes (for sizing permits).
pub const HASH_MEMORY_BYTES: u64 = HASH_M_KIB as u64 * 1024;

/// Hashes and checks authentication keys under the pepper, a bounded number at once.
#[derive(Debug)]
pub struct Hasher {
    pepper: Pepper,
    permits: Permits,
}

impl Hasher {
    /// At most `max_concurrent` hashes at once (at least one); a request waits
    /// at most `wait` for its turn, then is refused as busy.
    pub fn new(pepper: Pepper, max_concurrent: usize, wait: Duration) -> Hasher {
        Hasher {
            pepper,
            permits: Permits::new(max_concurrent, wait),
        }
    }

    /// The pepper, for the keyed MACs that are not slow (decoys, challenges).
    pub fn pepper(&self) -> &Pepper {
        &self.pepper
    }

    /// Hashes run and requests refused as busy since start (for metrics).
    pub fn stats(&self) -> PermitStats {
        self.permits.stats()
    }

    /// How many hashes may run at once.
    pub fn max_concurrent(&self) -> usize {
        self.permits.size()
    }

    /// The stored form of a new authentication key, under a fresh salt.
    pub(crate) async fn hash_new(&self, auth_key: Vec<u8>) -> Result<String, AccountError> {
        let mut salt = [0u8; SALT_LEN];
        SystemRandom::new()
            .fill(&mut salt)
            .map_err(|_| AccountError::Invalid("the system random source failed".into()))?;
        let pepper = self.pepper.clone();
        let hash = self
            .run(move || server_hash(&pepper, &salt, &auth_key))
            .await?;
        Ok(encode_hash(&salt, &hash))
    }

    /// Checks a key against a stored form; a malformed stored form is a mismatch.
    pub(crate) async fn verify(
        &self,
        stored: String,
        auth_key: Vec<u8>,
    ) -> Result<bool, AccountError> {
        let pepper = self.pepper.clone();
        self.run(move || verify_hash(&pepper, &stored, &auth_key))
            .await
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, AccountError> + Send + 'static,
    ) -> Result<T, AccountError> {
        match self.permits.run(f).await {
            Err(AccountError::Store(StoreError::Busy(secs))) => Err(AccountError::Busy(secs)),
            other => other,
        }
    }
}

/// A well-formed stored hash no key matches: checked for unknown emails so
/// they cost the same work as members.
pub(crate) fn decoy_hash() -> String {
    encode_hash(&[0u8; SALT_LEN], &[0u8; 32])
}

fn server_hash(pepper: &Pepper, salt: &[u8], auth_key: &[u8]) -> Result<[u8; 32], AccountError> {
    let params = Params::new(HASH_M_KIB, HASH_T, HASH_P, Some(32))
        .map_err(|e| AccountError::Invalid(format!("hash parameters: {e}")))?;
    let argon = Argon2::new_with_secret(&pepper.0, Algorithm::Argon2id, Version::V0x13, params)
        .map_err(|e| AccountError::Invalid(format!("hash secret: {e}")))?;
    let mut out = [0u8; 32];
    argon
        .hash_password_into(auth_key, salt, &mut out)
        .map_err(|e| AccountError::Invalid(format!("hash: {e}")))?;
    Ok(out)
}

/// `v1$salt$hash`, both unpadded base64url.
fn encode_hash(salt: &[u8], hash: &[u8]) -> String {
    format!(
        "v1${}${}",
        URL_SAFE_NO_PAD.encode(salt),
        URL_SAFE_NO_PAD.encode(hash)
    )
}

fn verify_hash(pepper: &Pepper, stored: &str, auth_key: &[u8]) -> Result<bool, AccountError> {
    let mut parts = stored.split('$');
    let (Some("v1"), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(false);
    };
    let (Ok(salt), Ok(hash)) = (URL_SAFE_NO_PAD.decode(salt), URL_SAFE_NO_PAD.decode(hash)) else {
        return Ok(false);
    };
    let computed = server_hash(pepper, &salt, auth_key)?;
    Ok(bool::from(computed.ct_eq(hash.as_slice())))
}
