//! Write-only devices, both sides.
//!
//! The member's client enrols a device: it makes the device's X25519 key pair,
//! signs a certificate over the device's id, name, categories and public key
//! with the member's own Ed25519 key, and writes a credentials file holding the
//! token, the device's private key and the member's public key (taken from the
//! member's own opened keys, so the device never has to trust the server for
//! it). The device seals each upload batch from its key to the member's
//! ([`DeviceClient::seal`]) and has no way to read anything back. The member's
//! client opens a device record only through a certificate it verified with its
//! own key, in that device's categories
//! ([`crate::member::MemberSession::open`]).

use crate::member::RecordDraft;
use crate::{json, Client, ClientError};
use datacoop_api::devices::DeviceUpload;
use datacoop_api::paths;
use datacoop_api::records::BatchResult;
use datacoop_crypto::{Author, DeviceBatch, HpkeKeyPair, HpkePublicKey, MemberPublicKeys};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

mod member_side;
pub(crate) use member_side::DeviceKeys;

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
    /// The device's own X25519 private key, base64url (absent in files written before
    /// datacoop 0.2: such a device must be enrolled again).
    #[serde(default)]
    pub device_private_key: Option<datacoop_api::b64::Base64Url>,
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
    device_id: Uuid,
    member_key: HpkePublicKey,
    device_keys: Arc<HpkeKeyPair>,
}

impl DeviceClient {
    /// A device client from its credentials.
    pub fn new(creds: &DeviceCredentials) -> Result<Self, ClientError> {
        let keys = MemberPublicKeys::from_envelope(&creds.member_public_keys)
            .map_err(|e| ClientError::crypto("the member public key in the credentials", e))?;
        let private = creds.device_private_key.as_ref().ok_or_else(|| {
            ClientError::File(
                "these device credentials were written before devices had their own keys: \
                 ask the member to enrol the device again with `datacoop devices add`"
                    .into(),
            )
        })?;
        let device_keys = HpkeKeyPair::from_private_bytes(private)
            .map_err(|e| ClientError::crypto("the device key in the credentials", e))?;
        Ok(DeviceClient {
            client: Client::new(&creds.server)?.with_token(&creds.token),
            member_id: creds.member_id,
            device_id: creds.device_id,
            member_key: keys.hpke,
            device_keys: Arc::new(device_keys),
        })
    }

    /// Seals drafts as one new device batch (fresh batch key, sealed to the
    /// member): the returned upload can be sent, and resent, as it is.
    pub fn seal(&self, drafts: &[RecordDraft]) -> Result<DeviceUpload, ClientError> {
        let batch_id = Uuid::now_v7();
        let batch = DeviceBatch::new(
            &self.member_key,
            &self.device_keys,
            self.member_id,
            self.device_id,
            batch_id,
        )
        .map_err(|e| ClientError::crypto("sealing the batch key", e))?;
        let records = drafts
            .iter()
            .map(|d| {
                let id = Uuid::now_v7();
                let binding = d.binding(self.member_id, id, Author::Device(self.device_id))?;
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
