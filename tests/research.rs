//! The research side through the front door: a researcher registers with keys made on
//! their machine, is verified by a steward, makes and submits a study; a resolution of
//! the general assembly approves it (another study is rejected); members read the
//! terms and their client checks the signed approval in the governance log, and
//! refuses a study whose key the server swapped; the researcher closes it. Every role
//! is held to what it may do. The real server, the real client, SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_client::gov::{self, GovState};
use datacoop_client::member::{self, KdfPolicy};
use datacoop_client::research;
use datacoop_consent_core::wire::{Closure, ResearcherQuery, StudyQuery, StudyState};
use datacoop_governance_core::wire::{ConveneRequest, MotionPhase, MotionRequest, RegisterRequest};
use datacoop_governance_core::{Choice, Decision, Form, Majority};
use datacoop_testkit::{backend_tests, Backend, TamperProxy};
use std::time::Duration;

backend_tests!(a_study_from_registration_to_closing,);

mod gov_common;
mod research_common;
use gov_common::{account, at, code, server, DAY, PASS, STEWARD};
use research_common::{researcher, terms};

async fn a_study_from_registration_to_closing(backend: Backend) {
    let t0 = datacoop_api::time::parse_micros("2027-03-01T09:00:00Z").unwrap() as u64;
    let Some(srv) = server(backend, t0).await else {
        return;
    };
    let clock = srv.app.clock().clone();
    let steward = account(&srv, STEWARD).await;
    let ada = account(&srv, "ada@example.org").await;

    // A researcher's account: the researcher's token, not a member's.
    let r = researcher(&srv, "lena@uni-kiel.example", "Lena Petersen").await;
    let me = r.me().await.unwrap();
    assert_eq!(me.name, "Lena Petersen");
    assert!(me.verification.is_none());
    let as_member = r.session.sessions().await.unwrap_err();
    assert_eq!(code(&as_member).0, 403);
    let wrong = research::login(
        &srv.client(),
        "ada@example.org",
        PASS,
        None,
        &KdfPolicy::default(),
    )
    .await
    .unwrap_err();
    assert!(wrong.to_string().contains("member's account"), "{wrong}");
    // A member logging in with a researcher's account gets a researcher's token too.
    let lena_as_member = member::login(&srv.client(), "lena@uni-kiel.example", PASS, None)
        .await
        .unwrap();
    assert_eq!(
        code(&lena_as_member.list(&Default::default()).await.unwrap_err()).0,
        403
    );

    // A draft: terms and key made here; the server stores the exact bytes.
    let draft = r.create_study(&terms()).await.unwrap();
    assert_eq!(draft.state, StudyState::Draft);
    assert!(draft.sealed_study_key.is_some());
    r.study_keys(&draft).unwrap();
    // Nobody else sees a draft.
    let hidden = ada.checked_study(draft.id, "unused").await.unwrap_err();
    assert_eq!(code(&hidden).0, 404);
    // Bad terms are refused with what to change.
    let mut bad = terms();
    bad.summaries.remove("fr");
    let e = r.create_study(&bad).await.unwrap_err();
    assert!(e.to_string().contains("fr is missing"), "{e}");
    let raw = r
        .session
        .client
        .request(reqwest::Method::POST, datacoop_api::paths::STUDIES)
        .json(&serde_json::json!({
            "id": uuid::Uuid::now_v7(),
            "terms": "e30",
            "study_key": datacoop_api::b64::Base64Url(vec![1; 32]),
            "sealed_study_key": datacoop_api::b64::Base64Url(vec![1; 80]),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 422);

    // Only verified researchers submit; only stewards verify.
    let e = r.submit_study(draft.id).await.unwrap_err();
    assert_eq!(code(&e), (403, "researcher_not_verified".into()));
    let e = ada.verify_researcher(me.id).await.unwrap_err();
    assert_eq!(code(&e), (403, "not_a_steward".into()));
    let waiting = steward
        .researchers(&ResearcherQuery {
            unverified: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(waiting.researchers.len(), 1);
    assert_eq!(
        waiting.researchers[0].email.as_deref(),
        Some("lena@uni-kiel.example")
    );
    let verified = steward.verify_researcher(me.id).await.unwrap();
    assert!(verified.verification.is_some());
    let e = steward.verify_researcher(me.id).await.unwrap_err();
    assert_eq!(code(&e), (409, "already_verified".into()));

    // Submission freezes terms and key in the governance log; again changes nothing.
    let submitted = r.submit_study(draft.id).await.unwrap();
    assert_eq!(submitted.state, StudyState::Submitted);
    assert!(submitted.submitted_index.is_some());
    let again = r.submit_study(draft.id).await.unwrap();
    assert_eq!(again.submitted_index, submitted.submitted_index);
    let rejected_study = r.create_study(&terms()).await.unwrap();
    r.submit_study(rejected_study.id).await.unwrap();

    // Another researcher neither sees Lena's drafts nor acts on her studies.
    let other = researcher(&srv, "tom@uni-bremen.example", "Tom Weber").await;
    let lena_draft = r.create_study(&terms()).await.unwrap();
    assert_eq!(code(&other.study(lena_draft.id).await.unwrap_err()).0, 404);
    let e = other.close_study(draft.id).await.unwrap_err();
    assert_eq!(code(&e), (403, "not_your_study".into()));
    let seen = other.study(draft.id).await.unwrap().0;
    assert!(seen.sealed_study_key.is_none());
    assert!(other.study_keys(&seen).is_err());

    // The general assembly decides: one motion approves the first study's terms and
    // key, another the second study, which the member votes down.
    let inv = steward
        .gov_register(&RegisterRequest {
            name: "Ada".into(),
            contact: "Hafenstrasse 1, 24103 Kiel".into(),
            email: None,
            joined_at: Some(at(t0 - 100 * DAY)),
            shares: 1,
            votes: None,
        })
        .await
        .unwrap();
    ada.gov_join(&inv.invitation).await.unwrap();
    let start = t0 + 15 * DAY;
    let a = steward
        .gov_convene(&ConveneRequest {
            title: "General assembly 2027".into(),
            form: Form::Stretched,
            starts_at: at(start),
            ends_at: at(start + 7 * DAY),
            place: None,
            how_to_take_part: None,
            body: None,
        })
        .await
        .unwrap();
    let approve = |s: &datacoop_consent_core::wire::StudyView| MotionRequest {
        title: format!("Approve study {}", s.id),
        text: "The assembly approves the study's terms and key.".into(),
        majority: Some(Majority::Simple),
        quorum_percent: None,
        opens_at: None,
        closes_at: None,
        recused: vec![],
        decision: Some(Decision::ApproveStudy {
            study: s.id,
            terms_sha256: s.terms_sha256.clone(),
            study_key: s.study_key.clone(),
        }),
        election: None,
    };
    let m1 = steward
        .gov_propose(a.id, &approve(&submitted))
        .await
        .unwrap();
    let m2 = steward
        .gov_propose(a.id, &approve(&rejected_study))
        .await
        .unwrap();
    clock.advance(Duration::from_micros(16 * DAY));
    ada.gov_vote(m1.id, Choice::Yes, None).await.unwrap();
    ada.gov_vote(m2.id, Choice::No, None).await.unwrap();
    clock.advance(Duration::from_micros(7 * DAY));
    let mut done = false;
    for _ in 0..100 {
        let v = ada.gov_assembly(a.id).await.unwrap();
        if v.motions.iter().all(|x| x.state == MotionPhase::Closed) {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(done, "the scheduler closed the votes");

    // The member's client checks the approval of exactly these terms and this key.
    let key = ada.gov_info().await.unwrap().verifier_key;
    let checked = ada.checked_study(draft.id, &key).await.unwrap();
    assert_eq!(checked.view.state, StudyState::Recruiting);
    assert_eq!(checked.approval.unwrap().motion, m1.id);
    assert_eq!(checked.terms, terms());
    let no = ada.checked_study(rejected_study.id, &key).await.unwrap();
    assert_eq!(no.view.state, StudyState::Rejected);
    assert_eq!(no.view.rejected_by, Some(m2.id));
    let recruiting = ada
        .studies(&StudyQuery {
            state: Some(StudyState::Recruiting),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(recruiting.studies.len(), 1);
    assert_eq!(recruiting.studies[0].ends_on, "2028-12-31");
    // Pages: every study Ada may see, one per page (not Lena's draft).
    let (mut seen, mut after) = (Vec::new(), None);
    loop {
        let p = ada
            .studies(&StudyQuery {
                limit: Some(1),
                after,
                ..Default::default()
            })
            .await
            .unwrap();
        seen.extend(p.studies.iter().map(|s| s.id));
        match p.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, vec![draft.id, rejected_study.id]);

    // A hostile server swaps the study's key (and the digest to match its terms): the
    // member's client refuses the study.
    let proxy = TamperProxy::start(srv.base_url()).await;
    let via = member::login(&proxy.client(), "ada@example.org", PASS, None)
        .await
        .unwrap();
    let id = draft.id.to_string();
    proxy.rewrite_json("/api/v1/studies/", move |ex, v| {
        if ex.path.ends_with(&id) {
            v["study_key"] = serde_json::json!(datacoop_api::b64::Base64Url(vec![5; 32]));
        }
    });
    let e = via.checked_study(draft.id, &key).await.unwrap_err();
    assert!(e.to_string().contains("do not consent"), "{e}");
    proxy.clear();

    // The researcher closes the study; the governance log replays with every entry.
    let closed = r.close_study(draft.id).await.unwrap();
    assert_eq!(closed.state, StudyState::Closed);
    assert!(matches!(closed.closure, Some(Closure::Researcher { .. })));
    r.close_study(draft.id).await.unwrap();
    let e = r.close_study(lena_draft.id).await.unwrap_err();
    assert_eq!(code(&e), (409, "study_is_draft".into()));
    let report = gov::verify(&ada, GovState::default()).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    let chain = &report.chain;
    assert!(chain.researchers.contains_key(&me.id));
    assert!(chain.studies[&draft.id].closed);
}
