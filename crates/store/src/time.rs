//! Times: microseconds since the epoch in storage, RFC 3339 UTC on the wire.

use crate::StoreError;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Parses RFC 3339 (any offset) into epoch microseconds.
pub fn parse_micros(text: &str, field: &str) -> Result<i64, StoreError> {
    let t = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
        StoreError::Invalid(format!(
            "{field} must be an RFC 3339 time such as 2026-11-25T08:30:00Z, not {text:?}"
        ))
    })?;
    i64::try_from(t.unix_timestamp_nanos() / 1000)
        .map_err(|_| StoreError::Invalid(format!("{field} is out of range")))
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

/// Formats epoch microseconds as RFC 3339 UTC.
pub fn format_micros(micros: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Now, in epoch microseconds.
pub fn now_micros() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000).unwrap_or(0)
}
