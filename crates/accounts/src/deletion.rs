//! Account deletion (right to erasure): the member confirms with the
//! passphrase; records, blobs (rows with their wrapped keys), device tokens and batch keys,
//! idempotency keys, sessions and the account row with every sealed key go in one transaction;
//! then the blobs' objects are deleted from the blob store. With the sealed vault keys gone, any
//! record ciphertext a backup still holds can no longer be opened by anyone
//! (crypto-shredding). Nothing is kept yet; see docs/accounts.md.

use crate::limiter::LoginLimiter;
use crate::members::Pepper;
use crate::passphrase::{confirm_passphrase, Caller};
use crate::AccountError;
use datacoop_auth::sessions;
use datacoop_store::schema::{device_batches, devices, idempotency_keys, members, records};
use datacoop_store::Db;
use diesel::prelude::*;

/// What deletion removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erased {
    /// Records deleted.
    pub records: u64,
    /// Sessions ended and deleted.
    pub sessions: u64,
    /// Device tokens deleted.
    pub devices: u64,
    /// Blob rows deleted.
    pub blobs: u64,
    /// Objects (SHA-256 hex) no row refers to any more: delete them from the
    /// blob store after the commit ([`crate::blobs::remove_objects`]).
    pub blob_objects: Vec<String>,
}

/// Deletes the caller's account and everything in it, after checking the passphrase.
pub async fn delete_account(
    db: &Db,
    pepper: &Pepper,
    limiter: &LoginLimiter,
    caller: Caller<'_>,
    auth_key: Vec<u8>,
) -> Result<Erased, AccountError> {
    let confirmed_hash = confirm_passphrase(db, pepper, limiter, caller, auth_key).await?;
    let id = caller.member_id;
    db.write(move |conn| -> Result<Erased, AccountError> {
        let key = id.to_string();
        let records =
            diesel::delete(records::table.filter(records::member_id.eq(&key))).execute(conn)?;
        let (blob_count, blob_objects) = crate::blobs::delete_all_in(conn, &key)?;
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::member_id.eq(&key)))
            .execute(conn)?;
        diesel::delete(device_batches::table.filter(device_batches::member_id.eq(&key)))
            .execute(conn)?;
        let devices =
            diesel::delete(devices::table.filter(devices::member_id.eq(&key))).execute(conn)?;
        let sessions = sessions::delete_all_in(conn, id)?;
        let gone = diesel::delete(
            members::table
                .find(&key)
                .filter(members::auth_hash.eq(&confirmed_hash)),
        )
        .execute(conn)?;
        if gone != 1 {
            // The passphrase changed between the check and now: roll back and ask again.
            return Err(AccountError::WrongPassphrase);
        }
        Ok(Erased {
            records: records as u64,
            sessions: sessions as u64,
            devices: devices as u64,
            blobs: blob_count,
            blob_objects,
        })
    })
    .await
}
