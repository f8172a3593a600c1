//! An encoder of the version-1 record and device formats (datacoop 0.1, specification
//! version 1), written from raw primitives and independent of the crate, so tests can make
//! the old data that a version-2 reader must still open (or refuse), as the old code wrote it:
//!
//! * record content: box `DC 20 01`, AAD `C("datacoop/v1/record", u8 1, member_id, record_id,
//!   u64 version, content_type)`;
//! * member's key wrap: box `DC 21 01` under `record_wrap_key`, AAD
//!   `C("datacoop/v1/record-key-wrap", member_id, record_id)`;
//! * device batch: HPKE **base** mode `DC 30 01`, `info = C("datacoop/v1/device-batch",
//!   member_id, batch_id)`, HPKE aad = the header; key reference `DC 22 01 ‖ batch_id`.
//!
//! Randomness is drawn in the order the old code drew it (section 14 of docs/crypto.md).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::XChaCha20Poly1305;
use hpke::{Deserializable, Serializable};
use rand_core::CryptoRng;
use ring::{hkdf, hmac};
use uuid::Uuid;

type Kem = hpke::kem::X25519HkdfSha256;

/// `C(f1, f2, …)`: each field as `u32be(len) ‖ bytes`.
pub fn c(fields: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in fields {
        out.extend_from_slice(&(f.len() as u32).to_be_bytes());
        out.extend_from_slice(f);
    }
    out
}

struct Len32;
impl hkdf::KeyType for Len32 {
    fn len(&self) -> usize {
        32
    }
}

/// `HKDF(ikm, info)` with salt `datacoop/v1/hkdf`, 32 bytes.
pub fn derive(ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    hkdf::Salt::new(hkdf::HKDF_SHA256, b"datacoop/v1/hkdf")
        .extract(ikm)
        .expand(&[info], Len32)
        .unwrap()
        .fill(&mut out)
        .unwrap();
    out
}

fn draw<const N: usize>(rng: &mut impl CryptoRng) -> [u8; N] {
    let mut out = [0u8; N];
    rng.fill_bytes(&mut out);
    out
}

/// A committed XChaCha20-Poly1305 box: `header ‖ nonce ‖ HMAC(key, label ‖ nonce) ‖ ct ‖ tag`.
pub fn seal_box(
    header: [u8; 3],
    key: &[u8; 32],
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut impl CryptoRng,
) -> Vec<u8> {
    let nonce: [u8; 24] = draw(rng);
    let commit = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, key),
        &[b"datacoop/v1/key-commitment".as_slice(), &nonce].concat(),
    );
    let ct = XChaCha20Poly1305::new_from_slice(key)
        .unwrap()
        .encrypt(
            (&nonce).into(),
            Payload {
                msg: plaintext,
                aad: &[&header[..], aad].concat(),
            },
        )
        .unwrap();
    [&header[..], &nonce, commit.as_ref(), &ct].concat()
}

/// The version-1 fields of a record binding (the JSON form of datacoop 0.1).
#[derive(Debug, Clone)]
pub struct V1Binding {
    pub member_id: Uuid,
    pub record_id: Uuid,
    pub version: u64,
    pub content_type: String,
}

impl V1Binding {
    /// `{"member_id", "record_id", "version", "content_type"}`, as the old code serialised it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "member_id": self.member_id, "record_id": self.record_id,
            "version": self.version, "content_type": self.content_type,
        })
    }

    pub fn content_aad(&self) -> Vec<u8> {
        c(&[
            b"datacoop/v1/record",
            &[1],
            self.member_id.as_bytes(),
            self.record_id.as_bytes(),
            &self.version.to_be_bytes(),
            self.content_type.as_bytes(),
        ])
    }

    pub fn wrap_aad(&self) -> Vec<u8> {
        c(&[
            b"datacoop/v1/record-key-wrap",
            self.member_id.as_bytes(),
            self.record_id.as_bytes(),
        ])
    }
}

/// A version-1 record of the member's own client: `(dek, content 0x20 v1, wrap 0x21 v1)`.
/// Draws the DEK (32), the content nonce (24), the wrap nonce (24).
pub fn seal_record_v1(
    vault_key: &[u8; 32],
    b: &V1Binding,
    plaintext: &[u8],
    rng: &mut impl CryptoRng,
) -> ([u8; 32], Vec<u8>, Vec<u8>) {
    let dek: [u8; 32] = draw(rng);
    let content = seal_box([0xDC, 0x20, 0x01], &dek, &b.content_aad(), plaintext, rng);
    let wrap_key = derive(vault_key, &c(&[b"datacoop/v1/record-key-wrap-key"]));
    let wrapped = seal_box([0xDC, 0x21, 0x01], &wrap_key, &b.wrap_aad(), &dek, rng);
    (dek, content, wrapped)
}

/// HPKE base-mode single-shot seal of a 32-byte key in an envelope with `header` (what
/// anyone knowing the recipient's public key can make). Draws the ephemeral ikm (32).
pub fn hpke_base_seal(
    header: [u8; 3],
    recipient_public: &[u8; 32],
    info: &[u8],
    key: &[u8; 32],
    rng: &mut impl CryptoRng,
) -> Vec<u8> {
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(recipient_public).unwrap();
    let (enc, ct) = hpke::single_shot_seal_with_rng::<
        hpke::aead::ChaCha20Poly1305,
        hpke::kdf::HkdfSha256,
        Kem,
    >(&hpke::OpModeS::Base, &pk, info, key, &header, rng)
    .unwrap();
    [&header[..], &enc.to_bytes(), &ct].concat()
}

/// A version-1 device batch: `(batch_key, sealed 0x30 v1)`. Draws the batch key (32), then
/// the HPKE ephemeral ikm (32).
pub fn seal_device_batch_v1(
    member_public: &[u8; 32],
    member_id: &Uuid,
    batch_id: &Uuid,
    rng: &mut impl CryptoRng,
) -> ([u8; 32], Vec<u8>) {
    let batch_key: [u8; 32] = draw(rng);
    let info = c(&[
        b"datacoop/v1/device-batch",
        member_id.as_bytes(),
        batch_id.as_bytes(),
    ]);
    let sealed = hpke_base_seal([0xDC, 0x30, 0x01], member_public, &info, &batch_key, rng);
    (batch_key, sealed)
}

/// The data key of a device record (unchanged in version 2).
pub fn device_record_key(
    batch_key: &[u8; 32],
    member_id: &Uuid,
    batch_id: &Uuid,
    record_id: &Uuid,
) -> [u8; 32] {
    derive(
        batch_key,
        &c(&[
            b"datacoop/v1/device-record-key",
            member_id.as_bytes(),
            batch_id.as_bytes(),
            record_id.as_bytes(),
        ]),
    )
}

/// A version-1 device record: `(dek, content 0x20 v1, key reference 0x22 v1)`. Draws the
/// content nonce (24).
pub fn seal_device_record_v1(
    batch_key: &[u8; 32],
    batch_id: &Uuid,
    b: &V1Binding,
    plaintext: &[u8],
    rng: &mut impl CryptoRng,
) -> ([u8; 32], Vec<u8>, Vec<u8>) {
    let dek = device_record_key(batch_key, &b.member_id, batch_id, &b.record_id);
    let content = seal_box([0xDC, 0x20, 0x01], &dek, &b.content_aad(), plaintext, rng);
    let key_ref = [&[0xDC, 0x22, 0x01][..], batch_id.as_bytes()].concat();
    (dek, content, key_ref)
}

/// HPKE auth-mode single-shot seal from `sender_private` (the version-2 device batch, made
/// here from raw primitives). Draws the ephemeral ikm (32).
pub fn hpke_auth_seal(
    header: [u8; 3],
    recipient_public: &[u8; 32],
    sender_private: &[u8],
    info: &[u8],
    key: &[u8; 32],
    rng: &mut impl CryptoRng,
) -> Vec<u8> {
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(recipient_public).unwrap();
    let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(sender_private).unwrap();
    let sender_pk = <Kem as hpke::Kem>::sk_to_pk(&sk);
    let (enc, ct) = hpke::single_shot_seal_with_rng::<
        hpke::aead::ChaCha20Poly1305,
        hpke::kdf::HkdfSha256,
        Kem,
    >(
        &hpke::OpModeS::Auth((sk, sender_pk)),
        &pk,
        info,
        key,
        &header,
        rng,
    )
    .unwrap();
    [&header[..], &enc.to_bytes(), &ct].concat()
}
