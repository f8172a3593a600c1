//! Data written by datacoop 0.1 (`tests/fixtures/v0.1`, made with that
//! release's binary) under today's server and CLI: the member's records and
//! files still open, the CLI says what their old format does not prove, an
//! old device's records are refused until the member accepts them, an old
//! device must be enrolled again, and `datacoop records upgrade` re-seals
//! everything in the current format. SQLite, as the fixture was written.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_testkit::{Backend, TestServer};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const LAB: &str = "01a2318a-4622-7039-bf6b-e7d780ffacfa";
const CATCH: &str = "01a2318a-4639-761d-9cdb-26b740998b7f";
const LETTER: &str = "01a2318a-53b7-76f1-9347-0e593f4cd73d";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/v0.1")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
            #[cfg(unix)]
            {
                // Git does not keep modes; the server wants its key files private.
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
            }
        }
    }
}

fn run(home: &Path, server: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_datacoop"))
        .args(args)
        .env("DATACOOP_HOME", home)
        .env("DATACOOP_SERVER", server)
        .env("DATACOOP_PASSPHRASE", "correct horse battery staple")
        .output()
        .unwrap()
}

fn ok(home: &Path, server: &str, args: &[&str]) -> Output {
    let out = run(home, server, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_from_0_1_opens_and_upgrades() {
    let data = tempfile::tempdir().unwrap();
    copy_dir(&fixture().join("data"), data.path());
    let dir = data.path().to_owned();
    let srv = TestServer::start_with(Backend::Sqlite, move |c| {
        c.data_dir = dir;
        c.database_url = None;
    })
    .await
    .expect("SQLite is always there");
    // Through a proxy that can later serve an old copy of a record, as a hostile server could.
    let proxy = datacoop_testkit::TamperProxy::start(srv.base_url()).await;
    let server = proxy.base_url();
    let old_copy = std::sync::Arc::new(std::sync::Mutex::new(None::<serde_json::Value>));
    let keep = old_copy.clone();
    proxy.rewrite_json("/api/v1/records/", move |ex, v| {
        let mut kept = keep.lock().unwrap();
        if ex.path.ends_with(LAB) && kept.is_none() {
            *kept = Some(v.clone());
        }
    });
    tokio::task::spawn_blocking(move || {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        // Its passphrase hashing is in the 0.1 format: refused unless the member agrees.
        let out = run(
            h,
            &server,
            &["member", "login", "--email", "legacy@example.org"],
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--accept-legacy-kdf"), "{err}");
        let out = ok(
            h,
            &server,
            &[
                "member",
                "login",
                "--email",
                "legacy@example.org",
                "--accept-legacy-kdf",
            ],
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("datacoop member passphrase"),
            "the login says how to upgrade"
        );

        // The member's own old record opens, with a warning that names what is not proven.
        let out = ok(h, &server, &["records", "get", LAB]);
        assert_eq!(out.stdout, b"HbA1c 5.4 %");
        let warning = String::from_utf8_lossy(&out.stderr);
        assert!(
            warning.contains("not authenticated") && warning.contains("datacoop records upgrade"),
            "{warning}"
        );

        // The old device's record is refused: nothing proves the device wrote it.
        let out = run(h, &server, &["records", "get", CATCH]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--accept-legacy-device-records"),
            "the refusal says how to accept it: {err}"
        );

        // The old file still downloads and its name still opens.
        let file = h.join("letter.txt");
        ok(
            h,
            &server,
            &["blobs", "get", LETTER, "-o", file.to_str().unwrap()],
        );
        assert_eq!(std::fs::read(&file).unwrap(), b"scan of a referral letter");

        // The old device cannot upload until it is enrolled again.
        let creds = h.join("device.json");
        let mut text = std::fs::read_to_string(fixture().join("device.json")).unwrap();
        text = text.replace("http://127.0.0.1:1", &server);
        std::fs::write(&creds, text).unwrap();
        let note = h.join("note.txt");
        std::fs::write(&note, "x").unwrap();
        let out = run(
            h,
            &server,
            &[
                "records",
                "upload",
                note.to_str().unwrap(),
                "--category",
                "catch.landing",
                "--type",
                "Gadus morhua",
                "--device",
                creds.to_str().unwrap(),
            ],
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("enrol"), "{err}");

        // A dry run changes nothing; the upgrade re-seals the member's own record
        // and leaves the device's alone until the member accepts it.
        let dry = json(&ok(
            h,
            &server,
            &["records", "upgrade", "--dry-run", "--json"],
        ));
        assert_eq!(dry["would_reseal"], 1, "{dry}");
        assert_eq!(dry["to_check"][0]["id"], LAB, "{dry}");
        assert_eq!(dry["to_check"][0]["effective_at"], "2025-03-01T08:30:00Z");
        let first = json(&ok(h, &server, &["records", "upgrade", "--json"]));
        assert_eq!(first["resealed"], 1, "{first}");
        assert_eq!(first["refused_legacy_device"], 1, "{first}");
        let second = json(&ok(
            h,
            &server,
            &[
                "records",
                "upgrade",
                "--accept-legacy-device-records",
                "--json",
            ],
        ));
        assert_eq!(second["resealed"], 1, "{second}");
        assert_eq!(second["current"], 1, "{second}");

        // Now both open without a warning, with their contents and metadata unchanged.
        let out = ok(h, &server, &["records", "get", LAB]);
        assert_eq!(out.stdout, b"HbA1c 5.4 %");
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = ok(h, &server, &["records", "get", CATCH]);
        assert_eq!(out.stdout, br#"{"species":"Gadus morhua","kg":12}"#);
        let list = json(&ok(h, &server, &["records", "list", "--json"]));
        let lab = list
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == LAB)
            .unwrap();
        assert_eq!(lab["version"], 2);
        assert_eq!(lab["effective_at"], "2025-03-01T08:30:00Z");
        let again = json(&ok(h, &server, &["records", "upgrade", "--json"]));
        assert_eq!(again["current"], 2, "{again}");

        // Every record is current now, so the 0.1 copy served in place of the current
        // one is refused (it would still open with the vault key).
        let old = old_copy.lock().unwrap().clone().unwrap();
        assert_eq!(old["version"], 1);
        proxy.rewrite_json("/api/v1/records/", move |ex, v| {
            if ex.path.ends_with(LAB) {
                *v = old.clone();
            }
        });
        let out = run(h, &server, &["records", "get", LAB]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("serving an old copy"), "{err}");
        proxy.clear();

        // The log: the 0.1 entries come first, without a chain; the chain that
        // follows confirms how many there are, and the re-sealed records are
        // now checked against their logged writes.
        let out = ok(h, &server, &["log", "verify"]);
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(
            report.contains("predate the chain; their count is confirmed")
                && report.contains("exactly as your logged writes say"),
            "{report}"
        );

        // A passphrase change writes the current format; then a plain login works,
        // and this machine refuses the 0.1 format for the account from now on.
        const UPGRADED: &str = "an upgraded passphrase for 0.2";
        let with = |args: &[&str], pass: &str, new: Option<&str>| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_datacoop"));
            cmd.args(args)
                .env("DATACOOP_HOME", h)
                .env("DATACOOP_SERVER", &server)
                .env("DATACOOP_PASSPHRASE", pass);
            if let Some(n) = new {
                cmd.env("DATACOOP_NEW_PASSPHRASE", n);
            }
            let out = cmd.output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(out.status.success(), "{args:?}: {err}");
            err
        };
        with(
            &["member", "passphrase"],
            "correct horse battery staple",
            Some(UPGRADED),
        );
        let err = with(
            &["member", "login", "--email", "legacy@example.org"],
            UPGRADED,
            None,
        );
        assert!(err.is_empty(), "{err}");
    })
    .await
    .unwrap();
}
