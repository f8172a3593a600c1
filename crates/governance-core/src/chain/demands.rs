//! Minority demands (§45) during a replay: each signature checked against the terms and
//! the member's key, the supporters counted against the members at that moment.

use super::Chain;
use crate::demand::{needed, DemandFiling, DemandState, SignedSupport};

impl Chain {
    fn members_at(&self, at: u64) -> u64 {
        self.register.values().filter(|e| e.eligible_at(at)).count() as u64
    }

    fn check_support(&self, s: &SignedSupport, sha: &[u8], at: u64) -> Result<(), String> {
        let p = &s.support;
        if *p.terms_sha256 != *sha {
            return Err(format!(
                "a support of demand {} signs other terms than the demand's",
                p.demand
            ));
        }
        let entry = self
            .register
            .get(&p.member)
            .ok_or_else(|| format!("supporter {} is not in the register", p.member))?;
        if !entry.eligible_at(at) {
            return Err(format!("supporter {} is not a member now", p.member));
        }
        let key = entry
            .key
            .ok_or_else(|| format!("supporter {} has no key", p.member))?;
        if !s.verifies(&key) {
            return Err(format!(
                "the support of {} for demand {} is not signed by their key",
                p.member, p.demand
            ));
        }
        Ok(())
    }

    fn count_support(&mut self, id: uuid::Uuid, at: u64) {
        let members = self.members_at(at);
        let percent = self.rules.minority_demand_percent;
        if let Some(d) = self.demands.get_mut(&id) {
            d.members = members;
            d.needed = needed(members, percent);
            if d.met_at_micros.is_none() && d.supporters.len() as u64 >= d.needed {
                d.met_at_micros = Some(at);
            }
        }
    }

    pub(super) fn file_demand(&mut self, f: &DemandFiling, at: u64) -> Result<(), String> {
        let t = &f.terms;
        if self.demands.contains_key(&t.id) {
            return Err(format!("demand {} is filed already", t.id));
        }
        if t.title.trim().is_empty() || t.reasons.trim().is_empty() {
            return Err("a demand states its purpose and its reasons (§45(1))".into());
        }
        if let Some(a) = t.assembly {
            if !self.assemblies.contains_key(&a) {
                return Err(format!("a demand for an item of unknown assembly {a}"));
            }
        }
        if f.support.support.demand != t.id {
            return Err(format!("the filer's support is not for demand {}", t.id));
        }
        self.check_support(&f.support, &t.sha256(), at)?;
        self.demands.insert(
            t.id,
            DemandState {
                terms: t.clone(),
                supporters: vec![f.support.support.member],
                members: 0,
                needed: 0,
                met_at_micros: None,
            },
        );
        self.count_support(t.id, at);
        Ok(())
    }

    pub(super) fn support_demand(&mut self, s: &SignedSupport, at: u64) -> Result<(), String> {
        let id = s.support.demand;
        let (sha, already) = match self.demands.get(&id) {
            Some(d) => (d.terms.sha256(), d.supporters.contains(&s.support.member)),
            None => return Err(format!("support for unknown demand {id}")),
        };
        if already {
            return Err(format!(
                "member {} already supports demand {id}",
                s.support.member
            ));
        }
        self.check_support(s, &sha, at)?;
        if let Some(d) = self.demands.get_mut(&id) {
            d.supporters.push(s.support.member);
        }
        self.count_support(id, at);
        Ok(())
    }
}
