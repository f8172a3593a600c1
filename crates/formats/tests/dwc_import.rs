//! Darwin Core catch-log import through the public API: the shipped log and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{catch_log, read_fixture};
use datacoop_formats::{dwc, Error, ImportReport};
use serde_json::Value;

fn parse(text: &str) -> ImportReport {
    dwc::parse(text.as_bytes()).unwrap()
}

/// The catch log with cell `column` of data row `row` (0-based, header excluded) replaced.
fn log_with(row: usize, column: &str, value: &str) -> String {
    let log = catch_log();
    let mut lines: Vec<String> = log.lines().map(str::to_owned).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let index = header.iter().position(|h| *h == column).unwrap();
    let mut cells: Vec<String> = lines[row + 1].split(',').map(str::to_owned).collect();
    cells[index] = value.to_owned();
    lines[row + 1] = cells.join(",");
    lines.join("\n")
}

fn only_invalid(report: &ImportReport) -> (&str, &str) {
    assert_eq!(report.invalid.len(), 1, "{:?}", report.invalid);
    (&report.invalid[0].position, &report.invalid[0].reason)
}

#[test]
fn the_shipped_catch_log_gives_60_landings() {
    let report = dwc::parse(read_fixture("catch-log.csv").as_slice()).unwrap();
    assert!(report.is_clean(), "{:?}", report.invalid);
    assert_eq!(report.items.len(), 60);
    let first = &report.items[0];
    assert_eq!(first.category, "catch.landing");
    assert_eq!(first.type_code, "Panulirus interruptus");
    assert_eq!(first.effective_at.as_deref(), Some("2026-05-01T00:00:00Z"));
    assert_eq!(first.content_type, "application/vnd.datacoop.dwc+json");
    assert_eq!(first.label, "Panulirus interruptus 29.52 kg");
    let content: Value = serde_json::from_slice(&first.content).unwrap();
    assert_eq!(content["decimalLatitude"], "27.60712");
    assert_eq!(content["locality"], "Bahía Tortugas, Baja California Sur");
    assert_eq!(content["occurrenceID"], "urn:catch:bahia-tortugas:0001");
    assert_eq!(content.as_object().unwrap().len(), 13);
    assert!(report
        .items
        .iter()
        .all(|i| i.category == "catch.landing" && i.effective_at.is_some()));
}

#[test]
fn a_missing_required_column_fails_the_whole_file_naming_it() {
    let log = catch_log()
        .replace("decimalLongitude", "lon")
        .replace("eventDate", "date");
    let err = dwc::parse(log.as_bytes()).unwrap_err();
    match &err {
        Error::MissingColumns { missing } => {
            assert_eq!(missing, &["eventDate", "decimalLongitude"])
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.code(), "missing_columns");
    assert!(
        err.to_string().contains("eventDate, decimalLongitude"),
        "{err}"
    );
}

#[test]
fn a_latitude_of_123_is_reported_with_its_line() {
    let report = parse(&log_with(2, "decimalLatitude", "123"));
    assert_eq!(report.items.len(), 59);
    let (position, reason) = only_invalid(&report);
    assert_eq!(position, "line 4");
    assert_eq!(reason, "decimalLatitude 123 is outside -90 to 90");
}

#[test]
fn a_bad_date_is_reported_with_its_line() {
    for bad in ["2026-02-30", "05/01/2026", "yesterday"] {
        let report = parse(&log_with(9, "eventDate", bad));
        let (position, reason) = only_invalid(&report);
        assert_eq!(position, "line 11");
        assert!(
            reason.starts_with(&format!("eventDate `{bad}` is not an ISO 8601 date")),
            "{reason}"
        );
    }
}

#[test]
fn every_problem_of_a_row_is_listed() {
    let log = log_with(0, "decimalLongitude", "-200");
    let log = log
        .replacen("29.52", "lots", 1)
        .replacen("Panulirus interruptus", "", 1);
    let report = parse(&log);
    let (position, reason) = only_invalid(&report);
    assert_eq!(position, "line 2");
    assert!(reason.contains("scientificName is empty"), "{reason}");
    assert!(
        reason.contains("decimalLongitude -200 is outside -180 to 180"),
        "{reason}"
    );
    assert!(
        reason.contains("organismQuantity `lots` is not a non-negative number"),
        "{reason}"
    );
}

#[test]
fn other_row_checks() {
    let cases = [
        (
            log_with(5, "decimalLatitude", "\"27,5\""),
            "decimalLatitude `27,5` is not a decimal number (use a dot",
        ),
        (
            log_with(5, "decimalLatitude", "NaN"),
            "decimalLatitude `NaN` is not a decimal number",
        ),
        (
            log_with(5, "organismQuantityType", ""),
            "organismQuantityType is empty",
        ),
        (
            log_with(5, "individualCount", "3.5"),
            "individualCount `3.5` is not a whole number",
        ),
        (
            log_with(5, "occurrenceID", "urn:catch:bahia-tortugas:0001"),
            "already appears on line 2",
        ),
        (
            log_with(5, "eventDate", "2026-05-03/2026-05-01"),
            "the interval ends before it starts",
        ),
    ];
    for (log, expected) in cases {
        let report = parse(&log);
        let (position, reason) = only_invalid(&report);
        assert_eq!(position, "line 7");
        assert!(reason.contains(expected), "{expected}: {reason}");
    }
}

#[test]
fn date_times_and_quoted_newlines_keep_line_numbers_right() {
    let text = "scientificName,eventDate,decimalLatitude,decimalLongitude,occurrenceRemarks\n\
                Gadus morhua,2026-05-01T06:30:00-07:00,60.1,5.2,\"two\nlines\"\n\
                \n\
                Gadus morhua,2026-05-02T06:30,60.1,95.2,\n\
                Gadus morhua,2026-05-02,91,5.2,\n\
                ,,,,\n";
    let report = parse(text);
    assert_eq!(report.items.len(), 2);
    assert_eq!(
        report.items[0].effective_at.as_deref(),
        Some("2026-05-01T13:30:00Z")
    );
    assert_eq!(
        report.items[1].effective_at.as_deref(),
        Some("2026-05-02T06:30:00Z")
    );
    assert_eq!(report.items[0].label, "Gadus morhua");
    let (position, _) = only_invalid(&report);
    assert_eq!(position, "line 6");
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_reported() {
    let mut log = catch_log();
    log.push_str("urn:x,2026-05-31,Gadus morhua,1,2\n");
    let report = parse(&log);
    let (position, reason) = only_invalid(&report);
    assert_eq!(position, "line 62");
    assert!(
        reason.contains("the row has 5 fields but the header has 13"),
        "{reason}"
    );
}

#[test]
fn header_problems_fail_the_whole_file() {
    assert!(matches!(dwc::parse(&b""[..]), Err(Error::BadHeader { .. })));
    let err =
        dwc::parse(&b"scientificName,eventDate,decimalLatitude,decimalLongitude,eventDate\n"[..])
            .unwrap_err();
    assert!(
        err.to_string().contains("`eventDate` appears twice"),
        "{err}"
    );
    let with_bom = format!("\u{feff}{}", catch_log());
    assert_eq!(parse(&with_bom).items.len(), 60);
}

#[test]
fn non_utf8_rows_are_reported_not_fatal() {
    let mut bytes = catch_log().into_bytes();
    bytes.extend_from_slice(b"urn:x,2026-05-31,Gadus morhua,x,60,5,,,,,,Bah\xEDa,member\n");
    let report = dwc::parse(bytes.as_slice()).unwrap();
    assert_eq!(report.items.len(), 60);
    let (position, reason) = only_invalid(&report);
    assert_eq!(position, "line 62");
    assert!(reason.contains("UTF-8"), "{reason}");
}
