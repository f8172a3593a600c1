//! Splitting a FHIR JSON document into Observations, each checked on its own.

use std::collections::BTreeMap;
use std::io::Read;

use serde_json::value::RawValue;

use super::observation;
use crate::{Error, ImportReport, Result};

/// Reads one FHIR JSON document: an `Observation`, or a `Bundle` of any type.
///
/// Each Observation becomes one item; a Bundle entry that is not a valid
/// Observation is reported as `entry[<index>]` with the reason, a single
/// invalid Observation as `resource`. Input that is not JSON, or JSON that is
/// neither an Observation nor a Bundle, fails as a whole.
pub fn parse<R: Read>(mut reader: R) -> Result<ImportReport> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let document: &RawValue = serde_json::from_slice(bytes).map_err(Error::from_json)?;
    let text = document.get().trim_start();
    if !text.starts_with('{') {
        return Err(Error::UnsupportedDocument {
            found: format!("a JSON {}", json_kind(text)),
        });
    }
    let top: BTreeMap<String, &RawValue> = serde_json::from_str(text).map_err(Error::from_json)?;
    let resource_type = top
        .get("resourceType")
        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok());
    let mut report = ImportReport::default();
    match resource_type.as_deref() {
        Some("Observation") => {
            match observation::import(text) {
                Ok(item) => report.items.push(item),
                Err(reason) => report.reject("resource", reason),
            }
            Ok(report)
        }
        Some("Bundle") => {
            let entries: Vec<&RawValue> = match top.get("entry") {
                None => Vec::new(),
                Some(raw) => {
                    serde_json::from_str(raw.get()).map_err(|_| Error::UnsupportedDocument {
                        found: "a Bundle whose `entry` is not an array".to_owned(),
                    })?
                }
            };
            for (index, entry) in entries.into_iter().enumerate() {
                match import_entry(entry) {
                    Ok(item) => report.items.push(item),
                    Err(reason) => report.reject(format!("entry[{index}]"), reason),
                }
            }
            Ok(report)
        }
        Some(other) => Err(Error::UnsupportedDocument {
            found: format!("a {other} resource"),
        }),
        None => Err(Error::UnsupportedDocument {
            found: "a JSON object without a string `resourceType`".to_owned(),
        }),
    }
}

fn import_entry(entry: &RawValue) -> std::result::Result<crate::ImportItem, String> {
    let fields: BTreeMap<String, &RawValue> = serde_json::from_str(entry.get())
        .map_err(|_| "the entry is not a JSON object".to_owned())?;
    let resource = fields
        .get("resource")
        .ok_or("the entry has no `resource` (it may be a request or a reference only)")?;
    let text = resource.get();
    if !text.starts_with('{') {
        return Err("the entry's `resource` is not a JSON object".to_owned());
    }
    observation::import(text)
}

fn json_kind(text: &str) -> &'static str {
    match text.as_bytes().first() {
        Some(b'[') => "array",
        Some(b'"') => "string",
        Some(b't' | b'f') => "boolean",
        Some(b'n') => "null",
        _ => "number",
    }
}
