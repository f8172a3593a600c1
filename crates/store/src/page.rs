//! One page of an ordered list query, the same way on both backends.

use crate::DbConn;
use diesel::connection::DefaultLoadingMode;
use diesel::query_dsl::methods::LimitDsl;
use diesel::query_dsl::{LoadQuery, RunQueryDsl};
use diesel::QueryResult;

/// At most `limit` rows of a list, and whether more follow.
#[derive(Debug)]
pub struct Page<T> {
    /// The rows of this page.
    pub rows: Vec<T>,
    /// True when at least one more row follows (the caller hands out a cursor).
    pub more: bool,
}

/// Loads up to `limit` rows of an ordered query, plus one to know whether
/// more follow. PostgreSQL gets `LIMIT limit + 1`; on SQLite the cursor
/// simply stops after `limit + 1` rows, because SQLite re-prepares a
/// statement whose `LIMIT` is a bound parameter every time it is bound.
pub fn load_page<'q, Q, U>(conn: &mut DbConn, query: Q, limit: usize) -> QueryResult<Page<U>>
where
    Q: LimitDsl + LoadQuery<'q, DbConn, U> + 'q,
    Q::Output: LoadQuery<'q, DbConn, U>,
    U: 'q,
{
    let wanted = limit.saturating_add(1);
    let mut rows: Vec<U> = if matches!(conn, DbConn::Sqlite(_)) {
        query
            .load_iter::<U, DefaultLoadingMode>(conn)?
            .take(wanted)
            .collect::<QueryResult<_>>()?
    } else {
        query
            .limit(i64::try_from(wanted).unwrap_or(i64::MAX))
            .load(conn)?
    };
    let more = rows.len() > limit;
    rows.truncate(limit);
    Ok(Page { rows, more })
}
