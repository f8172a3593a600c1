//! Reading a Darwin Core occurrence CSV, row by row, with per-row reasons.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use super::{CATEGORY, CONTENT_TYPE, REQUIRED_COLUMNS};
use crate::item::short_label;
use crate::{datetime, Error, ImportItem, ImportReport, Result};

/// Reads a catch log: a CSV file whose header names Darwin Core terms.
///
/// Fails as a whole when the header lacks a required column
/// ([`super::REQUIRED_COLUMNS`]) or the file cannot be read as CSV; a bad row
/// is reported as `line <n>` (the file's line number, header = line 1) with
/// every problem found. Cells are trimmed; rows with only empty cells are
/// skipped. Unknown columns are kept in the record as they are.
pub fn parse<R: Read>(reader: R) -> Result<ImportReport> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let header = read_header(&mut csv)?;
    let mut report = ImportReport::default();
    let mut seen_ids: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, csv::Position::line);
                if record.iter().all(str::is_empty) {
                    continue;
                }
                match row(&header, &record, line, &mut seen_ids) {
                    Ok(item) => report.items.push(item),
                    Err(problems) => report.reject(format!("line {line}"), problems.join("; ")),
                }
            }
            Err(err) => match err.kind() {
                csv::ErrorKind::Utf8 { pos, .. } => {
                    let line = pos.as_ref().map_or(0, csv::Position::line);
                    report.reject(
                        format!("line {line}"),
                        "the row is not UTF-8 text; save the file as UTF-8",
                    );
                }
                _ => return Err(csv_error(err)),
            },
        }
    }
    Ok(report)
}

fn read_header<R: Read>(csv: &mut csv::Reader<R>) -> Result<Vec<String>> {
    let header: Vec<String> = csv
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut header = header;
    if let Some(first) = header.first_mut() {
        if let Some(rest) = first.strip_prefix('\u{feff}') {
            *first = rest.trim().to_owned();
        }
    }
    if header.iter().all(String::is_empty) {
        return Err(Error::BadHeader {
            reason: "the file is empty; its first line must name the Darwin Core columns"
                .to_owned(),
        });
    }
    if let Some(i) = header.iter().position(String::is_empty) {
        return Err(Error::BadHeader {
            reason: format!("column {} has no name", i + 1),
        });
    }
    for (i, name) in header.iter().enumerate() {
        if header[..i].contains(name) {
            return Err(Error::BadHeader {
                reason: format!("column `{name}` appears twice"),
            });
        }
    }
    let missing: Vec<String> = REQUIRED_COLUMNS
        .iter()
        .filter(|c| !header.iter().any(|h| h == *c))
        .map(|c| (*c).to_owned())
        .collect();
    if !missing.is_empty() {
        return Err(Error::MissingColumns { missing });
    }
    Ok(header)
}

fn csv_error(err: csv::Error) -> Error {
    let line = err.position().map_or(0, csv::Position::line);
    match err.into_kind() {
        csv::ErrorKind::Io(io) => Error::Io(io),
        csv::ErrorKind::Utf8 { .. } => Error::BadHeader {
            reason: "the header is not UTF-8 text; save the file as UTF-8".to_owned(),
        },
        other => Error::MalformedCsv {
            line,
            message: format!("{other:?}"),
        },
    }
}

fn row(
    header: &[String],
    record: &csv::StringRecord,
    line: u64,
    seen_ids: &mut HashMap<String, u64>,
) -> std::result::Result<ImportItem, Vec<String>> {
    if record.len() != header.len() {
        return Err(vec![format!(
            "the row has {} fields but the header has {}; check for a missing or extra comma or an unquoted comma in a text",
            record.len(),
            header.len()
        )]);
    }
    let terms: BTreeMap<&str, &str> = header
        .iter()
        .map(String::as_str)
        .zip(record.iter())
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let get = |term: &str| terms.get(term).copied();
    let mut problems = Vec::new();

    let name = get("scientificName").unwrap_or_default();
    if name.is_empty() {
        problems.push("scientificName is empty".to_owned());
    }
    let effective_at = match get("eventDate") {
        None => {
            problems.push("eventDate is empty".to_owned());
            None
        }
        Some(date) => match datetime::event_date(date).and_then(datetime::to_utc_string) {
            Ok(at) => Some(at),
            Err(why) => {
                problems.push(format!(
                    "eventDate `{date}` is not an ISO 8601 date or date-time (e.g. 2026-05-01 or 2026-05-01T06:30:00Z): {why}"
                ));
                None
            }
        },
    };
    coordinate(
        get("decimalLatitude"),
        "decimalLatitude",
        90.0,
        &mut problems,
    );
    coordinate(
        get("decimalLongitude"),
        "decimalLongitude",
        180.0,
        &mut problems,
    );
    let quantity = get("organismQuantity");
    if let Some(q) = quantity {
        if !number(q).is_some_and(|n| n >= 0.0) {
            problems.push(format!(
                "organismQuantity `{q}` is not a non-negative number (use a dot for decimals)"
            ));
        }
        if get("organismQuantityType").is_none() {
            problems.push("organismQuantityType is empty but organismQuantity is given (e.g. biomass_kg, individuals)".to_owned());
        }
    }
    if let Some(n) = get("individualCount") {
        if n.parse::<u64>().is_err() {
            problems.push(format!("individualCount `{n}` is not a whole number"));
        }
    }
    if let Some(u) = get("coordinateUncertaintyInMeters") {
        if !number(u).is_some_and(|n| n > 0.0) {
            problems.push(format!(
                "coordinateUncertaintyInMeters `{u}` is not a positive number"
            ));
        }
    }
    if let Some(id) = get("occurrenceID") {
        match seen_ids.get(id) {
            Some(first) => problems.push(format!(
                "occurrenceID `{id}` already appears on line {first}"
            )),
            None => {
                seen_ids.insert(id.to_owned(), line);
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let content = serde_json::to_vec(&terms).map_err(|e| vec![e.to_string()])?;
    Ok(ImportItem {
        category: CATEGORY.to_owned(),
        type_code: name.to_owned(),
        effective_at,
        content_type: CONTENT_TYPE.to_owned(),
        content,
        label: label(&terms),
    })
}

fn coordinate(value: Option<&str>, term: &str, limit: f64, problems: &mut Vec<String>) {
    match value {
        None => problems.push(format!("{term} is empty")),
        Some(text) => match number(text) {
            None => problems.push(format!(
                "{term} `{text}` is not a decimal number (use a dot, e.g. 27.607)"
            )),
            Some(n) if !(-limit..=limit).contains(&n) => {
                problems.push(format!("{term} {text} is outside -{limit} to {limit}"))
            }
            Some(_) => {}
        },
    }
}

/// A finite decimal number; rejects `NaN`, `inf` and the like that Rust would accept.
fn number(text: &str) -> Option<f64> {
    if !text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `Gadus morhua 12.5 kg`, `Gadus morhua 3 individuals`, or the name alone.
pub(super) fn label(terms: &BTreeMap<&str, &str>) -> String {
    let name = terms.get("scientificName").copied().unwrap_or_default();
    let amount = match (
        terms.get("organismQuantity"),
        terms.get("organismQuantityType"),
    ) {
        (Some(q), Some(kind)) => Some(format!("{q} {}", unit(kind))),
        (Some(q), None) => Some((*q).to_owned()),
        _ => terms
            .get("individualCount")
            .map(|n| format!("{n} individuals")),
    };
    match amount {
        Some(amount) => short_label(&format!("{name} {amount}")),
        None => short_label(name),
    }
}

fn unit(quantity_type: &str) -> &str {
    match quantity_type {
        "biomass_kg" | "kg" | "kilograms" => "kg",
        "biomass_g" | "g" | "grams" => "g",
        "biomass_lb" | "lb" | "pounds" => "lb",
        other => other,
    }
}
