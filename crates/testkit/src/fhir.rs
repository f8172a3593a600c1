//! FHIR resources checked against the official R4 JSON schema, by the same validator
//! the FHIR export's tests use (`crates/formats/tests/validate_fhir.py`, python3 with
//! `jsonschema`). Without python3 and jsonschema the check is skipped, unless
//! `DATACOOP_TEST_REQUIRE_FHIR_SCHEMA` is set (as in CI), where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Asserts that every file holds a valid FHIR R4 resource.
#[allow(clippy::panic)]
pub fn assert_valid_r4(files: &[PathBuf]) {
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
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../formats/tests/validate_fhir.py");
    let out = match Command::new("python3").arg(script).args(files).output() {
        Ok(o) => o,
        Err(e) => panic!("cannot run the FHIR validator: {e}"),
    };
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
