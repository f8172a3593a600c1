//! Blob encryption in the manner of age's STREAM: constant memory for any size.
//!
//! Stream = header (99 bytes) ‖ chunk₀ ‖ … ‖ chunkₙ.
//!
//! Header: `0xDC 0x50 0x01 ‖ member_id (16) ‖ blob_id (16) ‖ nonce (32, random) ‖ commitment (32)`.
//! With `prefix` = the first 67 header bytes and `prk = HKDF-Extract(salt = nonce, ikm = DEK)`:
//! `commitment = HKDF-Expand(prk, C("datacoop/v1/stream-header", prefix), 32)` and
//! `payload_key = HKDF-Expand(prk, C("datacoop/v1/stream-payload-key", prefix), 32)`.
//! The commitment authenticates the header and commits to the key; it is checked in constant
//! time before any chunk is opened.
//!
//! Chunks: plaintext split into 64 KiB pieces, each sealed with ChaCha20-Poly1305 (RFC 8439)
//! under `payload_key`, empty AAD, nonce = 11-byte big-endian chunk counter ‖ last-chunk flag
//! (`0x01` on the final chunk, else `0x00`). Every chunk but the last holds exactly 64 KiB;
//! the last holds 0 to 64 KiB and is empty only when the whole plaintext is. A stream with
//! no final chunk, a reordered chunk, or bytes after the final chunk fails to decrypt.
//!
//! [`StreamSealer`] and [`StreamOpener`] are the sans-IO core (usable from async code);
//! [`StreamEncryptor`] and [`StreamDecryptor`] wrap them around `Write` and `Read`.

mod io;

pub use io::{decrypt_stream, encrypt_stream, StreamDecryptor, StreamEncryptor};

use rand_core::CryptoRng;
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::canonical::Canonical;
use crate::derive::{expand, extract};
use crate::envelope::{self, Kind, HEADER_LEN};
use crate::error::{Error, Result};
use crate::record::RecordKey;

/// Plaintext bytes per chunk.
pub const CHUNK_SIZE: usize = 64 * 1024;
/// Poly1305 tag bytes per chunk.
pub const TAG_LEN: usize = 16;
/// Ciphertext bytes of a full chunk.
pub const SEALED_CHUNK_SIZE: usize = CHUNK_SIZE + TAG_LEN;
/// Random nonce length in the header.
pub const STREAM_NONCE_LEN: usize = 32;
const PREFIX_LEN: usize = HEADER_LEN + 16 + 16 + STREAM_NONCE_LEN;
/// Total header length.
pub const STREAM_HEADER_LEN: usize = PREFIX_LEN + 32;

const WHAT: &str = "encrypted file";

/// Which blob a stream belongs to: bound into its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlobBinding {
    /// The owning member.
    pub member_id: Uuid,
    /// The blob.
    pub blob_id: Uuid,
}

struct Derived {
    commitment: [u8; 32],
    payload_key: LessSafeKey,
}

fn derive(key: &RecordKey, prefix: &[u8; PREFIX_LEN]) -> Result<Derived> {
    let nonce = &prefix[PREFIX_LEN - STREAM_NONCE_LEN..];
    let prk = extract(nonce, key.0.as_bytes());
    let commitment = expand(
        &prk,
        &Canonical::new("datacoop/v1/stream-header")
            .bytes(prefix)
            .finish(),
    )?;
    let payload = expand(
        &prk,
        &Canonical::new("datacoop/v1/stream-payload-key")
            .bytes(prefix)
            .finish(),
    )?;
    let payload_key = UnboundKey::new(&CHACHA20_POLY1305, payload.as_bytes())
        .map_err(|_| Error::malformed("key", "rejected by ChaCha20-Poly1305"))?;
    Ok(Derived {
        commitment: *commitment.as_bytes(),
        payload_key: LessSafeKey::new(payload_key),
    })
}

fn chunk_nonce(counter: u64, last: bool) -> Nonce {
    let mut n = [0u8; aead::NONCE_LEN];
    n[3..11].copy_from_slice(&counter.to_be_bytes());
    n[11] = u8::from(last);
    Nonce::assume_unique_for_key(n)
}

/// Sans-IO encryption: produces the header, then seals chunks in place in the caller's buffer.
pub struct StreamSealer {
    header: [u8; STREAM_HEADER_LEN],
    key: LessSafeKey,
    counter: u64,
    finished: bool,
}

impl std::fmt::Debug for StreamSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamSealer")
            .field("counter", &self.counter)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl StreamSealer {
    /// Starts a stream for `binding` under the blob's data key, with a fresh random nonce.
    pub fn new_with_rng(
        key: &RecordKey,
        binding: &BlobBinding,
        rng: &mut impl CryptoRng,
    ) -> Result<Self> {
        let mut prefix = [0u8; PREFIX_LEN];
        prefix[..HEADER_LEN].copy_from_slice(&Kind::BlobStream.header());
        prefix[HEADER_LEN..HEADER_LEN + 16].copy_from_slice(binding.member_id.as_bytes());
        prefix[HEADER_LEN + 16..HEADER_LEN + 32].copy_from_slice(binding.blob_id.as_bytes());
        rng.fill_bytes(&mut prefix[HEADER_LEN + 32..]);
        let derived = derive(key, &prefix)?;
        let mut header = [0u8; STREAM_HEADER_LEN];
        header[..PREFIX_LEN].copy_from_slice(&prefix);
        header[PREFIX_LEN..].copy_from_slice(&derived.commitment);
        Ok(StreamSealer {
            header,
            key: derived.payload_key,
            counter: 0,
            finished: false,
        })
    }

    /// The header bytes to write before the first chunk.
    pub fn header(&self) -> &[u8; STREAM_HEADER_LEN] {
        &self.header
    }

    /// Seals `buf` (≤ 64 KiB of plaintext; exactly 64 KiB unless `last`) in place and appends its tag.
    pub fn seal_chunk(&mut self, buf: &mut Vec<u8>, last: bool) -> Result<()> {
        if self.finished {
            return Err(Error::InvalidInput {
                what: "stream chunk",
                reason: "the final chunk was already sealed",
            });
        }
        if buf.len() > CHUNK_SIZE
            || (!last && buf.len() != CHUNK_SIZE)
            || (last && buf.is_empty() && self.counter > 0)
        {
            return Err(Error::InvalidInput {
                what: "stream chunk",
                reason:
                    "chunks are 64 KiB except the last, which is empty only for an empty stream",
            });
        }
        let tag = self
            .key
            .seal_in_place_separate_tag(chunk_nonce(self.counter, last), Aad::empty(), buf)
            .map_err(|_| Error::InvalidInput {
                what: "stream chunk",
                reason: "rejected by ChaCha20-Poly1305",
            })?;
        buf.extend_from_slice(tag.as_ref());
        self.counter += 1;
        self.finished = last;
        Ok(())
    }
}

/// Sans-IO decryption: checks the header, then opens chunks in place in the caller's buffer.
pub struct StreamOpener {
    key: LessSafeKey,
    counter: u64,
    finished: bool,
}

impl std::fmt::Debug for StreamOpener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamOpener")
            .field("counter", &self.counter)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl StreamOpener {
    /// Checks the header's format, binding and key commitment before anything is decrypted.
    pub fn new(header: &[u8], key: &RecordKey, binding: &BlobBinding) -> Result<Self> {
        envelope::open(header, Kind::BlobStream)?;
        let header: &[u8; STREAM_HEADER_LEN] = header
            .try_into()
            .map_err(|_| Error::malformed(WHAT, "header has the wrong length"))?;
        if &header[HEADER_LEN..HEADER_LEN + 16] != binding.member_id.as_bytes() {
            return Err(Error::BindingMismatch { field: "member" });
        }
        if &header[HEADER_LEN + 16..HEADER_LEN + 32] != binding.blob_id.as_bytes() {
            return Err(Error::BindingMismatch { field: "blob" });
        }
        let mut prefix = [0u8; PREFIX_LEN];
        prefix.copy_from_slice(&header[..PREFIX_LEN]);
        let derived = derive(key, &prefix)?;
        if !bool::from(derived.commitment.ct_eq(&header[PREFIX_LEN..])) {
            return Err(Error::WrongKey { what: WHAT });
        }
        Ok(StreamOpener {
            key: derived.payload_key,
            counter: 0,
            finished: false,
        })
    }

    /// Index of the next chunk to open.
    pub fn next_index(&self) -> u64 {
        self.counter
    }

    /// Opens one sealed chunk in place; returns the plaintext length (at the front of `buf`).
    ///
    /// `last` must be true exactly when no byte follows this chunk in the stream.
    /// On failure `buf` is zeroed.
    pub fn open_chunk(&mut self, buf: &mut [u8], last: bool) -> Result<usize> {
        let index = self.counter;
        if self.finished {
            return Err(Error::StreamChunk { index });
        }
        if buf.len() < TAG_LEN
            || buf.len() > SEALED_CHUNK_SIZE
            || (!last && buf.len() != SEALED_CHUNK_SIZE)
        {
            return Err(if last {
                Error::StreamTruncated
            } else {
                Error::StreamChunk { index }
            });
        }
        let plain = self
            .key
            .open_in_place(chunk_nonce(index, last), Aad::empty(), buf)
            .map_err(|_| Error::StreamChunk { index })?;
        let len = plain.len();
        if last && len == 0 && index > 0 {
            return Err(Error::StreamChunk { index });
        }
        self.counter += 1;
        self.finished = last;
        Ok(len)
    }

    /// Whether the final chunk has been opened (only then is the plaintext complete).
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}

impl StreamOpener {
    /// Whether `buf` would open as chunk `next_index()` with the given flag (diagnostics only; does not advance).
    pub(crate) fn opens_as(&self, buf: &mut [u8], last: bool) -> bool {
        !self.finished
            && self
                .key
                .open_in_place(chunk_nonce(self.counter, last), Aad::empty(), buf)
                .is_ok()
    }
}
