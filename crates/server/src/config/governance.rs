//! The `[governance]` section: stewards, the governance log's name, invitations, the
//! scheduler, and the statute rules (German Cooperatives Act defaults).

use datacoop_governance_core::Rules;
use serde::{Deserialize, Serialize};

/// Governance settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GovernanceConfig {
    /// Emails of the accounts that act as stewards: they keep the register, issue
    /// invitations and convene assemblies (from the environment: comma-separated).
    pub stewards: Vec<String>,
    /// Name of the governance log in its signed checkpoints (unique and stable, e.g. the
    /// cooperative's domain followed by `/governance`).
    pub log_origin: String,
    /// The registered seat: the place the minutes give for a virtual assembly (§47(1)).
    pub seat: String,
    /// The nominal value of one share as the statutes state it, e.g. "100.00 EUR"
    /// (§30(2): the register gives shares by count and nominal value); empty: not stated.
    pub share_value: String,
    /// Days a register invitation stays valid.
    pub invitation_days: u32,
    /// Seconds between the scheduler's checks for votes to close.
    pub close_interval_secs: u64,
    /// Years a former member's personal data (name, contact, e-mail) stays in the
    /// register after their leaving took effect; then it is removed and the entry
    /// kept (§30).
    pub register_retention_years: u32,
    /// The statutes' rules, within what the law allows.
    pub rules: Rules,
}

impl Default for GovernanceConfig {
    fn default() -> Self {
        GovernanceConfig {
            stewards: Vec::new(),
            log_origin: "datacoop.example/governance".into(),
            seat: "the cooperative's registered seat".into(),
            share_value: String::new(),
            invitation_days: 30,
            close_interval_secs: 5,
            register_retention_years: 3,
            rules: Rules::default(),
        }
    }
}
