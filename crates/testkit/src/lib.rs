//! The test harness. Every storage and HTTP test runs on SQLite always and on
//! PostgreSQL when `DATACOOP_TEST_POSTGRES_URL` is set; under `CI=true` a
//! missing PostgreSQL is a failure, never a skip.
#![forbid(unsafe_code)]
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod db;
pub mod fhir;
mod proxy;
mod server;
mod smtp;

pub use db::{Backend, TestDb};
pub use proxy::{Exchange, TamperProxy};
pub use server::TestServer;
pub use smtp::{Mail, SmtpSink};

/// Declares each named `async fn(Backend)` scenario as two tests,
/// `sqlite::NAME` and `postgres::NAME`, so CI output shows both.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Postgres).await
                }
            )*
        }
    };
}
