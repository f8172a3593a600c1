//! `datacoop dataset export STUDY --format F --out DIR`: the study's consented data,
//! downloaded as one stream, decrypted on this machine and written in DIR with a
//! pseudonym on every row and a manifest; then every participant's log entry of this
//! export is checked in the access log the participants read.
//!
//! Resumable: the encrypted download is kept in `DIR/.datacoop-download.ndjson` up to
//! the last complete page, with `DIR/.datacoop-download.json` (export id, cursor); the
//! same command again continues under the same export id (nothing is logged twice), and
//! the files are written anew from the part already downloaded. Both go once done.

mod write;

use crate::session::write_private;
use datacoop_client::dataset::{verify_exports, DatasetOpener};
use datacoop_client::log::LogState;
use datacoop_client::ClientError;
use datacoop_consent_core::wire::DatasetLine;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use uuid::Uuid;
pub use write::Format;
use write::Output;

/// Datasets of your studies (researchers).
#[derive(clap::Subcommand)]
pub enum DatasetCommand {
    /// Download a study's consented data, decrypt it here and write it to a folder:
    /// the records under each participant's study pseudonym, a manifest (study, terms
    /// hash, log checkpoint, records per participant, who withdrew), after checking
    /// that the access log holds this export for every participant. Cut off? Run the
    /// same command again: it resumes.
    Export {
        /// The study.
        study: Uuid,
        /// Output format.
        #[arg(long, value_enum, default_value = "ndjson")]
        format: Format,
        /// Folder to write (created; must be empty unless resuming an export into it).
        #[arg(long)]
        out: PathBuf,
    },
}

const STATE: &str = ".datacoop-download.json";
const PART: &str = ".datacoop-download.ndjson";

/// Where an unfinished download stands.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct DownloadState {
    study: Uuid,
    export: Uuid,
    format: Format,
    /// The last complete page's cursor.
    cursor: Option<String>,
    /// Bytes of the part file up to the end of that page.
    offset: u64,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}

/// Runs a dataset command.
pub async fn run(cmd: DatasetCommand, json: bool) -> Result<(), String> {
    let DatasetCommand::Export { study, format, out } = cmd;
    let s = crate::research::researcher_session().await?;
    let me = s.session.member_id;
    let (view, terms) = s.study(study).await.map_err(|e| e.to_string())?;
    let keys = s.study_keys(&view).map_err(|e| e.to_string())?;
    let mut state = start(&out, study, format)?;
    let part_path = out.join(PART);
    let mut part = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&part_path)
        .map_err(io(&part_path))?;
    part.set_len(state.offset).map_err(io(&part_path))?;
    part.seek(std::io::SeekFrom::End(0))
        .map_err(io(&part_path))?;

    let bar = if json {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new_spinner()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {pos} records decrypted ({per_sec}) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    // Decryption and writing on their own thread, fed line by line: the download
    // (reading, parsing, keeping the encrypted part) runs alongside.
    let (tx, rx) = std::sync::mpsc::sync_channel::<DatasetLine>(4096);
    let opener = DatasetOpener::new(keys, me, study, state.export);
    let output = Output::create(&out, format)?;
    let worker_bar = bar.clone();
    let worker = std::thread::spawn(move || {
        let (mut opener, mut output) = (opener, output);
        for line in rx {
            if let Some(c) = opener.take(line).map_err(|e| e.to_string())? {
                output.write(&c.copy, &c.content)?;
                worker_bar.inc(1);
            }
        }
        Ok::<_, String>((opener, output))
    });
    let stopped = || ClientError::Input("the decryption stopped".into());
    // What was downloaded before, written anew.
    let replayed = (|| -> Result<(), String> {
        if state.offset == 0 {
            return Ok(());
        }
        bar.set_message("(resuming)");
        let mut r = BufReader::new(File::open(&part_path).map_err(io(&part_path))?);
        let mut line = Vec::new();
        while r.read_until(b'\n', &mut line).map_err(io(&part_path))? > 0 {
            let parsed: DatasetLine = serde_json::from_slice(&line).map_err(|e| {
                format!(
                    "{} is damaged ({e}); delete the folder and export again",
                    part_path.display()
                )
            })?;
            tx.send(parsed).map_err(|_| stopped().to_string())?;
            line.clear();
        }
        Ok(())
    })();
    let state_path = out.join(STATE);
    let mut part = BufWriter::with_capacity(1 << 20, part);
    let ended = match replayed {
        Err(e) => Err(e),
        Ok(()) => s
            .download_dataset(
                study,
                state.export,
                state.cursor.clone().as_deref(),
                |raw, line| {
                    let keep = |e: String| ClientError::File(e);
                    part.write_all(raw).map_err(|e| keep(io(&part_path)(e)))?;
                    if let DatasetLine::Page { cursor } = &line {
                        part.flush().map_err(|e| keep(io(&part_path)(e)))?;
                        state.offset = part
                            .stream_position()
                            .map_err(|e| keep(io(&part_path)(e)))?;
                        state.cursor = Some(cursor.clone());
                        save(&state_path, &state).map_err(keep)?;
                    }
                    tx.send(line).map_err(|_| stopped())
                },
            )
            .await
            .map_err(|e| e.to_string()),
    };
    drop(tx);
    let decrypted = worker
        .join()
        .map_err(|_| "the decryption thread failed".to_string())?;
    bar.finish_and_clear();
    let (opener, output) = decrypted?;
    let ended = ended.map_err(|e| {
        format!(
            "{e}\nThe records downloaded so far are kept; run the same command again to resume."
        )
    })?;
    if !ended {
        return Err(format!(
            "the download was cut after {} records; run the same command again to resume \
             (export {})",
            opener.participants.values().map(|p| p.records).sum::<u64>(),
            state.export
        ));
    }
    let main_file = output.main_file();
    let (written, other) = (output.written, output.other);
    output.finish()?;

    // Every participant's entry of this export must be in the log they read.
    let leaves: BTreeMap<u64, datacoop_merkle::Hash> = opener
        .participants
        .values()
        .map(|p| (p.log_index, p.leaf))
        .collect();
    let log_path = crate::log::state_path(&me);
    let log_state: LogState = match std::fs::read(&log_path) {
        Ok(b) => serde_json::from_slice(&b)
            .map_err(|e| format!("{} is damaged: {e}", log_path.display()))?,
        Err(_) => LogState::default(),
    };
    let report = verify_exports(&s.session.client, log_state, &leaves)
        .await
        .map_err(|e| e.to_string())?;
    let checkpoint = report.state.checkpoint.clone();
    let records: u64 = opener.participants.values().map(|p| p.records).sum();
    let manifest = serde_json::json!({
        "format": "datacoop-dataset/1",
        "study": study,
        "title": terms.title,
        "terms_sha256": hex(&view.terms_sha256.0),
        "export": state.export,
        "exported_at": time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        "output": {"format": format, "file": main_file, "records": written, "other_file": (other > 0).then_some("other.ndjson"), "other_records": other},
        "counts": {"participants": opener.participants.len(), "records": records, "withdrawn": opener.withdrawn.len()},
        "participants": opener.participants.iter().map(|(p, s)| serde_json::json!({
            "pseudonym": p, "records": s.records, "categories": s.categories, "log_index": s.log_index,
        })).collect::<Vec<_>>(),
        "withdrawn": opener.withdrawn.iter().map(|(p, at)| serde_json::json!({"pseudonym": p, "withdrawn_at": at})).collect::<Vec<_>>(),
        "log": {
            "verified": report.ok(),
            "checkpoint": checkpoint,
            "checked": report.checked,
            "problems": report.problems,
        },
    });
    let manifest_path = out.join("manifest.json");
    std::fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?,
    )
    .map_err(io(&manifest_path))?;
    let _ = std::fs::remove_file(&part_path);
    let _ = std::fs::remove_file(&state_path);
    if !report.ok() {
        return Err(format!(
            "the data is in {}, but the access log does not show this export to the \
             participants:\n  {}\nTell the cooperative: the server hid study reads from members.",
            out.display(),
            report.problems.join("\n  ")
        ));
    }
    let text = serde_json::to_vec_pretty(&report.state).map_err(|e| e.to_string())?;
    write_private(&log_path, &text)
        .map_err(|e| format!("cannot save {}: {e}", log_path.display()))?;
    if json {
        crate::print_json(&manifest);
    } else {
        println!(
            "Exported {records} record(s) of {} participant(s) to {}{}{}.",
            opener.participants.len(),
            out.join(main_file).display(),
            if other > 0 {
                format!(" ({other} of another kind in other.ndjson)")
            } else {
                String::new()
            },
            match opener.withdrawn.len() {
                0 => String::new(),
                n => format!("; {n} participant(s) withdrew and are listed in the manifest"),
            }
        );
        println!(
            "The access log holds this export for each of them (inclusion proofs verified); \
             see {}.",
            manifest_path.display()
        );
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn save(path: &Path, state: &DownloadState) -> Result<(), String> {
    let text = serde_json::to_vec_pretty(state).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(io(path))
}

/// The unfinished download in `out`, or a new one (the folder must then be empty).
fn start(out: &Path, study: Uuid, format: Format) -> Result<DownloadState, String> {
    let state_path = out.join(STATE);
    if let Ok(b) = std::fs::read(&state_path) {
        let s: DownloadState = serde_json::from_slice(&b)
            .map_err(|e| format!("{} is damaged: {e}", state_path.display()))?;
        if s.study != study || s.format != format {
            return Err(format!(
                "{} holds an unfinished export of study {} as {:?}: resume it with the same \
                 study and format, or choose another folder",
                out.display(),
                s.study,
                s.format
            ));
        }
        return Ok(s);
    }
    if out.exists()
        && std::fs::read_dir(out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(format!(
            "{} is not empty; choose a new folder",
            out.display()
        ));
    }
    std::fs::create_dir_all(out).map_err(io(out))?;
    let s = DownloadState {
        study,
        export: Uuid::new_v4(),
        format,
        cursor: None,
        offset: 0,
    };
    save(&state_path, &s)?;
    Ok(s)
}
