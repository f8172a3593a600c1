//! Governance: the register, assemblies, motions, ballots, proxies and results, each an
//! entry of the governance log. Stewards are named in the configuration.

use crate::{App, AppError, MemberCaller};
use datacoop_api::log::{ConsistencyProof, InclusionProofs, InclusionRequest, LogKey};
use datacoop_governance as gov;
use datacoop_governance_core::wire::{
    AssemblyList, AssemblyView, BodiesView, ConveneRequest, DemandList, GovEntryPage,
    GovEntryQuery, GovInfo, JoinRequest, LeavingRequest, MinutesQuery, MinutesView, MotionRequest,
    MotionView, NoticeEmailRequest, Recorded, RegisterList, RegisterRequest, RegisterView,
    Registered, ShareChangeRequest, StudyApprovalView,
};
use datacoop_governance_core::{
    Assembly, Count, DemandFiling, DemandState, MinutesSignature, MotionTerms, Rules,
    SignedAttendance, SignedBallot, SignedContribution, SignedObjection, SignedProxy,
    SignedSupport,
};
use uuid::Uuid;

/// The operator's governance choices.
#[derive(Debug, Clone)]
pub struct GovernanceSettings {
    /// The statute rules.
    pub rules: Rules,
    /// Stewards' account emails (normalised).
    pub stewards: Vec<String>,
    /// Days an invitation stays valid.
    pub invitation_days: u32,
    /// The registered seat (the place of a virtual assembly).
    pub seat: String,
    /// The nominal value of one share ("100.00 EUR"), if set.
    pub share_value: Option<String>,
    /// How long before a vote closes members are reminded, microseconds.
    pub closing_soon_micros: u64,
    /// How long sent (or given up) notices stay in the outbox, microseconds.
    pub notices_kept_micros: u64,
    /// How long a former member's personal data stays in the register after their
    /// leaving took effect, microseconds.
    pub register_retention_micros: u64,
}

impl App {
    pub(crate) fn gov(&self) -> gov::Context {
        let s = &self.settings.governance;
        gov::Context {
            rules: s.rules.clone(),
            stewards: s.stewards.clone(),
            now: self.clock.now_micros(),
            invitation_days: s.invitation_days,
            seat: s.seat.clone(),
            share_value: s.share_value.clone(),
        }
    }

    /// The rules, the log's key, and whether the caller is a steward.
    pub async fn governance_info(&self, caller: &MemberCaller) -> Result<GovInfo, AppError> {
        let id = caller.id.uuid();
        let ctx = self.gov();
        let steward = self.db.read(move |c| gov::is_steward(c, id, &ctx)).await?;
        Ok(GovInfo {
            rules: self.settings.governance.rules.clone(),
            origin: self.governance_log.origin().to_owned(),
            verifier_key: self.governance_log.verifier_key().to_owned(),
            steward,
        })
    }

    /// The governance log's origin and verifier key.
    pub fn governance_log_key(&self) -> LogKey {
        LogKey {
            origin: self.governance_log.origin().to_owned(),
            verifier_key: self.governance_log.verifier_key().to_owned(),
        }
    }

    /// A steward enters a member in the register (answer: the invitation).
    pub async fn register_member(
        &self,
        caller: &MemberCaller,
        req: RegisterRequest,
    ) -> Result<Registered, AppError> {
        Ok(gov::register(&self.db, caller.id.uuid(), req, self.gov()).await?)
    }

    /// A steward issues a new invitation for a register entry.
    pub async fn reinvite_member(
        &self,
        caller: &MemberCaller,
        member: Uuid,
    ) -> Result<Registered, AppError> {
        Ok(gov::reinvite(&self.db, caller.id.uuid(), member, self.gov()).await?)
    }

    /// The register, for stewards.
    pub async fn member_register(&self, caller: &MemberCaller) -> Result<RegisterList, AppError> {
        Ok(gov::list_register(&self.db, caller.id.uuid(), self.gov()).await?)
    }

    /// A steward records a member's leaving date.
    pub async fn record_leaving(
        &self,
        caller: &MemberCaller,
        member: Uuid,
        req: LeavingRequest,
    ) -> Result<RegisterView, AppError> {
        let ctx = self.gov();
        let at = match (&req.leaves_at, &req.notice_given_at) {
            (Some(t), None) => datacoop_store::time::parse_micros(t, "leaves_at")?.max(0) as u64,
            (None, Some(t)) => {
                let notice = datacoop_store::time::parse_micros(t, "notice_given_at")?.max(0);
                datacoop_governance_core::leaving_takes_effect(
                    notice as u64,
                    ctx.rules.leaving_notice_months,
                )
                .ok_or_else(|| gov::GovError::Invalid("notice_given_at is out of range".into()))?
            }
            _ => {
                return Err(gov::GovError::Invalid(
                    "give either leaves_at (when the leaving takes effect) or notice_given_at \
                     (when the member gave notice; the leaving then takes effect at the end of \
                     the business year after the notice period)"
                        .into(),
                )
                .into())
            }
        };
        Ok(gov::record_leaving(&self.db, caller.id.uuid(), member, at, ctx).await?)
    }

    /// A member sets or removes the address their notices go to.
    pub async fn set_notice_email(
        &self,
        caller: &MemberCaller,
        req: NoticeEmailRequest,
    ) -> Result<RegisterView, AppError> {
        Ok(gov::set_notice_email(
            &self.db,
            caller.id.uuid(),
            req.email,
            self.clock.now_micros(),
        )
        .await?)
    }

    /// A steward records a change of a member's shares with its effective date.
    pub async fn change_shares(
        &self,
        caller: &MemberCaller,
        member: Uuid,
        req: ShareChangeRequest,
    ) -> Result<RegisterView, AppError> {
        Ok(gov::change_shares(&self.db, caller.id.uuid(), member, req, self.gov()).await?)
    }

    /// Removes the personal data of members who left longer ago than the retention
    /// period; returns how many entries.
    pub async fn remove_expired_register_data(&self) -> Result<usize, AppError> {
        Ok(gov::remove_expired_personal_data(
            &self.db,
            self.gov(),
            self.settings.governance.register_retention_micros,
        )
        .await?)
    }

    /// The caller's own register entry.
    pub async fn my_register_entry(&self, caller: &MemberCaller) -> Result<RegisterView, AppError> {
        Ok(gov::my_entry(&self.db, caller.id.uuid(), self.clock.now_micros()).await?)
    }

    /// Links the caller's account to their register entry and publishes their key.
    pub async fn join_register(
        &self,
        caller: &MemberCaller,
        req: JoinRequest,
    ) -> Result<RegisterView, AppError> {
        Ok(gov::join(&self.db, caller.id.uuid(), req, self.gov()).await?)
    }

    /// A steward convenes an assembly.
    pub async fn convene_assembly(
        &self,
        caller: &MemberCaller,
        req: ConveneRequest,
    ) -> Result<Assembly, AppError> {
        Ok(gov::convene(&self.db, caller.id.uuid(), req, self.gov()).await?)
    }

    /// Assemblies, newest first.
    pub async fn assemblies(&self) -> Result<AssemblyList, AppError> {
        Ok(gov::assemblies(&self.db).await?)
    }

    /// One assembly with its agenda.
    pub async fn assembly(&self, id: Uuid) -> Result<AssemblyView, AppError> {
        Ok(gov::assembly(&self.db, id, self.clock.now_micros()).await?)
    }

    /// Files a motion on an assembly's agenda.
    pub async fn file_motion(
        &self,
        caller: &MemberCaller,
        assembly: Uuid,
        req: MotionRequest,
    ) -> Result<MotionTerms, AppError> {
        Ok(gov::file_motion(&self.db, caller.id.uuid(), assembly, req, self.gov()).await?)
    }

    /// One motion (its count once closed).
    pub async fn motion(&self, id: Uuid) -> Result<MotionView, AppError> {
        Ok(gov::motion(&self.db, id, self.clock.now_micros()).await?)
    }

    /// Accepts a signed ballot.
    pub async fn cast_ballot(
        &self,
        caller: &MemberCaller,
        ballot: SignedBallot,
    ) -> Result<Recorded, AppError> {
        Ok(gov::cast_ballot(&self.db, caller.id.uuid(), ballot, self.gov()).await?)
    }

    /// Records a signed proxy or its revocation.
    pub async fn record_proxy(
        &self,
        caller: &MemberCaller,
        proxy: SignedProxy,
    ) -> Result<Recorded, AppError> {
        Ok(gov::record_proxy(&self.db, caller.id.uuid(), proxy, self.gov()).await?)
    }

    /// Closes every vote that is due (the scheduler calls this; safe to repeat).
    pub async fn close_due_votes(&self) -> Result<Vec<(Uuid, Count)>, AppError> {
        Ok(gov::close_due(&self.db, self.gov(), self.governance_log.clone()).await?)
    }

    /// The signed approval of a study by a resolution.
    pub async fn study_approval(&self, study: Uuid) -> Result<StudyApprovalView, AppError> {
        Ok(gov::study_approval(&self.db, study).await?)
    }

    /// A page of governance-log entries.
    pub async fn governance_entries(&self, q: GovEntryQuery) -> Result<GovEntryPage, AppError> {
        Ok(gov::entries(&self.db, q.from.unwrap_or(0), q.limit.unwrap_or(1000)).await?)
    }

    /// The governance log's latest signed checkpoint.
    pub async fn governance_checkpoint(&self) -> Result<String, AppError> {
        Ok(gov::checkpoint(&self.db, self.governance_log.clone()).await?)
    }

    /// Inclusion proofs in the governance log.
    pub async fn governance_inclusion(
        &self,
        req: InclusionRequest,
    ) -> Result<InclusionProofs, AppError> {
        Ok(gov::inclusion_proofs(&self.db, req.tree_size, req.indexes).await?)
    }

    /// A consistency proof of the governance log.
    pub async fn governance_consistency(
        &self,
        from: u64,
        to: u64,
    ) -> Result<ConsistencyProof, AppError> {
        Ok(gov::consistency_proof(&self.db, from, to).await?)
    }

    fn gov_key(&self) -> Result<datacoop_crypto::VerifyingKey, AppError> {
        datacoop_crypto::VerifyingKey::from_bytes(self.governance_log.public_key())
            .map_err(|_| AppError::Invalid("the governance log key is not an Ed25519 key".into()))
    }

    /// An assembly's minutes, computed from the chain.
    pub async fn minutes(&self, assembly: Uuid, q: MinutesQuery) -> Result<MinutesView, AppError> {
        Ok(gov::minutes(
            &self.db,
            assembly,
            q.chair,
            q.board,
            self.gov(),
            self.gov_key()?,
        )
        .await?)
    }

    /// The chair or the board member signs an assembly's minutes.
    pub async fn sign_minutes(
        &self,
        caller: &MemberCaller,
        sig: MinutesSignature,
    ) -> Result<Recorded, AppError> {
        Ok(gov::sign_minutes(&self.db, caller.id.uuid(), sig, self.gov(), self.gov_key()?).await?)
    }

    /// A member records an objection.
    pub async fn object(
        &self,
        caller: &MemberCaller,
        o: SignedObjection,
    ) -> Result<Recorded, AppError> {
        Ok(gov::object(&self.db, caller.id.uuid(), o, self.gov(), self.gov_key()?).await?)
    }

    /// A member signs their attendance at an assembly that is running.
    pub async fn attend(
        &self,
        caller: &MemberCaller,
        s: SignedAttendance,
    ) -> Result<Recorded, AppError> {
        Ok(gov::attend(&self.db, caller.id.uuid(), s, self.gov(), self.gov_key()?).await?)
    }

    /// A member's signed question, statement or answer in an assembly's discussion.
    pub async fn contribute(
        &self,
        caller: &MemberCaller,
        s: SignedContribution,
    ) -> Result<Recorded, AppError> {
        Ok(gov::contribute(&self.db, caller.id.uuid(), s, self.gov(), self.gov_key()?).await?)
    }

    /// A member files a minority demand (§45), signed as its first supporter.
    pub async fn file_demand(
        &self,
        caller: &MemberCaller,
        f: DemandFiling,
    ) -> Result<DemandState, AppError> {
        Ok(gov::file_demand(&self.db, caller.id.uuid(), f, self.gov(), self.gov_key()?).await?)
    }

    /// A member supports a minority demand.
    pub async fn support_demand(
        &self,
        caller: &MemberCaller,
        s: SignedSupport,
    ) -> Result<DemandState, AppError> {
        Ok(gov::support_demand(&self.db, caller.id.uuid(), s, self.gov(), self.gov_key()?).await?)
    }

    /// Every minority demand, newest first.
    pub async fn demands(&self) -> Result<DemandList, AppError> {
        Ok(DemandList {
            items: gov::demands(&self.db, self.gov(), self.gov_key()?).await?,
        })
    }

    /// The cooperative's bodies with their members, and the powers delegated to them.
    pub async fn bodies(&self) -> Result<BodiesView, AppError> {
        Ok(gov::bodies(&self.db, self.gov()).await?)
    }

    /// The application's clock.
    pub fn clock(&self) -> &crate::Clock {
        &self.clock
    }
}
