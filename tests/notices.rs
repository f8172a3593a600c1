//! E-mail notices through the front door: the real server with a set clock sends the
//! members' notices (convening, agenda, voting open, closing soon, result) to a real
//! SMTP server process on loopback, retries while it is down, and never sends a notice
//! under two Message-IDs. SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_api::time::format_micros;
use datacoop_app::Clock;
use datacoop_client::member::{self, MemberSession};
use datacoop_governance_core::wire::{ConveneRequest, MotionRequest, RegisterRequest};
use datacoop_governance_core::{Form, Majority};
use datacoop_testkit::{backend_tests, Backend, Mail, SmtpSink, TestServer};
use std::collections::BTreeSet;
use std::time::Duration;

backend_tests!(
    members_get_every_notice_once,
    notices_wait_out_a_mail_server_outage
);

const PASS: &str = "correct horse battery staple";
const DAY: u64 = 86_400_000_000;
const STEWARD: &str = "steward@example.org";
const WAIT: Duration = Duration::from_secs(30);

fn at(micros: u64) -> String {
    format_micros(micros as i64)
}

async fn server(backend: Backend, sink: &SmtpSink, t0: u64) -> Option<TestServer> {
    let url = sink.url();
    TestServer::start_with(backend, move |c| {
        c.clock = Clock::manual(t0);
        c.governance.stewards = vec![STEWARD.into()];
        c.governance.close_interval_secs = 1;
        c.auth.registrations_per_minute = 0;
        c.notices.smtp_url = Some(datacoop_server::config::Secret(url));
        c.notices.from = "Fischerei eG <board@fischerei.example>".into();
        c.notices.interval_ms = 50;
    })
    .await
}

async fn steward(srv: &TestServer) -> MemberSession {
    let c = srv.client();
    member::register(&c, STEWARD, PASS).await.unwrap();
    member::login(&c, STEWARD, PASS, None).await.unwrap()
}

/// Enters members; those with `Some` address get notices.
async fn enter(s: &MemberSession, emails: &[Option<&str>], t0: u64) {
    for (i, email) in emails.iter().enumerate() {
        s.gov_register(&RegisterRequest {
            name: format!("Member {i}"),
            contact: format!("Hafenstrasse {i}, 18055 Rostock"),
            email: email.map(str::to_owned),
            joined_at: Some(at(t0 - 100 * DAY)),
            shares: 1,
            votes: None,
        })
        .await
        .unwrap();
    }
}

fn convene(start: u64) -> ConveneRequest {
    ConveneRequest {
        title: "General assembly 2027".into(),
        form: Form::Virtual,
        starts_at: at(start),
        ends_at: at(start + 7 * DAY),
        place: None,
        how_to_take_part: Some("https://meet.fischerei.example/ga2027".into()),
        body: None,
    }
}

fn with_subject<'a>(mail: &'a [Mail], prefix: &str) -> Vec<&'a Mail> {
    mail.iter()
        .filter(|m| m.subject.starts_with(prefix))
        .collect()
}

fn recipients(mail: &[&Mail]) -> BTreeSet<String> {
    mail.iter().map(|m| m.to.clone()).collect()
}

async fn members_get_every_notice_once(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let t0 = datacoop_api::time::parse_micros("2027-03-01T09:00:00Z").unwrap() as u64;
    let Some(srv) = server(backend, &sink, t0).await else {
        return;
    };
    let clock = srv.app.clock().clone();
    let s = steward(&srv).await;
    let to = ["ada@fischerei.example", "ben@fischerei.example"];
    // The third member gave no address: the register keeps them, no notice goes out.
    enter(&s, &[Some(to[0]), Some(to[1]), None], t0).await;
    let expected: BTreeSet<String> = to.iter().map(|a| a.to_string()).collect();

    let start = t0 + 15 * DAY;
    let a = s.gov_convene(&convene(start)).await.unwrap();
    let motion = s
        .gov_propose(
            a.id,
            &MotionRequest {
                title: "Approve the annual accounts".into(),
                text: "The assembly approves the annual accounts 2026.".into(),
                majority: Some(Majority::Simple),
                quorum_percent: None,
                opens_at: None,
                closes_at: None,
                recused: vec![],
                decision: None,
                election: None,
            },
        )
        .await
        .unwrap();
    let mail = sink.wait_for(4, WAIT);
    let convening = with_subject(&mail, "Convening: General assembly 2027");
    assert_eq!(recipients(&convening), expected, "{mail:#?}");
    assert!(convening[0]
        .body
        .contains("https://meet.fischerei.example/ga2027"));
    assert!(convening[0].from.contains("board@fischerei.example"));
    let agenda = with_subject(&mail, "On the agenda of General assembly 2027");
    assert_eq!(recipients(&agenda), expected);
    assert!(agenda[0].body.contains(&motion.id.to_string()));

    // Voting opens with the assembly; the scheduler sends the notice.
    clock.advance(Duration::from_micros(15 * DAY));
    let mail = sink.wait_for(6, WAIT);
    assert_eq!(
        recipients(&with_subject(&mail, "Voting is open")),
        expected,
        "{mail:#?}"
    );
    // Two days before the close (the default lead), the reminder.
    clock.advance(Duration::from_micros(5 * DAY + 1));
    let mail = sink.wait_for(8, WAIT);
    assert_eq!(
        recipients(&with_subject(&mail, "Voting closes soon")),
        expected
    );
    // After the close, the result.
    clock.advance(Duration::from_micros(2 * DAY));
    let mail = sink.wait_for(10, WAIT);
    let result = with_subject(&mail, "Result: Approve the annual accounts");
    assert_eq!(recipients(&result), expected, "{mail:#?}");
    assert!(result[0].body.contains("NOT CARRIED"));

    // Nothing more, nothing twice: ten notices under ten Message-IDs of one domain.
    std::thread::sleep(Duration::from_millis(500));
    let mail = sink.messages();
    assert_eq!(mail.len(), 10, "{mail:#?}");
    let ids: BTreeSet<&str> = mail.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), 10);
    assert!(ids.iter().all(|id| id.ends_with("@fischerei.example>")));
    let status = srv.app.notice_status().await.unwrap();
    assert_eq!((status.queued, status.sent, status.failed), (0, 10, 0));
    // Sent notices stay 90 days (notices.keep_days), then leave the outbox.
    assert_eq!(srv.app.prune_notices().await.unwrap(), 0);
    clock.advance(Duration::from_micros(91 * DAY));
    assert_eq!(srv.app.prune_notices().await.unwrap(), 10);
    let status = srv.app.notice_status().await.unwrap();
    assert_eq!((status.queued, status.sent, status.failed), (0, 0, 0));
}

async fn notices_wait_out_a_mail_server_outage(backend: Backend) {
    let Some(mut sink) = SmtpSink::start() else {
        return;
    };
    let t0 = datacoop_api::time::parse_micros("2027-03-01T09:00:00Z").unwrap() as u64;
    let Some(srv) = server(backend, &sink, t0).await else {
        return;
    };
    let clock = srv.app.clock().clone();
    let s = steward(&srv).await;
    let to: Vec<String> = (0..5).map(|i| format!("m{i}@fischerei.example")).collect();
    let emails: Vec<Option<&str>> = to.iter().map(|a| Some(a.as_str())).collect();
    enter(&s, &emails, t0).await;

    // The mail server is down when the assembly is convened: the notices wait in the
    // outbox, each attempt failing and backing off.
    sink.stop();
    let a = s.gov_convene(&convene(t0 + 15 * DAY)).await.unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let st = srv.app.notice_status().await.unwrap();
        let tried: i64 = {
            use datacoop_store::schema::notice_outbox as o;
            use diesel::prelude::*;
            srv.app
                .db()
                .read(|c| {
                    o::table
                        .filter(o::attempts.gt(0))
                        .count()
                        .get_result::<i64>(c)
                        .map_err(datacoop_store::StoreError::Query)
                })
                .await
                .unwrap()
        };
        if tried == 5 {
            assert_eq!((st.queued, st.sent), (5, 0));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no attempt was made");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Back up; after the first backoff (30 s) every notice goes out, once.
    sink.restart();
    clock.advance(Duration::from_secs(31));
    let mail = sink.wait_for(5, WAIT);
    assert_eq!(mail.len(), 5, "{mail:#?}");
    let got: BTreeSet<String> = mail.iter().map(|m| m.to.clone()).collect();
    assert_eq!(got, to.iter().cloned().collect());
    assert!(mail
        .iter()
        .all(|m| m.subject.contains("General assembly 2027")));
    let topic = format!("convened:{}", a.id);
    let queued = srv
        .app
        .db()
        .read(move |c| {
            datacoop_notices::topic(c, &topic).map_err(|e| match e {
                datacoop_notices::NoticeError::Store(s) => s,
                other => panic!("{other}"),
            })
        })
        .await
        .unwrap();
    assert!(queued.iter().all(|(_, sent)| *sent));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.messages().len(), 5);
}
