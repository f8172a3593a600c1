//! The research side, client first: a researcher's account (the same key machinery as
//! a member's: passphrase never sent, keys made here), their studies (terms written
//! and the study's key pair made on this machine, the private half sealed under the
//! researcher's vault key), and what members and stewards read of them. A member's
//! client never takes the server's word for a study: it hashes the terms it received,
//! and for a study that recruits it checks the resolution's signed approval of exactly
//! those terms and that key in the governance log.

use crate::member::{account_request, login_with, KdfPolicy, MemberSession, Registration};
use crate::{json, Client, ClientError};
use datacoop_api::accounts::Registered;
use datacoop_api::paths;
use datacoop_consent_core::wire::{
    ResearcherList, ResearcherQuery, ResearcherRegisterRequest, ResearcherView, StudyCreateRequest,
    StudyList, StudyQuery, StudyState, StudyView,
};
use datacoop_consent_core::StudyTerms;
use datacoop_crypto::{HpkePublicKey, StudyKeys};
use datacoop_governance_core::StudyApproval;
use reqwest::Method;
use uuid::Uuid;

/// A logged-in researcher: a session whose token carries the researcher's role.
#[derive(Debug, Clone)]
pub struct ResearcherSession {
    /// The session (tokens and the opened vault key).
    pub session: MemberSession,
}

/// Opens a researcher's account: keys made and sealed here, as for a member.
pub async fn register(
    client: &Client,
    email: &str,
    passphrase: &str,
    name: &str,
    affiliation: &str,
) -> Result<Registration, ClientError> {
    let (account, recovery) = account_request(email, passphrase)?;
    let body = ResearcherRegisterRequest {
        account,
        name: name.to_owned(),
        affiliation: affiliation.to_owned(),
    };
    let r: Registered = json(
        client
            .request(Method::POST, paths::RESEARCHERS)
            .json(&body)
            .send()
            .await,
    )
    .await?;
    Ok(Registration {
        member_id: r.member_id,
        recovery_code: recovery.to_code().to_string(),
    })
}

/// Logs a researcher in (as a member logs in) and checks the account is a researcher's.
pub async fn login(
    client: &Client,
    email: &str,
    passphrase: &str,
    label: Option<String>,
    policy: &KdfPolicy,
) -> Result<(ResearcherSession, ResearcherView), ClientError> {
    let session = login_with(client, email, passphrase, label, policy).await?;
    let s = ResearcherSession { session };
    match s.me().await {
        Ok(me) => Ok((s, me)),
        Err(ClientError::Api(p)) if p.status == 403 => {
            let _ = s.session.logout().await;
            Err(ClientError::Input(format!(
                "{email} is a member's account, not a researcher's: log in with `datacoop \
                 member login`, or register as a researcher with `datacoop researcher register`"
            )))
        }
        Err(e) => Err(e),
    }
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

/// Checks that a study as served is self-consistent: the digest is of the bytes sent,
/// the bytes parse as terms, the key is a key. Returns the terms.
pub fn check_study(view: &StudyView) -> Result<StudyTerms, ClientError> {
    let bad = |why: &str| ClientError::Decode(format!("study {}: {why}", view.id));
    if sha256(&view.terms) != view.terms_sha256.0 {
        return Err(bad(
            "the server's digest of its terms is not of the terms it sent",
        ));
    }
    HpkePublicKey::from_bytes(&view.study_key).map_err(|_| bad("its key is not a key"))?;
    StudyTerms::from_bytes(&view.terms).map_err(|e| bad(&e))
}

impl ResearcherSession {
    fn client(&self) -> &Client {
        &self.session.client
    }

    /// The researcher's profile and verification.
    pub async fn me(&self) -> Result<ResearcherView, ClientError> {
        json(
            self.client()
                .request(Method::GET, paths::RESEARCHER_ME)
                .send()
                .await,
        )
        .await
    }

    /// Makes a study's draft: checks the terms, makes the study's key pair here, seals
    /// the private half under the vault key, and sends the terms' exact bytes.
    pub async fn create_study(&self, terms: &StudyTerms) -> Result<StudyView, ClientError> {
        terms.check().map_err(ClientError::Input)?;
        let id = Uuid::now_v7();
        let keys = StudyKeys::generate().map_err(|e| ClientError::crypto("the study key", e))?;
        let sealed = keys
            .seal(&self.session.vault_key, &self.session.member_id, &id)
            .map_err(|e| ClientError::crypto("sealing the study key", e))?;
        let body = StudyCreateRequest {
            id,
            terms: terms.to_bytes().into(),
            study_key: keys.public_key().as_bytes().to_vec().into(),
            sealed_study_key: sealed.into(),
        };
        let view: StudyView = json(
            self.client()
                .request(Method::POST, paths::STUDIES)
                .json(&body)
                .send()
                .await,
        )
        .await?;
        if view.terms.0 != body.terms.0 || view.study_key.0 != body.study_key.0 {
            return Err(ClientError::Decode(format!(
                "the server stored study {id} with other terms or another key than sent"
            )));
        }
        Ok(view)
    }

    /// Submits a draft for the cooperative's decision.
    pub async fn submit_study(&self, id: Uuid) -> Result<StudyView, ClientError> {
        let view: StudyView = json(
            self.client()
                .request(Method::POST, &paths::study_submission(id))
                .send()
                .await,
        )
        .await?;
        check_study(&view)?;
        Ok(view)
    }

    /// Closes the researcher's study.
    pub async fn close_study(&self, id: Uuid) -> Result<StudyView, ClientError> {
        json(
            self.client()
                .request(Method::POST, &paths::study_closure(id))
                .send()
                .await,
        )
        .await
    }

    /// One study (the terms checked against their digest).
    pub async fn study(&self, id: Uuid) -> Result<(StudyView, StudyTerms), ClientError> {
        let view = get_study(self.client(), id).await?;
        let terms = check_study(&view)?;
        Ok((view, terms))
    }

    /// A page of studies.
    pub async fn studies(&self, q: &StudyQuery) -> Result<StudyList, ClientError> {
        list_studies(self.client(), q).await
    }

    /// Opens the study's private key (the researcher's own study only).
    pub fn study_keys(&self, view: &StudyView) -> Result<StudyKeys, ClientError> {
        let sealed = view.sealed_study_key.as_ref().ok_or_else(|| {
            ClientError::Input(format!("study {} is another researcher's", view.id))
        })?;
        let public = HpkePublicKey::from_bytes(&view.study_key)
            .map_err(|e| ClientError::crypto("the study's public key", e))?;
        StudyKeys::open(
            sealed,
            &self.session.vault_key,
            &self.session.member_id,
            &view.id,
            &public,
        )
        .map_err(|e| {
            ClientError::crypto(
                "the server's sealed study key does not open with your vault key (tampering?)",
                e,
            )
        })
    }
}

async fn get_study(client: &Client, id: Uuid) -> Result<StudyView, ClientError> {
    json(client.request(Method::GET, &paths::study(id)).send().await).await
}

async fn list_studies(client: &Client, q: &StudyQuery) -> Result<StudyList, ClientError> {
    json(
        client
            .request(Method::GET, paths::STUDIES)
            .query(q)
            .send()
            .await,
    )
    .await
}

/// A study as a member's client accepts it: terms checked against their digest, and
/// for a recruiting study the approval checked against the pinned governance key and
/// the governance log.
#[derive(Debug, Clone)]
pub struct CheckedStudy {
    /// The study as served.
    pub view: StudyView,
    /// Its terms, parsed from the bytes whose digest was checked.
    pub terms: StudyTerms,
    /// The verified approval (for a recruiting study).
    pub approval: Option<StudyApproval>,
}

impl MemberSession {
    /// Researchers, for stewards.
    pub async fn researchers(&self, q: &ResearcherQuery) -> Result<ResearcherList, ClientError> {
        json(
            self.client
                .request(Method::GET, paths::RESEARCHERS)
                .query(q)
                .send()
                .await,
        )
        .await
    }

    /// A steward verifies a researcher.
    pub async fn verify_researcher(&self, id: Uuid) -> Result<ResearcherView, ClientError> {
        json(
            self.client
                .request(Method::POST, &paths::researcher_verification(id))
                .send()
                .await,
        )
        .await
    }

    /// A page of studies.
    pub async fn studies(&self, q: &StudyQuery) -> Result<StudyList, ClientError> {
        list_studies(&self.client, q).await
    }

    /// One study, its terms checked against their digest (not yet its approval: see
    /// [`MemberSession::checked_study`]).
    pub async fn study(&self, id: Uuid) -> Result<(StudyView, StudyTerms), ClientError> {
        let view = get_study(&self.client, id).await?;
        let terms = check_study(&view)?;
        Ok((view, terms))
    }

    /// One study, checked: the terms against their digest and, if the server says it
    /// recruits, its approval against `verifier_key` (the pinned governance log key):
    /// signed by it, in the signed log, and of exactly these terms and this key.
    pub async fn checked_study(
        &self,
        id: Uuid,
        verifier_key: &str,
    ) -> Result<CheckedStudy, ClientError> {
        let (view, terms) = self.study(id).await?;
        let approval = if view.state == StudyState::Recruiting {
            let a = crate::gov::verified_study_approval(self, id, verifier_key).await?;
            if a.terms_sha256 != view.terms_sha256 || a.study_key != view.study_key {
                return Err(ClientError::Decode(format!(
                    "study {id}: the cooperative approved other terms or another key than \
                     the server shows; do not consent"
                )));
            }
            Some(a)
        } else {
            None
        };
        Ok(CheckedStudy {
            view,
            terms,
            approval,
        })
    }
}
