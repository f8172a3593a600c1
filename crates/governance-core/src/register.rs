//! The register of members as a count needs it (§30): who is a member on the voting
//! date, how many votes they hold, and their governance key; and the proxies (§43(5)).

use crate::GovernanceError;
use datacoop_crypto::VerifyingKey;
use std::collections::BTreeMap;
use uuid::Uuid;

/// One member's entry in the register, as of a count.
#[derive(Debug, Clone)]
pub struct RegisterEntry {
    /// The member.
    pub member: Uuid,
    /// When membership began (unix microseconds).
    pub joined_at_micros: u64,
    /// When the leaving takes effect, if notice was given (unix microseconds).
    pub leaves_at_micros: Option<u64>,
    /// Votes the statutes grant this member (1, or up to 3 under §43(3)).
    pub votes: u8,
    /// The member's governance key (Ed25519), published in the governance chain; none
    /// until they join with their invitation.
    pub key: Option<VerifyingKey>,
}

impl RegisterEntry {
    /// Whether the member may vote at `at` (voting rights start with membership and end
    /// when the leaving takes effect).
    pub fn eligible_at(&self, at: u64) -> bool {
        self.joined_at_micros <= at && self.leaves_at_micros.is_none_or(|l| at < l)
    }
}

/// The proxies in force for one vote: who represents whom.
#[derive(Debug, Clone, Default)]
pub struct ProxyBook {
    /// grantor → holder.
    by_grantor: BTreeMap<Uuid, Uuid>,
}

impl ProxyBook {
    /// Records that `grantor` authorised `holder`; refused beyond `max` members per
    /// holder, for oneself, or while another proxy of the grantor stands.
    pub fn grant(&mut self, grantor: Uuid, holder: Uuid, max: u8) -> Result<(), GovernanceError> {
        if grantor == holder {
            return Err(GovernanceError::OwnProxy);
        }
        if let Some(h) = self.by_grantor.get(&grantor) {
            return Err(GovernanceError::AlreadyRepresented {
                grantor,
                holder: *h,
            });
        }
        if self.represented_by(holder).count() >= usize::from(max) {
            return Err(GovernanceError::TooManyProxies { holder, max });
        }
        self.by_grantor.insert(grantor, holder);
        Ok(())
    }

    /// Ends `grantor`'s proxy, if any; returns whether there was one.
    pub fn revoke(&mut self, grantor: Uuid) -> bool {
        self.by_grantor.remove(&grantor).is_some()
    }

    /// Who represents `grantor`, if anyone.
    pub fn holder_of(&self, grantor: Uuid) -> Option<Uuid> {
        self.by_grantor.get(&grantor).copied()
    }

    /// The members `holder` represents.
    pub fn represented_by(&self, holder: Uuid) -> impl Iterator<Item = Uuid> + '_ {
        self.by_grantor
            .iter()
            .filter(move |(_, h)| **h == holder)
            .map(|(g, _)| *g)
    }
}

/// When a member's leaving takes effect if they give notice at `notice_at` (unix
/// microseconds): at the end of the business year (the calendar year), provided the
/// notice came at least `notice_months` before it, else at the end of the next one
/// (Cooperatives Act §65(2)). `None` for a time outside the years 1 to 9998.
pub fn leaving_takes_effect(notice_at: u64, notice_months: u32) -> Option<u64> {
    let text = datacoop_api::time::format_micros(i64::try_from(notice_at).ok()?);
    let year: i64 = text.get(0..4)?.parse().ok()?;
    let at = |y: i64, month: u32| -> Option<u64> {
        let t = datacoop_api::time::parse_micros(&format!("{y:04}-{month:02}-01T00:00:00Z"))?;
        u64::try_from(t).ok()
    };
    // The notice period before the year's end, in whole months back from 1 January.
    let months = i64::from(notice_months);
    let mut end_year = year + 1;
    loop {
        let back = end_year * 12 - months; // months since year 0, of the latest notice
        let latest = at(back.div_euclid(12), (back.rem_euclid(12) + 1) as u32)?;
        if notice_at <= latest {
            return at(end_year, 1);
        }
        end_year += 1;
    }
}
