//! Which log: a number (the key of its rows) and a name (what operators and
//! error messages call it). Each log has one `log_head` row holding its size;
//! updating that row serialises the log's appenders.

use crate::LogError;
use datacoop_store::schema::log_head;
use datacoop_store::DbConn;
use diesel::prelude::*;

/// One named log. The access log is [`LogId::ACCESS`]; another log's owner
/// declares its own constant and calls [`ensure`] once at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LogId {
    number: i32,
    name: &'static str,
}

impl LogId {
    /// The access log (created by the migrations).
    pub const ACCESS: LogId = LogId::new(1, "access");

    /// A log's identity; numbers and names are unique across logs.
    pub const fn new(number: i32, name: &'static str) -> Self {
        LogId { number, name }
    }

    /// The number its rows are keyed by.
    pub const fn number(self) -> i32 {
        self.number
    }

    /// Its name.
    pub const fn name(self) -> &'static str {
        self.name
    }
}

/// Creates the log's head if it does not exist yet (idempotent); refuses a
/// number already taken by a log of another name.
pub fn ensure(conn: &mut DbConn, log: LogId) -> Result<(), LogError> {
    let existing: Option<String> = log_head::table
        .find(log.number)
        .select(log_head::name)
        .get_result(conn)
        .optional()?;
    match existing {
        Some(name) if name == log.name => Ok(()),
        Some(name) => Err(LogError::Invalid(format!(
            "log number {} is the log {name:?}, not {:?}",
            log.number, log.name
        ))),
        None => {
            diesel::insert_into(log_head::table)
                .values((
                    log_head::id.eq(log.number),
                    log_head::name.eq(log.name),
                    log_head::size.eq(0i64),
                ))
                .execute(conn)?;
            Ok(())
        }
    }
}

/// The number of entries in the log.
pub fn tree_size(conn: &mut DbConn, log: LogId) -> Result<u64, LogError> {
    let size: Option<i64> = log_head::table
        .find(log.number)
        .select(log_head::size)
        .get_result(conn)
        .optional()?;
    let size = size.ok_or_else(|| {
        LogError::Invalid(format!("there is no log {:?} in this database", log.name))
    })?;
    Ok(size.max(0) as u64)
}
