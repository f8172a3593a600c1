//! The checks of register entries and minutes signatures during a replay.

use super::{Chain, MinutesRecord};
use crate::entry::{MinutesSignature, Registration};
use crate::minutes::{minutes_message, MinutesRole};
use crate::{Decision, MotionTerms, Power, RegisterEntry};

impl Chain {
    pub(super) fn sign_minutes(&mut self, sig: &MinutesSignature) -> Result<(), String> {
        let minutes = self.minutes(&sig.assembly, sig.chair, sig.board_member)?;
        let sha = minutes.sha256();
        if *sig.minutes_sha256 != sha {
            return Err(format!(
                "the minutes signed for assembly {} are not the minutes the chain gives",
                sig.assembly
            ));
        }
        let signer = match sig.role {
            MinutesRole::Chair => sig.chair,
            MinutesRole::Board => sig.board_member,
        };
        let key = self
            .register
            .get(&signer)
            .and_then(|e| e.key)
            .ok_or_else(|| format!("the signer {signer} of the minutes has no key"))?;
        let ok = datacoop_crypto::Signature::from_bytes(&sig.signature)
            .map(|s| {
                datacoop_crypto::verify(
                    &key,
                    crate::minutes::MINUTES_CONTEXT,
                    &minutes_message(&sig.assembly, &sha),
                    &s,
                )
                .is_ok()
            })
            .unwrap_or(false);
        if !ok {
            return Err(format!(
                "the minutes of assembly {} are not signed by {signer}'s key",
                sig.assembly
            ));
        }
        let rec = self.minutes.entry(sig.assembly).or_insert(MinutesRecord {
            sha256: sha.clone(),
            chair: sig.chair,
            board_member: sig.board_member,
            chair_signed: false,
            board_signed: false,
        });
        if rec.sha256 != sha || rec.chair != sig.chair || rec.board_member != sig.board_member {
            return Err(format!(
                "assembly {} has two different minutes signed",
                sig.assembly
            ));
        }
        match sig.role {
            MinutesRole::Chair => rec.chair_signed = true,
            MinutesRole::Board => rec.board_signed = true,
        }
        Ok(())
    }

    pub(super) fn register_member(&mut self, r: &Registration) -> Result<(), String> {
        if self.register.contains_key(&r.member) {
            return Err(format!("member {} is registered twice", r.member));
        }
        if let Some(other) = self.numbers.get(&r.number) {
            return Err(format!(
                "member number {} is given twice ({other} and {})",
                r.number, r.member
            ));
        }
        if !(1..=self.rules.max_votes_per_member.max(1)).contains(&r.votes) {
            return Err(format!(
                "member {} holds {} votes; the statutes allow 1 to {}",
                r.member, r.votes, self.rules.max_votes_per_member
            ));
        }
        self.numbers.insert(r.number, r.member);
        self.member_numbers.insert(r.member, r.number);
        self.register.insert(
            r.member,
            RegisterEntry {
                member: r.member,
                joined_at_micros: r.joined_at_micros,
                leaves_at_micros: None,
                votes: r.votes,
                key: None,
            },
        );
        Ok(())
    }
}

impl Chain {
    /// A member's signed attendance: while the assembly runs, once, by their key.
    pub(super) fn attend(&mut self, s: &crate::SignedAttendance, at: u64) -> Result<(), String> {
        let a = &s.attendance;
        let assembly = self
            .assemblies
            .get(&a.assembly)
            .ok_or_else(|| format!("attendance at unknown assembly {}", a.assembly))?;
        if at < assembly.starts_at_micros || at > assembly.ends_at_micros {
            return Err(format!(
                "attendance at assembly {} recorded while it was not running",
                a.assembly
            ));
        }
        let key = self
            .register
            .get(&a.member)
            .and_then(|e| e.key)
            .ok_or_else(|| format!("attending member {} has no key", a.member))?;
        if !s.verifies(&key) {
            return Err(format!(
                "the attendance of {} is not signed by their key",
                a.member
            ));
        }
        if !self
            .attendance
            .entry(a.assembly)
            .or_default()
            .insert(a.member)
        {
            return Err(format!(
                "the attendance of {} at assembly {} is already recorded",
                a.member, a.assembly
            ));
        }
        Ok(())
    }
}

impl Chain {
    /// What a motion's filing needs beyond its timeline: candidates who are members, and
    /// a body's study approval only while the assembly delegated that power to it.
    pub(super) fn check_filing(&self, m: &MotionTerms, at: u64) -> Result<(), String> {
        if let Some(e) = &m.election {
            for c in &e.candidates {
                if !self
                    .register
                    .get(&c.member)
                    .is_some_and(|r| r.eligible_at(at))
                {
                    return Err(format!(
                        "candidate {} is not a member of the cooperative",
                        c.member
                    ));
                }
            }
        }
        if let Some(body) = m.body {
            let member = self.register.contains_key(&m.filed_by);
            let on_body = self
                .bodies
                .get(&body)
                .is_some_and(|b| b.contains(&m.filed_by));
            if member && !on_body {
                return Err(format!(
                    "motion {} at a meeting of {} is filed by a member who is not on it",
                    m.id,
                    body.describe()
                ));
            }
        }
        if let (Some(body), Some(Decision::ApproveStudy { .. } | Decision::CloseStudy { .. })) =
            (m.body, &m.decision)
        {
            if self.delegations.get(&Power::ApproveStudies) != Some(&body) {
                return Err(format!(
                    "{} holds no delegated power to approve studies",
                    body.describe()
                ));
            }
        }
        Ok(())
    }
}

impl Chain {
    /// A contribution to an assembly's discussion: from its convening until it ends, by
    /// the member's key, about one of its motions if any, an answer to an earlier
    /// contribution of the same discussion.
    pub(super) fn contribute(
        &mut self,
        index: u64,
        s: &crate::SignedContribution,
        at: u64,
    ) -> Result<(), String> {
        use crate::ContributionKind;
        let c = &s.contribution;
        let assembly = self
            .assemblies
            .get(&c.assembly)
            .ok_or_else(|| format!("a contribution to unknown assembly {}", c.assembly))?;
        if at > assembly.ends_at_micros {
            return Err(format!(
                "a contribution to assembly {} recorded after it ended",
                c.assembly
            ));
        }
        let len = c.text.trim().chars().count();
        if len == 0 || len > crate::discussion::MAX_CONTRIBUTION {
            return Err("a contribution says something, in at most 10,000 characters".into());
        }
        if let Some(m) = &c.motion {
            if self
                .motions
                .get(m)
                .is_none_or(|m| m.terms.assembly != c.assembly)
            {
                return Err(format!("motion {m} is not on assembly {}", c.assembly));
            }
        }
        let earlier = self.discussion.get(&c.assembly);
        match (c.kind, c.reply_to) {
            (ContributionKind::Answer, Some(i))
                if !earlier.is_some_and(|d| d.iter().any(|x| x.index == i)) =>
            {
                return Err(format!(
                    "an answer to entry {i}, which is not a contribution to this assembly"
                ));
            }
            (ContributionKind::Answer, Some(_)) => {}
            (ContributionKind::Answer, None) => {
                return Err("an answer names the contribution it answers".into())
            }
            (_, Some(_)) => return Err("only an answer replies to a contribution".into()),
            _ => {}
        }
        let key = self
            .register
            .get(&c.member)
            .and_then(|e| e.key)
            .ok_or_else(|| format!("contributing member {} has no key", c.member))?;
        if !s.verifies(&key) {
            return Err(format!(
                "the contribution of {} is not signed by their key",
                c.member
            ));
        }
        self.discussion
            .entry(c.assembly)
            .or_default()
            .push(crate::Spoken {
                index,
                contribution: c.clone(),
            });
        Ok(())
    }

    /// The minutes as Markdown with the objections and the discussion attached.
    pub fn minutes_markdown(&self, minutes: &crate::Minutes) -> String {
        let objections = self
            .objections
            .get(&minutes.assembly)
            .cloned()
            .unwrap_or_default();
        let mut md = minutes.markdown(&objections, self.numbers());
        let discussion = self
            .discussion
            .get(&minutes.assembly)
            .map(Vec::as_slice)
            .unwrap_or_default();
        md.push_str(&crate::discussion::discussion_markdown(
            discussion,
            self.numbers(),
        ));
        md
    }
}
