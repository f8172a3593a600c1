//! The `datacoop` command line against the real server: register, log in,
//! upload, list, get, delete, log out.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_testkit::{backend_tests, Backend, TestServer};
use std::process::{Command, Output};

backend_tests!(member_and_records_commands);

struct Cli {
    home: tempfile::TempDir,
    server: String,
}

impl Cli {
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_datacoop"))
            .args(args)
            .env("DATACOOP_HOME", self.home.path())
            .env("DATACOOP_SERVER", &self.server)
            .env("DATACOOP_PASSPHRASE", "a long passphrase for tests")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

async fn member_and_records_commands(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let cli = Cli {
        home: tempfile::tempdir().unwrap(),
        server: srv.base_url(),
    };
    // The commands block; run them off the runtime that serves nothing here.
    tokio::task::spawn_blocking({
        move || {
            let reg: serde_json::Value = serde_json::from_str(&cli.ok(&[
                "member",
                "register",
                "--email",
                "cli@example.org",
                "--json",
            ]))
            .unwrap();
            assert!(reg["recovery_code"].as_str().unwrap().len() > 40);

            let out = cli.run(&["records", "list"]);
            assert!(!out.status.success());
            assert!(String::from_utf8_lossy(&out.stderr).contains("not logged in"));

            cli.ok(&["member", "login", "--email", "cli@example.org"]);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(cli.home.path().join("session.json"))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600);
            }
            let session = std::fs::read_to_string(cli.home.path().join("session.json")).unwrap();
            assert!(!session.contains("a long passphrase"));

            let file = cli.home.path().join("report.txt");
            std::fs::write(&file, "lab report: all fine").unwrap();
            let up: serde_json::Value = serde_json::from_str(&cli.ok(&[
                "records",
                "upload",
                file.to_str().unwrap(),
                "--category",
                "health.laboratory",
                "--type",
                "report",
                "--effective-at",
                "2026-11-20T10:00:00Z",
                "--content-type",
                "text/plain",
                "--json",
            ]))
            .unwrap();
            let id = up["id"].as_str().unwrap().to_owned();

            let list: serde_json::Value =
                serde_json::from_str(&cli.ok(&["records", "list", "--json"])).unwrap();
            assert_eq!(list.as_array().unwrap().len(), 1);
            assert_eq!(list[0]["category"], "health.laboratory");
            let table = cli.ok(&["records", "list", "--category", "health.laboratory"]);
            assert!(
                table.contains(&id) && table.contains("1 record(s)"),
                "{table}"
            );

            assert_eq!(cli.ok(&["records", "get", &id]), "lab report: all fine");
            cli.ok(&["records", "delete", &id]);
            let out = cli.run(&["records", "get", &id]);
            assert!(!out.status.success());
            assert!(String::from_utf8_lossy(&out.stderr).contains("not_found"));

            // Import the shipped examples, then export everything back out.
            let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
            let fhir = examples.join("fhir/bundle-30-days.json");
            let catch = examples.join("catch/catch-log.csv");
            let out: serde_json::Value =
                serde_json::from_str(&cli.ok(&["records", "import", fhir.to_str().unwrap(), "--json"])).unwrap();
            assert_eq!(out["stored"], 75);
            let out: serde_json::Value =
                serde_json::from_str(&cli.ok(&["records", "import", catch.to_str().unwrap(), "--batch-size", "7", "--json"])).unwrap();
            assert_eq!(out["stored"], 60);
            let bad = cli.home.path().join("bad.json");
            std::fs::write(&bad, r#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient"}},{"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"}}}]}"#).unwrap();
            let res = cli.run(&["records", "import", bad.to_str().unwrap(), "--strict"]);
            assert!(!res.status.success());
            let err = String::from_utf8_lossy(&res.stderr);
            assert!(err.contains("entry[0]") && err.contains("nothing was imported"), "{err}");

            let dir = cli.home.path().join("export");
            let manifest: serde_json::Value =
                serde_json::from_str(&cli.ok(&["records", "export", dir.to_str().unwrap(), "--json"])).unwrap();
            assert_eq!(manifest["records"], 135);
            assert_eq!(manifest["fhir_bundle"]["entries"], 75);
            let original = std::fs::read_to_string(&catch).unwrap().replace("\r\n", "\n");
            assert_eq!(std::fs::read_to_string(dir.join("catch-log.csv")).unwrap(), original);
            let lines = std::fs::read_to_string(dir.join("records/health.vital-signs.ndjson")).unwrap();
            assert!(lines.lines().count() > 10);

            // The access log shows the reads, and verifies (twice: the second
            // run checks consistency with the first).
            let table = cli.ok(&["log", "list", "--action", "record_read"]);
            assert!(table.contains("record_read") && table.contains("you"), "{table}");
            let report = cli.ok(&["log", "verify"]);
            assert!(report.contains("The access log verifies"), "{report}");
            let report = cli.ok(&["log", "verify"]);
            assert!(report.contains("has not grown") || report.contains("appending only"), "{report}");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let state = std::fs::read_dir(cli.home.path())
                    .unwrap()
                    .filter_map(Result::ok)
                    .find(|e| e.file_name().to_string_lossy().starts_with("log-state-"))
                    .expect("log verify saved its state");
                let mode = state.metadata().unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "the saved log state is the member's alone");
            }
            // A key other than the pinned one is refused unless the member repins.
            let key: serde_json::Value = serde_json::from_str(&cli.ok(&["log", "verify", "--json"])).unwrap();
            assert_eq!(key["ok"], true);
            let other = "other.example/log+01234567+AXJxd2VydHl1aW9wYXNkZmdoamtsenhjdmJubTEyMzQ1Ng";
            let out = cli.run(&["log", "verify", "--log-key", other]);
            assert!(!out.status.success());
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("--repin"), "{err}");
            let out = cli.run(&["log", "verify", "--log-key", other, "--repin"]);
            assert!(!out.status.success(), "a key that did not sign the log fails");
            let report = cli.ok(&["log", "verify", "--repin"]);
            assert!(report.contains("trust on first use"), "{report}");
            let cp_file = cli.home.path().join("checkpoint.txt");
            std::fs::write(&cp_file, cli.ok(&["log", "checkpoint"])).unwrap();
            let report = cli.ok(&["log", "verify", "--checkpoint", cp_file.to_str().unwrap()]);
            assert!(report.contains("given checkpoint's signature verifies"), "{report}");

            cli.ok(&["member", "logout"]);
            assert!(!cli.home.path().join("session.json").exists());

            let out = Command::new(env!("CARGO_BIN_EXE_datacoop"))
                .args(["member", "login", "--email", "cli@example.org"])
                .env("DATACOOP_HOME", cli.home.path())
                .env("DATACOOP_SERVER", &cli.server)
                .env("DATACOOP_PASSPHRASE", "wrong passphrase")
                .output()
                .unwrap();
            assert!(!out.status.success());
            assert!(String::from_utf8_lossy(&out.stderr).contains("wrong passphrase"));
        }
    })
    .await
    .unwrap();
}
