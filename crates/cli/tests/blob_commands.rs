//! `datacoop blobs …` against the real server: upload several files, list
//! them with their names decrypted, get one back byte-identical under its
//! original name (never overwriting without --force), export, delete.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_testkit::{backend_tests, Backend, TestServer};
use std::path::Path;
use std::process::{Command, Output};

backend_tests!(blob_commands);

struct Cli {
    home: tempfile::TempDir,
    server: String,
}

impl Cli {
    fn run_in(&self, dir: &Path, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_datacoop"))
            .args(args)
            .current_dir(dir)
            .env("DATACOOP_HOME", self.home.path())
            .env("DATACOOP_SERVER", &self.server)
            .env("DATACOOP_PASSPHRASE", "a long passphrase for blob tests")
            .output()
            .unwrap()
    }

    fn ok_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.run_in(dir, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

async fn blob_commands(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let cli = Cli {
        home: tempfile::tempdir().unwrap(),
        server: srv.base_url(),
    };
    tokio::task::spawn_blocking(move || {
        let work = tempfile::tempdir().unwrap();
        let w = work.path();
        cli.ok_in(w, &["member", "register", "--email", "files@example.org"]);
        cli.ok_in(w, &["member", "login", "--email", "files@example.org"]);

        let report: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
        std::fs::write(w.join("lab report.pdf"), &report).unwrap();
        std::fs::write(w.join("steps.csv"), "day,steps\n1,9000\n").unwrap();
        let up: serde_json::Value = serde_json::from_str(&cli.ok_in(
            w,
            &["blobs", "upload", "lab report.pdf", "steps.csv", "--json"],
        ))
        .unwrap();
        assert_eq!(up.as_array().unwrap().len(), 2);
        assert_eq!(up[0]["name"], "lab report.pdf");
        assert_eq!(up[0]["category"], "health.documents");
        let id = up[0]["id"].as_str().unwrap().to_owned();

        let table = cli.ok_in(w, &["blobs", "list"]);
        assert!(
            table.contains("lab report.pdf") && table.contains("application/pdf"),
            "{table}"
        );
        assert!(table.contains("2 file(s)"), "{table}");

        // Default target: the original name here, never overwritten without --force.
        let out = cli.run_in(w, &["blobs", "get", &id]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
        let down = tempfile::tempdir().unwrap();
        cli.ok_in(down.path(), &["blobs", "get", &id]);
        assert_eq!(
            std::fs::read(down.path().join("lab report.pdf")).unwrap(),
            report
        );
        cli.ok_in(down.path(), &["blobs", "get", &id, "--force"]);
        cli.ok_in(w, &["blobs", "get", &id, "-o", "copy.pdf"]);
        assert_eq!(std::fs::read(w.join("copy.pdf")).unwrap(), report);

        // Export writes the files under blobs/ and lists them.
        let dir = w.join("export");
        let manifest: serde_json::Value = serde_json::from_str(
            &cli.ok_in(w, &["records", "export", dir.to_str().unwrap(), "--json"]),
        )
        .unwrap();
        let blobs = manifest["blobs"].as_array().unwrap();
        assert_eq!(blobs.len(), 2);
        for b in blobs {
            let file = dir.join(b["file"].as_str().unwrap());
            assert_eq!(
                std::fs::metadata(&file).unwrap().len(),
                b["size"].as_u64().unwrap()
            );
        }
        assert_eq!(
            std::fs::read(dir.join("blobs/lab report.pdf")).unwrap(),
            report
        );

        cli.ok_in(w, &["blobs", "delete", &id]);
        let table = cli.ok_in(w, &["blobs", "list"]);
        assert!(table.contains("1 file(s)"), "{table}");
        let help = cli.ok_in(w, &["blobs", "upload", "--help"]);
        assert!(help.contains("--category"), "{help}");
    })
    .await
    .unwrap();
}
