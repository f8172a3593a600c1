//! Governance from the member's machine: joining the register with a key made here,
//! convening and filing (stewards), voting and proxies signed here, and `verify`, which
//! replays and recounts the whole governance log without trusting the server.

mod minutes;
mod verify;

pub use minutes::{discussion, minutes, LocalDiscussion, LocalMinutes};

pub use verify::{verified_study_approval, verify, GovReport, GovState};

use crate::member::MemberSession;
use crate::{json, ClientError};
use datacoop_api::b64::Base64Url;
use datacoop_api::paths;
use datacoop_crypto::SigningKey;
use datacoop_governance_core::proxy::prove_key;
use datacoop_governance_core::wire::{
    AssemblyList, AssemblyView, BodiesView, ConveneRequest, GovEntryPage, GovInfo, JoinRequest,
    LeavingRequest, MotionRequest, MotionView, NoticeEmailRequest, Recorded, RegisterList,
    RegisterRequest, RegisterView, Registered, ShareChangeRequest,
};
use datacoop_governance_core::{
    Assembly, Ballot, Choice, MotionTerms, Proxy, SignedBallot, SignedProxy,
};
use reqwest::Method;
use uuid::Uuid;

/// This machine's clock, unix microseconds.
pub(crate) fn now_micros() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros().min(u128::from(u64::MAX)) as u64)
        .unwrap_or(0)
}

impl MemberSession {
    /// The member's governance key for a register entry, derived from the vault key.
    pub fn governance_key(&self, member: &Uuid) -> Result<SigningKey, ClientError> {
        self.vault_key
            .governance_key(member)
            .map_err(|e| ClientError::crypto("deriving the governance key", e))
    }

    /// The rules, the governance log's key, and whether this account is a steward.
    pub async fn gov_info(&self) -> Result<GovInfo, ClientError> {
        json(self.client.request(Method::GET, paths::GOV).send().await).await
    }

    /// A steward enters a member in the register; the answer holds their invitation.
    pub async fn gov_register(&self, req: &RegisterRequest) -> Result<Registered, ClientError> {
        json(
            self.client
                .request(Method::POST, paths::GOV_REGISTER)
                .json(req)
                .send()
                .await,
        )
        .await
    }

    /// A steward issues a new invitation for a register entry.
    pub async fn gov_reinvite(&self, member: Uuid) -> Result<Registered, ClientError> {
        json(
            self.client
                .request(Method::POST, &paths::gov_invitation(member))
                .send()
                .await,
        )
        .await
    }

    /// The register (stewards).
    pub async fn gov_register_list(&self) -> Result<RegisterList, ClientError> {
        json(
            self.client
                .request(Method::GET, paths::GOV_REGISTER)
                .send()
                .await,
        )
        .await
    }

    /// The register as CSV (stewards).
    pub async fn gov_register_csv(&self) -> Result<String, ClientError> {
        let res = self
            .client
            .request(Method::GET, paths::GOV_REGISTER_CSV)
            .send()
            .await;
        crate::text(res).await
    }

    /// A steward records when a member's leaving takes effect (RFC 3339).
    pub async fn gov_leaving(
        &self,
        member: Uuid,
        leaves_at: &str,
    ) -> Result<RegisterView, ClientError> {
        self.gov_leaving_with(
            member,
            &LeavingRequest {
                leaves_at: Some(leaves_at.to_owned()),
                notice_given_at: None,
            },
        )
        .await
    }

    /// A steward records a leaving: at a date, or from the day the member gave notice
    /// (the server applies the statutes' notice period and the business year's end).
    pub async fn gov_leaving_with(
        &self,
        member: Uuid,
        req: &LeavingRequest,
    ) -> Result<RegisterView, ClientError> {
        json(
            self.client
                .request(Method::POST, &paths::gov_leaving(member))
                .json(req)
                .send()
                .await,
        )
        .await
    }

    /// A steward records that a member holds `shares` from `effective_at` (RFC 3339).
    pub async fn gov_shares(
        &self,
        member: Uuid,
        shares: u32,
        effective_at: &str,
    ) -> Result<RegisterView, ClientError> {
        json(
            self.client
                .request(Method::POST, &paths::gov_shares(member))
                .json(&ShareChangeRequest {
                    shares,
                    effective_at: effective_at.to_owned(),
                })
                .send()
                .await,
        )
        .await
    }

    /// Sets (or with `None` removes) the address this member's notices go to.
    pub async fn gov_set_email(&self, email: Option<&str>) -> Result<RegisterView, ClientError> {
        json(
            self.client
                .request(Method::PUT, paths::GOV_REGISTER_ME_EMAIL)
                .json(&NoticeEmailRequest {
                    email: email.map(str::to_owned),
                })
                .send()
                .await,
        )
        .await
    }

    /// This account's register entry.
    pub async fn gov_me(&self) -> Result<RegisterView, ClientError> {
        json(
            self.client
                .request(Method::GET, paths::GOV_REGISTER_ME)
                .send()
                .await,
        )
        .await
    }

    /// Links this account to the register entry of `invitation` and publishes the
    /// governance key derived here; the server never sees the private key.
    pub async fn gov_join(&self, invitation: &str) -> Result<RegisterView, ClientError> {
        let member = invitation
            .trim()
            .split_once('.')
            .and_then(|(id, _)| Uuid::parse_str(id).ok())
            .ok_or_else(|| {
                ClientError::Input(
                    "that is not an invitation (it looks like REGISTER-ID.SECRET): copy it \
                     again from the steward's message"
                        .into(),
                )
            })?;
        let key = self.governance_key(&member)?;
        let entry: RegisterView = json(
            self.client
                .request(Method::POST, paths::GOV_JOIN)
                .json(&JoinRequest {
                    invitation: invitation.trim().to_owned(),
                    key: Base64Url(key.verifying_key().as_bytes().to_vec()),
                    proof: Base64Url(prove_key(&member, &key)),
                })
                .send()
                .await,
        )
        .await?;
        if entry.governance_key.as_ref().map(|k| k.as_slice())
            != Some(key.verifying_key().as_bytes().as_slice())
        {
            return Err(ClientError::Decode(
                "the server answered with a key that is not the one this machine made".into(),
            ));
        }
        Ok(entry)
    }

    /// A steward convenes an assembly.
    pub async fn gov_convene(&self, req: &ConveneRequest) -> Result<Assembly, ClientError> {
        json(
            self.client
                .request(Method::POST, paths::GOV_ASSEMBLIES)
                .json(req)
                .send()
                .await,
        )
        .await
    }

    /// Assemblies, newest first.
    pub async fn gov_assemblies(&self) -> Result<AssemblyList, ClientError> {
        json(
            self.client
                .request(Method::GET, paths::GOV_ASSEMBLIES)
                .send()
                .await,
        )
        .await
    }

    /// One assembly with its agenda.
    pub async fn gov_assembly(&self, id: Uuid) -> Result<AssemblyView, ClientError> {
        json(
            self.client
                .request(Method::GET, &paths::gov_assembly(id))
                .send()
                .await,
        )
        .await
    }

    /// Files a motion on an assembly's agenda.
    pub async fn gov_propose(
        &self,
        assembly: Uuid,
        req: &MotionRequest,
    ) -> Result<MotionTerms, ClientError> {
        json(
            self.client
                .request(Method::POST, &paths::gov_motions(assembly))
                .json(req)
                .send()
                .await,
        )
        .await
    }

    /// One motion (its count once closed).
    pub async fn gov_motion(&self, id: Uuid) -> Result<MotionView, ClientError> {
        json(
            self.client
                .request(Method::GET, &paths::gov_motion(id))
                .send()
                .await,
        )
        .await
    }

    /// Signs and casts a ballot: this member's own, or, with `voter`, for the member
    /// who appointed them proxy. Stamped with the server's clock as the motion states
    /// it (the server refuses a ballot outside the voting period either way).
    pub async fn gov_vote(
        &self,
        motion: Uuid,
        choice: Choice,
        voter: Option<Uuid>,
    ) -> Result<(SignedBallot, Recorded), ClientError> {
        self.cast(motion, choice, Vec::new(), voter).await
    }

    /// Signs and casts an election ballot naming `candidates` (positions on the ballot,
    /// 0-based, as the motion lists them). The ballot signs the digest of the list it
    /// was shown: if the server showed another list than the one filed in the log, the
    /// ballot is refused rather than counted for someone else.
    pub async fn gov_elect(
        &self,
        motion: Uuid,
        candidates: Vec<u32>,
        voter: Option<Uuid>,
    ) -> Result<(SignedBallot, Recorded), ClientError> {
        self.cast(motion, Choice::Candidates, candidates, voter)
            .await
    }

    async fn cast(
        &self,
        motion: Uuid,
        choice: Choice,
        candidates: Vec<u32>,
        voter: Option<Uuid>,
    ) -> Result<(SignedBallot, Recorded), ClientError> {
        let me = self.gov_me().await?;
        let view = self.gov_motion(motion).await?;
        if view.terms.id != motion {
            return Err(ClientError::Decode(
                "the server answered with another motion".into(),
            ));
        }
        let election_sha256 = match (&view.terms.election, choice) {
            (Some(e), Choice::Candidates) => Some(Base64Url(e.sha256())),
            _ => None,
        };
        self.gov_cast(Ballot {
            motion,
            voter: voter.unwrap_or(me.member),
            cast_by: me.member,
            choice,
            candidates,
            election_sha256,
            cast_at_micros: view.server_time_micros,
        })
        .await
    }

    /// Signs a ballot as built by the caller with this member's governance key and
    /// casts it (`cast_by` must be this member's register id).
    pub async fn gov_cast(&self, ballot: Ballot) -> Result<(SignedBallot, Recorded), ClientError> {
        let key = self.governance_key(&ballot.cast_by)?;
        let ballot = ballot.sign(&key);
        let recorded = json(
            self.client
                .request(Method::POST, paths::GOV_BALLOTS)
                .json(&ballot)
                .send()
                .await,
        )
        .await?;
        Ok((ballot, recorded))
    }

    /// Signs and records a proxy for an assembly (`revoke` ends it).
    pub async fn gov_proxy(
        &self,
        assembly: Uuid,
        holder: Uuid,
        revoke: bool,
    ) -> Result<(SignedProxy, Recorded), ClientError> {
        let me = self.gov_me().await?;
        let key = self.governance_key(&me.member)?;
        let signed = Proxy {
            assembly,
            grantor: me.member,
            holder,
            revoke,
            at_micros: now_micros(),
        }
        .sign(&key);
        let recorded = json(
            self.client
                .request(Method::POST, paths::GOV_PROXIES)
                .json(&signed)
                .send()
                .await,
        )
        .await?;
        Ok((signed, recorded))
    }

    /// The cooperative's bodies and the powers delegated to them.
    pub async fn gov_bodies(&self) -> Result<BodiesView, ClientError> {
        json(
            self.client
                .request(Method::GET, paths::GOV_BODIES)
                .send()
                .await,
        )
        .await
    }

    /// One page of governance-log entries (unverified).
    pub async fn gov_entries(&self, from: u64, limit: u32) -> Result<GovEntryPage, ClientError> {
        json(
            self.client
                .request(Method::GET, paths::GOV_LOG_ENTRIES)
                .query(&[("from", from), ("limit", u64::from(limit))])
                .send()
                .await,
        )
        .await
    }
}
