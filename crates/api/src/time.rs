//! Times on the wire: RFC 3339 text, held as microseconds since the epoch (UTC).
//!
//! The server stores and the member's client binds into a record's encryption
//! (docs/crypto.md section 9) the same integer, so both sides convert here.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Parses RFC 3339 text (any offset) into microseconds since 1970-01-01T00:00:00Z;
/// finer digits are cut off. `None` if it is not RFC 3339 or out of range.
pub fn parse_micros(text: &str) -> Option<i64> {
    let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1000).ok()
}

/// Formats microseconds since the epoch as RFC 3339 UTC (empty if out of range).
pub fn format_micros(micros: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_fractions_convert_exactly() {
        let a = parse_micros("2024-01-05T10:00:00.123456789+01:00").unwrap();
        assert_eq!(a, parse_micros("2024-01-05T09:00:00.123456Z").unwrap());
        assert_eq!(parse_micros(&format_micros(a)), Some(a));
        let before_1970 = parse_micros("1950-06-01T00:00:00Z").unwrap();
        assert!(before_1970 < 0);
        assert_eq!(parse_micros(&format_micros(before_1970)), Some(before_1970));
        assert_eq!(parse_micros("yesterday"), None);
    }
}
