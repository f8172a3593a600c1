//! `datacoop records export DIR`: everything the member has, decrypted here,
//! in open formats (data portability).
//!
//! Layout: `records/<category>.ndjson` (every record, one JSON object per
//! line), `fhir-bundle.json` (health records as a FHIR R4 Bundle),
//! `catch-log.csv` (catch records as Darwin Core), `files/<id>` (other
//! content as it was uploaded), `blobs/<original name>` (uploaded files,
//! decrypted) and `manifest.json`.

use crate::records::fresh;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use datacoop_formats::{dwc, fhir, ndjson};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

fn create(path: &Path) -> Result<BufWriter<File>, String> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))
}

/// Exports every record into `dir` (created; must be empty if it exists).
pub async fn run(dir: PathBuf, json: bool) -> Result<(), String> {
    if dir.exists()
        && std::fs::read_dir(&dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(format!(
            "{} is not empty; choose a new folder",
            dir.display()
        ));
    }
    std::fs::create_dir_all(dir.join("records"))
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let saved = fresh().await?;
    let s = &saved.session;

    let (metas, bar) = crate::records::all_with_bar(s, json, "decrypted").await?;
    let err = |e: datacoop_formats::Error| e.to_string();
    let mut bundle = fhir::bundle_writer(create(&dir.join("fhir-bundle.json"))?);
    let mut lines: BTreeMap<String, ndjson::NdjsonWriter<BufWriter<File>>> = BTreeMap::new();
    let mut catch: Vec<Vec<u8>> = Vec::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut files = 0usize;
    for meta in &metas {
        let opened = s.open(meta.id).await.map_err(|e| e.to_string())?;
        if !opened.provenance.is_authenticated() {
            bar.suspend(|| crate::records::warn_unauthenticated(&opened));
        }
        let (meta, plain) = (opened.meta, opened.content);
        let is_json = meta.content_type.ends_with("json");
        let content = if is_json {
            serde_json::from_slice::<serde_json::Value>(&plain)
                .unwrap_or_else(|_| STANDARD.encode(&plain[..]).into())
        } else {
            serde_json::Value::Null
        };
        if meta.content_type == fhir::CONTENT_TYPE {
            bundle.write_record(&plain).map_err(err)?;
        } else if meta.content_type == dwc::CONTENT_TYPE {
            catch.push(plain.to_vec());
        } else {
            std::fs::create_dir_all(dir.join("files")).map_err(|e| e.to_string())?;
            std::fs::write(dir.join("files").join(meta.id.to_string()), &plain[..])
                .map_err(|e| e.to_string())?;
            files += 1;
        }
        let safe: String = meta
            .category
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if !lines.contains_key(&safe) {
            let w =
                ndjson::ndjson_writer(create(&dir.join("records").join(format!("{safe}.ndjson")))?);
            lines.insert(safe.clone(), w);
        }
        if let Some(w) = lines.get_mut(&safe) {
            w.write_value(&serde_json::json!({
                "id": meta.id,
                "version": meta.version,
                "category": meta.category,
                "type": meta.type_code,
                "effective_at": meta.effective_at,
                "content_type": meta.content_type,
                "content": content,
                "file": if is_json || meta.content_type == fhir::CONTENT_TYPE || meta.content_type == dwc::CONTENT_TYPE { None } else { Some(format!("files/{}", meta.id)) },
            }))
            .map_err(err)?;
        }
        *counts.entry(meta.category.clone()).or_default() += 1;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let health = bundle.entries_written();
    bundle.finish().map_err(err)?;
    for (_, w) in lines {
        w.finish().map_err(err)?;
    }
    if !catch.is_empty() {
        let columns = dwc::columns_for(catch.iter().map(Vec::as_slice)).map_err(err)?;
        let mut csv = dwc::csv_writer_with_columns(create(&dir.join("catch-log.csv"))?, columns)
            .map_err(err)?;
        for c in &catch {
            csv.write_record(c).map_err(err)?;
        }
        csv.finish().map_err(err)?;
    }
    let blobs = crate::blobs::export_all(s, &dir, json).await?;
    let manifest = serde_json::json!({
        "format": "datacoop-export/1",
        "member_id": s.member_id,
        "server": saved.server,
        "records": metas.len(),
        "by_category": counts,
        "fhir_bundle": {"file": "fhir-bundle.json", "entries": health},
        "catch_log": {"file": "catch-log.csv", "rows": catch.len()},
        "files": files,
        "blobs": blobs,
    });
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    if json {
        crate::print_json(&manifest);
    } else {
        println!(
            "Exported {} record(s) to {}: {} in fhir-bundle.json, {} in catch-log.csv, {} other file(s), {} blob(s) in blobs/; see manifest.json.",
            metas.len(),
            dir.display(),
            health,
            catch.len(),
            files,
            blobs.len()
        );
    }
    Ok(())
}
