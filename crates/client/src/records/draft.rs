//! Drafts of records and the bindings of what is shown beside a record (record format
//! 2, docs/crypto.md section 9): what sealing binds and opening checks.

use crate::ClientError;
use datacoop_api::records::{RecordMeta, RecordUpload};
use datacoop_crypto::{Author, RecordBinding, SealedRecord};
use uuid::Uuid;

/// A record before encryption: what the member's tools know about it.
#[derive(Debug, Clone)]
pub struct RecordDraft {
    /// Visible category.
    pub category: String,
    /// Visible type.
    pub type_code: String,
    /// Visible effective time (RFC 3339).
    pub effective_at: Option<String>,
    /// Media type of the content.
    pub content_type: String,
    /// The plaintext.
    pub content: Vec<u8>,
}

/// The fields shown beside a record, as text (the effective time is RFC 3339).
struct Shown<'a> {
    content_type: &'a str,
    category: &'a str,
    type_code: &'a str,
    effective_at: Option<&'a str>,
}

/// The binding of a record version as its visible fields say.
fn binding_for(
    member_id: Uuid,
    record_id: Uuid,
    version: u64,
    shown: Shown<'_>,
    author: Author,
) -> Result<RecordBinding, String> {
    // A file's sealed name is bound like a record (its id, version 1) under this media
    // type; no record may carry it, so the server cannot serve one as the other.
    if shown
        .content_type
        .eq_ignore_ascii_case(datacoop_api::blobs::META_CONTENT_TYPE)
    {
        return Err(format!(
            "{} is the media type of a file's sealed name, never a record's (a record shown \
             with it is a file's name served as a record)",
            datacoop_api::blobs::META_CONTENT_TYPE
        ));
    }
    let effective_at = shown
        .effective_at
        .map(|t| {
            datacoop_api::time::parse_micros(t).ok_or_else(|| {
                format!(
                    "effective_at must be an RFC 3339 time such as 2026-11-25T08:30:00Z, not {t:?}"
                )
            })
        })
        .transpose()?;
    Ok(RecordBinding {
        member_id,
        record_id,
        version,
        content_type: shown.content_type.to_owned(),
        category: shown.category.to_owned(),
        type_code: shown.type_code.to_owned(),
        effective_at,
        author,
    })
}

/// The binding the server's metadata claims for a record version.
pub(crate) fn meta_binding(
    member_id: Uuid,
    meta: &RecordMeta,
    author: Author,
) -> Result<RecordBinding, ClientError> {
    let shown = Shown {
        content_type: &meta.content_type,
        category: &meta.category,
        type_code: &meta.type_code,
        effective_at: meta.effective_at.as_deref(),
    };
    binding_for(member_id, meta.id, meta.version, shown, author)
        .map_err(|e| ClientError::Decode(format!("record {}: {e}", meta.id)))
}

impl From<&datacoop_formats::ImportItem> for RecordDraft {
    /// A parsed FHIR or Darwin Core entry, ready to seal.
    fn from(i: &datacoop_formats::ImportItem) -> Self {
        RecordDraft {
            category: i.category.clone(),
            type_code: i.type_code.clone(),
            effective_at: i.effective_at.clone(),
            content_type: i.content_type.clone(),
            content: i.content.clone(),
        }
    }
}

impl RecordDraft {
    /// The binding of this draft as version 1 of record `id` of `member_id`.
    pub(crate) fn binding(
        &self,
        member_id: Uuid,
        id: Uuid,
        author: Author,
    ) -> Result<RecordBinding, ClientError> {
        let shown = Shown {
            content_type: &self.content_type,
            category: &self.category,
            type_code: &self.type_code,
            effective_at: self.effective_at.as_deref(),
        };
        binding_for(member_id, id, 1, shown, author).map_err(ClientError::Input)
    }

    /// The upload of this draft as version 1 of record `id`, once sealed.
    pub(crate) fn upload(&self, id: Uuid, sealed: SealedRecord) -> RecordUpload {
        RecordUpload {
            id,
            version: 1,
            category: self.category.clone(),
            type_code: self.type_code.clone(),
            effective_at: self.effective_at.clone(),
            content_type: self.content_type.clone(),
            ciphertext: sealed.ciphertext.into(),
            wrapped_key: sealed.wrapped_key.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn no_record_takes_the_media_type_of_a_files_sealed_name() {
        let shown = |content_type| Shown {
            content_type,
            category: "health.documents",
            type_code: "",
            effective_at: None,
        };
        let meta = datacoop_api::blobs::META_CONTENT_TYPE;
        let err = binding_for(Uuid::nil(), Uuid::nil(), 1, shown(meta), Author::Member);
        assert!(err.unwrap_err().contains("sealed name"));
        assert!(binding_for(
            Uuid::nil(),
            Uuid::nil(),
            1,
            shown("application/json"),
            Author::Member
        )
        .is_ok());
    }
}
