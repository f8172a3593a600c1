//! Appending leaves to a log, inside the caller's transaction.

use crate::reader::DbHashReader;
use crate::{LogError, LogId};
use datacoop_merkle::{stored_hash_index, stored_hashes_for_batch, Hash};
use datacoop_store::schema::{log_hashes as h, log_head};
use datacoop_store::DbConn;
use diesel::prelude::*;

/// Appends leaves (hashes of the owner's encoded entries) as the log's next
/// leaves; returns the index of the first. Call it inside the transaction
/// that performs what the entries record, so both commit or neither does.
/// The head row update serialises concurrent appenders of the same log.
pub fn append_leaves(conn: &mut DbConn, log: LogId, leaves: &[Hash]) -> Result<u64, LogError> {
    if leaves.is_empty() {
        return crate::tree_size(conn, log);
    }
    let n = reserve(conn, log, leaves.len() as u64)?;
    store_leaves(conn, log, n, leaves)?;
    Ok(n)
}

/// Reserves the log's next `count` leaf indexes and returns the first: the
/// first half of [`append_leaves`], for an owner whose leaves depend on
/// what the log holds (the access log chains each member's entries). The
/// head row stays locked until the transaction ends, so what the caller
/// reads next is what the previous appender committed. Follow it, in the
/// same transaction, with [`store_leaves`] for exactly `count` leaves.
pub fn reserve(conn: &mut DbConn, log: LogId, count: u64) -> Result<u64, LogError> {
    let k = count as i64;
    let number = log.number();
    let new_size: i64 =
        datacoop_store::on_backend!(conn, |c| diesel::update(log_head::table.find(number))
            .set(log_head::size.eq(log_head::size + k))
            .returning(log_head::size)
            .get_result(c))
        .optional()?
        .ok_or_else(|| {
            LogError::Invalid(format!("there is no log {:?} in this database", log.name()))
        })?;
    Ok((new_size - k) as u64)
}

/// Stores `leaves` at indexes `n..` reserved by [`reserve`].
pub fn store_leaves(
    conn: &mut DbConn,
    log: LogId,
    n: u64,
    leaves: &[Hash],
) -> Result<(), LogError> {
    let number = log.number();
    let hashes: Vec<Hash> = stored_hashes_for_batch(n, leaves, &DbHashReader::new(log, conn))?;
    let first = stored_hash_index(0, n) as i64;
    let rows: Vec<_> = hashes
        .iter()
        .enumerate()
        .map(|(i, hash)| {
            (
                h::log_id.eq(number),
                h::idx.eq(first + i as i64),
                h::hash.eq(hash.as_bytes().to_vec()),
            )
        })
        .collect();
    // Multi-row inserts are not available through MultiConnection; issue
    // them on the concrete connection.
    for chunk in rows.chunks(200) {
        datacoop_store::on_backend!(conn, |c| diesel::insert_into(h::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}
