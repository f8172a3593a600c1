//! Assemblies and the motions on their agenda, as convened and filed in the chain.

use crate::{Majority, Motion};
use datacoop_api::b64::Base64Url;
use datacoop_crypto::sign::context;
use datacoop_crypto::Canonical;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// How a general assembly meets (Cooperatives Act §43b).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// Members meet in one place.
    InPerson,
    /// Members follow, speak, ask, file motions and vote electronically.
    Virtual,
    /// Both at once.
    Hybrid,
    /// A discussion phase, then a voting phase, both electronic (§43b(1) no. 3).
    Stretched,
}

impl Form {
    /// Whether the minutes list the participating members and how each cast their vote
    /// (§47(2) for virtual, hybrid and stretched assemblies).
    pub fn lists_participants(self) -> bool {
        self != Form::InPerson
    }
}

/// A convened general assembly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Assembly {
    /// Its id.
    pub id: Uuid,
    /// What the notice calls it ("Ordinary general assembly 2027").
    pub title: String,
    /// How it meets.
    pub form: Form,
    /// The meeting begins (for a stretched assembly: its discussion phase), unix
    /// microseconds; at least the statutes' notice period after convening (§46(1)).
    pub starts_at_micros: u64,
    /// It ends (for a stretched assembly: its voting phase ends).
    pub ends_at_micros: u64,
    /// Where: an address, or for a virtual assembly the registered seat (§47(1)).
    pub place: String,
    /// How to take part electronically (§46(1)): the link, the dial-in, the CLI.
    pub how_to_take_part: String,
    /// Who convened it (the steward's register id, or their account id before they are
    /// in the register).
    pub convened_by: Uuid,
}

/// A motion (a proposal put to the vote) on an assembly's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MotionTerms {
    /// Its id.
    pub id: Uuid,
    /// The assembly it is on.
    pub assembly: Uuid,
    /// A short title.
    pub title: String,
    /// The text of the resolution that is adopted if it carries.
    pub text: String,
    /// The majority it needs.
    pub majority: Majority,
    /// Share of eligible members who must take part, if the statutes set one.
    pub quorum_percent: Option<u8>,
    /// Voting opens (unix microseconds).
    pub opens_at_micros: u64,
    /// Voting closes; eligibility is decided at this moment.
    pub closes_at_micros: u64,
    /// Members who may not vote on it (§43(6)).
    pub recused: Vec<Uuid>,
    /// Who filed it (a register id, or a steward's account id).
    pub filed_by: Uuid,
    /// What the resolution does beyond being recorded, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

/// A resolution that acts: when the motion carries, the server records what it decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// Approve a research study: its terms (by digest) and its public key. Once carried,
    /// the cooperative's governance key signs a [`StudyApproval`] and the log records it;
    /// members' clients share data with the study only under that signature.
    ApproveStudy {
        /// The study.
        study: Uuid,
        /// SHA-256 of the study's terms as submitted (title, summaries, DUO terms,
        /// categories, period, de-identification level).
        terms_sha256: Base64Url,
        /// The study's X25519 public key (32 bytes), made on the researcher's machine.
        study_key: Base64Url,
    },
}

/// The cooperative's approval of a study, signed with the governance log's key over
/// `C("datacoop/v1/study-key-approval", study, terms_sha256, study_key, motion)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StudyApproval {
    /// The study.
    pub study: Uuid,
    /// SHA-256 of its terms.
    pub terms_sha256: Base64Url,
    /// Its X25519 public key.
    pub study_key: Base64Url,
    /// The motion whose resolution approved it.
    pub motion: Uuid,
}

impl StudyApproval {
    /// The canonical bytes that are signed.
    pub fn message(&self) -> Vec<u8> {
        Canonical::new(context::STUDY_KEY_APPROVAL)
            .uuid(&self.study)
            .bytes(&self.terms_sha256)
            .bytes(&self.study_key)
            .uuid(&self.motion)
            .finish()
    }

    /// Whether `signature` is the governance key's over this approval.
    pub fn verifies(&self, key: &datacoop_crypto::VerifyingKey, signature: &[u8]) -> bool {
        datacoop_crypto::Signature::from_bytes(signature)
            .map(|s| {
                datacoop_crypto::verify(key, context::STUDY_KEY_APPROVAL, &self.message(), &s)
                    .is_ok()
            })
            .unwrap_or(false)
    }
}

impl MotionTerms {
    /// The motion as a count needs it.
    pub fn motion(&self) -> Motion {
        Motion {
            id: self.id,
            majority: self.majority,
            quorum_percent: self.quorum_percent,
            opens_at_micros: self.opens_at_micros,
            closes_at_micros: self.closes_at_micros,
            recused: self.recused.clone(),
        }
    }
}
