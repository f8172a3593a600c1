//! The statute rules a vote is decided by, with the German Cooperatives Act
//! (Genossenschaftsgesetz) as the default; statutes may differ within what the law allows.

use crate::GovernanceError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The share of the votes cast (yes + no; abstentions do not count) a motion needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Majority {
    /// More yes than no (§43(2)); a tie fails.
    Simple,
    /// At least two thirds of the votes cast are yes.
    TwoThirds,
    /// At least three quarters are yes (§16(2): e.g. business purpose, share size). Extra
    /// votes of §43(3) never apply to these.
    ThreeQuarters,
}

impl Majority {
    /// Whether `yes` of `yes + no` votes carries the motion.
    pub fn carried(self, yes: u64, no: u64) -> bool {
        let cast = u128::from(yes) + u128::from(no);
        let yes = u128::from(yes);
        match self {
            Majority::Simple => yes * 2 > cast,
            Majority::TwoThirds => cast > 0 && yes * 3 >= cast * 2,
            Majority::ThreeQuarters => cast > 0 && yes * 4 >= cast * 3,
        }
    }
}

/// The rules of the statutes that the software enforces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    /// Members one proxy may represent (§43(5): at most 2; statutes may allow fewer).
    pub max_proxies_per_holder: u8,
    /// Most votes a member may hold (§43(3): statutes may grant up to 3 to members who
    /// especially support the cooperative; 1 means one member one vote).
    pub max_votes_per_member: u8,
    /// Days between convening and the assembly (§46(1): at least 14).
    pub notice_days: u32,
    /// Days an agenda item must be announced before the vote (§46(2): at least 7).
    pub agenda_days: u32,
    /// Share of members, in percent, who can demand an assembly or an item (§45: 10).
    pub minority_demand_percent: u8,
    /// Months of notice before the end of the business year with which a member
    /// leaves at its end (§65(2): at least 3, statutes may set up to 5 years).
    pub leaving_notice_months: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            max_proxies_per_holder: 2,
            max_votes_per_member: 1,
            notice_days: 14,
            agenda_days: 7,
            minority_demand_percent: 10,
            leaving_notice_months: 3,
        }
    }
}

impl Rules {
    /// Refuses values the law does not allow.
    pub fn check(&self) -> Result<(), GovernanceError> {
        let bad = |s: &str| Err(GovernanceError::InvalidRules(s.into()));
        if self.max_proxies_per_holder > 2 {
            return bad("a proxy may represent at most 2 members (Cooperatives Act §43(5))");
        }
        if !(1..=3).contains(&self.max_votes_per_member) {
            return bad("a member holds 1 to 3 votes (Cooperatives Act §43(3))");
        }
        if self.notice_days < 14 {
            return bad("an assembly is convened at least 14 days ahead (§46(1))");
        }
        if self.agenda_days < 7 {
            return bad("an agenda item is announced at least 7 days ahead (§46(2))");
        }
        if !(1..=10).contains(&self.minority_demand_percent) {
            return bad(
                "statutes may lower the minority demand, not raise it above 10 percent (§45)",
            );
        }
        if !(3..=60).contains(&self.leaving_notice_months) {
            return bad("the notice period for leaving is 3 months to 5 years (§65(2))");
        }
        Ok(())
    }
}
