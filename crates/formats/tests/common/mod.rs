//! Helpers shared by the integration tests: fixtures live in `tests/fixtures/`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

/// Path of a shipped fixture file.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Bytes of a shipped fixture file.
pub fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("fixture is shipped")
}

/// The 30-day bundle as a JSON value, to derive broken variants from.
pub fn bundle_value() -> serde_json::Value {
    serde_json::from_slice(&read_fixture("bundle-30-days.json")).unwrap()
}

/// The catch log with line endings normalised to `\n`.
pub fn catch_log() -> String {
    String::from_utf8(read_fixture("catch-log.csv"))
        .unwrap()
        .replace("\r\n", "\n")
}
