//! The key-committing XChaCha20-Poly1305 box behind every symmetric envelope.
//!
//! Layout after the 3-byte envelope header: `nonce (24) ‖ commitment (32) ‖ ciphertext ‖ tag (16)`.
//! `commitment = HMAC-SHA256(key, "datacoop/v1/key-commitment" ‖ nonce)` is checked in constant
//! time before decryption, so a ciphertext opens under one key only (no partitioning oracles),
//! and a wrong key is told apart from modified data. The AEAD's associated data is
//! `header ‖ context AAD`, so kind, version and binding are all authenticated.

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use rand_core::CryptoRng;
use ring::hmac;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::envelope::{self, Kind, HEADER_LEN};
use crate::error::{Error, Result};
use crate::secret::{Plaintext, Secret32, KEY_LEN};

/// Random nonce length (XChaCha20).
pub(crate) const NONCE_LEN: usize = 24;
/// Key commitment length.
pub(crate) const COMMIT_LEN: usize = 32;
/// Poly1305 tag length.
pub(crate) const TAG_LEN: usize = 16;
/// Bytes a box adds to its plaintext, header included.
pub(crate) const OVERHEAD: usize = HEADER_LEN + NONCE_LEN + COMMIT_LEN + TAG_LEN;

const COMMIT_LABEL: &[u8] = b"datacoop/v1/key-commitment";

fn commitment(key: &Secret32, nonce: &[u8; NONCE_LEN]) -> [u8; COMMIT_LEN] {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
    let mut ctx = hmac::Context::with_key(&k);
    ctx.update(COMMIT_LABEL);
    ctx.update(nonce);
    let tag = ctx.sign();
    let mut out = [0u8; COMMIT_LEN];
    out.copy_from_slice(tag.as_ref());
    out
}

fn cipher(key: &Secret32) -> Result<XChaCha20Poly1305> {
    XChaCha20Poly1305::new_from_slice(key.as_bytes())
        .map_err(|_| Error::malformed("key", "wrong length"))
}

fn full_aad(header: &[u8], aad: &[u8]) -> Vec<u8> {
    let mut full = Vec::with_capacity(HEADER_LEN + aad.len());
    full.extend_from_slice(header);
    full.extend_from_slice(aad);
    full
}

/// Seals `plaintext` under `key` into an envelope of `kind`, binding `aad`.
pub(crate) fn seal(
    kind: Kind,
    key: &Secret32,
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let mut out = Vec::with_capacity(OVERHEAD + plaintext.len());
    out.extend_from_slice(&kind.header());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&commitment(key, &nonce));
    let start = out.len();
    out.extend_from_slice(plaintext);
    let tag = cipher(key)?
        .encrypt_inout_detached(
            &XNonce::from(nonce),
            &full_aad(&kind.header(), aad),
            (&mut out[start..]).into(),
        )
        .map_err(|_| Error::InvalidInput {
            what: "plaintext",
            reason: "too long to encrypt",
        })?;
    out.extend_from_slice(tag.as_slice());
    Ok(out)
}

/// Opens a box of `kind` into `out`, which must be exactly the ciphertext's length.
fn open_into(
    kind: Kind,
    key: &Secret32,
    aad: &[u8],
    envelope_bytes: &[u8],
    out: &mut [u8],
) -> Result<()> {
    // Any version this build reads; the caller's `aad` is for the version it found
    // (`envelope::inspect`), and the header itself is authenticated below.
    let (_, body) = envelope::open_versioned(envelope_bytes, kind)?;
    let what = kind.name();
    if body.len() < NONCE_LEN + COMMIT_LEN + TAG_LEN {
        return Err(Error::malformed(what, "too short"));
    }
    let (nonce, rest) = body.split_at(NONCE_LEN);
    let (commit, rest) = rest.split_at(COMMIT_LEN);
    let (ct, tag) = rest.split_at(rest.len() - TAG_LEN);
    if ct.len() != out.len() {
        return Err(Error::malformed(what, "unexpected length"));
    }
    let nonce: [u8; NONCE_LEN] = nonce
        .try_into()
        .map_err(|_| Error::malformed(what, "too short"))?;
    let expected = commitment(key, &nonce);
    if !bool::from(expected.ct_eq(commit)) {
        return Err(Error::WrongKey { what });
    }
    let tag = Tag::try_from(tag).map_err(|_| Error::malformed(what, "too short"))?;
    out.copy_from_slice(ct);
    cipher(key)?
        .decrypt_inout_detached(
            &XNonce::from(nonce),
            &full_aad(&envelope_bytes[..HEADER_LEN], aad),
            out.into(),
            &tag,
        )
        .map_err(|_| {
            out.iter_mut().for_each(|b| *b = 0);
            Error::Tampered { what }
        })
}

/// Opens a box of `kind` holding arbitrary-length content.
pub(crate) fn open(
    kind: Kind,
    key: &Secret32,
    aad: &[u8],
    envelope_bytes: &[u8],
) -> Result<Plaintext> {
    let ct_len = envelope_bytes
        .len()
        .checked_sub(OVERHEAD)
        .ok_or_else(|| short_or_header_error(kind, envelope_bytes))?;
    let mut out = Zeroizing::new(vec![0u8; ct_len]);
    open_into(kind, key, aad, envelope_bytes, &mut out)?;
    Ok(out)
}

/// Opens a box of `kind` that must hold exactly one 32-byte key.
pub(crate) fn open_key(
    kind: Kind,
    key: &Secret32,
    aad: &[u8],
    envelope_bytes: &[u8],
) -> Result<Secret32> {
    if envelope_bytes.len() != OVERHEAD + KEY_LEN {
        return Err(short_or_header_error(kind, envelope_bytes));
    }
    let mut buf = Zeroizing::new([0u8; KEY_LEN]);
    open_into(kind, key, aad, envelope_bytes, buf.as_mut_slice())?;
    Ok(Secret32::new(*buf))
}

/// Reports a header problem in preference to a length problem, so unknown versions say so.
fn short_or_header_error(kind: Kind, bytes: &[u8]) -> Error {
    match envelope::open_versioned(bytes, kind) {
        Err(e) => e,
        Ok(_) => Error::malformed(kind.name(), "unexpected length"),
    }
}
