//! A member's blobs: encrypted files streamed up and down.

use crate::{App, AppError, MemberCaller};
use bytes::Bytes;
use datacoop_accounts::blobs::{self, UploadHeaders};
use datacoop_api::blobs::{BlobMeta, BlobPage, BlobQuery};
use datacoop_api::BlobId;
use datacoop_store::StoreError;
use futures_util::stream::BoxStream;
use futures_util::Stream;
use std::fmt::Display;

/// A blob's ciphertext, streamed from the blob store.
pub type Content = BoxStream<'static, Result<Bytes, StoreError>>;

impl App {
    /// Stores a blob from its ciphertext stream; `Ok(_, false)` when the same
    /// id already holds this ciphertext (a retry).
    pub async fn upload_blob<S, E>(
        &self,
        caller: &MemberCaller,
        id: BlobId,
        declared: UploadHeaders,
        body: S,
    ) -> Result<(BlobMeta, bool), AppError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: Display,
    {
        Ok(blobs::upload(
            &self.db,
            &self.blobs,
            caller.id,
            id,
            declared,
            body,
            blobs::Limits {
                max_size: self.settings.max_blob_bytes,
                quota: self.settings.blob_quota_bytes,
            },
        )
        .await?)
    }

    /// The member's blobs (metadata only), with a cursor.
    pub async fn list_blobs(
        &self,
        caller: &MemberCaller,
        query: BlobQuery,
    ) -> Result<BlobPage, AppError> {
        Ok(blobs::list(&self.db, caller.id, query).await?)
    }

    /// One blob's metadata.
    pub async fn blob_meta(&self, caller: &MemberCaller, id: BlobId) -> Result<BlobMeta, AppError> {
        Ok(blobs::get(&self.db, caller.id, id).await?)
    }

    /// A blob's ciphertext; the read is logged first, in the lookup's transaction.
    pub async fn read_blob(
        &self,
        caller: &MemberCaller,
        id: BlobId,
    ) -> Result<(BlobMeta, Content), AppError> {
        Ok(blobs::open_content(&self.db, &self.blobs, caller.id, id, caller.actor()).await?)
    }

    /// Deletes a blob; its object goes after the commit when no other blob refers to it.
    pub async fn delete_blob(&self, caller: &MemberCaller, id: BlobId) -> Result<(), AppError> {
        let (member, actor) = (caller.id, caller.actor());
        let orphan = self
            .db
            .write(move |conn| -> Result<_, AppError> {
                Ok(blobs::delete(conn, member, id, actor)?)
            })
            .await?;
        blobs::remove_objects(&self.blobs, orphan.as_slice()).await;
        Ok(())
    }
}
