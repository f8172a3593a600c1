//! Wire types of the datacoop HTTP API (`/api/v1`).
//!
//! Server and client both depend on this crate, so it carries no server or
//! storage dependency: serde and OpenAPI schemas only.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod auth;
pub mod b64;
pub mod blobs;
pub mod devices;
pub mod health;
pub mod ids;
pub mod log;
pub mod paths;
pub mod problem;
pub mod records;
pub mod time;

pub use ids::{
    BatchId, BlobId, ConsentId, DeviceId, InvalidId, MemberId, RecordId, ResearcherId, SessionId,
    StudyId,
};
pub use problem::Problem;

pub use paths::API_BASE;
