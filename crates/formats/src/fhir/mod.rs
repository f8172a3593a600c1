//! FHIR R4: import `Observation` resources (alone or in a `Bundle`), export a `Bundle`.
//!
//! Mapping of an Observation to an [`crate::ImportItem`]:
//! - `category`: the first `Observation.category` coding from the HL7
//!   observation-category code system (or without a system but with one of its
//!   nine codes) becomes `health.<code>`, e.g. `health.vital-signs`,
//!   `health.laboratory`; otherwise [`DEFAULT_CATEGORY`]. Free-text categories
//!   are never exposed as metadata.
//! - `type_code`: from `Observation.code`: a LOINC coding gives `loinc:<code>`
//!   (`loinc:8867-4`), a SNOMED CT coding `snomed:<code>`, another coding the
//!   FHIR token form `<system>|<code>`, a coding without a system its bare code,
//!   and a text-only code `text:<text>`.
//! - `effective_at`: `effectiveDateTime`, `effectivePeriod.start` (else `.end`),
//!   `effectiveInstant` or the first `effectiveTiming.event`, in UTC; partial
//!   dates stand for their first instant.
//! - `content_type`: [`CONTENT_TYPE`]; `content`: the Observation's JSON text as
//!   received with only the whitespace between tokens removed (decimals keep
//!   their exact digits, as FHIR requires).

mod bundle;
mod datatypes;
mod describe;
mod observation;
mod parse;
mod validate;

pub use bundle::{bundle_writer, BundleWriter};
pub use parse::parse;

/// Media type of an imported Observation, the registered FHIR JSON type.
pub const CONTENT_TYPE: &str = "application/fhir+json";

/// Category of an Observation that names no standard observation category.
pub const DEFAULT_CATEGORY: &str = "health.observation";
