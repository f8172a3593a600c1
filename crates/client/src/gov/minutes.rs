//! Minutes and objections from the member's machine. The minutes are computed here from
//! the verified chain, never taken from the server: the chair and the board member sign
//! what their own replay gives.

use super::verify::{verify, GovState};
use crate::member::MemberSession;
use crate::{json, ClientError};
use datacoop_api::b64::Base64Url;
use datacoop_api::paths;
use datacoop_governance_core::minutes::minutes_message;
use datacoop_governance_core::wire::{DemandList, Recorded};
use datacoop_governance_core::{
    Contribution, ContributionKind, DemandFiling, DemandState, DemandTerms, Minutes, MinutesRecord,
    MinutesRole, MinutesSignature, Objection, SignedObjection, Spoken, Support,
};
use reqwest::Method;
use uuid::Uuid;

/// Minutes as computed here, with their signatures and objections from the chain.
#[derive(Debug, Clone)]
pub struct LocalMinutes {
    /// The minutes.
    pub minutes: Minutes,
    /// As Markdown, objections attached.
    pub markdown: String,
    /// What the chain holds of their signatures.
    pub signed: Option<MinutesRecord>,
    /// Objections recorded.
    pub objections: Vec<Objection>,
}

/// Verifies the chain, then computes an assembly's minutes naming `chair` and `board`
/// (default: as signed in the chain).
pub async fn minutes(
    session: &MemberSession,
    state: GovState,
    assembly: Uuid,
    chair: Option<Uuid>,
    board: Option<Uuid>,
) -> Result<LocalMinutes, ClientError> {
    let report = verify(session, state).await?;
    if !report.ok() {
        return Err(ClientError::Decode(format!(
            "the governance log does not verify, so no minutes are derived from it: {}",
            report.problems.join("; ")
        )));
    }
    let chain = report.chain;
    let signed = chain.minutes.get(&assembly).cloned();
    let (Some(chair), Some(board)) = (
        chair.or(signed.as_ref().map(|s| s.chair)),
        board.or(signed.as_ref().map(|s| s.board_member)),
    ) else {
        return Err(ClientError::Input(
            "name the chair and the board member who sign (--chair MEMBER --board MEMBER)".into(),
        ));
    };
    let minutes = chain
        .minutes(&assembly, chair, board)
        .map_err(ClientError::Input)?;
    let objections = chain.objections.get(&assembly).cloned().unwrap_or_default();
    let signed = signed.filter(|s| s.sha256 == minutes.sha256());
    Ok(LocalMinutes {
        markdown: chain.minutes_markdown(&minutes),
        minutes,
        signed,
        objections,
    })
}

/// An assembly's discussion as the verified chain holds it.
#[derive(Debug, Clone)]
pub struct LocalDiscussion {
    /// Questions, statements and answers, in order.
    pub items: Vec<Spoken>,
    /// As Markdown, with member numbers.
    pub markdown: String,
}

/// An assembly's discussion, read here from the verified governance log (a server
/// cannot leave a contribution out without the log failing to verify).
pub async fn discussion(
    session: &MemberSession,
    state: GovState,
    assembly: Uuid,
) -> Result<LocalDiscussion, ClientError> {
    let report = verify(session, state).await?;
    if !report.ok() {
        return Err(ClientError::Decode(format!(
            "the governance log does not verify: {}",
            report.problems.join("; ")
        )));
    }
    let chain = report.chain;
    if !chain.assemblies.contains_key(&assembly) {
        return Err(ClientError::Input(format!(
            "no assembly {assembly} in the governance log"
        )));
    }
    let items = chain.discussion.get(&assembly).cloned().unwrap_or_default();
    Ok(LocalDiscussion {
        markdown: datacoop_governance_core::discussion::discussion_markdown(
            &items,
            chain.numbers(),
        ),
        items,
    })
}

impl MemberSession {
    /// Signs an assembly's minutes as chair or board member: computed here from the
    /// verified chain, signed with this member's governance key.
    pub async fn gov_sign_minutes(
        &self,
        state: GovState,
        assembly: Uuid,
        chair: Uuid,
        board: Uuid,
        role: MinutesRole,
    ) -> Result<Recorded, ClientError> {
        let local = minutes(self, state, assembly, Some(chair), Some(board)).await?;
        let me = self.gov_me().await?;
        let key = self.governance_key(&me.member)?;
        let sha = local.minutes.sha256();
        let signature = datacoop_crypto::sign(
            &key,
            datacoop_governance_core::minutes::MINUTES_CONTEXT,
            &minutes_message(&assembly, &sha),
        );
        json(
            self.client
                .request(Method::POST, &paths::gov_minutes_signatures(assembly))
                .json(&MinutesSignature {
                    assembly,
                    chair,
                    board_member: board,
                    minutes_sha256: Base64Url(sha),
                    role,
                    signature: Base64Url(signature.to_bytes().to_vec()),
                })
                .send()
                .await,
        )
        .await
    }

    /// Records a signed objection to a resolution (`motion`) or to the minutes.
    pub async fn gov_object(
        &self,
        assembly: Uuid,
        motion: Option<Uuid>,
        text: &str,
    ) -> Result<Recorded, ClientError> {
        let me = self.gov_me().await?;
        let key = self.governance_key(&me.member)?;
        let signed: SignedObjection = Objection {
            assembly,
            motion,
            member: me.member,
            text: text.trim().to_owned(),
            at_micros: super::now_micros(),
        }
        .sign(&key);
        json(
            self.client
                .request(Method::POST, &paths::gov_objections(assembly))
                .json(&signed)
                .send()
                .await,
        )
        .await
    }

    /// Signs that the member takes part in an assembly that is running (a virtual,
    /// hybrid or stretched one, followed electronically).
    pub async fn gov_attend(&self, assembly: Uuid) -> Result<Recorded, ClientError> {
        let me = self.gov_me().await?;
        let key = self.governance_key(&me.member)?;
        let signed = datacoop_governance_core::Attendance {
            assembly,
            member: me.member,
            at_micros: super::now_micros(),
        }
        .sign(&key);
        json(
            self.client
                .request(Method::POST, &paths::gov_attendance(assembly))
                .json(&signed)
                .send()
                .await,
        )
        .await
    }

    /// Signs and sends a question, statement or answer (`reply_to`: the log index of the
    /// contribution answered) in an assembly's discussion.
    pub async fn gov_contribute(
        &self,
        assembly: Uuid,
        motion: Option<Uuid>,
        kind: ContributionKind,
        reply_to: Option<u64>,
        text: &str,
    ) -> Result<Recorded, ClientError> {
        let me = self.gov_me().await?;
        let key = self.governance_key(&me.member)?;
        let signed = Contribution {
            assembly,
            motion,
            member: me.member,
            kind,
            reply_to,
            text: text.trim().to_owned(),
            at_micros: super::now_micros(),
        }
        .sign(&key);
        json(
            self.client
                .request(Method::POST, &paths::gov_discussion(assembly))
                .json(&signed)
                .send()
                .await,
        )
        .await
    }

    /// Files a minority demand (§45): that an assembly be convened (`assembly` none) or
    /// an item be put on one's agenda, signed here as its first supporter.
    pub async fn gov_demand_file(
        &self,
        assembly: Option<Uuid>,
        title: &str,
        reasons: &str,
    ) -> Result<DemandState, ClientError> {
        let me = self.gov_me().await?;
        let key = self.governance_key(&me.member)?;
        let terms = DemandTerms {
            id: Uuid::now_v7(),
            assembly,
            title: title.trim().to_owned(),
            reasons: reasons.trim().to_owned(),
        };
        let support = Support {
            demand: terms.id,
            terms_sha256: Base64Url(terms.sha256()),
            member: me.member,
            at_micros: super::now_micros(),
        }
        .sign(&key);
        json(
            self.client
                .request(Method::POST, paths::GOV_DEMANDS)
                .json(&DemandFiling { terms, support })
                .send()
                .await,
        )
        .await
    }

    /// Minority demands, newest first.
    pub async fn gov_demands(&self) -> Result<DemandList, ClientError> {
        json(
            self.client
                .request(Method::GET, paths::GOV_DEMANDS)
                .send()
                .await,
        )
        .await
    }

    /// Supports a minority demand: the terms are fetched, shown by the caller, and
    /// signed here as they are (their digest is what the signature covers).
    pub async fn gov_demand_support(&self, demand: Uuid) -> Result<DemandState, ClientError> {
        let me = self.gov_me().await?;
        let key = self.governance_key(&me.member)?;
        let list = self.gov_demands().await?;
        let d = list
            .items
            .iter()
            .find(|d| d.terms.id == demand)
            .ok_or_else(|| {
                ClientError::Input(format!(
                    "no demand {demand}: see `datacoop gov demand list`"
                ))
            })?;
        let support = Support {
            demand,
            terms_sha256: Base64Url(d.terms.sha256()),
            member: me.member,
            at_micros: super::now_micros(),
        }
        .sign(&key);
        json(
            self.client
                .request(Method::POST, &paths::gov_demand_support(demand))
                .json(&support)
                .send()
                .await,
        )
        .await
    }
}
