//! Registration, the KDF-parameter lookup, passphrase change, key material
//! and recovery: the passphrase itself never arrives.

use crate::{App, AppError, MemberCaller};
use datacoop_accounts::{members, passphrase, recovery};
use datacoop_api::accounts::{
    LoginMaterialReplaced, PassphraseChange, PreloginResponse, RecoveryComplete, RecoveryStart,
    RegisterRequest,
};
use datacoop_api::devices::MemberKeyMaterial;
use datacoop_api::MemberId;

impl App {
    /// Opens a data account from key material sealed on the client; the
    /// publication of its public keys is logged. Rate-limited per client
    /// address; a taken email or id costs no hash.
    pub async fn register(
        &self,
        req: RegisterRequest,
        address: &str,
    ) -> Result<MemberId, AppError> {
        Ok(members::register(&self.db, &self.hasher, &self.registrations, req, address).await?)
    }

    /// The KDF parameters for an email (a stable decoy for unknown emails).
    pub async fn prelogin(&self, email: &str) -> Result<PreloginResponse, AppError> {
        let kdf_params = members::prelogin(&self.db, self.hasher.pepper(), email).await?;
        Ok(PreloginResponse {
            kdf_params: kdf_params.into(),
        })
    }

    /// Changes the passphrase after proof of the current one; every other
    /// session is revoked.
    pub async fn change_passphrase(
        &self,
        caller: &MemberCaller,
        req: PassphraseChange,
    ) -> Result<LoginMaterialReplaced, AppError> {
        let address = caller.address_text();
        let revoked = passphrase::change(
            &self.db,
            &self.hasher,
            &self.limiter,
            caller.account(&address),
            req,
        )
        .await?;
        Ok(LoginMaterialReplaced {
            member_id: caller.id.uuid(),
            sessions_revoked: revoked,
        })
    }

    /// Replaces the recovery code after proof of the current passphrase.
    pub async fn change_recovery_code(
        &self,
        caller: &MemberCaller,
        req: datacoop_api::accounts::RecoveryCodeChange,
    ) -> Result<(), AppError> {
        let address = caller.address_text();
        recovery::replace_code(
            &self.db,
            &self.hasher,
            &self.limiter,
            caller.account(&address),
            req,
        )
        .await?;
        Ok(())
    }

    /// Replaces the vault key, the key pairs and the recovery code after
    /// proof of the current passphrase; every data key arrives re-wrapped.
    pub async fn rotate_keys(
        &self,
        caller: &MemberCaller,
        req: datacoop_api::accounts::KeyRotationRequest,
    ) -> Result<datacoop_api::accounts::KeysRotated, AppError> {
        let address = caller.address_text();
        let done = datacoop_accounts::rotation::rotate(
            &self.db,
            &self.hasher,
            &self.limiter,
            caller.account(&address),
            req,
        )
        .await?;
        tracing::info!(
            member = %caller.id,
            records = done.records_rewrapped,
            blobs = done.blobs_rewrapped,
            devices_revoked = done.devices_revoked,
            "member keys rotated"
        );
        Ok(done)
    }

    /// Every record's wrapped data key, page by page (for a key rotation).
    pub async fn record_keys(
        &self,
        caller: &MemberCaller,
        query: datacoop_api::accounts::RecordKeyQuery,
    ) -> Result<datacoop_api::accounts::RecordKeyPage, AppError> {
        Ok(datacoop_accounts::rotation::record_keys(&self.db, caller.id, query).await?)
    }

    /// The member's public keys and sealed private keys.
    pub async fn key_material(&self, caller: &MemberCaller) -> Result<MemberKeyMaterial, AppError> {
        Ok(members::key_material(&self.db, caller.id).await?)
    }

    /// Recovery, first step: the sealed material and a challenge.
    pub async fn recovery_start(
        &self,
        email: &str,
        address: &str,
    ) -> Result<RecoveryStart, AppError> {
        let pepper = self.hasher.pepper();
        Ok(recovery::start(&self.db, pepper, &self.limiter, email, address).await?)
    }

    /// Recovery, second step: the signed proof sets a new passphrase and
    /// revokes every session.
    pub async fn recovery_complete(
        &self,
        req: RecoveryComplete,
        address: &str,
    ) -> Result<LoginMaterialReplaced, AppError> {
        let (member_id, revoked) =
            recovery::complete(&self.db, &self.hasher, &self.limiter, req, address).await?;
        tracing::info!(member = %member_id, "account recovered with the recovery code");
        Ok(LoginMaterialReplaced {
            member_id: member_id.uuid(),
            sessions_revoked: revoked,
        })
    }
}
