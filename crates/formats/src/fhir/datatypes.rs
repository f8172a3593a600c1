//! Checks of the FHIR R4 data types an Observation is built from.
//!
//! Each check appends member-facing problems, prefixed with the element path,
//! and never stops at the first one.

use serde_json::Value;
use time::OffsetDateTime;

use crate::datetime::{self, FHIR_DATE_TIME, FHIR_INSTANT};

/// Problems found so far, each a sentence starting with the element path.
pub(super) type Problems = Vec<String>;

pub(super) fn date_time(
    path: &str,
    value: &Value,
    problems: &mut Problems,
) -> Option<OffsetDateTime> {
    parse_with(
        path,
        value,
        problems,
        |s| datetime::parse(s, FHIR_DATE_TIME),
        "dateTime",
    )
}

pub(super) fn instant(
    path: &str,
    value: &Value,
    problems: &mut Problems,
) -> Option<OffsetDateTime> {
    parse_with(
        path,
        value,
        problems,
        |s| datetime::parse(s, FHIR_INSTANT),
        "instant",
    )
}

pub(super) fn parse_with(
    path: &str,
    value: &Value,
    problems: &mut Problems,
    parse: impl Fn(&str) -> Result<OffsetDateTime, String>,
    kind: &str,
) -> Option<OffsetDateTime> {
    let Some(text) = value.as_str() else {
        problems.push(format!("{path} must be a FHIR {kind} string"));
        return None;
    };
    match parse(text) {
        Ok(at) => Some(at),
        Err(why) => {
            problems.push(format!("{path} `{text}` is not a FHIR {kind}: {why}"));
            None
        }
    }
}

pub(super) fn period(path: &str, value: &Value, problems: &mut Problems) -> Option<OffsetDateTime> {
    let Some(obj) = value.as_object() else {
        problems.push(format!("{path} must be an object with start and/or end"));
        return None;
    };
    let start = obj
        .get("start")
        .and_then(|v| date_time(&format!("{path}.start"), v, problems));
    let end = obj
        .get("end")
        .and_then(|v| date_time(&format!("{path}.end"), v, problems));
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            problems.push(format!("{path} ends before it starts"));
        }
    }
    if !obj.contains_key("start") && !obj.contains_key("end") {
        problems.push(format!("{path} has neither start nor end"));
    }
    start.or(end)
}

pub(super) fn timing(path: &str, value: &Value, problems: &mut Problems) -> Option<OffsetDateTime> {
    let Some(obj) = value.as_object() else {
        problems.push(format!("{path} must be a Timing object"));
        return None;
    };
    let mut first = None;
    if let Some(events) = obj.get("event") {
        each_in_array(&format!("{path}.event"), events, problems, |p, v, probs| {
            let at = date_time(p, v, probs);
            first = first.or(at);
        });
    }
    first
}

pub(super) fn quantity(path: &str, value: &Value, problems: &mut Problems) {
    let Some(obj) = value.as_object() else {
        problems.push(format!("{path} must be a Quantity object"));
        return;
    };
    if obj.get("value").is_some_and(|v| !v.is_number()) {
        problems.push(format!("{path}.value must be a number"));
    }
    if let Some(cmp) = obj.get("comparator") {
        if !cmp
            .as_str()
            .is_some_and(|c| ["<", "<=", ">=", ">"].contains(&c))
        {
            problems.push(format!("{path}.comparator must be one of <, <=, >=, >"));
        }
    }
    for key in ["unit", "system", "code"] {
        if obj.get(key).is_some_and(|v| !v.is_string()) {
            problems.push(format!("{path}.{key} must be a string"));
        }
    }
    if obj.is_empty() {
        problems.push(format!("{path} is empty"));
    }
}

pub(super) fn object_of_quantities(
    path: &str,
    value: &Value,
    parts: &[&str],
    problems: &mut Problems,
) {
    let Some(obj) = value.as_object() else {
        problems.push(format!("{path} must be an object"));
        return;
    };
    for part in parts {
        if let Some(q) = obj.get(*part) {
            quantity(&format!("{path}.{part}"), q, problems);
        }
    }
}

pub(super) fn sampled_data(path: &str, value: &Value, problems: &mut Problems) {
    let Some(obj) = value.as_object() else {
        problems.push(format!("{path} must be a SampledData object"));
        return;
    };
    match obj.get("origin") {
        Some(origin) => quantity(&format!("{path}.origin"), origin, problems),
        None => problems.push(format!("{path}.origin is missing")),
    }
    if !obj.get("period").is_some_and(Value::is_number) {
        problems.push(format!("{path}.period must be a number"));
    }
    if obj
        .get("dimensions")
        .and_then(Value::as_u64)
        .is_none_or(|d| d == 0)
    {
        problems.push(format!("{path}.dimensions must be a positive integer"));
    }
}

/// A CodeableConcept must carry meaning: at least one coding or a text.
pub(super) fn codeable_concept(path: &str, value: &Value, problems: &mut Problems) {
    let Some(obj) = value.as_object() else {
        problems.push(format!("{path} must be a CodeableConcept object"));
        return;
    };
    let mut codings = 0;
    if let Some(list) = obj.get("coding") {
        each_in_array(
            &format!("{path}.coding"),
            list,
            problems,
            |p, coding, probs| {
                codings += 1;
                let Some(c) = coding.as_object() else {
                    probs.push(format!("{p} must be a Coding object"));
                    return;
                };
                for key in ["system", "version", "code", "display"] {
                    if c.get(key)
                        .is_some_and(|v| v.as_str().is_none_or(str::is_empty))
                    {
                        probs.push(format!("{p}.{key} must be a non-empty string"));
                    }
                }
                if c.get("code")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.trim() != s)
                {
                    probs.push(format!("{p}.code must not start or end with spaces"));
                }
            },
        );
    }
    let has_text = obj
        .get("text")
        .and_then(Value::as_str)
        .is_some_and(|t| !t.trim().is_empty());
    if obj.get("text").is_some_and(|t| !t.is_string()) {
        problems.push(format!("{path}.text must be a string"));
    }
    if codings == 0 && !has_text {
        problems.push(format!("{path} has neither a coding nor a text"));
    }
}

/// FHIR JSON arrays are never empty; applies `check` to each element with its path.
pub(super) fn each_in_array(
    path: &str,
    value: &Value,
    problems: &mut Problems,
    mut check: impl FnMut(&str, &Value, &mut Problems),
) {
    match value.as_array() {
        Some(items) if items.is_empty() => {
            problems.push(format!("{path} must not be an empty array"))
        }
        Some(items) => {
            for (i, item) in items.iter().enumerate() {
                check(&format!("{path}[{i}]"), item, problems);
            }
        }
        None => problems.push(format!("{path} must be an array")),
    }
}
