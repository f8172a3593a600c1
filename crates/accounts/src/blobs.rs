//! Blobs: large encrypted files. The row holds what the server may know
//! (category, ciphertext size and SHA-256, the wrapped data key, the sealed
//! metadata); the ciphertext is the object `blobs/<sha256>` in the blob store.
//! Every read of content goes through [`open_content`], which logs it.

mod upload;

pub use upload::{
    upload, validate, Limits, UploadHeaders, MAX_SEALED_META, MAX_WRAPPED_KEY, MIN_CIPHERTEXT,
};

use crate::AccountError;
use bytes::Bytes;
use datacoop_accesslog::{self as accesslog, Action, Actor};
use datacoop_api::blobs::{BlobMeta, BlobPage, BlobQuery, MAX_PAGE};
use datacoop_api::{BlobId, MemberId};
use datacoop_store::schema::blobs as b;
use datacoop_store::time::format_micros;
use datacoop_store::{load_page, BlobStore, Db, DbConn, Page, StoreError};
use diesel::prelude::*;
use futures_util::stream::BoxStream;

#[derive(Queryable, Selectable)]
#[diesel(table_name = b)]
pub(super) struct Row {
    id: String,
    category: String,
    size: i64,
    sha256: String,
    wrapped_key: Vec<u8>,
    sealed_meta: Vec<u8>,
    created_at: i64,
}

impl Row {
    fn into_api(self) -> Result<BlobMeta, AccountError> {
        Ok(BlobMeta {
            id: self
                .id
                .parse()
                .map_err(|_| AccountError::Invalid("stored blob id is not a UUID".into()))?,
            category: self.category,
            size: self.size.max(0) as u64,
            sha256: self.sha256,
            created_at: format_micros(self.created_at),
            wrapped_key: self.wrapped_key.into(),
            sealed_meta: self.sealed_meta.into(),
        })
    }
}

pub(super) fn find(conn: &mut DbConn, member: &str, id: &str) -> Result<Option<Row>, AccountError> {
    Ok(b::table
        .find((member, id))
        .select(Row::as_select())
        .get_result(conn)
        .optional()?)
}

fn references(conn: &mut DbConn, sha: &str) -> Result<i64, AccountError> {
    Ok(b::table
        .filter(b::sha256.eq(sha))
        .count()
        .get_result(conn)?)
}

/// Deletes an object when no row refers to it any more (best effort: a
/// failure is logged; the object is ciphertext whose key is gone).
pub(super) async fn remove_if_unreferenced(db: &Db, store: &BlobStore, sha: String) {
    let check = sha.clone();
    let refs = db
        .read(move |conn| references(conn, &check))
        .await
        .unwrap_or(1);
    if refs == 0 {
        remove_objects(store, &[sha]).await;
    }
}

/// Deletes objects from the blob store, logging (not returning) failures.
pub async fn remove_objects(store: &BlobStore, hashes: &[String]) {
    for sha in hashes {
        if let Err(e) = store.delete(sha).await {
            tracing::error!(error = %e, object = %sha, "cannot delete a blob object");
        }
    }
}

/// One page of the member's blobs (metadata only), in stable id order.
pub async fn list(db: &Db, member: MemberId, q: BlobQuery) -> Result<BlobPage, AccountError> {
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_PAGE) as usize;
    let member = member.to_string();
    let page: Page<Row> = db
        .read(move |conn| -> Result<_, AccountError> {
            let mut query = b::table
                .filter(b::member_id.eq(member))
                .select(Row::as_select())
                .order(b::id.asc())
                .into_boxed();
            if let Some(c) = q.category {
                query = query.filter(b::category.eq(c));
            }
            if let Some(a) = q.after {
                query = query.filter(b::id.gt(a.to_string()));
            }
            Ok(load_page(conn, query, limit)?)
        })
        .await?;
    let items = page
        .rows
        .into_iter()
        .map(Row::into_api)
        .collect::<Result<Vec<_>, _>>()?;
    let next_after = if page.more {
        items.last().map(|m| m.id)
    } else {
        None
    };
    Ok(BlobPage { items, next_after })
}

/// One blob's metadata (wrapped key and sealed metadata included; no content).
pub async fn get(db: &Db, member: MemberId, id: BlobId) -> Result<BlobMeta, AccountError> {
    let (m, i) = (member.to_string(), id.to_string());
    db.read(move |conn| find(conn, &m, &i))
        .await?
        .ok_or(AccountError::NotFound)?
        .into_api()
}

/// A blob's ciphertext as a stream: the one read path for blob content. The
/// metadata lookup and its access-log entry are one transaction, so a read
/// that cannot be logged does not happen.
pub async fn open_content(
    db: &Db,
    store: &BlobStore,
    member: MemberId,
    id: BlobId,
    actor: Actor,
) -> Result<(BlobMeta, BoxStream<'static, Result<Bytes, StoreError>>), AccountError> {
    let mut entry = accesslog::entry(actor, Action::BlobRead, member.uuid())?;
    entry.record = Some(id.uuid());
    let (m, i) = (member.to_string(), id.to_string());
    let meta = db
        .read_grouped_then(
            move |conn| -> Result<(BlobMeta, Vec<accesslog::AccessEntry>), AccountError> {
                let row = find(conn, &m, &i)?.ok_or(AccountError::NotFound)?;
                Ok((row.into_api()?, vec![entry]))
            },
        )
        .await?;
    let (size, stream) = store.get(&meta.sha256).await?;
    if size != meta.size {
        return Err(AccountError::Store(StoreError::BlobStore(format!(
            "object {} holds {size} bytes, its row says {}",
            meta.sha256, meta.size
        ))));
    }
    Ok((meta, stream))
}

/// Deletes a blob's row inside the caller's transaction, logged as
/// `blob_deleted` by `actor`; returns its object when no other row refers
/// to it any more (delete that with [`remove_objects`] after the commit).
pub fn delete(
    conn: &mut DbConn,
    member: MemberId,
    id: BlobId,
    actor: Actor,
) -> Result<Option<String>, AccountError> {
    let (m, i) = (member.to_string(), id.to_string());
    let row = find(conn, &m, &i)?.ok_or(AccountError::NotFound)?;
    diesel::delete(b::table.find((&m, &i))).execute(conn)?;
    let mut entry = accesslog::entry(actor, Action::BlobDeleted, member.uuid())?;
    entry.record = Some(id.uuid());
    accesslog::append(conn, &[entry])?;
    Ok((references(conn, &row.sha256)? == 0).then_some(row.sha256))
}

/// Erasure: deletes every blob row of a member inside the caller's
/// transaction; returns how many and the objects no row refers to any more
/// (delete those with [`remove_objects`] after the commit).
pub fn erase_member(
    conn: &mut DbConn,
    member: MemberId,
) -> Result<(u64, Vec<String>), AccountError> {
    let member = member.to_string();
    let member = member.as_str();
    let mut hashes: Vec<String> = b::table
        .filter(b::member_id.eq(member))
        .select(b::sha256)
        .load(conn)?;
    let n = diesel::delete(b::table.filter(b::member_id.eq(member))).execute(conn)?;
    hashes.sort();
    hashes.dedup();
    let mut orphans = Vec::with_capacity(hashes.len());
    for sha in hashes {
        if references(conn, &sha)? == 0 {
            orphans.push(sha);
        }
    }
    Ok((n as u64, orphans))
}
