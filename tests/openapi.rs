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

/// Every path and method the document names is routed by the server (the
/// default 404 "no route" answer would mean the document lies).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_route_exists() {
    let srv = datacoop_testkit::TestServer::start(datacoop_testkit::Backend::Sqlite)
        .await
        .unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&datacoop_server::openapi::document()).unwrap();
    let c = srv.client();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{id}", &uuid::Uuid::now_v7().to_string());
        for method in item.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let res = c.request(m, &concrete).send().await.unwrap();
            let status = res.status();
            let body = res.text().await.unwrap_or_default();
            assert!(
                !(status == 404 && body.contains("no route for")),
                "{method} {path} is documented but not routed"
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} operations documented");
}

/// The paths the client, the CLI and the benchmarks build
/// (`datacoop_api::paths`) are exactly the versioned paths the document names.
#[test]
fn client_paths_are_the_documented_paths() {
    let doc: serde_json::Value =
        serde_json::from_str(&datacoop_server::openapi::document()).unwrap();
    let mut documented: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|p| p.starts_with(datacoop_api::API_BASE))
        .collect();
    let mut built: Vec<&str> = datacoop_api::paths::TEMPLATES.to_vec();
    documented.sort_unstable();
    built.sort_unstable();
    assert_eq!(built, documented);
}

/// Every operation declares the answers any request can get (a fault, the database
/// away or a concurrent change), a secured one the missing or expired token, one with a
/// body or query the malformed request, and each of these as a problem document.
#[test]
fn every_operation_declares_the_common_answers() {
    let doc: serde_json::Value =
        serde_json::from_str(&datacoop_server::openapi::document()).unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let mut want = vec!["500", "503"];
            if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                want.push("401");
            }
            if op.get("requestBody").is_some() {
                want.extend(["400", "413"]);
            }
            if path.contains('{') {
                want.push("404");
            }
            for status in want {
                let r = &responses
                    .get(status)
                    .unwrap_or_else(|| panic!("{method} {path} does not declare {status}"));
                // Only readiness answers 503 with its own report rather than a problem.
                assert!(
                    r["content"]["application/problem+json"].is_object()
                        || (status == "503" && path == "/readyz"),
                    "{method} {path} {status} is not a problem document"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked} operations");
}
