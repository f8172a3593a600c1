//! Export: catch records back to a Darwin Core CSV with a stable column order.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::Value;

use super::{CONTENT_TYPE, KNOWN_TERMS};
use crate::{Error, ImportItem, Result};

/// The columns that hold every term of `contents`: known terms in [`KNOWN_TERMS`] order, then others sorted.
///
/// Use it in a first pass over the records when they may carry terms beyond
/// the known ones, so the CSV drops nothing.
pub fn columns_for<'a, I>(contents: I) -> Result<Vec<String>>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    let mut extra = std::collections::BTreeSet::new();
    let mut known = [false; KNOWN_TERMS.len()];
    for content in contents {
        for term in terms(content)?.into_keys() {
            match KNOWN_TERMS.iter().position(|k| *k == term) {
                Some(i) => known[i] = true,
                None => {
                    extra.insert(term);
                }
            }
        }
    }
    let known = KNOWN_TERMS
        .iter()
        .zip(known)
        .filter(|(_, used)| *used)
        .map(|(term, _)| (*term).to_owned());
    Ok(known.chain(extra).collect())
}

/// Starts a CSV export with every known Darwin Core term as a column ([`KNOWN_TERMS`]).
pub fn csv_writer<W: Write>(out: W) -> Result<CsvWriter<W>> {
    csv_writer_with_columns(out, KNOWN_TERMS.iter().map(|t| (*t).to_owned()).collect())
}

/// Starts a CSV export with the given columns (e.g. from [`columns_for`]); writes the header.
pub fn csv_writer_with_columns<W: Write>(out: W, columns: Vec<String>) -> Result<CsvWriter<W>> {
    if columns.is_empty() {
        return Err(Error::InvalidRecord {
            reason: "a Darwin Core CSV needs at least one column".to_owned(),
        });
    }
    let mut csv = csv::WriterBuilder::new().from_writer(out);
    csv.write_record(&columns).map_err(csv_write_error)?;
    Ok(CsvWriter {
        csv,
        columns,
        rows: 0,
    })
}

/// Writes catch records as CSV rows, one at a time, for data portability.
#[derive(Debug)]
pub struct CsvWriter<W: Write> {
    csv: csv::Writer<W>,
    columns: Vec<String>,
    rows: usize,
}

impl<W: Write> CsvWriter<W> {
    /// Adds an imported or decrypted catch item; other content types are refused.
    pub fn write_item(&mut self, item: &ImportItem) -> Result<()> {
        if item.content_type != CONTENT_TYPE {
            return Err(Error::InvalidRecord {
                reason: format!(
                    "content type `{}` is not a Darwin Core record (`{CONTENT_TYPE}`)",
                    item.content_type
                ),
            });
        }
        self.write_record(&item.content)
    }

    /// Adds one catch record given as its JSON object of Darwin Core terms.
    pub fn write_record(&mut self, content: &[u8]) -> Result<()> {
        let mut terms = terms(content)?;
        let row: Vec<String> = self
            .columns
            .iter()
            .map(|c| terms.remove(c.as_str()).unwrap_or_default())
            .collect();
        if let Some(term) = terms.into_keys().next() {
            return Err(Error::UnexportedTerm { term });
        }
        self.csv.write_record(&row).map_err(csv_write_error)?;
        self.rows += 1;
        Ok(())
    }

    /// How many rows were written, for the export summary.
    pub fn rows_written(&self) -> usize {
        self.rows
    }

    /// Flushes and returns the output.
    pub fn finish(self) -> Result<W> {
        self.csv
            .into_inner()
            .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))
    }
}

/// A catch record's terms as text; numbers and booleans are written as JSON writes them.
fn terms(content: &[u8]) -> Result<BTreeMap<String, String>> {
    let map: BTreeMap<String, Value> =
        serde_json::from_slice(content).map_err(|e| Error::InvalidRecord {
            reason: format!("a catch record must be a JSON object of Darwin Core terms: {e}"),
        })?;
    map.into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(term, value)| match value {
            Value::String(s) => Ok((term, s)),
            Value::Number(_) | Value::Bool(_) => Ok((term, value.to_string())),
            _ => Err(Error::InvalidRecord {
                reason: format!("the Darwin Core term `{term}` must be text, not a nested value"),
            }),
        })
        .collect()
}

fn csv_write_error(err: csv::Error) -> Error {
    match err.into_kind() {
        csv::ErrorKind::Io(io) => Error::Io(io),
        other => Error::Io(std::io::Error::other(format!("{other:?}"))),
    }
}
