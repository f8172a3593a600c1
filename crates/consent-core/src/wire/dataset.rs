//! The dataset download's wire types: one NDJSON stream of a study's consented data,
//! in pages the client may resume after.

use datacoop_api::b64::Base64Url;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Media type of the download.
pub const NDJSON: &str = "application/x-ndjson";

/// Query of `GET /api/v1/studies/{id}/dataset`.
#[derive(Debug, Clone, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DatasetQuery {
    /// The export's id, chosen by the researcher's client: every participant is logged
    /// once per export, so a download resumed under the same id logs nothing twice.
    pub export: Uuid,
    /// Resume after this cursor (the last `page` line received).
    #[param(min_length = 1, max_length = 100)]
    pub after: Option<String>,
}

/// Where a page ends: the participant's pseudonym and the copy's id, as
/// `<pseudonym>/<copy id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor {
    /// The last participant served.
    pub pseudonym: Uuid,
    /// Their last copy served.
    pub copy: Uuid,
}

impl Cursor {
    /// As sent in `page` lines and `after`.
    pub fn to_text(&self) -> String {
        format!("{}/{}", self.pseudonym, self.copy)
    }

    /// Parses `after`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "`after` must be the cursor of a `page` line (`<pseudonym>/<copy id>`), not `{text}`"
            )
        };
        let (p, c) = text.split_once('/').ok_or_else(bad)?;
        Ok(Cursor {
            pseudonym: p.parse().map_err(|_| bad())?,
            copy: c.parse().map_err(|_| bad())?,
        })
    }
}

/// One line of the download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DatasetLine {
    /// A participant who withdrew (or deleted their account): nothing of theirs is
    /// served any more. Sent at the start of a download (not on resumption).
    Withdrawn {
        /// Their pseudonym in the study.
        pseudonym: Uuid,
        /// When (RFC 3339).
        withdrawn_at: String,
    },
    /// A participant whose copies follow, before the first of them in each page.
    Participant(DatasetParticipant),
    /// One study copy.
    Copy(DatasetCopy),
    /// The end of a page: resume after its cursor.
    Page {
        /// Pass as `after` to resume.
        cursor: String,
    },
    /// The end of the download: a stream without it was cut.
    End {
        /// Participants whose copies this response held.
        participants: u64,
        /// Copies this response held.
        copies: u64,
    },
}

/// A participant, as the study knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DatasetParticipant {
    /// Their pseudonym in the study (a different one in every study).
    pub pseudonym: Uuid,
    /// The consent (bound into the sealed share key; the study sees nothing else of it).
    pub consent: Uuid,
    /// The categories they consented to.
    pub categories: Vec<String>,
    /// The consent's share key sealed to the study's key (box 0x40).
    pub sealed_share_key: Base64Url,
    /// Index of the access-log entry recording this export of their data.
    pub log_index: u64,
    /// That entry in its sealed form (the leaf data; the member part is a commitment).
    pub log_entry: Base64Url,
}

/// A study copy as downloaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DatasetCopy {
    /// Whose it is.
    pub pseudonym: Uuid,
    /// The copy's id.
    pub id: Uuid,
    /// Category.
    pub category: String,
    /// Type code.
    pub type_code: String,
    /// Effective time, de-identified as the terms say.
    pub effective: Option<String>,
    /// Media type of the content.
    pub content_type: String,
    /// The content sealed under the copy's data key (box 0x20).
    pub ciphertext: Base64Url,
    /// The data key wrapped under the consent's share key (box 0x41).
    pub wrapped_key: Base64Url,
}
