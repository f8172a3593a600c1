//! Blobs: large encrypted files streamed up and down. The body of
//! `PUT /api/v1/blobs/{id}` is the ciphertext stream itself
//! (`application/octet-stream`); what the server may see travels in headers.

use crate::b64::Base64Url;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Header: the visible category, e.g. `health.documents`.
pub const HEADER_CATEGORY: &str = "Datacoop-Blob-Category";
/// Header: the wrapped data key (record-key-wrap envelope), base64url.
pub const HEADER_WRAPPED_KEY: &str = "Datacoop-Wrapped-Key";
/// Header: the sealed member-private metadata (file name, media type), base64url.
pub const HEADER_SEALED_META: &str = "Datacoop-Sealed-Meta";
/// Header: the ciphertext length, for a chunked body (else `Content-Length` says it).
pub const HEADER_SIZE: &str = "Datacoop-Blob-Size";
/// Header (optional): the SHA-256 of the ciphertext, lower-case hex.
pub const HEADER_SHA256: &str = "Datacoop-Content-Sha256";
/// Media type of the sealed metadata (bound into its box like a record's content type).
pub const META_CONTENT_TYPE: &str = "application/vnd.datacoop.blob-meta+json";
/// Default category of uploaded files.
pub const DEFAULT_CATEGORY: &str = "health.documents";
/// Largest page a blob list returns.
pub const MAX_PAGE: u32 = 1000;

/// What the server stores about a blob (never its plaintext, name or media type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BlobMeta {
    /// Blob id, chosen by the client (bound into the ciphertext's header).
    pub id: Uuid,
    /// Visible category.
    pub category: String,
    /// Ciphertext length, bytes.
    pub size: u64,
    /// SHA-256 of the ciphertext, lower-case hex (the object's name in the blob store).
    pub sha256: String,
    /// When it was stored, RFC 3339 UTC.
    pub created_at: String,
    /// Wrapped data key envelope, base64url.
    pub wrapped_key: Base64Url,
    /// Sealed metadata (file name, media type, plaintext size), base64url.
    pub sealed_meta: Base64Url,
}

/// One page of a blob list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BlobPage {
    /// Blobs, in stable id order.
    pub items: Vec<BlobMeta>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<Uuid>,
}

/// Filter and cursor of `GET /api/v1/blobs`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BlobQuery {
    /// Only this category.
    pub category: Option<String>,
    /// Cursor: the `next_after` of the previous page.
    pub after: Option<Uuid>,
    /// Page size (default 100, at most 1000).
    pub limit: Option<u32>,
}

/// The member-private metadata, sealed on the client (never seen by the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobPrivateMeta {
    /// The original file name (no directories).
    pub name: String,
    /// Media type of the plaintext, e.g. `application/pdf`.
    pub media_type: String,
    /// Plaintext length, bytes.
    pub size: u64,
}

/// The ciphertext stream, as raw bytes (for the OpenAPI document).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Ciphertext(pub Vec<u8>);
