//! The research API's wire types: researchers, studies and their lifecycle.

use datacoop_api::accounts::RegisterRequest;
use datacoop_api::b64::Base64Url;
use datacoop_governance_core::wire::StudyApprovalView;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Body of `POST /api/v1/researchers`: an account made as a member's is (every key on
/// the researcher's machine), and who the researcher is.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearcherRegisterRequest {
    /// The account, exactly as a member registers one.
    pub account: RegisterRequest,
    /// The researcher's name.
    pub name: String,
    /// Their institution.
    pub affiliation: String,
}

/// A steward's verification of a researcher, as the governance log holds it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Verification {
    /// When (RFC 3339).
    pub at: String,
    /// The index of its entry in the governance log.
    pub index: u64,
}

/// A researcher.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResearcherView {
    /// The researcher's account.
    pub id: Uuid,
    /// Their login (shown to stewards and to themselves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Their name.
    pub name: String,
    /// Their institution.
    pub affiliation: String,
    /// When they registered (RFC 3339).
    pub registered_at: String,
    /// Verified as bona fide by a steward: only then may they submit studies.
    pub verification: Option<Verification>,
}

/// A page of researchers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResearcherList {
    /// The researchers, by account id.
    pub researchers: Vec<ResearcherView>,
    /// Pass as `after` for the next page (none: this was the last).
    pub next: Option<Uuid>,
}

/// Which researchers to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResearcherQuery {
    /// Only those not yet verified.
    #[serde(default)]
    pub unverified: bool,
    /// Start after this account id (the previous page's `next`).
    pub after: Option<Uuid>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<u32>,
}

/// Body of `POST /api/v1/studies`: a draft, made on the researcher's machine.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StudyCreateRequest {
    /// The study's id, chosen by the client (it is bound into the sealed key).
    pub id: Uuid,
    /// The terms ([`crate::StudyTerms`]) as the exact JSON bytes, base64url.
    pub terms: Base64Url,
    /// The study's X25519 public key (32 bytes).
    pub study_key: Base64Url,
    /// Its private half sealed under the researcher's vault key.
    pub sealed_study_key: Base64Url,
}

/// Where a study stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StudyState {
    /// Made, not yet submitted: only its researcher sees it.
    Draft,
    /// Submitted for the cooperative's decision; terms and key frozen.
    Submitted,
    /// A resolution did not approve it.
    Rejected,
    /// Approved by a resolution: members may consent.
    Recruiting,
    /// Closed: by its researcher, by a resolution, or at its end date.
    Closed,
}

impl StudyState {
    /// As the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            StudyState::Draft => "draft",
            StudyState::Submitted => "submitted",
            StudyState::Rejected => "rejected",
            StudyState::Recruiting => "recruiting",
            StudyState::Closed => "closed",
        }
    }
}

/// Who closed a study.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Closure {
    /// Its researcher (the governance log's `study_closed` entry at `index`).
    Researcher {
        /// When (RFC 3339).
        at: String,
        /// The entry's index.
        index: u64,
    },
    /// A resolution.
    Resolution {
        /// The motion.
        motion: Uuid,
    },
    /// Its end date passed.
    EndDate,
}

/// A study's researcher, as members see them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StudyResearcher {
    /// Their account.
    pub id: Uuid,
    /// Their name.
    pub name: String,
    /// Their institution.
    pub affiliation: String,
}

/// A study.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StudyView {
    /// The study.
    pub id: Uuid,
    /// Where it stands.
    pub state: StudyState,
    /// Its researcher.
    pub researcher: StudyResearcher,
    /// The terms as the exact bytes submitted (hash them; parse them; never re-encode).
    pub terms: Base64Url,
    /// SHA-256 of `terms`.
    pub terms_sha256: Base64Url,
    /// The study's X25519 public key.
    pub study_key: Base64Url,
    /// Its private half sealed under the researcher's vault key (to its researcher only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_study_key: Option<Base64Url>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// The index of its `study_submitted` entry in the governance log.
    pub submitted_index: Option<u64>,
    /// The resolution's signed approval (check it: docs/consent.md).
    pub approval: Option<StudyApprovalView>,
    /// The motion that did not approve it.
    pub rejected_by: Option<Uuid>,
    /// Why it is closed.
    pub closure: Option<Closure>,
}

/// A study in a list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StudySummary {
    /// The study.
    pub id: Uuid,
    /// Its title.
    pub title: String,
    /// Where it stands.
    pub state: StudyState,
    /// Its researcher's name and institution.
    pub researcher: StudyResearcher,
    /// Its last day (YYYY-MM-DD).
    pub ends_on: String,
}

/// A page of studies.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StudyList {
    /// The studies, by id.
    pub studies: Vec<StudySummary>,
    /// Pass as `after` for the next page (none: this was the last).
    pub next: Option<Uuid>,
}

/// Which studies to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StudyQuery {
    /// Only studies in this state.
    pub state: Option<StudyState>,
    /// Only the caller's own (researchers).
    #[serde(default)]
    pub mine: bool,
    /// Start after this study id (the previous page's `next`).
    pub after: Option<Uuid>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<u32>,
}

mod consents;
mod dataset;
pub use consents::*;
pub use dataset::*;
