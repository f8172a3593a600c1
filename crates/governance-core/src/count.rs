//! The count of one motion from its signed ballots, the register and the proxies: the
//! same function accepts ballots on the server and recounts them on any member's machine.

use crate::{Choice, Election, Majority, ProxyBook, RegisterEntry, Rules, SignedBallot};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

/// A motion put to the vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Motion {
    /// Its id.
    pub id: Uuid,
    /// The majority it needs.
    pub majority: Majority,
    /// Share of the eligible members, in percent, who must take part (abstentions
    /// included); none unless the statutes set one (§43(2)).
    pub quorum_percent: Option<u8>,
    /// Voting opens (unix microseconds).
    pub opens_at_micros: u64,
    /// Voting closes; eligibility is decided at this moment (the voting date).
    pub closes_at_micros: u64,
    /// Members who may not vote on it, nor for others (§43(6): their own discharge, a
    /// claim against them).
    pub recused: Vec<Uuid>,
    /// For a body's meeting: the body's members, the only voters (one vote each, cast
    /// in person); none for a general assembly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_members: Option<BTreeSet<Uuid>>,
    /// For an election: its candidates and seats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election: Option<Election>,
}

/// Why a ballot does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// It is for another motion.
    OtherMotion,
    /// Cast before voting opened or after it closed.
    OutsideVotingPeriod,
    /// The caster or the voter is not in the register.
    NotInRegister,
    /// The caster has published no governance key (they have not joined yet).
    NoKey,
    /// The signature does not verify with the caster's registered governance key.
    BadSignature,
    /// The voter (or the proxy casting it) is not a member on the voting date.
    NotEligible,
    /// The voter (or the proxy casting it) is recused from this motion.
    Recused,
    /// Cast by someone the voter did not appoint as proxy (or, at a body's meeting, by
    /// anyone but the voter).
    NoProxy,
    /// The choice does not fit the motion: yes, no or abstain on a motion; candidates
    /// (each once, no more than the seats) or abstain in an election.
    WrongChoice,
    /// At a body's meeting: the voter is not a member of the body.
    NotOnBody,
    /// In an election: the ballot names candidates from another list than the one filed.
    OtherCandidates,
}

impl Refusal {
    /// The refusal in words.
    pub fn describe(self) -> &'static str {
        match self {
            Refusal::OtherMotion => "the ballot is for another motion",
            Refusal::OutsideVotingPeriod => "the ballot was cast outside the voting period",
            Refusal::NotInRegister => "the voter or the caster is not in the register",
            Refusal::NoKey => {
                "the caster has no governance key in the register: they join with their \
                 invitation first (datacoop gov join)"
            }
            Refusal::BadSignature => {
                "the signature does not verify with the caster's registered governance key"
            }
            Refusal::NotEligible => "the voter or the caster is not a member on the voting date",
            Refusal::Recused => "the voter or the caster may not vote on this motion (§43(6))",
            Refusal::NoProxy => "the caster holds no proxy of the voter",
            Refusal::WrongChoice => {
                "the choice does not fit the motion: vote yes, no or abstain on a motion; in \
                 an election name candidates (each once, at most as many as there are seats) \
                 or abstain"
            }
            Refusal::NotOnBody => "only the body's members vote at its meeting",
            Refusal::OtherCandidates => {
                "the ballot was signed over another list of candidates than the one filed in \
                 the governance log: the list you were shown is not the election's"
            }
        }
    }
}

/// A ballot that did not count: its position among the motion's ballots, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RefusedBallot {
    /// Position in the motion's ballots, in the order the chain accepted them.
    pub position: usize,
    /// Why it does not count.
    pub reason: Refusal,
}

impl PartialEq<(usize, Refusal)> for RefusedBallot {
    fn eq(&self, other: &(usize, Refusal)) -> bool {
        (self.position, self.reason) == *other
    }
}

/// The outcome of a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Count {
    /// Votes for (weighted by the votes each member holds).
    pub yes: u64,
    /// Votes against.
    pub no: u64,
    /// Abstentions (not votes cast).
    pub abstain: u64,
    /// Members who took part (their last ballot counted), abstentions included.
    pub members_taking_part: u64,
    /// Members eligible on the voting date, not recused.
    pub members_eligible: u64,
    /// Whether the quorum, if any, was reached.
    pub quorum_met: bool,
    /// Whether the motion carried (an election: at least one candidate was elected).
    pub carried: bool,
    /// In an election: the votes for each candidate, in ballot order (`yes` is then
    /// the votes of the ballots naming candidates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tally: Vec<u64>,
    /// In an election: the members elected, in ballot order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elected: Vec<Uuid>,
    /// Ballots that did not count, by position in the input, with why.
    pub refused: Vec<RefusedBallot>,
}

/// Where a count looks members up: the whole register, or just the entries a check needs.
pub trait RegisterLookup {
    /// The member's entry, if any.
    fn entry(&self, member: &Uuid) -> Option<&RegisterEntry>;
}

impl RegisterLookup for BTreeMap<Uuid, RegisterEntry> {
    fn entry(&self, member: &Uuid) -> Option<&RegisterEntry> {
        self.get(member)
    }
}

impl RegisterLookup for HashMap<Uuid, &RegisterEntry> {
    fn entry(&self, member: &Uuid) -> Option<&RegisterEntry> {
        self.get(member).copied()
    }
}

/// Checks one ballot against the motion, the register and the proxies; returns the
/// number of votes it carries.
pub fn check_ballot(
    motion: &Motion,
    b: &SignedBallot,
    register: &impl RegisterLookup,
    proxies: &ProxyBook,
    rules: &Rules,
) -> Result<u64, Refusal> {
    let ballot = &b.ballot;
    if ballot.motion != motion.id {
        return Err(Refusal::OtherMotion);
    }
    let fits = match (&motion.election, ballot.choice) {
        (_, Choice::Abstain) => ballot.candidates.is_empty() && ballot.election_sha256.is_none(),
        (Some(e), Choice::Candidates) => {
            if ballot.election_sha256.as_deref().map(|d| &d[..]) != Some(&e.sha256()[..]) {
                return Err(Refusal::OtherCandidates);
            }
            e.fits(&ballot.candidates)
        }
        (None, Choice::Yes | Choice::No) => {
            ballot.candidates.is_empty() && ballot.election_sha256.is_none()
        }
        _ => false,
    };
    if !fits {
        return Err(Refusal::WrongChoice);
    }
    if ballot.cast_at_micros < motion.opens_at_micros
        || ballot.cast_at_micros >= motion.closes_at_micros
    {
        return Err(Refusal::OutsideVotingPeriod);
    }
    let (Some(voter), Some(caster)) = (
        register.entry(&ballot.voter),
        register.entry(&ballot.cast_by),
    ) else {
        return Err(Refusal::NotInRegister);
    };
    let Some(key) = &caster.key else {
        return Err(Refusal::NoKey);
    };
    if !b.verifies(key) {
        return Err(Refusal::BadSignature);
    }
    let at = motion.closes_at_micros;
    if !voter.eligible_at(at) || !caster.eligible_at(at) {
        return Err(Refusal::NotEligible);
    }
    if motion.recused.contains(&voter.member) || motion.recused.contains(&caster.member) {
        return Err(Refusal::Recused);
    }
    if let Some(members) = &motion.body_members {
        if !members.contains(&ballot.voter) {
            return Err(Refusal::NotOnBody);
        }
        if ballot.cast_by != ballot.voter {
            return Err(Refusal::NoProxy);
        }
        return Ok(1);
    }
    if ballot.cast_by != ballot.voter && proxies.holder_of(ballot.voter) != Some(ballot.cast_by) {
        return Err(Refusal::NoProxy);
    }
    // Extra votes (§43(3)) never count on a motion the law requires at three quarters.
    let votes = match motion.majority {
        Majority::ThreeQuarters => 1,
        _ => voter.votes.clamp(1, rules.max_votes_per_member.max(1)),
    };
    Ok(u64::from(votes))
}

/// Counts a motion. `ballots` are in the order they were accepted (the governance
/// chain's order): a member's later ballot replaces the earlier one.
pub fn count(
    motion: &Motion,
    ballots: &[SignedBallot],
    register: &[RegisterEntry],
    proxies: &ProxyBook,
    rules: &Rules,
) -> Count {
    let by_member: HashMap<Uuid, &RegisterEntry> = register.iter().map(|e| (e.member, e)).collect();
    let mut last: BTreeMap<Uuid, (&SignedBallot, u64)> = BTreeMap::new();
    let mut refused = Vec::new();
    for (i, b) in ballots.iter().enumerate() {
        match check_ballot(motion, b, &by_member, proxies, rules) {
            Ok(votes) => {
                last.insert(b.ballot.voter, (b, votes));
            }
            Err(reason) => refused.push(RefusedBallot {
                position: i,
                reason,
            }),
        }
    }
    let (mut yes, mut no, mut abstain) = (0u64, 0u64, 0u64);
    let mut tally = vec![0u64; motion.election.as_ref().map_or(0, |e| e.candidates.len())];
    for (b, votes) in last.values() {
        match b.ballot.choice {
            Choice::Yes => yes += votes,
            Choice::No => no += votes,
            Choice::Abstain => abstain += votes,
            Choice::Candidates => {
                yes += votes;
                for p in &b.ballot.candidates {
                    if let Some(t) = tally.get_mut(*p as usize) {
                        *t += votes;
                    }
                }
            }
        }
    }
    let at = motion.closes_at_micros;
    let members_eligible = register
        .iter()
        .filter(|e| e.eligible_at(at) && !motion.recused.contains(&e.member))
        .filter(|e| {
            motion
                .body_members
                .as_ref()
                .is_none_or(|b| b.contains(&e.member))
        })
        .count() as u64;
    let members_taking_part = last.len() as u64;
    let quorum_met = motion.quorum_percent.is_none_or(|q| {
        u128::from(members_taking_part) * 100 >= u128::from(q) * u128::from(members_eligible)
    });
    let (carried, elected) = match &motion.election {
        Some(e) => {
            let member = |m: &Uuid| by_member.get(m).is_some_and(|r| r.eligible_at(at));
            let elected: Vec<Uuid> = if quorum_met {
                e.elected(&tally, member)
                    .into_iter()
                    .map(|i| e.candidates[i].member)
                    .collect()
            } else {
                Vec::new()
            };
            (!elected.is_empty(), elected)
        }
        None => (quorum_met && motion.majority.carried(yes, no), Vec::new()),
    };
    Count {
        yes,
        no,
        abstain,
        members_taking_part,
        members_eligible,
        quorum_met,
        carried,
        refused,
        tally,
        elected,
    }
}
