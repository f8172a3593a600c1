//! Export then import again: what comes back is what went out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{catch_log, read_fixture};
use datacoop_formats::{dwc, fhir, ndjson, Error, ImportItem};
use serde_json::Value;
use time::macros::datetime;

fn fhir_items() -> Vec<ImportItem> {
    fhir::parse(read_fixture("bundle-30-days.json").as_slice())
        .unwrap()
        .items
}

fn catch_items() -> Vec<ImportItem> {
    dwc::parse(read_fixture("catch-log.csv").as_slice())
        .unwrap()
        .items
}

/// Exports items as a Bundle, the way the client's `records export` does.
fn export_bundle(items: &[ImportItem]) -> Vec<u8> {
    let mut writer = fhir::bundle_writer(Vec::new())
        .with_timestamp(datetime!(2026-04-01 12:00 +02:00))
        .unwrap();
    for item in items {
        writer.write_item(item).unwrap();
    }
    assert_eq!(writer.entries_written(), items.len());
    writer.finish().unwrap()
}

#[test]
fn fhir_bundle_round_trip_gives_the_same_items() {
    let items = fhir_items();
    let exported = export_bundle(&items);
    let again = fhir::parse(exported.as_slice()).unwrap();
    assert!(again.is_clean(), "{:?}", again.invalid);
    assert_eq!(again.items, items);
}

#[test]
fn the_exported_bundle_is_a_collection_with_unique_full_urls() {
    let items = fhir_items();
    let bundle: Value = serde_json::from_slice(&export_bundle(&items)).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    assert_eq!(bundle["timestamp"], "2026-04-01T10:00:00Z");
    let entries = bundle["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 75);
    let original = common::bundle_value();
    for (i, entry) in entries.iter().enumerate() {
        assert_eq!(entry, &original["entry"][i], "entry {i}");
    }
}

#[test]
fn an_empty_bundle_has_no_empty_entry_array() {
    let bytes = fhir::bundle_writer(Vec::new()).finish().unwrap();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "{\"resourceType\":\"Bundle\",\"type\":\"collection\"}\n"
    );
}

#[test]
fn the_bundle_writer_refuses_what_is_not_fhir() {
    let mut writer = fhir::bundle_writer(Vec::new());
    let catch = &catch_items()[0];
    assert!(matches!(
        writer.write_item(catch),
        Err(Error::InvalidRecord { .. })
    ));
    assert!(matches!(
        writer.write_record(b"{\"a\":1}"),
        Err(Error::InvalidRecord { .. })
    ));
    assert!(matches!(
        writer.write_record(b"[1]"),
        Err(Error::InvalidRecord { .. })
    ));
    assert_eq!(writer.entries_written(), 0);
}

#[test]
fn duplicate_ids_do_not_repeat_a_full_url() {
    let item = &fhir_items()[1];
    let mut writer = fhir::bundle_writer(Vec::new());
    writer.write_item(item).unwrap();
    writer.write_item(item).unwrap();
    let bundle: Value = serde_json::from_slice(&writer.finish().unwrap()).unwrap();
    assert!(bundle["entry"][0].get("fullUrl").is_some());
    assert!(bundle["entry"][1].get("fullUrl").is_none());
}

#[test]
fn catch_csv_round_trip_gives_the_same_items_and_the_same_file() {
    let items = catch_items();
    let columns = dwc::columns_for(items.iter().map(|i| i.content.as_slice())).unwrap();
    let mut writer = dwc::csv_writer_with_columns(Vec::new(), columns).unwrap();
    for item in &items {
        writer.write_item(item).unwrap();
    }
    assert_eq!(writer.rows_written(), 60);
    let exported = writer.finish().unwrap();
    assert_eq!(dwc::parse(exported.as_slice()).unwrap().items, items);
    assert_eq!(String::from_utf8(exported).unwrap(), catch_log());
}

#[test]
fn catch_csv_with_all_known_columns_round_trips_too() {
    let items = catch_items();
    let mut writer = dwc::csv_writer(Vec::new()).unwrap();
    for item in &items {
        writer.write_item(item).unwrap();
    }
    let exported = writer.finish().unwrap();
    let header = String::from_utf8(exported.clone())
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(header, dwc::KNOWN_TERMS.join(","));
    assert_eq!(dwc::parse(exported.as_slice()).unwrap().items, items);
}

#[test]
fn a_term_without_a_column_is_an_error_not_a_silent_loss() {
    let mut writer = dwc::csv_writer(Vec::new()).unwrap();
    let err = writer
        .write_record(br#"{"scientificName":"Gadus morhua","gear":"net"}"#)
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnexportedTerm { term } if term == "gear"),
        "{err}"
    );
    let columns =
        dwc::columns_for([&br#"{"scientificName":"Gadus morhua","gear":"net"}"#[..]]).unwrap();
    assert_eq!(columns, ["scientificName", "gear"]);
    assert!(matches!(
        writer.write_item(&fhir_items()[0]),
        Err(Error::InvalidRecord { .. })
    ));
}

#[test]
fn ndjson_has_one_object_per_line() {
    let items: Vec<ImportItem> = fhir_items().into_iter().chain(catch_items()).collect();
    let mut writer = ndjson::ndjson_writer(Vec::new());
    for item in &items {
        writer.write_item(item).unwrap();
    }
    writer
        .write_json(b"{\n  \"note\": \"exported by datacoop\",\n  \"value\": 1.50\n}")
        .unwrap();
    writer
        .write_value(&serde_json::json!({"count": items.len()}))
        .unwrap();
    assert!(writer.write_json(b"42").is_err());
    assert_eq!(writer.lines_written(), 137);
    let text = String::from_utf8(writer.finish().unwrap()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 137);
    for (line, item) in lines.iter().zip(&items) {
        let value: Value = serde_json::from_str(line).unwrap();
        assert_eq!(value["category"], item.category.as_str());
        assert_eq!(value["type"], item.type_code.as_str());
        assert_eq!(value["label"], item.label.as_str());
        let content: Value = serde_json::from_slice(&item.content).unwrap();
        assert_eq!(value["content"], content);
    }
    assert_eq!(
        lines[135],
        r#"{"note":"exported by datacoop","value":1.50}"#
    );
}
