//! Write-only device tokens: long-lived random secrets a member hands to a
//! device or app (a boat's logger, a wearable bridge). Unlike access tokens
//! they are not JWTs: every use is checked against the database, so revoking
//! one takes effect on the next request. Only their SHA-256 is stored.

use crate::AuthError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};

/// Every device token starts with this, so it is recognised (and refused
/// with a clear message) where only member tokens are accepted.
pub const PREFIX: &str = "dcdev_";

/// A new device token and the hash to store.
pub fn generate() -> Result<(String, Vec<u8>), AuthError> {
    let mut raw = [0u8; 32];
    SystemRandom::new()
        .fill(&mut raw)
        .map_err(|_| AuthError::Secret("the system random source failed".into()))?;
    let text = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(raw));
    let hash = hash(&text);
    Ok((text, hash))
}

/// The stored form of a presented token.
pub fn hash(token: &str) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, token.as_bytes())
        .as_ref()
        .to_vec()
}

/// Whether a bearer token is a device token (by its prefix).
pub fn is_device_token(token: &str) -> bool {
    token.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_hashed() {
        let (a, ha) = generate().unwrap();
        let (b, _) = generate().unwrap();
        assert!(is_device_token(&a) && a.len() == PREFIX.len() + 43);
        assert_ne!(a, b);
        assert_eq!(hash(&a), ha);
        assert!(!is_device_token("eyJhbGciOiJIUzI1NiJ9.x.y"));
    }
}
