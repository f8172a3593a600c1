//! Replaying ballots, results and study approvals: each ballot checked as on arrival,
//! each result recounted, and what a carried motion does (a body's composition, a
//! delegation, a study's signed approval) rebuilt.

use super::Chain;
use crate::{check_ballot, Count, Effect, SignedBallot, StudyApproval};
use datacoop_api::b64::Base64Url;
use uuid::Uuid;

impl Chain {
    pub(super) fn accept_ballot(&mut self, b: &SignedBallot, at: u64) -> Result<(), String> {
        let m = self
            .motions
            .get(&b.ballot.motion)
            .ok_or_else(|| format!("a ballot for unknown motion {}", b.ballot.motion))?;
        if m.result.is_some() {
            return Err(format!(
                "a ballot recorded after motion {} closed",
                m.terms.id
            ));
        }
        if at < m.terms.opens_at_micros || at >= m.terms.closes_at_micros {
            return Err("a ballot recorded outside the voting period".into());
        }
        let book = self.proxies(&m.terms.assembly);
        check_ballot(
            &self.motion(&m.terms),
            b,
            &self.register,
            &book,
            &self.rules,
        )
        .map_err(|r| format!("a ballot the server should have refused: {}", r.describe()))?;
        if let Some(m) = self.motions.get_mut(&b.ballot.motion) {
            m.ballots.push(b.clone());
        }
        Ok(())
    }

    pub(super) fn close_motion(
        &mut self,
        motion: &Uuid,
        recorded: &Count,
        at: u64,
    ) -> Result<(), String> {
        let m = self
            .motions
            .get(motion)
            .ok_or_else(|| format!("a result for unknown motion {motion}"))?;
        if m.result.is_some() {
            return Err(format!("motion {motion} is closed twice"));
        }
        if at < m.terms.closes_at_micros {
            return Err(format!(
                "motion {motion} was closed before its closing time"
            ));
        }
        let recount = self.recount(m);
        if &recount != recorded {
            return Err(format!(
                "the recorded result of motion {motion} is not what its ballots give: \
                 recorded {} yes, {} no, {} abstaining ({}), recounted {} yes, {} no, \
                 {} abstaining ({})",
                recorded.yes,
                recorded.no,
                recorded.abstain,
                if recorded.carried {
                    "carried"
                } else {
                    "not carried"
                },
                recount.yes,
                recount.no,
                recount.abstain,
                if recount.carried {
                    "carried"
                } else {
                    "not carried"
                },
            ));
        }
        let effect = m.terms.effect(&recount, &self.delegations);
        match &effect {
            Effect::Compose(body, members) => {
                self.bodies.insert(*body, members.clone());
            }
            Effect::Delegate(power, body) => {
                self.delegations.insert(*power, *body);
            }
            Effect::EndDelegation(power) => {
                self.delegations.remove(power);
            }
            Effect::None | Effect::ApproveStudy(_) | Effect::CloseStudy(..) => {}
        }
        if let Some(m) = self.motions.get_mut(motion) {
            m.result = Some(recount);
            m.effect = Some(effect);
        }
        Ok(())
    }

    pub(super) fn approve_study(
        &mut self,
        approval: &StudyApproval,
        signature: &Base64Url,
    ) -> Result<(), String> {
        let m = self
            .motions
            .get(&approval.motion)
            .ok_or_else(|| format!("an approval by unknown motion {}", approval.motion))?;
        if !m.result.as_ref().is_some_and(|c| c.carried) {
            return Err(format!(
                "study {} is recorded as approved by motion {}, which has not carried",
                approval.study, approval.motion
            ));
        }
        let Some(Effect::ApproveStudy(decided)) = &m.effect else {
            return Err(format!(
                "study {} is recorded as approved by motion {} of a body that does not \
                 hold the power to approve studies",
                approval.study, approval.motion
            ));
        };
        if decided != approval {
            return Err(format!(
                "the approval of study {} is not what motion {} put to the vote",
                approval.study, approval.motion
            ));
        }
        match &self.governance_key {
            Some(k) if approval.verifies(k, signature) => {}
            Some(_) => {
                return Err(format!(
                    "the approval of study {} is not signed by the governance key",
                    approval.study
                ))
            }
            None => {}
        }
        self.approved_studies
            .insert(approval.study, approval.clone());
        Ok(())
    }
}
