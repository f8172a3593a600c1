//! Replaying the governance chain: every entry is checked as it would have been on
//! arrival, and every closed motion recounted from the ballots before its result. The
//! member's client runs this over the whole chain (`datacoop gov verify`).

use crate::entry::{Entry, EntryBody};
use crate::minutes::{Objection, OBJECTION_DAYS};
use crate::timeline::{check_assembly, check_motion};
use crate::{
    count, proxy, Assembly, Body, Count, Effect, Motion, MotionTerms, Power, ProxyBook,
    RegisterEntry, Rules, SignedBallot, StudyApproval,
};
use datacoop_crypto::VerifyingKey;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

mod checks;
mod studies;
pub use studies::SubmittedStudy;
mod demands;
mod minutes;
mod votes;

/// A motion as the chain has it so far.
#[derive(Debug, Clone)]
pub struct MotionState {
    /// Its terms.
    pub terms: MotionTerms,
    /// The ballots accepted, in chain order.
    pub ballots: Vec<SignedBallot>,
    /// The recorded count, once closed.
    pub result: Option<Count>,
    /// The index of the entry that filed it.
    pub filed_index: u64,
    /// What it did when it closed.
    pub effect: Option<Effect>,
}

/// The minutes of an assembly as signed so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesRecord {
    /// Digest of the minutes signed.
    pub sha256: Vec<u8>,
    /// The chair named.
    pub chair: Uuid,
    /// The board member named.
    pub board_member: Uuid,
    /// Whether the chair signed.
    pub chair_signed: bool,
    /// Whether the board member signed.
    pub board_signed: bool,
}

/// What a replay found wrong: the entry's index and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainProblem {
    /// The entry's index in the log.
    pub index: u64,
    /// What is wrong, in words.
    pub problem: String,
}

/// The state the chain's entries build.
#[derive(Debug, Clone)]
pub struct Chain {
    pub(crate) rules: Rules,
    /// Register entries by register id.
    pub register: BTreeMap<Uuid, RegisterEntry>,
    numbers: BTreeMap<u64, Uuid>,
    /// Assemblies by id.
    pub assemblies: BTreeMap<Uuid, Assembly>,
    /// Motions by id.
    pub motions: BTreeMap<Uuid, MotionState>,
    proxies: HashMap<Uuid, ProxyBook>,
    /// Studies approved by a resolution, by study.
    pub approved_studies: BTreeMap<Uuid, StudyApproval>,
    /// Verified researchers by account: (name, affiliation).
    pub researchers: BTreeMap<Uuid, (String, String)>,
    /// Submitted studies, by study.
    pub studies: BTreeMap<Uuid, SubmittedStudy>,
    /// Signed minutes, by assembly.
    pub minutes: BTreeMap<Uuid, MinutesRecord>,
    /// Objections, by assembly, in chain order.
    pub objections: BTreeMap<Uuid, Vec<Objection>>,
    /// Members who signed their attendance, by assembly.
    pub attendance: BTreeMap<Uuid, BTreeSet<Uuid>>,
    /// Minority demands (§45), by id.
    pub demands: BTreeMap<Uuid, crate::DemandState>,
    /// The members of each body, as the last election for it made them.
    pub bodies: BTreeMap<Body, BTreeSet<Uuid>>,
    /// Powers the assembly delegated, and to which body.
    pub delegations: BTreeMap<Power, Body>,
    /// Each assembly's discussion, in chain order.
    pub discussion: BTreeMap<Uuid, Vec<crate::Spoken>>,
    /// Share changes per member, in chain order: (effective at, shares).
    pub share_changes: BTreeMap<Uuid, Vec<(u64, u32)>>,
    member_numbers: HashMap<Uuid, u64>,
    governance_key: Option<VerifyingKey>,
    /// Entries applied.
    pub applied: u64,
}

impl Chain {
    /// An empty chain decided by `rules`.
    pub fn new(rules: Rules) -> Self {
        Chain {
            rules,
            register: BTreeMap::new(),
            numbers: BTreeMap::new(),
            assemblies: BTreeMap::new(),
            motions: BTreeMap::new(),
            proxies: HashMap::new(),
            approved_studies: BTreeMap::new(),
            researchers: BTreeMap::new(),
            studies: BTreeMap::new(),
            minutes: BTreeMap::new(),
            objections: BTreeMap::new(),
            attendance: BTreeMap::new(),
            demands: BTreeMap::new(),
            bodies: BTreeMap::new(),
            delegations: BTreeMap::new(),
            share_changes: BTreeMap::new(),
            discussion: BTreeMap::new(),
            member_numbers: HashMap::new(),
            governance_key: None,
            applied: 0,
        }
    }

    /// Also checks study approvals against the cooperative's governance key (the
    /// governance log's key).
    pub fn with_governance_key(mut self, key: VerifyingKey) -> Self {
        self.governance_key = Some(key);
        self
    }

    /// What a complete chain must still hold: every carried motion that approves a
    /// study has its signed approval.
    pub fn unfinished(&self) -> Vec<String> {
        self.motions
            .values()
            .filter_map(|m| match &m.effect {
                Some(Effect::ApproveStudy(a)) if !self.approved_studies.contains_key(&a.study) => {
                    Some(format!(
                        "motion {} approved study {}, but the log holds no signed approval",
                        m.terms.id, a.study
                    ))
                }
                _ => None,
            })
            .collect()
    }

    /// A member's number.
    pub fn number_of(&self, member: &Uuid) -> Option<u64> {
        self.member_numbers.get(member).copied()
    }

    /// Member numbers by register id (for rendering minutes).
    pub fn numbers(&self) -> &HashMap<Uuid, u64> {
        &self.member_numbers
    }

    /// The proxies in force for an assembly.
    pub fn proxies(&self, assembly: &Uuid) -> ProxyBook {
        self.proxies.get(assembly).cloned().unwrap_or_default()
    }

    /// Applies the entry at `index` (its bytes as served); an entry that could not
    /// have been accepted is reported and leaves the state as it was.
    pub fn apply_bytes(&mut self, index: u64, bytes: &[u8]) -> Result<(), ChainProblem> {
        let entry = Entry::from_bytes(bytes).map_err(|e| ChainProblem {
            index,
            problem: e.to_string(),
        })?;
        self.apply(index, &entry)
    }

    /// Applies one parsed entry.
    pub fn apply(&mut self, index: u64, entry: &Entry) -> Result<(), ChainProblem> {
        let fail = |problem: String| ChainProblem { index, problem };
        let at = entry.at_micros;
        match &entry.body {
            EntryBody::MemberRegistered(r) => self.register_member(r).map_err(fail)?,
            EntryBody::MemberLeaving {
                member,
                leaves_at_micros,
                ..
            } => {
                let e = self
                    .register
                    .get_mut(member)
                    .ok_or_else(|| fail(format!("member {member} is not in the register")))?;
                e.leaves_at_micros = Some(*leaves_at_micros);
            }
            EntryBody::SharesChanged(c) => {
                let e = self
                    .register
                    .get(&c.member)
                    .ok_or_else(|| fail(format!("member {} is not in the register", c.member)))?;
                if c.shares == 0 || c.effective_at_micros < e.joined_at_micros {
                    return Err(fail(format!(
                        "a share change of member {} to {} shares from before they joined, or \
                         to none",
                        c.member, c.shares
                    )));
                }
                self.share_changes
                    .entry(c.member)
                    .or_default()
                    .push((c.effective_at_micros, c.shares));
            }
            EntryBody::KeyPublished { member, key, proof } => {
                let key = VerifyingKey::from_bytes(key)
                    .map_err(|_| fail(format!("the key published for {member} is not a key")))?;
                if !proxy::key_proof_holds(member, &key, proof) {
                    return Err(fail(format!(
                        "the key published for {member} does not prove its holder signed it"
                    )));
                }
                let e = self
                    .register
                    .get_mut(member)
                    .ok_or_else(|| fail(format!("member {member} is not in the register")))?;
                e.key = Some(key);
            }
            EntryBody::AssemblyConvened(a) => {
                if self.assemblies.contains_key(&a.id) {
                    return Err(fail(format!("assembly {} is convened twice", a.id)));
                }
                check_assembly(a, at, &self.rules).map_err(|e| fail(e.to_string()))?;
                self.assemblies.insert(a.id, a.clone());
            }
            EntryBody::MotionFiled(m) => {
                let a = self
                    .assemblies
                    .get(&m.assembly)
                    .ok_or_else(|| fail(format!("motion {} is on no convened assembly", m.id)))?;
                if self.motions.contains_key(&m.id) {
                    return Err(fail(format!("motion {} is filed twice", m.id)));
                }
                check_motion(m, a, at, &self.rules).map_err(|e| fail(e.to_string()))?;
                self.check_filing(m, at).map_err(fail)?;
                self.motions.insert(
                    m.id,
                    MotionState {
                        terms: m.clone(),
                        ballots: Vec::new(),
                        result: None,
                        filed_index: index,
                        effect: None,
                    },
                );
            }
            EntryBody::Proxy(p) => {
                let s = &p.proxy;
                if !self.assemblies.contains_key(&s.assembly) {
                    return Err(fail(format!("a proxy for unknown assembly {}", s.assembly)));
                }
                let grantor_key = self
                    .register
                    .get(&s.grantor)
                    .and_then(|e| e.key)
                    .ok_or_else(|| fail(format!("proxy grantor {} has no key", s.grantor)))?;
                if !self.register.contains_key(&s.holder) {
                    return Err(fail(format!(
                        "proxy holder {} is not in the register",
                        s.holder
                    )));
                }
                if !p.verifies(&grantor_key) {
                    return Err(fail(format!(
                        "the proxy of {} is not signed by their key",
                        s.grantor
                    )));
                }
                let book = self.proxies.entry(s.assembly).or_default();
                if s.revoke {
                    if book.holder_of(s.grantor) != Some(s.holder) {
                        return Err(fail(format!(
                            "{} revokes a proxy they did not give",
                            s.grantor
                        )));
                    }
                    book.revoke(s.grantor);
                } else {
                    book.grant(s.grantor, s.holder, self.rules.max_proxies_per_holder)
                        .map_err(|e| fail(e.to_string()))?;
                }
            }
            EntryBody::Ballot(b) => self.accept_ballot(b, at).map_err(fail)?,
            EntryBody::MotionClosed {
                motion,
                count: recorded,
            } => self.close_motion(motion, recorded, at).map_err(fail)?,
            EntryBody::StudyApproved {
                approval,
                signature,
            } => self.approve_study(approval, signature).map_err(fail)?,
            EntryBody::MinutesSigned(sig) => self.sign_minutes(sig).map_err(fail)?,
            EntryBody::ResearcherVerified {
                researcher,
                name,
                affiliation,
            } => self
                .verify_researcher(*researcher, name, affiliation)
                .map_err(fail)?,
            EntryBody::StudySubmitted {
                study,
                researcher,
                terms_sha256,
                study_key,
            } => self
                .submit_study(*study, *researcher, terms_sha256, study_key)
                .map_err(fail)?,
            EntryBody::StudyClosed { study } => self.close_study(*study).map_err(fail)?,
            EntryBody::Objection(o) => {
                let ob = &o.objection;
                let a = self.assemblies.get(&ob.assembly).ok_or_else(|| {
                    fail(format!("an objection to unknown assembly {}", ob.assembly))
                })?;
                let last = a
                    .ends_at_micros
                    .saturating_add(OBJECTION_DAYS * 86_400_000_000);
                if at < a.starts_at_micros || at > last {
                    return Err(fail(
                        "an objection recorded outside the assembly and the month after it".into(),
                    ));
                }
                let key = self
                    .register
                    .get(&ob.member)
                    .and_then(|e| e.key)
                    .ok_or_else(|| fail(format!("objector {} has no key", ob.member)))?;
                if !o.verifies(&key) {
                    return Err(fail(format!(
                        "the objection of {} is not signed by their key",
                        ob.member
                    )));
                }
                self.objections
                    .entry(ob.assembly)
                    .or_default()
                    .push(ob.clone());
            }
            EntryBody::Attended(s) => self.attend(s, at).map_err(fail)?,
            EntryBody::DemandFiled(f) => self.file_demand(f, at).map_err(fail)?,
            EntryBody::DemandSupported(s) => self.support_demand(s, at).map_err(fail)?,
            EntryBody::Contributed(s) => self.contribute(index, s, at).map_err(fail)?,
        }
        self.applied += 1;
        Ok(())
    }

    /// The motion as a count needs it now (with its body's members).
    pub fn motion(&self, terms: &MotionTerms) -> Motion {
        terms.motion(terms.body.and_then(|b| self.bodies.get(&b)))
    }

    /// Counts a motion from its ballots, the register and the assembly's proxies as
    /// they stand now.
    pub fn recount(&self, m: &MotionState) -> Count {
        let register: Vec<RegisterEntry> = self.register.values().cloned().collect();
        count(
            &self.motion(&m.terms),
            &m.ballots,
            &register,
            &self.proxies(&m.terms.assembly),
            &self.rules,
        )
    }
}
