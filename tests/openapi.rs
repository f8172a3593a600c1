//! `openapi/openapi.json` is generated from the code; this fails on drift.
//! Regenerate with `DATACOOP_UPDATE_OPENAPI=1 cargo test -p datacoop-suite --test openapi`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[test]
fn committed_openapi_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let generated = datacoop_server::openapi::document();
    if std::env::var("DATACOOP_UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json differs from the code: run `DATACOOP_UPDATE_OPENAPI=1 cargo test -p datacoop-suite --test openapi` and commit the result"
    );
}
