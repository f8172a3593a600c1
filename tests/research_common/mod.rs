//! Helpers shared by the research and consent tests: a researcher's account, the
//! sample terms, and a study the general assembly approved.
#![allow(dead_code)] // each test binary uses a subset

use crate::gov_common::{account, at, DAY, PASS, STEWARD};
use datacoop_client::member::{KdfPolicy, MemberSession, RecordDraft};
use datacoop_client::research::{self, ResearcherSession};
use datacoop_consent_core::wire::StudyView;
use datacoop_consent_core::StudyTerms;
use datacoop_governance_core::wire::{ConveneRequest, MotionPhase, MotionRequest, RegisterRequest};
use datacoop_governance_core::{Choice, Decision, Form, Majority};
use datacoop_testkit::TestServer;
use std::time::Duration;

/// The sample terms (tests/fixtures/study-terms.json).
pub fn terms() -> StudyTerms {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/study-terms.json"
    ))
    .unwrap();
    StudyTerms::from_bytes(&bytes).unwrap()
}

/// A researcher's new account, logged in.
pub async fn researcher(srv: &TestServer, email: &str, name: &str) -> ResearcherSession {
    let c = srv.client();
    research::register(&c, email, PASS, name, "Kiel University")
        .await
        .unwrap();
    research::login(&c, email, PASS, None, &KdfPolicy::default())
        .await
        .unwrap()
        .0
}

/// A study with `terms`, approved by the general assembly: the steward, a member in
/// the register who voted for it, the verified researcher and the study.
pub struct Approved {
    pub steward: MemberSession,
    pub voter: MemberSession,
    pub researcher: ResearcherSession,
    pub study: StudyView,
}

/// Makes and approves a study on a server whose clock is at `t0` (it moves 23 days).
pub async fn approved_study(srv: &TestServer, t0: u64, terms: &StudyTerms) -> Approved {
    let clock = srv.app.clock().clone();
    let steward = account(srv, STEWARD).await;
    let voter = account(srv, "voter@example.org").await;
    let r = researcher(srv, "lena@uni-kiel.example", "Lena Petersen").await;
    let me = r.me().await.unwrap();
    steward.verify_researcher(me.id).await.unwrap();
    let draft = r.create_study(terms).await.unwrap();
    let study = r.submit_study(draft.id).await.unwrap();
    let inv = steward
        .gov_register(&RegisterRequest {
            name: "Vera".into(),
            contact: "Hafenstrasse 2, 24103 Kiel".into(),
            email: None,
            joined_at: Some(at(t0 - 100 * DAY)),
            shares: 1,
            votes: None,
        })
        .await
        .unwrap();
    voter.gov_join(&inv.invitation).await.unwrap();
    let start = t0 + 15 * DAY;
    let a = steward
        .gov_convene(&ConveneRequest {
            title: "General assembly".into(),
            form: Form::Virtual,
            starts_at: at(start),
            ends_at: at(start + 7 * DAY),
            place: None,
            how_to_take_part: None,
            body: None,
        })
        .await
        .unwrap();
    let m = steward
        .gov_propose(
            a.id,
            &MotionRequest {
                title: "Approve the study".into(),
                text: "The assembly approves the study's terms and key.".into(),
                majority: Some(Majority::Simple),
                quorum_percent: None,
                opens_at: None,
                closes_at: None,
                recused: vec![],
                decision: Some(Decision::ApproveStudy {
                    study: study.id,
                    terms_sha256: study.terms_sha256.clone(),
                    study_key: study.study_key.clone(),
                }),
                election: None,
            },
        )
        .await
        .unwrap();
    clock.advance(Duration::from_micros(16 * DAY));
    voter.gov_vote(m.id, Choice::Yes, None).await.unwrap();
    clock.advance(Duration::from_micros(7 * DAY));
    for _ in 0..200 {
        if voter.gov_motion(m.id).await.unwrap().state == MotionPhase::Closed {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let study = r.study(study.id).await.unwrap().0;
    assert_eq!(
        study.state,
        datacoop_consent_core::wire::StudyState::Recruiting
    );
    Approved {
        steward,
        voter,
        researcher: r,
        study,
    }
}

/// A blood pressure of `day` as FHIR, with what de-identification must drop.
pub fn vital(day: &str, systolic: u32) -> RecordDraft {
    RecordDraft {
        category: "health.vital-signs".into(),
        type_code: "loinc:85354-9".into(),
        effective_at: Some(format!("{day}T07:30:00Z")),
        content_type: "application/fhir+json".into(),
        content: serde_json::to_vec(&serde_json::json!({
            "resourceType": "Observation",
            "id": "local-id",
            "status": "final",
            "code": {"text": "Blood pressure"},
            "subject": {"reference": "Patient/me"},
            "performer": [{"reference": "Practitioner/dr-who"}],
            "note": [{"text": "after the night shift"}],
            "effectiveDateTime": format!("{day}T07:30:00Z"),
            "valueQuantity": {"value": systolic, "unit": "mmHg"},
        }))
        .unwrap(),
    }
}

/// A JSON record of another category on `day`.
pub fn other(category: &str, day: &str) -> RecordDraft {
    RecordDraft {
        category: category.into(),
        type_code: "x".into(),
        effective_at: Some(format!("{day}T22:00:00Z")),
        content_type: "application/json".into(),
        content: format!("{{\"effectiveDateTime\":\"{day}T22:00:00Z\",\"hours\":7}}").into_bytes(),
    }
}

/// Uploads the drafts as one batch.
pub async fn upload(s: &MemberSession, drafts: &[RecordDraft]) {
    let sealed = s.seal(drafts).unwrap();
    s.upload(sealed, &uuid::Uuid::now_v7().to_string())
        .await
        .unwrap();
}

/// The governance and access log keys, as the server publishes them.
pub async fn keys(s: &MemberSession) -> (String, String) {
    let gov = s.gov_info().await.unwrap().verifier_key;
    let log = datacoop_client::log::log_key(&s.client)
        .await
        .unwrap()
        .verifier_key;
    (gov, log)
}
