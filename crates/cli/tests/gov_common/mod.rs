//! A member's machine running `datacoop` (its own `DATACOOP_HOME`), for the governance
//! command tests.
#![allow(dead_code)]

use datacoop_app::Clock;
use datacoop_server::config::Config;
use datacoop_testkit::{Backend, TestServer};
use std::process::{Command, Output, Stdio};

/// The steward's account in these tests.
pub const STEWARD: &str = "board@example.org";

/// The real server on `backend` with `clock`, the steward configured and votes closed
/// every second; `more` adjusts the rest. `None` where the backend is not available
/// outside CI.
pub async fn server(
    backend: Backend,
    clock: Clock,
    more: impl FnOnce(&mut Config),
) -> Option<TestServer> {
    TestServer::start_with(backend, move |c| {
        c.clock = clock;
        c.governance.stewards = vec![STEWARD.into()];
        c.governance.close_interval_secs = 1;
        c.auth.registrations_per_minute = 0;
        more(c);
    })
    .await
}

pub const PASS: &str = "the member's long passphrase";
pub const DAY: u64 = 86_400_000_000;

pub struct Machine {
    pub home: tempfile::TempDir,
    pub server: String,
    pub email: String,
}

impl Machine {
    pub fn new(server: &str, email: &str) -> Self {
        let m = Machine {
            home: tempfile::tempdir().unwrap(),
            server: server.into(),
            email: email.into(),
        };
        m.ok(&["member", "register", "--email", email]);
        m.ok(&["member", "login", "--email", email]);
        m
    }

    /// A machine with nothing on it yet (e.g. a researcher's, who registers as one).
    pub fn empty(server: &str, email: &str) -> Self {
        Machine {
            home: tempfile::tempdir().unwrap(),
            server: server.into(),
            email: email.into(),
        }
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_datacoop"))
            .args(args)
            .env("DATACOOP_HOME", self.home.path())
            .env("DATACOOP_SERVER", &self.server)
            .env("DATACOOP_PASSPHRASE", PASS)
            .env_remove("DATACOOP_SESSION")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{} {args:?}: {}",
            self.email,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }
}

pub fn at(micros: u64) -> String {
    datacoop_api::time::format_micros(micros as i64)
}
