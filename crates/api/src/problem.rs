//! RFC 9457 problem details, the body of every error response.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Media type of error bodies, so clients can tell an error from data.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// An RFC 9457 problem: what went wrong and what the caller can do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short, human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code, repeated for convenience.
    pub status: u16,
    /// Human-readable explanation of this occurrence, with what to do next.
    pub detail: String,
    /// Stable machine-readable code (snake_case); clients branch on this.
    pub code: String,
}
