//! The consent API's wire types: granting (a receipt, the share key sealed to the
//! study, the study copies), reading and withdrawing.

use crate::ConsentReceipt;
use datacoop_api::b64::Base64Url;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Most study copies in one upload.
pub const MAX_COPIES_PER_UPLOAD: usize = 1000;

/// Body of `POST /api/v1/consents`: the member's signed receipt and the consent's
/// share key sealed to the study's key. The consent is `preparing` until activated:
/// the study sees nothing of it before.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    /// What the member consents to.
    pub receipt: ConsentReceipt,
    /// The member's Ed25519 signature over the receipt's canonical bytes.
    pub member_signature: Base64Url,
    /// The share key sealed with HPKE to the study's key (box 0x40).
    pub sealed_share_key: Base64Url,
    /// The same share key sealed under the member's vault key (box 0x43): the member's
    /// machines open it to make the study copies of records added later (future data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_share_key: Option<Base64Url>,
}

/// One record's study copy: de-identified and encrypted on the member's machine.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StudyCopyUpload {
    /// The copy's id (random; the study sees this one, never the record's).
    pub id: Uuid,
    /// The member's record it copies (the server checks it is covered; the study never
    /// sees it).
    pub source: Uuid,
    /// The version of the record it copies.
    pub source_version: u64,
    /// The copy's category (the record's).
    pub category: String,
    /// The copy's type code (the record's).
    pub type_code: String,
    /// The copy's effective time, de-identified as the terms say (e.g. `2026-03`).
    pub effective: Option<String>,
    /// Media type of the content.
    pub content_type: String,
    /// The de-identified content sealed under a fresh data key (box 0x20).
    pub ciphertext: Base64Url,
    /// That data key wrapped under the consent's share key (box 0x41).
    pub wrapped_key: Base64Url,
}

/// Body of `POST /api/v1/consents/{id}/copies`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StudyCopies {
    /// At most [`MAX_COPIES_PER_UPLOAD`] copies.
    pub copies: Vec<StudyCopyUpload>,
}

/// How many copies a consent holds after an upload.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CopiesStored {
    /// Copies stored by this upload (a copy sent again is not stored twice).
    pub stored: u64,
    /// Copies the consent holds now.
    pub total: u64,
}

/// Where a consent stands (MIDATA's consent states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    /// Granted, its copies still being uploaded: the study sees nothing yet.
    Preparing,
    /// In force: the study may download its copies.
    Active,
    /// The study ended or was closed: nothing more is shared or downloaded.
    Expired,
    /// The member withdrew: the copies are deleted, every later access refused.
    Withdrawn,
}

/// A consent as its member sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsentView {
    /// The consent.
    pub id: Uuid,
    /// The study.
    pub study: Uuid,
    /// The study's title.
    pub study_title: String,
    /// Where it stands.
    pub state: ConsentState,
    /// What the member consented to.
    pub receipt: ConsentReceipt,
    /// The member's signature over it.
    pub member_signature: Base64Url,
    /// The server's countersignature (once active), by the access log's key.
    pub server_signature: Option<Base64Url>,
    /// The access-log entry that records the grant.
    pub granted_index: Option<u64>,
    /// Study copies held now.
    pub copies: u64,
    /// When the member withdrew (RFC 3339).
    pub withdrawn_at: Option<String>,
    /// The share key sealed under the member's vault key (box 0x43), if the member's
    /// client left one: for the copies of records added later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_share_key: Option<Base64Url>,
}

/// The member's consents.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsentList {
    /// Newest first.
    pub consents: Vec<ConsentView>,
}

/// Which consents to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsentQuery {
    /// Only consents to this study.
    pub study: Option<Uuid>,
}
