//! `datacoop records import`: read FHIR R4 or Darwin Core files here,
//! encrypt every entry here, upload in all-or-nothing batches.

use crate::records::fresh;
use clap::{Args, ValueEnum};
use datacoop_client::member::RecordDraft;
use datacoop_client::ClientError;
use datacoop_formats::{dwc, fhir, ImportReport};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::path::PathBuf;
use uuid::Uuid;

/// Input formats.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// Pick from the file name: .json is FHIR, .csv is Darwin Core.
    Auto,
    /// A FHIR R4 Observation or Bundle (JSON).
    Fhir,
    /// A Darwin Core occurrence CSV (catch log).
    Dwc,
}

/// What to import.
#[derive(Args)]
pub struct ImportArgs {
    /// The file: a FHIR R4 Observation or Bundle, or a Darwin Core CSV.
    file: PathBuf,
    /// Its format.
    #[arg(long, value_enum, default_value = "auto")]
    format: Format,
    /// Import nothing if any entry is invalid (default: import the valid ones).
    #[arg(long)]
    strict: bool,
    /// Records per upload request.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u16).range(1..=5000))]
    batch_size: u16,
    /// Upload as a write-only device, with the credentials file from
    /// `datacoop devices add` (no login; the device cannot read anything back).
    #[arg(long, value_name = "CREDENTIALS")]
    device: Option<PathBuf>,
}

/// Sends one batch, retrying a lost answer with the same key and body: stored once.
pub async fn with_retries<T, F, Fut>(bar: &ProgressBar, mut send: F) -> Result<T, ClientError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ClientError>>,
{
    let mut attempt = 0;
    loop {
        match send().await {
            Err(ClientError::Transport(e)) if attempt < 3 => {
                attempt += 1;
                bar.println(format!("retrying a batch after: {e}"));
            }
            other => return other,
        }
    }
}

fn parse(args: &ImportArgs) -> Result<ImportReport, String> {
    let format = match args.format {
        Format::Auto => match args.file.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Format::Fhir,
            Some(e) if e.eq_ignore_ascii_case("csv") => Format::Dwc,
            _ => {
                return Err(format!(
                    "cannot tell the format of {}; add --format fhir or --format dwc",
                    args.file.display()
                ))
            }
        },
        f => f,
    };
    let file = std::fs::File::open(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let reader = std::io::BufReader::new(file);
    let parsed = match format {
        Format::Dwc => dwc::parse(reader),
        _ => fhir::parse(reader),
    };
    parsed.map_err(|e| format!("{}: {e}", args.file.display()))
}

/// Runs the import; prints what was stored and what was not.
pub async fn run(args: ImportArgs, json: bool) -> Result<(), String> {
    let report = parse(&args)?;
    for bad in &report.invalid {
        eprintln!("invalid {bad}");
    }
    if args.strict && !report.invalid.is_empty() {
        return Err(format!(
            "{} of {} entries are invalid; nothing was imported (--strict). Fix them, or run without --strict to import the {} valid ones",
            report.invalid.len(),
            report.total(),
            report.items.len()
        ));
    }
    let device = args
        .device
        .as_deref()
        .map(crate::devices::load_credentials)
        .transpose()?;
    let saved = match &device {
        Some(_) => None,
        None => Some(fresh().await?),
    };
    let bar = if json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(report.items.len() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} records {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut by_category: BTreeMap<String, usize> = BTreeMap::new();
    let mut stored = 0usize;
    let mut shared = 0u64;
    for chunk in report.items.chunks(usize::from(args.batch_size)) {
        let drafts: Vec<RecordDraft> = chunk.iter().map(RecordDraft::from).collect();
        let result = match (&device, &saved) {
            (Some(d), _) => {
                let up = d.seal(&drafts).map_err(|e| e.to_string())?;
                with_retries(&bar, || d.send(&up)).await
            }
            (None, Some(saved)) => {
                let s = &saved.session;
                let sealed = s.seal(&drafts).map_err(|e| e.to_string())?;
                let key = Uuid::now_v7().to_string();
                let res = with_retries(&bar, || s.upload(sealed.clone(), &key)).await;
                // Future data: the study copies for the consents that ask for them.
                if res.is_ok() {
                    shared += s.share_future(&sealed, &drafts).await.map_err(|e| {
                        format!("the batch was stored, but not shared with your studies: {e}")
                    })?;
                }
                res
            }
            (None, None) => return Err("not logged in".into()),
        };
        let res = result.map_err(|e| {
            format!("{e}; {stored} records were stored before this batch, the failed batch stored nothing")
        })?;
        stored += res.stored;
        for i in chunk {
            *by_category.entry(i.category.clone()).or_default() += 1;
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    if json {
        crate::print_json(&serde_json::json!({
            "stored": stored,
            "shared_with_studies": shared,
            "by_category": by_category,
            "invalid": report.invalid.iter().map(|b| serde_json::json!({"position": b.position, "reason": b.reason})).collect::<Vec<_>>(),
        }));
    } else {
        let cats: Vec<String> = by_category
            .iter()
            .map(|(c, n)| format!("{c}: {n}"))
            .collect();
        println!(
            "Imported {stored} record(s) from {} ({}); {} invalid entr{} not imported.",
            args.file.display(),
            if cats.is_empty() {
                "none".into()
            } else {
                cats.join(", ")
            },
            report.invalid.len(),
            if report.invalid.len() == 1 {
                "y"
            } else {
                "ies"
            }
        );
        if shared > 0 {
            println!(
                "{shared} study cop(y/ies) made for the studies you consent to (future data)."
            );
        }
    }
    Ok(())
}
