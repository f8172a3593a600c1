//! Consent grants in the database (issue 18; docs/consent.md): researchers (an account
//! with a researcher's row, verified by a steward), studies and their lifecycle. Every
//! step that others rely on (a verification, a submission, a closing) is an entry of
//! the governance log, appended in the transaction that makes it; a resolution
//! approves, rejects or closes a study. What a study's terms must say, and whether
//! they fit a member's preferences, is `datacoop-consent-core`.
#![forbid(unsafe_code)]

pub mod consents;
pub mod copies;
pub mod datasets;
mod error;
pub mod researchers;
pub mod studies;
mod study_list;

pub use error::ConsentError;
