//! Notices survive `kill -9`: the real `datacoop serve` process is killed while it sends
//! an assembly's notices to a real SMTP server process, started again on the same
//! database, and every notice still arrives, each under one Message-ID. SQLite (at
//! `synchronous=full`, the default) and PostgreSQL. Three cycles by default;
//! `DATACOOP_TEST_CRASH_CYCLES=20` for the long run.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_api::time::format_micros;
use datacoop_client::member::{self, MemberSession};
use datacoop_client::Client;
use datacoop_governance_core::wire::{ConveneRequest, RegisterRequest};
use datacoop_governance_core::Form;
use datacoop_testkit::{backend_tests, Backend, SmtpSink, TestDb};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

backend_tests!(notices_survive_kill_9_mid_send);

const PASS: &str = "correct horse battery staple";
const STEWARD: &str = "steward@example.org";
const MEMBERS: usize = 150;
const CONCURRENCY: usize = 2;
const DAY: u64 = 86_400_000_000;

struct Serve {
    child: Child,
    url: String,
}

impl Serve {
    fn start(data: &Path, db: &str, smtp: &str) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_datacoop"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .env("DATACOOP_DATABASE_URL", db)
            .env("DATACOOP_GOVERNANCE_STEWARDS", STEWARD)
            .env("DATACOOP_AUTH_REGISTRATIONS_PER_MINUTE", "0")
            .env("DATACOOP_NOTICES_SMTP_URL", smtp)
            .env("DATACOOP_NOTICES_CONCURRENCY", CONCURRENCY.to_string())
            .env("DATACOOP_NOTICES_LEASE_SECS", "2")
            .env("DATACOOP_NOTICES_INTERVAL_MS", "20")
            .env("DATACOOP_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start datacoop serve");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("the server printed its address")
                .unwrap();
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.trim().to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Serve { child, url }
    }

    fn kill9(mut self) {
        // `Child::kill` is SIGKILL on Unix: no shutdown, no flushing.
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn steward(url: &str, first: bool) -> MemberSession {
    let c = Client::new(url).unwrap();
    if first {
        member::register(&c, STEWARD, PASS).await.unwrap();
    }
    member::login(&c, STEWARD, PASS, None).await.unwrap()
}

async fn ready(url: &str) {
    let c = Client::new(url).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while c.readyz().await.is_err() {
        assert!(Instant::now() < deadline, "the server did not get ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn cycles() -> usize {
    std::env::var("DATACOOP_TEST_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

async fn notices_survive_kill_9_mid_send(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let Some(db) = TestDb::create(backend) else {
        return;
    };
    let data: PathBuf = db.dir.path().join("data");
    let mut srv = Serve::start(&data, &db.url, &sink.url());
    ready(&srv.url).await;
    let s = steward(&srv.url, true).await;
    for i in 0..MEMBERS {
        s.gov_register(&RegisterRequest {
            name: format!("Member {i}"),
            contact: format!("Hafenstrasse {i}, Rostock"),
            email: Some(format!("m{i}@fischerei.example")),
            joined_at: None,
            shares: 1,
            votes: None,
        })
        .await
        .unwrap();
    }
    let cycles = cycles();
    let now = unix_micros();
    let mut killed_at = Vec::new();
    for cycle in 0..cycles {
        let s = steward(&srv.url, false).await;
        let start = now + (15 + cycle as u64) * DAY;
        let before = sink.messages().len();
        s.gov_convene(&ConveneRequest {
            title: format!("Assembly {cycle}"),
            form: Form::Virtual,
            starts_at: format_micros(start as i64),
            ends_at: format_micros((start + DAY) as i64),
            place: None,
            how_to_take_part: None,
            body: None,
        })
        .await
        .unwrap();
        // Kill it mid-send: once some, not all, of this assembly's notices are out.
        let target = before + 10 + (cycle * 37) % (MEMBERS / 2);
        let deadline = Instant::now() + Duration::from_secs(60);
        while sink.messages().len() < target {
            assert!(Instant::now() < deadline, "notices are not being sent");
            std::thread::sleep(Duration::from_millis(2));
        }
        killed_at.push(sink.messages().len() - before);
        srv.kill9();
        srv = Serve::start(&data, &db.url, &sink.url());
        ready(&srv.url).await;
    }

    // Everything arrives: one Message-ID for every notice of every assembly.
    let expected = cycles * MEMBERS;
    let deadline = Instant::now() + Duration::from_secs(120);
    let mail = loop {
        let mail = sink.messages();
        let ids: BTreeSet<&str> = mail.iter().map(|m| m.message_id.as_str()).collect();
        if ids.len() >= expected {
            break mail;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {expected} notices arrived",
            ids.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    drop(mail);
    // Late stragglers (a resend) would arrive now.
    std::thread::sleep(Duration::from_millis(500));
    let mail = sink.messages();
    let mut by_notice: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for m in &mail {
        by_notice
            .entry((m.to.clone(), m.subject.clone()))
            .or_default()
            .insert(m.message_id.clone());
    }
    assert_eq!(by_notice.len(), expected, "a notice is missing or extra");
    for ((to, subject), ids) in &by_notice {
        assert_eq!(ids.len(), 1, "{to} got {subject:?} under {ids:?}");
    }
    for cycle in 0..cycles {
        let title = format!("Convening: Assembly {cycle} ");
        let n = by_notice
            .keys()
            .filter(|(_, s)| s.starts_with(&title))
            .count();
        assert_eq!(n, MEMBERS, "assembly {cycle}");
    }
    // A message the SMTP server accepted just before the kill, not yet marked sent,
    // goes out again under its Message-ID. Acceptances are recorded in batches, so at
    // a kill up to one claim (16 per connection) may be accepted and not yet recorded.
    let resent = mail.len() - expected;
    assert!(
        resent <= cycles * CONCURRENCY * 16,
        "{resent} messages sent twice in {cycles} kills"
    );
    eprintln!(
        "{cycles} kills at {killed_at:?} notices into each assembly: {expected} notices, \
         all delivered, {resent} resent under their own Message-ID"
    );
}

fn unix_micros() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}
