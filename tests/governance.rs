//! Governance through the front door: a steward keeps the register and convenes a
//! stretched assembly, members join with keys made on their machines, vote and appoint
//! proxies, the scheduler closes the votes, and `gov verify` recounts everything and
//! catches a tampered ballot or register entry. The real server with a set clock, the
//! real client, SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_api::b64::Base64Url;
use datacoop_client::gov::{self, GovState};
use datacoop_crypto::SigningKey;
use datacoop_governance_core::wire::{ConveneRequest, MotionPhase, MotionRequest, RegisterRequest};
use datacoop_governance_core::{Ballot, Choice, Decision, Form, Majority};
use datacoop_testkit::{backend_tests, Backend};
use diesel::prelude::*;
use std::time::Duration;

backend_tests!(
    an_electronic_assembly_from_register_to_recount,
    concurrent_changes_keep_the_register_and_proxies_consistent,
);

mod gov_common;
use gov_common::{account, at, code, server, DAY, PASS, STEWARD};

async fn an_electronic_assembly_from_register_to_recount(backend: Backend) {
    let t0 = datacoop_api::time::parse_micros("2027-03-01T09:00:00Z").unwrap() as u64;
    let Some(srv) = server(backend, t0).await else {
        return;
    };
    let clock = srv.app.clock().clone();
    let steward = account(&srv, STEWARD).await;
    assert!(steward.gov_info().await.unwrap().steward);

    // The register: five members, four of whom join from their own machines.
    let names = ["Ada", "Ben", "Cem", "Dora", "Eli"];
    let mut invitations = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let r = steward
            .gov_register(&RegisterRequest {
                name: (*n).into(),
                contact: format!("{n}strasse {i}, 10115 Berlin"),
                email: None,
                joined_at: Some(at(t0 - 100 * DAY)),
                shares: 1,
                votes: None,
            })
            .await
            .unwrap();
        assert_eq!(r.entry.number, i as u64 + 1);
        invitations.push(r.invitation);
    }
    // Fay joins the cooperative only after the voting date.
    let fay = steward
        .gov_register(&RegisterRequest {
            name: "Fay".into(),
            contact: "fay@example.org".into(),
            email: None,
            joined_at: Some(at(t0 + 30 * DAY)),
            shares: 2,
            votes: None,
        })
        .await
        .unwrap();
    let mut m = Vec::new();
    for (n, inv) in names.iter().zip(&invitations).take(4) {
        let s = account(&srv, &format!("{}@example.org", n.to_lowercase())).await;
        let e = s.gov_join(inv).await.unwrap();
        assert!(e.linked && e.governance_key.is_some());
        m.push((s, e.member));
    }
    let fay_s = account(&srv, "fay@example.org").await;
    fay_s.gov_join(&fay.invitation).await.unwrap();
    // An invitation works once; a member cannot keep the register.
    let again = m[0].0.gov_join(&invitations[0]).await.unwrap_err();
    assert_eq!(code(&again), (403, "invitation_invalid".into()));
    let not_steward = m[0]
        .0
        .gov_register(&RegisterRequest {
            name: "Mallory".into(),
            contact: "x".into(),
            email: None,
            joined_at: None,
            shares: 1,
            votes: None,
        })
        .await
        .unwrap_err();
    assert_eq!(code(&not_steward), (403, "not_a_steward".into()));
    let outsider = account(&srv, "outsider@example.org").await;
    assert!(steward.gov_register_csv().await.unwrap().contains("Dora"));

    // Convening: at least 14 days ahead (§46(1)).
    let convene = |start: u64| ConveneRequest {
        title: "General assembly 2027".into(),
        form: Form::Stretched,
        starts_at: at(start),
        ends_at: at(start + 7 * DAY),
        place: None,
        how_to_take_part: None,
        body: None,
    };
    let early = steward
        .gov_convene(&convene(t0 + 10 * DAY))
        .await
        .unwrap_err();
    assert_eq!(code(&early), (422, "timeline".into()));
    let start = t0 + 15 * DAY;
    let close = start + 7 * DAY;
    let a = steward.gov_convene(&convene(start)).await.unwrap();
    let motion = |title: &str, majority: Majority, recused: Vec<uuid::Uuid>| MotionRequest {
        title: title.into(),
        text: format!("The assembly resolves: {title}."),
        majority: Some(majority),
        quorum_percent: None,
        opens_at: None,
        closes_at: None,
        recused,
        decision: None,
        election: None,
    };
    let m1 = steward
        .gov_propose(
            a.id,
            &motion("Approve the annual accounts", Majority::Simple, vec![]),
        )
        .await
        .unwrap();
    // A member's own motion, announced in time.
    let m2 = m[2]
        .0
        .gov_propose(
            a.id,
            &motion("Discharge the board", Majority::TwoThirds, vec![m[3].1]),
        )
        .await
        .unwrap();

    // A resolution that acts: approving a study's terms and key (stewards only).
    let study = uuid::Uuid::now_v7();
    let approve = MotionRequest {
        decision: Some(Decision::ApproveStudy {
            study,
            terms_sha256: Base64Url(vec![7; 32]),
            study_key: Base64Url(vec![9; 32]),
        }),
        ..motion("Approve the diabetes study", Majority::Simple, vec![])
    };
    let refused = m[0].0.gov_propose(a.id, &approve).await.unwrap_err();
    assert_eq!(code(&refused), (403, "not_a_steward".into()));
    let m3 = steward.gov_propose(a.id, &approve).await.unwrap();

    // Nine days on, an item would come less than a week before the assembly (§46(2)).
    clock.advance(Duration::from_micros(9 * DAY));
    let late = steward
        .gov_propose(a.id, &motion("A late item", Majority::Simple, vec![]))
        .await
        .unwrap_err();
    assert_eq!(code(&late), (422, "timeline".into()));
    let not_yet = m[0].0.gov_vote(m1.id, Choice::Yes, None).await.unwrap_err();
    assert_eq!(code(&not_yet), (409, "not_voting".into()));

    // Voting phase. Ada and Cem appoint Ben; a third proxy for Ben is refused (§43(5)).
    clock.advance(Duration::from_micros(7 * DAY));
    m[0].0.gov_proxy(a.id, m[1].1, false).await.unwrap();
    m[2].0.gov_proxy(a.id, m[1].1, false).await.unwrap();
    let third = m[3].0.gov_proxy(a.id, m[1].1, false).await.unwrap_err();
    assert_eq!(code(&third), (409, "too_many_proxies".into()));
    // Ada revokes hers and votes herself; a later ballot replaces the earlier one.
    m[0].0.gov_proxy(a.id, m[1].1, true).await.unwrap();
    m[0].0.gov_vote(m1.id, Choice::Yes, None).await.unwrap();
    m[0].0.gov_vote(m1.id, Choice::No, None).await.unwrap();
    m[1].0.gov_vote(m1.id, Choice::Yes, None).await.unwrap();
    m[1].0
        .gov_vote(m1.id, Choice::Yes, Some(m[2].1))
        .await
        .unwrap();
    m[3].0.gov_vote(m1.id, Choice::Abstain, None).await.unwrap();
    // Dora rotates her keys: her vault now derives another governance key, which the
    // register does not know, until a steward's new invitation links it.
    m[3].0
        .rotate_keys("dora@example.org", PASS, |_, _| {})
        .await
        .unwrap();
    let stale = m[3]
        .0
        .gov_vote(m1.id, Choice::Abstain, None)
        .await
        .unwrap_err();
    assert_eq!(code(&stale), (422, "ballot_refused".into()));
    let again = steward.gov_reinvite(m[3].1).await.unwrap();
    m[3].0.gov_join(&again.invitation).await.unwrap();
    m[3].0.gov_vote(m1.id, Choice::Abstain, None).await.unwrap();
    // Ben may no longer vote for Ada.
    let revoked = m[1]
        .0
        .gov_vote(m1.id, Choice::Yes, Some(m[0].1))
        .await
        .unwrap_err();
    assert_eq!(code(&revoked), (422, "ballot_refused".into()));
    // Two thirds exactly carries; Dora is recused from her own discharge (§43(6)).
    m[0].0.gov_vote(m2.id, Choice::Yes, None).await.unwrap();
    m[0].0.gov_vote(m3.id, Choice::Yes, None).await.unwrap();
    m[1].0.gov_vote(m2.id, Choice::Yes, None).await.unwrap();
    m[2].0.gov_vote(m2.id, Choice::No, None).await.unwrap();
    let recused = m[3].0.gov_vote(m2.id, Choice::Yes, None).await.unwrap_err();
    assert_eq!(code(&recused), (422, "ballot_refused".into()));
    // Fay is not yet a member on the voting date.
    let early_member = fay_s.gov_vote(m1.id, Choice::Yes, None).await.unwrap_err();
    assert_eq!(code(&early_member), (422, "ballot_refused".into()));
    // A ballot signed with a key that is not the member's.
    let view = m[0].0.gov_motion(m1.id).await.unwrap();
    let forged = Ballot {
        motion: m1.id,
        voter: m[0].1,
        cast_by: m[0].1,
        choice: Choice::Yes,
        cast_at_micros: view.server_time_micros,
        candidates: vec![],
        election_sha256: None,
    }
    .sign(&SigningKey::generate().unwrap());
    let res = m[0]
        .0
        .client
        .request(reqwest::Method::POST, datacoop_api::paths::GOV_BALLOTS)
        .json(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let outside = outsider
        .gov_vote(m1.id, Choice::Yes, None)
        .await
        .unwrap_err();
    assert_eq!(code(&outside), (403, "not_in_register".into()));
    // No interim results.
    assert_eq!(view.state, MotionPhase::Open);
    assert!(view.result.is_none());

    // The voting phase ends; the scheduler closes both votes.
    clock.advance(Duration::from_micros(close - (t0 + 16 * DAY) + 1));
    let mut closed = None;
    for _ in 0..100 {
        let v = m[0].0.gov_assembly(a.id).await.unwrap();
        if v.motions.iter().all(|x| x.state == MotionPhase::Closed) {
            closed = Some(v);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let closed = closed.expect("the scheduler closed the votes");
    let r1 = closed.motions[0].result.clone().unwrap();
    assert_eq!((r1.yes, r1.no, r1.abstain, r1.carried), (2, 1, 1, true));
    let r2 = closed.motions[1].result.clone().unwrap();
    assert_eq!((r2.yes, r2.no, r2.carried), (2, 1, true));
    assert!(closed.motions[2].result.as_ref().unwrap().carried);
    let key = m[0].0.gov_info().await.unwrap().verifier_key;
    let approval = gov::verified_study_approval(&m[0].0, study, &key)
        .await
        .unwrap();
    assert_eq!((approval.study, approval.motion), (study, m3.id));
    let none = gov::verified_study_approval(&m[0].0, uuid::Uuid::now_v7(), &key)
        .await
        .unwrap_err();
    assert_eq!(none.status(), Some(404));
    let after = m[1].0.gov_vote(m1.id, Choice::No, None).await.unwrap_err();
    assert_eq!(code(&after), (409, "not_voting".into()));

    // Anyone in the cooperative recounts.
    let report = gov::verify(&m[3].0, GovState::default()).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.recounted, 3);
    let state = report.state.clone();

    // A ballot changed in the database: its entry no longer hashes to the signed root.
    let (idx, body): (i64, Vec<u8>) = srv
        .app
        .db()
        .read(|c| {
            use datacoop_store::schema::gov_entries as e;
            e::table
                .filter(e::kind.eq("ballot"))
                .order(e::idx.asc())
                .select((e::idx, e::body))
                .first::<(i64, Vec<u8>)>(c)
                .map_err(datacoop_store::StoreError::Query)
        })
        .await
        .unwrap();
    let text = String::from_utf8(body.clone()).unwrap();
    let changed = text.replace("\"choice\":\"yes\"", "\"choice\":\"no\"");
    assert_ne!(text, changed);
    let set = |bytes: Vec<u8>| {
        srv.app.db().write(move |c| {
            use datacoop_store::schema::gov_entries as e;
            diesel::update(e::table.find(idx))
                .set(e::body.eq(bytes))
                .execute(c)
                .map_err(datacoop_store::StoreError::Query)
        })
    };
    set(changed.into_bytes()).await.unwrap();
    let report = gov::verify(&m[3].0, state.clone()).await.unwrap();
    assert!(!report.ok());
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("do not hash to the signed root")),
        "{:?}",
        report.problems
    );
    set(body).await.unwrap();
    assert!(gov::verify(&m[3].0, state.clone()).await.unwrap().ok());

    // A register entry changed: the member sees it is not what the chain recorded.
    srv.app
        .db()
        .write(|c| {
            use datacoop_store::schema::gov_register as r;
            diesel::update(r::table.filter(r::name.eq("Dora")))
                .set(r::name.eq("Doris"))
                .execute(c)
                .map_err(datacoop_store::StoreError::Query)
        })
        .await
        .unwrap();
    let report = gov::verify(&m[3].0, state).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("does not match what the chain recorded")),
        "{:?}",
        report.problems
    );
}

/// Stewards entering members at once get distinct member numbers, and members giving
/// proxies to one holder at once cannot give them a third (PostgreSQL runs these
/// transactions concurrently: each governance write takes the log's lock first).
async fn concurrent_changes_keep_the_register_and_proxies_consistent(backend: Backend) {
    let t0 = datacoop_api::time::parse_micros("2027-03-01T09:00:00Z").unwrap() as u64;
    let Some(srv) = server(backend, t0).await else {
        return;
    };
    let steward = account(&srv, STEWARD).await;
    let requests: Vec<RegisterRequest> = (0..20)
        .map(|i| RegisterRequest {
            name: format!("Member {i}"),
            contact: "Berlin".into(),
            email: None,
            joined_at: Some(at(t0 - DAY)),
            shares: 1,
            votes: None,
        })
        .collect();
    let adds = requests.iter().map(|r| steward.gov_register(r));
    let done: Vec<_> = futures_util::future::join_all(adds).await;
    let mut numbers: Vec<u64> = done
        .iter()
        .map(|r| r.as_ref().unwrap().entry.number)
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<u64>>());

    let mut members = Vec::new();
    for (i, r) in done.iter().take(4).enumerate() {
        let s = account(&srv, &format!("m{i}@example.org")).await;
        let e = s.gov_join(&r.as_ref().unwrap().invitation).await.unwrap();
        members.push((s, e.member));
    }
    let a = steward
        .gov_convene(&ConveneRequest {
            title: "Assembly".into(),
            form: Form::Virtual,
            starts_at: at(t0 + 15 * DAY),
            ends_at: at(t0 + 16 * DAY),
            place: None,
            how_to_take_part: None,
            body: None,
        })
        .await
        .unwrap();
    let holder = members[0].1;
    let grants = members[1..]
        .iter()
        .map(|(s, _)| s.gov_proxy(a.id, holder, false));
    let results = futures_util::future::join_all(grants).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(
        ok, 2,
        "a holder represents at most two members: {results:?}"
    );
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(code(r), (409, "too_many_proxies".into()));
    }
}
