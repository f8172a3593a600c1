//! Import and export of a member's own data files, on the member's machine.
//!
//! Everything here runs on the client, before encryption (import) or after
//! decryption (export), so the crate carries no server, network or storage
//! dependency: bytes come in through [`std::io::Read`] and go out through
//! [`std::io::Write`].
//!
//! - [`fhir`]: FHIR R4 `Observation` resources and `Bundle`s of them.
//! - [`dwc`]: catch logs as Darwin Core occurrence CSV.
//! - [`ndjson`]: one JSON object per line, the neutral export format.
//!
//! Both importers return an [`ImportReport`]: the records that can be stored
//! ([`ImportItem`]) and the entries that cannot ([`InvalidEntry`]), so the
//! caller decides between storing the valid ones and storing nothing.
//!
//! ```
//! let observation = br#"{"resourceType":"Observation","status":"final",
//!   "code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},
//!   "effectiveDateTime":"2026-03-01T08:30:00+01:00",
//!   "valueQuantity":{"value":72,"unit":"/min"}}"#;
//! let report = datacoop_formats::fhir::parse(&observation[..])?;
//! let item = &report.items[0];
//! assert_eq!(item.category, "health.observation");
//! assert_eq!(item.type_code, "loinc:8867-4");
//! assert_eq!(item.effective_at.as_deref(), Some("2026-03-01T07:30:00Z"));
//! assert_eq!(item.label, "Heart rate 72 /min");
//!
//! // Export: stream decrypted records into a FHIR Bundle.
//! let mut bundle = datacoop_formats::fhir::bundle_writer(Vec::new());
//! bundle.write_item(item)?;
//! let bytes = bundle.finish()?;
//! assert_eq!(datacoop_formats::fhir::parse(bytes.as_slice())?.items, report.items);
//! # Ok::<(), datacoop_formats::Error>(())
//! ```
#![forbid(unsafe_code)]

mod datetime;
pub mod dwc;
mod error;
pub mod fhir;
mod item;
mod json;
pub mod ndjson;

pub use error::{Error, Result};
pub use item::{ImportItem, ImportReport, InvalidEntry};
