//! The pure core of governance records, shared by the server (which accepts ballots and
//! closes votes) and every member's client (which recounts them, `datacoop gov verify`):
//! the statute rules with the German Cooperatives Act's defaults ([`Rules`]), ballots
//! signed over canonical bytes ([`Ballot`]), proxies ([`ProxyBook`], [`Proxy`]),
//! eligibility from the membership register ([`RegisterEntry`]), the count ([`count`]),
//! the timeline ([`check_assembly`], [`check_motion`]) and the chain's entries
//! ([`Entry`]) with their replay ([`Chain`]).
//!
//! No storage and no I/O here: the same functions decide on the server and check on the
//! client, so a count can be redone by anyone holding the signed ballots and the register
//! (docs/governance.md).
#![forbid(unsafe_code)]

mod assembly;
pub mod attendance;
mod ballot;
pub mod body;
mod chain;
mod count;
pub mod demand;
pub mod discussion;
pub mod entry;
mod error;
pub mod minutes;
pub mod proxy;
mod register;
mod rules;
mod timeline;
pub mod wire;

pub use assembly::{Assembly, Decision, Effect, Form, MotionTerms, StudyApproval};
pub use attendance::{Attendance, SignedAttendance};
pub use ballot::{Ballot, Choice, SignedBallot};
pub use body::{Body, Candidate, Election, Power};
pub use chain::{Chain, ChainProblem, MinutesRecord, MotionState, SubmittedStudy};
pub use count::{check_ballot, count, Count, Motion, Refusal, RefusedBallot};
pub use demand::{DemandFiling, DemandState, DemandTerms, SignedSupport, Support};
pub use discussion::{Contribution, ContributionKind, SignedContribution, Spoken};
pub use entry::{Entry, EntryBody, MinutesSignature, Registration, ShareChange};
pub use error::GovernanceError;
pub use minutes::{Minutes, MinutesRole, Objection, SignedObjection};
pub use proxy::{Proxy, SignedProxy};
pub use register::{leaving_takes_effect, ProxyBook, RegisterEntry};
pub use rules::{Majority, Rules};
pub use timeline::{check_assembly, check_motion};
