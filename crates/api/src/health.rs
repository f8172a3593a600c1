//! Liveness and readiness answers.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Answer of `/healthz` and `/readyz`, so operators and probes see why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HealthStatus {
    /// `ok` when the check passed, `unavailable` otherwise.
    pub status: String,
    /// The server's version, to tell deployments apart.
    pub version: String,
    /// For readiness: whether the database answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<bool>,
}
