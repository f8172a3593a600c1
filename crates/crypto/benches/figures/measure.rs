//! Timing helpers and raw AEAD throughput.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, XChaCha20Poly1305};
use ring::aead as ring_aead;

const ROUND: Duration = Duration::from_millis(150);
const ROUNDS: usize = 5;

/// Runs `f` in 5 rounds of at least 150 ms; returns the best round's operations per second
/// (the machine is shared, so the best round is the closest to what one core can do).
pub fn rate(mut f: impl FnMut()) -> f64 {
    for _ in 0..3 {
        f();
    }
    let mut best = 0f64;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < ROUND {
            for _ in 0..16 {
                f();
            }
            n += 16;
        }
        best = best.max(n as f64 / start.elapsed().as_secs_f64());
    }
    best
}

pub fn mbps(ops_per_sec: f64, bytes: usize) -> f64 {
    ops_per_sec * bytes as f64 / 1e6
}

/// Raw AEAD throughput, in place, MB/s: (XChaCha RustCrypto, ChaCha RustCrypto, ChaCha ring seal, ChaCha ring open).
pub fn raw_aead(size: usize) -> [f64; 4] {
    let key = [7u8; 32];
    let mut buf = vec![1u8; size];
    let x = XChaCha20Poly1305::new_from_slice(&key).unwrap();
    let xn = [3u8; 24].into();
    let xc = rate(|| {
        black_box(
            x.encrypt_inout_detached(&xn, b"", buf.as_mut_slice().into())
                .unwrap(),
        );
    });
    let c = ChaCha20Poly1305::new_from_slice(&key).unwrap();
    let cn = [3u8; 12].into();
    let cc = rate(|| {
        black_box(
            c.encrypt_inout_detached(&cn, b"", buf.as_mut_slice().into())
                .unwrap(),
        );
    });
    let r = ring_aead::LessSafeKey::new(
        ring_aead::UnboundKey::new(&ring_aead::CHACHA20_POLY1305, &key).unwrap(),
    );
    let rs = rate(|| {
        let n = ring_aead::Nonce::assume_unique_for_key([3u8; 12]);
        let _ = black_box(
            r.seal_in_place_separate_tag(n, ring_aead::Aad::empty(), &mut buf)
                .unwrap(),
        );
    });
    let mut sealed = vec![1u8; size];
    let n = ring_aead::Nonce::assume_unique_for_key([3u8; 12]);
    let tag = r
        .seal_in_place_separate_tag(n, ring_aead::Aad::empty(), &mut sealed)
        .unwrap();
    sealed.extend_from_slice(tag.as_ref());
    let mut work = sealed.clone();
    let with_copy = rate(|| {
        work.copy_from_slice(&sealed);
        let n = ring_aead::Nonce::assume_unique_for_key([3u8; 12]);
        black_box(
            r.open_in_place(n, ring_aead::Aad::empty(), &mut work)
                .unwrap(),
        );
    });
    // Open is destructive, so each iteration first restores the ciphertext (one memcpy).
    let ro = with_copy;
    [
        mbps(xc, size),
        mbps(cc, size),
        mbps(rs, size),
        mbps(ro, size),
    ]
}
