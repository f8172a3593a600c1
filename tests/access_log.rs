//! The access log end to end: every content read leaves exactly one entry;
//! the member's verifier accepts an honest log and names what is wrong when
//! rows, tree nodes or checkpoints are tampered with in the database.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_api::log::LogEntryQuery;
use datacoop_client::log::{self, LogState};
use datacoop_client::member::{self, MemberSession, RecordDraft};
use datacoop_testkit::{backend_tests, Backend, TestServer};
use diesel::RunQueryDsl;
use uuid::Uuid;

backend_tests!(
    every_content_read_is_logged_once,
    honest_log_verifies_and_grows,
    rewritten_entry_is_caught,
    deleted_entry_is_caught,
    reordered_entries_are_caught,
    changed_tree_node_is_caught,
    fork_and_rollback_are_caught,
    outsider_verifies_a_published_checkpoint,
    a_read_that_cannot_be_logged_does_not_happen,
    an_undecodable_row_is_named,
    concurrent_checkpoint_requests_agree,
);

const PASS: &str = "log test passphrase";

async fn member_with_records(
    srv: &TestServer,
    email: &str,
    n: usize,
) -> (MemberSession, Vec<Uuid>) {
    let c = srv.client();
    member::register(&c, email, PASS).await.unwrap();
    let s = member::login(&c, email, PASS, None).await.unwrap();
    let drafts: Vec<_> = (0..n)
        .map(|i| RecordDraft {
            category: "health.vital-signs".into(),
            type_code: "loinc:8867-4".into(),
            effective_at: None,
            content_type: "application/json".into(),
            content: format!("{{\"i\":{i}}}").into_bytes(),
        })
        .collect();
    let up = s.seal(&drafts).unwrap();
    let ids = up.iter().map(|u| u.id).collect();
    s.upload(up, "k").await.unwrap();
    (s, ids)
}

/// A bytes literal in the backend's SQL dialect.
fn bytes_literal(backend: Backend, bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match backend {
        Backend::Sqlite => format!("X'{hex}'"),
        Backend::Postgres => format!("'\\x{hex}'::bytea"),
    }
}

async fn sql(srv: &TestServer, statement: String) {
    srv.app
        .db()
        .write(move |conn| -> Result<usize, datacoop_store::StoreError> {
            Ok(diesel::sql_query(statement).execute(conn)?)
        })
        .await
        .unwrap();
}

async fn every_content_read_is_logged_once(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let (s, ids) = member_with_records(&srv, "reader@example.org", 3).await;
    let before = log::all_entries(&s, LogEntryQuery::default())
        .await
        .unwrap();
    // Registration published the member's keys as an entry; the login is the
    // next, then one entry per stored record, with its version.
    assert_eq!(before.len(), 5);
    let actions: Vec<_> = before
        .iter()
        .map(|v| serde_json::to_value(v.entry.as_ref().unwrap().action).unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "key_published",
            "login",
            "record_written",
            "record_written",
            "record_written"
        ]
    );
    for (v, id) in before[2..].iter().zip(&ids) {
        let e = v.entry.as_ref().unwrap();
        assert_eq!(e.record, Some(*id));
        assert_eq!(e.extra.as_deref(), Some(&1u64.to_be_bytes()[..]));
    }
    // Each entry has the member's next number and names the one before.
    let mut prev = datacoop_merkle::Hash::default();
    for (seq, v) in before.iter().enumerate() {
        let chain = v.entry.as_ref().unwrap().chain.unwrap();
        assert_eq!(chain.seq, seq as u64);
        assert_eq!(chain.prev, prev);
        prev = datacoop_merkle::leaf_hash(&v.encoded);
    }

    // Listing metadata reads no content and logs nothing.
    s.list(&Default::default()).await.unwrap();
    assert_eq!(
        log::all_entries(&s, LogEntryQuery::default())
            .await
            .unwrap()
            .len(),
        5
    );

    // GET /api/v1/records/{id} is the route that returns record content.
    for (n, id) in ids.iter().enumerate() {
        s.get(*id).await.unwrap();
        let reads = log::all_entries(
            &s,
            LogEntryQuery {
                action: Some("record_read".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(reads.len(), n + 1, "one entry per read");
        assert_eq!(reads[n].entry.as_ref().unwrap().record, Some(*id));
        assert_eq!(reads[n].entry.as_ref().unwrap().member, s.member_id);
    }
    // A failed read (unknown id) stores nothing and logs nothing.
    assert!(s.get(Uuid::now_v7()).await.is_err());
    assert_eq!(
        log::all_entries(&s, LogEntryQuery::default())
            .await
            .unwrap()
            .len(),
        8
    );

    // Another member sees none of these entries.
    let (other, other_ids) = member_with_records(&srv, "other@example.org", 1).await;
    let theirs = log::all_entries(&other, LogEntryQuery::default())
        .await
        .unwrap();
    assert!(theirs
        .iter()
        .all(|v| v.entry.as_ref().unwrap().member == other.member_id));

    // POST /api/v1/records/read returns many at once, each read logged as its own
    // entry; another member's record and an unknown id come back as missing, unlogged.
    let opened = s.open_many(&ids).await.unwrap();
    assert_eq!(opened.iter().map(|o| o.meta.id).collect::<Vec<_>>(), ids);
    assert_eq!(&opened[1].content[..], b"{\"i\":1}");
    let unknown = Uuid::now_v7();
    let read = |body: serde_json::Value| {
        s.client
            .request(reqwest::Method::POST, datacoop_api::paths::RECORDS_READ)
            .json(&body)
            .send()
    };
    let res = read(serde_json::json!({"ids": [ids[0], other_ids[0], unknown]}))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: datacoop_api::records::RecordsRead = res.json().await.unwrap();
    assert_eq!(body.records.len(), 1);
    assert_eq!(body.missing, vec![other_ids[0], unknown]);
    let reads = log::all_entries(
        &s,
        LogEntryQuery {
            action: Some("record_read".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(reads.len(), 3 + 3 + 1);
    for bad in [
        serde_json::json!({"ids": []}),
        serde_json::json!({"ids": [ids[0], ids[0]]}),
        serde_json::json!({"ids": vec![unknown; 501]}),
    ] {
        let res = read(bad).await.unwrap();
        assert_eq!(res.status(), 422);
    }
    let mine = log::all_entries(&other, LogEntryQuery::default())
        .await
        .unwrap();
    assert_eq!(
        mine.len(),
        theirs.len(),
        "nothing logged for the other member"
    );
}

async fn honest_log_verifies_and_grows(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let (s, ids) = member_with_records(&srv, "honest@example.org", 4).await;
    s.get(ids[0]).await.unwrap();
    let r = log::verify(&s, LogState::default()).await.unwrap();
    assert!(r.ok(), "{:?}", r.problems);
    assert_eq!(r.state.seen.len(), 7);
    for proven in ["unbroken chain", "exactly as your logged writes say"] {
        assert!(
            r.checked.iter().any(|l| l.contains(proven)),
            "{:?}",
            r.checked
        );
    }
    // Others' activity and more reads: the log grows, consistency holds.
    let (_, _) = member_with_records(&srv, "someone@example.org", 2).await;
    for id in &ids {
        s.get(*id).await.unwrap();
    }
    let r2 = log::verify(&s, r.state).await.unwrap();
    assert!(r2.ok(), "{:?}", r2.problems);
    assert!(
        r2.checked.iter().any(|l| l.contains("by appending only")),
        "{:?}",
        r2.checked
    );
    assert_eq!(r2.state.seen.len(), 11);
}

async fn verified(srv: &TestServer, email: &str) -> (MemberSession, LogState) {
    let (s, ids) = member_with_records(srv, email, 3).await;
    for id in &ids {
        s.get(*id).await.unwrap();
    }
    let r = log::verify(&s, LogState::default()).await.unwrap();
    assert!(r.ok(), "{:?}", r.problems);
    (s, r.state)
}

async fn rewritten_entry_is_caught(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let (s, state) = verified(&srv, "rw@example.org").await;
    // Rewrite entry 2's time (bytes 17..25 of the encoding) in place.
    let idx = *state.seen.keys().nth(2).unwrap();
    let views = log::all_entries(&s, LogEntryQuery::default())
        .await
        .unwrap();
    let mut body = views
        .iter()
        .find(|v| v.index == idx)
        .unwrap()
        .encoded
        .clone();
    body[20] ^= 0x01;
    let literal = bytes_literal(backend, &body);
    sql(
        &srv,
        format!("UPDATE log_entries SET body = {literal} WHERE idx = {idx}"),
    )
    .await;
    let r = log::verify(&s, state).await.unwrap();
    assert!(!r.ok());
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains(&format!("entry {idx}"))),
        "{:?}",
        r.problems
    );
}

async fn deleted_entry_is_caught(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let (s, state) = verified(&srv, "del@example.org").await;
    let idx = *state.seen.keys().nth(1).unwrap();
    sql(&srv, format!("DELETE FROM log_entries WHERE idx = {idx}")).await;
    let r = log::verify(&s, state).await.unwrap();
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains(&format!("entry {idx}, verified before, is missing"))),
        "{:?}",
        r.problems
    );
}

async fn reordered_entries_are_caught(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let (s, state) = verified(&srv, "swap@example.org").await;
    let keys: Vec<u64> = state.seen.keys().copied().collect();
    let (a, b) = (keys[1], keys[2]);
    // Swap the two rows' positions (through a free index).
    sql(
        &srv,
        format!("UPDATE log_entries SET idx = 999999 WHERE idx = {a}"),
    )
    .await;
    sql(
        &srv,
        format!("UPDATE log_entries SET idx = {a} WHERE idx = {b}"),
    )
    .await;
    sql(
        &srv,
        format!("UPDATE log_entries SET idx = {b} WHERE idx = 999999"),
    )
    .await;
    let r = log::verify(&s, state).await.unwrap();
    assert!(!r.ok());
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains(&format!("entry {a}")) || p.contains(&format!("entry {b}"))),
        "{:?}",
        r.problems
    );
}

async fn changed_tree_node_is_caught(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let (s, _) = member_with_records(&srv, "node@example.org", 3).await;
    let views = log::all_entries(&s, LogEntryQuery::default())
        .await
        .unwrap();
    let idx = views[0].index;
    // Overwrite the stored leaf hash of the member's first entry (a tree node):
    // the proof of that entry or of its neighbour no longer reaches the root.
    let node = datacoop_merkle::stored_hash_index(0, idx);
    let literal = bytes_literal(backend, &[0xab; 32]);
    sql(
        &srv,
        format!("UPDATE log_hashes SET hash = {literal} WHERE idx = {node}"),
    )
    .await;
    let r = log::verify(&s, LogState::default()).await.unwrap();
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("is not in the signed log")),
        "{:?}",
        r.problems
    );
}

async fn fork_and_rollback_are_caught(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let (s, state) = verified(&srv, "fork@example.org").await;
    let size: i64 = state
        .checkpoint
        .as_ref()
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();

    // Fork: same size, different root (the server re-signs a rewritten tree).
    sql(&srv, "DELETE FROM log_checkpoints".into()).await;
    // The root of the largest perfect subtree at the left is what the tree
    // hash is built from: rewriting it changes the signed root.
    let level = 63 - (size as u64).leading_zeros() as u8;
    let root_node = datacoop_merkle::stored_hash_index(level, 0);
    let literal = bytes_literal(backend, &[0xcd; 32]);
    sql(
        &srv,
        format!("UPDATE log_hashes SET hash = {literal} WHERE idx = {root_node}"),
    )
    .await;
    let r = log::verify(&s, state.clone()).await.unwrap();
    assert!(
        r.problems.iter().any(|p| p.contains("fork")),
        "{:?}",
        r.problems
    );

    // Rollback: the server presents a smaller tree than last seen.
    sql(&srv, "DELETE FROM log_checkpoints".into()).await;
    sql(&srv, format!("UPDATE log_head SET size = {}", size - 1)).await;
    let r = log::verify(&s, state).await.unwrap();
    assert!(
        r.problems.iter().any(|p| p.contains("shrank")),
        "{:?}",
        r.problems
    );
}

async fn outsider_verifies_a_published_checkpoint(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let (s, ids) = member_with_records(&srv, "pub@example.org", 2).await;
    let c = srv.client();
    let key = log::log_key(&c).await.unwrap().verifier_key;
    let published = log::checkpoint(&c).await.unwrap();
    s.get(ids[0]).await.unwrap();
    let r = log::verify_published(&c, &published, &key).await.unwrap();
    assert!(r.ok(), "{:?}", r.problems);
    // A checkpoint signed by someone else is refused.
    let forged = published.replace("\n\n", "\n\n— evil.example/log AAAAAAAA\n");
    let r = log::verify_published(
        &c,
        &forged.replace(&format!("— {}", key.split('+').next().unwrap()), "— x"),
        &key,
    )
    .await
    .unwrap();
    assert!(!r.ok());
}

async fn a_read_that_cannot_be_logged_does_not_happen(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let (s, ids) = member_with_records(&srv, "nolog@example.org", 1).await;
    s.get(ids[0]).await.unwrap();
    // Break the log's storage: the next append fails.
    sql(&srv, "DROP TABLE log_entries".into()).await;
    let err = s.get(ids[0]).await.unwrap_err();
    let status = err.status().unwrap_or(0);
    assert!(status >= 500, "the read must fail, got {err}");
    // The record itself is intact (metadata still lists it).
    assert_eq!(s.list(&Default::default()).await.unwrap().items.len(), 1);
}

async fn an_undecodable_row_is_named(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let (s, state) = verified(&srv, "garbage@example.org").await;
    let idx = *state.seen.keys().nth(1).unwrap();
    let literal = bytes_literal(backend, b"not an entry");
    sql(
        &srv,
        format!("UPDATE log_entries SET body = {literal} WHERE idx = {idx}"),
    )
    .await;
    let r = log::verify(&s, state).await.unwrap();
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains(&format!("entry {idx} does not decode"))),
        "{:?}",
        r.problems
    );
}

/// Many clients asking for the checkpoint of a size nobody signed yet: each gets
/// the one signed note (PostgreSQL once answered some of them with a 500).
async fn concurrent_checkpoint_requests_agree(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let (s, ids) = member_with_records(&srv, "busy@example.org", 1).await;
    for _ in 0..3 {
        s.get(ids[0]).await.unwrap();
        let asks = (0..16).map(|_| log::checkpoint(&s.client));
        let notes = futures_util::future::join_all(asks).await;
        let first = notes[0].as_ref().unwrap().clone();
        for n in &notes {
            assert_eq!(n.as_ref().unwrap(), &first);
        }
    }
}
