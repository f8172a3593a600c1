//! Write-only device tokens: a member lets a device or app (a boat's logger,
//! a wearable bridge) add records sealed to the member's public key; the
//! device can list or read nothing.

use crate::b64::Base64Url;
use crate::records::RecordUpload;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /api/v1/devices`: enrols a device. The member's client made the device's key pair
/// and signed its certificate (docs/crypto.md section 10); the server stores both.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceCreate {
    /// The device id, chosen by the member's client (it is in the certificate).
    pub id: Uuid,
    /// A name the member recognises, e.g. `boat logger`.
    pub name: String,
    /// Categories the device may add (absent: any).
    #[serde(default)]
    pub categories: Option<Vec<String>>,
    /// The device's X25519 public key (32 bytes), base64url.
    pub public_key: Base64Url,
    /// The member's Ed25519 signature (64 bytes) over the device certificate, base64url.
    pub certificate: Base64Url,
}

/// A device as the member sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceInfo {
    /// Device id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Categories it may add (absent: any).
    pub categories: Option<Vec<String>>,
    /// Created, RFC 3339 UTC.
    pub created_at: String,
    /// Last upload, RFC 3339 UTC.
    pub last_used_at: Option<String>,
    /// Records it has added.
    pub records_added: u64,
    /// When the member revoked it, RFC 3339 UTC.
    pub revoked_at: Option<String>,
    /// The device's X25519 public key, base64url (absent: enrolled before device keys).
    pub public_key: Option<Base64Url>,
    /// The member's signature over the device certificate, base64url (absent: as above).
    pub certificate: Option<Base64Url>,
}

/// The answer to `POST /api/v1/devices`: the token is shown this once.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct DeviceCreated {
    /// The device.
    pub device: DeviceInfo,
    /// The device's bearer token (`dcdev_…`); the server keeps only its hash.
    pub token: String,
}

/// The token is a bearer secret: `Debug` never shows it.
impl std::fmt::Debug for DeviceCreated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCreated")
            .field("device", &self.device)
            .field("token", &"[redacted]")
            .finish()
    }
}

/// The member's devices.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeviceList {
    /// Devices, oldest first, revoked ones included.
    pub items: Vec<DeviceInfo>,
}

/// `POST /api/v1/device/records`: one upload batch from a device.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceUpload {
    /// Batch id, chosen by the device (bound into the sealed batch key).
    pub batch_id: Uuid,
    /// The batch key sealed to the member's X25519 key (HPKE envelope 0x30), base64url.
    pub sealed_batch_key: Base64Url,
    /// The records, version 1 each, whose `wrapped_key` names this batch (envelope 0x22).
    pub records: Vec<RecordUpload>,
}

/// A device batch's sealed key, fetched by the member to open its records.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeviceBatchKey {
    /// Batch id.
    pub id: Uuid,
    /// The device that uploaded it.
    pub device_id: Uuid,
    /// HPKE envelope 0x30, base64url.
    pub sealed_batch_key: Base64Url,
}

/// The member's own key material, sealed (`GET /api/v1/members/me/keys`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberKeyMaterial {
    /// The public keys envelope (0x02), as published in the access log, base64url.
    pub public_keys: Base64Url,
    /// The private keys sealed under the vault key, base64url.
    pub sealed_member_keys: Base64Url,
}
