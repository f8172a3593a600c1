//! The pure core of consent grants (issue 18), shared by the server and every member's
//! and researcher's client: GA4GH Data Use Ontology conditions ([`duo`]) and whether a
//! study's stated research purpose fits them. No storage and no I/O here: the member's
//! client decides whether a study fits their standing preferences, the same way on
//! every machine.
#![forbid(unsafe_code)]

pub mod deid;
pub mod duo;
pub mod fhir;
pub mod receipt;
pub mod study;
pub mod wire;

pub use duo::{
    fits, DataUse, Diseases, Hierarchy, Mismatch, Modifier, Permission, Purpose, ResearchKind,
};
pub use receipt::ConsentReceipt;
pub use study::{DateLevel, Day, Deidentification, StudyTerms, LANGUAGES};
