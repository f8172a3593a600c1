//! Test vectors: `tests/vectors.json` is regenerated from fixed randomness and must match byte
//! for byte; every positive vector must open, every negative vector must fail with its error code.
//!
//! Regenerate after an intended format change with `DATACOOP_WRITE_VECTORS=1 cargo test --test vectors`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
#[path = "vectors/generate.rs"]
mod generate;

use common::{hex, pattern, unb64, unhex, ReplayRng};
use datacoop_crypto::*;
use generate::{flip, generate};
use serde_json::Value;
use uuid::Uuid;

const PASSPHRASE: &str = "correct horse battery staple";
const MEMBER: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_000000000001);
const RECORD: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000a1);
const EMPTY_RECORD: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000a2);
const DEVICE_RECORD: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000a3);
const BATCH: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000b1);
const STUDY: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000c1);
const CONSENT: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000d1);
const BLOB: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000e1);
const STREAM_SIZES: [usize; 4] = [0, 1000, 65536, 2 * 65536 + 100];
const RECORD_TEXT: &str = r#"{"type":"steps","count":8042,"date":"2026-11-24"}"#;

fn binding(record_id: Uuid, content_type: &str) -> RecordBinding {
    RecordBinding {
        member_id: MEMBER,
        record_id,
        version: 3,
        content_type: content_type.into(),
    }
}

fn consent_message() -> Vec<u8> {
    Canonical::new("datacoop/v1/consent-receipt-body")
        .uuid(&CONSENT)
        .uuid(&STUDY)
        .uuid(&MEMBER)
        .u64(1_795_000_000)
        .str("steps, sleep")
        .finish()
}

/// Applies a stream mutation as described in the vector file (see docs/crypto.md).
fn mutate(stream: &[u8], m: &Value) -> Vec<u8> {
    const H: usize = 99;
    const C: usize = 65536 + 16;
    let chunk = |i: usize| &stream[H + i * C..(H + (i + 1) * C).min(stream.len())];
    let chunks = (stream.len() - H).div_ceil(C);
    if let Some(n) = m["truncate_to"].as_u64() {
        return stream[..n as usize].to_vec();
    }
    if let Some(i) = m["flip_bit_of_byte"].as_u64() {
        return flip(stream, i as usize);
    }
    if let Some(extra) = m["append_hex"].as_str() {
        let mut out = stream.to_vec();
        out.extend_from_slice(&unhex(extra));
        return out;
    }
    let mut order: Vec<usize> = (0..chunks).collect();
    if let Some(pair) = m["swap_chunks"].as_array() {
        order.swap(
            pair[0].as_u64().unwrap() as usize,
            pair[1].as_u64().unwrap() as usize,
        );
    } else if let Some(i) = m["drop_chunk"].as_u64() {
        order.remove(i as usize);
    } else {
        panic!("unknown mutation {m}");
    }
    let mut out = stream[..H].to_vec();
    for i in order {
        out.extend_from_slice(chunk(i));
    }
    out
}

fn path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors.json")
}

fn load() -> Value {
    serde_json::from_str(&std::fs::read_to_string(path()).expect("tests/vectors.json")).unwrap()
}

#[test]
fn vectors_file_matches_fixed_randomness() {
    let generated = generate();
    if std::env::var_os("DATACOOP_WRITE_VECTORS").is_some() {
        let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
        std::fs::write(path(), text).unwrap();
    }
    assert!(
        load() == generated,
        "tests/vectors.json differs from what the code produces"
    );
}

fn kek_from_file(v: &Value, passphrase: &str) -> Kek {
    let params =
        KdfParams::from_envelope(&unb64(v["kdf"][0]["params_envelope"].as_str().unwrap())).unwrap();
    derive_passphrase_keys(passphrase, &params).unwrap().1
}

fn vault_from_file(v: &Value) -> VaultKey {
    VaultKey::generate_with_rng(&mut ReplayRng::new(unhex(
        v["vault"]["vault_key"].as_str().unwrap(),
    )))
    .unwrap()
}

#[test]
fn positive_vectors_open() {
    let v = load();
    for k in v["kdf"].as_array().unwrap() {
        let params =
            KdfParams::from_envelope(&unb64(k["params_envelope"].as_str().unwrap())).unwrap();
        assert_eq!(hex(params.salt()), k["salt"].as_str().unwrap());
        let (auth, _) = derive_passphrase_keys(k["passphrase"].as_str().unwrap(), &params).unwrap();
        assert_eq!(hex(auth.as_bytes()), k["auth_key"].as_str().unwrap());
    }
    let vault = vault_from_file(&v);
    let kek = kek_from_file(&v, PASSPHRASE);
    let sealed = unb64(v["vault"]["sealed_by_passphrase"].as_str().unwrap());
    assert_eq!(open_vault_key(&sealed, &kek, &MEMBER).unwrap(), vault);
    let recovery = RecoveryKey::from_code(v["vault"]["recovery_code"].as_str().unwrap()).unwrap();
    let sealed = unb64(v["vault"]["sealed_by_recovery"].as_str().unwrap());
    assert_eq!(
        open_vault_key_with_recovery(&sealed, &recovery, &MEMBER).unwrap(),
        vault
    );

    let keys = MemberKeys::open(
        &unb64(v["member_keys"]["sealed_private_keys"].as_str().unwrap()),
        &vault,
        &MEMBER,
    )
    .unwrap();
    let public = MemberPublicKeys::from_envelope(&unb64(
        v["member_keys"]["public_keys_envelope"].as_str().unwrap(),
    ))
    .unwrap();
    assert_eq!(keys.public_keys(), public);

    for r in v["records"].as_array().unwrap() {
        let b: RecordBinding = serde_json::from_value(r["binding"].clone()).unwrap();
        let s: SealedRecord = serde_json::from_value(r["sealed"].clone()).unwrap();
        let plain = open_record(&vault, &b, &s).unwrap();
        assert_eq!(
            plain.as_slice(),
            r["plaintext"].as_str().unwrap().as_bytes()
        );
    }

    let d = &v["device"];
    let batch = open_device_batch(
        &keys,
        &MEMBER,
        &BATCH,
        &unb64(d["sealed_batch_key"].as_str().unwrap()),
    )
    .unwrap();
    let b: RecordBinding = serde_json::from_value(d["binding"].clone()).unwrap();
    let s: SealedRecord = serde_json::from_value(d["sealed"].clone()).unwrap();
    assert_eq!(
        open_device_record(&batch, &b, &s).unwrap().as_slice(),
        RECORD_TEXT.as_bytes()
    );

    let sh = &v["share"];
    let study = HpkeKeyPair::generate_with_rng(&mut ReplayRng::new(unhex(
        sh["study_hpke_ikm"].as_str().unwrap(),
    )))
    .unwrap();
    let share = ShareKey::open_as_study(
        &study,
        STUDY,
        CONSENT,
        &unb64(sh["sealed_share_key"].as_str().unwrap()),
    )
    .unwrap();
    let rb: RecordBinding = serde_json::from_value(v["records"][0]["binding"].clone()).unwrap();
    let rs: SealedRecord = serde_json::from_value(v["records"][0]["sealed"].clone()).unwrap();
    let plain = open_shared_record(
        &share,
        &rb,
        &unb64(sh["share_wrapped_dek"].as_str().unwrap()),
        &rs.ciphertext,
    )
    .unwrap();
    assert_eq!(plain.as_slice(), RECORD_TEXT.as_bytes());

    for st in v["streams"].as_array().unwrap() {
        let key =
            RecordKey::generate_with_rng(&mut ReplayRng::new(unhex(st["dek"].as_str().unwrap())));
        let mut out = Vec::new();
        let bind = BlobBinding {
            member_id: MEMBER,
            blob_id: BLOB,
        };
        decrypt_stream(
            &unb64(st["stream"].as_str().unwrap())[..],
            &mut out,
            &key,
            &bind,
        )
        .unwrap();
        assert_eq!(out, pattern(st["plaintext_len"].as_u64().unwrap() as usize));
    }

    let sg = &v["signatures"][0];
    let vk = VerifyingKey::from_bytes(&unhex(sg["public_key"].as_str().unwrap())).unwrap();
    let sig = Signature::from_bytes(&unhex(sg["signature"].as_str().unwrap())).unwrap();
    verify(
        &vk,
        sg["context"].as_str().unwrap(),
        &unhex(sg["message"].as_str().unwrap()),
        &sig,
    )
    .unwrap();

    let ar = &v["account_recovery"];
    let field = |name: &str| ar[name].as_str().unwrap();
    let (challenge, params) = (unhex(field("challenge")), unb64(field("kdf_params")));
    let (auth, sealed) = (unhex(field("auth_key")), unb64(field("sealed_vault_key")));
    let req = RecoveryRequest {
        member_id: &MEMBER,
        challenge: &challenge,
        kdf_params: &params,
        auth_key: &auth,
        sealed_vault_key: &sealed,
    };
    assert_eq!(hex(&req.message()), field("message"));
    let public = MemberPublicKeys::from_envelope(&unb64(
        v["member_keys"]["public_keys_envelope"].as_str().unwrap(),
    ))
    .unwrap();
    let sig = Signature::from_bytes(&unhex(field("signature"))).unwrap();
    req.verify(&public, &sig).unwrap();
    let replayed = RecoveryRequest {
        challenge: &challenge[1..],
        ..req
    };
    assert!(replayed.verify(&public, &sig).is_err());
}

#[test]
fn negative_vectors_fail_with_their_error() {
    let v = load();
    let vault = vault_from_file(&v);
    let sh = &v["share"];
    let study = HpkeKeyPair::generate_with_rng(&mut ReplayRng::new(unhex(
        sh["study_hpke_ikm"].as_str().unwrap(),
    )))
    .unwrap();
    let sg = &v["signatures"][0];
    for n in v["negative"].as_array().unwrap() {
        let name = n["name"].as_str().unwrap();
        let bytes = |field: &str| unb64(n[field].as_str().unwrap());
        let result: Result<()> = match n["op"].as_str().unwrap() {
            "open_vault_key" => open_vault_key(
                &bytes("sealed"),
                &kek_from_file(&v, n["passphrase"].as_str().unwrap()),
                &MEMBER,
            )
            .map(drop),
            "kdf_params" => KdfParams::from_envelope(&bytes("params_envelope")).map(drop),
            "open_record" => {
                let b: RecordBinding = serde_json::from_value(n["binding"].clone()).unwrap();
                let s: SealedRecord = serde_json::from_value(n["sealed"].clone()).unwrap();
                open_record(&vault, &b, &s).map(drop)
            }
            "open_stream" => {
                let st = &v["streams"][n["stream_from"].as_u64().unwrap() as usize];
                let key = RecordKey::generate_with_rng(&mut ReplayRng::new(unhex(
                    st["dek"].as_str().unwrap(),
                )));
                let bind = BlobBinding {
                    member_id: MEMBER,
                    blob_id: BLOB,
                };
                let mutated = mutate(&unb64(st["stream"].as_str().unwrap()), &n["mutation"]);
                decrypt_stream(&mutated[..], &mut std::io::sink(), &key, &bind).map(drop)
            }
            "open_share" => {
                let consent: Uuid = serde_json::from_value(n["consent_id"].clone()).unwrap();
                ShareKey::open_as_study(&study, STUDY, consent, &bytes("sealed")).map(drop)
            }
            "verify" => {
                let vk =
                    VerifyingKey::from_bytes(&unhex(sg["public_key"].as_str().unwrap())).unwrap();
                let sig = Signature::from_bytes(&unhex(n["signature"].as_str().unwrap())).unwrap();
                verify(
                    &vk,
                    n["context"].as_str().unwrap(),
                    &unhex(n["message"].as_str().unwrap()),
                    &sig,
                )
            }
            "recovery_code" => RecoveryKey::from_code(n["code"].as_str().unwrap()).map(drop),
            other => panic!("unknown op {other}"),
        };
        let err = result.expect_err(name);
        assert_eq!(
            err.code(),
            n["expected_error"].as_str().unwrap(),
            "{name}: {err}"
        );
    }
}
