//! Request and response bodies of the governance API (`/api/v1/gov/…`), shared by the
//! server and the client. Times a person types are RFC 3339 text; times in the chain's
//! entries are unix microseconds.

use crate::{Assembly, Count, Form, Majority, MotionTerms, Rules};
use datacoop_api::b64::Base64Url;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

mod register;
pub use register::*;

/// A member links their account to their register entry and publishes their key.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// The invitation a steward gave them.
    pub invitation: String,
    /// The governance key (Ed25519, 32 bytes), made on the member's machine.
    pub key: Base64Url,
    /// The key's signature over `C("datacoop/v1/governance-key", member, key)`.
    pub proof: Base64Url,
}

/// A steward convenes a general assembly.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConveneRequest {
    /// Title.
    pub title: String,
    /// How it meets.
    pub form: Form,
    /// It starts (RFC 3339): at least the notice period from now (§46(1)).
    pub starts_at: String,
    /// It ends (RFC 3339).
    pub ends_at: String,
    /// Where (for a virtual assembly: the registered seat; default: the server's).
    #[serde(default)]
    pub place: Option<String>,
    /// How to take part electronically.
    #[serde(default)]
    pub how_to_take_part: Option<String>,
    /// Convene a meeting of this body instead of a general assembly (its members vote;
    /// no statutory notice period).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<crate::Body>,
}

/// A motion for an assembly's agenda.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MotionRequest {
    /// Title.
    pub title: String,
    /// The resolution's text.
    pub text: String,
    /// The majority it needs (default simple).
    #[serde(default)]
    pub majority: Option<Majority>,
    /// Quorum in percent of eligible members, if the statutes set one.
    #[serde(default)]
    pub quorum_percent: Option<u8>,
    /// Voting opens (RFC 3339; default: when the assembly starts).
    #[serde(default)]
    pub opens_at: Option<String>,
    /// Voting closes (RFC 3339; default: when the assembly ends).
    #[serde(default)]
    pub closes_at: Option<String>,
    /// Register ids of members who may not vote on it (§43(6)).
    #[serde(default)]
    pub recused: Vec<Uuid>,
    /// What the resolution does if it carries (e.g. approve a study, elect a body).
    #[serde(default)]
    pub decision: Option<crate::Decision>,
    /// Make it an election: ballots name candidates instead of yes or no.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election: Option<ElectionRequest>,
}

/// An election's candidates and seats.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ElectionRequest {
    /// Seats to fill (a ballot names at most this many).
    pub seats: u32,
    /// The candidates' register ids, in ballot order; their names come from the
    /// register.
    pub candidates: Vec<Uuid>,
}

/// A member of a body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BodyMember {
    /// Register id.
    pub member: Uuid,
    /// Member number.
    pub number: u64,
    /// Name as it stood on the ballot.
    pub name: String,
    /// The election that gave them the seat.
    pub elected_by: Uuid,
}

/// A body and its members.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BodyView {
    /// The body.
    pub body: crate::Body,
    /// Its members (none until an election filled it).
    pub members: Vec<BodyMember>,
}

/// A power the assembly delegated.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DelegationView {
    /// The power.
    pub power: crate::Power,
    /// The body holding it.
    pub body: crate::Body,
    /// The resolution that delegated it.
    pub motion: Uuid,
}

/// The cooperative's bodies and the powers delegated to them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BodiesView {
    /// Every body, with its members.
    pub bodies: Vec<BodyView>,
    /// Powers in force.
    pub delegations: Vec<DelegationView>,
}

/// A study's approval as the governance log holds it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StudyApprovalView {
    /// What was approved.
    pub approval: crate::StudyApproval,
    /// The governance key's signature over it.
    pub signature: Base64Url,
    /// The index of its entry in the governance log (check its inclusion).
    pub index: u64,
}

/// Where a motion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MotionPhase {
    /// Voting has not opened.
    Scheduled,
    /// Voting is open.
    Open,
    /// Voting closed and the count is recorded.
    Closed,
}

/// A motion; its count only once closed (no interim results).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MotionView {
    /// Its terms as filed.
    pub terms: MotionTerms,
    /// Where it stands.
    pub state: MotionPhase,
    /// The count, once closed.
    pub result: Option<Count>,
    /// The server's clock now (unix microseconds): the client stamps ballots with it.
    pub server_time_micros: u64,
}

/// An assembly and its agenda.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AssemblyView {
    /// The assembly as convened.
    pub assembly: Assembly,
    /// Its motions, in the order filed.
    pub motions: Vec<MotionView>,
}

/// Convened assemblies, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AssemblyList {
    /// Assemblies.
    pub items: Vec<Assembly>,
}

/// Minority demands (§45), newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DemandList {
    /// The demands.
    pub items: Vec<crate::DemandState>,
}

/// What the governance log recorded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Recorded {
    /// The entry's index in the governance log.
    pub index: u64,
}

/// A page of governance-log entries query.
#[derive(Debug, Clone, Serialize, Deserialize, IntoParams)]
pub struct GovEntryQuery {
    /// First index (default 0).
    #[serde(default)]
    pub from: Option<u64>,
    /// Most entries (default and maximum 1,000).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One entry: its index and its exact bytes (the leaf).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GovEntryItem {
    /// The index.
    pub index: u64,
    /// The entry's bytes (JSON), as hashed into the log.
    pub entry: Base64Url,
}

/// A page of entries.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GovEntryPage {
    /// Entries in index order.
    pub items: Vec<GovEntryItem>,
    /// The index to ask for next, if there are more.
    pub next: Option<u64>,
}

/// The cooperative's governance settings that a verifier needs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GovInfo {
    /// The statute rules the server enforces (a recount uses the same).
    pub rules: Rules,
    /// The governance log's checkpoint origin.
    pub origin: String,
    /// The governance log's verifier key (pin it).
    pub verifier_key: String,
    /// Whether the caller is a steward.
    pub steward: bool,
}

/// Which chair and board member the minutes name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
pub struct MinutesQuery {
    /// The chair (register id); default: the one the signed minutes name.
    #[serde(default)]
    pub chair: Option<Uuid>,
    /// The board member (register id); default: the one the signed minutes name.
    #[serde(default)]
    pub board: Option<Uuid>,
}

/// An assembly's minutes as the server computes them from the chain.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MinutesView {
    /// The minutes.
    pub minutes: crate::Minutes,
    /// Their SHA-256 (what the chair and the board member sign).
    pub sha256: Base64Url,
    /// As Markdown, with the objections attached.
    pub markdown: String,
    /// Whether the chair signed them.
    pub chair_signed: bool,
    /// Whether the board member signed them.
    pub board_signed: bool,
    /// Objections recorded, in order.
    pub objections: Vec<crate::Objection>,
}
