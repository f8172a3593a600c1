//! Builds the vector file's content from fixed randomness (see docs/crypto.md, section 16).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write as _;

use datacoop_crypto::sign::context;
use datacoop_crypto::*;
use serde_json::{json, Value};
use uuid::Uuid;

use super::common::{b64, hex, pattern, FixedRng};
use super::*;

fn kdf_vector(name: &str, m: u32, t: u32, p: u32) -> (Value, Kek) {
    let mut rng = FixedRng::new(&format!("kdf/{name}"));
    let mut salt = [0u8; SALT_LEN];
    rand_core::Rng::fill_bytes(&mut rng, &mut salt);
    let params = KdfParams::new(m, t, p, salt).unwrap();
    let (auth, kek) = derive_passphrase_keys(PASSPHRASE, &params).unwrap();
    let v = json!({
        "name": name, "passphrase": PASSPHRASE,
        "memory_kib": m, "iterations": t, "parallelism": p, "salt": hex(&salt),
        "params_envelope": b64(&params.to_envelope()),
        "auth_key": hex(auth.as_bytes()), "random": rng.drawn_hex(),
    });
    (v, kek)
}

fn stream_bytes(size: usize, key: &RecordKey, rng: &mut FixedRng) -> Vec<u8> {
    let bind = BlobBinding {
        member_id: MEMBER,
        blob_id: BLOB,
    };
    let mut enc = StreamEncryptor::new_with_rng(Vec::new(), key, &bind, rng).unwrap();
    enc.write_all(&pattern(size)).unwrap();
    enc.finish().unwrap()
}

/// Builds the whole vector file from fixed randomness.
pub fn generate() -> Value {
    let (kdf_floor, kek) = kdf_vector("floor", 19 * 1024, 2, 1);
    let (kdf_default, _) = kdf_vector("default", 64 * 1024, 3, 4);

    let mut rng = FixedRng::new("vault");
    let vault = VaultKey::generate_with_rng(&mut rng).unwrap();
    let recovery = RecoveryKey::generate_with_rng(&mut rng).unwrap();
    let by_pass = seal_vault_key_with_rng(&vault, &kek, &MEMBER, &mut rng).unwrap();
    let by_rec =
        seal_vault_key_for_recovery_with_rng(&vault, &recovery, &MEMBER, &mut rng).unwrap();
    let drawn = rng.drawn.clone();
    let vault_v = json!({
        "member_id": MEMBER, "kek_from": "kdf/floor",
        "vault_key": hex(&drawn[..32]), "recovery_secret": hex(&drawn[32..64]),
        "recovery_code": recovery.to_code().as_str(),
        "sealed_by_passphrase": b64(&by_pass), "sealed_by_recovery": b64(&by_rec),
        "random": hex(&drawn),
    });

    let mut rng = FixedRng::new("member-keys");
    let keys = MemberKeys::generate_with_rng(&mut rng).unwrap();
    let sealed_keys = keys.seal_with_rng(&vault, &MEMBER, &mut rng).unwrap();
    let keys_v = json!({
        "member_id": MEMBER, "hpke_ikm": hex(&rng.drawn[..32]), "ed25519_seed": hex(&rng.drawn[32..64]),
        "public_keys_envelope": b64(&keys.public_keys().to_envelope()),
        "sealed_private_keys": b64(&sealed_keys), "random": rng.drawn_hex(),
    });

    let mut records = Vec::new();
    for (name, id, text, ct) in [
        ("json", RECORD, RECORD_TEXT, "application/json"),
        ("empty", EMPTY_RECORD, "", "text/plain"),
    ] {
        let mut rng = FixedRng::new(&format!("record/{name}"));
        let b = binding(id, ct);
        let sealed = seal_record_with_rng(&vault, &b, text.as_bytes(), &mut rng).unwrap();
        records.push(json!({
            "name": name, "binding": b, "plaintext": text, "dek": hex(&rng.drawn[..32]),
            "sealed": sealed, "random": rng.drawn_hex(),
        }));
    }

    let mut rng = FixedRng::new("device");
    let batch = DeviceBatch::new_with_rng(keys.hpke.public_key(), MEMBER, BATCH, &mut rng).unwrap();
    let db = binding(DEVICE_RECORD, "application/json");
    let dsealed = batch
        .seal_record_with_rng(&db, RECORD_TEXT.as_bytes(), &mut rng)
        .unwrap();
    let device_v = json!({
        "member_id": MEMBER, "batch_id": BATCH, "batch_key": hex(&rng.drawn[..32]),
        "sealed_batch_key": b64(batch.sealed_batch_key()), "binding": db, "plaintext": RECORD_TEXT,
        "sealed": dsealed, "random": rng.drawn_hex(),
    });

    let mut rng = FixedRng::new("share");
    let study = HpkeKeyPair::generate_with_rng(&mut rng).unwrap();
    let share = ShareKey::generate_with_rng(STUDY, CONSENT, &mut rng);
    let sealed_share = share
        .seal_to_study_with_rng(study.public_key(), &mut rng)
        .unwrap();
    let rec_sealed: SealedRecord = serde_json::from_value(records[0]["sealed"].clone()).unwrap();
    let dek = unwrap_record_key(&vault, &MEMBER, &RECORD, &rec_sealed.wrapped_key).unwrap();
    let share_wrap = share
        .wrap_record_key_with_rng(&RECORD, &dek, &mut rng)
        .unwrap();
    let share_v = json!({
        "study_id": STUDY, "consent_id": CONSENT, "study_hpke_ikm": hex(&rng.drawn[..32]),
        "study_public_key": hex(study.public_key().as_bytes()), "share_key": hex(&rng.drawn[32..64]),
        "sealed_share_key": b64(&sealed_share), "record": "record/json",
        "share_wrapped_dek": b64(&share_wrap), "random": rng.drawn_hex(),
    });

    let mut streams = Vec::new();
    for size in STREAM_SIZES {
        let mut rng = FixedRng::new(&format!("stream/{size}"));
        let key = RecordKey::generate_with_rng(&mut rng);
        let bytes = stream_bytes(size, &key, &mut rng);
        streams.push(json!({
            "member_id": MEMBER, "blob_id": BLOB, "plaintext_len": size, "dek": hex(&rng.drawn[..32]),
            "stream": b64(&bytes), "random": rng.drawn_hex(),
        }));
    }

    let mut rng = FixedRng::new("signature");
    let sk = SigningKey::generate_with_rng(&mut rng).unwrap();
    let msg = consent_message();
    let sig = sign(&sk, context::CONSENT_RECEIPT, &msg);
    let sig_v = json!({
        "seed": hex(&rng.drawn[..32]), "public_key": hex(sk.verifying_key().as_bytes()),
        "context": context::CONSENT_RECEIPT, "message": hex(&msg),
        "signed_bytes": hex(&datacoop_crypto::sign::signed_bytes(context::CONSENT_RECEIPT, &msg)),
        "signature": hex(&sig.to_bytes()),
    });

    let challenge = pattern(56);
    let new_params = super::common::unb64(kdf_floor["params_envelope"].as_str().unwrap());
    let new_auth = super::common::unhex(kdf_floor["auth_key"].as_str().unwrap());
    let rec_req = RecoveryRequest {
        member_id: &MEMBER,
        challenge: &challenge,
        kdf_params: &new_params,
        auth_key: &new_auth,
        sealed_vault_key: &by_pass,
    };
    let recovery_v = json!({
        "member_id": MEMBER, "signing_key": "member_keys", "challenge": hex(&challenge),
        "kdf_params": b64(&new_params), "auth_key": hex(&new_auth), "sealed_vault_key": b64(&by_pass),
        "context": context::ACCOUNT_RECOVERY, "message": hex(&rec_req.message()),
        "signature": hex(&rec_req.sign(&keys).to_bytes()),
    });

    json!({
        "format": "datacoop-crypto-test-vectors", "version": 1,
        "rng": "random bytes of vector L are SHA-256(\"datacoop test rng\" || u32be(len(L)) || L || u64be(i)) for i = 0,1,... concatenated; 'random' lists the bytes drawn, in order",
        "stream_plaintext": "byte i of a stream plaintext is i mod 251",
        "kdf": [kdf_floor, kdf_default], "vault": vault_v, "member_keys": keys_v,
        "records": records, "device": device_v, "share": share_v, "streams": streams,
        "signatures": [sig_v], "account_recovery": recovery_v, "negative": negative_vectors(&by_pass, &records, &streams, &share_v, &sig_v),
    })
}

pub fn flip(bytes: &[u8], index: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[index] ^= 0x01;
    out
}

fn negative_vectors(
    by_pass: &[u8],
    records: &[Value],
    streams: &[Value],
    share: &Value,
    sig: &Value,
) -> Value {
    let sealed: SealedRecord = serde_json::from_value(records[0]["sealed"].clone()).unwrap();
    let last = sealed.ciphertext.len() - 1;
    let _ = streams;
    let (h, c) = (99, 65536 + 16);
    let mut v2 = by_pass.to_vec();
    v2[2] = 2;
    let mut downgraded = KdfParams::new(64 * 1024, 3, 4, [7; SALT_LEN])
        .unwrap()
        .to_envelope();
    downgraded[3..7].copy_from_slice(&(8 * 1024u32).to_be_bytes());
    let rec = |name: &str, b: RecordBinding, s: &SealedRecord, err: &str| json!({"name": name, "op": "open_record", "binding": b, "sealed": s, "expected_error": err});
    let stream = |name: &str, mutation: Value, err: &str| json!({"name": name, "op": "open_stream", "stream_from": 3, "mutation": mutation, "expected_error": err});
    let mut flipped_ct = sealed.clone();
    flipped_ct.ciphertext = flip(&sealed.ciphertext, 3 + 24 + 32);
    let mut flipped_tag = sealed.clone();
    flipped_tag.ciphertext = flip(&sealed.ciphertext, last);
    let mut flipped_commit = sealed.clone();
    flipped_commit.ciphertext = flip(&sealed.ciphertext, 3 + 24);
    let mut flipped_wrap = sealed.clone();
    flipped_wrap.wrapped_key = flip(&sealed.wrapped_key, 3 + 24 + 32 + 5);
    let mut other_version = binding(RECORD, "application/json");
    other_version.version = 4;
    let other_type = binding(RECORD, "text/plain");
    let other_record = binding(EMPTY_RECORD, "application/json");
    let b = binding(RECORD, "application/json");
    json!([
        {"name": "wrong_passphrase", "op": "open_vault_key", "passphrase": "correct horse battery stapler",
         "sealed": b64(by_pass), "expected_error": "wrong_key"},
        {"name": "unknown_envelope_version", "op": "open_vault_key", "passphrase": PASSPHRASE,
         "sealed": b64(&v2), "expected_error": "unsupported_version"},
        {"name": "downgraded_kdf_params", "op": "kdf_params", "params_envelope": b64(&downgraded),
         "expected_error": "kdf_params_below_floor"},
        rec("flipped_ciphertext_bit", b.clone(), &flipped_ct, "tampered"),
        rec("flipped_tag_bit", b.clone(), &flipped_tag, "tampered"),
        rec("flipped_commitment_bit", b.clone(), &flipped_commit, "wrong_key"),
        rec("flipped_wrapped_key_bit", b.clone(), &flipped_wrap, "tampered"),
        rec("swapped_aad_version", other_version, &sealed, "tampered"),
        rec("swapped_aad_content_type", other_type, &sealed, "tampered"),
        rec("swapped_aad_record_id", other_record, &sealed, "tampered"),
        stream("truncated_after_middle_chunk", json!({"truncate_to": h + c}), "stream_truncated"),
        stream("truncated_mid_chunk", json!({"truncate_to": h + c + 100}), "stream_chunk"),
        stream("header_only", json!({"truncate_to": h}), "stream_truncated"),
        stream("header_cut", json!({"truncate_to": 50}), "malformed"),
        stream("reordered_chunks", json!({"swap_chunks": [0, 1]}), "stream_chunk"),
        stream("dropped_middle_chunk", json!({"drop_chunk": 1}), "stream_chunk"),
        stream("flipped_header_nonce_bit", json!({"flip_bit_of_byte": 40}), "wrong_key"),
        stream("flipped_header_commitment_bit", json!({"flip_bit_of_byte": 80}), "wrong_key"),
        stream("flipped_header_binding_bit", json!({"flip_bit_of_byte": 3}), "binding_mismatch"),
        stream("flipped_chunk_bit", json!({"flip_bit_of_byte": h + c + 7}), "stream_chunk"),
        stream("flipped_final_tag_bit", json!({"flip_bit_of_byte": h + 2 * c + 100 + 15}), "stream_chunk"),
        {"name": "trailing_data_after_final_full_chunk", "op": "open_stream", "stream_from": 2,
         "mutation": {"append_hex": "00"}, "expected_error": "stream_chunk"},
        {"name": "share_key_wrong_consent", "op": "open_share", "consent_id": Uuid::from_u128(99),
         "sealed": share["sealed_share_key"], "expected_error": "cannot_open"},
        {"name": "signature_wrong_context", "op": "verify", "context": context::BALLOT,
         "message": sig["message"], "signature": sig["signature"], "expected_error": "invalid_signature"},
        {"name": "recovery_code_typo", "op": "recovery_code",
         "code": "0000-0000-0000-0000-0000-0000-0000-0000-0000-0000-0000-0000-0000-0000", "expected_error": "invalid_recovery_code"},
    ])
}
