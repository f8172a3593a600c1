//! Darwin Core occurrence CSV: import catch logs, export catch records.
//!
//! Mapping of a CSV row to an [`crate::ImportItem`]:
//! - `category`: always [`CATEGORY`] (`catch.landing`).
//! - `type_code`: the `scientificName`, as written (e.g. `Gadus morhua`).
//! - `effective_at`: `eventDate` in UTC. A date alone stands for midnight UTC,
//!   a date-time without a zone is taken as UTC, an interval `start/end` gives
//!   its start. The original text stays in the content.
//! - `content_type`: [`CONTENT_TYPE`]; `content`: one JSON object mapping each
//!   Darwin Core term (column name) to its text value as written, keys sorted,
//!   empty cells left out, e.g. `{"decimalLatitude":"27.60712",...}`. Values
//!   stay strings so no digit is lost or added on the way back to CSV.

mod export;
mod parse;

pub use export::{columns_for, csv_writer, csv_writer_with_columns, CsvWriter};
pub use parse::parse;

/// Media type of a catch record: a JSON object of Darwin Core terms.
pub const CONTENT_TYPE: &str = "application/vnd.datacoop.dwc+json";

/// Category of every catch record, the name consent grants refer to.
pub const CATEGORY: &str = "catch.landing";

/// Columns without which a row is no usable landing: what, when, where.
pub const REQUIRED_COLUMNS: [&str; 4] = [
    "scientificName",
    "eventDate",
    "decimalLatitude",
    "decimalLongitude",
];

/// The Darwin Core terms this crate knows, in the column order exports use.
pub const KNOWN_TERMS: [&str; 25] = [
    "occurrenceID",
    "basisOfRecord",
    "eventDate",
    "eventTime",
    "scientificName",
    "vernacularName",
    "taxonRank",
    "decimalLatitude",
    "decimalLongitude",
    "geodeticDatum",
    "coordinateUncertaintyInMeters",
    "minimumDepthInMeters",
    "maximumDepthInMeters",
    "organismQuantity",
    "organismQuantityType",
    "individualCount",
    "sex",
    "lifeStage",
    "samplingProtocol",
    "samplingEffort",
    "locality",
    "waterBody",
    "countryCode",
    "recordedBy",
    "occurrenceRemarks",
];
