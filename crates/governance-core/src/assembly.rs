//! Assemblies and the motions on their agenda, as convened and filed in the chain.

use crate::{Body, Count, Election, Majority, Motion, Power};
use datacoop_api::b64::Base64Url;
use datacoop_crypto::sign::context;
use datacoop_crypto::Canonical;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;
use uuid::Uuid;

/// How a general assembly meets (Cooperatives Act §43b).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// Members meet in one place.
    InPerson,
    /// Members follow, speak, ask, file motions and vote electronically.
    Virtual,
    /// Both at once.
    Hybrid,
    /// A discussion phase, then a voting phase, both electronic (§43b(1) no. 3).
    Stretched,
}

impl Form {
    /// Whether the minutes list the participating members and how each cast their vote
    /// (§47(2) for virtual, hybrid and stretched assemblies).
    pub fn lists_participants(self) -> bool {
        self != Form::InPerson
    }
}

/// A convened general assembly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Assembly {
    /// Its id.
    pub id: Uuid,
    /// What the notice calls it ("Ordinary general assembly 2027").
    pub title: String,
    /// How it meets.
    pub form: Form,
    /// The meeting begins (for a stretched assembly: its discussion phase), unix
    /// microseconds; at least the statutes' notice period after convening (§46(1)).
    pub starts_at_micros: u64,
    /// It ends (for a stretched assembly: its voting phase ends).
    pub ends_at_micros: u64,
    /// Where: an address, or for a virtual assembly the registered seat (§47(1)).
    pub place: String,
    /// How to take part electronically (§46(1)): the link, the dial-in, the CLI.
    pub how_to_take_part: String,
    /// Who convened it (the steward's register id, or their account id before they are
    /// in the register).
    pub convened_by: Uuid,
    /// A meeting of this body rather than a general assembly: only the body's members
    /// vote (one vote each, no proxies), and the §46 notice periods do not apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
}

/// A motion (a proposal put to the vote) on an assembly's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MotionTerms {
    /// Its id.
    pub id: Uuid,
    /// The assembly it is on.
    pub assembly: Uuid,
    /// A short title.
    pub title: String,
    /// The text of the resolution that is adopted if it carries.
    pub text: String,
    /// The majority it needs.
    pub majority: Majority,
    /// Share of eligible members who must take part, if the statutes set one.
    pub quorum_percent: Option<u8>,
    /// Voting opens (unix microseconds).
    pub opens_at_micros: u64,
    /// Voting closes; eligibility is decided at this moment.
    pub closes_at_micros: u64,
    /// Members who may not vote on it (§43(6)).
    pub recused: Vec<Uuid>,
    /// Who filed it (a register id, or a steward's account id).
    pub filed_by: Uuid,
    /// What the resolution does beyond being recorded, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// The body whose meeting this motion is on (the assembly's `body`); none for a
    /// general assembly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    /// An election: the candidates and the seats (ballots name candidates instead of
    /// yes or no).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election: Option<Election>,
}

/// A resolution that acts: when the motion carries, the server records what it decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// Approve a research study: its terms (by digest) and its public key. Once carried,
    /// the cooperative's governance key signs a [`StudyApproval`] and the log records it;
    /// members' clients share data with the study only under that signature.
    ApproveStudy {
        /// The study.
        study: Uuid,
        /// SHA-256 of the study's terms as submitted (title, summaries, DUO terms,
        /// categories, period, de-identification level).
        terms_sha256: Base64Url,
        /// The study's X25519 public key (32 bytes), made on the researcher's machine.
        study_key: Base64Url,
    },
    /// Close a research study before its end date: it recruits no one more and its
    /// researchers download nothing more.
    CloseStudy {
        /// The study.
        study: Uuid,
    },
    /// An election that gives a body its whole composition: the candidates elected.
    Elect {
        /// The body.
        body: Body,
    },
    /// The assembly delegates one of its powers to a body (e.g. study approval to the
    /// ethics committee), until a later resolution ends it.
    Delegate {
        /// The power.
        power: Power,
        /// The body that exercises it.
        to: Body,
    },
    /// The assembly takes a delegated power back.
    EndDelegation {
        /// The power.
        power: Power,
    },
}

/// What a closed motion does, as the server performs it and a replay checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing beyond the record.
    None,
    /// The body's members are now these.
    Compose(Body, BTreeSet<Uuid>),
    /// The power is now the body's.
    Delegate(Power, Body),
    /// The power is the assembly's again.
    EndDelegation(Power),
    /// The study is approved: the governance key signs this.
    ApproveStudy(StudyApproval),
    /// The study is closed by this resolution (study, motion).
    CloseStudy(Uuid, Uuid),
}

/// The cooperative's approval of a study, signed with the governance log's key over
/// `C("datacoop/v1/study-key-approval", study, terms_sha256, study_key, motion)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StudyApproval {
    /// The study.
    pub study: Uuid,
    /// SHA-256 of its terms.
    pub terms_sha256: Base64Url,
    /// Its X25519 public key.
    pub study_key: Base64Url,
    /// The motion whose resolution approved it.
    pub motion: Uuid,
}

impl StudyApproval {
    /// The canonical bytes that are signed.
    pub fn message(&self) -> Vec<u8> {
        Canonical::new(context::STUDY_KEY_APPROVAL)
            .uuid(&self.study)
            .bytes(&self.terms_sha256)
            .bytes(&self.study_key)
            .uuid(&self.motion)
            .finish()
    }

    /// Whether `signature` is the governance key's over this approval.
    pub fn verifies(&self, key: &datacoop_crypto::VerifyingKey, signature: &[u8]) -> bool {
        datacoop_crypto::Signature::from_bytes(signature)
            .map(|s| {
                datacoop_crypto::verify(key, context::STUDY_KEY_APPROVAL, &self.message(), &s)
                    .is_ok()
            })
            .unwrap_or(false)
    }
}

impl MotionTerms {
    /// The motion as a count needs it; for a body's meeting, `members` are the body's
    /// members (the only voters).
    pub fn motion(&self, members: Option<&BTreeSet<Uuid>>) -> Motion {
        Motion {
            id: self.id,
            majority: self.majority,
            quorum_percent: self.quorum_percent,
            opens_at_micros: self.opens_at_micros,
            closes_at_micros: self.closes_at_micros,
            recused: self.recused.clone(),
            body_members: self.body.map(|_| members.cloned().unwrap_or_default()),
            election: self.election.clone(),
        }
    }

    /// Whether this motion's meeting may decide on studies: the general assembly always,
    /// a body while the power to approve studies is delegated to it.
    fn may_decide_studies(&self, delegations: &BTreeMap<Power, Body>) -> bool {
        match self.body {
            None => true,
            Some(b) => delegations.get(&Power::ApproveStudies) == Some(&b),
        }
    }

    /// What the motion does now that it closed with `count`, given the delegations in
    /// force: a body's approval of a study acts only while the power is delegated to it.
    pub fn effect(&self, count: &Count, delegations: &BTreeMap<Power, Body>) -> Effect {
        if !count.carried {
            return Effect::None;
        }
        match &self.decision {
            None => Effect::None,
            Some(Decision::Elect { body }) => {
                Effect::Compose(*body, count.elected.iter().copied().collect())
            }
            Some(Decision::Delegate { power, to }) => Effect::Delegate(*power, *to),
            Some(Decision::EndDelegation { power }) => Effect::EndDelegation(*power),
            Some(Decision::CloseStudy { study }) => {
                if self.may_decide_studies(delegations) {
                    Effect::CloseStudy(*study, self.id)
                } else {
                    Effect::None
                }
            }
            Some(Decision::ApproveStudy {
                study,
                terms_sha256,
                study_key,
            }) => {
                if self.may_decide_studies(delegations) {
                    Effect::ApproveStudy(StudyApproval {
                        study: *study,
                        terms_sha256: terms_sha256.clone(),
                        study_key: study_key.clone(),
                        motion: self.id,
                    })
                } else {
                    Effect::None
                }
            }
        }
    }
}
