//! Attendance at a virtual, hybrid or stretched assembly (§43b(1)): a member who
//! follows it electronically signs that they take part, while it runs. The minutes list
//! every participating member (§47(2)): those who attended and those whose ballots
//! counted.

use datacoop_api::b64::Base64Url;
use datacoop_crypto::{verify, Canonical, Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Signature context of an attendance.
pub const ATTENDANCE_CONTEXT: &str = "datacoop/v1/attendance";

/// "I take part in this assembly", by a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Attendance {
    /// The assembly.
    pub assembly: Uuid,
    /// The member (register id).
    pub member: Uuid,
    /// When they signed it (unix microseconds, their clock).
    pub at_micros: u64,
}

impl Attendance {
    /// The canonical bytes signed.
    pub fn message(&self) -> Vec<u8> {
        Canonical::new(ATTENDANCE_CONTEXT)
            .uuid(&self.assembly)
            .uuid(&self.member)
            .u64(self.at_micros)
            .finish()
    }

    /// Signs it with the member's governance key.
    pub fn sign(self, key: &SigningKey) -> SignedAttendance {
        SignedAttendance {
            signature: Base64Url(
                datacoop_crypto::sign(key, ATTENDANCE_CONTEXT, &self.message())
                    .to_bytes()
                    .to_vec(),
            ),
            attendance: self,
        }
    }
}

/// An attendance with the member's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignedAttendance {
    /// The attendance.
    pub attendance: Attendance,
    /// Ed25519 by the member's governance key.
    pub signature: Base64Url,
}

impl SignedAttendance {
    /// Whether the signature verifies under `key`.
    pub fn verifies(&self, key: &VerifyingKey) -> bool {
        Signature::from_bytes(&self.signature)
            .map(|s| verify(key, ATTENDANCE_CONTEXT, &self.attendance.message(), &s).is_ok())
            .unwrap_or(false)
    }
}
