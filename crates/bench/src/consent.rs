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
use anyhow::Result;
use datacoop_app::Clock;
use datacoop_client::member::{self, RecordDraft};
use datacoop_client::Client;
use std::time::Instant;

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
    let study =
        crate::study::approved_study(&anon, &server, &clock, t0, &steward, &m, categories).await?;
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
