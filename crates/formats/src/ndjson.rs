//! NDJSON (one JSON object per line): the neutral export format, one file per category.

use std::io::Write;

use serde::Serialize;
use serde_json::value::RawValue;

use crate::json::compact_object;
use crate::{Error, ImportItem, Result};

/// Starts an NDJSON export to `out`; each write adds exactly one line.
pub fn ndjson_writer<W: Write>(out: W) -> NdjsonWriter<W> {
    NdjsonWriter { out, lines: 0 }
}

/// Writes one JSON object per line, so research tools can stream the file.
#[derive(Debug)]
pub struct NdjsonWriter<W: Write> {
    out: W,
    lines: usize,
}

/// The line written for an item: its metadata and, under `content`, the record itself.
#[derive(Serialize)]
struct ItemLine<'a> {
    category: &'a str,
    #[serde(rename = "type")]
    type_code: &'a str,
    effective_at: Option<&'a str>,
    content_type: &'a str,
    label: &'a str,
    content: &'a RawValue,
}

impl<W: Write> NdjsonWriter<W> {
    /// Writes any serialisable value as one line (it must serialise to an object).
    pub fn write_value<T: Serialize>(&mut self, value: &T) -> Result<()> {
        let bytes = serde_json::to_vec(value).map_err(|e| Error::InvalidRecord {
            reason: e.to_string(),
        })?;
        self.write_json(&bytes)
    }

    /// Writes a JSON object given as text, compacted onto one line with its tokens untouched.
    pub fn write_json(&mut self, json: &[u8]) -> Result<()> {
        let line = compact_object(json).map_err(|reason| Error::InvalidRecord { reason })?;
        self.line(line.as_bytes())
    }

    /// Writes an item with its metadata: `{"category":…,"type":…,"effective_at":…,"content_type":…,"label":…,"content":{…}}`.
    pub fn write_item(&mut self, item: &ImportItem) -> Result<()> {
        let content = compact_object(&item.content).map_err(|reason| Error::InvalidRecord {
            reason: format!("the item's content must be a JSON object: {reason}"),
        })?;
        let content = RawValue::from_string(content).map_err(Error::from_json)?;
        let line = ItemLine {
            category: &item.category,
            type_code: &item.type_code,
            effective_at: item.effective_at.as_deref(),
            content_type: &item.content_type,
            label: &item.label,
            content: &content,
        };
        let bytes = serde_json::to_vec(&line).map_err(|e| Error::InvalidRecord {
            reason: e.to_string(),
        })?;
        self.line(&bytes)
    }

    /// How many lines were written, for the export summary.
    pub fn lines_written(&self) -> usize {
        self.lines
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }

    fn line(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.write_all(bytes)?;
        self.out.write_all(b"\n")?;
        self.lines += 1;
        Ok(())
    }
}
