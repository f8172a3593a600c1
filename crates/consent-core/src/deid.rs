//! De-identification of a record's content before it leaves the member's machine, as
//! a study's terms say (MIDATA's export filters; HIPAA Safe Harbor for ages over 89).
//!
//! A record's content is one JSON object (a FHIR R4 resource, or a Darwin Core
//! occurrence as `{term: value}`). The walk is generic, so it treats both alike:
//! - **dates** (every string that starts `YYYY-MM-DD` or is `YYYY-MM` or `YYYY`): kept,
//!   shifted by the participant's offset in days (times of day kept, so intervals are
//!   kept), reduced to `YYYY-MM`, or to `YYYY`;
//! - **ages over 89**: at year level a `birthDate` more than 89 years before the
//!   record's own year becomes that year minus 90 ("90 or older");
//! - **free text** (FHIR `text` narratives, `note`, `comment`, `description`;
//!   Darwin Core `occurrenceRemarks`, `eventRemarks`, `fieldNotes`): dropped unless
//!   kept;
//! - **practitioners** (any reference to `Practitioner/…`, `PractitionerRole/…`, FHIR
//!   `performer`, `recorder`, `asserter`, `requester`; Darwin Core `recordedBy`,
//!   `identifiedBy`): dropped unless kept;
//! - **the participant**: references to `Patient/…` (`subject`, `patient`) are dropped
//!   always (the study knows the participant by a pseudonym), as are `id`,
//!   `identifier` and `meta` (which name the record in the member's vault);
//! - **locations** (`decimalLatitude`, `decimalLongitude`, `latitude`, `longitude`):
//!   rounded to the decimal places the terms keep.

use crate::study::{DateLevel, Day, Deidentification};
use serde_json::{Map, Value};

const FREE_TEXT: &[&str] = &[
    "text",
    "note",
    "comment",
    "description",
    "occurrenceRemarks",
    "eventRemarks",
    "fieldNotes",
];
const PRACTITIONER_KEYS: &[&str] = &[
    "performer",
    "recorder",
    "asserter",
    "requester",
    "recordedBy",
    "identifiedBy",
];
const PARTICIPANT_KEYS: &[&str] = &[
    "subject",
    "patient",
    "id",
    "identifier",
    "meta",
    "occurrenceID",
];
const LOCATION_KEYS: &[&str] = &[
    "decimalLatitude",
    "decimalLongitude",
    "latitude",
    "longitude",
];

/// The study copy of one record's content; `shift_days` is the participant's offset
/// for this study (used at [`DateLevel::Shifted`]).
pub fn deidentify(
    content: &[u8],
    d: &Deidentification,
    shift_days: i32,
) -> Result<Vec<u8>, String> {
    let mut v: Value = serde_json::from_slice(content)
        .map_err(|e| format!("the record's content is not JSON: {e}"))?;
    let year = record_year(&v);
    if let Value::Object(map) = &mut v {
        walk_object(map, d, shift_days, year);
    } else {
        return Err("the record's content is not a JSON object".into());
    }
    serde_json::to_vec(&v).map_err(|e| e.to_string())
}

/// The participant's date offset for a study, in days (±1 to ±180, never 0), from 32
/// secret bytes only the member's vault derives (so every copy for the study, now and
/// in future uploads, moves by the same days, and no one else can undo it).
pub fn shift_days(secret: &[u8; 32]) -> i32 {
    let n = u32::from_be_bytes([secret[0], secret[1], secret[2], secret[3]]);
    let magnitude = (n % 180) as i32 + 1;
    if secret[4] & 1 == 0 {
        magnitude
    } else {
        -magnitude
    }
}

fn record_year(v: &Value) -> Option<i32> {
    let keys = [
        "effectiveDateTime",
        "issued",
        "recordedDate",
        "onsetDateTime",
        "eventDate",
        "date",
    ];
    keys.iter().find_map(|k| {
        v.get(k)
            .and_then(Value::as_str)
            .and_then(|s| s.get(..4))
            .and_then(|y| y.parse().ok())
    })
}

fn is_practitioner_ref(v: &Value) -> bool {
    v.get("reference")
        .and_then(Value::as_str)
        .is_some_and(|r| r.starts_with("Practitioner/") || r.starts_with("PractitionerRole/"))
}

fn walk_object(map: &mut Map<String, Value>, d: &Deidentification, shift: i32, year: Option<i32>) {
    map.retain(|k, v| {
        if PARTICIPANT_KEYS.contains(&k.as_str()) {
            return false;
        }
        if !d.keep_free_text && FREE_TEXT.contains(&k.as_str()) && !is_coding_text(k, v) {
            return false;
        }
        if !d.keep_practitioners
            && (PRACTITIONER_KEYS.contains(&k.as_str()) || is_practitioner_ref(v))
        {
            return false;
        }
        true
    });
    for (k, v) in map.iter_mut() {
        if let Some(places) = d.location_decimals {
            if LOCATION_KEYS.contains(&k.as_str()) {
                round_location(v, places);
                continue;
            }
        }
        if k == "birthDate" && d.dates == DateLevel::Year {
            if let (Some(s), Some(y)) = (v.as_str(), year) {
                if let Some(born) = s.get(..4).and_then(|b| b.parse::<i32>().ok()) {
                    let shown = if y - born > 89 { y - 90 } else { born };
                    *v = Value::String(format!("{shown:04}"));
                    continue;
                }
            }
        }
        walk_value(v, d, shift, year);
    }
}

/// A `text` that is a coding's display text (`code.text`, `valueCodeableConcept.text`)
/// names what was measured, not what someone wrote: kept.
fn is_coding_text(key: &str, v: &Value) -> bool {
    key == "text" && v.is_string()
}

fn walk_value(v: &mut Value, d: &Deidentification, shift: i32, year: Option<i32>) {
    match v {
        Value::Object(map) => walk_object(map, d, shift, year),
        Value::Array(items) => {
            if !d.keep_practitioners {
                items.retain(|i| !is_practitioner_ref(i));
            }
            for i in items {
                walk_value(i, d, shift, year);
            }
        }
        Value::String(s) => {
            if let Some(new) = date(s, d.dates, shift) {
                *s = new;
            }
        }
        _ => {}
    }
}

fn round_location(v: &mut Value, places: u8) {
    let factor = 10f64.powi(i32::from(places));
    let rounded = |x: f64| (x * factor).round() / factor;
    match v {
        Value::Number(n) => {
            if let Some(x) = n.as_f64() {
                if let Some(r) = serde_json::Number::from_f64(rounded(x)) {
                    *n = r;
                }
            }
        }
        Value::String(s) => {
            if let Ok(x) = s.trim().parse::<f64>() {
                *s = format!("{:.*}", usize::from(places), rounded(x));
            }
        }
        _ => {}
    }
}

/// A visible date (a record's effective time, RFC 3339) at the terms' level; text that
/// is not a date is returned as it is.
pub fn deidentify_date(s: &str, level: DateLevel, shift_days: i32) -> String {
    date(s, level, shift_days).unwrap_or_else(|| s.to_owned())
}

/// A date string at `level`, or `None` if `s` is not a date.
fn date(s: &str, level: DateLevel, shift: i32) -> Option<String> {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    let full = b.len() >= 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10);
    let month = b.len() == 7 && digits(0..4) && b[4] == b'-' && digits(5..7);
    let year = b.len() == 4 && digits(0..4);
    if !(full || month || year) {
        return None;
    }
    if full && b.len() > 10 && !matches!(b[10], b'T' | b' ') {
        return None;
    }
    Some(match level {
        DateLevel::Exact => s.to_owned(),
        DateLevel::MonthYear => s.get(..7.min(s.len()))?.to_owned(),
        DateLevel::Year => s.get(..4)?.to_owned(),
        DateLevel::Shifted if full => {
            let day = Day::parse(s.get(..10)?)?;
            format!("{}{}", day.plus_days(shift)?, s.get(10..)?)
        }
        // A month or a year alone cannot move by days: keep what it says at its grain.
        DateLevel::Shifted => s.to_owned(),
    })
}
