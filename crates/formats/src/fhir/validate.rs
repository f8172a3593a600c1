//! The FHIR R4 rules an Observation must meet before it is stored.
//!
//! Checked: `resourceType`, `id` syntax, `status` in the R4 value set, `code`
//! (a CodeableConcept with a coding or a text), `category`, one well-formed
//! `effective[x]`, one well-formed `value[x]`, `dataAbsentReason` only without
//! a value (obs-6), and the same for every `component`. Elements this crate
//! does not know are kept as they are and not checked.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::datatypes::{
    codeable_concept, date_time, each_in_array, instant, object_of_quantities, period, quantity,
    sampled_data, timing, Problems,
};
use crate::datetime::{self, FHIR_INSTANT};

/// The R4 ObservationStatus value set (required binding).
const STATUSES: [&str; 8] = [
    "registered",
    "preliminary",
    "final",
    "amended",
    "corrected",
    "cancelled",
    "entered-in-error",
    "unknown",
];

/// The R4 choices of `Observation.effective[x]`.
const EFFECTIVE: [&str; 4] = [
    "effectiveDateTime",
    "effectivePeriod",
    "effectiveTiming",
    "effectiveInstant",
];

/// The R4 choices of `Observation.value[x]` (and `component.value[x]`).
const VALUES: [&str; 11] = [
    "valueQuantity",
    "valueCodeableConcept",
    "valueString",
    "valueBoolean",
    "valueInteger",
    "valueRange",
    "valueRatio",
    "valueSampledData",
    "valueTime",
    "valueDateTime",
    "valuePeriod",
];

/// Checks an Observation; returns when it took effect, or every problem found.
pub(super) fn check(obs: &Map<String, Value>) -> Result<Option<OffsetDateTime>, Problems> {
    let mut problems = Problems::new();
    if let Some(id) = obs.get("id") {
        let ok = id.as_str().is_some_and(|s| {
            (1..=64).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        });
        if !ok {
            problems.push("id must be 1 to 64 letters, digits, `-` or `.`".to_owned());
        }
    }
    match obs.get("status") {
        None => problems.push(format!(
            "status is missing; use one of {}",
            STATUSES.join(", ")
        )),
        Some(Value::String(s)) if STATUSES.contains(&s.as_str()) => {}
        Some(other) => problems.push(format!(
            "status {other} is not an R4 Observation status; use one of {}",
            STATUSES.join(", ")
        )),
    }
    match obs.get("code") {
        None => {
            problems.push("code is missing; an Observation must say what was observed".to_owned())
        }
        Some(code) => codeable_concept("code", code, &mut problems),
    }
    if let Some(categories) = obs.get("category") {
        each_in_array("category", categories, &mut problems, codeable_concept);
    }
    let effective = effective(obs, &mut problems);
    value_choice("", obs, &mut problems);
    if let Some(components) = obs.get("component") {
        each_in_array("component", components, &mut problems, component);
    }
    if problems.is_empty() {
        Ok(effective)
    } else {
        Err(problems)
    }
}

fn component(path: &str, value: &Value, problems: &mut Problems) {
    let Some(obj) = value.as_object() else {
        problems.push(format!("{path} must be an object"));
        return;
    };
    match obj.get("code") {
        None => problems.push(format!("{path}.code is missing")),
        Some(code) => codeable_concept(&format!("{path}.code"), code, problems),
    }
    value_choice(&format!("{path}."), obj, problems);
}

/// Checks that at most one `value[x]` is present, that it is well-formed, and obs-6.
fn value_choice(prefix: &str, obj: &Map<String, Value>, problems: &mut Problems) {
    let present = choices(prefix, "value", &VALUES, obj, problems);
    if let [name] = present.as_slice() {
        if let Some(value) = obj.get(*name) {
            value_x(&format!("{prefix}{name}"), name, value, problems);
        }
        if obj.contains_key("dataAbsentReason") {
            problems.push(format!(
                "{prefix}dataAbsentReason must not be present together with a value"
            ));
        }
    }
    if let Some(reason) = obj.get("dataAbsentReason") {
        codeable_concept(&format!("{prefix}dataAbsentReason"), reason, problems);
    }
}

/// Finds the `<stem>[x]` elements present; reports unknown or multiple choices.
fn choices<'a>(
    prefix: &str,
    stem: &str,
    allowed: &[&'a str],
    obj: &Map<String, Value>,
    problems: &mut Problems,
) -> Vec<&'a str> {
    for key in obj.keys() {
        let is_choice = key
            .strip_prefix(stem)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()));
        if is_choice && !allowed.contains(&key.as_str()) {
            problems.push(format!(
                "{prefix}{key} is not an R4 {stem}[x] type; use one of {}",
                allowed.join(", ")
            ));
        }
    }
    let present: Vec<&str> = allowed
        .iter()
        .copied()
        .filter(|k| obj.contains_key(*k))
        .collect();
    if present.len() > 1 {
        problems.push(format!(
            "{prefix}{stem}[x] appears more than once ({})",
            present.join(", ")
        ));
    }
    present
}

fn effective(obs: &Map<String, Value>, problems: &mut Problems) -> Option<OffsetDateTime> {
    let present = choices("", "effective", &EFFECTIVE, obs, problems);
    let [name] = present.as_slice() else {
        return None;
    };
    let value = obs.get(*name)?;
    match *name {
        "effectiveDateTime" => date_time(name, value, problems),
        "effectiveInstant" => instant(name, value, problems),
        "effectivePeriod" => period(name, value, problems),
        _ => timing(name, value, problems),
    }
}

fn value_x(path: &str, name: &str, value: &Value, problems: &mut Problems) {
    match name {
        "valueQuantity" => quantity(path, value, problems),
        "valueCodeableConcept" => codeable_concept(path, value, problems),
        "valueString" => {
            if value.as_str().is_none_or(|s| s.trim().is_empty()) {
                problems.push(format!("{path} must be a non-empty string"));
            }
        }
        "valueBoolean" => {
            if !value.is_boolean() {
                problems.push(format!("{path} must be true or false"));
            }
        }
        "valueInteger" => {
            if value.as_i64().is_none_or(|n| i32::try_from(n).is_err()) {
                problems.push(format!("{path} must be a 32-bit integer"));
            }
        }
        "valueRange" => object_of_quantities(path, value, &["low", "high"], problems),
        "valueRatio" => object_of_quantities(path, value, &["numerator", "denominator"], problems),
        "valueSampledData" => sampled_data(path, value, problems),
        "valueTime" => {
            let ok = value.as_str().is_some_and(|s| {
                datetime::parse(&format!("2000-01-01T{s}Z"), FHIR_INSTANT).is_ok() && s.len() >= 8
            });
            if !ok {
                problems.push(format!("{path} must be a time of day `hh:mm:ss`"));
            }
        }
        "valueDateTime" => {
            date_time(path, value, problems);
        }
        _ => {
            period(path, value, problems);
        }
    }
}
