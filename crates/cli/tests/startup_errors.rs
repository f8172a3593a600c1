//! `datacoop serve` refuses bad set-ups with one clear line and a non-zero exit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn serve(args: &[&str], envs: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_datacoop"))
        .current_dir(dir.path())
        .arg("serve")
        .args(args)
        .env_remove("DATACOOP_DATABASE_URL")
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let last = stderr.lines().last().unwrap_or_default().to_owned();
    (out.status.success(), last)
}

#[test]
fn unknown_database_scheme() {
    let (ok, line) = serve(&["--database-url", "mysql://root:pw@localhost/x"], &[]);
    assert!(!ok);
    assert!(
        line.starts_with("error: unsupported database URL scheme"),
        "{line}"
    );
    assert!(!line.contains("pw@"), "{line}");
}

#[test]
fn unreachable_database() {
    let (ok, line) = serve(
        &[
            "--database-url",
            "postgres://nobody:secret@127.0.0.1:1/none",
        ],
        &[("DATACOOP_DATABASE_CONNECT_TIMEOUT_SECS", "1")],
    );
    assert!(!ok);
    assert!(
        line.starts_with(
            "error: cannot connect to the database at postgres://nobody:***@127.0.0.1:1/none"
        ),
        "{line}"
    );
}

#[test]
fn port_in_use() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (ok, line) = serve(&["--listen", &addr], &[]);
    assert!(!ok);
    assert!(
        line.starts_with(&format!("error: cannot listen on {addr}")),
        "{line}"
    );
    assert!(line.contains("--listen"), "{line}");
}

#[test]
fn unusable_data_directory() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let inside_a_file = file.path().join("data");
    let (ok, line) = serve(&["--data-dir", inside_a_file.to_str().unwrap()], &[]);
    assert!(!ok);
    assert!(
        line.starts_with("error: cannot use data directory"),
        "{line}"
    );
}

#[test]
fn malformed_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("datacoop.toml");
    std::fs::write(&cfg, "listen = \"127.0.0.1:0\"\n[database\n").unwrap();
    let (ok, line) = serve(&["--config", cfg.to_str().unwrap()], &[]);
    assert!(!ok);
    assert!(line.contains("line 2"), "{line}");
    std::fs::write(&cfg, "listen = \"127.0.0.1:0\"\nworkerz = 3\n").unwrap();
    let (ok, line) = serve(&["--config", cfg.to_str().unwrap()], &[]);
    assert!(!ok);
    assert!(line.contains("unknown field `workerz`"), "{line}");
}

#[test]
fn help_and_version() {
    let out = Command::new(env!("CARGO_BIN_EXE_datacoop"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("datacoop "));
    let out = Command::new(env!("CARGO_BIN_EXE_datacoop"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("DATACOOP_DATABASE_URL"), "{help}");
}
