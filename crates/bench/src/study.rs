//! A study for the consent and export figures: a verified researcher's, approved by a
//! general assembly in which one member votes, on the in-process server whose clock
//! the bench moves through the vote.

use anyhow::{anyhow, Result};
use datacoop_app::Clock;
use datacoop_client::member::MemberSession;
use datacoop_client::research;
use datacoop_client::Client;
use datacoop_consent_core::wire::StudyView;
use datacoop_consent_core::{DateLevel, Deidentification, Purpose, ResearchKind, StudyTerms};
use datacoop_governance_core::wire::{ConveneRequest, MotionRequest, RegisterRequest};
use datacoop_governance_core::{Choice, Decision, Form, Majority};
use std::collections::BTreeMap;
use std::time::Duration;

const DAY: u64 = 86_400_000_000;

/// RFC 3339 of unix microseconds.
pub fn at(micros: u64) -> String {
    datacoop_api::time::format_micros(micros as i64)
}

/// Terms asking for `categories`, dates as month and year, no end before 2099.
pub fn terms(categories: Vec<String>) -> Result<StudyTerms> {
    let summaries: BTreeMap<String, String> = ["en", "de", "fr", "es"]
        .iter()
        .map(|l| (l.to_string(), format!("A benchmark study ({l}).")))
        .collect();
    let ends_on = datacoop_consent_core::Day::parse("2099-12-31")
        .ok_or_else(|| anyhow!("the end date does not parse"))?;
    Ok(StudyTerms {
        title: "Benchmark study".into(),
        summaries,
        purpose: Purpose {
            research: ResearchKind::Health { diseases: vec![] },
            methods_development: false,
            commercial: false,
            for_profit_organisation: false,
            ethics_approval: true,
            publishes: true,
            publishes_from_micros: None,
            collaborates: false,
            genetic: false,
            returns_derived_data: false,
            clinical_care: false,
            region: "DE".into(),
            months: 12,
        },
        categories,
        types: vec![],
        data_from: None,
        data_until: None,
        future_data: false,
        ends_on,
        deidentification: Deidentification {
            dates: DateLevel::MonthYear,
            keep_free_text: false,
            keep_practitioners: false,
            location_decimals: None,
        },
    })
}

/// Registers and verifies the researcher, makes and submits the study asking for
/// `categories`, and has `voter` (who joins the register) approve it; the clock moves
/// 23 days from `t0`. The study as its researcher (`researcher@bench.invalid`) sees it.
pub async fn approved_study(
    anon: &Client,
    server: &crate::server::InProcess,
    clock: &Clock,
    t0: u64,
    steward: &MemberSession,
    voter: &MemberSession,
    categories: Vec<String>,
) -> Result<StudyView> {
    research::register(
        anon,
        "researcher@bench.invalid",
        crate::PASSPHRASE,
        "R. Searcher",
        "Bench Institute",
    )
    .await?;
    let (r, me) = research::login(
        anon,
        "researcher@bench.invalid",
        crate::PASSPHRASE,
        None,
        &Default::default(),
    )
    .await?;
    steward.verify_researcher(me.id).await?;
    let draft = r.create_study(&terms(categories)?).await?;
    let study = r.submit_study(draft.id).await?;
    let inv = steward
        .gov_register(&RegisterRequest {
            name: "Voter".into(),
            contact: "Street 1, Berlin".into(),
            email: None,
            joined_at: Some(at(t0 - 100 * DAY)),
            shares: 1,
            votes: None,
        })
        .await?;
    voter.gov_join(&inv.invitation).await?;
    let assembly = steward
        .gov_convene(&ConveneRequest {
            title: "Assembly".into(),
            form: Form::Virtual,
            starts_at: at(t0 + 15 * DAY),
            ends_at: at(t0 + 22 * DAY),
            place: None,
            how_to_take_part: None,
            body: None,
        })
        .await?;
    let motion = steward
        .gov_propose(
            assembly.id,
            &MotionRequest {
                title: "Approve the study".into(),
                text: "Approved.".into(),
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
        .await?;
    clock.advance(Duration::from_micros(16 * DAY));
    voter.gov_vote(motion.id, Choice::Yes, None).await?;
    clock.advance(Duration::from_micros(7 * DAY));
    server
        .srv
        .app
        .close_due_votes()
        .await
        .map_err(|e| anyhow!("close: {e}"))?;
    Ok(r.study(study.id).await?.0)
}
