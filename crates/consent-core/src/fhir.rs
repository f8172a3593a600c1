//! A consent receipt as a FHIR R4 Consent resource (scope research; a base deny with
//! one nested permit per data category, its period and the data period), for the
//! member's own records and for tools that read FHIR.

use crate::wire::{ConsentState, ConsentView};
use serde_json::{json, Value};

fn rfc3339(micros: u64) -> String {
    datacoop_api::time::format_micros(micros as i64)
}

/// The consent as a FHIR R4 `Consent`.
pub fn fhir_consent(view: &ConsentView) -> Value {
    let r = &view.receipt;
    let status = match view.state {
        ConsentState::Preparing => "proposed",
        ConsentState::Active => "active",
        ConsentState::Expired | ConsentState::Withdrawn => "inactive",
    };
    let mut data_period = serde_json::Map::new();
    if let Some(d) = r.data_from {
        data_period.insert("start".into(), json!(d.to_string()));
    }
    if let Some(d) = r.data_until {
        data_period.insert("end".into(), json!(d.to_string()));
    }
    let permits: Vec<Value> = r
        .categories
        .iter()
        .map(|c| {
            let mut p = json!({
                "type": "permit",
                "purpose": [{
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
                    "code": "HRESCH",
                    "display": "healthcare research"
                }],
                "class": [{"system": "urn:datacoop:category", "code": c}],
            });
            if !data_period.is_empty() {
                p["dataPeriod"] = Value::Object(data_period.clone());
            }
            p
        })
        .collect();
    let hex: String = r.terms_sha256.iter().map(|b| format!("{b:02x}")).collect();
    json!({
        "resourceType": "Consent",
        "id": view.id.to_string(),
        "status": status,
        "scope": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/consentscope",
            "code": "research",
            "display": "Research"
        }]},
        "category": [{"coding": [{
            "system": "http://loinc.org",
            "code": "59284-0",
            "display": "Patient Consent"
        }]}],
        "patient": {"identifier": {"system": "urn:datacoop:pseudonym", "value": r.pseudonym.to_string()}},
        "dateTime": rfc3339(r.granted_at_micros),
        "policy": [{"uri": format!("urn:datacoop:study:{}:terms-sha256:{hex}", r.study)}],
        "provision": {
            "type": "deny",
            "period": {"start": rfc3339(r.granted_at_micros), "end": rfc3339(r.ends_at_micros)},
            "provision": permits,
        },
    })
}
