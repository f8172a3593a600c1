//! The Bundle we export, and the shipped fixtures, against the official FHIR R4 JSON schema.
//!
//! The schema (CC0, see `fhir-r4/README.md`) is checked by `validate_fhir.py`
//! with Python's `jsonschema`. Without python3 and jsonschema this test says
//! so and passes, unless `DATACOOP_TEST_REQUIRE_FHIR_SCHEMA=1` demands the check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use datacoop_formats::fhir;

fn python_with_jsonschema() -> bool {
    Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|out| out.status.success())
}

fn validate(files: &[PathBuf]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/validate_fhir.py");
    let out = Command::new("python3")
        .arg(script)
        .args(files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "schema validation failed:\n{stdout}\n{stderr}"
    );
    assert_eq!(
        stdout.matches(": valid FHIR R4").count(),
        files.len(),
        "{stdout}"
    );
}

#[test]
fn exported_bundle_and_fixtures_meet_the_official_r4_schema() {
    if !python_with_jsonschema() {
        assert!(
            std::env::var_os("DATACOOP_TEST_REQUIRE_FHIR_SCHEMA").is_none(),
            "DATACOOP_TEST_REQUIRE_FHIR_SCHEMA is set but python3 with jsonschema is missing"
        );
        eprintln!("skipped: python3 with the jsonschema package is not available");
        return;
    }
    let mut items = Vec::new();
    for name in [
        "bundle-30-days.json",
        "observation-blood-pressure.json",
        "observation-heart-rate.json",
    ] {
        items.extend(
            fhir::parse(common::read_fixture(name).as_slice())
                .unwrap()
                .items,
        );
    }
    let mut writer = fhir::bundle_writer(Vec::new())
        .with_timestamp(time::macros::datetime!(2026-04-01 00:00 UTC))
        .unwrap();
    for item in &items {
        writer.write_item(item).unwrap();
    }
    let exported = Path::new(env!("CARGO_TARGET_TMPDIR")).join("datacoop-exported-bundle.json");
    std::fs::write(&exported, writer.finish().unwrap()).unwrap();

    let mut files = vec![exported];
    for name in [
        "bundle-30-days.json",
        "observation-blood-pressure.json",
        "observation-heart-rate.json",
    ] {
        files.push(common::fixture(name));
    }
    validate(&files);
}

#[test]
fn the_schema_check_rejects_an_invalid_observation() {
    if !python_with_jsonschema() {
        eprintln!("skipped: python3 with the jsonschema package is not available");
        return;
    }
    let mut bundle = common::bundle_value();
    bundle["entry"][5]["resource"]["status"] = "done".into();
    let broken = Path::new(env!("CARGO_TARGET_TMPDIR")).join("datacoop-broken-bundle.json");
    std::fs::write(&broken, serde_json::to_vec(&bundle).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/validate_fhir.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(&broken)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("entry/5/resource/status: 'done' is not one of"),
        "{stdout}"
    );
}
