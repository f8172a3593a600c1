//! Times `datacoop log verify` as a member sees it (issue 5): a member with
//! 1,000 entries in a log of 1,000,000, through the real server and client.
//!
//! Run: `cargo bench -p datacoop-suite --bench log_verify`
//! (`LOG_VERIFY_SIZE=100000` for a quicker run).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_accesslog::{append, entry, Action, Actor};
use datacoop_client::log::{self, LogState};
use datacoop_client::member::{self, RecordDraft};
use datacoop_testkit::{Backend, TestServer};
use std::time::Instant;
use uuid::Uuid;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let size: u64 = std::env::var("LOG_VERIFY_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let srv = TestServer::start(Backend::Sqlite).await.unwrap();
    let c = srv.client();
    member::register(&c, "bench@example.org", "bench passphrase")
        .await
        .unwrap();
    let s = member::login(&c, "bench@example.org", "bench passphrase", None)
        .await
        .unwrap();
    let up = s
        .seal(&[RecordDraft {
            category: "health.vital-signs".into(),
            type_code: "loinc:8867-4".into(),
            effective_at: None,
            content_type: "application/json".into(),
            content: b"{}".to_vec(),
        }])
        .unwrap();
    let id = up[0].id;
    s.upload(up, "k").await.unwrap();

    // Fill the log with other members' entries, interleaving the member's
    // 1,000 reads so their entries are spread across the tree.
    let start = Instant::now();
    let other = Uuid::now_v7();
    let chunk = (size / 1000).max(1);
    let mut written = 1u64;
    while written < size {
        let n = chunk.min(size - written).saturating_sub(1).max(1);
        let es: Vec<_> = (0..n)
            .map(|_| entry(Actor::Member { id: other }, Action::RecordRead, other).unwrap())
            .collect();
        srv.app
            .db()
            .write(move |conn| -> Result<_, datacoop_accesslog::LogError> { append(conn, &es) })
            .await
            .unwrap();
        written += n;
        if written < size {
            s.get(id).await.unwrap();
            written += 1;
        }
    }
    println!(
        "filled a log of {written} entries in {:.1} s",
        start.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let first = log::verify(&s, LogState::default()).await.unwrap();
    let first_s = t.elapsed().as_secs_f64();
    assert!(first.ok(), "{:?}", first.problems);
    let first_seen = first.state.seen.len();
    s.get(id).await.unwrap();
    let t = Instant::now();
    let second = log::verify(&s, first.state).await.unwrap();
    let second_s = t.elapsed().as_secs_f64();
    assert!(second.ok(), "{:?}", second.problems);
    println!(
        "| `log verify`, member with {} entries in a log of {written} | seconds |",
        second.state.seen.len()
    );
    println!("|---|---:|");
    println!("| first run (pin key, signature, {first_seen} inclusion proofs) | {first_s:.2} |");
    println!("| next run (plus consistency proof and seen-entry checks) | {second_s:.2} |");
}
