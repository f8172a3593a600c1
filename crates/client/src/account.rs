//! Account management on the member's machine: passphrase change, recovery
//! with the recovery code, sessions, deletion. Every key operation happens
//! here; the server only ever sees authentication keys, sealed keys and a
//! signature.

use crate::member::{prelogin, MemberSession};
use crate::{empty, json, Client, ClientError};
use datacoop_api::accounts::{
    AccountDeleted, AccountDeletion, LoginMaterialReplaced, PassphraseChange, RecoveryComplete,
    RecoveryStart, RecoveryStartRequest, SessionList,
};
use datacoop_api::paths;
use datacoop_crypto::{
    derive_passphrase_keys, open_vault_key, open_vault_key_with_recovery, seal_vault_key,
    KdfParams, MemberKeys, RecoveryKey, RecoveryRequest, VaultKey,
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
    vault: &VaultKey,
    passphrase: &str,
) -> Result<NewMaterial, ClientError> {
    let params = KdfParams::generate().map_err(|e| ClientError::crypto("KDF parameters", e))?;
    let (auth_key, kek) = derive_passphrase_keys(passphrase, &params)
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

/// The authentication key of `passphrase` under the member's current parameters.
async fn current_auth_key(
    client: &Client,
    email: &str,
    passphrase: &str,
) -> Result<Vec<u8>, ClientError> {
    let params = prelogin(client, email).await?;
    let (auth_key, _) = derive_passphrase_keys(passphrase, &params)
        .map_err(|e| ClientError::crypto("passphrase", e))?;
    Ok(auth_key.as_bytes().to_vec())
}

/// Sets a new passphrase with the recovery code: opens the recovery copy of
/// the vault key here, re-seals it under the new passphrase, and signs the
/// server's challenge with the member's key. Every session ends.
pub async fn recover(
    client: &Client,
    email: &str,
    recovery_code: &str,
    new_passphrase: &str,
) -> Result<LoginMaterialReplaced, ClientError> {
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
    let keys = MemberKeys::open(&start.sealed_member_keys, &vault, &id).map_err(|e| {
        ClientError::crypto(
            "the server's sealed member keys do not open (tampering?)",
            e,
        )
    })?;
    let m = new_material(&id, &vault, new_passphrase)?;
    let signature = RecoveryRequest {
        member_id: &id,
        challenge: &start.challenge,
        kdf_params: &m.kdf_params,
        auth_key: &m.auth_key,
        sealed_vault_key: &m.sealed_vault_key,
    }
    .sign(&keys);
    let body = RecoveryComplete {
        email: email.to_owned(),
        challenge: start.challenge,
        kdf_params: m.kdf_params.into(),
        auth_key: m.auth_key.into(),
        sealed_vault_key: m.sealed_vault_key.into(),
        signature: signature.to_bytes().to_vec().into(),
    };
    json(
        client
            .request(Method::POST, paths::RECOVERY_COMPLETE)
            .json(&body)
            .send()
            .await,
    )
    .await
}

impl MemberSession {
    /// Changes the passphrase: proves the current one, re-seals the vault key
    /// under the new one. This session stays; every other one is revoked.
    pub async fn change_passphrase(
        &self,
        email: &str,
        current: &str,
        new: &str,
    ) -> Result<LoginMaterialReplaced, ClientError> {
        let current_auth_key = current_auth_key(&self.client, email, current).await?;
        let m = new_material(&self.member_id, &self.vault_key, new)?;
        let body = PassphraseChange {
            current_auth_key: current_auth_key.into(),
            kdf_params: m.kdf_params.into(),
            auth_key: m.auth_key.into(),
            sealed_vault_key: m.sealed_vault_key.into(),
        };
        json(
            self.client
                .request(Method::PUT, paths::MEMBER_PASSPHRASE)
                .json(&body)
                .send()
                .await,
        )
        .await
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
        let auth_key = current_auth_key(&self.client, email, passphrase).await?;
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
