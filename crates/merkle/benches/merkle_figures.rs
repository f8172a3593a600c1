//! Prints the Merkle-tree figures of issue 5 (markdown), and writes them to `$BENCH_OUT`
//! when set. Run: `cargo bench --bench merkle_figures` (release profile).
//!
//! In-memory hash store, so these are the hashing and proof-assembly costs alone; the
//! server adds its database reads (one query per proof, the hash counts shown here).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use datacoop_merkle::*;

const SIZE: u64 = 1_000_000;
const SAMPLES: usize = 2_000;

struct Report(String);

impl Report {
    fn line(&mut self, s: impl AsRef<str>) {
        println!("{}", s.as_ref());
        self.0.push_str(s.as_ref());
        self.0.push('\n');
    }
}

/// Small deterministic generator so runs are comparable.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Leaf data the size of an encoded access-log entry with record, study and
/// consent (128 bytes), distinct per leaf.
fn entry(i: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    while out.len() < 128 {
        out.extend_from_slice(&i.to_be_bytes());
        out.extend_from_slice(&(i % 251).to_le_bytes());
    }
    out.truncate(128);
    out
}

fn median_us(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let median = times[times.len() / 2].as_secs_f64() * 1e6;
    let p99 = times[times.len() * 99 / 100].as_secs_f64() * 1e6;
    (median, p99)
}

fn main() {
    let mut r = Report(String::new());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    r.line(format!(
        "Machine: {cpu}; one thread; release profile; in-memory hash store."
    ));
    r.line("");

    // Entries: encode + leaf hash.
    let start = Instant::now();
    let leaves: Vec<Hash> = (0..SIZE).map(|i| leaf_hash(&entry(i))).collect();
    let encode_rate = SIZE as f64 / start.elapsed().as_secs_f64();
    let entry_len = entry(0).len();

    // Appends one at a time (each reads its ≤ log n left siblings from the store).
    let mut store = MemoryHashStore::new();
    let start = Instant::now();
    for leaf in &leaves {
        store.append_leaf_hash(*leaf).unwrap();
    }
    let append_rate = SIZE as f64 / start.elapsed().as_secs_f64();
    let stored = store.stored().len();

    // Appends in batches of 1,000 (one read per batch), as the server does per transaction.
    let mut batched = MemoryHashStore::new();
    let start = Instant::now();
    for chunk in leaves.chunks(1000) {
        batched.append_batch(chunk).unwrap();
    }
    let batch_rate = SIZE as f64 / start.elapsed().as_secs_f64();
    assert_eq!(batched.stored(), store.stored());

    let start = Instant::now();
    let root = tree_hash(SIZE, &store).unwrap();
    let root_us = start.elapsed().as_secs_f64() * 1e6;

    r.line(format!("## Merkle log at {SIZE} entries"));
    r.line("");
    r.line("| figure | value |");
    r.line("| --- | --- |");
    r.line(format!(
        "| entry encode + leaf hash ({entry_len}-byte entries) | {:.0} entries/s |",
        encode_rate
    ));
    r.line(format!(
        "| append, one leaf at a time (hashes only) | {:.0} entries/s |",
        append_rate
    ));
    r.line(format!(
        "| append, batches of 1,000 (hashes only) | {:.0} entries/s |",
        batch_rate
    ));
    r.line(format!(
        "| stored hashes for {SIZE} leaves | {stored} ({:.2} per leaf) |",
        stored as f64 / SIZE as f64
    ));
    r.line(format!("| tree_hash({SIZE}) | {root_us:.1} µs |"));

    // Inclusion proofs at SIZE for random leaves.
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut gen_times = Vec::with_capacity(SAMPLES);
    let mut ver_times = Vec::with_capacity(SAMPLES);
    let (mut reads, mut max_reads, mut max_len) = (0u64, 0u64, 0usize);
    for _ in 0..SAMPLES {
        let index = rng.below(SIZE);
        store.reset_read_counts();
        let t = Instant::now();
        let proof = black_box(prove_inclusion(SIZE, index, &store).unwrap());
        gen_times.push(t.elapsed());
        reads += store.hashes_read();
        max_reads = max_reads.max(store.hashes_read());
        max_len = max_len.max(proof.len());
        let leaf = leaves[index as usize];
        let t = Instant::now();
        verify_inclusion(&leaf, index, SIZE, black_box(&proof), &root).unwrap();
        ver_times.push(t.elapsed());
    }
    let (gen_med, gen_p99) = median_us(gen_times);
    let (ver_med, ver_p99) = median_us(ver_times);
    r.line(format!(
        "| inclusion proof generation (median / p99) | {gen_med:.1} µs / {gen_p99:.1} µs |"
    ));
    r.line(format!(
        "| inclusion proof verification (median / p99) | {ver_med:.1} µs / {ver_p99:.1} µs |"
    ));
    r.line(format!(
        "| inclusion proof: hashes read (mean / max), proof length (max) | {:.1} / {max_reads}, {max_len} |",
        reads as f64 / SAMPLES as f64
    ));

    // Consistency proofs from random old sizes to SIZE.
    let mut gen_times = Vec::with_capacity(SAMPLES);
    let mut ver_times = Vec::with_capacity(SAMPLES);
    let (mut reads, mut max_reads, mut max_len) = (0u64, 0u64, 0usize);
    let old_sizes: Vec<u64> = (0..SAMPLES).map(|_| 1 + rng.below(SIZE - 1)).collect();
    let old_roots: Vec<Hash> = old_sizes
        .iter()
        .map(|&s| tree_hash(s, &store).unwrap())
        .collect();
    for (old, old_root) in old_sizes.iter().zip(&old_roots) {
        store.reset_read_counts();
        let t = Instant::now();
        let proof = black_box(prove_consistency(*old, SIZE, &store).unwrap());
        gen_times.push(t.elapsed());
        reads += store.hashes_read();
        max_reads = max_reads.max(store.hashes_read());
        max_len = max_len.max(proof.len());
        let t = Instant::now();
        verify_consistency(*old, SIZE, old_root, &root, black_box(&proof)).unwrap();
        ver_times.push(t.elapsed());
    }
    let (gen_med, gen_p99) = median_us(gen_times);
    let (ver_med, ver_p99) = median_us(ver_times);
    r.line(format!(
        "| consistency proof generation (median / p99) | {gen_med:.1} µs / {gen_p99:.1} µs |"
    ));
    r.line(format!(
        "| consistency proof verification (median / p99) | {ver_med:.1} µs / {ver_p99:.1} µs |"
    ));
    r.line(format!(
        "| consistency proof: hashes read (mean / max), proof length (max) | {:.1} / {max_reads}, {max_len} |",
        reads as f64 / SAMPLES as f64
    ));

    // A member's `log verify`: 1,000 inclusion proofs plus one consistency proof, client side.
    let mine: Vec<u64> = (0..1000).map(|_| rng.below(SIZE)).collect();
    let proofs: Vec<Vec<Hash>> = mine
        .iter()
        .map(|&i| prove_inclusion(SIZE, i, &store).unwrap())
        .collect();
    let t = Instant::now();
    for (i, proof) in mine.iter().zip(&proofs) {
        verify_inclusion(&leaves[*i as usize], *i, SIZE, proof, &root).unwrap();
    }
    let member_ms = t.elapsed().as_secs_f64() * 1e3;
    r.line(format!(
        "| verifying 1,000 inclusion proofs at {SIZE} (client CPU only) | {member_ms:.2} ms |"
    ));

    if let Ok(path) = std::env::var("BENCH_OUT") {
        std::fs::write(&path, &r.0).expect("write BENCH_OUT");
        println!("\n(written to {path})");
    }
}
