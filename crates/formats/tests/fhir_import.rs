//! FHIR import through the public API: the shipped files and every kind of bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{bundle_value, read_fixture};
use datacoop_formats::{fhir, Error, ImportReport};
use serde_json::{json, Value};

fn parse_value(value: &Value) -> ImportReport {
    fhir::parse(serde_json::to_vec(value).unwrap().as_slice()).unwrap()
}

/// The bundle with entry `index`'s resource changed by `edit`.
fn bundle_with(index: usize, edit: impl FnOnce(&mut Value)) -> ImportReport {
    let mut bundle = bundle_value();
    edit(&mut bundle["entry"][index]["resource"]);
    parse_value(&bundle)
}

fn only_invalid(report: &ImportReport) -> (&str, &str) {
    assert_eq!(report.invalid.len(), 1, "{:?}", report.invalid);
    (&report.invalid[0].position, &report.invalid[0].reason)
}

fn observation(extra: Value) -> Value {
    let mut obs = json!({
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}]},
        "effectiveDateTime": "2026-03-01T07:30:00Z",
        "valueQuantity": {"value": 72, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"}
    });
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            obs.as_object_mut().unwrap().remove(k);
        } else {
            obs[k] = v.clone();
        }
    }
    obs
}

#[test]
fn the_shipped_bundle_gives_75_observations() {
    let report = fhir::parse(read_fixture("bundle-30-days.json").as_slice()).unwrap();
    assert!(report.is_clean(), "{:?}", report.invalid);
    assert_eq!(report.items.len(), 75);
    let count = |f: &dyn Fn(&datacoop_formats::ImportItem) -> bool| {
        report.items.iter().filter(|i| f(i)).count()
    };
    assert_eq!(count(&|i| i.category == "health.vital-signs"), 65);
    assert_eq!(count(&|i| i.category == "health.laboratory"), 10);
    assert_eq!(count(&|i| i.type_code == "loinc:8867-4"), 30);
    assert_eq!(count(&|i| i.type_code == "loinc:85354-9"), 30);
    assert_eq!(count(&|i| i.type_code == "loinc:29463-7"), 5);
    assert_eq!(count(&|i| i.type_code == "loinc:2339-0"), 10);
    for item in &report.items {
        assert_eq!(item.content_type, "application/fhir+json");
        let at = item.effective_at.as_deref().unwrap();
        assert!(at.starts_with("2026-03") && at.ends_with('Z'), "{at}");
        let content: Value = serde_json::from_slice(&item.content).unwrap();
        assert_eq!(content["resourceType"], "Observation");
        assert!(!item.content.contains(&b'\n'));
    }
    assert_eq!(
        report.items[0].label,
        "Blood pressure panel with all children optional 122/74 mmHg"
    );
    assert_eq!(report.items[1].label, "Heart rate 61 beats/minute");
    assert_eq!(
        report.items[1].effective_at.as_deref(),
        Some("2026-03-01T07:30:00Z")
    );
}

#[test]
fn a_single_observation_is_one_item_with_its_exact_json() {
    let bytes = read_fixture("observation-heart-rate.json");
    let report = fhir::parse(bytes.as_slice()).unwrap();
    assert_eq!(report.items.len(), 1);
    let item = &report.items[0];
    assert_eq!(item.type_code, "loinc:8867-4");
    assert_eq!(item.category, "health.vital-signs");
    let original: Value = serde_json::from_slice(&bytes).unwrap();
    let stored: Value = serde_json::from_slice(&item.content).unwrap();
    assert_eq!(stored, original);

    let report = fhir::parse(read_fixture("observation-blood-pressure.json").as_slice()).unwrap();
    assert_eq!(report.items[0].type_code, "loinc:85354-9");
}

#[test]
fn decimals_keep_their_digits() {
    let text = br#"{"resourceType":"Observation","status":"final","code":{"text":"Glucose"},
        "valueQuantity":{"value":5.50,"unit":"mmol/L"}}"#;
    let report = fhir::parse(&text[..]).unwrap();
    let content = String::from_utf8(report.items[0].content.clone()).unwrap();
    assert!(content.contains(r#""value":5.50"#), "{content}");
    assert_eq!(report.items[0].type_code, "text:Glucose");
    assert_eq!(report.items[0].category, "health.observation");
    assert_eq!(report.items[0].effective_at, None);
}

#[test]
fn malformed_json_is_a_whole_file_error_with_line_and_column() {
    let text = "{\n  \"resourceType\": \"Bundle\",\n  \"entry\": [\n    {\"resource\": }\n  ]\n}";
    let err = fhir::parse(text.as_bytes()).unwrap_err();
    match &err {
        Error::MalformedJson { line, column, .. } => assert_eq!((*line, *column), (4, 18)),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.code(), "malformed_json");
    assert!(err.to_string().contains("line 4, column 18"), "{err}");

    let truncated = &read_fixture("bundle-30-days.json")[..5000];
    assert!(matches!(
        fhir::parse(truncated),
        Err(Error::MalformedJson { .. })
    ));
}

#[test]
fn a_document_that_is_no_observation_or_bundle_is_refused() {
    let err = fhir::parse(&br#"{"resourceType":"Patient","id":"p1"}"#[..]).unwrap_err();
    assert!(
        err.to_string().contains("found a Patient resource"),
        "{err}"
    );
    let err = fhir::parse(&b"[1, 2]"[..]).unwrap_err();
    assert!(err.to_string().contains("a JSON array"), "{err}");
    let err = fhir::parse(&br#"{"entry": []}"#[..]).unwrap_err();
    assert_eq!(err.code(), "unsupported_document");
}

#[test]
fn a_non_observation_entry_is_skipped_with_its_position() {
    let report = bundle_with(12, |r| *r = json!({"resourceType": "Patient", "id": "p1"}));
    assert_eq!(report.items.len(), 74);
    let (position, reason) = only_invalid(&report);
    assert_eq!(position, "entry[12]");
    assert!(
        reason.contains("Patient resource, not an Observation"),
        "{reason}"
    );
}

#[test]
fn an_observation_without_code_is_reported() {
    let report = bundle_with(3, |r| {
        r.as_object_mut().unwrap().remove("code");
    });
    let (position, reason) = only_invalid(&report);
    assert_eq!(position, "entry[3]");
    assert!(reason.contains("code is missing"), "{reason}");

    let report = bundle_with(4, |r| r["code"] = json!({"coding": []}));
    let (_, reason) = only_invalid(&report);
    assert!(
        reason.contains("code.coding must not be an empty array"),
        "{reason}"
    );
    assert!(
        reason.contains("code has neither a coding nor a text"),
        "{reason}"
    );
}

#[test]
fn a_bad_status_is_reported() {
    let report = bundle_with(7, |r| r["status"] = json!("done"));
    let (position, reason) = only_invalid(&report);
    assert_eq!(position, "entry[7]");
    assert!(
        reason.contains("status \"done\" is not an R4 Observation status"),
        "{reason}"
    );
    assert!(reason.contains("final"), "{reason}");

    let report = bundle_with(7, |r| {
        r.as_object_mut().unwrap().remove("status");
    });
    assert!(only_invalid(&report).1.contains("status is missing"));
}

#[test]
fn a_single_invalid_observation_is_reported_as_resource() {
    let report = parse_value(&observation(json!({"status": "ok"})));
    assert_eq!(only_invalid(&report).0, "resource");
    assert!(report.items.is_empty());
}

#[test]
fn effective_and_value_must_be_well_formed() {
    let cases = [
        (
            json!({"effectiveDateTime": "2026-03-01T07:30:00"}),
            "needs a time zone",
        ),
        (
            json!({"effectiveDateTime": "2026-13-01"}),
            "month must be 01 to 12",
        ),
        (
            json!({"effectiveDateTime": null, "effectivePeriod": {"start": "2026-03-02", "end": "2026-03-01"}}),
            "ends before it starts",
        ),
        (
            json!({"effectiveDate": "2026-03-01"}),
            "effectiveDate is not an R4 effective[x] type",
        ),
        (
            json!({"effectiveDateTime": null, "effectiveInstant": "2026-03-01"}),
            "effectiveInstant `2026-03-01` is not a FHIR instant",
        ),
        (
            json!({"valueQuantity": {"value": "72"}}),
            "valueQuantity.value must be a number",
        ),
        (
            json!({"valueString": "high"}),
            "value[x] appears more than once",
        ),
        (
            json!({"valueInteger": 1.5, "valueQuantity": null}),
            "valueInteger must be a 32-bit integer",
        ),
        (
            json!({"dataAbsentReason": {"text": "device error"}}),
            "dataAbsentReason must not be present together with a value",
        ),
        (
            json!({"component": [{"valueQuantity": {"value": 1}}]}),
            "component[0].code is missing",
        ),
        (
            json!({"category": {"text": "vitals"}}),
            "category must be an array",
        ),
        (json!({"id": "has space"}), "id must be 1 to 64"),
        (
            json!({"effectiveInstant": "2026-03-01T07:30:00Z"}),
            "effective[x] appears more than once",
        ),
    ];
    for (extra, expected) in cases {
        let report = parse_value(&observation(extra.clone()));
        let (position, reason) = only_invalid(&report);
        assert_eq!(position, "resource");
        assert!(reason.contains(expected), "{extra}: {reason}");
    }
}

#[test]
fn effective_time_comes_from_any_effective_choice_in_utc() {
    let cases = [
        (
            json!({"effectiveDateTime": "2026-03-01T08:30:00+01:00"}),
            Some("2026-03-01T07:30:00Z"),
        ),
        (
            json!({"effectiveDateTime": null, "effectivePeriod": {"start": "2026-03-01T06:00:00Z", "end": "2026-03-01T07:00:00Z"}}),
            Some("2026-03-01T06:00:00Z"),
        ),
        (
            json!({"effectiveDateTime": null, "effectiveInstant": "2026-03-01T07:30:00.123-05:00"}),
            Some("2026-03-01T12:30:00.123Z"),
        ),
        (
            json!({"effectiveDateTime": null, "effectiveTiming": {"event": ["2026-03-04"]}}),
            Some("2026-03-04T00:00:00Z"),
        ),
        (
            json!({"effectiveDateTime": "2026-03"}),
            Some("2026-03-01T00:00:00Z"),
        ),
        (json!({"effectiveDateTime": null}), None),
    ];
    for (extra, expected) in cases {
        let report = parse_value(&observation(extra.clone()));
        assert!(report.is_clean(), "{extra}: {:?}", report.invalid);
        assert_eq!(report.items[0].effective_at.as_deref(), expected, "{extra}");
    }
}

#[test]
fn categories_and_types_map_to_controlled_names() {
    let lab = json!([{"coding": [{"code": "laboratory"}]}]);
    let free_text =
        json!([{"text": "my own notes"}, {"coding": [{"system": "urn:x", "code": "vital-signs"}]}]);
    let cases = [
        (
            json!({"category": lab}),
            "health.laboratory",
            "loinc:8867-4",
        ),
        (
            json!({"category": free_text}),
            "health.observation",
            "loinc:8867-4",
        ),
        (
            json!({"code": {"coding": [{"system": "http://snomed.info/sct", "code": "364075005"}, {"system": "http://loinc.org", "code": "8867-4"}]}}),
            "health.observation",
            "loinc:8867-4",
        ),
        (
            json!({"code": {"coding": [{"system": "http://snomed.info/sct", "code": "364075005"}]}}),
            "health.observation",
            "snomed:364075005",
        ),
        (
            json!({"code": {"coding": [{"system": "urn:oid:1.2.3", "code": "hr"}]}}),
            "health.observation",
            "urn:oid:1.2.3|hr",
        ),
        (
            json!({"code": {"coding": [{"code": "hr"}]}}),
            "health.observation",
            "hr",
        ),
    ];
    for (extra, category, type_code) in cases {
        let report = parse_value(&observation(extra.clone()));
        assert!(report.is_clean(), "{extra}: {:?}", report.invalid);
        assert_eq!(report.items[0].category, category, "{extra}");
        assert_eq!(report.items[0].type_code, type_code, "{extra}");
    }
}

#[test]
fn bundle_entries_without_a_resource_and_any_bundle_type_are_handled() {
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"request": {"method": "DELETE", "url": "Observation/1"}},
            {"resource": observation(json!({}))},
            "not an entry"
        ]
    });
    let report = parse_value(&bundle);
    assert_eq!(report.items.len(), 1);
    assert_eq!(report.total(), 3);
    let positions: Vec<&str> = report.invalid.iter().map(|e| e.position.as_str()).collect();
    assert_eq!(positions, ["entry[0]", "entry[2]"]);
    assert!(report.invalid[0].reason.contains("no `resource`"));
    assert_eq!(
        report.invalid[1].to_string(),
        "entry[2]: the entry is not a JSON object"
    );
    assert_eq!(report.items[0].label, "Heart rate 72 /min");

    let empty = parse_value(&json!({"resourceType": "Bundle", "type": "searchset"}));
    assert_eq!(empty.total(), 0);
}
