//! The one-way arrows of docs/architecture.md, checked on the real
//! dependency graph: what a member installs (the client crates, and the
//! `datacoop` binary built without its `server` feature) carries no storage
//! and no web server; domain crates never reach up to the server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

const SERVER_SIDE: [&str; 4] = ["diesel", "actix-web", "actix-http", "object_store"];

/// The normal (non-dev) dependencies of `package`, built with `features`.
fn tree(package: &str, features: &[&str]) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "-q",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "-p",
            package,
        ])
        .args(features)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree -p {package} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn the_client_side_carries_no_storage_or_web_server() {
    for (package, features) in [
        ("datacoop-api", &[][..]),
        ("datacoop-crypto", &[]),
        ("datacoop-formats", &[]),
        ("datacoop-merkle", &[]),
        ("datacoop-governance-core", &[]),
        ("datacoop-consent-core", &[]),
        ("datacoop-client", &[]),
        ("datacoop", &["--no-default-features"]),
    ] {
        let deps = tree(package, features);
        for bad in SERVER_SIDE {
            assert!(
                !deps.iter().any(|d| d == bad),
                "{package} {features:?} depends on {bad}"
            );
        }
    }
}

#[test]
fn domains_and_the_app_layer_know_nothing_of_http() {
    for package in [
        "datacoop-store",
        "datacoop-auth",
        "datacoop-accounts",
        "datacoop-tlog",
        "datacoop-accesslog",
        "datacoop-notices",
        "datacoop-governance",
        "datacoop-consent",
        "datacoop-app",
    ] {
        let deps = tree(package, &[]);
        for bad in ["actix-web", "actix-http", "datacoop-server"] {
            assert!(!deps.iter().any(|d| d == bad), "{package} depends on {bad}");
        }
    }
}
