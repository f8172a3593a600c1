//! The visible metadata and the listing label of a valid Observation.

use serde_json::{Map, Value};

use super::DEFAULT_CATEGORY;
use crate::item::short_label;

/// The HL7 code system of `Observation.category`.
const CATEGORY_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

/// The codes of that system; only these become metadata, never free text.
const CATEGORY_CODES: [&str; 9] = [
    "social-history",
    "vital-signs",
    "imaging",
    "laboratory",
    "procedure",
    "survey",
    "exam",
    "therapy",
    "activity",
];

/// `health.<code>` from the first standard category coding, else the default.
pub(super) fn category(obs: &Map<String, Value>) -> String {
    let codings = obs
        .get("category")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(codings_of);
    for coding in codings {
        let system = coding.get("system").and_then(Value::as_str);
        let code = coding.get("code").and_then(Value::as_str);
        if let Some(code) = code {
            if matches!(system, None | Some(CATEGORY_SYSTEM)) && CATEGORY_CODES.contains(&code) {
                return format!("health.{code}");
            }
        }
    }
    DEFAULT_CATEGORY.to_owned()
}

/// The type code of `Observation.code` (see the module documentation for the forms).
pub(super) fn type_code(obs: &Map<String, Value>) -> String {
    let Some(code) = obs.get("code") else {
        return String::new();
    };
    let codings: Vec<(&str, Option<&str>)> = codings_of(code)
        .filter_map(|c| {
            let value = c.get("code").and_then(Value::as_str)?;
            Some((value, c.get("system").and_then(Value::as_str)))
        })
        .collect();
    for (prefix, system) in [
        ("loinc", "http://loinc.org"),
        ("snomed", "http://snomed.info/sct"),
    ] {
        if let Some((value, _)) = codings.iter().find(|(_, s)| *s == Some(system)) {
            return format!("{prefix}:{value}");
        }
    }
    if let Some((value, system)) = codings.first() {
        return match system {
            Some(system) => format!("{system}|{value}"),
            None => (*value).to_owned(),
        };
    }
    match code.get("text").and_then(Value::as_str) {
        Some(text) => format!("text:{}", text.trim()),
        None => String::new(),
    }
}

/// `<what> <value>`, e.g. `Heart rate 61 beats/minute` or `Blood pressure 122/74 mmHg`.
pub(super) fn label(obs: &Map<String, Value>) -> String {
    let name = obs.get("code").map(concept_name).unwrap_or_default();
    let name = if name.is_empty() {
        type_code(obs)
    } else {
        name
    };
    let value = value_summary(obs).or_else(|| components_summary(obs));
    match value {
        Some(value) => short_label(&format!("{name} {value}")),
        None => short_label(&name),
    }
}

fn codings_of(concept: &Value) -> impl Iterator<Item = &Map<String, Value>> {
    concept
        .get("coding")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// Text a person reads: the concept's text, else the first display, else the first code.
fn concept_name(concept: &Value) -> String {
    if let Some(text) = concept.get("text").and_then(Value::as_str) {
        return text.trim().to_owned();
    }
    let first = |key: &str| codings_of(concept).find_map(|c| c.get(key).and_then(Value::as_str));
    first("display")
        .or_else(|| first("code"))
        .unwrap_or_default()
        .to_owned()
}

fn value_summary(obj: &Map<String, Value>) -> Option<String> {
    if let Some(q) = obj.get("valueQuantity") {
        return quantity(q);
    }
    if let Some(c) = obj.get("valueCodeableConcept") {
        return Some(concept_name(c));
    }
    if let Some(b) = obj.get("valueBoolean").and_then(Value::as_bool) {
        return Some(if b { "yes" } else { "no" }.to_owned());
    }
    if let Some(n) = obj.get("valueInteger") {
        return Some(n.to_string());
    }
    for key in ["valueString", "valueTime", "valueDateTime"] {
        if let Some(s) = obj.get(key).and_then(Value::as_str) {
            return Some(s.to_owned());
        }
    }
    if let Some(range) = obj.get("valueRange") {
        let low = range.get("low").and_then(quantity).unwrap_or_default();
        let high = range.get("high").and_then(quantity).unwrap_or_default();
        return Some(format!("{low} to {high}").trim().to_owned());
    }
    if let Some(ratio) = obj.get("valueRatio") {
        let part = |k| {
            ratio
                .get(k)
                .and_then(quantity)
                .unwrap_or_else(|| "?".to_owned())
        };
        return Some(format!("{} / {}", part("numerator"), part("denominator")));
    }
    if obj.contains_key("valueSampledData") {
        return Some("(sampled data)".to_owned());
    }
    if let Some(period) = obj.get("valuePeriod") {
        let at = |k| {
            period
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("…")
                .to_owned()
        };
        return Some(format!("{} to {}", at("start"), at("end")));
    }
    obj.get("dataAbsentReason")
        .map(|r| format!("(no value: {})", concept_name(r)))
}

/// `122/74 mmHg` when all components share a unit, else `name value, name value`.
fn components_summary(obs: &Map<String, Value>) -> Option<String> {
    let components: Vec<&Map<String, Value>> = obs
        .get("component")?
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .collect();
    let quantities: Vec<(String, String)> = components
        .iter()
        .filter_map(|c| {
            let q = c.get("valueQuantity")?;
            Some((number(q.get("value")?)?, unit(q).unwrap_or_default()))
        })
        .collect();
    let first_unit = quantities.first().map(|(_, u)| u.clone());
    if !quantities.is_empty()
        && quantities.len() == components.len()
        && quantities
            .iter()
            .all(|(_, u)| Some(u) == first_unit.as_ref())
    {
        let values: Vec<&str> = quantities.iter().map(|(v, _)| v.as_str()).collect();
        return Some(
            format!("{} {}", values.join("/"), first_unit.unwrap_or_default())
                .trim()
                .to_owned(),
        );
    }
    let parts: Vec<String> = components
        .iter()
        .filter_map(|c| {
            let name = c.get("code").map(concept_name).unwrap_or_default();
            Some(format!("{name} {}", value_summary(c)?))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn quantity(q: &Value) -> Option<String> {
    let value = number(q.get("value")?)?;
    let comparator = q
        .get("comparator")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Some(
        format!("{comparator}{value} {}", unit(q).unwrap_or_default())
            .trim()
            .to_owned(),
    )
}

fn number(v: &Value) -> Option<String> {
    v.as_number().map(ToString::to_string)
}

/// The human unit (`unit`), else the UCUM code.
fn unit(q: &Value) -> Option<String> {
    q.get("unit")
        .or_else(|| q.get("code"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}
