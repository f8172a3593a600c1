//! `datacoop gov …` as a steward and two members would run it, each on their own
//! machine (own `DATACOOP_HOME`), against the real server with a set clock: register,
//! invitations, joining, convening, a motion, a proxy, ballots, the scheduler's close,
//! the results, the CSV register and the recount.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_app::Clock;
use datacoop_testkit::{backend_tests, Backend, SmtpSink};
use std::time::Duration;

backend_tests!(a_general_assembly_from_the_command_line);

mod gov_common;
use gov_common::{at, server, Machine, DAY};

async fn a_general_assembly_from_the_command_line(backend: Backend) {
    let t0 = datacoop_api::time::parse_micros("2027-05-03T08:00:00Z").unwrap() as u64;
    let clock = Clock::manual(t0);
    // Notices go to a real SMTP server process.
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let smtp = sink.url();
    let Some(srv) = server(backend, clock.clone(), move |c| {
        c.notices.smtp_url = Some(datacoop_server::config::Secret(smtp));
        c.notices.interval_ms = 50;
    })
    .await
    else {
        return;
    };
    let url = srv.base_url();
    tokio::task::spawn_blocking(move || {
        let steward = Machine::new(&url, "board@example.org");
        let ada = Machine::new(&url, "ada@example.org");
        let ben = Machine::new(&url, "ben@example.org");
        assert!(steward
            .ok(&["gov", "info"])
            .contains("you are a steward   yes"));

        let mut ids = Vec::new();
        for (m, name) in [(&ada, "Ada Lovelace"), (&ben, "Ben Okafor")] {
            let r = steward.json(&[
                "gov",
                "register",
                "add",
                "--name",
                name,
                "--contact",
                "Hauptstr. 1, Berlin",
                "--email",
                &m.email,
                "--joined",
                &at(t0 - 30 * DAY),
                "--shares",
                "2",
            ]);
            let inv = r["invitation"].as_str().unwrap().to_owned();
            let joined = m.ok(&["gov", "join", &inv]);
            assert!(joined.contains("Joined"), "{joined}");
            ids.push(r["entry"]["member"].as_str().unwrap().to_owned());
        }
        // A minority demand (§45): of two members, one is the 10 % share.
        let d = ada.json(&[
            "gov",
            "demand",
            "file",
            "--title",
            "An extraordinary assembly on the fishing quota",
            "--reasons",
            "The quota changes in June.",
        ]);
        assert_eq!(d["supporters"].as_array().unwrap().len(), 1, "{d}");
        assert_eq!(d["needed"], 1, "{d}");
        assert!(d["met_at_micros"].is_u64(), "{d}");
        let d_id = d["terms"]["id"].as_str().unwrap().to_owned();
        let supported = ben.json(&["gov", "demand", "support", &d_id]);
        assert_eq!(supported["supporters"].as_array().unwrap().len(), 2);
        let err = ben.fails(&["gov", "demand", "support", &d_id]);
        assert!(err.contains("already supports"), "{err}");
        let list = steward.ok(&["gov", "demand", "list"]);
        assert!(
            list.contains("2/1  met") && list.contains("fishing quota"),
            "{list}"
        );

        let err = ada.fails(&["gov", "register", "list"]);
        assert!(err.contains("stewards"), "{err}");
        let csv = steward.ok(&["gov", "register", "list", "--csv"]);
        assert!(csv.starts_with("number,register_id,name"), "{csv}");
        assert!(
            csv.contains("Ada Lovelace") && csv.contains("Ben Okafor"),
            "{csv}"
        );

        let err = steward.fails(&[
            "gov",
            "assembly",
            "convene",
            "--title",
            "Too soon",
            "--form",
            "virtual",
            "--starts",
            &at(t0 + 3 * DAY),
            "--ends",
            &at(t0 + 4 * DAY),
        ]);
        assert!(err.contains("14 days"), "{err}");
        let a = steward.json(&[
            "gov",
            "assembly",
            "convene",
            "--title",
            "Ordinary general assembly 2027",
            "--form",
            "virtual",
            "--starts",
            &at(t0 + 15 * DAY),
            "--ends",
            &at(t0 + 22 * DAY),
        ]);
        let a_id = a["id"].as_str().unwrap().to_owned();
        let m = ada.json(&[
            "gov",
            "propose",
            "--assembly",
            &a_id,
            "--title",
            "Annual accounts",
            "--text",
            "The annual accounts 2026 are approved.",
        ]);
        let m_id = m["id"].as_str().unwrap().to_owned();
        let listed = ben.ok(&["gov", "assembly", "agenda", &a_id]);
        assert!(
            listed.contains("Annual accounts") && listed.contains("voting has not opened"),
            "{listed}"
        );
        let err = ada.fails(&["gov", "assembly", "attend", &a_id]);
        assert!(err.contains("not running"), "{err}");

        clock.advance(Duration::from_micros(16 * DAY));
        // Ada follows the virtual assembly and signs her attendance (once).
        let att = ada.ok(&["gov", "assembly", "attend", &a_id]);
        assert!(att.contains("attendance"), "{att}");
        let err = ada.fails(&["gov", "assembly", "attend", &a_id]);
        assert!(err.contains("already recorded"), "{err}");
        ada.json(&[
            "gov",
            "proxy",
            "grant",
            "--assembly",
            &a_id,
            "--to",
            &ids[1],
        ]);
        let v = ben.json(&["gov", "vote", &m_id, "yes"]);
        assert!(v["index"].as_u64().is_some());
        let text = ben.ok(&["gov", "vote", &m_id, "yes", "--for", &ids[0]]);
        assert!(text.contains("signed with your governance key"), "{text}");
        let open = ada.json(&["gov", "results", &m_id]);
        assert_eq!(open["state"], "open");
        assert!(open["result"].is_null(), "no interim results");

        // The scheduler tells the members that voting is open before the vote closes
        // (on a loaded machine its next pass may take a moment).
        for _ in 0..300 {
            let open = sink
                .messages()
                .iter()
                .filter(|m| m.subject.starts_with("Voting is open"))
                .count();
            if open >= 2 {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        clock.advance(Duration::from_micros(7 * DAY));
        let mut closed = serde_json::Value::Null;
        for _ in 0..100 {
            closed = ada.json(&["gov", "results", &m_id]);
            if closed["state"] == "closed" {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(closed["state"], "closed", "{closed}");
        assert_eq!(closed["result"]["yes"], 2);
        assert_eq!(closed["result"]["carried"], true);
        let text = ada.ok(&["gov", "results", &m_id]);
        assert!(
            text.contains("CARRIED") && text.contains("resolution"),
            "{text}"
        );
        let err = ben.fails(&["gov", "vote", &m_id, "no"]);
        assert!(err.contains("closed"), "{err}");

        // Minutes (§47): computed on each machine, signed by the chair and a board member.
        let md = ada.ok(&[
            "gov", "minutes", "show", &a_id, "--chair", &ids[0], "--board", &ids[1],
        ]);
        assert!(
            md.contains("# Minutes: Ordinary general assembly 2027"),
            "{md}"
        );
        assert!(md.contains("The chair declares the motion carried"), "{md}");
        assert!(
            md.contains("Attended electronically (each signed): member no. 1"),
            "{md}"
        );
        assert!(
            md.contains("Participating members") && md.contains("proxy member no. 2"),
            "{md}"
        );
        let sign = |m: &Machine, role: &str| {
            m.run(&[
                "gov", "minutes", "sign", &a_id, "--chair", &ids[0], "--board", &ids[1], "--as",
                role,
            ])
        };
        assert!(
            !sign(&ben, "chair").status.success(),
            "only the chair signs as chair"
        );
        assert!(sign(&ada, "chair").status.success());
        assert!(sign(&ben, "board").status.success());
        let obj = ben.ok(&[
            "gov",
            "object",
            &a_id,
            "--motion",
            &m_id,
            "--text",
            "The accounts lacked the audit report.",
        ]);
        assert!(obj.contains("objection"), "{obj}");
        let signed = ada.json(&["gov", "minutes", "show", &a_id]);
        assert_eq!(signed["chair_signed"], true, "{signed}");
        assert_eq!(signed["board_signed"], true, "{signed}");
        assert!(signed["markdown"]
            .as_str()
            .unwrap()
            .contains("lacked the audit report"));

        let report = ben.json(&["gov", "verify"]);
        assert_eq!(report["ok"], true, "{report}");
        assert_eq!(report["recounted"], 1);
        // The second check pins the key and proves the log only grew.
        let again = ben.ok(&["gov", "verify"]);
        assert!(
            again.contains("has not grown") || again.contains("appending only"),
            "{again}"
        );

        // Every member got the notices by e-mail, the signed minutes last.
        let mail = sink.wait_for(14, Duration::from_secs(30));
        let subjects = |to: &str| -> Vec<String> {
            mail.iter()
                .filter(|m| m.to == to)
                .map(|m| m.subject.clone())
                .collect()
        };
        for to in ["ada@example.org", "ben@example.org"] {
            let got = subjects(to);
            for want in [
                "Convening:",
                "On the agenda",
                "Voting is open",
                "Result:",
                "Minutes:",
            ] {
                assert!(got.iter().any(|s| s.starts_with(want)), "{to}: {got:?}");
            }
        }
        let minutes = mail
            .iter()
            .find(|m| m.subject.starts_with("Minutes:"))
            .unwrap();
        assert!(
            minutes
                .body
                .contains("# Minutes: Ordinary general assembly 2027")
                && minutes.body.contains("datacoop gov object"),
            "{}",
            minutes.body
        );
    })
    .await
    .unwrap();
}
