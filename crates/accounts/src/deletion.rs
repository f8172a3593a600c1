//! Account deletion (right to erasure), the accounts part: the member
//! confirms with the passphrase ([`crate::passphrase::confirm`]); then, inside the application
//! layer's one erasure transaction, [`erase_member`] asks each module for its
//! rows (records, blobs with their wrapped keys, devices and batch keys) and
//! deletes the account row with every sealed key last. With the sealed vault
//! keys gone, any ciphertext a backup still holds can no longer be opened by
//! anyone (crypto-shredding). See docs/accounts.md.

use crate::passphrase::Confirmed;
use crate::{blobs, devices, records, AccountError};
use datacoop_store::schema::members;
use datacoop_store::DbConn;
use diesel::prelude::*;

/// What the accounts part of an erasure removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erased {
    /// Records deleted.
    pub records: u64,
    /// Device tokens deleted.
    pub devices: u64,
    /// Blob rows deleted.
    pub blobs: u64,
    /// Objects (SHA-256 hex) no row refers to any more: delete them from the
    /// blob store after the commit ([`crate::blobs::remove_objects`]).
    pub blob_objects: Vec<String>,
}

/// Locks the account's row for the erasure, first in its transaction: every other
/// transaction that touches both the account and its sessions (a passphrase change, a
/// recovery, a key rotation) also takes the account's row first, so on PostgreSQL they
/// queue instead of deadlocking. [`AccountError::WrongPassphrase`] if the passphrase
/// changed since it was confirmed.
pub fn lock_member(conn: &mut DbConn, confirmed: &Confirmed) -> Result<(), AccountError> {
    let id = confirmed.member.to_string();
    let locked = diesel::update(
        members::table
            .find(&id)
            .filter(members::auth_hash.eq(&confirmed.auth_hash)),
    )
    .set(members::id.eq(&id))
    .execute(conn)?;
    if locked != 1 {
        return Err(AccountError::WrongPassphrase);
    }
    Ok(())
}

/// Deletes the account and everything in it, inside the caller's transaction.
/// Fails with [`AccountError::WrongPassphrase`] (roll back and ask again) if
/// the passphrase changed since it was confirmed.
pub fn erase_member(conn: &mut DbConn, confirmed: &Confirmed) -> Result<Erased, AccountError> {
    let id = confirmed.member;
    let records = records::erase_member(conn, id)?;
    let (blobs, blob_objects) = blobs::erase_member(conn, id)?;
    let devices = devices::erase_member(conn, id)?;
    let gone = diesel::delete(
        members::table
            .find(id.to_string())
            .filter(members::auth_hash.eq(&confirmed.auth_hash)),
    )
    .execute(conn)?;
    if gone != 1 {
        return Err(AccountError::WrongPassphrase);
    }
    // The id is retired: the access log still names it, so no later account may take it.
    diesel::insert_into(datacoop_store::schema::retired_member_ids::table)
        .values((
            datacoop_store::schema::retired_member_ids::id.eq(id.to_string()),
            datacoop_store::schema::retired_member_ids::retired_at
                .eq(datacoop_store::time::now_micros()),
        ))
        .execute(conn)?;
    Ok(Erased {
        records,
        devices,
        blobs,
        blob_objects,
    })
}
