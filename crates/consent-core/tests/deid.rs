//! De-identification levels on the project's FHIR R4 and Darwin Core samples, imported
//! with the real importers: what each level keeps and removes.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_consent_core::deid::{deidentify, shift_days};
use datacoop_consent_core::{DateLevel, Deidentification};
use serde_json::Value;

fn fixture(name: &str) -> std::fs::File {
    std::fs::File::open(format!(
        "{}/../formats/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn level(dates: DateLevel) -> Deidentification {
    Deidentification {
        dates,
        keep_free_text: false,
        keep_practitioners: false,
        location_decimals: None,
    }
}

fn run(content: &[u8], d: &Deidentification, shift: i32) -> Value {
    serde_json::from_slice(&deidentify(content, d, shift).unwrap()).unwrap()
}

fn blood_pressure() -> Vec<u8> {
    let report = datacoop_formats::fhir::parse(fixture("observation-blood-pressure.json")).unwrap();
    report.items[0].content.clone()
}

#[test]
fn fhir_dates_at_each_level() {
    let c = blood_pressure();
    let exact = run(&c, &level(DateLevel::Exact), 0);
    assert_eq!(exact["effectiveDateTime"], "2026-03-01T07:30:00Z");
    let month = run(&c, &level(DateLevel::MonthYear), 0);
    assert_eq!(month["effectiveDateTime"], "2026-03");
    let year = run(&c, &level(DateLevel::Year), 0);
    assert_eq!(year["effectiveDateTime"], "2026");
    // Shifted back 3 days across a month end (2026 is no leap year); the time is kept.
    let shifted = run(&c, &level(DateLevel::Shifted), -3);
    assert_eq!(shifted["effectiveDateTime"], "2026-02-26T07:30:00Z");
    let later = run(&c, &level(DateLevel::Shifted), 306);
    assert_eq!(later["effectiveDateTime"], "2027-01-01T07:30:00Z");
    // The values stay; the coding's display text is not free text.
    assert_eq!(exact["component"][0]["valueQuantity"]["value"], 122);
    assert_eq!(
        exact["code"]["text"],
        "Blood pressure panel with all children optional"
    );
}

#[test]
fn fhir_narrative_practitioners_and_the_participant_are_removed() {
    let mut v: Value = serde_json::from_slice(&blood_pressure()).unwrap();
    v["text"] = serde_json::json!({"status": "generated", "div": "<div>Ada, 122/74</div>"});
    v["note"] = serde_json::json!([{"text": "after the night shift at sea"}]);
    v["subject"] = serde_json::json!({"reference": "Patient/ada"});
    v["performer"] = serde_json::json!([{"reference": "Practitioner/dr-who"}]);
    v["basedOn"] =
        serde_json::json!([{"reference": "PractitionerRole/x"}, {"reference": "ServiceRequest/1"}]);
    let content = serde_json::to_vec(&v).unwrap();
    let out = run(&content, &level(DateLevel::Exact), 0);
    for gone in ["text", "note", "subject", "performer", "id", "meta"] {
        assert!(out.get(gone).is_none(), "{gone}: {out}");
    }
    assert_eq!(
        out["basedOn"],
        serde_json::json!([{"reference": "ServiceRequest/1"}])
    );
    let kept = run(
        &content,
        &Deidentification {
            keep_free_text: true,
            keep_practitioners: true,
            ..level(DateLevel::Exact)
        },
        0,
    );
    assert!(kept.get("note").is_some() && kept.get("performer").is_some());
    assert!(
        kept.get("subject").is_none(),
        "the participant is never named"
    );
}

#[test]
fn ages_over_89_become_90_or_older_at_year_level() {
    let patient =
        br#"{"resourceType":"Patient","birthDate":"1930-05-02","effectiveDateTime":"2026-01-10"}"#;
    let out = run(patient, &level(DateLevel::Year), 0);
    assert_eq!(out["birthDate"], "1936");
    let young =
        br#"{"resourceType":"Patient","birthDate":"1970-05-02","effectiveDateTime":"2026-01-10"}"#;
    assert_eq!(run(young, &level(DateLevel::Year), 0)["birthDate"], "1970");
}

#[test]
fn darwin_core_locations_are_rounded_and_people_removed() {
    let report = datacoop_formats::dwc::parse(fixture("catch-log.csv")).unwrap();
    let c = &report.items[0].content;
    let d = Deidentification {
        location_decimals: Some(1),
        ..level(DateLevel::MonthYear)
    };
    let out = run(c, &d, 0);
    assert_eq!(out["eventDate"], "2026-05");
    let lat = match &out["decimalLatitude"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    assert_eq!(lat, "27.6");
    assert!(
        out.get("recordedBy").is_none() && out.get("occurrenceID").is_none(),
        "{out}"
    );
    assert_eq!(out["scientificName"], "Panulirus interruptus");
}

#[test]
fn the_offset_is_never_zero_and_within_half_a_year() {
    for seed in 0u8..=255 {
        let s = shift_days(&[seed; 32]);
        assert!(s != 0 && s.abs() <= 180, "{s}");
    }
}

#[test]
fn content_that_is_not_a_json_object_is_refused() {
    assert!(deidentify(b"not json", &level(DateLevel::Exact), 0).is_err());
    assert!(deidentify(b"[1,2]", &level(DateLevel::Exact), 0).is_err());
}
