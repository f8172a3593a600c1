//! Randomness: the operating system's generator behind a fallible call, and a seam for tests.
//!
//! Every operation that needs randomness has a `*_with_rng` form taking any
//! `rand_core::CryptoRng`; the test-vector generator passes a deterministic one.
//! Public wrappers draw a fresh 32-byte seed from the OS (`getrandom`), failing with
//! [`Error::Randomness`] instead of panicking, and expand it with ChaCha20.

use chacha20::ChaCha20Rng;
use rand_core::SeedableRng;
use zeroize::Zeroize;

use crate::error::{Error, Result};

/// The OS-seeded generator the public wrappers use; exposed so callers can batch operations.
pub type OsSeededRng = ChaCha20Rng;

/// Returns a ChaCha20 generator seeded with 32 fresh bytes from the operating system.
pub fn os_rng() -> Result<OsSeededRng> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|_| Error::Randomness)?;
    let rng = ChaCha20Rng::from_seed(seed);
    seed.zeroize();
    Ok(rng)
}

/// Re-exported so callers of the `*_with_rng` functions name the same trait version.
pub use rand_core::CryptoRng;
