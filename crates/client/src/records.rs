//! The member's records: drafts, sealing, listing, opening with what it proved
//! (record format 2, docs/crypto.md section 9), re-sealing and deletion.

use crate::member::MemberSession;
use crate::{empty, json, ClientError};
use datacoop_api::paths;
use datacoop_api::records::{
    BatchResult, BatchUpload, RecordMeta, RecordPage, RecordQuery, RecordUpload,
};
use datacoop_crypto::{
    device_record_batch_id, open_content, open_device_record, open_record, record_format,
    seal_record_with_rng, unwrap_record_key, Author, Plaintext, SealedRecord,
    RECORD_FORMAT_VERSION,
};
use reqwest::Method;
use uuid::Uuid;

mod draft;

pub(crate) use draft::meta_binding;
pub use draft::RecordDraft;

/// What opening a record proved about where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// Sealed by your own client: content and every visible field are authenticated.
    Member,
    /// Sealed by a device you enrolled (its certificate carries your signature), in one of
    /// the categories you allowed it: content and every visible field are authenticated.
    Device(Uuid),
    /// Sealed by your own client before datacoop 0.2: content, record id, version and media
    /// type are authenticated, but category, type and effective time are not.
    /// `datacoop records upgrade` re-seals it.
    LegacyMember,
    /// A device record from before datacoop 0.2, opened only because you asked: anyone who
    /// knew your public key, the server included, could have made it.
    LegacyDevice,
}

impl Provenance {
    /// Whether the record's visible fields and origin are proven.
    pub fn is_authenticated(self) -> bool {
        matches!(self, Provenance::Member | Provenance::Device(_))
    }
}

/// A record fetched and opened here.
#[derive(Debug)]
pub struct OpenedRecord {
    /// What the server shows about it (checked against the encryption where the format allows).
    pub meta: RecordMeta,
    /// The plaintext.
    pub content: Plaintext,
    /// What was proven about its origin.
    pub provenance: Provenance,
}

impl MemberSession {
    /// Encrypts drafts into uploads (one generator seeded once per call).
    pub fn seal(&self, drafts: &[RecordDraft]) -> Result<Vec<RecordUpload>, ClientError> {
        let mut rng =
            datacoop_crypto::rng::os_rng().map_err(|e| ClientError::crypto("randomness", e))?;
        drafts
            .iter()
            .map(|d| {
                let id = Uuid::now_v7();
                let sealed = seal_record_with_rng(
                    &self.vault_key,
                    &d.binding(self.member_id, id, Author::Member)?,
                    &d.content,
                    &mut rng,
                )
                .map_err(|e| ClientError::crypto("sealing a record", e))?;
                Ok(d.upload(id, sealed))
            })
            .collect()
    }

    /// Uploads sealed records in one all-or-nothing batch; the idempotency
    /// key makes a retry after a lost answer store nothing twice.
    pub async fn upload(
        &self,
        records: Vec<RecordUpload>,
        idempotency_key: &str,
    ) -> Result<BatchResult, ClientError> {
        json(
            self.client
                .request(Method::POST, paths::RECORDS_BATCH)
                .header("Idempotency-Key", idempotency_key)
                .json(&BatchUpload { records })
                .send()
                .await,
        )
        .await
    }

    /// One page of record metadata.
    pub async fn list(&self, query: &RecordQuery) -> Result<RecordPage, ClientError> {
        json(
            self.client
                .request(Method::GET, paths::RECORDS)
                .query(query)
                .send()
                .await,
        )
        .await
    }

    /// Every record's metadata matching `query`, page by page (at most `max` if given);
    /// stops with an error if the server's cursor does not advance.
    pub async fn list_all(
        &self,
        query: &RecordQuery,
        max: Option<usize>,
    ) -> Result<Vec<RecordMeta>, ClientError> {
        const PAGE: u32 = 1000;
        let mut q = RecordQuery {
            limit: Some(PAGE),
            after: None,
            ..query.clone()
        };
        let mut out = Vec::new();
        loop {
            let page = self.list(&q).await?;
            let (n, last) = (page.items.len(), page.items.last().map(|m| m.id));
            out.extend(page.items);
            if let Some(max) = max {
                if out.len() >= max {
                    out.truncate(max);
                    break;
                }
            }
            match crate::next_cursor(q.after.as_ref(), page.next_after, last, n, PAGE as usize)? {
                Some(after) => q.after = Some(after),
                None => break,
            }
        }
        Ok(out)
    }

    /// Fetches a record and decrypts it here; refuses what it cannot authenticate, except
    /// records from before datacoop 0.2 of your own (see [`MemberSession::open`]).
    pub async fn get(&self, id: Uuid) -> Result<(RecordMeta, Plaintext), ClientError> {
        let r = self.open(id).await?;
        Ok((r.meta, r.content))
    }

    /// Fetches a record, decrypts it here and says what that proved. The content, the
    /// visible fields (category, type, effective time) and the author are checked against
    /// the encryption; a device record must come from a device you certified, in one of the
    /// categories you allowed it.
    pub async fn open(&self, id: Uuid) -> Result<OpenedRecord, ClientError> {
        let full: datacoop_api::records::RecordFull = json(
            self.client
                .request(Method::GET, &paths::record(id))
                .send()
                .await,
        )
        .await?;
        if full.meta.id != id {
            return Err(ClientError::Crypto(format!(
                "asked for record {id} but the server answered with record {} (tampering?)",
                full.meta.id
            )));
        }
        self.open_full(full).await
    }

    /// Fetches and opens many records at once (at most
    /// [`MAX_RECORDS_READ`](datacoop_api::records::MAX_RECORDS_READ); each read is
    /// logged), in the order asked. A record the server does not return is an error.
    pub async fn open_many(&self, ids: &[Uuid]) -> Result<Vec<OpenedRecord>, ClientError> {
        let read: datacoop_api::records::RecordsRead = json(
            self.client
                .request(Method::POST, paths::RECORDS_READ)
                .json(&datacoop_api::records::RecordsReadRequest { ids: ids.to_vec() })
                .send()
                .await,
        )
        .await?;
        if let Some(gone) = read.missing.first() {
            return Err(ClientError::Input(format!(
                "record {gone} is gone (deleted since it was listed?): try again"
            )));
        }
        let returned: Vec<Uuid> = read.records.iter().map(|r| r.meta.id).collect();
        if returned != ids {
            return Err(ClientError::Crypto(
                "asked for some records but the server answered with others (tampering?)".into(),
            ));
        }
        let mut out = Vec::with_capacity(read.records.len());
        for full in read.records {
            out.push(self.open_full(full).await?);
        }
        Ok(out)
    }

    /// Opens a fetched record: its content under the binding of the metadata shown.
    async fn open_full(
        &self,
        full: datacoop_api::records::RecordFull,
    ) -> Result<OpenedRecord, ClientError> {
        let id = full.meta.id;
        let sealed = SealedRecord {
            ciphertext: full.ciphertext.0,
            wrapped_key: full.wrapped_key.0,
        };
        let legacy = record_format(&sealed.ciphertext)
            .map_err(|e| ClientError::crypto(&format!("record {id}"), e))?
            < RECORD_FORMAT_VERSION;
        if legacy && self.refuse_legacy_records {
            return Err(ClientError::Crypto(format!(
                "record {id} is in the datacoop 0.1 format, but every record of yours was \
                 upgraded on this machine (`datacoop records upgrade`): the server is serving \
                 an old copy instead of the current one; report it to the cooperative"
            )));
        }
        let (opened, provenance) = match device_record_batch_id(&sealed.wrapped_key) {
            // Added by a device: its key derives from the batch key it sealed to us.
            Ok(batch_id) => {
                let batch = self.device_batch(batch_id, id).await?;
                let (author, provenance) = match batch.device() {
                    Some(d) => {
                        let device = d.certificate().device_id;
                        (Author::Device(device), Provenance::Device(device))
                    }
                    None => (Author::Member, Provenance::LegacyDevice),
                };
                let binding = meta_binding(self.member_id, &full.meta, author)?;
                (open_device_record(&batch, &binding, &sealed), provenance)
            }
            // A device's record whose key a key rotation wrapped under the vault key
            // (only the member's client can make that wrap; the author stays bound).
            Err(_) if full.meta.device_id.is_some() && !legacy => {
                let device = full.meta.device_id.unwrap_or_default();
                let binding = meta_binding(self.member_id, &full.meta, Author::Device(device))?;
                let opened = unwrap_record_key(
                    &self.vault_key,
                    &self.member_id,
                    &id,
                    full.meta.version,
                    &sealed.wrapped_key,
                )
                .and_then(|key| open_content(&key, &binding, &sealed.ciphertext));
                (opened, Provenance::Device(device))
            }
            Err(_) => {
                let binding = meta_binding(self.member_id, &full.meta, Author::Member)?;
                let provenance = if legacy {
                    Provenance::LegacyMember
                } else {
                    Provenance::Member
                };
                (open_record(&self.vault_key, &binding, &sealed), provenance)
            }
        };
        let content = opened.map_err(|e| {
            ClientError::crypto(
                &format!(
                    "record {id} does not open as shown (its content, category, type, \
                     effective time, version or author was changed, or it is not yours)"
                ),
                e,
            )
        })?;
        Ok(OpenedRecord {
            meta: full.meta,
            content,
            provenance,
        })
    }

    /// Stores `content` as the next version of an opened record, sealed under your own key
    /// in the current format with the same visible fields (what `datacoop records upgrade`
    /// does to records from before datacoop 0.2).
    pub async fn reseal(&self, record: &OpenedRecord) -> Result<RecordMeta, ClientError> {
        let meta = &record.meta;
        let next = meta.version + 1;
        let mut binding = meta_binding(self.member_id, meta, Author::Member)?;
        binding.version = next;
        let mut rng =
            datacoop_crypto::rng::os_rng().map_err(|e| ClientError::crypto("randomness", e))?;
        let sealed = seal_record_with_rng(&self.vault_key, &binding, &record.content, &mut rng)
            .map_err(|e| ClientError::crypto("sealing a record", e))?;
        json(
            self.client
                .request(Method::PUT, &paths::record(meta.id))
                .json(&RecordUpload {
                    id: meta.id,
                    version: next,
                    category: meta.category.clone(),
                    type_code: meta.type_code.clone(),
                    effective_at: meta.effective_at.clone(),
                    content_type: meta.content_type.clone(),
                    ciphertext: sealed.ciphertext.into(),
                    wrapped_key: sealed.wrapped_key.into(),
                })
                .send()
                .await,
        )
        .await
    }

    /// Deletes a record.
    pub async fn delete(&self, id: Uuid) -> Result<(), ClientError> {
        empty(
            self.client
                .request(Method::DELETE, &paths::record(id))
                .send()
                .await,
        )
        .await
    }
}
