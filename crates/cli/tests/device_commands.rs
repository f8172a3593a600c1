//! `datacoop devices …` and a device's uploads through the real binary: the
//! member adds a device, the device imports a catch log with only its
//! credentials file, the member reads and exports it, then revokes the device.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_testkit::{backend_tests, Backend, TestServer};
use std::path::Path;
use std::process::{Command, Output};

backend_tests!(device_commands);

fn run(home: &Path, server: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_datacoop"))
        .args(args)
        .env("DATACOOP_HOME", home)
        .env("DATACOOP_SERVER", server)
        .env("DATACOOP_PASSPHRASE", "a long passphrase for tests")
        .output()
        .unwrap()
}

fn ok(home: &Path, server: &str, args: &[&str]) -> serde_json::Value {
    let out = run(home, server, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

async fn device_commands(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let server = srv.base_url();
    tokio::task::spawn_blocking(move || {
        let member = tempfile::tempdir().unwrap();
        let device = tempfile::tempdir().unwrap();
        let (m, d) = (member.path(), device.path());
        ok(
            m,
            &server,
            &[
                "member",
                "register",
                "--email",
                "fisher@example.org",
                "--json",
            ],
        );
        ok(
            m,
            &server,
            &["member", "login", "--email", "fisher@example.org"],
        );

        let creds = m.join("boat.json");
        let added = ok(
            m,
            &server,
            &[
                "devices",
                "add",
                "boat logger",
                "--category",
                "catch.landing",
                "-o",
                creds.to_str().unwrap(),
                "--json",
            ],
        );
        let id = added["device"]["id"].as_str().unwrap().to_owned();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&creds).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let on_device = d.join("boat.json");
        std::fs::copy(&creds, &on_device).unwrap();

        // The device: no login, only the credentials file.
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let catch = examples.join("catch/catch-log.csv");
        let dev = on_device.to_str().unwrap();
        let out = ok(
            d,
            &server,
            &[
                "records",
                "import",
                catch.to_str().unwrap(),
                "--device",
                dev,
                "--json",
            ],
        );
        assert_eq!(out["stored"], 60);
        let note = d.join("note.txt");
        std::fs::write(&note, "pulse 70").unwrap();
        let res = run(
            d,
            &server,
            &[
                "records",
                "upload",
                note.to_str().unwrap(),
                "--category",
                "health.vital-signs",
                "--type",
                "x",
                "--device",
                dev,
            ],
        );
        assert!(!res.status.success());
        let err = String::from_utf8_lossy(&res.stderr);
        assert!(err.contains("may add only catch.landing"), "{err}");
        let res = run(d, &server, &["records", "list"]);
        assert!(!res.status.success(), "the device has no member session");

        // The member reads what the device added, and exports it byte for byte.
        let list = ok(m, &server, &["records", "list", "--json"]);
        let items = list.as_array().unwrap();
        assert_eq!(items.len(), 60);
        assert!(items.iter().all(|i| i["device_id"] == id.as_str()));
        let dir = m.join("export");
        ok(
            m,
            &server,
            &["records", "export", dir.to_str().unwrap(), "--json"],
        );
        let original = std::fs::read_to_string(&catch)
            .unwrap()
            .replace("\r\n", "\n");
        assert_eq!(
            std::fs::read_to_string(dir.join("catch-log.csv")).unwrap(),
            original
        );

        let list = ok(m, &server, &["devices", "list", "--json"]);
        assert_eq!(list[0]["records_added"], 60);
        assert!(list[0]["revoked_at"].is_null());
        let table = String::from_utf8(run(m, &server, &["devices", "list"]).stdout).unwrap();
        assert!(
            table.contains("boat logger") && table.contains("active"),
            "{table}"
        );

        ok(m, &server, &["devices", "revoke", &id]);
        let res = run(
            d,
            &server,
            &[
                "records",
                "import",
                catch.to_str().unwrap(),
                "--device",
                dev,
            ],
        );
        assert!(!res.status.success());
        let err = String::from_utf8_lossy(&res.stderr);
        assert!(err.contains("not valid"), "{err}");
        let list = ok(m, &server, &["records", "list", "--json"]);
        assert_eq!(
            list.as_array().unwrap().len(),
            60,
            "revoking keeps what the device added"
        );
    })
    .await
    .unwrap();
}
