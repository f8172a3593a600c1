//! Future data: while a consent with `future_data` is active, a record the member adds
//! gets its study copy on the machine that adds it, as the consent's records did. The
//! member's copy of the share key (box 0x43) opens here only; the receipt the server
//! lists must carry the member's own signature (a server that widened it is caught),
//! and the terms must be the ones it names.

use crate::consent::make_copy;
use crate::member::{MemberSession, RecordDraft};
use crate::{json, ClientError};
use datacoop_api::paths;
use datacoop_api::records::{BatchResult, RecordMeta, RecordUpload};
use datacoop_consent_core::wire::{ConsentQuery, ConsentState, CopiesStored, StudyCopies};
use datacoop_crypto::ShareKey;
use reqwest::Method;

/// Copies sent per request.
const BATCH: usize = 500;

fn meta(u: &RecordUpload) -> RecordMeta {
    RecordMeta {
        id: u.id,
        version: u.version,
        category: u.category.clone(),
        type_code: u.type_code.clone(),
        effective_at: u.effective_at.clone(),
        content_type: u.content_type.clone(),
        size: u.ciphertext.len() as u64,
        updated_at: String::new(),
        device_id: None,
    }
}

impl MemberSession {
    /// Seals and uploads `drafts` as one batch, then makes their study copies for every
    /// active consent that includes future data and covers them. Returns the batch's
    /// result and how many copies were shared.
    pub async fn upload_drafts(
        &self,
        drafts: &[RecordDraft],
        idempotency_key: &str,
    ) -> Result<(BatchResult, u64), ClientError> {
        let sealed = self.seal(drafts)?;
        let done = self.upload(sealed.clone(), idempotency_key).await?;
        let shared = self.share_future(&sealed, drafts).await?;
        Ok((done, shared))
    }

    /// Makes and uploads the study copies of records just uploaded (as sealed, with the
    /// drafts they were sealed from) for every active consent with future data that
    /// covers them; a record copied already is not stored twice. Returns the copies.
    pub async fn share_future(
        &self,
        uploaded: &[RecordUpload],
        drafts: &[RecordDraft],
    ) -> Result<u64, ClientError> {
        let records: Vec<RecordMeta> = uploaded.iter().map(meta).collect();
        let contents: Vec<&[u8]> = drafts.iter().map(|d| d.content.as_slice()).collect();
        let list = self.consents(&ConsentQuery::default()).await?;
        let own = self.member_keys().await?.public_keys().signing;
        let mut shared = 0u64;
        for v in list.consents {
            if v.state != ConsentState::Active || !v.receipt.future_data {
                continue;
            }
            if !v.receipt.verifies(&own, &v.member_signature) || v.receipt.consent != v.id {
                return Err(ClientError::Crypto(format!(
                    "consent {}: the receipt the server lists is not the one you signed; \
                     nothing was shared",
                    v.id
                )));
            }
            let Some(sealed) = &v.member_share_key else {
                continue;
            };
            let share = ShareKey::open_for_member(
                &self.vault_key,
                &self.member_id,
                v.receipt.study,
                v.id,
                sealed,
            )
            .map_err(|e| ClientError::crypto(&format!("consent {}'s share key", v.id), e))?;
            let (view, terms) = self.study(v.receipt.study).await?;
            if view.terms_sha256 != v.receipt.terms_sha256 {
                return Err(ClientError::Decode(format!(
                    "study {}: the server shows other terms than the ones you consented to",
                    v.receipt.study
                )));
            }
            let shift = self.date_shift(&terms, v.receipt.study)?;
            let mut rng =
                datacoop_crypto::rng::os_rng().map_err(|e| ClientError::crypto("randomness", e))?;
            let mut copies = Vec::new();
            for (m, content) in records.iter().zip(&contents) {
                let at = m
                    .effective_at
                    .as_deref()
                    .and_then(datacoop_api::time::parse_micros)
                    .map(|t| t as u64);
                if v.receipt.categories.contains(&m.category)
                    && terms.covers(&m.category, &m.type_code, at)
                {
                    copies.push(make_copy(
                        &terms, &v.receipt, &share, shift, m, content, &mut rng,
                    )?);
                }
            }
            for chunk in copies.chunks(BATCH) {
                let stored: CopiesStored = json(
                    self.client
                        .request(Method::POST, &paths::consent_copies(v.id))
                        .json(&StudyCopies {
                            copies: chunk.to_vec(),
                        })
                        .send()
                        .await,
                )
                .await?;
                shared += stored.stored;
            }
        }
        Ok(shared)
    }
}
