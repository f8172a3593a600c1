//! A member's encrypted records.

use crate::{App, AppError, MemberCaller};
use datacoop_accounts::records;
use datacoop_api::records::{
    BatchResult, RecordFull, RecordMeta, RecordPage, RecordQuery, RecordUpload,
};
use datacoop_api::RecordId;
use datacoop_store::idempotency::IdempotencyKey;

impl App {
    /// Stores records in one all-or-nothing transaction; a retry with the
    /// same `Idempotency-Key` (or the same ids and content) stores nothing twice.
    pub async fn create_records(
        &self,
        caller: &MemberCaller,
        uploads: Vec<RecordUpload>,
        key: Option<IdempotencyKey>,
    ) -> Result<BatchResult, AppError> {
        Ok(records::create(&self.db, caller.id, caller.actor(), uploads, key).await?)
    }

    /// The member's records (metadata only), filtered, with a cursor.
    pub async fn list_records(
        &self,
        caller: &MemberCaller,
        query: RecordQuery,
    ) -> Result<RecordPage, AppError> {
        Ok(records::list(&self.db, caller.id, query).await?)
    }

    /// One record with its ciphertext; the read is logged in the same transaction.
    pub async fn read_record(
        &self,
        caller: &MemberCaller,
        id: RecordId,
    ) -> Result<RecordFull, AppError> {
        Ok(records::get(&self.db, caller.id, id, caller.actor()).await?)
    }

    /// Many records with their ciphertext at once; each read is logged, in one transaction.
    pub async fn read_records(
        &self,
        caller: &MemberCaller,
        ids: Vec<uuid::Uuid>,
    ) -> Result<datacoop_api::records::RecordsRead, AppError> {
        Ok(
            datacoop_accounts::records_read::get_many(&self.db, caller.id, ids, caller.actor())
                .await?,
        )
    }

    /// Stores the next version of record `id` (version must be current + 1).
    pub async fn update_record(
        &self,
        caller: &MemberCaller,
        id: RecordId,
        upload: RecordUpload,
    ) -> Result<RecordMeta, AppError> {
        if upload.id != id.uuid() {
            return Err(AppError::Invalid(
                "the body's id differs from the path".into(),
            ));
        }
        Ok(records::update(&self.db, caller.id, caller.actor(), upload).await?)
    }

    /// Deletes a record.
    pub async fn delete_record(&self, caller: &MemberCaller, id: RecordId) -> Result<(), AppError> {
        Ok(records::delete(&self.db, caller.id, id, caller.actor()).await?)
    }
}
