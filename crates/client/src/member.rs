//! The member's side: registration, login and records, with every key
//! operation done here. The passphrase and the opened vault key never leave
//! this process (except into the caller's own 0600 session file).

use crate::{json, Client, ClientError};
use datacoop_api::accounts::{
    LoginRequest, LoginResponse, PreloginRequest, PreloginResponse, RegisterRequest, Registered,
};
use datacoop_api::paths;
use datacoop_crypto::{
    derive_passphrase_keys, seal_vault_key, seal_vault_key_for_recovery, KdfCost, KdfParams,
    MemberKeys, RecoveryKey, VaultKey,
};
use reqwest::Method;
use uuid::Uuid;

pub use crate::records::{OpenedRecord, Provenance, RecordDraft};
pub(crate) use crate::vault_lock::email_key;
pub use crate::vault_lock::{KdfPolicy, VaultLock};

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
    let (body, recovery) = account_request(email, passphrase)?;
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

/// An account's key material, made and sealed here (a member's or a researcher's), and
/// the recovery key whose code is shown once.
pub(crate) fn account_request(
    email: &str,
    passphrase: &str,
) -> Result<(RegisterRequest, RecoveryKey), ClientError> {
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
    Ok((body, recovery))
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
    /// Whether records in the datacoop 0.1 format are refused (every one was upgraded).
    pub(crate) refuse_legacy_records: bool,
    /// The passphrase-hashing cost accepted at login: nothing lower is used to confirm
    /// the passphrase later in this session.
    pub(crate) kdf: Option<KdfCost>,
    /// What opens the vault again with the passphrase (kept instead of the vault key).
    pub(crate) lock: std::sync::Arc<std::sync::Mutex<Option<VaultLock>>>,
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
        refuse_legacy_records: false,
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
            refuse_legacy_records: false,
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

    /// Refuses every record in the datacoop 0.1 format: for an account whose records were
    /// all upgraded (`datacoop records upgrade`), an old-format record can only be an old
    /// copy the server serves instead of the current one.
    pub fn refuse_legacy_records(mut self, refuse: bool) -> Self {
        self.refuse_legacy_records = refuse;
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
}
