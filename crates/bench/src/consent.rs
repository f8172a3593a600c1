//! The consent figure of issue 18: a member with N covered records consents to a study
//! on their machine (here: this program as the member's client) — every record opened,
//! de-identified, encrypted under a fresh key, that key wrapped under the consent's
//! share key, uploaded, and the consent put in effect with the server's countersigned
//! receipt checked.
//!
//! The server runs in this process (the real routes, database, access and governance
//! logs on 127.0.0.1) with a clock the program moves through the approval of the study
//! by a general assembly; nothing of the consent itself is shortened.

use crate::report::{per_second, Out, Table};
use anyhow::{anyhow, Result};
use datacoop_app::Clock;
use datacoop_client::member::{self, RecordDraft};
use datacoop_client::research;
use datacoop_client::Client;
use datacoop_consent_core::{DateLevel, Deidentification, Purpose, ResearchKind, StudyTerms};
use datacoop_governance_core::wire::{ConveneRequest, MotionRequest, RegisterRequest};
use datacoop_governance_core::{Choice, Decision, Form, Majority};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const DAY: u64 = 86_400_000_000;
const STEWARD: &str = "steward@bench.invalid";

/// Options.
#[derive(Clone, Debug, clap::Args)]
pub struct ConsentArgs {
    /// Covered records of the consenting member.
    #[arg(long, default_value_t = 10_000)]
    records: usize,
    /// Run on this PostgreSQL database (it must be empty) instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
}

fn at(micros: u64) -> String {
    datacoop_api::time::format_micros(micros as i64)
}

fn terms(categories: Vec<String>) -> Result<StudyTerms> {
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

/// Runs the consent and prints the figures.
pub async fn run(a: ConsentArgs, out: &Out) -> Result<()> {
    let t0 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_micros() as u64;
    let clock = Clock::manual(t0);
    let server = crate::server::in_process(a.database_url.clone(), clock.clone(), STEWARD).await?;
    let (srv, backend) = (&server.srv, server.backend);
    let anon = Client::new(&format!("http://{}", srv.addr))?;
    let pass = crate::PASSPHRASE;
    member::register(&anon, STEWARD, pass).await?;
    let steward = member::login(&anon, STEWARD, pass, None).await?;
    member::register(&anon, "member@bench.invalid", pass).await?;
    let m = member::login(&anon, "member@bench.invalid", pass, None).await?;

    eprintln!("uploading {} records…", a.records);
    let samples = crate::gen::sample_observations(&crate::gen::sample_path(None))?;
    let dir = tempfile::tempdir()?;
    let bundle = dir.path().join("bundle.json");
    crate::gen::write_bundle(&samples, a.records, &bundle)?;
    let report = datacoop_formats::fhir::parse(std::fs::File::open(&bundle)?)?;
    let mut categories: Vec<String> = report.items.iter().map(|i| i.category.clone()).collect();
    categories.sort();
    categories.dedup();
    for chunk in report.items.chunks(1000) {
        let drafts: Vec<RecordDraft> = chunk
            .iter()
            .map(|i| RecordDraft {
                category: i.category.clone(),
                type_code: i.type_code.clone(),
                effective_at: i.effective_at.clone(),
                content_type: i.content_type.clone(),
                content: i.content.clone(),
            })
            .collect();
        let sealed = m.seal(&drafts)?;
        m.upload(sealed, &uuid::Uuid::now_v7().to_string()).await?;
    }

    eprintln!("a verified researcher's study, approved by a general assembly…");
    research::register(
        &anon,
        "researcher@bench.invalid",
        pass,
        "R. Searcher",
        "Bench Institute",
    )
    .await?;
    let (r, me) = research::login(
        &anon,
        "researcher@bench.invalid",
        pass,
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
    m.gov_join(&inv.invitation).await?;
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
    m.gov_vote(motion.id, Choice::Yes, None).await?;
    clock.advance(Duration::from_micros(7 * DAY));
    srv.app
        .close_due_votes()
        .await
        .map_err(|e| anyhow!("close: {e}"))?;
    let gov_key = m.gov_info().await?.verifier_key;
    let log_key = datacoop_client::log::log_key(&m.client).await?.verifier_key;

    eprintln!("the member consents…");
    let t = Instant::now();
    let view = m
        .grant_consent(study.id, &gov_key, &log_key, None, |_, _| {})
        .await?;
    let consent_s = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        view.copies as usize == a.records,
        "{} copies for {} records",
        view.copies,
        a.records
    );
    let mut table = Table::new(
        &format!(
            "Consent: one member, {} covered records ({backend})",
            a.records
        ),
        &["phase", "what", "seconds", "records per second"],
    );
    table.row(vec![
        "consent".into(),
        "check the study, open, de-identify, encrypt, wrap, upload, activate".into(),
        format!("{consent_s:.2}"),
        per_second(a.records, consent_s),
    ]);
    table.note("target: under 2 s for 10,000 covered records".to_string());
    out.table(&table)
}
