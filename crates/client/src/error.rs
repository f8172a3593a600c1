//! The client's error type.

use datacoop_api::Problem;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error (its problem document).
    #[error("{} ({}): {}", .0.title, .0.code, .0.detail)]
    Api(Box<Problem>),
    /// The server could not be reached.
    #[error("cannot reach the server: {0}; is it running and is the URL right?")]
    Transport(String),
    /// A key operation failed: wrong passphrase or recovery code, or the
    /// server handed back material that does not open (tampering).
    #[error("{0}")]
    Crypto(String),
    /// The answer was not what the API promises.
    #[error("unexpected answer from the server: {0}")]
    Decode(String),
    /// The server URL is malformed or unsafe (plain http to another machine).
    #[error("{0}")]
    ServerUrl(String),
    /// A local file could not be read or written.
    #[error("{0}")]
    File(String),
    /// A device record from before datacoop 0.2, which nothing proves a device wrote.
    #[error(
        "record {record} was added by a device enrolled before datacoop 0.2, and nothing proves \
         that device (and not the server) wrote it; if you trust it, run `datacoop records \
         upgrade --accept-legacy-device-records` to re-seal such records under your own key"
    )]
    LegacyDeviceRecord {
        /// The record.
        record: uuid::Uuid,
    },
    /// The server offered weaker passphrase hashing than this machine accepts.
    #[error("{0}")]
    WeakerKdf(String),
    /// The caller's own input is not acceptable (said before anything is sent).
    #[error("{0}")]
    Input(String),
}

impl ClientError {
    pub(crate) fn transport(e: reqwest::Error) -> Self {
        ClientError::Transport(e.to_string())
    }

    /// A crypto failure with context.
    pub fn crypto(context: &str, e: datacoop_crypto::Error) -> Self {
        ClientError::Crypto(format!("{context}: {e}"))
    }

    /// The problem document, when the server sent one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ClientError::Api(p) => Some(p),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.problem().map(|p| p.status)
    }
}
