//! Builds the vector file's content from fixed randomness (see docs/crypto.md, section 16).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write as _;

use datacoop_crypto::sign::context;
use datacoop_crypto::*;
use serde_json::{json, Value};
use uuid::Uuid;

use super::common::legacy::{self, hpke_base_seal, V1Binding};
use super::common::{b64, hex, pattern, FixedRng};
use super::*;

/// `KdfParams` as the server hands them out, in envelope `version` (1 or 2).
fn kdf_params(m: u32, t: u32, p: u32, salt: [u8; SALT_LEN], version: u8) -> KdfParams {
    let mut env = KdfParams::new(m, t, p, salt).unwrap().to_envelope();
    env[2] = version;
    KdfParams::from_envelope(&env).unwrap()
}

/// The Argon2id salt of section 6, computed here rather than by the crate (which keeps it private).
fn argon2_salt(params: &KdfParams, email: &str) -> Vec<u8> {
    match params.version() {
        1 => params.salt().to_vec(),
        _ => ring::digest::digest(
            &ring::digest::SHA256,
            &Canonical::new("datacoop/v2/argon2-salt")
                .str(email)
                .bytes(params.salt())
                .finish(),
        )
        .as_ref()
        .to_vec(),
    }
}

/// One passphrase-KDF vector; the salt is drawn from the generator labelled `kdf/{label}`.
fn kdf_vector(
    name: &str,
    label: &str,
    version: u8,
    passphrase: &str,
    (m, t, p): (u32, u32, u32),
) -> (Value, Kek) {
    let mut rng = FixedRng::new(&format!("kdf/{label}"));
    let mut salt = [0u8; SALT_LEN];
    rand_core::Rng::fill_bytes(&mut rng, &mut salt);
    let params = kdf_params(m, t, p, salt, version);
    let (auth, kek) = derive_passphrase_keys(passphrase, EMAIL, &params).unwrap();
    let mut v = json!({
        "name": name, "version": version, "passphrase": passphrase, "email": EMAIL,
        "memory_kib": m, "iterations": t, "parallelism": p, "salt": hex(&salt),
        "argon2_salt": hex(&argon2_salt(&params, EMAIL)),
        "params_envelope": b64(&params.to_envelope()),
        "auth_key": hex(auth.as_bytes()), "random": rng.drawn_hex(),
    });
    if version >= 2 {
        use unicode_normalization::UnicodeNormalization;
        let nfc: String = passphrase.nfc().collect();
        if nfc != passphrase {
            v["passphrase_nfc"] = nfc.into();
        }
    }
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
    let floor = (19 * 1024, 2, 1);
    let (kdf_floor, kek) = kdf_vector("floor", "floor", 2, PASSPHRASE, floor);
    let (kdf_default, _) = kdf_vector("default", "default", 2, PASSPHRASE, (64 * 1024, 3, 4));
    let (kdf_nfc, _) = kdf_vector("nfc", "nfc", 2, NFD_PASSPHRASE, floor);
    // Version 1: the salt and parameters of `floor`, derived the datacoop 0.1 way.
    let (kdf_legacy, _) = kdf_vector("floor_v1", "floor", 1, PASSPHRASE, floor);

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
    for (name, b, text) in [
        ("json", binding(RECORD, "application/json"), RECORD_TEXT),
        (
            "empty",
            RecordBinding {
                category: "notes".into(),
                type_code: String::new(),
                effective_at: None,
                ..binding(EMPTY_RECORD, "text/plain")
            },
            "",
        ),
        (
            "before_1970",
            RecordBinding {
                category: "vital-signs".into(),
                type_code: "8867-4".into(),
                effective_at: Some(-618_105_600_000_000), // 1950-06-01T00:00:00Z
                ..binding(HISTORIC_RECORD, "application/json")
            },
            r#"{"type":"heart-rate","bpm":72}"#,
        ),
    ] {
        let mut rng = FixedRng::new(&format!("record/{name}"));
        let sealed = seal_record_with_rng(&vault, &b, text.as_bytes(), &mut rng).unwrap();
        records.push(json!({
            "name": name, "binding": b, "aad": hex(&b.aad(RECORD_FORMAT_VERSION).unwrap()),
            "plaintext": text, "dek": hex(&rng.drawn[..32]), "sealed": sealed, "random": rng.drawn_hex(),
        }));
    }

    // Version-1 data, made by the test's own encoder of the old format (tests/common/legacy.rs).
    let vault_bytes = vault.to_local_bytes();
    let mut rng = FixedRng::new("legacy-record/json");
    let lb = legacy_binding(LEGACY_RECORD);
    let (ldek, lct, lwrap) =
        legacy::seal_record_v1(&vault_bytes, &lb, RECORD_TEXT.as_bytes(), &mut rng);
    let legacy_records = vec![json!({
        "name": "json", "binding": lb.to_json(), "aad": hex(&lb.content_aad()),
        "plaintext": RECORD_TEXT, "dek": hex(&ldek),
        "sealed": {"ciphertext": b64(&lct), "wrapped_key": b64(&lwrap)}, "random": rng.drawn_hex(),
    })];

    let mut rng = FixedRng::new("legacy-device");
    let (lbatch_key, lsealed_batch) = legacy::seal_device_batch_v1(
        keys.hpke.public_key().as_bytes(),
        &MEMBER,
        &LEGACY_BATCH,
        &mut rng,
    );
    let ldb = legacy_binding(LEGACY_DEVICE_RECORD);
    let (ld_dek, ld_ct, ld_ref) = legacy::seal_device_record_v1(
        &lbatch_key,
        &LEGACY_BATCH,
        &ldb,
        RECORD_TEXT.as_bytes(),
        &mut rng,
    );
    let legacy_device_v = json!({
        "member_id": MEMBER, "batch_id": LEGACY_BATCH, "batch_key": hex(&lbatch_key),
        "sealed_batch_key": b64(&lsealed_batch), "binding": ldb.to_json(), "plaintext": RECORD_TEXT,
        "dek": hex(&ld_dek), "sealed": {"ciphertext": b64(&ld_ct), "wrapped_key": b64(&ld_ref)},
        "random": rng.drawn_hex(),
    });

    let mut rng = FixedRng::new("device");
    let device_keys = HpkeKeyPair::generate_with_rng(&mut rng).unwrap();
    let cert = device_certificate(device_keys.public_key().clone());
    let cert_message = cert.message();
    let cert_sig = cert.sign(&keys);
    let batch = DeviceBatch::new_with_rng(
        keys.hpke.public_key(),
        &device_keys,
        MEMBER,
        DEVICE,
        BATCH,
        &mut rng,
    )
    .unwrap();
    let db = device_binding();
    let dsealed = batch
        .seal_record_with_rng(&db, RECORD_TEXT.as_bytes(), &mut rng)
        .unwrap();
    let batch_key: [u8; 32] = rng.drawn[32..64].try_into().unwrap();
    let device_dek = legacy::device_record_key(&batch_key, &MEMBER, &BATCH, &DEVICE_RECORD);
    let device_v = json!({
        "member_id": MEMBER, "device_id": DEVICE, "batch_id": BATCH,
        "device_hpke_ikm": hex(&rng.drawn[..32]),
        "device_private_key": hex(device_keys.private_bytes().as_slice()),
        "device_public_key": hex(device_keys.public_key().as_bytes()),
        "certificate": certificate_json(&cert), "signing_key": "member_keys",
        "context": context::DEVICE_CERTIFICATE, "message": hex(&cert_message),
        "signed_bytes": hex(&datacoop_crypto::sign::signed_bytes(context::DEVICE_CERTIFICATE, &cert_message)),
        "signature": hex(&cert_sig.to_bytes()),
        "batch_key": hex(&batch_key), "sealed_batch_key": b64(batch.sealed_batch_key()),
        "binding": db, "aad": hex(&db.aad(RECORD_FORMAT_VERSION).unwrap()), "plaintext": RECORD_TEXT,
        "dek": hex(&device_dek), "sealed": dsealed, "random": rng.drawn_hex(),
    });

    let mut rng = FixedRng::new("share");
    let study = HpkeKeyPair::generate_with_rng(&mut rng).unwrap();
    let share = ShareKey::generate_with_rng(STUDY, CONSENT, &mut rng);
    let sealed_share = share
        .seal_to_study_with_rng(study.public_key(), &mut rng)
        .unwrap();
    let rec_sealed: SealedRecord = serde_json::from_value(records[0]["sealed"].clone()).unwrap();
    let dek = unwrap_record_key(&vault, &MEMBER, &RECORD, 3, &rec_sealed.wrapped_key).unwrap();
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

    let kdf_floor_envelope = super::common::unb64(kdf_floor["params_envelope"].as_str().unwrap());
    let challenge = pattern(56);
    let new_params = super::common::unb64(kdf_floor["params_envelope"].as_str().unwrap());
    let new_auth = super::common::unhex(kdf_floor["auth_key"].as_str().unwrap());
    let recovery_public = recovery.verifying_key().unwrap();
    let rec_req = RecoveryRequest {
        member_id: &MEMBER,
        challenge: &challenge,
        kdf_params: &new_params,
        auth_key: &new_auth,
        sealed_vault_key: &by_pass,
        new_recovery_vault_key: &by_rec,
        new_recovery_public_key: recovery_public.as_bytes(),
    };
    let recovery_v = json!({
        "member_id": MEMBER, "signing_key": "derived from vault.recovery_code",
        "recovery_public_key": hex(recovery_public.as_bytes()), "challenge": hex(&challenge),
        "kdf_params": b64(&new_params), "auth_key": hex(&new_auth), "sealed_vault_key": b64(&by_pass),
        "new_recovery_vault_key": b64(&by_rec), "new_recovery_public_key": hex(recovery_public.as_bytes()),
        "context": context::ACCOUNT_RECOVERY, "message": hex(&rec_req.message()),
        "signature": hex(&rec_req.sign(&recovery.signing_key().unwrap()).to_bytes()),
    });

    // Key rotation (section 7.2): the keys of `member_keys` as the new keys, signed by their
    // Ed25519 key, retiring two fixed fingerprints (bytes 0x00..0x3f) standing in for earlier keys.
    let new_public_keys = keys.public_keys().to_envelope();
    let rotation = KeyRotation {
        member_id: MEMBER,
        new_keys: key_fingerprint(&new_public_keys),
        retired: pattern(2 * FINGERPRINT_LEN)
            .chunks(FINGERPRINT_LEN)
            .map(|fp| fp.try_into().unwrap())
            .collect(),
    };
    let rotation_sig = rotation.sign(&keys.signing);
    let retired_hex: Vec<String> = rotation.retired.iter().map(|fp| hex(fp)).collect();
    let rotation_v = json!({
        "member_id": MEMBER, "signing_key": "member_keys", "new_public_keys": b64(&new_public_keys),
        "new_keys": hex(&rotation.new_keys), "retired": retired_hex,
        "context": KEY_ROTATION_CONTEXT, "message": hex(&rotation.message()),
        "signature": hex(&rotation_sig.to_bytes()), "log_extra": hex(&rotation.log_extra(&rotation_sig)),
    });

    // The governance key: derived from the vault key for one register entry, and its proof.
    let register_id = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_000000000091);
    let gov_key = vault.governance_key(&register_id).unwrap();
    let gov_public = gov_key.verifying_key();
    let gov_message = Canonical::new(sign::context::GOVERNANCE_KEY)
        .uuid(&register_id)
        .bytes(gov_public.as_bytes())
        .finish();
    let gov_proof = sign(&gov_key, sign::context::GOVERNANCE_KEY, &gov_message);
    let governance_v = json!({
        "vault": "vault", "register_id": register_id, "public_key": hex(gov_public.as_bytes()),
        "context": sign::context::GOVERNANCE_KEY, "proof_message": hex(&gov_message),
        "proof": hex(&gov_proof.to_bytes()),
    });

    json!({
        "format": "datacoop-crypto-test-vectors", "version": 2,
        "rng": "random bytes of vector L are SHA-256(\"datacoop test rng\" || u32be(len(L)) || L || u64be(i)) for i = 0,1,... concatenated; 'random' lists the bytes drawn, in order",
        "stream_plaintext": "byte i of a stream plaintext is i mod 251",
        "kdf": [kdf_floor, kdf_default, kdf_nfc], "kdf_legacy": kdf_legacy, "vault": vault_v, "member_keys": keys_v,
        "records": records, "legacy_records": legacy_records, "device": device_v,
        "legacy_device": legacy_device_v, "share": share_v, "streams": streams,
        "signatures": [sig_v], "account_recovery": recovery_v, "key_rotation": rotation_v,
        "governance_key": governance_v,
        "negative": negative_vectors(&Inputs {
            by_pass: &by_pass, kdf: &kdf_floor_envelope, records: &records, share: &share_v, sig: &sig_v, keys: &keys,
            batch: &batch, batch_key: &batch_key, legacy_device: &legacy_device_v,
            device: &device_v,
        }),
    })
}

pub fn flip(bytes: &[u8], index: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[index] ^= 0x01;
    out
}

/// What the negative vectors are made from.
struct Inputs<'a> {
    by_pass: &'a [u8],
    /// The `kdf[0]` parameters envelope.
    kdf: &'a [u8],
    records: &'a [Value],
    share: &'a Value,
    sig: &'a Value,
    keys: &'a MemberKeys,
    batch: &'a DeviceBatch,
    batch_key: &'a [u8; 32],
    legacy_device: &'a Value,
    device: &'a Value,
}

fn negative_vectors(i: &Inputs) -> Value {
    let (by_pass, share, sig) = (i.by_pass, i.share, i.sig);
    let sealed: SealedRecord = serde_json::from_value(i.records[0]["sealed"].clone()).unwrap();
    let last = sealed.ciphertext.len() - 1;
    let (h, c) = (99, 65536 + 16);
    let mut v2 = by_pass.to_vec();
    v2[2] = 2;
    let mut downgraded = KdfParams::new(64 * 1024, 3, 4, [7; SALT_LEN])
        .unwrap()
        .to_envelope();
    downgraded[3..7].copy_from_slice(&(8 * 1024u32).to_be_bytes());
    let mut kdf_v3 = i.kdf.to_vec();
    kdf_v3[2] = 3;
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
    let other_category = RecordBinding {
        category: "vital-signs".into(),
        ..b.clone()
    };
    let other_type_code = RecordBinding {
        type_code: "8867-4".into(),
        ..b.clone()
    };
    let other_effective = RecordBinding {
        effective_at: Some(1_795_564_800_000_000), // 2026-11-25T00:00:00Z
        ..b.clone()
    };
    let no_effective = RecordBinding {
        effective_at: None,
        ..b.clone()
    };
    let device_author = RecordBinding {
        author: Author::Device(DEVICE),
        ..b.clone()
    };
    let mut downgraded_record = sealed.clone();
    downgraded_record.ciphertext[2] = 1;
    let content = |name: &str, b: RecordBinding, dek: &Value, ct: &Value, err: &str| json!({"name": name, "op": "open_content", "dek": dek, "binding": b, "ciphertext": ct, "expected_error": err});

    // Device records and batches, checked against the device vector's verified certificate.
    let d = i.device;
    let dsealed: SealedRecord = serde_json::from_value(d["sealed"].clone()).unwrap();
    let db = device_binding();
    let cert = certificate_from(&d["certificate"]);
    let cert_v = |name: &str, c: &DeviceCertificate, signature: &str| json!({"name": name, "op": "verify_device_certificate", "certificate": certificate_json(c), "signature": signature, "expected_error": "invalid_signature"});
    let d_sig = d["signature"].as_str().unwrap();
    let renamed = DeviceCertificate {
        name: "wrist tracker 2".into(),
        ..cert.clone()
    };
    let widened = DeviceCertificate {
        categories: Some(vec![
            "vital-signs".into(),
            "activity".into(),
            "location".into(),
        ]),
        ..cert.clone()
    };
    let unrestricted = DeviceCertificate {
        categories: None,
        ..cert.clone()
    };
    let mut rng = FixedRng::new("negative/other-device-key");
    let other_device_keys = HpkeKeyPair::generate_with_rng(&mut rng).unwrap();
    let rekeyed = DeviceCertificate {
        public_key: other_device_keys.public_key().clone(),
        ..cert.clone()
    };
    let other_member = DeviceCertificate {
        member_id: Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_000000000002),
        ..cert.clone()
    };
    let mut rng = FixedRng::new("negative/forged-certificate");
    let forger = MemberKeys::generate_with_rng(&mut rng).unwrap();
    let forged_sig = hex(&cert.sign(&forger).to_bytes());
    // A batch sealed in auth mode by a key pair the certificate does not name.
    let mut rng = FixedRng::new("negative/device-batch-other-key");
    let stolen_batch = DeviceBatch::new_with_rng(
        i.keys.hpke.public_key(),
        &other_device_keys,
        MEMBER,
        DEVICE,
        BATCH,
        &mut rng,
    )
    .unwrap();
    // What anyone knowing the member's public key can make: base mode, current header and info.
    let mut rng = FixedRng::new("negative/device-batch-base-mode");
    let mut forged_key = [0u8; 32];
    rand_core::Rng::fill_bytes(&mut rng, &mut forged_key);
    let forged_batch = hpke_base_seal(
        [0xDC, 0x30, 0x02],
        i.keys.hpke.public_key().as_bytes(),
        &legacy::c(&[
            b"datacoop/v2/device-batch",
            MEMBER.as_bytes(),
            DEVICE.as_bytes(),
            BATCH.as_bytes(),
        ]),
        &forged_key,
        &mut rng,
    );
    let batch_op = |name: &str, batch_id: Uuid, sealed: &[u8], err: &str| json!({"name": name, "op": "open_device_batch", "batch_id": batch_id, "sealed_batch_key": b64(sealed), "expected_error": err});
    let drec = |name: &str, b: RecordBinding, s: &SealedRecord, err: &str| json!({"name": name, "op": "open_device_record", "binding": b, "sealed": s, "expected_error": err});
    let mut rng = FixedRng::new("negative/device-record-category");
    let off_category = RecordBinding {
        category: "location".into(),
        ..db.clone()
    };
    let off_sealed = i
        .batch
        .seal_record_with_rng(&off_category, RECORD_TEXT.as_bytes(), &mut rng)
        .unwrap();
    // The device writing an old-format record into a current batch: refused, its AAD names no author.
    let mut rng = FixedRng::new("negative/device-record-version-1");
    let v1b = V1Binding {
        version: db.version,
        ..legacy_binding(DEVICE_RECORD)
    };
    let (_, v1_ct, _) =
        legacy::seal_device_record_v1(i.batch_key, &BATCH, &v1b, RECORD_TEXT.as_bytes(), &mut rng);
    let v1_in_batch = SealedRecord {
        ciphertext: v1_ct,
        wrapped_key: dsealed.wrapped_key.clone(),
    };
    let legacy_batch = unb64(i.legacy_device["sealed_batch_key"].as_str().unwrap());

    json!([
        {"name": "wrong_passphrase", "op": "open_vault_key", "passphrase": "correct horse battery stapler",
         "email": EMAIL, "sealed": b64(by_pass), "expected_error": "wrong_key"},
        {"name": "wrong_email", "op": "open_vault_key", "passphrase": PASSPHRASE,
         "email": OTHER_EMAIL, "sealed": b64(by_pass), "expected_error": "wrong_key"},
        {"name": "unknown_envelope_version", "op": "open_vault_key", "passphrase": PASSPHRASE,
         "email": EMAIL, "sealed": b64(&v2), "expected_error": "unsupported_version"},
        {"name": "downgraded_kdf_params", "op": "kdf_params", "params_envelope": b64(&downgraded),
         "expected_error": "kdf_params_below_floor"},
        {"name": "unknown_kdf_params_version", "op": "kdf_params", "params_envelope": b64(&kdf_v3),
         "expected_error": "unsupported_version"},
        rec("flipped_ciphertext_bit", b.clone(), &flipped_ct, "tampered"),
        rec("flipped_tag_bit", b.clone(), &flipped_tag, "tampered"),
        rec("flipped_commitment_bit", b.clone(), &flipped_commit, "wrong_key"),
        rec("flipped_wrapped_key_bit", b.clone(), &flipped_wrap, "tampered"),
        rec("swapped_aad_version", other_version, &sealed, "tampered"),
        rec("swapped_aad_content_type", other_type, &sealed, "tampered"),
        rec("swapped_aad_record_id", other_record, &sealed, "tampered"),
        rec("swapped_aad_category", other_category, &sealed, "tampered"),
        rec("swapped_aad_type_code", other_type_code, &sealed, "tampered"),
        rec("swapped_aad_effective_at", other_effective, &sealed, "tampered"),
        rec("removed_aad_effective_at", no_effective, &sealed, "tampered"),
        rec("downgraded_record_version", b.clone(), &downgraded_record, "tampered"),
        rec("record_author_not_member", device_author, &sealed, "binding_mismatch"),
        content("swapped_aad_author", RecordBinding { author: Author::Member, ..db.clone() }, &d["dek"], &d["sealed"]["ciphertext"], "tampered"),
        content("swapped_aad_author_device", RecordBinding { author: Author::Device(OTHER_DEVICE), ..db.clone() }, &d["dek"], &d["sealed"]["ciphertext"], "tampered"),
        {"name": "wrap_for_other_version", "op": "unwrap_record_key", "record_id": RECORD, "version": 4,
         "wrapped": b64(&sealed.wrapped_key), "expected_error": "tampered"},
        cert_v("device_certificate_changed_name", &renamed, d_sig),
        cert_v("device_certificate_added_category", &widened, d_sig),
        cert_v("device_certificate_any_category", &unrestricted, d_sig),
        cert_v("device_certificate_changed_key", &rekeyed, d_sig),
        cert_v("device_certificate_changed_member", &other_member, d_sig),
        cert_v("device_certificate_not_signed_by_member", &cert, &forged_sig),
        batch_op("device_batch_other_device_key", BATCH, stolen_batch.sealed_batch_key(), "cannot_open"),
        batch_op("device_batch_base_mode_forgery", BATCH, &forged_batch, "cannot_open"),
        batch_op("device_batch_version_1", LEGACY_BATCH, &legacy_batch, "unauthenticated"),
        drec("device_record_outside_categories", off_category, &off_sealed, "binding_mismatch"),
        drec("device_record_member_author", RecordBinding { author: Author::Member, ..db.clone() }, &dsealed, "binding_mismatch"),
        drec("device_record_other_device_author", RecordBinding { author: Author::Device(OTHER_DEVICE), ..db.clone() }, &dsealed, "binding_mismatch"),
        drec("device_record_version_1", db.clone(), &v1_in_batch, "unauthenticated"),
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
