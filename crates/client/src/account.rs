//! Account management on the member's machine: passphrase change, recovery
//! with the recovery code, sessions, deletion. Every key operation happens
//! here; the server only ever sees authentication keys, sealed keys and a
//! signature.

use crate::member::{email_key, prelogin, KdfPolicy, MemberSession};
use crate::{empty, json, Client, ClientError};
use datacoop_api::accounts::{
    AccountDeleted, AccountDeletion, LoginMaterialReplaced, PassphraseChange, RecoveryComplete,
    RecoveryStart, RecoveryStartRequest, SessionList,
};
use datacoop_api::paths;
use datacoop_crypto::{
    derive_passphrase_keys, open_vault_key, open_vault_key_with_recovery, seal_vault_key,
    seal_vault_key_for_recovery, KdfParams, MemberKeys, RecoveryKey, RecoveryRequest, VaultKey,
};
use reqwest::Method;
use uuid::Uuid;

/// Login material for a new passphrase: fresh salt, new keys, the vault key re-sealed.
struct NewMaterial {
    kdf_params: Vec<u8>,
    auth_key: Vec<u8>,
    sealed_vault_key: Vec<u8>,
}

fn new_material(
    member_id: &Uuid,
    email: &str,
    vault: &VaultKey,
    passphrase: &str,
) -> Result<NewMaterial, ClientError> {
    let params = KdfParams::generate().map_err(|e| ClientError::crypto("KDF parameters", e))?;
    let (auth_key, kek) = derive_passphrase_keys(passphrase, email, &params)
        .map_err(|e| ClientError::crypto("new passphrase", e))?;
    let sealed_vault_key = seal_vault_key(vault, &kek, member_id)
        .map_err(|e| ClientError::crypto("sealing the vault key", e))?;
    // Check the copy opens before the server replaces the old one.
    open_vault_key(&sealed_vault_key, &kek, member_id)
        .map_err(|e| ClientError::crypto("the re-sealed vault key does not open", e))?;
    Ok(NewMaterial {
        kdf_params: params.to_envelope(),
        auth_key: auth_key.as_bytes().to_vec(),
        sealed_vault_key,
    })
}

/// A new recovery code for a vault: the code, its copy of the vault key and its public key.
pub(crate) struct NewRecovery {
    pub(crate) key: RecoveryKey,
    pub(crate) sealed: Vec<u8>,
    pub(crate) public_key: Vec<u8>,
}

pub(crate) fn new_recovery(member_id: &Uuid, vault: &VaultKey) -> Result<NewRecovery, ClientError> {
    let key = RecoveryKey::generate().map_err(|e| ClientError::crypto("recovery key", e))?;
    let sealed = seal_vault_key_for_recovery(vault, &key, member_id)
        .map_err(|e| ClientError::crypto("sealing the recovery copy", e))?;
    // Check the copy opens before the server replaces the old one.
    open_vault_key_with_recovery(&sealed, &key, member_id)
        .map_err(|e| ClientError::crypto("the new recovery copy does not open", e))?;
    let public_key = key
        .verifying_key()
        .map_err(|e| ClientError::crypto("recovery key", e))?
        .as_bytes()
        .to_vec();
    Ok(NewRecovery {
        key,
        sealed,
        public_key,
    })
}

/// What a recovery leaves the member: the replaced login material and the NEW recovery code
/// (the one just used no longer works).
pub struct Recovered {
    /// The account and how many sessions ended.
    pub replaced: LoginMaterialReplaced,
    /// The new recovery code, to show once.
    pub recovery_code: String,
}

impl std::fmt::Debug for Recovered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recovered")
            .field("replaced", &self.replaced)
            .field("recovery_code", &"[redacted]")
            .finish()
    }
}

/// The keys `passphrase` derives under the member's current parameters (with the
/// parameters), which must cost at least what the session accepted at login.
pub(crate) async fn current_keys(
    session: &MemberSession,
    email: &str,
    passphrase: &str,
) -> Result<(KdfParams, datacoop_crypto::AuthKey, datacoop_crypto::Kek), ClientError> {
    let email = email_key(email)?;
    let params = prelogin(&session.client, &email).await?;
    KdfPolicy {
        remembered: session.kdf_cost(),
        accept_weaker: false,
        accept_legacy: false,
    }
    .check(&params)?;
    let (auth_key, kek) = derive_passphrase_keys(passphrase, &email, &params)
        .map_err(|e| ClientError::crypto("passphrase", e))?;
    Ok((params, auth_key, kek))
}

/// The authentication key of `passphrase` under the member's current parameters.
async fn current_auth_key(
    session: &MemberSession,
    email: &str,
    passphrase: &str,
) -> Result<Vec<u8>, ClientError> {
    let (_, auth_key, _) = current_keys(session, email, passphrase).await?;
    Ok(auth_key.as_bytes().to_vec())
}

/// Sets a new passphrase with the recovery code: opens the recovery copy of
/// the vault key here, re-seals it under the new passphrase and a new
/// recovery code, and signs the server's challenge with the key the used code
/// derives. Every session ends; the used code stops working.
pub async fn recover(
    client: &Client,
    email: &str,
    recovery_code: &str,
    new_passphrase: &str,
) -> Result<Recovered, ClientError> {
    let recovery = RecoveryKey::from_code(recovery_code)
        .map_err(|e| ClientError::crypto("recovery code", e))?;
    let start: RecoveryStart = json(
        client
            .request(Method::POST, paths::RECOVERY_START)
            .json(&RecoveryStartRequest {
                email: email.to_owned(),
            })
            .send()
            .await,
    )
    .await?;
    let id = start.member_id;
    let vault =
        open_vault_key_with_recovery(&start.recovery_vault_key, &recovery, &id).map_err(|e| {
            ClientError::crypto(
                "the recovery code does not open this account (check the email and the code)",
                e,
            )
        })?;
    let m = new_material(&id, &email_key(email)?, &vault, new_passphrase)?;
    let next = new_recovery(&id, &vault)?;
    let request = RecoveryRequest {
        member_id: &id,
        challenge: &start.challenge,
        kdf_params: &m.kdf_params,
        auth_key: &m.auth_key,
        sealed_vault_key: &m.sealed_vault_key,
        new_recovery_vault_key: &next.sealed,
        new_recovery_public_key: &next.public_key,
    };
    let signature = if start.legacy_proof {
        // An account from before datacoop 0.2: no recovery key was registered, so the
        // member's own key (opened with the code) signs, this once.
        let keys = MemberKeys::open(&start.sealed_member_keys, &vault, &id).map_err(|e| {
            ClientError::crypto(
                "the server's sealed member keys do not open (tampering?)",
                e,
            )
        })?;
        request.sign(&keys.signing)
    } else {
        let key = recovery
            .signing_key()
            .map_err(|e| ClientError::crypto("recovery code", e))?;
        request.sign(&key)
    };
    let body = RecoveryComplete {
        email: email.to_owned(),
        challenge: start.challenge,
        kdf_params: m.kdf_params.into(),
        auth_key: m.auth_key.into(),
        sealed_vault_key: m.sealed_vault_key.into(),
        new_recovery_vault_key: next.sealed.into(),
        new_recovery_public_key: next.public_key.into(),
        signature: signature.to_bytes().to_vec().into(),
    };
    let replaced = json(
        client
            .request(Method::POST, paths::RECOVERY_COMPLETE)
            .json(&body)
            .send()
            .await,
    )
    .await?;
    Ok(Recovered {
        replaced,
        recovery_code: next.key.to_code().to_string(),
    })
}

impl MemberSession {
    /// Replaces the recovery code (after proving the current passphrase): the vault key is
    /// sealed under a new code here; the old code stops working. Returns the new code.
    pub async fn new_recovery_code(
        &self,
        email: &str,
        passphrase: &str,
    ) -> Result<String, ClientError> {
        let current_auth_key = current_auth_key(self, email, passphrase).await?;
        let next = new_recovery(&self.member_id, &self.vault_key)?;
        empty(
            self.client
                .request(Method::PUT, paths::MEMBER_RECOVERY)
                .json(&datacoop_api::accounts::RecoveryCodeChange {
                    current_auth_key: current_auth_key.into(),
                    recovery_vault_key: next.sealed.into(),
                    recovery_public_key: next.public_key.into(),
                })
                .send()
                .await,
        )
        .await?;
        Ok(next.key.to_code().to_string())
    }

    /// Changes the passphrase: proves the current one, re-seals the vault key
    /// under the new one. This session stays; every other one is revoked.
    pub async fn change_passphrase(
        &self,
        email: &str,
        current: &str,
        new: &str,
    ) -> Result<LoginMaterialReplaced, ClientError> {
        let current_auth_key = current_auth_key(self, email, current).await?;
        let m = new_material(&self.member_id, &email_key(email)?, &self.vault_key, new)?;
        let (kdf_params, sealed_vault_key) = (m.kdf_params.clone(), m.sealed_vault_key.clone());
        let body = PassphraseChange {
            current_auth_key: current_auth_key.into(),
            kdf_params: m.kdf_params.into(),
            auth_key: m.auth_key.into(),
            sealed_vault_key: m.sealed_vault_key.into(),
        };
        let done = json(
            self.client
                .request(Method::PUT, paths::MEMBER_PASSPHRASE)
                .json(&body)
                .send()
                .await,
        )
        .await?;
        // What opens the vault with the passphrase is now the new material.
        if let Ok(mut lock) = self.lock.lock() {
            if let Some(l) = lock.as_mut() {
                l.kdf_params = kdf_params.into();
                l.sealed_vault_key = sealed_vault_key.into();
            }
        }
        Ok(done)
    }

    /// This member's live sessions (the current one marked).
    pub async fn sessions(&self) -> Result<SessionList, ClientError> {
        json(
            self.client
                .request(Method::GET, paths::SESSIONS)
                .send()
                .await,
        )
        .await
    }

    /// Revokes one of this member's sessions.
    pub async fn revoke_session(&self, id: Uuid) -> Result<(), ClientError> {
        empty(
            self.client
                .request(Method::DELETE, &paths::session(id))
                .send()
                .await,
        )
        .await
    }

    /// Deletes the account and everything in it, confirmed by the passphrase.
    pub async fn delete_account(
        &self,
        email: &str,
        passphrase: &str,
    ) -> Result<AccountDeleted, ClientError> {
        let auth_key = current_auth_key(self, email, passphrase).await?;
        json(
            self.client
                .request(Method::DELETE, paths::MEMBER_ME)
                .json(&AccountDeletion {
                    auth_key: auth_key.into(),
                })
                .send()
                .await,
        )
        .await
    }
}
