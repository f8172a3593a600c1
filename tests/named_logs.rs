//! Named logs: a second log lives beside the access log on the same
//! machinery and is verified independently of it; the migration that made
//! logs named keeps every checkpoint signed before it verifiable.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_accesslog::{append, entry, Action, Actor};
use datacoop_merkle::{
    leaf_hash, parse_and_verify_checkpoint, tree_hash, verify_consistency, verify_inclusion,
    MemoryHashStore,
};
use datacoop_store::diesel::connection::SimpleConnection;
use datacoop_store::{migrate, DatabaseUrl, Db, DbConn, DbOptions};
use datacoop_testkit::{backend_tests, Backend, TestDb};
use datacoop_tlog::{self as tlog, LogError, LogId, LogSigner};
use std::sync::Arc;
use uuid::Uuid;

const MINUTES: LogId = LogId::new(9, "minutes");

async fn open(tdb: &TestDb) -> Db {
    let url = DatabaseUrl::parse(&tdb.url).unwrap();
    tokio::task::spawn_blocking(move || {
        let db = Db::connect(&url, &DbOptions::default()).unwrap();
        db.migrate().unwrap();
        db
    })
    .await
    .unwrap()
}

async fn access_entries(db: &Db, n: usize) {
    let member = Uuid::now_v7();
    let es: Vec<_> = (0..n)
        .map(|_| entry(Actor::Member { id: member }, Action::RecordRead, member).unwrap())
        .collect();
    db.write(move |c| -> Result<_, LogError> { append(c, &es) })
        .await
        .unwrap();
}

fn signer(dir: &tempfile::TempDir, name: &str) -> Arc<LogSigner> {
    let origin = format!("coop.example/{name}");
    Arc::new(LogSigner::load_or_create(&dir.path().join(name), &origin).unwrap())
}

backend_tests!(
    a_second_log_is_verified_independently_of_the_access_log,
    checkpoints_signed_before_the_migration_still_verify
);

async fn a_second_log_is_verified_independently_of_the_access_log(backend: Backend) {
    let Some(tdb) = TestDb::create(backend) else {
        return;
    };
    let db = open(&tdb).await;
    let keys = tempfile::tempdir().unwrap();
    let (access_signer, minutes_signer) = (signer(&keys, "access"), signer(&keys, "minutes"));

    access_entries(&db, 5).await;
    let access_before = tlog::latest_checkpoint(&db, LogId::ACCESS, access_signer.clone())
        .await
        .unwrap();
    let access_before =
        parse_and_verify_checkpoint(&access_before, access_signer.verifier_key()).unwrap();
    db.write(|c| -> Result<_, LogError> { tlog::ensure(c, MINUTES) })
        .await
        .unwrap();
    // Idempotent; the number cannot be taken under another name.
    db.write(|c| -> Result<_, LogError> { tlog::ensure(c, MINUTES) })
        .await
        .unwrap();
    let taken = db
        .write(|c| -> Result<_, LogError> { tlog::ensure(c, LogId::new(9, "other")) })
        .await;
    assert!(matches!(taken, Err(LogError::Invalid(_))), "{taken:?}");

    let bodies: Vec<String> = (0..3).map(|i| format!("resolution {i}")).collect();
    let leaves: Vec<_> = bodies.iter().map(|b| leaf_hash(b.as_bytes())).collect();
    let appended = leaves.clone();
    let first = db
        .write(move |c| -> Result<_, LogError> { tlog::append_leaves(c, MINUTES, &appended) })
        .await
        .unwrap();
    assert_eq!(first, 0, "a new log starts at leaf 0");
    access_entries(&db, 2).await;

    let mut memory = MemoryHashStore::new();
    for b in &bodies {
        memory.append(b.as_bytes()).unwrap();
    }
    let expected_root = tree_hash(3, &memory).unwrap();

    let signed = tlog::latest_checkpoint(&db, MINUTES, minutes_signer.clone())
        .await
        .unwrap();
    let cp = parse_and_verify_checkpoint(&signed, minutes_signer.verifier_key()).unwrap();
    assert_eq!((cp.origin.as_str(), cp.size), ("coop.example/minutes", 3));
    assert_eq!(cp.root, expected_root);
    assert!(
        parse_and_verify_checkpoint(&signed, access_signer.verifier_key()).is_err(),
        "the access log's key must not verify another log's checkpoint"
    );

    let proofs = tlog::inclusion_proofs(&db, MINUTES, 3, vec![0, 1, 2])
        .await
        .unwrap();
    for (i, leaf) in leaves.iter().enumerate() {
        assert_eq!(&proofs.leaf_hashes[i], leaf);
        verify_inclusion(leaf, i as u64, 3, &proofs.proofs[i], &cp.root).unwrap();
    }

    // The access log grew to 7 and knows nothing of the minutes.
    let access = tlog::latest_checkpoint(&db, LogId::ACCESS, access_signer.clone())
        .await
        .unwrap();
    let access = parse_and_verify_checkpoint(&access, access_signer.verifier_key()).unwrap();
    assert_eq!(access.size, 7);
    let p = tlog::consistency_proof(&db, LogId::ACCESS, 5, 7)
        .await
        .unwrap();
    verify_consistency(5, 7, &access_before.root, &access.root, &p.proof).unwrap();
    drop(tdb);
}

/// Goes back to the schema before named logs (reverting its migration
/// keeps log 1 in the old layout), then forward again.
async fn down_and_up(tdb: &TestDb) {
    let url = DatabaseUrl::parse(&tdb.url).unwrap();
    tokio::task::spawn_blocking(move || {
        let mut conn = DbConn::open(&url).unwrap();
        if let DbConn::Sqlite(c) = &mut conn {
            // The previous pools' connections may still be closing.
            c.batch_execute("PRAGMA busy_timeout = 5000").unwrap();
        }
        // Revert down to and including named_logs (later migrations first).
        let mut reverted = 0;
        loop {
            let name = migrate::revert_last(&mut conn).unwrap();
            reverted += 1;
            if name.ends_with("000006") {
                break;
            }
            assert!(reverted < 100, "named_logs was never reverted");
        }
        assert_eq!(migrate::run_pending(&mut conn).unwrap().len(), reverted);
    })
    .await
    .unwrap();
}

async fn checkpoints_signed_before_the_migration_still_verify(backend: Backend) {
    let Some(tdb) = TestDb::create(backend) else {
        return;
    };
    let keys = tempfile::tempdir().unwrap();
    let access_signer = signer(&keys, "access");
    let db = open(&tdb).await;
    access_entries(&db, 9).await;
    let before = tlog::latest_checkpoint(&db, LogId::ACCESS, access_signer.clone())
        .await
        .unwrap();
    let before = parse_and_verify_checkpoint(&before, access_signer.verifier_key()).unwrap();
    drop(db);

    down_and_up(&tdb).await;

    let db = open(&tdb).await;
    access_entries(&db, 4).await;
    let after = tlog::latest_checkpoint(&db, LogId::ACCESS, access_signer.clone())
        .await
        .unwrap();
    let after = parse_and_verify_checkpoint(&after, access_signer.verifier_key()).unwrap();
    assert_eq!(after.size, 13);
    let p = tlog::consistency_proof(&db, LogId::ACCESS, before.size, after.size)
        .await
        .unwrap();
    verify_consistency(before.size, after.size, &before.root, &after.root, &p.proof).unwrap();
    // The checkpoint signed before is still served for its size's proofs.
    let proofs = tlog::inclusion_proofs(&db, LogId::ACCESS, before.size, vec![0, 8])
        .await
        .unwrap();
    verify_inclusion(
        &proofs.leaf_hashes[1],
        8,
        before.size,
        &proofs.proofs[1],
        &before.root,
    )
    .unwrap();
    drop(tdb);
}
