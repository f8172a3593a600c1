//! Typed identifiers: a `MemberId` can never be passed where a `RecordId` is
//! meant. Each is a UUID (v7 when the server or client makes one) whose text
//! form, on the wire and in storage, is the hyphenated lower-case UUID; that
//! conversion is written once, here.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta] $name:ident,)*) => {$(
        #[$doc]
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new time-ordered id (UUIDv7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// The UUID inside.
            pub const fn uuid(self) -> Uuid {
                self.0
            }

            /// Parses the stored or wire text form.
            pub fn parse(text: &str) -> Result<Self, InvalidId> {
                Uuid::parse_str(text).map(Self).map_err(|_| InvalidId {
                    kind: stringify!($name),
                    text: text.chars().take(64).collect(),
                })
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0.hyphenated())
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, InvalidId> {
                Self::parse(s)
            }
        }
    )*};
}

typed_id! {
    /// A member (the owner of a data account).
    MemberId,
    /// One encrypted record in a member's account.
    RecordId,
    /// One encrypted file in a member's account.
    BlobId,
    /// A write-only device or app of a member.
    DeviceId,
    /// A login session (of any role).
    SessionId,
    /// A batch of records a device sealed under one batch key.
    BatchId,
    /// A research study.
    StudyId,
    /// A member's consent to a study.
    ConsentId,
    /// A verified researcher.
    ResearcherId,
}

/// Text that is not an id of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidId {
    /// Which kind of id was expected.
    pub kind: &'static str,
    /// The text (cut to 64 characters).
    pub text: String,
}

impl std::fmt::Display for InvalidId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} is not a {} (a UUID)", self.text, self.kind)
    }
}

impl std::error::Error for InvalidId {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_round_trips_and_is_the_hyphenated_uuid() {
        let id = MemberId::new();
        let text = id.to_string();
        assert_eq!(text, id.uuid().hyphenated().to_string());
        assert_eq!(MemberId::parse(&text), Ok(id));
        assert_eq!(serde_json::to_string(&id).ok(), Some(format!("\"{text}\"")));
        let e = RecordId::parse("nope").err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("\"nope\" is not a RecordId (a UUID)"));
    }
}
