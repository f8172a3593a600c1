//! A consent receipt as a FHIR R4 Consent, checked against the official R4 JSON schema
//! (the same validator and schema as the FHIR export: crates/formats/tests).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_api::b64::Base64Url;
use datacoop_consent_core::fhir::fhir_consent;
use datacoop_consent_core::wire::{ConsentState, ConsentView};
use datacoop_consent_core::{ConsentReceipt, Day};
use std::path::Path;
use std::process::Command;

fn view(state: ConsentState) -> ConsentView {
    ConsentView {
        id: uuid::Uuid::now_v7(),
        study: uuid::Uuid::now_v7(),
        study_title: "Blood pressure and sleep".into(),
        state,
        receipt: ConsentReceipt {
            consent: uuid::Uuid::now_v7(),
            study: uuid::Uuid::now_v7(),
            terms_sha256: Base64Url(vec![7; 32]),
            pseudonym: uuid::Uuid::new_v4(),
            categories: vec!["health.vital-signs".into(), "health.sleep".into()],
            data_from: Day::parse("2024-01-01"),
            data_until: None,
            future_data: true,
            granted_at_micros: 1_800_000_000_000_000,
            ends_at_micros: Day::parse("2028-12-31").unwrap().end_micros(),
        },
        member_signature: Base64Url(vec![1; 64]),
        server_signature: Some(Base64Url(vec![2; 64])),
        granted_index: Some(3),
        copies: 4,
        withdrawn_at: None,
        member_share_key: None,
    }
}

#[test]
fn the_consent_resource_says_what_was_agreed() {
    let v = fhir_consent(&view(ConsentState::Active));
    assert_eq!(v["scope"]["coding"][0]["code"], "research");
    assert_eq!(v["provision"]["type"], "deny");
    let permits = v["provision"]["provision"].as_array().unwrap();
    assert_eq!(permits.len(), 2);
    assert_eq!(permits[1]["class"][0]["code"], "health.sleep");
    assert_eq!(permits[0]["dataPeriod"]["start"], "2024-01-01");
    assert_eq!(
        fhir_consent(&view(ConsentState::Withdrawn))["status"],
        "inactive"
    );
}

#[test]
fn the_consent_resource_meets_the_official_r4_schema() {
    let ok = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("DATACOOP_TEST_REQUIRE_FHIR_SCHEMA").is_none(),
            "DATACOOP_TEST_REQUIRE_FHIR_SCHEMA is set but python3 with jsonschema is missing"
        );
        eprintln!("skipped: python3 with the jsonschema package is not available");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, s) in [ConsentState::Active, ConsentState::Withdrawn]
        .into_iter()
        .enumerate()
    {
        let path = dir.path().join(format!("consent-{i}.json"));
        std::fs::write(
            &path,
            serde_json::to_vec_pretty(&fhir_consent(&view(s))).unwrap(),
        )
        .unwrap();
        files.push(path);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../formats/tests/validate_fhir.py");
    let out = Command::new("python3")
        .arg(script)
        .args(&files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.matches(": valid FHIR R4").count(),
        files.len(),
        "{stdout}"
    );
}
