//! Times: microseconds since the epoch in storage, RFC 3339 UTC on the wire.

use crate::StoreError;
use time::OffsetDateTime;

/// Parses RFC 3339 (any offset) into epoch microseconds.
pub fn parse_micros(text: &str, field: &str) -> Result<i64, StoreError> {
    datacoop_api::time::parse_micros(text).ok_or_else(|| {
        StoreError::Invalid(format!(
            "{field} must be an RFC 3339 time between the years 1 and 9999 such as \
             2026-11-25T08:30:00Z, not {text:?}"
        ))
    })
}

/// A list filter's optional `from` (inclusive) and `to` (exclusive) times,
/// parsed into epoch microseconds.
pub fn parse_range(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<i64>, Option<i64>), StoreError> {
    Ok((
        from.map(|t| parse_micros(t, "from")).transpose()?,
        to.map(|t| parse_micros(t, "to")).transpose()?,
    ))
}

pub use datacoop_api::time::format_micros;

/// Now, in epoch microseconds.
pub fn now_micros() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000).unwrap_or(0)
}
