//! One Observation's JSON text to one [`ImportItem`], or the reason it cannot be.

use serde_json::{Map, Value};

use super::{describe, validate, CONTENT_TYPE};
use crate::json::compact;
use crate::{datetime, ImportItem};

/// Checks an Observation and builds its item; the error is the member-facing reason.
pub(super) fn import(text: &str) -> Result<ImportItem, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let obs = as_observation(&value)?;
    let effective = validate::check(obs).map_err(|problems| problems.join("; "))?;
    let effective_at = effective.map(datetime::to_utc_string).transpose()?;
    Ok(ImportItem {
        category: describe::category(obs),
        type_code: describe::type_code(obs),
        effective_at,
        content_type: CONTENT_TYPE.to_owned(),
        content: compact(text).into_bytes(),
        label: describe::label(obs),
    })
}

/// Returns the object if it is an Observation, else why it is skipped.
pub(super) fn as_observation(value: &Value) -> Result<&Map<String, Value>, String> {
    let obj = value
        .as_object()
        .ok_or("the resource is not a JSON object")?;
    match obj.get("resourceType") {
        Some(Value::String(t)) if t == "Observation" => Ok(obj),
        Some(Value::String(t)) => Err(format!(
            "a {t} resource, not an Observation; only Observations are imported"
        )),
        _ => Err("the resource has no `resourceType`".to_owned()),
    }
}
