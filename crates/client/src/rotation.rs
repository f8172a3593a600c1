//! Rotating a member's keys (`datacoop member rotate-keys`): after a vault key may have
//! leaked (a copied session, a lost laptop), a new vault key, new key pairs and a new
//! recovery code are made here, every data key is opened with the old keys and wrapped
//! under the new vault key, and the server swaps it all in one transaction
//! (docs/crypto.md section 7.2). Devices must be enrolled again afterwards.

use crate::member::MemberSession;
use crate::{json, ClientError};
use datacoop_api::accounts::{
    BlobKeyWrap, KeyRotationRequest, KeysRotated, RecordKeyPage, RecordKeyQuery, RecordKeyWrap,
};
use datacoop_api::log::LogEntryQuery;
use datacoop_api::paths;
use datacoop_crypto::{
    device_record_batch_id, key_fingerprint, open_vault_key, seal_vault_key, unwrap_record_key,
    wrap_record_key_with_rng, KeyRotation, MemberKeys, MemberPublicKeys, RecordKey, VaultKey,
    FINGERPRINT_LEN,
};
use reqwest::Method;
use uuid::Uuid;

/// What a rotation leaves the member: the server's counts and the NEW recovery code
/// (the old one no longer works).
pub struct KeysRotatedHere {
    /// What the server changed.
    pub done: KeysRotated,
    /// The new recovery code: show it once, the member must keep it.
    pub recovery_code: String,
}

impl std::fmt::Debug for KeysRotatedHere {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeysRotatedHere")
            .field("done", &self.done)
            .field("recovery_code", &"[redacted]")
            .finish()
    }
}

/// The fingerprints the member's current keys retired in their own rotation statement
/// (none if they were never rotated), read from the log and checked with those keys.
pub(crate) fn retired_by(
    member_id: Uuid,
    current: &MemberPublicKeys,
    extra: &[u8],
) -> Result<Vec<[u8; FINGERPRINT_LEN]>, String> {
    match KeyRotation::from_log_extra(member_id, extra) {
        Ok(None) => Ok(Vec::new()),
        Ok(Some((statement, signature))) => statement
            .verify(&current.signing, &signature)
            .map(|()| statement.retired)
            .map_err(|_| "its rotation statement is not signed by your keys".to_owned()),
        Err(e) => Err(format!("its rotation statement does not parse ({e})")),
    }
}

impl MemberSession {
    /// Every record's wrapped key as the server stores it.
    async fn all_record_keys(&self) -> Result<Vec<RecordKeyWrap>, ClientError> {
        let mut q = RecordKeyQuery {
            after: None,
            limit: Some(1000),
        };
        let mut out = Vec::new();
        loop {
            let page: RecordKeyPage = json(
                self.client
                    .request(Method::GET, paths::MEMBER_RECORD_KEYS)
                    .query(&q)
                    .send()
                    .await,
            )
            .await?;
            let (n, last) = (page.items.len(), page.items.last().map(|k| k.id));
            out.extend(page.items);
            match crate::next_cursor(q.after.as_ref(), page.next_after, last, n, 1000)? {
                Some(a) => q.after = Some(a),
                None => return Ok(out),
            }
        }
    }

    /// The data key of one record, opened with the current keys. A device's record is
    /// opened in full first (certificate, author, categories), so nothing a device was
    /// not allowed to write is carried under the member's own key afterwards.
    async fn record_key(&self, w: &RecordKeyWrap) -> Result<RecordKey, ClientError> {
        match device_record_batch_id(&w.wrapped_key) {
            Ok(batch_id) => {
                self.open(w.id).await?;
                let batch = self.device_batch(batch_id, w.id).await?;
                if batch.device().is_none() {
                    return Err(ClientError::LegacyDeviceRecord { record: w.id });
                }
                batch
                    .record_key(&w.id)
                    .map_err(|e| ClientError::crypto(&format!("record {}", w.id), e))
            }
            Err(_) => unwrap_record_key(
                &self.vault_key,
                &self.member_id,
                &w.id,
                w.version,
                &w.wrapped_key,
            )
            .map_err(|e| {
                ClientError::crypto(
                    &format!(
                        "the key of record {} does not open (tampered or not yours); nothing was \
                         changed",
                        w.id
                    ),
                    e,
                )
            }),
        }
    }

    /// What the current keys retired before (from their publication in the log).
    async fn previously_retired(
        &self,
        current: &MemberPublicKeys,
    ) -> Result<Vec<[u8; FINGERPRINT_LEN]>, ClientError> {
        let fp = key_fingerprint(&current.to_envelope());
        let entries = crate::log::all_entries(
            self,
            LogEntryQuery {
                action: Some("key_published".into()),
                ..Default::default()
            },
        )
        .await?;
        for v in entries.iter().rev() {
            let Some(extra) = v.entry.as_ref().and_then(|e| e.extra.as_deref()) else {
                continue;
            };
            if extra.get(..FINGERPRINT_LEN) == Some(&fp[..]) {
                return retired_by(self.member_id, current, extra).map_err(|p| {
                    ClientError::Crypto(format!(
                        "the log's publication of your keys (entry {}) is not yours: {p}",
                        v.index
                    ))
                });
            }
        }
        Ok(Vec::new())
    }

    /// Rotates every key: proves the passphrase, re-wraps every record and file key under
    /// a new vault key, publishes new key pairs with a statement signed by the new key,
    /// and replaces the recovery code. Devices are revoked (enrol them again) and every
    /// other session ends. `progress(done, total)` follows the re-wrapping. On success this
    /// session holds the new vault key; nothing changes on the server if anything fails.
    pub async fn rotate_keys(
        &mut self,
        email: &str,
        passphrase: &str,
        progress: impl Fn(usize, usize),
    ) -> Result<KeysRotatedHere, ClientError> {
        let (params, auth_key, kek) = crate::account::current_keys(self, email, passphrase).await?;
        let old_keys = self.member_keys().await?;
        let old_public = old_keys.public_keys();
        let mut retired = self.previously_retired(&old_public).await?;
        retired.push(key_fingerprint(&old_public.to_envelope()));

        let vault = VaultKey::generate().map_err(|e| ClientError::crypto("vault key", e))?;
        let keys = MemberKeys::generate().map_err(|e| ClientError::crypto("member keys", e))?;
        let public_keys = keys.public_keys().to_envelope();
        let sealed_member_keys = keys
            .seal(&vault, &self.member_id)
            .map_err(|e| ClientError::crypto("sealing the new keys", e))?;
        let sealed_vault_key = seal_vault_key(&vault, &kek, &self.member_id)
            .map_err(|e| ClientError::crypto("sealing the new vault key", e))?;
        open_vault_key(&sealed_vault_key, &kek, &self.member_id)
            .map_err(|e| ClientError::crypto("the new vault key does not open", e))?;
        let recovery = crate::account::new_recovery(&self.member_id, &vault)?;

        let wraps = self.all_record_keys().await?;
        let blobs = crate::log::all_blobs(self).await?;
        let total = wraps.len() + blobs.len();
        let mut rng =
            datacoop_crypto::rng::os_rng().map_err(|e| ClientError::crypto("randomness", e))?;
        let mut records = Vec::with_capacity(wraps.len());
        for (i, w) in wraps.iter().enumerate() {
            let key = self.record_key(w).await?;
            let wrapped =
                wrap_record_key_with_rng(&vault, &self.member_id, &w.id, w.version, &key, &mut rng)
                    .map_err(|e| ClientError::crypto("wrapping a record key", e))?;
            records.push(RecordKeyWrap {
                id: w.id,
                version: w.version,
                wrapped_key: wrapped.into(),
            });
            progress(i + 1, total);
        }
        let mut blob_wraps = Vec::with_capacity(blobs.len());
        for (i, b) in blobs.iter().enumerate() {
            let key = unwrap_record_key(&self.vault_key, &self.member_id, &b.id, 1, &b.wrapped_key)
                .map_err(|e| {
                    ClientError::crypto(
                        &format!("the key of file {} does not open (tampered?)", b.id),
                        e,
                    )
                })?;
            let wrapped =
                wrap_record_key_with_rng(&vault, &self.member_id, &b.id, 1, &key, &mut rng)
                    .map_err(|e| ClientError::crypto("wrapping a file key", e))?;
            blob_wraps.push(BlobKeyWrap {
                id: b.id,
                wrapped_key: wrapped.into(),
            });
            progress(records.len() + i + 1, total);
        }

        let statement = KeyRotation {
            member_id: self.member_id,
            new_keys: key_fingerprint(&public_keys),
            retired,
        };
        let signature = statement.sign(&keys.signing);
        let body = KeyRotationRequest {
            current_auth_key: auth_key.as_bytes().to_vec().into(),
            public_keys: public_keys.into(),
            sealed_member_keys: sealed_member_keys.clone().into(),
            sealed_vault_key: sealed_vault_key.clone().into(),
            recovery_vault_key: recovery.sealed.into(),
            recovery_public_key: recovery.public_key.into(),
            retired_keys: statement
                .retired
                .iter()
                .map(|fp| fp.to_vec().into())
                .collect(),
            signature: signature.to_bytes().to_vec().into(),
            records,
            blobs: blob_wraps,
        };
        // A rotation whose answer is lost may have taken effect: the same request again
        // changes nothing more and brings the answer (and so the new code is not lost).
        let mut attempt = 0;
        let done: KeysRotated = loop {
            attempt += 1;
            let sent = json(
                self.client
                    .request(Method::POST, paths::MEMBER_KEY_ROTATION)
                    .json(&body)
                    .send()
                    .await,
            )
            .await;
            match sent {
                Err(ClientError::Transport(_) | ClientError::Decode(_)) if attempt < 3 => {
                    tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
                }
                other => break other?,
            }
        };
        self.vault_key = vault;
        self.forget_device_keys();
        if let Ok(mut lock) = self.lock.lock() {
            if let Some(l) = lock.as_mut() {
                l.kdf_params = params.to_envelope().into();
                l.sealed_vault_key = sealed_vault_key.into();
                l.sealed_member_keys = sealed_member_keys.into();
            }
        }
        Ok(KeysRotatedHere {
            done,
            recovery_code: recovery.key.to_code().to_string(),
        })
    }
}
