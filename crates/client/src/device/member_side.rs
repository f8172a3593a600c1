//! The member's side of device records: enrolling and listing devices, and
//! opening a device batch only from a device whose certificate verifies with
//! the member's own key (cached for the session).

use super::DeviceCredentials;
use crate::member::MemberSession;
use crate::{json, ClientError};
use datacoop_api::devices::{
    DeviceBatchKey, DeviceCreate, DeviceCreated, DeviceInfo, DeviceList, MemberKeyMaterial,
};
use datacoop_api::paths;
use datacoop_crypto::{
    device_batch_format, open_device_batch, open_legacy_device_batch, DeviceCertificate,
    HpkeKeyPair, HpkePublicKey, MemberKeys, MemberPublicKeys, OpenedDeviceBatch, Signature,
    VerifiedDevice,
};
use reqwest::Method;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// The member's cache of opened keys for device records.
#[derive(Clone, Default)]
pub(crate) struct DeviceKeys(Arc<Mutex<Cache>>);

#[derive(Default)]
struct Cache {
    keys: Option<Arc<MemberKeys>>,
    /// Devices whose certificates verified with the member's own key.
    devices: HashMap<Uuid, (VerifiedDevice, Option<i64>)>,
    batches: HashMap<Uuid, Arc<OpenedDeviceBatch>>,
}

/// Checks a device's certificate with the member's own public keys; `None` if it has none
/// (enrolled before device keys) or it does not verify.
fn verify_device(
    member_id: Uuid,
    member: &MemberPublicKeys,
    info: &DeviceInfo,
) -> Option<VerifiedDevice> {
    let public_key = HpkePublicKey::from_bytes(info.public_key.as_ref()?).ok()?;
    let signature = Signature::from_bytes(info.certificate.as_ref()?).ok()?;
    DeviceCertificate {
        member_id,
        device_id: info.id,
        name: info.name.clone(),
        categories: info.categories.clone(),
        public_key,
    }
    .verify(member, &signature)
    .ok()
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
        let device_keys =
            HpkeKeyPair::generate().map_err(|e| ClientError::crypto("the device key", e))?;
        let certificate = DeviceCertificate {
            member_id: self.member_id,
            device_id: Uuid::now_v7(),
            name: name.to_owned(),
            categories: categories.clone(),
            public_key: device_keys.public_key().clone(),
        };
        let signature = certificate.sign(&keys);
        let created: DeviceCreated = json(
            self.client
                .request(Method::POST, paths::DEVICES)
                .json(&DeviceCreate {
                    id: certificate.device_id,
                    name: name.to_owned(),
                    categories,
                    public_key: device_keys.public_key().as_bytes().to_vec().into(),
                    certificate: signature.to_bytes().to_vec().into(),
                })
                .send()
                .await,
        )
        .await?;
        if created.device.id != certificate.device_id {
            return Err(ClientError::Decode(
                "the server enrolled the device under another id".into(),
            ));
        }
        let creds = DeviceCredentials {
            server: self.client.base_url().to_owned(),
            device_id: created.device.id,
            member_id: self.member_id,
            token: created.token,
            member_public_keys: keys.public_keys().to_envelope().into(),
            categories: created.device.categories.clone(),
            device_private_key: Some(device_keys.private_bytes().to_vec().into()),
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
        let info = json(
            self.client
                .request(Method::DELETE, &paths::device(id))
                .send()
                .await,
        )
        .await?;
        // Forget the verified device, so its revocation time is read again.
        if let Ok(mut c) = self.device_keys.0.lock() {
            c.devices.remove(&id);
        }
        Ok(info)
    }

    /// A device batch's key, opened here (cached for the session): only from a device whose
    /// certificate verifies with the member's own key, in HPKE auth mode from that device's
    /// key. A version-1 batch opens only if the session accepts legacy device records.
    pub(crate) async fn device_batch(
        &self,
        batch_id: Uuid,
        record_id: Uuid,
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
        let keys = self.cached_member_keys().await?;
        let format = device_batch_format(&sealed.sealed_batch_key)
            .map_err(|e| ClientError::crypto("a device batch key", e))?;
        let opened = if format < datacoop_crypto::Kind::DeviceBatchKey.latest_version() {
            if !self.accept_legacy_device_records {
                return Err(ClientError::LegacyDeviceRecord { record: record_id });
            }
            open_legacy_device_batch(&keys, &self.member_id, &batch_id, &sealed.sealed_batch_key)
        } else {
            let (device, revoked_at) = self.verified_device(sealed.device_id, &keys).await?;
            // A batch made after the member revoked the device is refused (the batch id
            // is a UUIDv7 the device stamped; the server cannot move it without the
            // auth-mode open failing, as the id is bound into the sealed key).
            if let (Some(revoked), Some(made)) = (revoked_at, uuid_v7_micros(&batch_id)) {
                if made > revoked {
                    return Err(ClientError::Crypto(format!(
                        "record {record_id} comes from a batch device {} made after you revoked it",
                        sealed.device_id
                    )));
                }
            }
            open_device_batch(&keys, &device, &batch_id, &sealed.sealed_batch_key)
        }
        .map_err(|e| {
            ClientError::crypto(
                &format!(
                    "the key of device batch {batch_id} (record {record_id}) was not sealed by \
                     device {} (forged or tampered)",
                    sealed.device_id
                ),
                e,
            )
        })?;
        let opened = Arc::new(opened);
        if let Ok(mut cache) = self.device_keys.0.lock() {
            cache.batches.insert(batch_id, opened.clone());
        }
        Ok(opened)
    }

    async fn cached_member_keys(&self) -> Result<Arc<MemberKeys>, ClientError> {
        let cached = self.device_keys.0.lock().ok().and_then(|c| c.keys.clone());
        if let Some(k) = cached {
            return Ok(k);
        }
        let keys = Arc::new(self.member_keys().await?);
        if let Ok(mut cache) = self.device_keys.0.lock() {
            cache.keys = Some(keys.clone());
        }
        Ok(keys)
    }

    /// A device of this member whose certificate verifies with the member's own key.
    async fn verified_device(
        &self,
        device_id: Uuid,
        keys: &MemberKeys,
    ) -> Result<(VerifiedDevice, Option<i64>), ClientError> {
        let cached = self
            .device_keys
            .0
            .lock()
            .ok()
            .and_then(|c| c.devices.get(&device_id).cloned());
        if let Some(d) = cached {
            return Ok(d);
        }
        let public = keys.public_keys();
        let found = self
            .devices()
            .await?
            .into_iter()
            .find(|d| d.id == device_id)
            .ok_or_else(|| {
                ClientError::Crypto(format!(
                    "the server says device {device_id} wrote a record, but it is not one of \
                     your devices (forged?)"
                ))
            })?;
        let revoked_at = found
            .revoked_at
            .as_deref()
            .and_then(datacoop_api::time::parse_micros);
        let verified = verify_device(self.member_id, &public, &found).ok_or_else(|| {
            ClientError::Crypto(format!(
                "device {device_id} ({:?}) has no certificate signed by your key (enrolled \
                 before datacoop 0.2, or its name, categories or key were changed): its records \
                 are refused; enrol it again with `datacoop devices add`",
                found.name
            ))
        })?;
        if let Ok(mut cache) = self.device_keys.0.lock() {
            cache
                .devices
                .insert(device_id, (verified.clone(), revoked_at));
        }
        Ok((verified, revoked_at))
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

/// The time a UUIDv7 carries, in microseconds since the epoch.
fn uuid_v7_micros(id: &Uuid) -> Option<i64> {
    let (secs, nanos) = id.get_timestamp()?.to_unix();
    i64::try_from(secs)
        .ok()?
        .checked_mul(1_000_000)?
        .checked_add(i64::from(nanos / 1000))
}

#[cfg(test)]
mod tests {
    use super::uuid_v7_micros;

    #[test]
    fn a_v7_id_tells_when_it_was_made() {
        let before = datacoop_api::time::parse_micros("2020-01-01T00:00:00Z").unwrap();
        let id = uuid::Uuid::now_v7();
        let made = uuid_v7_micros(&id).unwrap();
        assert!(made > before);
        assert_eq!(uuid_v7_micros(&uuid::Uuid::nil()), None);
    }
}
