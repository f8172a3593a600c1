//! `datacoop blobs …`: large files (lab reports, images, wearable exports)
//! encrypted here as they stream up, decrypted here as they stream down.
//! Memory stays constant whatever the size; the server never sees a file's
//! name, type or content.

use crate::records::fresh;
use clap::Subcommand;
use datacoop_api::blobs::{BlobQuery, DEFAULT_CATEGORY};
use datacoop_client::blobs::{safe_file_name, BlobInfo};
use datacoop_client::member::MemberSession;
use datacoop_client::next_cursor;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// Your encrypted files.
#[derive(Subcommand)]
pub enum BlobsCommand {
    /// Encrypt files here and upload them (streamed: any size, constant memory).
    ///
    /// The file name and type are sealed with the file; the server sees only
    /// the category, the encrypted size and the ciphertext's hash.
    Upload {
        /// The files to upload.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Visible category, e.g. health.documents, health.imaging, health.wearables.
        #[arg(long, default_value = DEFAULT_CATEGORY)]
        category: String,
    },
    /// List your files (names decrypted here).
    List {
        /// Only this category.
        #[arg(long)]
        category: Option<String>,
    },
    /// Download a file and decrypt it here.
    ///
    /// The file is written under a temporary name beside the target and
    /// renamed only once all of it has been verified.
    Get {
        /// Blob id (see `datacoop blobs list`).
        id: Uuid,
        /// Where to write it [default: its original name in the current folder].
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace the target if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Delete a file (on the server; your local copies stay).
    Delete {
        /// Blob id.
        id: Uuid,
    },
}

fn bar(len: u64, hidden: bool, verb: &str, name: &str) -> ProgressBar {
    let b = if hidden {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(len)
    };
    b.set_style(
        ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    b.set_message(format!("{verb} {name}"));
    b
}

/// Every blob of the member, opened here.
pub async fn list_all(
    s: &MemberSession,
    category: Option<String>,
) -> Result<Vec<BlobInfo>, String> {
    let mut out = Vec::new();
    let mut q = BlobQuery {
        category,
        after: None,
        limit: Some(1000),
    };
    loop {
        let page = s.list_blobs(&q).await.map_err(|e| e.to_string())?;
        let (n, last) = (page.items.len(), page.items.last().map(|m| m.id));
        for meta in page.items {
            let private = s.open_blob_meta(&meta).map_err(|e| e.to_string())?;
            out.push(BlobInfo { meta, private });
        }
        match next_cursor(q.after.as_ref(), page.next_after, last, n, 1000)
            .map_err(|e| e.to_string())?
        {
            Some(a) => q.after = Some(a),
            None => return Ok(out),
        }
    }
}

fn summary(b: &BlobInfo) -> serde_json::Value {
    serde_json::json!({
        "id": b.meta.id,
        "name": b.private.name,
        "media_type": b.private.media_type,
        "size": b.private.size,
        "category": b.meta.category,
        "encrypted_size": b.meta.size,
        "sha256": b.meta.sha256,
        "created_at": b.meta.created_at,
    })
}

/// Downloads one blob into `target` with a progress bar.
pub async fn download(
    s: &MemberSession,
    info: &BlobInfo,
    target: &Path,
    force: bool,
    hidden: bool,
) -> Result<(), String> {
    let pb = bar(info.private.size, hidden, "decrypting", &info.private.name);
    let p = pb.clone();
    let res = s
        .download_blob(info.meta.id, target, force, move |n| p.set_position(n))
        .await;
    pb.finish_and_clear();
    res.map(|_| ()).map_err(|e| e.to_string())
}

/// Runs a blobs command.
pub async fn run(cmd: BlobsCommand, json: bool) -> Result<(), String> {
    let saved = fresh().await?;
    let s = &saved.session;
    match cmd {
        BlobsCommand::Upload { files, category } => {
            let mut done = Vec::new();
            for f in &files {
                let size = std::fs::metadata(f)
                    .map_err(|e| format!("cannot read {}: {e}", f.display()))?
                    .len();
                let name = f.display().to_string();
                let pb = bar(size, json, "encrypting", &name);
                let p = pb.clone();
                let res = s
                    .upload_blob(f, &category, move |n| p.set_position(n))
                    .await;
                pb.finish_and_clear();
                let info = res.map_err(|e| format!("{name}: {e}"))?;
                if !json {
                    println!(
                        "Stored {} ({} bytes) as blob {}.",
                        name, info.private.size, info.meta.id
                    );
                }
                done.push(summary(&info));
            }
            if json {
                crate::print_json(&done);
            }
        }
        BlobsCommand::List { category } => {
            let all = list_all(s, category).await?;
            if json {
                crate::print_json(&all.iter().map(summary).collect::<Vec<_>>());
            } else {
                println!(
                    "{:<36}  {:<20}  {:>12}  {:<24}  NAME",
                    "ID", "CATEGORY", "BYTES", "TYPE"
                );
                for b in &all {
                    println!(
                        "{:<36}  {:<20}  {:>12}  {:<24}  {}",
                        b.meta.id,
                        b.meta.category,
                        b.private.size,
                        b.private.media_type,
                        b.private.name
                    );
                }
                println!("{} file(s)", all.len());
            }
        }
        BlobsCommand::Get { id, output, force } => {
            let meta = s.blob(id).await.map_err(|e| e.to_string())?;
            let private = s.open_blob_meta(&meta).map_err(|e| e.to_string())?;
            let info = BlobInfo { meta, private };
            let target = match output {
                Some(p) => p,
                None => PathBuf::from(safe_file_name(&info.private.name).ok_or_else(|| {
                    format!("blob {id} has no usable file name; give one with --output")
                })?),
            };
            download(s, &info, &target, force, json).await?;
            if json {
                let mut v = summary(&info);
                v["file"] = target.display().to_string().into();
                crate::print_json(&v);
            } else {
                println!(
                    "Wrote {} ({} bytes, {}) to {}.",
                    info.private.name,
                    info.private.size,
                    info.private.media_type,
                    target.display()
                );
            }
        }
        BlobsCommand::Delete { id } => {
            s.delete_blob(id).await.map_err(|e| e.to_string())?;
            if json {
                crate::print_json(&serde_json::json!({"deleted": id}));
            } else {
                println!("Deleted blob {id}.");
            }
        }
    }
    Ok(())
}

/// Writes every blob into `dir/blobs/` under its original name (made unique
/// with the id when taken); returns the manifest entries.
pub async fn export_all(
    s: &MemberSession,
    dir: &Path,
    hidden: bool,
) -> Result<Vec<serde_json::Value>, String> {
    let all = list_all(s, None).await?;
    if all.is_empty() {
        return Ok(Vec::new());
    }
    let folder = dir.join("blobs");
    std::fs::create_dir_all(&folder)
        .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let mut entries = Vec::new();
    for info in &all {
        let name = safe_file_name(&info.private.name).unwrap_or_else(|| info.meta.id.to_string());
        let mut file = name.clone();
        if folder.join(&file).exists() {
            file = format!("{}-{name}", info.meta.id);
        }
        download(s, info, &folder.join(&file), false, hidden).await?;
        let mut v = summary(info);
        v["file"] = format!("blobs/{file}").into();
        entries.push(v);
    }
    Ok(entries)
}
