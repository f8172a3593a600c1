//! The log's Ed25519 signing key and origin: generated on first start in the
//! data directory (PKCS#8, mode 0600) and published as a note verifier key.

use crate::LogError;
use datacoop_merkle::verifier_key_string;
use datacoop_store::secret_file::{read_private, write_private};
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::path::Path;

/// Signs checkpoints.
pub struct LogSigner {
    origin: String,
    key: Ed25519KeyPair,
    verifier_key: String,
}

impl std::fmt::Debug for LogSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogSigner")
            .field("verifier_key", &self.verifier_key)
            .finish_non_exhaustive()
    }
}

impl LogSigner {
    /// Loads the key at `path` or creates it; `origin` names the log.
    pub fn load_or_create(path: &Path, origin: &str) -> Result<Self, LogError> {
        let pkcs8 = match read_private(path).map_err(LogError::Key)? {
            Some(bytes) => bytes,
            None => {
                let rng = ring::rand::SystemRandom::new();
                let doc = Ed25519KeyPair::generate_pkcs8(&rng)
                    .map_err(|_| LogError::Key("cannot generate a key".into()))?;
                write_private(path, doc.as_ref()).map_err(LogError::Key)?;
                tracing::info!(path = %path.display(), %origin, "generated a log signing key");
                doc.as_ref().to_vec()
            }
        };
        let key = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|_| {
            LogError::Key(format!("{} is not an Ed25519 PKCS#8 key", path.display()))
        })?;
        let public: [u8; 32] = key
            .public_key()
            .as_ref()
            .try_into()
            .map_err(|_| LogError::Key("unexpected public key length".into()))?;
        let verifier_key = verifier_key_string(origin, &public)
            .map_err(|e| LogError::Key(format!("origin {origin:?}: {e}")))?;
        Ok(LogSigner {
            origin: origin.to_owned(),
            key,
            verifier_key,
        })
    }

    /// The checkpoint origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The published verifier key string.
    pub fn verifier_key(&self) -> &str {
        &self.verifier_key
    }

    /// The raw Ed25519 public key.
    pub fn public_key(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }

    /// Signs `bytes` that are already domain-separated by the caller (the log's owner
    /// signs statements about its entries this way, e.g. a study approval, with
    /// `datacoop_crypto::sign::signed_bytes(context, message)`; a checkpoint note
    /// never starts like those bytes).
    pub fn sign_statement(&self, bytes: &[u8]) -> Vec<u8> {
        self.key.sign(bytes).as_ref().to_vec()
    }

    pub(crate) fn key(&self) -> &Ed25519KeyPair {
        &self.key
    }
}
