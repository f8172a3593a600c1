//! The log as a hostile server would show it: entries left out, records
//! hidden, rolled back or resurrected, keys replaced. The real server behind a
//! rewriting proxy and the real client's `log verify`, which must name each
//! (docs/accesslog.md). On SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod account_common;
mod hostile_common;

use datacoop_api::paths;
use datacoop_client::log::{self, LogState, VerifyReport};
use datacoop_testkit::{backend_tests, Backend};
use hostile_common::{hostile, member};
use reqwest::Method;
use serde_json::json;

backend_tests!(
    log_tampering_is_reported,
    omitted_entries_show_as_gaps,
    hidden_rolled_back_or_resurrected_writes_are_reported,
);

async fn omitted_entries_show_as_gaps(backend: Backend) {
    let Some((_srv, proxy)) = hostile(backend).await else {
        return;
    };
    let (s, id) = member(&proxy, "gap@example.org").await;
    for _ in 0..3 {
        s.get(id).await.unwrap();
    }
    // key_published, login, record_written, then three reads.
    assert!(log::verify(&s, LogState::default()).await.unwrap().ok());

    // A read left out in the middle, on a first check (nothing seen before).
    proxy.rewrite_json(paths::LOG_ENTRIES, |_, v| {
        v["items"].as_array_mut().unwrap().remove(4);
    });
    let r = log::verify(&s, LogState::default()).await.unwrap();
    problem_named(&r, "an entry omitted", "number 4 to 4");
    // The first entry left out: the next one says how many came before.
    proxy.rewrite_json(paths::LOG_ENTRIES, |_, v| {
        v["items"].as_array_mut().unwrap().remove(0);
    });
    let r = log::verify(&s, LogState::default()).await.unwrap();
    problem_named(
        &r,
        "the first entry omitted",
        "only 0 of yours come before it",
    );
    // Two entries swapped in the listing.
    proxy.rewrite_json(paths::LOG_ENTRIES, |_, v| {
        v["items"].as_array_mut().unwrap().swap(3, 4);
    });
    let r = log::verify(&s, LogState::default()).await.unwrap();
    problem_named(&r, "entries reordered", "reorders");
    proxy.clear();
    assert!(log::verify(&s, LogState::default()).await.unwrap().ok());
}

async fn hidden_rolled_back_or_resurrected_writes_are_reported(backend: Backend) {
    let Some((_srv, proxy)) = hostile(backend).await else {
        return;
    };
    let (s, a) = member(&proxy, "writes@example.org").await;
    // Version 2 of a; b stored and deleted; a file stored.
    let opened = s.open(a).await.unwrap();
    assert_eq!(s.reseal(&opened).await.unwrap().version, 2);
    let up = s.seal(&[account_common::draft("to be deleted")]).unwrap();
    let b = up[0].id;
    s.upload(up, "second").await.unwrap();
    let deleted = s.list(&Default::default()).await.unwrap().items;
    let b_meta = serde_json::to_value(deleted.iter().find(|m| m.id == b).unwrap()).unwrap();
    s.delete(b).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scan.pdf");
    std::fs::write(&file, b"%PDF-1.4 a scanned letter").unwrap();
    s.upload_blob(&file, "health.documents", |_| {})
        .await
        .unwrap();
    let r = log::verify(&s, LogState::default()).await.unwrap();
    assert!(r.ok(), "{:?}", r.problems);

    let a_text = a.to_string();
    proxy.rewrite_json(paths::RECORDS, move |ex, v| {
        if ex.path == paths::RECORDS {
            for m in v["items"].as_array_mut().unwrap() {
                if m["id"] == json!(a_text) {
                    m["version"] = json!(1);
                }
            }
        }
    });
    let r = log::verify(&s, LogState::default()).await.unwrap();
    problem_named(
        &r,
        "version 1 listed as current",
        "an old version is served",
    );

    proxy.rewrite_json(paths::RECORDS, |ex, v| {
        if ex.path == paths::RECORDS {
            v["items"].as_array_mut().unwrap().clear();
        }
    });
    let r = log::verify(&s, LogState::default()).await.unwrap();
    problem_named(&r, "a record withheld", "the server withholds it");

    proxy.rewrite_json(paths::RECORDS, move |ex, v| {
        if ex.path == paths::RECORDS {
            v["items"].as_array_mut().unwrap().push(b_meta.clone());
        }
    });
    let r = log::verify(&s, LogState::default()).await.unwrap();
    problem_named(&r, "a deleted record listed", "was deleted");

    proxy.rewrite_json(paths::BLOBS, |ex, v| {
        if ex.path == paths::BLOBS {
            v["items"].as_array_mut().unwrap().clear();
        }
    });
    let r = log::verify(&s, LogState::default()).await.unwrap();
    problem_named(&r, "a file withheld", "missing from your files");
    proxy.clear();
    assert!(log::verify(&s, LogState::default()).await.unwrap().ok());
}

async fn log_tampering_is_reported(backend: Backend) {
    let Some((_srv, proxy)) = hostile(backend).await else {
        return;
    };
    let (s, id) = member(&proxy, "log@example.org").await;
    s.get(id).await.unwrap();
    let honest = log::verify(&s, LogState::default()).await.unwrap();
    assert!(honest.ok(), "{:?}", honest.problems);
    assert!(honest
        .checked
        .iter()
        .any(|l| l.contains("your own public keys")));
    assert!(honest
        .checked
        .iter()
        .any(|l| l.contains("trust on first use")));

    // The listing leaves out the publication of the member's keys.
    proxy.rewrite_json(paths::LOG_ENTRIES, |_, v| {
        v["items"]
            .as_array_mut()
            .unwrap()
            .retain(|e| e["entry"]["action"] != "key_published");
    });
    let r = log::verify(&s, LogState::default()).await.unwrap();
    problem_named(&r, "key publication omitted", "publishing your public keys");

    // A log entry seen before is left out later.
    proxy.rewrite_json(paths::LOG_ENTRIES, |_, v| {
        v["items"].as_array_mut().unwrap().pop();
    });
    let r = log::verify(&s, honest.state.clone()).await.unwrap();
    problem_named(&r, "a verified entry omitted", "is missing now");

    // Another key and a checkpoint it signed, for a log under another name.
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&[7u8; 32]).unwrap();
    let public: [u8; 32] = ring::signature::KeyPair::public_key(&pair)
        .as_ref()
        .try_into()
        .unwrap();
    let evil_key = datacoop_merkle::verifier_key_string("evil.example/log", &public).unwrap();
    let real: datacoop_api::log::LogCheckpoint = s
        .client
        .request(Method::GET, paths::LOG_CHECKPOINT)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let real = honest_checkpoint(&real.checkpoint);
    let forged = datacoop_merkle::sign_checkpoint(&real, "evil.example/log", &pair).unwrap();
    let k = evil_key.clone();
    proxy.rewrite_json("/api/v1/log/", move |ex, v| {
        if ex.path == paths::LOG_KEY {
            v["verifier_key"] = json!(k);
        } else if ex.path == paths::LOG_CHECKPOINT {
            v["checkpoint"] = json!(forged);
        }
    });
    // Pinned before: the replaced key is named.
    let r = log::verify(&s, honest.state.clone()).await.unwrap();
    problem_named(&r, "a replaced log key", "the log was replaced");
    // Trusted on first use: the checkpoint names another log than its key.
    let r = log::verify(&s, LogState::default()).await.unwrap();
    problem_named(&r, "a wrong origin", "this is another log");
    proxy.clear();
    assert!(log::verify(&s, honest.state).await.unwrap().ok());
}

/// The checkpoint in a signed note, without checking the signature.
fn honest_checkpoint(note: &str) -> datacoop_merkle::Checkpoint {
    let mut lines = note.lines();
    let origin = lines.next().unwrap().to_owned();
    let size = lines.next().unwrap().parse().unwrap();
    let root = datacoop_merkle::Hash::from_base64(lines.next().unwrap()).unwrap();
    datacoop_merkle::Checkpoint { origin, size, root }
}

fn problem_named(r: &VerifyReport, scenario: &str, says: &str) {
    assert!(
        r.problems.iter().any(|p| p.contains(says)),
        "{scenario}: no problem says {says:?}: {:?}",
        r.problems
    );
    assert!(!r.ok());
}
