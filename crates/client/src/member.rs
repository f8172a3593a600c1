//! The member's side: registration, login and records, with every key
//! operation done here. The passphrase and the opened vault key never leave
//! this process (except into the caller's own 0600 session file).

use crate::{empty, json, Client, ClientError};
use datacoop_api::accounts::{
    LoginRequest, LoginResponse, PreloginRequest, PreloginResponse, RegisterRequest, Registered,
};
use datacoop_api::paths;
use datacoop_api::records::{
    BatchResult, BatchUpload, RecordMeta, RecordPage, RecordQuery, RecordUpload,
};
use datacoop_crypto::{
    derive_passphrase_keys, device_record_batch_id, open_device_record, open_record,
    seal_record_with_rng, seal_vault_key, seal_vault_key_for_recovery, KdfParams, MemberKeys,
    Plaintext, RecordBinding, RecoveryKey, SealedRecord, VaultKey,
};
use reqwest::Method;
use uuid::Uuid;

/// What registration hands the member: their id and the recovery code to print.
pub struct Registration {
    /// The new account id.
    pub member_id: Uuid,
    /// Shown once: the only way back in without the passphrase.
    pub recovery_code: String,
}

/// Opens a data account: all keys are made and sealed here.
pub async fn register(
    client: &Client,
    email: &str,
    passphrase: &str,
) -> Result<Registration, ClientError> {
    let member_id = Uuid::now_v7();
    let params = KdfParams::generate().map_err(|e| ClientError::crypto("KDF parameters", e))?;
    let (auth_key, kek) = derive_passphrase_keys(passphrase, &params)
        .map_err(|e| ClientError::crypto("passphrase", e))?;
    let vault = VaultKey::generate().map_err(|e| ClientError::crypto("vault key", e))?;
    let recovery = RecoveryKey::generate().map_err(|e| ClientError::crypto("recovery key", e))?;
    let keys = MemberKeys::generate().map_err(|e| ClientError::crypto("member keys", e))?;
    let body = RegisterRequest {
        member_id,
        email: email.to_owned(),
        kdf_params: params.to_envelope().into(),
        auth_key: auth_key.as_bytes().to_vec().into(),
        sealed_vault_key: seal_vault_key(&vault, &kek, &member_id)
            .map_err(|e| ClientError::crypto("sealing the vault key", e))?
            .into(),
        recovery_vault_key: seal_vault_key_for_recovery(&vault, &recovery, &member_id)
            .map_err(|e| ClientError::crypto("sealing the recovery copy", e))?
            .into(),
        public_keys: keys.public_keys().to_envelope().into(),
        sealed_member_keys: keys
            .seal(&vault, &member_id)
            .map_err(|e| ClientError::crypto("sealing member keys", e))?
            .into(),
    };
    let r: Registered = json(
        client
            .request(Method::POST, paths::MEMBERS)
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

/// A logged-in member: tokens plus the opened vault key.
#[derive(Clone)]
pub struct MemberSession {
    /// Client carrying the access token.
    pub client: Client,
    /// The account.
    pub member_id: Uuid,
    /// Access token.
    pub access_token: String,
    /// Refresh token (single use).
    pub refresh_token: String,
    /// The opened vault key.
    pub vault_key: VaultKey,
    /// Opened keys of device batches, kept for this session.
    pub(crate) device_keys: crate::device::DeviceKeys,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("member_id", &self.member_id)
            .field("recovery_code", &"[redacted]")
            .finish()
    }
}

/// The tokens and the vault key are secrets: `Debug` names them, never shows them.
impl std::fmt::Debug for MemberSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberSession")
            .field("client", &self.client)
            .field("member_id", &self.member_id)
            .field("access_token", &"[redacted]")
            .field("refresh_token", &"[redacted]")
            .field("vault_key", &self.vault_key)
            .finish_non_exhaustive()
    }
}

/// Logs in: fetches the KDF parameters (refusing any below the floor),
/// derives keys locally, sends only the authentication key, and opens the
/// sealed vault key it gets back.
pub async fn login(
    client: &Client,
    email: &str,
    passphrase: &str,
    label: Option<String>,
) -> Result<MemberSession, ClientError> {
    let params = prelogin(client, email).await?;
    let (auth_key, kek) = derive_passphrase_keys(passphrase, &params)
        .map_err(|e| ClientError::crypto("passphrase", e))?;
    let res: LoginResponse = json(
        client
            .request(Method::POST, paths::LOGIN)
            .json(&LoginRequest {
                email: email.to_owned(),
                auth_key: auth_key.as_bytes().to_vec().into(),
                label,
            })
            .send()
            .await,
    )
    .await?;
    let vault_key = datacoop_crypto::open_vault_key(&res.sealed_vault_key, &kek, &res.member_id)
        .map_err(|e| {
            ClientError::crypto(
                "the server's sealed vault key does not open with your passphrase (tampering?)",
                e,
            )
        })?;
    MemberKeys::open(&res.sealed_member_keys, &vault_key, &res.member_id).map_err(|e| {
        ClientError::crypto(
            "the server's sealed member keys do not open (tampering?)",
            e,
        )
    })?;
    Ok(MemberSession {
        client: client.with_token(&res.tokens.access_token),
        member_id: res.member_id,
        access_token: res.tokens.access_token,
        refresh_token: res.tokens.refresh_token,
        vault_key,
        device_keys: Default::default(),
    })
}

/// The member's KDF parameters from the server, refused below the floor.
pub async fn prelogin(client: &Client, email: &str) -> Result<KdfParams, ClientError> {
    let pre: PreloginResponse = json(
        client
            .request(Method::POST, paths::PRELOGIN)
            .json(&PreloginRequest {
                email: email.to_owned(),
            })
            .send()
            .await,
    )
    .await?;
    KdfParams::from_envelope(&pre.kdf_params)
        .map_err(|e| ClientError::crypto("the server's KDF parameters were refused", e))
}

/// A record before encryption: what the member's tools know about it.
#[derive(Debug, Clone)]
pub struct RecordDraft {
    /// Visible category.
    pub category: String,
    /// Visible type.
    pub type_code: String,
    /// Visible effective time (RFC 3339).
    pub effective_at: Option<String>,
    /// Media type of the content.
    pub content_type: String,
    /// The plaintext.
    pub content: Vec<u8>,
}

impl From<&datacoop_formats::ImportItem> for RecordDraft {
    /// A parsed FHIR or Darwin Core entry, ready to seal.
    fn from(i: &datacoop_formats::ImportItem) -> Self {
        RecordDraft {
            category: i.category.clone(),
            type_code: i.type_code.clone(),
            effective_at: i.effective_at.clone(),
            content_type: i.content_type.clone(),
            content: i.content.clone(),
        }
    }
}

impl RecordDraft {
    /// The upload of this draft as version 1 of record `id`, once sealed.
    pub(crate) fn upload(&self, id: Uuid, sealed: SealedRecord) -> RecordUpload {
        RecordUpload {
            id,
            version: 1,
            category: self.category.clone(),
            type_code: self.type_code.clone(),
            effective_at: self.effective_at.clone(),
            content_type: self.content_type.clone(),
            ciphertext: sealed.ciphertext.into(),
            wrapped_key: sealed.wrapped_key.into(),
        }
    }
}

impl MemberSession {
    /// A session rebuilt from stored parts (the CLI's session file).
    pub fn resume(
        client: &Client,
        member_id: Uuid,
        access_token: String,
        refresh_token: String,
        vault_key: VaultKey,
    ) -> Self {
        MemberSession {
            client: client.with_token(&access_token),
            member_id,
            access_token,
            refresh_token,
            vault_key,
            device_keys: Default::default(),
        }
    }

    /// Swaps the refresh token for new tokens.
    pub async fn refresh(&mut self) -> Result<(), ClientError> {
        let pair = self.client.refresh(&self.refresh_token).await?;
        self.client = self.client.with_token(&pair.access_token);
        self.access_token = pair.access_token;
        self.refresh_token = pair.refresh_token;
        Ok(())
    }

    /// Ends this session on the server.
    pub async fn logout(&self) -> Result<(), ClientError> {
        self.client.logout(&self.refresh_token).await
    }

    fn binding(&self, id: Uuid, version: u64, content_type: &str) -> RecordBinding {
        RecordBinding {
            member_id: self.member_id,
            record_id: id,
            version,
            content_type: content_type.to_owned(),
        }
    }

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
                    &self.binding(id, 1, &d.content_type),
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

    /// Fetches a record and decrypts it here.
    pub async fn get(&self, id: Uuid) -> Result<(RecordMeta, Plaintext), ClientError> {
        let full: datacoop_api::records::RecordFull = json(
            self.client
                .request(Method::GET, &paths::record(id))
                .send()
                .await,
        )
        .await?;
        let binding = self.binding(id, full.meta.version, &full.meta.content_type);
        let sealed = SealedRecord {
            ciphertext: full.ciphertext.0,
            wrapped_key: full.wrapped_key.0,
        };
        let opened = match device_record_batch_id(&sealed.wrapped_key) {
            // Added by a device: its key derives from the batch key sealed to us.
            Ok(batch_id) => {
                let batch = self.device_batch(batch_id).await?;
                open_device_record(&batch, &binding, &sealed)
            }
            Err(_) => open_record(&self.vault_key, &binding, &sealed),
        };
        let plain = opened.map_err(|e| {
            ClientError::crypto(
                &format!("record {id} does not open (tampered or not yours)"),
                e,
            )
        })?;
        Ok((full.meta, plain))
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
