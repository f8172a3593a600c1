//! The datacoop HTTP API server on actix-web.
//!
//! [`start`] prepares storage and keys, binds the listener and returns a
//! running server with its address and a handle for graceful shutdown. The
//! `datacoop serve` command and the test harness both go through it.
#![forbid(unsafe_code)]

pub mod config;
pub mod error;
pub mod extract;
pub mod forwarded;
mod in_thread;
pub mod metrics;
pub mod openapi;
pub mod routes;
mod scheduler;
mod start;

pub use config::Config;
pub use in_thread::InThread;
pub use start::{bind, prepare, start, Prepared, Running, StartError};
