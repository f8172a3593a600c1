//! The server's token-signing secret: generated on first start and kept in
//! the data directory with mode 0600, or supplied by the operator.

use crate::AuthError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use datacoop_store::secret_file::{read_private, write_private};
use ring::rand::{SecureRandom, SystemRandom};
use std::path::Path;

/// Minimum secret length: HMAC-SHA256 wants at least its output size.
const MIN_LEN: usize = 32;

/// A token-signing secret. `Debug` never prints it.
#[derive(Clone)]
pub struct TokenSecret(Vec<u8>);

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSecret([redacted])")
    }
}

impl Drop for TokenSecret {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(|b| *b = 0);
    }
}

impl TokenSecret {
    /// A fresh random 256-bit secret.
    pub fn generate() -> Result<Self, AuthError> {
        let mut bytes = vec![0u8; MIN_LEN];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| AuthError::Secret("the system random source failed".into()))?;
        Ok(TokenSecret(bytes))
    }

    /// Parses an operator-supplied secret (unpadded base64url, ≥ 32 bytes).
    pub fn from_base64(text: &str) -> Result<Self, AuthError> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| {
            AuthError::Secret("the configured token secret is not unpadded base64url".into())
        })?;
        if bytes.len() < MIN_LEN {
            return Err(AuthError::Secret(format!(
                "the configured token secret has {} bytes; use at least {MIN_LEN} random bytes",
                bytes.len()
            )));
        }
        Ok(TokenSecret(bytes))
    }

    /// Loads the secret from `path`, creating it (mode 0600) on first start.
    /// Refuses a file that others can read.
    pub fn load_or_create(path: &Path) -> Result<Self, AuthError> {
        match read_private(path).map_err(AuthError::Secret)? {
            Some(bytes) => Self::from_base64(&String::from_utf8_lossy(&bytes)),
            None => {
                let secret = Self::generate()?;
                write_private(path, URL_SAFE_NO_PAD.encode(&secret.0).as_bytes())
                    .map_err(AuthError::Secret)?;
                tracing::info!(path = %path.display(), "generated a new secret");
                Ok(secret)
            }
        }
    }

    /// The secret bytes, for keying a MAC or KDF. Never log them.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_with_private_mode_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token-secret");
        let a = TokenSecret::load_or_create(&path).unwrap();
        let b = TokenSecret::load_or_create(&path).unwrap();
        assert_eq!(a.bytes(), b.bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = TokenSecret::load_or_create(&path).unwrap_err().to_string();
            assert!(err.contains("chmod 600"), "{err}");
        }
    }

    #[test]
    fn debug_is_redacted_and_short_secrets_refused() {
        let s = TokenSecret::generate().unwrap();
        assert_eq!(format!("{s:?}"), "TokenSecret([redacted])");
        assert!(TokenSecret::from_base64("c2hvcnQ").is_err());
    }
}
