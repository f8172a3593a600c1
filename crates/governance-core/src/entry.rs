//! The entries of the governance chain. Each entry's bytes, as the server stored and
//! serves them, are a leaf of the governance log (RFC 9162 leaf hash); anyone holding
//! them replays the chain with [`crate::Chain`] and recounts every vote.
//!
//! An entry is JSON: `{"v":1,"at_micros":…,"kind":"…",…}`. The bytes are hashed as
//! served, so no canonical form is needed; the client never re-encodes an entry.

use crate::minutes::{MinutesRole, SignedObjection};
use crate::{Assembly, Count, MotionTerms, SignedBallot, SignedProxy, StudyApproval};
use datacoop_api::b64::Base64Url;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The entry format version.
pub const ENTRY_VERSION: u8 = 1;

/// One entry: when the server recorded it, and what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Format version ([`ENTRY_VERSION`]).
    pub v: u8,
    /// When the server recorded it (unix microseconds, the server's clock).
    pub at_micros: u64,
    /// What it records.
    #[serde(flatten)]
    pub body: EntryBody,
}

/// What an entry records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryBody {
    /// A steward entered a member in the register (§30).
    MemberRegistered(Registration),
    /// A member's leaving takes effect at a date (notice given, or exclusion).
    MemberLeaving {
        /// The register entry.
        member: Uuid,
        /// When the leaving takes effect (unix microseconds).
        leaves_at_micros: u64,
        /// The steward who recorded it.
        recorded_by: Uuid,
    },
    /// A member's shares change from a date (§30(2): further shares subscribed, or
    /// shares given notice on).
    SharesChanged(ShareChange),
    /// A member linked their account with their invitation and published their
    /// governance key; a later publication for the same entry replaces the key.
    KeyPublished {
        /// The register entry.
        member: Uuid,
        /// The Ed25519 public key.
        key: Base64Url,
        /// The key's signature over `C("datacoop/v1/governance-key", member, key)`.
        proof: Base64Url,
    },
    /// A general assembly was convened.
    AssemblyConvened(Assembly),
    /// A motion was put on an assembly's agenda.
    MotionFiled(MotionTerms),
    /// A proxy was authorised or revoked.
    Proxy(SignedProxy),
    /// A ballot was accepted.
    Ballot(SignedBallot),
    /// Voting on a motion closed with this count; if it carried, its text is a
    /// resolution of the assembly.
    MotionClosed {
        /// The motion.
        motion: Uuid,
        /// The count, which anyone can redo from the ballots before this entry.
        count: Count,
    },
    /// A carried motion approved a study: the governance key's signature over the
    /// approval (it follows the motion's `motion_closed` entry).
    StudyApproved {
        /// What was approved.
        approval: StudyApproval,
        /// Ed25519 signature by the governance log's key, context
        /// `datacoop/v1/study-key-approval`.
        signature: Base64Url,
    },
    /// The chair or the board member signed the minutes of an assembly (§47(3)).
    MinutesSigned(MinutesSignature),
    /// A steward verified a researcher as bona fide: only verified researchers submit
    /// studies.
    ResearcherVerified {
        /// The researcher's account.
        researcher: Uuid,
        /// Their name, as registered.
        name: String,
        /// Their institution.
        affiliation: String,
    },
    /// A verified researcher submitted a study for the cooperative's decision: from
    /// here its terms (by digest) and its key cannot change.
    StudySubmitted {
        /// The study.
        study: Uuid,
        /// The researcher's account.
        researcher: Uuid,
        /// SHA-256 of the exact bytes of the study's terms.
        terms_sha256: Base64Url,
        /// The study's X25519 public key.
        study_key: Base64Url,
    },
    /// The researcher closed their study before its end date.
    StudyClosed {
        /// The study.
        study: Uuid,
    },
    /// A member objected to a resolution or to the minutes.
    Objection(SignedObjection),
    /// A member takes part in an assembly electronically (signed while it runs).
    Attended(crate::SignedAttendance),
    /// A member filed a minority demand (§45), signing it as its first supporter.
    DemandFiled(crate::DemandFiling),
    /// Another member supports a minority demand.
    DemandSupported(crate::SignedSupport),
    /// A member asks, states or answers in an assembly's discussion (§43b).
    Contributed(crate::SignedContribution),
}

/// A signature on an assembly's minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MinutesSignature {
    /// The assembly.
    pub assembly: Uuid,
    /// The chair named in the minutes.
    pub chair: Uuid,
    /// The board member named in the minutes.
    pub board_member: Uuid,
    /// SHA-256 of the minutes as computed from the chain.
    pub minutes_sha256: Base64Url,
    /// Who signs: the chair or the board member.
    pub role: MinutesRole,
    /// Ed25519 by the signer's governance key over
    /// `C("datacoop/v1/minutes", assembly, minutes_sha256)`.
    pub signature: Base64Url,
}

/// A change of a member's shares with the date it takes effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareChange {
    /// The register entry.
    pub member: Uuid,
    /// The shares the member holds from that date (at least 1).
    pub shares: u32,
    /// When the change takes effect (unix microseconds).
    pub effective_at_micros: u64,
    /// The steward who recorded it.
    pub recorded_by: Uuid,
}

/// A member's entry in the register as the chain holds it. Name and contact are not in
/// the chain (every member reads the chain): only their digest, which the member and
/// the stewards can check against the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// The register id (the voter id on ballots).
    pub member: Uuid,
    /// The member number (§30(2) no. 1), from 1.
    pub number: u64,
    /// Membership began (unix microseconds).
    pub joined_at_micros: u64,
    /// Shares subscribed.
    pub shares: u32,
    /// Votes the statutes grant (1; up to 3 under §43(3)).
    pub votes: u8,
    /// SHA-256 over `C("datacoop/v1/register-personal", blinding, name, contact)`.
    pub personal_digest: Base64Url,
    /// The steward who recorded it (their account id).
    pub recorded_by: Uuid,
}

impl Entry {
    /// A new entry of the current version.
    pub fn new(at_micros: u64, body: EntryBody) -> Self {
        Entry {
            v: ENTRY_VERSION,
            at_micros,
            body,
        }
    }

    /// The stored bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serialising these plain structs cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses stored bytes; refuses another version.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::GovernanceError> {
        let e: Entry = serde_json::from_slice(bytes)
            .map_err(|e| crate::GovernanceError::Malformed(format!("governance entry: {e}")))?;
        if e.v != ENTRY_VERSION {
            return Err(crate::GovernanceError::Malformed(format!(
                "governance entry of version {}, this program reads version {ENTRY_VERSION}",
                e.v
            )));
        }
        Ok(e)
    }

    /// The entry's kind as stored for filtering.
    pub fn kind(&self) -> &'static str {
        match self.body {
            EntryBody::MemberRegistered(_) => "member_registered",
            EntryBody::MemberLeaving { .. } => "member_leaving",
            EntryBody::SharesChanged(_) => "shares_changed",
            EntryBody::KeyPublished { .. } => "key_published",
            EntryBody::AssemblyConvened(_) => "assembly_convened",
            EntryBody::MotionFiled(_) => "motion_filed",
            EntryBody::Proxy(_) => "proxy",
            EntryBody::Ballot(_) => "ballot",
            EntryBody::MotionClosed { .. } => "motion_closed",
            EntryBody::StudyApproved { .. } => "study_approved",
            EntryBody::MinutesSigned(_) => "minutes_signed",
            EntryBody::ResearcherVerified { .. } => "researcher_verified",
            EntryBody::StudySubmitted { .. } => "study_submitted",
            EntryBody::StudyClosed { .. } => "study_closed",
            EntryBody::Objection(_) => "objection",
            EntryBody::Attended(_) => "attended",
            EntryBody::DemandFiled(_) => "demand_filed",
            EntryBody::DemandSupported(_) => "demand_supported",
            EntryBody::Contributed(_) => "contributed",
        }
    }
}

/// The digest of a member's personal register data that the chain holds.
pub fn personal_digest(blinding: &[u8], name: &str, contact: &str) -> Vec<u8> {
    let bytes = datacoop_crypto::Canonical::new("datacoop/v1/register-personal")
        .bytes(blinding)
        .str(name)
        .str(contact)
        .finish();
    ring::digest::digest(&ring::digest::SHA256, &bytes)
        .as_ref()
        .to_vec()
}
