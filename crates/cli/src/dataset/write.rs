//! Writing a decrypted dataset in the format the researcher chose, one copy at a time
//! (memory for one record, whatever the dataset's size), a pseudonym with every row.
//!
//! * `ndjson`: `dataset.ndjson`, one object per copy;
//! * `csv`: `dataset.csv`, one row per copy, the content as JSON text;
//! * `fhir`: `fhir-bundle.json`, a FHIR R4 Bundle of the health copies, each resource
//!   tagged with the pseudonym (`meta.tag`, system [`PSEUDONYM_SYSTEM`]);
//! * `dwc`: `occurrence.csv`, Darwin Core rows of the catch copies, `pseudonym` first.
//!
//! With `fhir` and `dwc`, copies of other kinds go to `other.ndjson`, so nothing is lost.

use base64::Engine as _;
use datacoop_consent_core::wire::DatasetCopy;
use datacoop_formats::{dwc, fhir};
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// The system of the pseudonym tag on FHIR resources.
pub const PSEUDONYM_SYSTEM: &str = "urn:datacoop:study-pseudonym";

/// Output formats.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One JSON object per record (`dataset.ndjson`).
    Ndjson,
    /// One row per record (`dataset.csv`).
    Csv,
    /// A FHIR R4 Bundle of the health records (`fhir-bundle.json`).
    Fhir,
    /// Darwin Core occurrences of the catch records (`occurrence.csv`).
    Dwc,
}

type Out = BufWriter<File>;

fn create(path: &Path) -> Result<Out, String> {
    File::create(path)
        .map(|f| BufWriter::with_capacity(256 * 1024, f))
        .map_err(|e| format!("cannot create {}: {e}", path.display()))
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Where decrypted copies go.
pub struct Output {
    lines: Option<Out>,
    csv: Option<csv::Writer<Out>>,
    bundle: Option<fhir::BundleWriter<Out>>,
    dwc: Option<dwc::CsvWriter<Out>>,
    /// Copies written in the chosen format.
    pub written: u64,
    /// Copies of other kinds, in `other.ndjson`.
    pub other: u64,
    dir: std::path::PathBuf,
    format: Format,
}

impl Output {
    /// Starts the files in `dir` (written anew).
    pub fn create(dir: &Path, format: Format) -> Result<Output, String> {
        let mut o = Output {
            lines: None,
            csv: None,
            bundle: None,
            dwc: None,
            written: 0,
            other: 0,
            dir: dir.to_owned(),
            format,
        };
        match format {
            Format::Ndjson => o.lines = Some(create(&dir.join("dataset.ndjson"))?),
            Format::Csv => {
                let mut w = csv::Writer::from_writer(create(&dir.join("dataset.csv"))?);
                w.write_record([
                    "pseudonym",
                    "id",
                    "category",
                    "type",
                    "effective",
                    "content_type",
                    "content",
                ])
                .map_err(err)?;
                o.csv = Some(w);
            }
            Format::Fhir => {
                let b = fhir::bundle_writer(create(&dir.join("fhir-bundle.json"))?)
                    .with_timestamp(time::OffsetDateTime::now_utc())
                    .map_err(err)?;
                o.bundle = Some(b);
            }
            Format::Dwc => {
                let columns = std::iter::once("pseudonym")
                    .chain(dwc::KNOWN_TERMS)
                    .map(str::to_owned)
                    .collect();
                o.dwc = Some(
                    dwc::csv_writer_with_columns(create(&dir.join("occurrence.csv"))?, columns)
                        .map_err(err)?,
                );
            }
        }
        Ok(o)
    }

    /// The files this format writes (besides `other.ndjson` and `manifest.json`).
    pub fn main_file(&self) -> &'static str {
        match self.format {
            Format::Ndjson => "dataset.ndjson",
            Format::Csv => "dataset.csv",
            Format::Fhir => "fhir-bundle.json",
            Format::Dwc => "occurrence.csv",
        }
    }

    /// Writes one decrypted copy.
    pub fn write(&mut self, c: &DatasetCopy, content: &[u8]) -> Result<(), String> {
        let written = match self.format {
            Format::Ndjson => {
                let w = self.lines.as_mut().ok_or("no output")?;
                write_record(w, c, content)?;
                true
            }
            Format::Csv => {
                let w = self.csv.as_mut().ok_or("no output")?;
                let text = match serde_json::from_slice::<Value>(content) {
                    Ok(v) => v.to_string(),
                    Err(_) => base64::engine::general_purpose::STANDARD.encode(content),
                };
                w.write_record([
                    c.pseudonym.to_string().as_str(),
                    &c.id.to_string(),
                    &c.category,
                    &c.type_code,
                    c.effective.as_deref().unwrap_or(""),
                    &c.content_type,
                    &text,
                ])
                .map_err(err)?;
                true
            }
            Format::Fhir if c.content_type == fhir::CONTENT_TYPE => {
                let resource = tagged_resource(c, content)?;
                let b = self.bundle.as_mut().ok_or("no output")?;
                b.write_record(resource.as_bytes()).map_err(err)?;
                true
            }
            Format::Dwc if c.content_type == dwc::CONTENT_TYPE => {
                let row = with_pseudonym(c, content)?;
                let w = self.dwc.as_mut().ok_or("no output")?;
                // A record with terms beyond the standard columns goes to other.ndjson whole.
                match w.write_record(row.as_bytes()) {
                    Ok(()) => true,
                    Err(datacoop_formats::Error::UnexportedTerm { .. }) => false,
                    Err(e) => return Err(err(e)),
                }
            }
            _ => false,
        };
        if written {
            self.written += 1;
        } else {
            if self.lines.is_none() {
                self.lines = Some(create(&self.dir.join("other.ndjson"))?);
            }
            if let Some(w) = self.lines.as_mut() {
                write_record(w, c, content)?;
            }
            self.other += 1;
        }
        Ok(())
    }

    /// Closes every file, flushed.
    pub fn finish(self) -> Result<(), String> {
        if let Some(mut w) = self.lines {
            w.flush().map_err(err)?;
        }
        if let Some(mut w) = self.csv {
            w.flush().map_err(err)?;
        }
        if let Some(b) = self.bundle {
            b.finish().map_err(err)?;
        }
        if let Some(w) = self.dwc {
            w.finish().map_err(err)?;
        }
        Ok(())
    }
}

#[derive(serde::Serialize)]
#[serde(untagged)]
enum Content<'a> {
    Json(&'a RawValue),
    Value(Value),
}

#[derive(serde::Serialize)]
struct Line<'a> {
    pseudonym: uuid::Uuid,
    id: uuid::Uuid,
    category: &'a str,
    #[serde(rename = "type")]
    type_code: &'a str,
    effective: Option<&'a str>,
    content_type: &'a str,
    content: Content<'a>,
}

/// A copy as one NDJSON line: JSON content inline (as it is, when it is one line),
/// other content as base64.
fn write_record(w: &mut Out, c: &DatasetCopy, content: &[u8]) -> Result<(), String> {
    let b64 = || Value::from(base64::engine::general_purpose::STANDARD.encode(content));
    let content = if !c.content_type.ends_with("json") {
        Content::Value(b64())
    } else if !content.contains(&b'\n') {
        match serde_json::from_slice::<&RawValue>(content) {
            Ok(raw) => Content::Json(raw),
            Err(_) => Content::Value(b64()),
        }
    } else {
        Content::Value(serde_json::from_slice::<Value>(content).unwrap_or_else(|_| b64()))
    };
    let line = Line {
        pseudonym: c.pseudonym,
        id: c.id,
        category: &c.category,
        type_code: &c.type_code,
        effective: c.effective.as_deref(),
        content_type: &c.content_type,
        content,
    };
    serde_json::to_writer(&mut *w, &line).map_err(err)?;
    w.write_all(b"\n").map_err(err)
}

/// The FHIR resource with the copy's id and the pseudonym as a tag.
fn tagged_resource(c: &DatasetCopy, content: &[u8]) -> Result<String, String> {
    let mut v: Value = serde_json::from_slice(content)
        .map_err(|e| format!("copy {} is not FHIR JSON: {e}", c.id))?;
    let obj = v
        .as_object_mut()
        .ok_or_else(|| format!("copy {} is not a FHIR resource", c.id))?;
    obj.insert("id".into(), c.id.to_string().into());
    let meta = obj.entry("meta").or_insert_with(|| json!({}));
    if let Some(m) = meta.as_object_mut() {
        let tags = m.entry("tag").or_insert_with(|| json!([]));
        if let Some(t) = tags.as_array_mut() {
            t.push(json!({"system": PSEUDONYM_SYSTEM, "code": c.pseudonym.to_string()}));
        }
    }
    Ok(v.to_string())
}

/// The Darwin Core terms with the pseudonym added.
fn with_pseudonym(c: &DatasetCopy, content: &[u8]) -> Result<String, String> {
    let mut v: Value = serde_json::from_slice(content)
        .map_err(|e| format!("copy {} is not a Darwin Core record: {e}", c.id))?;
    let obj = v
        .as_object_mut()
        .ok_or_else(|| format!("copy {} is not a Darwin Core record", c.id))?;
    obj.insert("pseudonym".into(), c.pseudonym.to_string().into());
    Ok(v.to_string())
}
