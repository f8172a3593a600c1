//! The export figure of issue 18: a study's researcher downloads the consented data of
//! P participants × R records and decrypts it on their machine, end to end through the
//! real CLI (`datacoop dataset export`, its own process) against the release server
//! (`datacoop serve`, its own process): records per second, and the peak memory of
//! each side.
//!
//! Set-up runs first on the in-process server, whose clock the bench moves through the
//! study's approval (started 40 days in the past, so that everything it records lies
//! before the real clock): P members register, upload R records each and consent on
//! their machines (this program as their client). Then that server stops and the
//! release binary serves the same data directory (and database).

use crate::report::{per_second, Out, Table};
use crate::server::{mib, InProcess, Server};
use crate::stream::run_sampled;
use anyhow::{anyhow, Context, Result};
use datacoop_app::Clock;
use datacoop_client::member::{self, RecordDraft};
use datacoop_client::Client;
use futures_util::StreamExt;
use std::path::PathBuf;
use std::process::Command;

const DAY: u64 = 86_400_000_000;
const STEWARD: &str = "steward@bench.invalid";

/// Options.
#[derive(Clone, Debug, clap::Args)]
pub struct ExportArgs {
    /// Participants (members who consent).
    #[arg(long, default_value_t = 1000)]
    participants: usize,
    /// Covered records per participant.
    #[arg(long, default_value_t = 100)]
    records: usize,
    /// Output format of the export (ndjson, csv, fhir, dwc).
    #[arg(long, default_value = "ndjson")]
    format: String,
    /// Run on this PostgreSQL database (it must be empty) instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// The `datacoop` binary [default: `datacoop` next to this executable].
    #[arg(long, value_name = "PATH")]
    datacoop_bin: Option<PathBuf>,
}

fn bin(a: &ExportArgs) -> Result<PathBuf> {
    crate::server::ServerArgs {
        server: None,
        server_pid: None,
        datacoop_bin: a.datacoop_bin.clone(),
        synchronous: vec![],
    }
    .bin()
}

/// Sets up the study and its participants, exports, and prints the figures.
pub async fn run(a: ExportArgs, out: &Out) -> Result<()> {
    let bin = bin(&a)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_micros() as u64;
    let t0 = now - 40 * DAY;
    let clock = Clock::manual(t0);
    let server: InProcess =
        crate::server::in_process(a.database_url.clone(), clock.clone(), STEWARD).await?;
    let backend = server.backend;
    let anon = Client::new(&format!("http://{}", server.srv.addr))?;
    let pass = crate::PASSPHRASE;
    member::register(&anon, STEWARD, pass).await?;
    let steward = member::login(&anon, STEWARD, pass, None).await?;
    member::register(&anon, "voter@bench.invalid", pass).await?;
    let voter = member::login(&anon, "voter@bench.invalid", pass, None).await?;

    let samples = crate::gen::sample_observations(&crate::gen::sample_path(None))?;
    let dir = tempfile::tempdir()?;
    let bundle = dir.path().join("bundle.json");
    crate::gen::write_bundle(&samples, a.records, &bundle)?;
    let items = datacoop_formats::fhir::parse(std::fs::File::open(&bundle)?)?.items;
    let drafts: Vec<RecordDraft> = items
        .iter()
        .map(|i| RecordDraft {
            category: i.category.clone(),
            type_code: i.type_code.clone(),
            effective_at: i.effective_at.clone(),
            content_type: i.content_type.clone(),
            content: i.content.clone(),
        })
        .collect();
    let mut categories: Vec<String> = drafts.iter().map(|d| d.category.clone()).collect();
    categories.sort();
    categories.dedup();
    eprintln!("a verified researcher's study, approved by a general assembly…");
    let study =
        crate::study::approved_study(&anon, &server, &clock, t0, &steward, &voter, categories)
            .await?
            .id;
    let gov_key = voter.gov_info().await?.verifier_key;
    let log_key = datacoop_client::log::log_key(&voter.client)
        .await?
        .verifier_key;

    eprintln!(
        "{} participants register, upload {} records each and consent…",
        a.participants, a.records
    );
    let setup = std::time::Instant::now();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<()>> = futures_util::stream::iter(0..a.participants)
        .map(|i| {
            let (anon, drafts, gov_key, log_key, done) =
                (&anon, &drafts, &gov_key, &log_key, &done);
            async move {
                let email = format!("participant-{i}@bench.invalid");
                member::register(anon, &email, pass).await?;
                let m = member::login(anon, &email, pass, None).await?;
                let sealed = m.seal(drafts)?;
                m.upload(sealed, &uuid::Uuid::now_v7().to_string()).await?;
                let view = m
                    .grant_consent(study, gov_key, log_key, None, |_, _| {})
                    .await?;
                anyhow::ensure!(
                    view.copies as usize == drafts.len(),
                    "{} copies",
                    view.copies
                );
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if n % 100 == 0 {
                    eprintln!("  {n} participants…");
                }
                Ok(())
            }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    for r in results {
        r?;
    }
    eprintln!("set-up took {:.0} s", setup.elapsed().as_secs_f64());
    let data = server.data_dir();
    let keep = server.stop();

    let srv = Server::spawn_on(&bin, &data, a.database_url.as_deref()).await?;
    let home = tempfile::tempdir()?;
    let cli = |args: &[&str]| {
        let mut c = Command::new(&bin);
        c.args(args)
            .env("DATACOOP_HOME", home.path())
            .env("DATACOOP_SERVER", &srv.url)
            .env("DATACOOP_PASSPHRASE", pass);
        c
    };
    run_sampled(cli(&[
        "researcher",
        "login",
        "--email",
        "researcher@bench.invalid",
    ]))?;
    // As a researcher works in a shell: unlocked once (`eval "$(datacoop member
    // unlock)"`), so the export itself runs no passphrase hashing.
    let unlocked = run_sampled(cli(&["--json", "member", "unlock"]))?;
    let session: serde_json::Value = serde_json::from_slice(&unlocked.stdout)?;
    let session = session["session"]
        .as_str()
        .ok_or_else(|| anyhow!("`member unlock` printed no session key"))?
        .to_owned();
    srv.reset_peak()?;
    let server_cpu_before = srv.cpu();
    let target = dir.path().join("dataset");
    let study_text = study.to_string();
    let mut export = cli(&[
        "--json",
        "dataset",
        "export",
        &study_text,
        "--format",
        &a.format,
        "--out",
        target.to_str().context("temporary path is not UTF-8")?,
    ]);
    export.env("DATACOOP_SESSION", &session);
    let run = run_sampled(export)?;
    let server_peak = srv.peak_rss();
    let server_cpu = srv.cpu();
    let manifest: serde_json::Value = serde_json::from_slice(&run.stdout)
        .map_err(|e| anyhow!("the export printed no manifest: {e}"))?;
    let records = manifest["counts"]["records"].as_u64().unwrap_or(0) as usize;
    anyhow::ensure!(
        records == a.participants * a.records,
        "exported {records} records, expected {}",
        a.participants * a.records
    );
    anyhow::ensure!(manifest["log"]["verified"] == true, "the log check failed");
    let secs = run.took.as_secs_f64();
    let mut table = Table::new(
        &format!(
            "Dataset export: {} participants × {} records ({backend}, format {})",
            a.participants, a.records, a.format
        ),
        &[
            "what",
            "seconds",
            "records per second",
            "researcher peak RSS",
            "server peak RSS",
        ],
    );
    table.row(vec![
        "`datacoop dataset export`: download, open every share key and copy, write, check every participant's entry in the log".into(),
        format!("{secs:.2}"),
        per_second(records, secs),
        mib(run.peak),
        mib(server_peak),
    ]);
    let server_cpu = match (server_cpu, server_cpu_before) {
        (Some(a), Some(b)) => a.saturating_sub(b).as_secs_f64(),
        _ => 0.0,
    };
    table.note(format!(
        "CPU: researcher {:.2} s, server {server_cpu:.2} s (2 cores); target: at least 50,000 records/s, each side under 64 MiB",
        run.cpu.map(|c| c.as_secs_f64()).unwrap_or(0.0)
    ));
    drop(srv);
    drop(keep);
    out.table(&table)
}
