//! `datacoop gov …` for elections and bodies, each member on their own machine, against
//! the real server with a set clock: the assembly elects the board from three
//! candidates and delegates study approval to the ethics committee; the members vote by
//! candidate number; `gov results`, `gov bodies` and `gov verify` show the outcome; a
//! steward records a share change and a leaving from the day notice was given; members
//! ask and answer in the discussion.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_app::Clock;
use datacoop_testkit::{backend_tests, Backend};
use std::time::Duration;

mod gov_common;
use gov_common::{at, server, Machine, DAY};

backend_tests!(an_election_from_the_command_line);

async fn an_election_from_the_command_line(backend: Backend) {
    let t0 = datacoop_api::time::parse_micros("2027-05-03T08:00:00Z").unwrap() as u64;
    let clock = Clock::manual(t0);
    let Some(srv) = server(backend, clock.clone(), |_| {}).await else {
        return;
    };
    let url = srv.base_url();
    tokio::task::spawn_blocking(move || {
        let steward = Machine::new(&url, "board@example.org");
        let names = ["Ada Lovelace", "Ben Okafor", "Cem Yilmaz"];
        let mut members = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let m = Machine::new(&url, &format!("member{i}@example.org"));
            let r = steward.json(&[
                "gov",
                "register",
                "add",
                "--name",
                name,
                "--contact",
                "Hauptstr. 1, Berlin",
                "--joined",
                &at(t0 - 30 * DAY),
            ]);
            m.ok(&["gov", "join", r["invitation"].as_str().unwrap()]);
            members.push((m, r["entry"]["member"].as_str().unwrap().to_owned()));
        }
        let a = steward.json(&[
            "gov",
            "assembly",
            "convene",
            "--title",
            "General assembly 2027",
            "--form",
            "virtual",
            "--starts",
            &at(t0 + 15 * DAY),
            "--ends",
            &at(t0 + 22 * DAY),
        ]);
        let a_id = a["id"].as_str().unwrap().to_owned();
        let mut elect = vec![
            "gov",
            "propose",
            "--assembly",
            &a_id,
            "--title",
            "Election of the board",
            "--text",
            "The assembly elects the board.",
            "--seats",
            "2",
            "--elect",
            "board",
        ];
        for (_, id) in &members {
            elect.extend(["--candidate", id.as_str()]);
        }
        let e = steward.json(&elect);
        let e_id = e["id"].as_str().unwrap().to_owned();
        assert_eq!(e["election"]["candidates"][1]["name"], "Ben Okafor", "{e}");
        let d = steward.json(&[
            "gov",
            "propose",
            "--assembly",
            &a_id,
            "--title",
            "Delegation of study approval",
            "--text",
            "The ethics committee approves studies on the assembly's behalf.",
            "--delegate-study-approval",
            "ethics-committee",
        ]);
        let d_id = d["id"].as_str().unwrap().to_owned();
        let ballot = members[2].0.ok(&["gov", "results", &e_id]);
        assert!(
            ballot.contains("candidate  1. Ada Lovelace") && ballot.contains("2 seat(s)"),
            "{ballot}"
        );

        // The discussion phase: a question on the election, an answer, read back from
        // the verified log.
        let q = members[2].0.json(&[
            "gov",
            "assembly",
            "ask",
            &a_id,
            "--motion",
            &e_id,
            "--text",
            "Will the board publish its minutes?",
        ]);
        let q_index = q["index"].as_u64().unwrap().to_string();
        members[0].0.ok(&[
            "gov",
            "assembly",
            "answer",
            &a_id,
            "--to",
            &q_index,
            "--text",
            "Yes, every quarter.",
        ]);
        let err = members[1].0.fails(&[
            "gov", "assembly", "answer", &a_id, "--to", "1", "--text", "?",
        ]);
        assert!(err.contains("not a contribution"), "{err}");
        let talk = members[1].0.ok(&["gov", "assembly", "discussion", &a_id]);
        assert!(
            talk.contains("member no. 3 asks")
                && talk.contains(&format!("member no. 1 answers [{q_index}]"))
                && talk.contains("Yes, every quarter."),
            "{talk}"
        );

        clock.advance(Duration::from_micros(16 * DAY));
        let err = members[0].0.fails(&["gov", "vote", &e_id, "yes"]);
        assert!(err.contains("name candidates"), "{err}");
        let err = members[0]
            .0
            .fails(&["gov", "vote", &e_id, "--candidate", "0"]);
        assert!(err.contains("numbered from 1"), "{err}");
        for (i, picks) in [["1", "2"], ["2", "3"], ["1", "2"]].iter().enumerate() {
            let (m, _) = &members[i];
            m.ok(&[
                "gov",
                "vote",
                &e_id,
                "--candidate",
                picks[0],
                "--candidate",
                picks[1],
            ]);
            m.ok(&["gov", "vote", &d_id, "yes"]);
        }

        clock.advance(Duration::from_micros(7 * DAY));
        let mut closed = serde_json::Value::Null;
        for _ in 0..100 {
            closed = members[2].0.json(&["gov", "results", &d_id]);
            if closed["state"] == "closed" {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(closed["state"], "closed", "{closed}");
        let text = members[2].0.ok(&["gov", "results", &e_id]);
        assert!(text.contains("1. Ada Lovelace: 2 votes  ELECTED"), "{text}");
        assert!(text.contains("2. Ben Okafor: 3 votes  ELECTED"), "{text}");
        assert!(text.contains("3. Cem Yilmaz: 1 votes\n"), "{text}");
        let bodies = members[2].0.ok(&["gov", "bodies"]);
        assert!(
            bodies.contains("the board:") && bodies.contains("Ada Lovelace"),
            "{bodies}"
        );
        assert!(
            bodies.contains("approving studies is delegated to the ethics committee"),
            "{bodies}"
        );
        // The register over time: more shares from a date, a leaving from the notice.
        let e = steward.ok(&[
            "gov",
            "register",
            "shares",
            &members[2].1,
            "--shares",
            "4",
            "--effective",
            "2028-01-01T00:00:00Z",
        ]);
        assert!(e.contains("4 from 2028-01-01T00:00:00Z"), "{e}");
        let e = steward.json(&[
            "gov",
            "register",
            "leave",
            &members[2].1,
            "--notice-given",
            "2027-06-30T12:00:00Z",
        ]);
        assert_eq!(
            e["leaves_at_micros"].as_u64().map(at),
            Some("2028-01-01T00:00:00Z".to_owned())
        );
        let report = members[1].0.json(&["gov", "verify"]);
        assert_eq!(report["ok"], true, "{report}");
        assert_eq!(report["recounted"], 2);
    })
    .await
    .unwrap();
}
