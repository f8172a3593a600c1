//! Governance records in the database (issue 17; docs/governance.md). Every change is
//! an entry of the governance log ([`LOG`], on the named-log machinery of
//! `datacoop-tlog`), appended in the transaction that makes the change; the tables
//! beside it are what the entries built, for queries. What may be recorded is decided by
//! `datacoop-governance-core`, the same code every member's client replays.
#![forbid(unsafe_code)]

mod assemblies;
mod bodies;
mod chain;
mod close;
mod demands;
mod error;
mod invitations;
mod minutes;
mod notices;
mod register;
mod register_changes;
mod studies;
mod votes;

pub use assemblies::{assemblies, assembly, convene, file_motion, motion};
pub use bodies::bodies;
pub use chain::{checkpoint, consistency_proof, entries, inclusion_proofs, install, LOG};
pub use close::{close_due, study_approval};
pub use demands::{demands, file_demand, support_demand};
pub use error::GovError;
pub use invitations::{join, reinvite};
pub use minutes::{attend, contribute, minutes, object, sign_minutes};
pub use notices::due_notices;
pub use register::{
    erase_member, is_steward, list_register, member_of, my_entry, record_leaving, register,
};
pub use register_changes::{change_shares, remove_expired_personal_data, set_notice_email};
pub use studies::{lock_log, record_research, study_decisions, StudyDecisions};
pub use votes::{cast_ballot, record_proxy};

use datacoop_governance_core::Rules;

/// What every governance use case is decided by: the statute rules, the stewards and
/// the moment (from the server's clock, so tests and catch-up after a restart can set it).
#[derive(Debug, Clone)]
pub struct Context {
    /// The statute rules.
    pub rules: Rules,
    /// Stewards' account emails (normalised).
    pub stewards: Vec<String>,
    /// Now, unix microseconds.
    pub now: u64,
    /// Days an invitation stays valid.
    pub invitation_days: u32,
    /// The registered seat, the place of a virtual assembly (§47(1)).
    pub seat: String,
    /// The nominal value of one share as the statutes state it ("100.00 EUR"), if set.
    pub share_value: Option<String>,
}
