//! Export: a FHIR R4 `Bundle` of type `collection`, written entry by entry.

use std::collections::HashSet;
use std::io::Write;

use serde_json::Value;
use time::OffsetDateTime;

use super::CONTENT_TYPE;
use crate::json::compact_object;
use crate::{datetime, Error, ImportItem, Result};

/// Starts a Bundle export to `out`; nothing is written until the first entry or `finish`.
///
/// Records are written as they come, so an export of any size needs memory
/// for one record at a time (plus the set of `fullUrl`s, to keep them unique).
pub fn bundle_writer<W: Write>(out: W) -> BundleWriter<W> {
    BundleWriter {
        out,
        timestamp: None,
        started: false,
        entries: 0,
        full_urls: HashSet::new(),
    }
}

/// Streams FHIR resources into one `Bundle` (`type` = `collection`) for data portability.
#[derive(Debug)]
pub struct BundleWriter<W: Write> {
    out: W,
    timestamp: Option<String>,
    started: bool,
    entries: usize,
    full_urls: HashSet<String>,
}

impl<W: Write> BundleWriter<W> {
    /// Stamps `Bundle.timestamp` (when the export was assembled); the caller supplies the clock.
    pub fn with_timestamp(mut self, at: OffsetDateTime) -> Result<Self> {
        if self.started {
            return Err(Error::InvalidRecord {
                reason: "the timestamp must be set before the first entry".to_owned(),
            });
        }
        let text = datetime::to_utc_string(at).map_err(|reason| Error::InvalidRecord { reason })?;
        self.timestamp = Some(text);
        Ok(self)
    }

    /// Adds an imported or decrypted FHIR item; other content types are refused.
    pub fn write_item(&mut self, item: &ImportItem) -> Result<()> {
        if item.content_type != CONTENT_TYPE {
            return Err(Error::InvalidRecord {
                reason: format!(
                    "content type `{}` is not FHIR JSON (`{CONTENT_TYPE}`)",
                    item.content_type
                ),
            });
        }
        self.write_record(&item.content)
    }

    /// Adds one FHIR resource (usually an Observation) given as its JSON text.
    pub fn write_record(&mut self, content: &[u8]) -> Result<()> {
        let text = compact_object(content).map_err(|reason| Error::InvalidRecord { reason })?;
        let value: Value = serde_json::from_str(&text).map_err(Error::from_json)?;
        let resource_type = value.get("resourceType").and_then(Value::as_str);
        if resource_type.is_none_or(str::is_empty) {
            return Err(Error::InvalidRecord {
                reason: "the JSON object has no `resourceType`, so it is not a FHIR resource"
                    .to_owned(),
            });
        }
        self.start()?;
        self.out.write_all(if self.entries == 0 {
            b",\"entry\":[\n"
        } else {
            b",\n"
        })?;
        self.out.write_all(b"{")?;
        if let Some(url) = self.full_url(&value) {
            write!(self.out, "\"fullUrl\":{},", Value::String(url))?;
        }
        self.out.write_all(b"\"resource\":")?;
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"}")?;
        self.entries += 1;
        Ok(())
    }

    /// How many entries were written, for the export summary.
    pub fn entries_written(&self) -> usize {
        self.entries
    }

    /// Closes the Bundle and returns the output, flushed.
    pub fn finish(mut self) -> Result<W> {
        self.start()?;
        if self.entries > 0 {
            self.out.write_all(b"\n]")?;
        }
        self.out.write_all(b"}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn start(&mut self) -> Result<()> {
        if !self.started {
            self.out
                .write_all(b"{\"resourceType\":\"Bundle\",\"type\":\"collection\"")?;
            if let Some(ts) = &self.timestamp {
                write!(self.out, ",\"timestamp\":\"{ts}\"")?;
            }
            self.started = true;
        }
        Ok(())
    }

    /// `urn:uuid:<id>` for a UUID id not used before; FHIR wants fullUrls unique (bdl-7).
    fn full_url(&mut self, resource: &Value) -> Option<String> {
        let id = resource.get("id")?.as_str()?;
        if !is_uuid(id) {
            return None;
        }
        let url = format!("urn:uuid:{}", id.to_ascii_lowercase());
        self.full_urls.insert(url.clone()).then_some(url)
    }
}

fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}
