//! What an access-log entry says was done: stable wire codes.

use serde::{Deserialize, Serialize};

/// What was done. Codes are stable forever; new actions take new codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A record's content was returned.
    RecordRead,
    /// A blob's content was returned.
    BlobRead,
    /// A dataset was exported for a study.
    DatasetExport,
    /// A consent was granted.
    ConsentGranted,
    /// A consent was withdrawn.
    ConsentWithdrawn,
    /// A member or study public key was published.
    KeyPublished,
    /// An account was deleted.
    AccountDeleted,
    /// A login happened.
    Login,
    /// A record version was stored; `extra` = the version (u64 big-endian).
    RecordWritten,
    /// A record was deleted.
    RecordDeleted,
    /// A blob was stored; `extra` = SHA-256 of its ciphertext.
    BlobWritten,
    /// A blob was deleted.
    BlobDeleted,
}

impl Action {
    /// Every action, for exhaustive tests and UI filters.
    pub const ALL: [Action; 12] = [
        Action::RecordRead,
        Action::BlobRead,
        Action::DatasetExport,
        Action::ConsentGranted,
        Action::ConsentWithdrawn,
        Action::KeyPublished,
        Action::AccountDeleted,
        Action::Login,
        Action::RecordWritten,
        Action::RecordDeleted,
        Action::BlobWritten,
        Action::BlobDeleted,
    ];

    /// Stable wire code of the action.
    pub fn code(self) -> u16 {
        match self {
            Action::RecordRead => 1,
            Action::BlobRead => 2,
            Action::DatasetExport => 3,
            Action::ConsentGranted => 4,
            Action::ConsentWithdrawn => 5,
            Action::KeyPublished => 6,
            Action::AccountDeleted => 7,
            Action::Login => 8,
            Action::RecordWritten => 9,
            Action::RecordDeleted => 10,
            Action::BlobWritten => 11,
            Action::BlobDeleted => 12,
        }
    }

    /// The action for a wire code, if this client knows it.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}
