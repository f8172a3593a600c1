//! HKDF-SHA256 helpers: every subkey in the crate comes from here, with a canonical `info`.

use ring::hkdf;

use crate::error::{Error, Result};
use crate::secret::{Secret32, KEY_LEN};

/// HKDF-Extract salt used for every derivation except the stream's (which salts with its nonce).
pub(crate) const HKDF_SALT: &[u8] = b"datacoop/v1/hkdf";

struct Len32;

impl hkdf::KeyType for Len32 {
    fn len(&self) -> usize {
        KEY_LEN
    }
}

/// HKDF-Expand of an extracted PRK to 32 bytes.
pub(crate) fn expand(prk: &hkdf::Prk, info: &[u8]) -> Result<Secret32> {
    let mut out = [0u8; KEY_LEN];
    prk.expand(&[info], Len32)
        .and_then(|okm| okm.fill(&mut out))
        .map_err(|_| Error::InvalidInput {
            what: "key derivation",
            reason: "HKDF output length rejected",
        })?;
    let key = Secret32::new(out);
    zeroize::Zeroize::zeroize(&mut out);
    Ok(key)
}

/// HKDF-Extract with an explicit salt.
pub(crate) fn extract(salt: &[u8], ikm: &[u8]) -> hkdf::Prk {
    hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(ikm)
}

/// HKDF-SHA256(salt = `datacoop/v1/hkdf`, ikm, info) → 32 bytes.
pub(crate) fn derive_key(ikm: &[u8], info: &[u8]) -> Result<Secret32> {
    expand(&extract(HKDF_SALT, ikm), info)
}
