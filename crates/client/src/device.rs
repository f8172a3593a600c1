//! Write-only devices, both sides.
//!
//! The member's client creates a device token and writes a credentials file
//! holding the token and the member's public key (taken from the member's own
//! opened keys, so the device never has to trust the server for it). The
//! device seals each upload batch to that key ([`DeviceClient::upload`]) and
//! has no way to read anything back. The member's client opens device records
//! with one HPKE open per batch ([`MemberSession::get`] does it transparently).

use crate::member::{MemberSession, RecordDraft};
use crate::{json, Client, ClientError};
use datacoop_api::devices::{
    DeviceBatchKey, DeviceCreate, DeviceCreated, DeviceInfo, DeviceList, DeviceUpload,
    MemberKeyMaterial,
};
use datacoop_api::paths;
use datacoop_api::records::BatchResult;
use datacoop_crypto::{
    open_device_batch, DeviceBatch, HpkePublicKey, MemberKeys, MemberPublicKeys, OpenedDeviceBatch,
    RecordBinding,
};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// What a device needs, written by `datacoop devices add` (keep it secret:
/// the token lets anyone add records to the member's vault).
#[derive(Clone, Serialize, Deserialize)]
pub struct DeviceCredentials {
    /// Server URL.
    pub server: String,
    /// The device's id.
    pub device_id: Uuid,
    /// The member it adds to.
    pub member_id: Uuid,
    /// The device token (`dcdev_…`).
    pub token: String,
    /// The member's public keys envelope, base64url (from the member's own keys).
    pub member_public_keys: datacoop_api::b64::Base64Url,
    /// Categories the server lets this device add (absent: any).
    #[serde(default)]
    pub categories: Option<Vec<String>>,
}

impl std::fmt::Debug for DeviceCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCredentials")
            .field("server", &self.server)
            .field("device_id", &self.device_id)
            .field("member_id", &self.member_id)
            .field("token", &"[redacted]")
            .finish()
    }
}

/// A device's connection: it can add records and nothing else.
#[derive(Clone, Debug)]
pub struct DeviceClient {
    client: Client,
    member_id: Uuid,
    member_key: HpkePublicKey,
}

impl DeviceClient {
    /// A device client from its credentials.
    pub fn new(creds: &DeviceCredentials) -> Result<Self, ClientError> {
        let keys = MemberPublicKeys::from_envelope(&creds.member_public_keys)
            .map_err(|e| ClientError::crypto("the member public key in the credentials", e))?;
        Ok(DeviceClient {
            client: Client::new(&creds.server)?.with_token(&creds.token),
            member_id: creds.member_id,
            member_key: keys.hpke,
        })
    }

    /// Seals drafts as one new device batch (fresh batch key, sealed to the
    /// member): the returned upload can be sent, and resent, as it is.
    pub fn seal(&self, drafts: &[RecordDraft]) -> Result<DeviceUpload, ClientError> {
        let batch_id = Uuid::now_v7();
        let batch = DeviceBatch::new(&self.member_key, self.member_id, batch_id)
            .map_err(|e| ClientError::crypto("sealing the batch key", e))?;
        let records = drafts
            .iter()
            .map(|d| {
                let id = Uuid::now_v7();
                let binding = RecordBinding {
                    member_id: self.member_id,
                    record_id: id,
                    version: 1,
                    content_type: d.content_type.clone(),
                };
                let sealed = batch
                    .seal_record(&binding, &d.content)
                    .map_err(|e| ClientError::crypto("sealing a record", e))?;
                Ok(d.upload(id, sealed))
            })
            .collect::<Result<Vec<_>, ClientError>>()?;
        Ok(DeviceUpload {
            batch_id,
            sealed_batch_key: batch.sealed_batch_key().to_vec().into(),
            records,
        })
        // The batch key is dropped here: the device cannot open what it sealed.
    }

    /// Sends a sealed batch; the batch id is the idempotency key, so a retry
    /// of the same upload stores nothing twice.
    pub async fn send(&self, upload: &DeviceUpload) -> Result<BatchResult, ClientError> {
        json(
            self.client
                .request(Method::POST, paths::DEVICE_RECORDS)
                .header("Idempotency-Key", upload.batch_id.to_string())
                .json(upload)
                .send()
                .await,
        )
        .await
    }
}

/// The member's cache of opened keys for device records.
#[derive(Clone, Default)]
pub(crate) struct DeviceKeys(Arc<Mutex<Cache>>);

#[derive(Default)]
struct Cache {
    keys: Option<Arc<MemberKeys>>,
    batches: HashMap<Uuid, Arc<OpenedDeviceBatch>>,
}

impl std::fmt::Debug for DeviceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceKeys([redacted])")
    }
}

impl MemberSession {
    /// The member's own keys, opened here with the vault key; checks that the
    /// public keys the server holds are the ones these private keys make.
    pub async fn member_keys(&self) -> Result<MemberKeys, ClientError> {
        let m: MemberKeyMaterial = json(
            self.client
                .request(Method::GET, paths::MEMBER_KEYS)
                .send()
                .await,
        )
        .await?;
        let keys = MemberKeys::open(&m.sealed_member_keys, &self.vault_key, &self.member_id)
            .map_err(|e| ClientError::crypto("your sealed member keys do not open", e))?;
        if keys.public_keys().to_envelope() != m.public_keys {
            return Err(ClientError::Crypto(
                "the server's copy of your public keys does not match your private keys (tampering?)"
                    .into(),
            ));
        }
        Ok(keys)
    }

    /// Creates a device token and the credentials file content for the device.
    pub async fn add_device(
        &self,
        name: &str,
        categories: Option<Vec<String>>,
    ) -> Result<(DeviceInfo, DeviceCredentials), ClientError> {
        let keys = self.member_keys().await?;
        let created: DeviceCreated = json(
            self.client
                .request(Method::POST, paths::DEVICES)
                .json(&DeviceCreate {
                    name: name.to_owned(),
                    categories,
                })
                .send()
                .await,
        )
        .await?;
        let creds = DeviceCredentials {
            server: self.client.base_url().to_owned(),
            device_id: created.device.id,
            member_id: self.member_id,
            token: created.token,
            member_public_keys: keys.public_keys().to_envelope().into(),
            categories: created.device.categories.clone(),
        };
        Ok((created.device, creds))
    }

    /// The member's devices.
    pub async fn devices(&self) -> Result<Vec<DeviceInfo>, ClientError> {
        let list: DeviceList = json(
            self.client
                .request(Method::GET, paths::DEVICES)
                .send()
                .await,
        )
        .await?;
        Ok(list.items)
    }

    /// Revokes a device token.
    pub async fn revoke_device(&self, id: Uuid) -> Result<DeviceInfo, ClientError> {
        json(
            self.client
                .request(Method::DELETE, &paths::device(id))
                .send()
                .await,
        )
        .await
    }

    /// A device batch's key, opened here (cached for the session).
    pub(crate) async fn device_batch(
        &self,
        batch_id: Uuid,
    ) -> Result<Arc<OpenedDeviceBatch>, ClientError> {
        if let Some(b) = self.cached_batch(batch_id) {
            return Ok(b);
        }
        let sealed: DeviceBatchKey = json(
            self.client
                .request(Method::GET, &paths::device_batch(batch_id))
                .send()
                .await,
        )
        .await?;
        let cached_keys = self.device_keys.0.lock().ok().and_then(|c| c.keys.clone());
        let keys = match cached_keys {
            Some(k) => k,
            None => Arc::new(self.member_keys().await?),
        };
        let opened = open_device_batch(&keys, &self.member_id, &batch_id, &sealed.sealed_batch_key)
            .map_err(|e| ClientError::crypto("a device batch key does not open", e))?;
        let opened = Arc::new(opened);
        if let Ok(mut cache) = self.device_keys.0.lock() {
            cache.keys = Some(keys);
            cache.batches.insert(batch_id, opened.clone());
        }
        Ok(opened)
    }

    fn cached_batch(&self, batch_id: Uuid) -> Option<Arc<OpenedDeviceBatch>> {
        self.device_keys
            .0
            .lock()
            .ok()
            .and_then(|c| c.batches.get(&batch_id).cloned())
    }

    /// Forgets the opened keys kept for device records (nothing changes on the server).
    pub fn forget_device_keys(&self) {
        if let Ok(mut c) = self.device_keys.0.lock() {
            *c = Cache::default();
        }
    }
}
