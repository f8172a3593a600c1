//! Elections and bodies through the front door: a general assembly elects an ethics
//! committee from several candidates and delegates study approval to it; the committee
//! meets, only its members vote, and its carried motion approves a study with the
//! cooperative's signature; `gov verify` recounts all of it. The real server with a set
//! clock, the real client, SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_api::b64::Base64Url;
use datacoop_client::gov::{self, GovState};
use datacoop_client::member::MemberSession;
use datacoop_governance_core::wire::{
    AssemblyView, ConveneRequest, ElectionRequest, MotionPhase, MotionRequest, RegisterRequest,
};
use datacoop_governance_core::{Body, Choice, Decision, Election, Form, Power};
use datacoop_testkit::{backend_tests, Backend};
use std::time::Duration;
use uuid::Uuid;

backend_tests!(an_assembly_elects_an_ethics_committee_that_approves_a_study,);

mod gov_common;
use gov_common::{account, at, code, server, DAY, STEWARD};

fn motion(title: &str) -> MotionRequest {
    MotionRequest {
        title: title.into(),
        text: format!("The assembly resolves: {title}."),
        majority: None,
        quorum_percent: None,
        opens_at: None,
        closes_at: None,
        recused: vec![],
        decision: None,
        election: None,
    }
}

fn meeting(title: &str, starts: u64, ends: u64, body: Option<Body>) -> ConveneRequest {
    ConveneRequest {
        title: title.into(),
        form: Form::Virtual,
        starts_at: at(starts),
        ends_at: at(ends),
        place: None,
        how_to_take_part: None,
        body,
    }
}

async fn closed(s: &MemberSession, assembly: Uuid) -> AssemblyView {
    for _ in 0..200 {
        let v = s.gov_assembly(assembly).await.unwrap();
        if v.motions.iter().all(|x| x.state == MotionPhase::Closed) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the scheduler did not close the votes of {assembly}");
}

async fn an_assembly_elects_an_ethics_committee_that_approves_a_study(backend: Backend) {
    let t0 = datacoop_api::time::parse_micros("2027-03-01T09:00:00Z").unwrap() as u64;
    let Some(srv) = server(backend, t0).await else {
        return;
    };
    let clock = srv.app.clock().clone();
    let steward = account(&srv, STEWARD).await;
    let names = ["Ada", "Ben", "Cem", "Dora", "Eli"];
    let mut m = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let r = steward
            .gov_register(&RegisterRequest {
                name: (*n).into(),
                contact: format!("{n}weg {i}, 8000 Zürich"),
                email: None,
                joined_at: Some(at(t0 - 100 * DAY)),
                shares: 1,
                votes: None,
            })
            .await
            .unwrap();
        let s = account(&srv, &format!("{}@example.org", n.to_lowercase())).await;
        s.gov_join(&r.invitation).await.unwrap();
        m.push((s, r.entry.member));
    }

    // Before any delegation, the committee cannot approve a study.
    let study = Uuid::now_v7();
    let approve = Decision::ApproveStudy {
        study,
        terms_sha256: Base64Url(vec![7; 32]),
        study_key: Base64Url(vec![9; 32]),
    };
    let early = steward
        .gov_convene(&meeting(
            "Ethics committee, first sitting",
            t0 + DAY,
            t0 + 2 * DAY,
            Some(Body::EthicsCommittee),
        ))
        .await
        .unwrap();
    assert_eq!(early.body, Some(Body::EthicsCommittee));
    let refused = steward
        .gov_propose(
            early.id,
            &MotionRequest {
                decision: Some(approve.clone()),
                ..motion("Approve the sleep study")
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(&refused), (422, "not_delegated".into()));
    // Elections belong to the general assembly.
    let body_election = steward
        .gov_propose(
            early.id,
            &MotionRequest {
                election: Some(ElectionRequest {
                    seats: 1,
                    candidates: vec![m[0].1],
                }),
                ..motion("Elect a chair")
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(&body_election).0, 422);

    // The general assembly: elect the ethics committee (2 seats, 3 candidates) and
    // delegate study approval to it.
    let ga = steward
        .gov_convene(&meeting(
            "General assembly 2027",
            t0 + 15 * DAY,
            t0 + 22 * DAY,
            None,
        ))
        .await
        .unwrap();
    let election = ElectionRequest {
        seats: 2,
        candidates: vec![m[0].1, m[1].1, m[2].1],
    };
    let too_many_seats = steward
        .gov_propose(
            ga.id,
            &MotionRequest {
                election: Some(ElectionRequest {
                    seats: 4,
                    ..election.clone()
                }),
                ..motion("Elect the ethics committee")
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(&too_many_seats).0, 422);
    let stranger = steward
        .gov_propose(
            ga.id,
            &MotionRequest {
                election: Some(ElectionRequest {
                    seats: 1,
                    candidates: vec![Uuid::now_v7()],
                }),
                ..motion("Elect a stranger")
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(&stranger).0, 422);
    let elect = steward
        .gov_propose(
            ga.id,
            &MotionRequest {
                election: Some(election),
                decision: Some(Decision::Elect {
                    body: Body::EthicsCommittee,
                }),
                ..motion("Elect the ethics committee")
            },
        )
        .await
        .unwrap();
    let e = elect.election.clone().unwrap();
    assert_eq!(
        e.candidates
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["Ada", "Ben", "Cem"]
    );
    let delegate = steward
        .gov_propose(
            ga.id,
            &MotionRequest {
                decision: Some(Decision::Delegate {
                    power: Power::ApproveStudies,
                    to: Body::EthicsCommittee,
                }),
                ..motion("Delegate study approval to the ethics committee")
            },
        )
        .await
        .unwrap();

    clock.advance(Duration::from_micros(16 * DAY));
    // Yes or no on an election, more names than seats, or a name twice: refused.
    let yes = m[0]
        .0
        .gov_vote(elect.id, Choice::Yes, None)
        .await
        .unwrap_err();
    assert_eq!(code(&yes), (422, "ballot_refused".into()));
    let three = m[0]
        .0
        .gov_elect(elect.id, vec![0, 1, 2], None)
        .await
        .unwrap_err();
    assert_eq!(code(&three), (422, "ballot_refused".into()));
    let twice = m[0]
        .0
        .gov_elect(elect.id, vec![1, 1], None)
        .await
        .unwrap_err();
    assert_eq!(code(&twice), (422, "ballot_refused".into()));
    let names_on_yes_no = m[0]
        .0
        .gov_elect(delegate.id, vec![0], None)
        .await
        .unwrap_err();
    assert_eq!(code(&names_on_yes_no), (422, "ballot_refused".into()));
    // A ballot signed over a list in another order (as a hostile server might show
    // it) does not count for anyone.
    let mut swapped: Election = e.clone();
    swapped.candidates.swap(0, 2);
    assert_ne!(swapped.sha256(), e.sha256());
    let view = m[3].0.gov_motion(elect.id).await.unwrap();
    let forged = datacoop_governance_core::Ballot {
        motion: elect.id,
        voter: m[3].1,
        cast_by: m[3].1,
        choice: Choice::Candidates,
        candidates: vec![0],
        election_sha256: Some(Base64Url(swapped.sha256())),
        cast_at_micros: view.server_time_micros,
    };
    let res = m[3].0.gov_cast(forged).await.unwrap_err();
    assert_eq!(code(&res), (422, "ballot_refused".into()));

    // Ada 3, Ben 3, Cem 2: Ada and Ben take the two seats; Eli abstains.
    for (i, picks) in [vec![0, 1], vec![1, 2], vec![0, 1], vec![0, 2]]
        .into_iter()
        .enumerate()
    {
        m[i].0.gov_elect(elect.id, picks, None).await.unwrap();
    }
    m[4].0
        .gov_vote(elect.id, Choice::Abstain, None)
        .await
        .unwrap();
    for (s, _) in &m[..3] {
        s.gov_vote(delegate.id, Choice::Yes, None).await.unwrap();
    }
    m[3].0
        .gov_vote(delegate.id, Choice::No, None)
        .await
        .unwrap();

    clock.advance(Duration::from_micros(6 * DAY + 1));
    let v = closed(&m[0].0, ga.id).await;
    let r = v.motions[0].result.clone().unwrap();
    assert_eq!((r.tally.clone(), r.yes, r.abstain), (vec![3, 3, 2], 4, 1));
    assert_eq!(r.elected, vec![m[0].1, m[1].1]);
    assert!(r.carried);
    assert!(v.motions[1].result.as_ref().unwrap().carried);
    let bodies = m[4].0.gov_bodies().await.unwrap();
    let ethics = bodies
        .bodies
        .iter()
        .find(|b| b.body == Body::EthicsCommittee)
        .unwrap();
    assert_eq!(
        ethics
            .members
            .iter()
            .map(|x| x.name.as_str())
            .collect::<Vec<_>>(),
        ["Ada", "Ben"]
    );
    assert_eq!(bodies.delegations.len(), 1);
    assert_eq!(bodies.delegations[0].body, Body::EthicsCommittee);

    // The committee meets; only its members vote, each in person.
    let now = t0 + 22 * DAY + 1;
    let sitting = steward
        .gov_convene(&meeting(
            "Ethics committee: the sleep study",
            now + DAY,
            now + 3 * DAY,
            Some(Body::EthicsCommittee),
        ))
        .await
        .unwrap();
    let decide = steward
        .gov_propose(
            sitting.id,
            &MotionRequest {
                decision: Some(approve),
                ..motion("Approve the sleep study")
            },
        )
        .await
        .unwrap();
    assert_eq!(decide.body, Some(Body::EthicsCommittee));
    // A member who is not on the committee files nothing at its meeting.
    let outside = m[2]
        .0
        .gov_propose(sitting.id, &motion("Cem's own motion"))
        .await
        .unwrap_err();
    assert_eq!(code(&outside), (422, "not_on_body".into()));
    clock.advance(Duration::from_micros(DAY + 1));
    let cem = m[2]
        .0
        .gov_vote(decide.id, Choice::Yes, None)
        .await
        .unwrap_err();
    assert_eq!(code(&cem), (422, "ballot_refused".into()));
    m[0].0.gov_vote(decide.id, Choice::Yes, None).await.unwrap();
    m[1].0.gov_vote(decide.id, Choice::Yes, None).await.unwrap();
    clock.advance(Duration::from_micros(2 * DAY));
    let v = closed(&m[0].0, sitting.id).await;
    let r = v.motions[0].result.clone().unwrap();
    assert_eq!((r.yes, r.members_eligible, r.carried), (2, 2, true));
    let key = m[4].0.gov_info().await.unwrap().verifier_key;
    let approval = gov::verified_study_approval(&m[4].0, study, &key)
        .await
        .unwrap();
    assert_eq!(approval.motion, decide.id);

    // Anyone recounts the election, the delegation and the committee's decision.
    let report = gov::verify(&m[4].0, GovState::default()).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.recounted, 3);
    let minutes = gov::minutes(&m[4].0, report.state, ga.id, Some(m[2].1), Some(m[3].1))
        .await
        .unwrap();
    assert!(
        minutes
            .markdown
            .contains("The chair declares elected: Ada, Ben."),
        "{}",
        minutes.markdown
    );
    assert!(minutes.markdown.contains("Cem: 2 votes"));
}
