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

/// The real server on `backend` with its clock set to `t0` (unix microseconds), the
/// steward configured, a share's nominal value of 100.00 EUR, and votes closed every
/// second; `None` where the backend is not
/// available outside CI.
pub async fn server(backend: datacoop_testkit::Backend, t0: u64) -> Option<TestServer> {
    TestServer::start_with(backend, |c| {
        c.clock = datacoop_app::Clock::manual(t0);
        c.governance.stewards = vec![STEWARD.into()];
        c.governance.close_interval_secs = 1;
        c.governance.share_value = "100.00 EUR".into();
        c.auth.registrations_per_minute = 0;
    })
    .await
}
