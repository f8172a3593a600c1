//! Dates and times as FHIR (`dateTime`, `instant`) and Darwin Core (`eventDate`) write them.
//!
//! Everything is normalised to an RFC 3339 UTC string, the form the server
//! indexes. Partial dates (`2026`, `2026-03`, `2026-03-01`) stand for the
//! first instant of that period in UTC.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// What a given format allows, so one parser serves all three.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    /// FHIR schema types demand `hh:mm:ss`; ISO 8601 in Darwin Core allows `hh:mm`.
    require_seconds: bool,
    /// Darwin Core loggers often omit the zone; FHIR forbids that.
    naive_is_utc: bool,
    /// FHIR `dateTime` and Darwin Core allow a year or year-month alone; `instant` does not.
    allow_partial: bool,
}

/// FHIR `dateTime`: partial dates allowed, a time needs seconds and a zone.
pub(crate) const FHIR_DATE_TIME: Rules = Rules {
    require_seconds: true,
    naive_is_utc: false,
    allow_partial: true,
};

/// FHIR `instant`: a full timestamp with a zone.
pub(crate) const FHIR_INSTANT: Rules = Rules {
    require_seconds: true,
    naive_is_utc: false,
    allow_partial: false,
};

/// Darwin Core `eventDate` (one ISO 8601 date or date-time; intervals handled by [`event_date`]).
const DWC_EVENT_DATE: Rules = Rules {
    require_seconds: false,
    naive_is_utc: true,
    allow_partial: true,
};

/// Parses one date or date-time under `rules`; the error says which part is wrong.
pub(crate) fn parse(text: &str, rules: Rules) -> Result<OffsetDateTime, String> {
    let mut cur = Cursor(text.as_bytes());
    let year = cur.digits(4).ok_or("the year must have four digits")?;
    if year == 0 {
        return Err("year 0000 does not exist".to_owned());
    }
    let year = i32::try_from(year).map_err(|_| "the year is out of range")?;
    let (mut month, mut day) = (Month::January, 1u8);
    let mut time = Time::MIDNIGHT;
    let mut offset = UtcOffset::UTC;
    'parts: {
        if cur.done() && rules.allow_partial {
            break 'parts;
        }
        cur.expect(b'-').ok_or("expected `-` after the year")?;
        let m = cur.two_digits().ok_or("the month must have two digits")?;
        month = Month::try_from(m).map_err(|_| "the month must be 01 to 12")?;
        if cur.done() && rules.allow_partial {
            break 'parts;
        }
        cur.expect(b'-').ok_or("expected `-` after the month")?;
        day = cur.two_digits().ok_or("the day must have two digits")?;
        Date::from_calendar_date(year, month, day)
            .map_err(|_| "the day does not exist in that month")?;
        if cur.done() && rules.allow_partial {
            break 'parts;
        }
        cur.expect(b'T')
            .ok_or("expected `T` between the date and the time")?;
        time = parse_time(&mut cur, rules)?;
        offset = match parse_offset(&mut cur)? {
            Some(offset) => offset,
            None if rules.naive_is_utc => UtcOffset::UTC,
            None => return Err("a time needs a time zone (`Z` or `+hh:mm`)".to_owned()),
        };
    }
    if !cur.done() {
        return Err("unexpected text after the date".to_owned());
    }
    let date = Date::from_calendar_date(year, month, day).map_err(|e| e.to_string())?;
    Ok(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// Parses a Darwin Core `eventDate`, which may be an interval `start/end`; returns the start.
pub(crate) fn event_date(text: &str) -> Result<OffsetDateTime, String> {
    match text.split_once('/') {
        None => parse(text, DWC_EVENT_DATE),
        Some((start, end)) => {
            let start_at =
                parse(start, DWC_EVENT_DATE).map_err(|e| format!("interval start: {e}"))?;
            let end_at = parse(end, DWC_EVENT_DATE).map_err(|e| format!("interval end: {e}"))?;
            if end_at < start_at {
                return Err("the interval ends before it starts".to_owned());
            }
            Ok(start_at)
        }
    }
}

/// Formats as RFC 3339 in UTC with a `Z`, the form stored as record metadata.
pub(crate) fn to_utc_string(at: OffsetDateTime) -> Result<String, String> {
    at.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .map_err(|_| "the time lies outside the years 0001 to 9999 in UTC".to_owned())
}

fn parse_time(cur: &mut Cursor<'_>, rules: Rules) -> Result<Time, String> {
    let hour = cur.two_digits().ok_or("the hour must have two digits")?;
    cur.expect(b':').ok_or("expected `:` after the hour")?;
    let minute = cur.two_digits().ok_or("the minutes must have two digits")?;
    let (mut second, mut nanos) = (0u8, 0u32);
    if cur.expect(b':').is_some() {
        second = cur.two_digits().ok_or("the seconds must have two digits")?;
        if cur.expect(b'.').is_some() {
            nanos = cur
                .fraction()
                .ok_or("expected digits after the decimal point")?;
        }
    } else if rules.require_seconds {
        return Err("the time must include seconds (`hh:mm:ss`)".to_owned());
    }
    if second == 60 {
        // A leap second: FHIR allows it, the time type cannot hold it.
        second = 59;
        nanos = 999_999_999;
    }
    Time::from_hms_nano(hour, minute, second, nanos)
        .map_err(|_| "the time of day is out of range".to_owned())
}

fn parse_offset(cur: &mut Cursor<'_>) -> Result<Option<UtcOffset>, String> {
    if cur.expect(b'Z').is_some() {
        return Ok(Some(UtcOffset::UTC));
    }
    let sign: i8 = if cur.expect(b'+').is_some() {
        1
    } else if cur.expect(b'-').is_some() {
        -1
    } else {
        return Ok(None);
    };
    let hours = cur
        .two_digits()
        .ok_or("the zone hours must have two digits")?;
    cur.expect(b':').ok_or("expected `:` in the time zone")?;
    let minutes = cur
        .two_digits()
        .ok_or("the zone minutes must have two digits")?;
    // The FHIR schema allows -13:59 to +13:59 and ±14:00.
    if minutes > 59 || hours > 14 || (hours == 14 && minutes != 0) {
        return Err("the time zone is out of range".to_owned());
    }
    let to_i8 = |v: u8| i8::try_from(v).map_err(|_| "the time zone is out of range".to_owned());
    let (h, m) = (sign * to_i8(hours)?, sign * to_i8(minutes)?);
    UtcOffset::from_hms(h, m, 0)
        .map(Some)
        .map_err(|_| "the time zone is out of range".to_owned())
}

/// A tiny byte cursor: the grammar is fixed-width, so no parser crate is needed.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn done(&self) -> bool {
        self.0.is_empty()
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        let (first, rest) = self.0.split_first()?;
        (*first == byte).then(|| self.0 = rest)
    }

    fn digits(&mut self, count: usize) -> Option<u32> {
        let head = self.0.get(..count)?;
        if !head.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.0 = &self.0[count..];
        Some(head.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
    }

    fn two_digits(&mut self) -> Option<u8> {
        self.digits(2).and_then(|v| u8::try_from(v).ok())
    }

    /// Reads a decimal fraction of any length as nanoseconds (digits past nine are dropped).
    fn fraction(&mut self) -> Option<u32> {
        let len = self.0.iter().take_while(|b| b.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        let mut nanos = 0u32;
        for i in 0..9 {
            let digit = self
                .0
                .get(i)
                .filter(|_| i < len)
                .map_or(0, |d| u32::from(d - b'0'));
            nanos = nanos * 10 + digit;
        }
        self.0 = &self.0[len..];
        Some(nanos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str, rules: Rules) -> Result<String, String> {
        parse(text, rules).and_then(to_utc_string)
    }

    #[test]
    fn fhir_date_times_normalise_to_utc() {
        assert_eq!(
            utc("2026-03-01T07:30:00Z", FHIR_DATE_TIME).unwrap(),
            "2026-03-01T07:30:00Z"
        );
        assert_eq!(
            utc("2026-03-01T07:30:00.250+02:00", FHIR_DATE_TIME).unwrap(),
            "2026-03-01T05:30:00.25Z"
        );
        assert_eq!(
            utc("2026-03", FHIR_DATE_TIME).unwrap(),
            "2026-03-01T00:00:00Z"
        );
        assert_eq!(utc("2026", FHIR_DATE_TIME).unwrap(), "2026-01-01T00:00:00Z");
    }

    #[test]
    fn fhir_rejects_what_the_schema_rejects() {
        assert!(utc("2026-03-01T07:30:00", FHIR_DATE_TIME).is_err());
        assert!(utc("2026-03-01T07:30Z", FHIR_DATE_TIME).is_err());
        assert!(utc("2026-02-30", FHIR_DATE_TIME).is_err());
        assert!(utc("2026-3-1", FHIR_DATE_TIME).is_err());
        assert!(utc("2026-03-01 07:30:00Z", FHIR_DATE_TIME).is_err());
        assert!(utc("2026-03-01", FHIR_INSTANT).is_err());
        assert!(utc("yesterday", FHIR_DATE_TIME).is_err());
    }

    #[test]
    fn event_dates_accept_darwin_core_forms() {
        let at = |t| event_date(t).and_then(to_utc_string).unwrap();
        assert_eq!(at("2026-05-01"), "2026-05-01T00:00:00Z");
        assert_eq!(at("2026-05-01T06:15"), "2026-05-01T06:15:00Z");
        assert_eq!(at("2026-05-01T06:15:00-07:00"), "2026-05-01T13:15:00Z");
        assert_eq!(at("2026-05-01/2026-05-03"), "2026-05-01T00:00:00Z");
        assert!(event_date("2026-05-03/2026-05-01").is_err());
        assert!(event_date("01/05/2026").is_err());
    }
}
