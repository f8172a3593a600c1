//! Prints the access log's figures on SQLite (issue 5): sustained appends in
//! transactions of several sizes and durabilities, then proof generation from
//! the database at 1,000,000 entries.
//!
//! Run: `cargo bench -p datacoop-accesslog --bench log_figures`
//! (`LOG_BENCH_SIZE=100000` for a quicker run).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_accesslog::{append, consistency_proof, entry, inclusion_proofs, Action, Actor};
use datacoop_store::{DatabaseUrl, Db, DbOptions, SqliteSync};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn db(dir: &std::path::Path, sync: SqliteSync) -> Db {
    let url = DatabaseUrl::parse(&format!("sqlite://{}", dir.join("log.db").display())).unwrap();
    let db = Db::connect(
        &url,
        &DbOptions {
            sqlite_sync: sync,
            ..DbOptions::default()
        },
    )
    .unwrap();
    db.migrate().unwrap();
    datacoop_accesslog::install(&db);
    db
}

fn entries(n: usize, member: Uuid) -> Vec<datacoop_accesslog::AccessEntry> {
    (0..n)
        .map(|_| {
            let mut e = entry(Actor::Member { id: member }, Action::RecordRead, member).unwrap();
            e.record = Some(Uuid::now_v7());
            e
        })
        .collect()
}

async fn append_rate(db: &Db, batch: usize, total: usize) -> f64 {
    let member = Uuid::now_v7();
    let start = Instant::now();
    let mut done = 0;
    while done < total {
        let es = entries(batch, member);
        db.write(move |conn| -> Result<_, datacoop_accesslog::LogError> { append(conn, &es) })
            .await
            .unwrap();
        done += batch;
    }
    done as f64 / start.elapsed().as_secs_f64()
}

async fn grouped_rate(db: &Db, clients: usize, total: usize) -> f64 {
    let member = Uuid::now_v7();
    let per = total / clients;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..per {
                let es = entries(1, member);
                // Exactly what a logged read does (`records::get`): the access
                // runs in its savepoint and hands its entry to the group, whose
                // finisher appends all the group's entries in one call.
                db.read_grouped_then(move |_conn| -> Result<_, datacoop_accesslog::LogError> {
                    Ok(((), es))
                })
                .await
                .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (per * clients) as f64 / start.elapsed().as_secs_f64()
}

fn median_us(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let med = v[v.len() / 2].as_secs_f64() * 1e6;
    let p99 = v[(v.len() * 99 / 100).min(v.len() - 1)].as_secs_f64() * 1e6;
    (med, p99)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let size: usize = std::env::var("LOG_BENCH_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    println!("access log on SQLite (WAL), release build, one writer connection\n");
    println!("| appends: entries per transaction | synchronous | entries/s |");
    println!("|---:|---|---:|");
    for (sync, name) in [(SqliteSync::Full, "FULL"), (SqliteSync::Normal, "NORMAL")] {
        for batch in [1usize, 16, 256] {
            let dir = tempfile::tempdir().unwrap();
            let db = db(dir.path(), sync);
            let total = if batch == 1 { 5_000 } else { 50_000 };
            let rate = append_rate(&db, batch, total).await;
            println!("| {batch} | {name} | {rate:.0} |");
        }
    }
    println!("\nAs the server does it: one entry per access, each access run in the group's");
    println!(
        "transaction (a logged read, `Db::read_grouped_then`), the entries of
concurrent accesses appended together at the end of the group.\n"
    );
    println!("| concurrent accessors | synchronous | entries/s |");
    println!("|---:|---|---:|");
    for (sync, name) in [(SqliteSync::Full, "FULL"), (SqliteSync::Normal, "NORMAL")] {
        for clients in [16usize, 64] {
            let dir = tempfile::tempdir().unwrap();
            let db = db(dir.path(), sync);
            let rate = grouped_rate(&db, clients, 40_000).await;
            println!("| {clients} | {name} | {rate:.0} |");
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let db = db(dir.path(), SqliteSync::Normal);
    let start = Instant::now();
    let fill = append_rate(&db, 10_000, size).await;
    println!(
        "\nbuilt a log of {size} entries in {:.1} s ({fill:.0} entries/s, batches of 10,000)",
        start.elapsed().as_secs_f64()
    );
    let n = size as u64;
    let mut incl = Vec::new();
    let mut cons = Vec::new();
    for k in 0..1000u64 {
        let index = (k * 7919 * 104_729) % n;
        let t = Instant::now();
        inclusion_proofs(&db, n, vec![index]).await.unwrap();
        incl.push(t.elapsed());
        let old = 1 + (k * 15_485_863) % (n - 1);
        let t = Instant::now();
        consistency_proof(&db, old, n).await.unwrap();
        cons.push(t.elapsed());
    }
    let (im, ip) = median_us(incl);
    let (cm, cp) = median_us(cons);
    println!("\n| at {size} entries (from the database, incl. the blocking-pool hop) | median µs | p99 µs |");
    println!("|---|---:|---:|");
    println!("| inclusion proof | {im:.0} | {ip:.0} |");
    println!("| consistency proof | {cm:.0} | {cp:.0} |");
    let t = Instant::now();
    let batch: Vec<u64> = (0..1000u64).map(|k| (k * 999_983) % n).collect();
    inclusion_proofs(&db, n, batch).await.unwrap();
    println!(
        "| 1,000 inclusion proofs in one request (what `datacoop log verify` asks) | {:.0} ms total | |",
        t.elapsed().as_secs_f64() * 1e3
    );
}
