//! Blob-stream figures: generator and sink, child processes, peak RSS.

use std::hint::black_box;
use std::io::{self, Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};

use datacoop_crypto::rng::OsSeededRng;
use datacoop_crypto::*;
use ring::aead as ring_aead;
use uuid::Uuid;

use super::STREAM_BYTES;

/// A reader producing `remaining` bytes of a fixed pattern (never holding the whole stream).
pub struct Generator {
    pattern: Vec<u8>,
    offset: usize,
    remaining: u64,
}

impl Read for Generator {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = (out.len() as u64).min(self.remaining) as usize;
        let n = n.min(self.pattern.len() - self.offset);
        out[..n].copy_from_slice(&self.pattern[self.offset..self.offset + n]);
        self.offset = (self.offset + n) % self.pattern.len();
        self.remaining -= n as u64;
        Ok(n)
    }
}

pub fn generator() -> Generator {
    Generator {
        pattern: (0..65_521u32).map(|i| (i % 251) as u8).collect(),
        offset: 0,
        remaining: STREAM_BYTES,
    }
}

/// A writer that discards bytes and counts them.
pub struct Sink(pub u64);

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reader wrapper that accumulates time spent in the inner reader.
struct Timed<R> {
    inner: R,
    spent: Duration,
}

impl<R: Read> Read for Timed<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let t = Instant::now();
        let r = self.inner.read(out);
        self.spent += t.elapsed();
        r
    }
}

/// Copies with a 64 KiB buffer (as a client streaming a file would), returns bytes copied.
pub fn copy64(r: &mut impl Read, w: &mut impl Write) -> u64 {
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0;
    loop {
        let n = r.read(&mut buf).unwrap();
        if n == 0 {
            return total;
        }
        w.write_all(&buf[..n]).unwrap();
        total += n as u64;
    }
}

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

pub fn stream_key() -> (RecordKey, BlobBinding) {
    let key = RecordKey::generate_with_rng(
        &mut rand_core::SeedableRng::from_seed([1u8; 32]) as &mut OsSeededRng
    );
    (
        key,
        BlobBinding {
            member_id: Uuid::from_u128(1),
            blob_id: Uuid::from_u128(2),
        },
    )
}

/// Raw ring ChaCha20-Poly1305 over `STREAM_BYTES` in 64 KiB in-place seals (no I/O, no copies).
fn raw_seal_stream_secs() -> f64 {
    let r = ring_aead::LessSafeKey::new(
        ring_aead::UnboundKey::new(&ring_aead::CHACHA20_POLY1305, &[7u8; 32]).unwrap(),
    );
    let mut buf = vec![1u8; 64 * 1024];
    let start = Instant::now();
    for i in 0..STREAM_BYTES / (64 * 1024) {
        let mut n = [0u8; 12];
        n[4..].copy_from_slice(&i.to_be_bytes());
        let _ = black_box(
            r.seal_in_place_separate_tag(
                ring_aead::Nonce::assume_unique_for_key(n),
                ring_aead::Aad::empty(),
                &mut buf,
            )
            .unwrap(),
        );
    }
    start.elapsed().as_secs_f64()
}

/// Raw ring ChaCha20-Poly1305 fed by the same file reads as the decrypting stream: reads the
/// sealed file in 64 KiB + 16 chunks and seals each in place (open costs the same as seal in
/// ring, but needs the stream's payload key).
fn raw_seal_file_secs(path: &str) -> f64 {
    let r = ring_aead::LessSafeKey::new(
        ring_aead::UnboundKey::new(&ring_aead::CHACHA20_POLY1305, &[7u8; 32]).unwrap(),
    );
    let mut file = std::fs::File::open(path).unwrap();
    let mut buf = vec![0u8; 64 * 1024 + 16];
    let start = Instant::now();
    let mut i = 0u64;
    loop {
        let mut filled = 0;
        while filled < buf.len() {
            let n = file.read(&mut buf[filled..]).unwrap();
            if n == 0 {
                break;
            }
            filled += n;
        }
        if filled == 0 {
            break;
        }
        let mut n = [0u8; 12];
        n[4..].copy_from_slice(&i.to_be_bytes());
        let _ = black_box(
            r.seal_in_place_separate_tag(
                ring_aead::Nonce::assume_unique_for_key(n),
                ring_aead::Aad::empty(),
                &mut buf[..filled.saturating_sub(16)],
            )
            .unwrap(),
        );
        i += 1;
    }
    start.elapsed().as_secs_f64()
}

/// Child process: three rounds alternating the raw primitive and the stream over 256 MiB;
/// prints `best_stream_secs read_secs_of_that_run best_raw_secs vmhwm_kib start_hwm_kib`.
pub fn child(mode: &str, path: Option<&str>) {
    let (key, bind) = stream_key();
    let hwm_before = vm_hwm_kib();
    let mut best = (f64::MAX, 0.0);
    let mut best_raw = f64::MAX;
    for _ in 0..3 {
        best_raw = best_raw.min(if mode.starts_with("decrypt") {
            raw_seal_file_secs(path.unwrap())
        } else {
            raw_seal_stream_secs()
        });
        let run = match mode {
            "encrypt" => {
                let mut gen = generator();
                let start = Instant::now();
                let mut enc = StreamEncryptor::new(Sink(0), &key, &bind).unwrap();
                let n = copy64(&mut gen, &mut enc);
                black_box(enc.finish().unwrap());
                assert_eq!(n, STREAM_BYTES);
                (start.elapsed().as_secs_f64(), 0.0)
            }
            "decrypt" => {
                let file = std::fs::File::open(path.unwrap()).unwrap();
                let mut src = Timed {
                    inner: file,
                    spent: Duration::ZERO,
                };
                let start = Instant::now();
                let mut dec = StreamDecryptor::new(&mut src, &key, &bind).unwrap();
                let n = copy64(&mut dec, &mut Sink(0));
                assert_eq!(n, STREAM_BYTES);
                (start.elapsed().as_secs_f64(), src.spent.as_secs_f64())
            }
            "encrypt_stream" => {
                let mut gen = generator();
                let start = Instant::now();
                let (n, sink) = encrypt_stream(&mut gen, Sink(0), &key, &bind).unwrap();
                black_box(sink);
                assert_eq!(n, STREAM_BYTES);
                (start.elapsed().as_secs_f64(), 0.0)
            }
            "decrypt_stream" => {
                let file = std::fs::File::open(path.unwrap()).unwrap();
                let mut src = Timed {
                    inner: file,
                    spent: Duration::ZERO,
                };
                let start = Instant::now();
                let n = decrypt_stream(&mut src, &mut Sink(0), &key, &bind).unwrap();
                assert_eq!(n, STREAM_BYTES);
                (start.elapsed().as_secs_f64(), src.spent.as_secs_f64())
            }
            _ => panic!("unknown child mode"),
        };
        if run.0 < best.0 {
            best = run;
        }
    }
    println!(
        "{} {} {best_raw} {} {hwm_before}",
        best.0,
        best.1,
        vm_hwm_kib()
    );
}

pub fn run_child(mode: &str, path: &str) -> (f64, f64, f64, u64, u64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--child", mode, path])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let f: Vec<&str> = text.split_whitespace().collect();
    (
        f[0].parse().unwrap(),
        f[1].parse().unwrap(),
        f[2].parse().unwrap(),
        f[3].parse().unwrap(),
        f[4].parse().unwrap(),
    )
}
