//! Shared test helpers: a documented deterministic generator, hex/base64 helpers, and an
//! independent encoder of the version-1 formats (`legacy`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
#![allow(dead_code)]

pub mod legacy;

use std::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};
use ring::digest;

/// Deterministic "randomness" for test vectors, reproducible by any implementation:
/// the stream is `SHA-256("datacoop test rng" ‖ u32be(len(label)) ‖ label ‖ u64be(i))` for
/// i = 0, 1, … concatenated. Every byte drawn is recorded, in order.
pub struct FixedRng {
    label: Vec<u8>,
    block: [u8; 32],
    used: usize,
    counter: u64,
    pub drawn: Vec<u8>,
}

impl FixedRng {
    pub fn new(label: &str) -> Self {
        FixedRng {
            label: label.as_bytes().to_vec(),
            block: [0; 32],
            used: 32,
            counter: 0,
            drawn: Vec::new(),
        }
    }

    fn next_byte(&mut self) -> u8 {
        if self.used == 32 {
            let mut ctx = digest::Context::new(&digest::SHA256);
            ctx.update(b"datacoop test rng");
            ctx.update(&(self.label.len() as u32).to_be_bytes());
            ctx.update(&self.label);
            ctx.update(&self.counter.to_be_bytes());
            self.block.copy_from_slice(ctx.finish().as_ref());
            self.counter += 1;
            self.used = 0;
        }
        let b = self.block[self.used];
        self.used += 1;
        b
    }

    /// The bytes drawn so far, as hex.
    pub fn drawn_hex(&self) -> String {
        hex(&self.drawn)
    }
}

impl TryRng for FixedRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for d in dst.iter_mut() {
            *d = self.next_byte();
        }
        self.drawn.extend_from_slice(dst);
        Ok(())
    }
}

impl TryCryptoRng for FixedRng {}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

pub fn b64(bytes: &[u8]) -> String {
    datacoop_crypto::envelope::to_base64url(bytes)
}

pub fn unb64(s: &str) -> Vec<u8> {
    datacoop_crypto::envelope::from_base64url(s).expect("base64url")
}

/// Plaintext pattern used by stream vectors: byte i is `i mod 251`.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Replays recorded bytes as "randomness" (to rebuild a key from a vector); panics when exhausted.
pub struct ReplayRng(pub Vec<u8>, pub usize);

impl ReplayRng {
    pub fn new(bytes: Vec<u8>) -> Self {
        ReplayRng(bytes, 0)
    }
}

impl TryRng for ReplayRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let end = self.1 + dst.len();
        dst.copy_from_slice(&self.0[self.1..end]);
        self.1 = end;
        Ok(())
    }
}

impl TryCryptoRng for ReplayRng {}
