//! The pure core of governance records, shared by the server (which accepts ballots and
//! closes votes) and every member's client (which recounts them, `datacoop gov verify`):
//! the statute rules with the German Cooperatives Act's defaults ([`Rules`]), ballots
//! signed over canonical bytes ([`Ballot`]), proxies ([`ProxyBook`]), eligibility from
//! the membership register ([`RegisterEntry`]) and the count ([`count`]).
//!
//! No storage and no I/O here: the same functions decide on the server and check on the
//! client, so a count can be redone by anyone holding the signed ballots and the register
//! (docs/governance.md).
#![forbid(unsafe_code)]

mod ballot;
mod count;
mod error;
mod register;
mod rules;

pub use ballot::{Ballot, Choice, SignedBallot};
pub use count::{check_ballot, count, Count, Motion, Refusal};
pub use error::GovernanceError;
pub use register::{ProxyBook, RegisterEntry};
pub use rules::{Majority, Rules};
