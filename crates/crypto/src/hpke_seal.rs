//! HPKE (RFC 9180) sealing of one 32-byte key to an X25519 public key: base mode, or auth
//! mode when the sender has a key pair of its own that the recipient knows (device batches
//! from envelope version 2), so only that sender can have sealed it.
//!
//! Suite: DHKEM(X25519, HKDF-SHA256) = 0x0020, HKDF-SHA256 = 0x0001, ChaCha20-Poly1305 = 0x0003.
//! Envelope body: `enc (32) ‖ ciphertext (32) ‖ tag (16)`. HPKE `info` binds the trust boundary
//! (member and batch, or study and consent); HPKE `aad` is the 3-byte envelope header.

use hpke::aead::{AeadTag, ChaCha20Poly1305};
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, OpModeR, OpModeS, Serializable};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::envelope::{self, BodyReader, Kind, HEADER_LEN};
use crate::error::{Error, Result};
use crate::keys::{HpkeKeyPair, HpkePublicKey};
use crate::secret::{Secret32, KEY_LEN};

/// Encapsulated key length.
pub(crate) const ENC_LEN: usize = 32;
const TAG_LEN: usize = 16;
/// Total envelope length.
pub(crate) const SEALED_LEN: usize = HEADER_LEN + ENC_LEN + KEY_LEN + TAG_LEN;

type Kem = X25519HkdfSha256;

/// Seals `key` to `recipient` in an envelope of `kind` (auth mode if `sender` is given).
pub(crate) fn seal_key(
    kind: Kind,
    recipient: &HpkePublicKey,
    sender: Option<&HpkeKeyPair>,
    info: &[u8],
    key: &Secret32,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>> {
    let header = kind.header();
    let mut buf = Zeroizing::new(*key.as_bytes());
    let mode = match sender {
        None => OpModeS::Base,
        Some(s) => OpModeS::Auth((s.private.clone(), s.public_key().key.clone())),
    };
    let (enc, tag) =
        hpke::single_shot_seal_inout_detached_with_rng::<ChaCha20Poly1305, HpkeKdf, Kem>(
            &mode,
            &recipient.key,
            info,
            buf.as_mut_slice().into(),
            &header,
            rng,
        )
        .map_err(|_| Error::InvalidPublicKey {
            what: "recipient X25519 key",
        })?;
    let mut out = Vec::with_capacity(SEALED_LEN);
    out.extend_from_slice(&header);
    out.extend_from_slice(&enc.to_bytes());
    out.extend_from_slice(buf.as_slice());
    out.extend_from_slice(&tag.to_bytes());
    Ok(out)
}

type HpkeKdf = HkdfSha256;

/// Opens an envelope of `kind` sealed to `recipient` with the same `info`: in auth mode from
/// `sender` if one is given (then only the latest version opens), in base mode otherwise.
pub(crate) fn open_key(
    kind: Kind,
    recipient: &HpkeKeyPair,
    sender: Option<&HpkePublicKey>,
    info: &[u8],
    sealed: &[u8],
) -> Result<Secret32> {
    let what = kind.name();
    let body = match sender {
        Some(_) => envelope::open_versioned(sealed, kind).and_then(|(v, body)| {
            if v == kind.latest_version() {
                Ok(body)
            } else {
                Err(Error::Unauthenticated { what })
            }
        })?,
        None => envelope::open_versioned(sealed, kind)?.1,
    };
    let mode = match sender {
        None => OpModeR::Base,
        Some(pk) => OpModeR::Auth(pk.key.clone()),
    };
    let mut r = BodyReader::new(body, what);
    let enc: [u8; ENC_LEN] = r.take()?;
    let mut buf = Zeroizing::new(r.take::<KEY_LEN>()?);
    let tag: [u8; TAG_LEN] = r.take()?;
    r.finish()?;
    let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&enc)
        .map_err(|_| Error::CannotOpen { what })?;
    let tag = AeadTag::<ChaCha20Poly1305>::from_bytes(&tag)
        .map_err(|_| Error::malformed(what, "bad tag"))?;
    hpke::single_shot_open_inout_detached::<ChaCha20Poly1305, HpkeKdf, Kem>(
        &mode,
        &recipient.private,
        &enc,
        info,
        buf.as_mut_slice().into(),
        &sealed[..HEADER_LEN],
        &tag,
    )
    .map_err(|_| Error::CannotOpen { what })?;
    Ok(Secret32::new(*buf))
}
