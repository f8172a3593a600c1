//! A member's consent, made on the member's machine: the study and its approval are
//! checked first; the receipt is signed with the member's key; one share key per
//! consent is sealed to the study's key; every covered record is opened here,
//! de-identified as the terms say, encrypted under a fresh data key and that key
//! wrapped under the share key; only then does the consent take effect, and the
//! server's countersignature is checked against the access log's key.

use crate::member::MemberSession;
use crate::{json, ClientError};
use datacoop_api::b64::Base64Url;
use datacoop_api::paths;
use datacoop_api::records::RecordQuery;
use datacoop_consent_core::deid::{deidentify, deidentify_date, shift_days};
use datacoop_consent_core::wire::{
    ConsentList, ConsentQuery, ConsentRequest, ConsentState, ConsentView, CopiesStored,
    StudyCopies, StudyCopyUpload,
};
use datacoop_consent_core::{ConsentReceipt, DateLevel, StudyTerms};
use datacoop_crypto::sign::context::CONSENT_RECEIPT;
use datacoop_crypto::{Author, HpkePublicKey, RecordBinding, RecordKey, ShareKey};
use futures_util::{StreamExt, TryStreamExt};
use reqwest::Method;
use uuid::Uuid;

/// Copies sent per request.
const UPLOAD_BATCH: usize = 500;
/// Records fetched per request (each read logged).
const READ_BATCH: usize = 125;
/// Requests in flight.
const OPEN_CONCURRENCY: usize = 4;

/// The binding of a study copy's content: the study knows the participant only by
/// the pseudonym, and the copy by its own id; category and type are authenticated.
pub fn copy_binding(
    pseudonym: Uuid,
    copy: Uuid,
    content_type: &str,
    category: &str,
    type_code: &str,
) -> RecordBinding {
    RecordBinding {
        member_id: pseudonym,
        record_id: copy,
        version: 1,
        content_type: content_type.to_owned(),
        category: category.to_owned(),
        type_code: type_code.to_owned(),
        effective_at: None,
        author: Author::Member,
    }
}

fn now_micros() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// The access log's key as a signature key, from its note verifier key.
fn log_signing_key(verifier_key: &str) -> Option<datacoop_crypto::VerifyingKey> {
    let k = datacoop_merkle::VerifierKey::parse(verifier_key).ok()?;
    datacoop_crypto::VerifyingKey::from_bytes(k.public_key()).ok()
}

/// Checks the server's countersignature of an active consent's receipt.
pub fn check_countersignature(
    view: &ConsentView,
    log_verifier_key: &str,
) -> Result<(), ClientError> {
    let key = log_signing_key(log_verifier_key)
        .ok_or_else(|| ClientError::Decode("the access log key does not parse".into()))?;
    let ok = view.server_signature.as_ref().is_some_and(|s| {
        view.receipt
            .countersignature_verifies(&view.member_signature, &key, s)
    });
    if ok {
        Ok(())
    } else {
        Err(ClientError::Decode(format!(
            "consent {}: the server's countersignature of your receipt does not verify under \
             the access log's key",
            view.id
        )))
    }
}

impl MemberSession {
    /// Consents to a recruiting study for `categories` (all it asks for if `None`): see
    /// the module's description. `progress(done, total)` is called as copies are
    /// uploaded. Returns the consent in effect, its countersignature checked.
    pub async fn grant_consent(
        &self,
        study: Uuid,
        governance_key: &str,
        log_key: &str,
        categories: Option<Vec<String>>,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<ConsentView, ClientError> {
        let checked = self.checked_study(study, governance_key).await?;
        if checked.approval.is_none() {
            return Err(ClientError::Input(format!(
                "study {study} is not recruiting ({}): it takes no consents",
                checked.view.state.as_str()
            )));
        }
        let terms = checked.terms;
        let categories = match categories {
            None => terms.categories.clone(),
            Some(c) => {
                if let Some(bad) = c.iter().find(|x| !terms.categories.contains(x)) {
                    return Err(ClientError::Input(format!(
                        "the study does not ask for {bad:?}; it asks for {}",
                        terms.categories.join(", ")
                    )));
                }
                c
            }
        };
        let study_key = HpkePublicKey::from_bytes(&checked.view.study_key)
            .map_err(|e| ClientError::crypto("the study's key", e))?;
        let keys = self.member_keys().await?;
        let consent = Uuid::now_v7();
        let share = ShareKey::generate(study, consent)
            .map_err(|e| ClientError::crypto("the share key", e))?;
        let receipt = ConsentReceipt {
            consent,
            study,
            terms_sha256: checked.view.terms_sha256.clone(),
            pseudonym: Uuid::new_v4(),
            categories,
            data_from: terms.data_from,
            data_until: terms.data_until,
            future_data: terms.future_data,
            granted_at_micros: now_micros(),
            ends_at_micros: terms.ends_on.end_micros(),
        };
        let signature = datacoop_crypto::sign(&keys.signing, CONSENT_RECEIPT, &receipt.message());
        let req = ConsentRequest {
            receipt: receipt.clone(),
            member_signature: signature.to_bytes().to_vec().into(),
            sealed_share_key: share
                .seal_to_study(&study_key)
                .map_err(|e| ClientError::crypto("sealing the share key", e))?
                .into(),
            member_share_key: Some(
                share
                    .seal_for_member(&self.vault_key, &self.member_id)
                    .map_err(|e| ClientError::crypto("sealing the share key", e))?
                    .into(),
            ),
        };
        let _: ConsentView = json(
            self.client
                .request(Method::POST, paths::CONSENTS)
                .json(&req)
                .send()
                .await,
        )
        .await?;
        self.share_records(&terms, &receipt, &share, &mut progress)
            .await?;
        let view: ConsentView = json(
            self.client
                .request(Method::POST, &paths::consent_activation(consent))
                .send()
                .await,
        )
        .await?;
        check_countersignature(&view, log_key)?;
        Ok(view)
    }

    /// The participant's date offset for the study (0 unless the terms shift dates).
    pub(crate) fn date_shift(&self, terms: &StudyTerms, study: Uuid) -> Result<i32, ClientError> {
        Ok(match terms.deidentification.dates {
            DateLevel::Shifted => {
                let secret = self
                    .vault_key
                    .study_date_secret(&study)
                    .map_err(|e| ClientError::crypto("the date offset", e))?;
                shift_days(&secret)
            }
            _ => 0,
        })
    }

    /// Makes and uploads the study copies of every record the consent covers.
    async fn share_records(
        &self,
        terms: &StudyTerms,
        receipt: &ConsentReceipt,
        share: &ShareKey,
        progress: &mut impl FnMut(u64, u64),
    ) -> Result<(), ClientError> {
        let mut covered = Vec::new();
        for category in &receipt.categories {
            let q = RecordQuery {
                category: Some(category.clone()),
                ..Default::default()
            };
            for meta in self.list_all(&q, None).await? {
                let at = meta
                    .effective_at
                    .as_deref()
                    .and_then(datacoop_api::time::parse_micros)
                    .map(|m| m as u64);
                if terms.covers(&meta.category, &meta.type_code, at) {
                    covered.push(meta.id);
                }
            }
        }
        let total = covered.len() as u64;
        progress(0, total);
        let shift = self.date_shift(terms, receipt.study)?;
        let mut done = 0u64;
        for chunk in covered.chunks(UPLOAD_BATCH) {
            let opened: Vec<_> = futures_util::stream::iter(chunk.chunks(READ_BATCH))
                .map(|ids| self.open_many(ids))
                .buffered(OPEN_CONCURRENCY)
                .try_collect::<Vec<_>>()
                .await?
                .into_iter()
                .flatten()
                .collect();
            let mut copies = Vec::with_capacity(opened.len());
            let mut rng =
                datacoop_crypto::rng::os_rng().map_err(|e| ClientError::crypto("randomness", e))?;
            for rec in opened {
                copies.push(make_copy(
                    terms,
                    receipt,
                    share,
                    shift,
                    &rec.meta,
                    &rec.content,
                    &mut rng,
                )?);
            }
            let _: CopiesStored = json(
                self.client
                    .request(Method::POST, &paths::consent_copies(receipt.consent))
                    .json(&StudyCopies { copies })
                    .send()
                    .await,
            )
            .await?;
            done += chunk.len() as u64;
            progress(done, total);
        }
        Ok(())
    }

    /// Withdraws a consent now.
    pub async fn withdraw_consent(&self, consent: Uuid) -> Result<ConsentView, ClientError> {
        json(
            self.client
                .request(Method::POST, &paths::consent_withdrawal(consent))
                .send()
                .await,
        )
        .await
    }

    /// The member's consents, newest first.
    pub async fn consents(&self, q: &ConsentQuery) -> Result<ConsentList, ClientError> {
        json(
            self.client
                .request(Method::GET, paths::CONSENTS)
                .query(q)
                .send()
                .await,
        )
        .await
    }

    /// One consent, its receipt's signatures checked: the member's own key's, and for
    /// an active one the server's countersignature under `log_key`.
    pub async fn consent(&self, consent: Uuid, log_key: &str) -> Result<ConsentView, ClientError> {
        let view: ConsentView = json(
            self.client
                .request(Method::GET, &paths::consent(consent))
                .send()
                .await,
        )
        .await?;
        let keys = self.member_keys().await?;
        if view.receipt.consent != consent
            || !view
                .receipt
                .verifies(&keys.public_keys().signing, &view.member_signature)
        {
            return Err(ClientError::Decode(format!(
                "consent {consent}: the receipt the server holds is not the one you signed"
            )));
        }
        if view.state != ConsentState::Preparing && view.granted_index.is_some() {
            check_countersignature(&view, log_key)?;
        }
        Ok(view)
    }
}

/// One record's study copy: de-identified as the terms say, sealed under a fresh data
/// key bound to the pseudonym and the copy's id, that key wrapped under the share key.
pub(crate) fn make_copy(
    terms: &StudyTerms,
    receipt: &ConsentReceipt,
    share: &ShareKey,
    shift: i32,
    m: &datacoop_api::records::RecordMeta,
    content: &[u8],
    rng: &mut impl datacoop_crypto::rng::CryptoRng,
) -> Result<StudyCopyUpload, ClientError> {
    let content = deidentify(content, &terms.deidentification, shift)
        .map_err(|e| ClientError::Input(format!("record {}: {e}", m.id)))?;
    let copy = Uuid::new_v4();
    let key = RecordKey::generate_with_rng(rng);
    let binding = copy_binding(
        receipt.pseudonym,
        copy,
        &m.content_type,
        &m.category,
        &m.type_code,
    );
    let ciphertext = datacoop_crypto::seal_content_with_rng(&key, &binding, &content, rng)
        .map_err(|e| ClientError::crypto("sealing a study copy", e))?;
    let wrapped = share
        .wrap_record_key_with_rng(&copy, &key, rng)
        .map_err(|e| ClientError::crypto("wrapping a study copy's key", e))?;
    Ok(StudyCopyUpload {
        id: copy,
        source: m.id,
        source_version: m.version,
        category: m.category.clone(),
        type_code: m.type_code.clone(),
        effective: m
            .effective_at
            .as_deref()
            .map(|t| deidentify_date(t, terms.deidentification.dates, shift)),
        content_type: m.content_type.clone(),
        ciphertext: Base64Url(ciphertext),
        wrapped_key: Base64Url(wrapped),
    })
}
