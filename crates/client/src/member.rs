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
    derive_passphrase_keys, device_record_batch_id, open_device_record, open_record, record_format,
    seal_record_with_rng, seal_vault_key, seal_vault_key_for_recovery, Author, KdfCost, KdfParams,
    MemberKeys, Plaintext, RecordBinding, RecoveryKey, SealedRecord, VaultKey,
    RECORD_FORMAT_VERSION,
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
    let email = email_key(email)?;
    let params = KdfParams::generate().map_err(|e| ClientError::crypto("KDF parameters", e))?;
    let (auth_key, kek) = derive_passphrase_keys(passphrase, &email, &params)
        .map_err(|e| ClientError::crypto("passphrase", e))?;
    let vault = VaultKey::generate().map_err(|e| ClientError::crypto("vault key", e))?;
    let recovery = RecoveryKey::generate().map_err(|e| ClientError::crypto("recovery key", e))?;
    let keys = MemberKeys::generate().map_err(|e| ClientError::crypto("member keys", e))?;
    let body = RegisterRequest {
        member_id,
        email: email.clone(),
        kdf_params: params.to_envelope().into(),
        auth_key: auth_key.as_bytes().to_vec().into(),
        sealed_vault_key: seal_vault_key(&vault, &kek, &member_id)
            .map_err(|e| ClientError::crypto("sealing the vault key", e))?
            .into(),
        recovery_vault_key: seal_vault_key_for_recovery(&vault, &recovery, &member_id)
            .map_err(|e| ClientError::crypto("sealing the recovery copy", e))?
            .into(),
        recovery_public_key: recovery
            .verifying_key()
            .map_err(|e| ClientError::crypto("the recovery key", e))?
            .as_bytes()
            .to_vec()
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
    /// Whether version-1 device records (whose origin nothing proves) may be opened.
    pub(crate) accept_legacy_device_records: bool,
    /// The passphrase-hashing cost accepted at login: nothing lower is used to confirm
    /// the passphrase later in this session.
    pub(crate) kdf: Option<KdfCost>,
    /// What opens the vault again with the passphrase (kept instead of the vault key).
    pub(crate) lock: std::sync::Arc<std::sync::Mutex<Option<VaultLock>>>,
}

/// What opens the vault with the passphrase, as the server last handed it out: a local
/// session file keeps this instead of the vault key, so the file alone opens nothing.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct VaultLock {
    /// The KDF parameters envelope accepted at login.
    pub kdf_params: datacoop_api::b64::Base64Url,
    /// The vault key sealed under the passphrase's key-encryption key (box 0x10).
    pub sealed_vault_key: datacoop_api::b64::Base64Url,
    /// The member's private keys sealed under the vault key (box 0x12): tells a right vault
    /// key from a wrong one.
    pub sealed_member_keys: datacoop_api::b64::Base64Url,
}

impl VaultLock {
    /// Opens the vault key with the passphrase (one passphrase derivation).
    pub fn open(
        &self,
        member_id: Uuid,
        email: &str,
        passphrase: &str,
    ) -> Result<VaultKey, ClientError> {
        let params = KdfParams::from_envelope(&self.kdf_params)
            .map_err(|e| ClientError::crypto("the saved KDF parameters", e))?;
        let (_, kek) = derive_passphrase_keys(passphrase, &email_key(email)?, &params)
            .map_err(|e| ClientError::crypto("passphrase", e))?;
        let vault = datacoop_crypto::open_vault_key(&self.sealed_vault_key, &kek, &member_id)
            .map_err(|e| ClientError::crypto("your vault does not open", e))?;
        self.check(member_id, &vault)?;
        Ok(vault)
    }

    /// Checks that `vault` is this account's vault key (it opens the sealed member keys).
    pub fn check(&self, member_id: Uuid, vault: &VaultKey) -> Result<(), ClientError> {
        MemberKeys::open(&self.sealed_member_keys, vault, &member_id)
            .map(drop)
            .map_err(|e| ClientError::crypto("this vault key is not your account's", e))
    }
}

/// What passphrase-hashing parameters from the server the member accepts.
#[derive(Debug, Clone, Copy, Default)]
pub struct KdfPolicy {
    /// The cost last accepted for this account on this machine (nothing lower is accepted).
    pub remembered: Option<KdfCost>,
    /// The member agreed to weaker parameters than remembered, or to the 0.1 format.
    pub accept_weaker: bool,
}

impl KdfPolicy {
    /// Refuses parameters below what is remembered, and the 0.1 format, unless agreed.
    pub fn check(&self, params: &KdfParams) -> Result<(), ClientError> {
        if self.accept_weaker {
            return Ok(());
        }
        if let Some(r) = &self.remembered {
            if !params.at_least(r) {
                return Err(ClientError::WeakerKdf(format!(
                    "the server now asks for weaker passphrase hashing than this machine \
                     accepted before for this account (format {} with {} KiB, {} passes, {} \
                     lanes; before: format {} with {} KiB, {} passes, {} lanes). That is how a \
                     hostile server would make your passphrase easier to crack: do not log in, \
                     and report it to the cooperative. If the cooperative confirms the change, \
                     log in with --accept-weaker-kdf",
                    params.version(),
                    params.memory_kib(),
                    params.iterations(),
                    params.parallelism(),
                    r.version,
                    r.memory_kib,
                    r.iterations,
                    r.parallelism
                )));
            }
            return Ok(());
        }
        if params.is_legacy() {
            return Err(ClientError::WeakerKdf(
                "this account's passphrase hashing is in the datacoop 0.1 format, in which the \
                 server alone chooses the salt. If you registered before datacoop 0.2, log in \
                 once with --accept-weaker-kdf and then run `datacoop member passphrase` to \
                 upgrade it; if not, the server may be trying to weaken it: report it"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// The account's email as the server stores it and the passphrase derivation binds it.
pub(crate) fn email_key(email: &str) -> Result<String, ClientError> {
    datacoop_api::accounts::normalise_email(email)
        .ok_or_else(|| ClientError::Input(format!("{email:?} is not an email address")))
}

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

/// Logs in: fetches the KDF parameters (refusing any below the floor, and the 0.1
/// format), derives keys locally, sends only the authentication key, and opens the
/// sealed vault key it gets back.
pub async fn login(
    client: &Client,
    email: &str,
    passphrase: &str,
    label: Option<String>,
) -> Result<MemberSession, ClientError> {
    login_with(client, email, passphrase, label, &KdfPolicy::default()).await
}

/// [`login`] with what this machine remembers of the account's KDF cost
/// ([`MemberSession::kdf_cost`] after a login is what to remember next).
pub async fn login_with(
    client: &Client,
    email: &str,
    passphrase: &str,
    label: Option<String>,
    policy: &KdfPolicy,
) -> Result<MemberSession, ClientError> {
    let email = email_key(email)?;
    let params = prelogin(client, &email).await?;
    policy.check(&params)?;
    let (auth_key, kek) = derive_passphrase_keys(passphrase, &email, &params)
        .map_err(|e| ClientError::crypto("passphrase", e))?;
    let res: LoginResponse = json(
        client
            .request(Method::POST, paths::LOGIN)
            .json(&LoginRequest {
                email: email.clone(),
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
        accept_legacy_device_records: false,
        kdf: Some(params.cost()),
        lock: std::sync::Arc::new(std::sync::Mutex::new(Some(VaultLock {
            kdf_params: params.to_envelope().into(),
            sealed_vault_key: res.sealed_vault_key,
            sealed_member_keys: res.sealed_member_keys,
        }))),
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

/// The fields shown beside a record, as text (the effective time is RFC 3339).
struct Shown<'a> {
    content_type: &'a str,
    category: &'a str,
    type_code: &'a str,
    effective_at: Option<&'a str>,
}

/// The binding of a record version as its visible fields say.
fn binding_for(
    member_id: Uuid,
    record_id: Uuid,
    version: u64,
    shown: Shown<'_>,
    author: Author,
) -> Result<RecordBinding, String> {
    let effective_at = shown
        .effective_at
        .map(|t| {
            datacoop_api::time::parse_micros(t).ok_or_else(|| {
                format!(
                    "effective_at must be an RFC 3339 time such as 2026-11-25T08:30:00Z, not {t:?}"
                )
            })
        })
        .transpose()?;
    Ok(RecordBinding {
        member_id,
        record_id,
        version,
        content_type: shown.content_type.to_owned(),
        category: shown.category.to_owned(),
        type_code: shown.type_code.to_owned(),
        effective_at,
        author,
    })
}

/// The binding the server's metadata claims for a record version.
pub(crate) fn meta_binding(
    member_id: Uuid,
    meta: &RecordMeta,
    author: Author,
) -> Result<RecordBinding, ClientError> {
    let shown = Shown {
        content_type: &meta.content_type,
        category: &meta.category,
        type_code: &meta.type_code,
        effective_at: meta.effective_at.as_deref(),
    };
    binding_for(member_id, meta.id, meta.version, shown, author)
        .map_err(|e| ClientError::Decode(format!("record {}: {e}", meta.id)))
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
    /// The binding of this draft as version 1 of record `id` of `member_id`.
    pub(crate) fn binding(
        &self,
        member_id: Uuid,
        id: Uuid,
        author: Author,
    ) -> Result<RecordBinding, ClientError> {
        let shown = Shown {
            content_type: &self.content_type,
            category: &self.category,
            type_code: &self.type_code,
            effective_at: self.effective_at.as_deref(),
        };
        binding_for(member_id, id, 1, shown, author).map_err(ClientError::Input)
    }

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
            accept_legacy_device_records: false,
            kdf: None,
            lock: Default::default(),
        }
    }

    /// What opens this session's vault with the passphrase (after login, or as set).
    pub fn vault_lock(&self) -> Option<VaultLock> {
        self.lock.lock().ok().and_then(|l| l.clone())
    }

    /// Sets what opens the vault with the passphrase (a resumed session).
    pub fn with_vault_lock(self, lock: Option<VaultLock>) -> Self {
        if let Ok(mut l) = self.lock.lock() {
            *l = lock;
        }
        self
    }

    /// The passphrase-hashing cost this session accepted (to remember per account), or
    /// that a resumed session was told to hold to.
    pub fn kdf_cost(&self) -> Option<KdfCost> {
        self.kdf
    }

    /// Holds later passphrase confirmations in this session to at least `cost`.
    pub fn with_kdf_cost(mut self, cost: Option<KdfCost>) -> Self {
        self.kdf = cost;
        self
    }

    /// Lets this session open device records from before datacoop 0.2, whose origin nothing
    /// proves (to re-seal them under your own key with `datacoop records upgrade`).
    pub fn accept_legacy_device_records(mut self, accept: bool) -> Self {
        self.accept_legacy_device_records = accept;
        self
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
        let sealed = SealedRecord {
            ciphertext: full.ciphertext.0,
            wrapped_key: full.wrapped_key.0,
        };
        let legacy = record_format(&sealed.ciphertext)
            .map_err(|e| ClientError::crypto(&format!("record {id}"), e))?
            < RECORD_FORMAT_VERSION;
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
