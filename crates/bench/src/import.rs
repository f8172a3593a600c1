//! `import`: N generated FHIR Observations through the client, end to end,
//! exactly as `datacoop records import` does it (parse → seal → batches of
//! 500 with an Idempotency-Key), then the real CLI on the same file.

use crate::report::{ms, thousands, Out, Table};
use crate::server::{self, ServerArgs};
use crate::{gen, PASSPHRASE};
use anyhow::{bail, Context, Result};
use datacoop_client::member::{self, RecordDraft};
use datacoop_client::Client;
use datacoop_formats::fhir;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Options of `import`.
#[derive(clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Observations to generate and import.
    #[arg(long, default_value_t = 10_000)]
    records: usize,
    /// Records per upload request (the CLI's default is 500).
    #[arg(long, default_value_t = 500)]
    batch_size: usize,
    /// The sample bundle to vary [default: examples/fhir/bundle-30-days.json].
    #[arg(long)]
    sample: Option<PathBuf>,
    /// Skip the run of the real CLI.
    #[arg(long)]
    no_cli: bool,
}

struct LibRun {
    total: Duration,
    parse: Duration,
    seal: Duration,
    upload: Duration,
    stored: usize,
    server_cpu: Option<Duration>,
    client_cpu: Option<Duration>,
}

/// Registers and logs in a fresh member.
pub async fn member(url: &str, what: &str) -> Result<member::MemberSession> {
    let client = Client::new(url)?;
    let email = format!("{what}-{}@bench.invalid", Uuid::new_v4().simple());
    member::register(&client, &email, PASSPHRASE)
        .await
        .context("register")?;
    let s = member::login(&client, &email, PASSPHRASE, Some("datacoop-bench".into()))
        .await
        .context("login")?;
    Ok(s)
}

async fn library_path(srv: &server::Server, file: &Path, batch: usize) -> Result<LibRun> {
    let s = member(&srv.url, "import").await?;
    let cpu0 = srv.cpu();
    let me0 = server::self_cpu();
    let t0 = Instant::now();
    let report = fhir::parse(std::io::BufReader::new(std::fs::File::open(file)?))?;
    let parse = t0.elapsed();
    if !report.invalid.is_empty() {
        bail!("{} generated entries are invalid", report.invalid.len());
    }
    let (mut seal, mut upload, mut stored) = (Duration::ZERO, Duration::ZERO, 0);
    for chunk in report.items.chunks(batch) {
        let t = Instant::now();
        let drafts: Vec<RecordDraft> = chunk.iter().map(RecordDraft::from).collect();
        let sealed = s.seal(&drafts)?;
        seal += t.elapsed();
        let key = Uuid::now_v7().to_string();
        let t = Instant::now();
        stored += s.upload(sealed, &key).await?.stored;
        upload += t.elapsed();
    }
    let total = t0.elapsed();
    Ok(LibRun {
        total,
        parse,
        seal,
        upload,
        stored,
        server_cpu: cpu0.zip(srv.cpu()).map(|(a, b)| b.saturating_sub(a)),
        client_cpu: me0
            .zip(server::self_cpu())
            .map(|(a, b)| b.saturating_sub(a)),
    })
}

/// Runs `datacoop member register`, `login`, then times `datacoop records import FILE`.
fn cli_path(bin: &Path, url: &str, file: &Path) -> Result<(Duration, usize)> {
    let home = tempfile::Builder::new()
        .prefix("datacoop-bench-home-")
        .tempdir()?;
    let email = format!("cli-{}@bench.invalid", Uuid::new_v4().simple());
    let cmd = |args: &[&str]| {
        let mut c = Command::new(bin);
        c.args(args)
            .env("DATACOOP_HOME", home.path())
            .env("DATACOOP_SERVER", url)
            .env("DATACOOP_PASSPHRASE", PASSPHRASE);
        c
    };
    for step in ["register", "login"] {
        let o = cmd(&["member", step, "--email", &email]).output()?;
        if !o.status.success() {
            bail!(
                "datacoop member {step} failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
    let file_s = file.to_string_lossy().into_owned();
    let t = Instant::now();
    let o = cmd(&["--json", "records", "import", &file_s]).output()?;
    let took = t.elapsed();
    if !o.status.success() {
        bail!(
            "datacoop records import failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .with_context(|| format!("import output: {}", String::from_utf8_lossy(&o.stdout)))?;
    let stored = v["stored"].as_u64().unwrap_or(0) as usize;
    Ok((took, stored))
}

fn rate(n: usize, d: Duration) -> String {
    thousands(n as f64 / d.as_secs_f64())
}

fn cpu(d: Option<Duration>) -> String {
    d.map(|d| format!("{:.2} s", d.as_secs_f64()))
        .unwrap_or_else(|| "n/a".into())
}

/// Runs the import figures.
pub async fn run(args: ImportArgs, out: &Out) -> Result<()> {
    let samples = gen::sample_observations(&gen::sample_path(args.sample.clone()))?;
    let dir = tempfile::Builder::new()
        .prefix("datacoop-bench-import-")
        .tempdir()?;
    let file = dir
        .path()
        .join(format!("observations-{}.json", args.records));
    gen::write_bundle(&samples, args.records, &file)?;
    let size = std::fs::metadata(&file)?.len();
    let n = args.records;
    let mut t = Table::new(
        &format!(
            "Import of {n} generated FHIR Observations ({:.1} MiB Bundle), batches of {}",
            size as f64 / 1048576.0,
            args.batch_size
        ),
        &[
            "server",
            "path",
            "records/s",
            "total",
            "parse",
            "seal",
            "upload (HTTP + storage)",
            "server CPU",
            "client CPU",
        ],
    );
    for setting in args.server.settings() {
        let srv = args.server.start(setting.as_deref()).await?;
        let label = setting.clone().unwrap_or_else(|| srv.label.clone());
        let lib = library_path(&srv, &file, args.batch_size).await?;
        if lib.stored != n {
            bail!("stored {} of {n}", lib.stored);
        }
        t.row(vec![
            format!("synchronous={label}"),
            "library (datacoop_client, as the CLI does)".into(),
            rate(n, lib.total),
            ms(lib.total),
            ms(lib.parse),
            ms(lib.seal),
            ms(lib.upload),
            cpu(lib.server_cpu),
            cpu(lib.client_cpu),
        ]);
        if !args.no_cli {
            let bin = args.server.bin()?;
            let cpu0 = srv.cpu();
            let (took, stored) = cli_path(&bin, &srv.url, &file)?;
            let scpu = cpu0.zip(srv.cpu()).map(|(a, b)| b.saturating_sub(a));
            if stored != n {
                bail!("the CLI stored {stored} of {n}");
            }
            t.row(vec![
                format!("synchronous={label}"),
                "CLI `datacoop records import FILE` (whole process)".into(),
                rate(n, took),
                ms(took),
                "".into(),
                "".into(),
                "".into(),
                cpu(scpu),
                "".into(),
            ]);
        }
        t.note(format!(
            "synchronous={label}: server peak RSS (VmHWM) after the imports {}",
            server::mib(srv.peak_rss())
        ));
    }
    t.note("Target: ≥ 5,000 records/s end to end (client encryption, HTTP, storage).");
    out.table(&t)
}
