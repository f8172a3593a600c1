//! Write-only devices: the member manages them; a device only adds records
//! sealed to the member's public key.

use crate::{App, AppError, DeviceCaller, MemberCaller};
use datacoop_accounts::devices;
use datacoop_api::devices::{
    DeviceBatchKey, DeviceCreate, DeviceCreated, DeviceInfo, DeviceList, DeviceUpload,
};
use datacoop_api::records::BatchResult;
use datacoop_api::{BatchId, DeviceId};
use datacoop_store::idempotency::IdempotencyKey;

impl App {
    /// Creates a write-only device token; the token is in this answer only.
    pub async fn add_device(
        &self,
        caller: &MemberCaller,
        req: DeviceCreate,
    ) -> Result<DeviceCreated, AppError> {
        let (device, token) = devices::add(&self.db, caller.id, req).await?;
        tracing::info!(member = %caller.id, device = %device.id, "device token created");
        Ok(DeviceCreated { device, token })
    }

    /// The member's devices, revoked ones included.
    pub async fn list_devices(&self, caller: &MemberCaller) -> Result<DeviceList, AppError> {
        let items = devices::list(&self.db, caller.id).await?;
        Ok(DeviceList { items })
    }

    /// Revokes a device token (idempotent); records it added stay.
    pub async fn revoke_device(
        &self,
        caller: &MemberCaller,
        id: DeviceId,
    ) -> Result<DeviceInfo, AppError> {
        let info = devices::revoke(&self.db, caller.id, id).await?;
        tracing::info!(member = %caller.id, device = %info.id, "device token revoked");
        Ok(info)
    }

    /// The sealed key of one of the member's device batches.
    pub async fn device_batch_key(
        &self,
        caller: &MemberCaller,
        id: BatchId,
    ) -> Result<DeviceBatchKey, AppError> {
        Ok(devices::batch_key(&self.db, caller.id, id).await?)
    }

    /// Checks a device token against the database (so revocation applies at once).
    pub async fn authenticate_device(&self, token: &str) -> Result<DeviceCaller, AppError> {
        Ok(devices::authenticate(&self.db, token).await?)
    }

    /// A device adds records (all or nothing) within what its token allows.
    pub async fn device_upload(
        &self,
        device: DeviceCaller,
        upload: DeviceUpload,
        key: Option<IdempotencyKey>,
    ) -> Result<BatchResult, AppError> {
        Ok(devices::upload(&self.db, device, upload, key).await?)
    }
}
