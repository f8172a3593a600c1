//! Helpers shared by the governance tests.
#![allow(dead_code)] // each test binary uses a subset

use datacoop_api::time::format_micros;
use datacoop_client::member::{self, MemberSession};
use datacoop_client::ClientError;
use datacoop_testkit::TestServer;

/// Every account's passphrase.
pub const PASS: &str = "correct horse battery staple";
/// A day in microseconds.
pub const DAY: u64 = 86_400_000_000;
/// The steward's account.
pub const STEWARD: &str = "steward@example.org";

/// RFC 3339 text of a unix-microsecond time.
pub fn at(micros: u64) -> String {
    format_micros(micros as i64)
}

/// The status and code of a refusal.
pub fn code(e: &ClientError) -> (u16, String) {
    let p = e
        .problem()
        .unwrap_or_else(|| panic!("no problem document: {e}"));
    (p.status, p.code.clone())
}

/// A new account, logged in.
pub async fn account(srv: &TestServer, email: &str) -> MemberSession {
    let c = srv.client();
    member::register(&c, email, PASS).await.unwrap();
    member::login(&c, email, PASS, None).await.unwrap()
}
