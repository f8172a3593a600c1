//! Encrypted records: ciphertext and wrapped key, plus the metadata the member
//! chose to expose (category, type, effective time) for lists and filters.

use crate::b64::Base64Url;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Largest page a list returns.
pub const MAX_PAGE: u32 = 1000;
/// Most records in one batch upload.
pub const MAX_BATCH: usize = 5000;

/// One record to store (`POST /api/v1/records`, or one item of a batch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordUpload {
    /// Record id, chosen by the client (bound into the ciphertext's associated data).
    pub id: Uuid,
    /// Version, starting at 1 (also bound into the associated data).
    pub version: u64,
    /// Visible category, e.g. `health.vital-signs`, `catch.landing`.
    pub category: String,
    /// Visible type, e.g. a LOINC code or a species name.
    pub type_code: String,
    /// Visible effective time, RFC 3339.
    #[serde(default)]
    pub effective_at: Option<String>,
    /// Media type of the plaintext (bound into the associated data).
    pub content_type: String,
    /// Content envelope, base64url.
    pub ciphertext: Base64Url,
    /// Wrapped data key envelope, base64url.
    pub wrapped_key: Base64Url,
}

/// Many records in one all-or-nothing request (imports).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchUpload {
    /// The records; at most `MAX_BATCH`.
    pub records: Vec<RecordUpload>,
}

/// What a batch stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BatchResult {
    /// Records stored (all of the batch).
    pub stored: usize,
}

/// A record's visible metadata, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordMeta {
    /// Record id.
    pub id: Uuid,
    /// Current version.
    pub version: u64,
    /// Category.
    pub category: String,
    /// Type.
    pub type_code: String,
    /// Effective time, RFC 3339 UTC.
    pub effective_at: Option<String>,
    /// Media type of the plaintext.
    pub content_type: String,
    /// Ciphertext size, bytes.
    pub size: u64,
    /// When this version was stored, RFC 3339 UTC.
    pub updated_at: String,
    /// The device that added it (absent: the member's own client).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<Uuid>,
}

/// A record with its ciphertext, as fetched.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordFull {
    /// Metadata.
    #[serde(flatten)]
    pub meta: RecordMeta,
    /// Content envelope, base64url.
    pub ciphertext: Base64Url,
    /// Wrapped data key envelope, base64url.
    pub wrapped_key: Base64Url,
}

/// Most records in one `POST /api/v1/records/read`.
pub const MAX_RECORDS_READ: usize = 500;

/// Body of `POST /api/v1/records/read`: records to fetch at once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordsReadRequest {
    /// Record ids, 1 to 500, no repeats.
    #[schema(min_items = 1, max_items = 500)]
    pub ids: Vec<Uuid>,
}

/// The records read at once, each logged as its own read.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordsRead {
    /// The records found, in the order asked.
    pub records: Vec<RecordFull>,
    /// Ids asked for that are not the member's records.
    pub missing: Vec<Uuid>,
}

/// One page of a record list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordPage {
    /// Records, in stable id order.
    pub items: Vec<RecordMeta>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<Uuid>,
}

/// Filters and cursor of `GET /api/v1/records`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecordQuery {
    /// Only this category.
    pub category: Option<String>,
    /// Only this type.
    pub type_code: Option<String>,
    /// Effective at or after (RFC 3339).
    pub from: Option<String>,
    /// Effective before (RFC 3339).
    pub to: Option<String>,
    /// Cursor: the `next_after` of the previous page.
    pub after: Option<Uuid>,
    /// Page size (default 100, at most 1000).
    pub limit: Option<u32>,
}
