//! `datacoop records …`: upload, list, fetch and delete encrypted records.
//! Encryption and decryption happen here, never on the server.

use crate::session::{self, Saved};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use clap::{Args, Subcommand};
use datacoop_api::records::{RecordMeta, RecordQuery};
use datacoop_client::member::RecordDraft;
use std::path::PathBuf;
use uuid::Uuid;

/// Your encrypted records.
#[derive(Subcommand)]
pub enum RecordsCommand {
    /// Encrypt a file here and store it as one record.
    Upload(UploadArgs),
    /// List your records (metadata only; nothing is decrypted).
    List(ListArgs),
    /// Fetch a record and decrypt it here.
    Get {
        /// Record id.
        id: Uuid,
        /// Write the content to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Delete a record.
    Delete {
        /// Record id.
        id: Uuid,
    },
    /// Import a FHIR R4 Observation/Bundle or a Darwin Core catch log (CSV), encrypted here.
    Import(crate::import::ImportArgs),
    /// Export everything, decrypted here: NDJSON per category, a FHIR Bundle,
    /// a Darwin Core CSV, other files, and a manifest.
    Export {
        /// A new (or empty) folder to write into.
        dir: PathBuf,
    },
    /// Re-seal records from before datacoop 0.2 so their category, type, effective time
    /// and author are authenticated (each gets a new version; content is unchanged).
    Upgrade(crate::upgrade::UpgradeArgs),
}

/// What to upload and the metadata the server may see.
#[derive(Args)]
pub struct UploadArgs {
    /// The file to encrypt and upload.
    file: PathBuf,
    /// Visible category, e.g. health.vital-signs, health.laboratory, catch.landing.
    #[arg(long)]
    category: String,
    /// Visible type, e.g. a LOINC code (loinc:8867-4) or a species name.
    #[arg(long = "type")]
    type_code: String,
    /// Visible effective time (RFC 3339), e.g. 2026-11-25T08:30:00Z.
    #[arg(long)]
    effective_at: Option<String>,
    /// Media type of the file.
    #[arg(long, default_value = "application/octet-stream")]
    content_type: String,
    /// Upload as a write-only device, with the credentials file from
    /// `datacoop devices add` (no login needed).
    #[arg(long, value_name = "CREDENTIALS")]
    device: Option<PathBuf>,
}

impl UploadArgs {
    fn draft(&self) -> Result<RecordDraft, String> {
        let content = std::fs::read(&self.file)
            .map_err(|e| format!("cannot read {}: {e}", self.file.display()))?;
        Ok(RecordDraft {
            category: self.category.clone(),
            type_code: self.type_code.clone(),
            effective_at: self.effective_at.clone(),
            content_type: self.content_type.clone(),
            content,
        })
    }
}

fn print_stored(id: Uuid, json: bool) {
    if json {
        crate::print_json(&serde_json::json!({"id": id}));
    } else {
        println!("Stored record {id}.");
    }
}

/// A device's upload: sealed to the member's key; the device keeps no way to read it.
async fn device_upload(a: UploadArgs, device: &std::path::Path, json: bool) -> Result<(), String> {
    let d = crate::devices::load_credentials(device)?;
    let up = d.seal(&[a.draft()?]).map_err(|e| e.to_string())?;
    let bar = indicatif::ProgressBar::hidden();
    crate::import::with_retries(&bar, || d.send(&up))
        .await
        .map_err(|e| e.to_string())?;
    print_stored(up.records[0].id, json);
    Ok(())
}

/// Filters.
#[derive(Args)]
pub struct ListArgs {
    /// Only this category.
    #[arg(long)]
    category: Option<String>,
    /// Only this type.
    #[arg(long = "type")]
    type_code: Option<String>,
    /// Effective at or after (RFC 3339).
    #[arg(long)]
    from: Option<String>,
    /// Effective before (RFC 3339).
    #[arg(long)]
    to: Option<String>,
    /// At most this many records (default: all).
    #[arg(long)]
    limit: Option<usize>,
}

/// Refreshes the access token when it is about to expire, and saves the session.
pub async fn fresh() -> Result<Saved, String> {
    let mut saved = session::load().await?;
    if expires_within(&saved.session.access_token, 30) {
        saved.session.refresh().await.map_err(|e| {
            format!("your session has ended ({e}); run `datacoop member login` again")
        })?;
        session::save(&saved.server, &saved.email, &saved.session)?;
    }
    Ok(saved)
}

fn expires_within(token: &str, secs: i64) -> bool {
    let exp = token
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v["exp"].as_i64());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    exp.is_none_or(|e| e - now < secs)
}

/// Runs a records command.
pub async fn run(cmd: RecordsCommand, json: bool) -> Result<(), String> {
    let cmd = match cmd {
        RecordsCommand::Import(a) => return crate::import::run(a, json).await,
        RecordsCommand::Export { dir } => return crate::export::run(dir, json).await,
        RecordsCommand::Upgrade(a) => return crate::upgrade::run(a, json).await,
        RecordsCommand::Upload(a) if a.device.is_some() => {
            let device = a.device.clone().unwrap_or_default();
            return device_upload(a, &device, json).await;
        }
        other => other,
    };
    let saved = fresh().await?;
    let s = &saved.session;
    match cmd {
        RecordsCommand::Upload(a) => {
            let drafts = [a.draft()?];
            let sealed = s.seal(&drafts).map_err(|e| e.to_string())?;
            let id = sealed[0].id;
            s.upload(sealed.clone(), &Uuid::now_v7().to_string())
                .await
                .map_err(|e| e.to_string())?;
            // Future data: the study copy for each consent that asks for records like it.
            let shared = s
                .share_future(&sealed, &drafts)
                .await
                .map_err(|e| format!("stored as {id}, but not shared with your studies: {e}"))?;
            if shared > 0 && !json {
                eprintln!("also shared with {shared} stud(y/ies) you consent to (future data)");
            }
            print_stored(id, json);
        }
        RecordsCommand::List(a) => {
            let items = list_all(s, &a).await?;
            if json {
                crate::print_json(&items);
            } else {
                print_table(&items);
            }
        }
        RecordsCommand::Get { id, output } => {
            let opened = s.open(id).await.map_err(|e| e.to_string())?;
            warn_unauthenticated(&opened);
            let (meta, plain) = (opened.meta, opened.content);
            match output {
                Some(p) => {
                    std::fs::write(&p, &plain[..])
                        .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
                    if !json {
                        println!(
                            "Wrote {} bytes ({}) to {}.",
                            plain.len(),
                            meta.content_type,
                            p.display()
                        );
                    }
                }
                None => {
                    use std::io::Write;
                    std::io::stdout()
                        .write_all(&plain)
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        RecordsCommand::Delete { id } => {
            s.delete(id).await.map_err(|e| e.to_string())?;
            if !json {
                println!("Deleted record {id}.");
            }
        }
        RecordsCommand::Import(_) | RecordsCommand::Export { .. } | RecordsCommand::Upgrade(_) => {}
    }
    Ok(())
}

/// Every record's metadata, with a progress bar over them (hidden for `--json`).
pub async fn all_with_bar(
    s: &datacoop_client::member::MemberSession,
    json: bool,
    verb: &str,
) -> Result<(Vec<RecordMeta>, indicatif::ProgressBar), String> {
    let metas = s
        .list_all(&RecordQuery::default(), None)
        .await
        .map_err(|e| e.to_string())?;
    let bar = if json {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(metas.len() as u64)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} records {verb} {{eta}}"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Ok((metas, bar))
}

/// Says on standard error what opening a record from before datacoop 0.2 did not prove.
pub fn warn_unauthenticated(r: &datacoop_client::member::OpenedRecord) {
    if !r.provenance.is_authenticated() {
        eprintln!(
            "warning: record {} is in the format before datacoop 0.2: its content is yours, but \
             its category, type and effective time as shown are not authenticated; run \
             `datacoop records upgrade` to re-seal it",
            r.meta.id
        );
    }
}

async fn list_all(
    s: &datacoop_client::member::MemberSession,
    a: &ListArgs,
) -> Result<Vec<RecordMeta>, String> {
    let q = RecordQuery {
        category: a.category.clone(),
        type_code: a.type_code.clone(),
        from: a.from.clone(),
        to: a.to.clone(),
        after: None,
        limit: None,
    };
    s.list_all(&q, a.limit).await.map_err(|e| e.to_string())
}

fn print_table(items: &[RecordMeta]) {
    println!(
        "{:<36}  {:<20}  {:<22}  {:<20}  {:>8}",
        "ID", "CATEGORY", "TYPE", "EFFECTIVE", "BYTES"
    );
    for m in items {
        println!(
            "{:<36}  {:<20}  {:<22}  {:<20}  {:>8}",
            m.id,
            m.category,
            truncate(&m.type_code, 22),
            m.effective_at.as_deref().unwrap_or("-"),
            m.size
        );
    }
    println!("{} record(s)", items.len());
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).chain(std::iter::once('…')).collect()
    }
}
