//! Reads one log's stored tree hashes from `log_hashes` on the caller's connection.

use crate::LogId;
use datacoop_merkle::{Hash, HashReader, TreeError};
use datacoop_store::schema::log_hashes as h;
use datacoop_store::DbConn;
use diesel::prelude::*;
use std::cell::RefCell;

/// A [`HashReader`] over one log's hashes in the database, inside whatever
/// transaction the caller holds.
pub(crate) struct DbHashReader<'a> {
    log: i32,
    conn: RefCell<&'a mut DbConn>,
}

impl<'a> DbHashReader<'a> {
    pub(crate) fn new(log: LogId, conn: &'a mut DbConn) -> Self {
        DbHashReader {
            log: log.number(),
            conn: RefCell::new(conn),
        }
    }
}

impl HashReader for DbHashReader<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        if indexes.is_empty() {
            return Ok(Vec::new());
        }
        let wanted: Vec<i64> = indexes.iter().map(|&i| i as i64).collect();
        let mut conn = self.conn.borrow_mut();
        let rows: Vec<(i64, Vec<u8>)> = h::table
            .filter(h::log_id.eq(self.log))
            .filter(h::idx.eq_any(&wanted))
            .select((h::idx, h::hash))
            .load(&mut **conn)
            .map_err(|e| TreeError::Storage(Box::new(e)))?;
        let found: std::collections::HashMap<i64, Vec<u8>> = rows.into_iter().collect();
        indexes
            .iter()
            .map(|&i| {
                found
                    .get(&(i as i64))
                    .and_then(|b| Hash::from_slice(b))
                    .ok_or(TreeError::MissingHash { index: i })
            })
            .collect()
    }
}
