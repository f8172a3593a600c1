//! Test vectors: `tests/vectors.json` is regenerated from fixed randomness and must match byte
//! for byte; every positive vector must open, every negative vector must fail with its error code.
//!
//! Regenerate after an intended format change with
//! `DATACOOP_WRITE_VECTORS=1 cargo test -p datacoop-crypto --test vectors` (the other tests
//! then check what is being written, so they do not race the rewrite).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
#[path = "vectors/generate.rs"]
mod generate;

use common::legacy::V1Binding;
use common::{hex, pattern, unb64, unhex, ReplayRng};
use datacoop_crypto::*;
use generate::{flip, generate};
use serde_json::{json, Value};
use uuid::Uuid;

const PASSPHRASE: &str = "correct horse battery staple";
/// "café crème brûlée" in NFD (decomposed): version 2 hashes its NFC form.
const NFD_PASSPHRASE: &str = "cafe\u{301} cre\u{300}me bru\u{302}le\u{301}e";
/// The account's email, normalised (trimmed, lower case).
const EMAIL: &str = "ana@example.org";
const OTHER_EMAIL: &str = "bo@example.org";
const MEMBER: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_000000000001);
const RECORD: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000a1);
const EMPTY_RECORD: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000a2);
const DEVICE_RECORD: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000a3);
const HISTORIC_RECORD: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000a6);
const LEGACY_RECORD: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000a4);
const LEGACY_DEVICE_RECORD: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000a5);
const BATCH: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000b1);
const LEGACY_BATCH: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000b2);
const STUDY: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000c1);
const CONSENT: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000d1);
const BLOB: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000e1);
const DEVICE: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000f1);
const OTHER_DEVICE: Uuid = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_0000000000f2);
const STREAM_SIZES: [usize; 4] = [0, 1000, 65536, 2 * 65536 + 100];
const RECORD_TEXT: &str = r#"{"type":"steps","count":8042,"date":"2026-11-24"}"#;
const DEVICE_CATEGORIES: [&str; 2] = ["vital-signs", "activity"];

/// A version-2 binding written by the member's own client.
fn binding(record_id: Uuid, content_type: &str) -> RecordBinding {
    RecordBinding {
        member_id: MEMBER,
        record_id,
        version: 3,
        content_type: content_type.into(),
        category: "activity".into(),
        type_code: "55423-8".into(),
        effective_at: Some(1_795_478_400_000_000), // 2026-11-24T00:00:00Z
        author: Author::Member,
    }
}

/// The binding of the device vector's record.
fn device_binding() -> RecordBinding {
    RecordBinding {
        author: Author::Device(DEVICE),
        ..binding(DEVICE_RECORD, "application/json")
    }
}

/// A version-1 binding (the JSON of datacoop 0.1 has only these fields).
fn legacy_binding(record_id: Uuid) -> V1Binding {
    V1Binding {
        member_id: MEMBER,
        record_id,
        version: 1,
        content_type: "application/json".into(),
    }
}

/// The certificate the member signs for the vector's device.
fn device_certificate(public_key: HpkePublicKey) -> DeviceCertificate {
    DeviceCertificate {
        member_id: MEMBER,
        device_id: DEVICE,
        name: "wrist tracker".into(),
        categories: Some(DEVICE_CATEGORIES.iter().map(|c| c.to_string()).collect()),
        public_key,
    }
}

/// A certificate in the vector file: ids, name, categories (`null`: any), key in hex.
fn certificate_json(cert: &DeviceCertificate) -> Value {
    json!({
        "member_id": cert.member_id, "device_id": cert.device_id, "name": cert.name,
        "categories": cert.categories, "public_key": hex(cert.public_key.as_bytes()),
    })
}

fn certificate_from(v: &Value) -> DeviceCertificate {
    DeviceCertificate {
        member_id: serde_json::from_value(v["member_id"].clone()).unwrap(),
        device_id: serde_json::from_value(v["device_id"].clone()).unwrap(),
        name: v["name"].as_str().unwrap().into(),
        categories: serde_json::from_value(v["categories"].clone()).unwrap(),
        public_key: HpkePublicKey::from_bytes(&unhex(v["public_key"].as_str().unwrap())).unwrap(),
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
    if std::env::var_os("DATACOOP_WRITE_VECTORS").is_some() {
        return generate();
    }
    serde_json::from_str(&std::fs::read_to_string(path()).expect("tests/vectors.json")).unwrap()
}

#[test]
fn vectors_file_matches_fixed_randomness() {
    let generated = generate();
    if std::env::var_os("DATACOOP_WRITE_VECTORS").is_some() {
        let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
        std::fs::write(path(), text).unwrap();
    }
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(path()).expect("tests/vectors.json"))
            .unwrap();
    assert!(
        written == generated,
        "tests/vectors.json differs from what the code produces"
    );
}

fn kek_from_file(v: &Value, passphrase: &str, email: &str) -> Kek {
    let params =
        KdfParams::from_envelope(&unb64(v["kdf"][0]["params_envelope"].as_str().unwrap())).unwrap();
    derive_passphrase_keys(passphrase, email, &params)
        .unwrap()
        .1
}

/// Checks one `kdf[]` or `kdf_legacy` vector against the crate; returns its parameters.
fn check_kdf_vector(k: &Value, version: u8) -> KdfParams {
    let env = unb64(k["params_envelope"].as_str().unwrap());
    assert_eq!(env[2], version);
    let params = KdfParams::from_envelope(&env).unwrap();
    assert_eq!(params.version(), version);
    assert_eq!(k["version"], version);
    assert_eq!(params.is_legacy(), version == 1);
    assert_eq!(params.to_envelope(), env);
    assert_eq!(hex(params.salt()), k["salt"].as_str().unwrap());
    assert_eq!(
        (
            params.memory_kib(),
            params.iterations(),
            params.parallelism()
        ),
        (
            k["memory_kib"].as_u64().unwrap() as u32,
            k["iterations"].as_u64().unwrap() as u32,
            k["parallelism"].as_u64().unwrap() as u32
        )
    );
    let (passphrase, email) = (
        k["passphrase"].as_str().unwrap(),
        k["email"].as_str().unwrap(),
    );
    let (auth, _) = derive_passphrase_keys(passphrase, email, &params).unwrap();
    assert_eq!(hex(auth.as_bytes()), k["auth_key"].as_str().unwrap());
    if let Some(nfc) = k["passphrase_nfc"].as_str() {
        // Given decomposed; the composed form derives the same keys.
        assert_ne!(nfc, passphrase);
        let (auth, _) = derive_passphrase_keys(nfc, email, &params).unwrap();
        assert_eq!(hex(auth.as_bytes()), k["auth_key"].as_str().unwrap());
    }
    params
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
    let kdf = v["kdf"].as_array().unwrap();
    assert_eq!(kdf.len(), 3);
    assert!(kdf.iter().any(|k| k["passphrase"] == NFD_PASSPHRASE));
    for k in kdf {
        check_kdf_vector(k, 2);
    }
    // Version 1: the server's salt as the Argon2 salt, the passphrase as given; the email
    // plays no part, and the same salt as `kdf[0]` gives other keys than version 2 does.
    let legacy = check_kdf_vector(&v["kdf_legacy"], 1);
    assert_eq!(v["kdf_legacy"]["salt"], kdf[0]["salt"]);
    assert_eq!(
        v["kdf_legacy"]["argon2_salt"], v["kdf_legacy"]["salt"],
        "version 1 uses the server's salt"
    );
    assert_ne!(v["kdf_legacy"]["auth_key"], kdf[0]["auth_key"]);
    let (auth, _) = derive_passphrase_keys(PASSPHRASE, OTHER_EMAIL, &legacy).unwrap();
    assert_eq!(
        hex(auth.as_bytes()),
        v["kdf_legacy"]["auth_key"].as_str().unwrap()
    );
    let vault = vault_from_file(&v);
    let kek = kek_from_file(&v, PASSPHRASE, EMAIL);
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
        assert_eq!(record_format(&s.ciphertext).unwrap(), 2);
        assert_eq!(hex(&b.aad(2).unwrap()), r["aad"].as_str().unwrap());
        let plain = open_record(&vault, &b, &s).unwrap();
        assert_eq!(
            plain.as_slice(),
            r["plaintext"].as_str().unwrap().as_bytes()
        );
    }

    // Version-1 records still open; their binding is the old JSON (new fields defaulted).
    for r in v["legacy_records"].as_array().unwrap() {
        let b: RecordBinding = serde_json::from_value(r["binding"].clone()).unwrap();
        assert_eq!(b.author, Author::Member);
        let s: SealedRecord = serde_json::from_value(r["sealed"].clone()).unwrap();
        assert_eq!(record_format(&s.ciphertext).unwrap(), 1);
        assert_eq!(hex(&b.aad(1).unwrap()), r["aad"].as_str().unwrap());
        let plain = open_record(&vault, &b, &s).unwrap();
        assert_eq!(
            plain.as_slice(),
            r["plaintext"].as_str().unwrap().as_bytes()
        );
    }

    let d = &v["device"];
    let device_keys =
        HpkeKeyPair::from_private_bytes(&unhex(d["device_private_key"].as_str().unwrap())).unwrap();
    let replayed = HpkeKeyPair::generate_with_rng(&mut ReplayRng::new(unhex(
        d["device_hpke_ikm"].as_str().unwrap(),
    )))
    .unwrap();
    assert_eq!(replayed.public_key(), device_keys.public_key());
    assert_eq!(
        hex(device_keys.public_key().as_bytes()),
        d["device_public_key"].as_str().unwrap()
    );
    let cert = certificate_from(&d["certificate"]);
    assert_eq!(&cert.public_key, device_keys.public_key());
    assert_eq!(hex(&cert.message()), d["message"].as_str().unwrap());
    let sig = Signature::from_bytes(&unhex(d["signature"].as_str().unwrap())).unwrap();
    // The member's client checks the certificate with the key it holds itself.
    let device = cert.verify(&keys.public_keys(), &sig).unwrap();
    let sealed_batch = unb64(d["sealed_batch_key"].as_str().unwrap());
    assert_eq!(device_batch_format(&sealed_batch).unwrap(), 2);
    let batch = open_device_batch(&keys, &device, &BATCH, &sealed_batch).unwrap();
    assert_eq!(batch.device(), Some(&device));
    let b: RecordBinding = serde_json::from_value(d["binding"].clone()).unwrap();
    assert_eq!(b.author, Author::Device(DEVICE));
    assert!(device.allows(&b.category));
    assert_eq!(hex(&b.aad(2).unwrap()), d["aad"].as_str().unwrap());
    let s: SealedRecord = serde_json::from_value(d["sealed"].clone()).unwrap();
    assert_eq!(device_record_batch_id(&s.wrapped_key).unwrap(), BATCH);
    assert_eq!(
        open_device_record(&batch, &b, &s).unwrap().as_slice(),
        RECORD_TEXT.as_bytes()
    );
    let dek = RecordKey::generate_with_rng(&mut ReplayRng::new(unhex(d["dek"].as_str().unwrap())));
    assert_eq!(batch.record_key(&DEVICE_RECORD).unwrap(), dek);

    // A version-1 device batch opens only through the explicit legacy path.
    let ld = &v["legacy_device"];
    let sealed_batch = unb64(ld["sealed_batch_key"].as_str().unwrap());
    assert_eq!(device_batch_format(&sealed_batch).unwrap(), 1);
    let legacy = open_legacy_device_batch(&keys, &MEMBER, &LEGACY_BATCH, &sealed_batch).unwrap();
    assert!(legacy.device().is_none());
    let b: RecordBinding = serde_json::from_value(ld["binding"].clone()).unwrap();
    let s: SealedRecord = serde_json::from_value(ld["sealed"].clone()).unwrap();
    assert_eq!(record_format(&s.ciphertext).unwrap(), 1);
    assert_eq!(
        open_device_record(&legacy, &b, &s).unwrap().as_slice(),
        ld["plaintext"].as_str().unwrap().as_bytes()
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
    let (new_copy, new_public) = (
        unb64(field("new_recovery_vault_key")),
        unhex(field("new_recovery_public_key")),
    );
    let req = RecoveryRequest {
        member_id: &MEMBER,
        challenge: &challenge,
        kdf_params: &params,
        auth_key: &auth,
        sealed_vault_key: &sealed,
        new_recovery_vault_key: &new_copy,
        new_recovery_public_key: &new_public,
    };
    assert_eq!(hex(&req.message()), field("message"));
    let code = RecoveryKey::from_code(v["vault"]["recovery_code"].as_str().unwrap()).unwrap();
    let public = code.verifying_key().unwrap();
    assert_eq!(hex(public.as_bytes()), field("recovery_public_key"));
    let sig = Signature::from_bytes(&unhex(field("signature"))).unwrap();
    req.verify(&public, &sig).unwrap();
    let replayed = RecoveryRequest {
        challenge: &challenge[1..],
        ..req
    };
    assert!(replayed.verify(&public, &sig).is_err());
    // The member's own key (which a vault-key thief could open) does not verify it.
    let member = MemberPublicKeys::from_envelope(&unb64(
        v["member_keys"]["public_keys_envelope"].as_str().unwrap(),
    ))
    .unwrap();
    assert!(req.verify(&member.signing, &sig).is_err());

    // The governance key: the vault vector's key derives it for the register entry, and
    // its proof verifies under it (docs/crypto.md section 13.1).
    let g = &v["governance_key"];
    let register_id: Uuid = serde_json::from_value(g["register_id"].clone()).unwrap();
    let vault_key =
        VaultKey::from_local_bytes(&unhex(v["vault"]["vault_key"].as_str().unwrap())).unwrap();
    let gk = vault_key.governance_key(&register_id).unwrap();
    assert_eq!(
        hex(gk.verifying_key().as_bytes()),
        g["public_key"].as_str().unwrap()
    );
    let gpub = VerifyingKey::from_bytes(&unhex(g["public_key"].as_str().unwrap())).unwrap();
    let gmsg = Canonical::new(g["context"].as_str().unwrap())
        .uuid(&register_id)
        .bytes(gpub.as_bytes())
        .finish();
    assert_eq!(hex(&gmsg), g["proof_message"].as_str().unwrap());
    let gsig = Signature::from_bytes(&unhex(g["proof"].as_str().unwrap())).unwrap();
    verify(&gpub, sign::context::GOVERNANCE_KEY, &gmsg, &gsig).unwrap();
    assert!(verify(&gpub, sign::context::BALLOT, &gmsg, &gsig).is_err());

    // Key rotation: the statement is rebuilt from its inputs, signed again (Ed25519 is
    // deterministic) by the Ed25519 key of `member_keys`, and verified with the key the new
    // envelope carries, as `log verify` does.
    let kr = &v["key_rotation"];
    let field = |name: &str| kr[name].as_str().unwrap();
    assert_eq!(kr["member_id"], json!(MEMBER));
    assert_eq!(
        kr["new_public_keys"],
        v["member_keys"]["public_keys_envelope"]
    );
    let new_public_keys = unb64(field("new_public_keys"));
    let new_public = MemberPublicKeys::from_envelope(&new_public_keys).unwrap();
    assert_eq!(new_public, keys.public_keys());
    assert_eq!(hex(&key_fingerprint(&new_public_keys)), field("new_keys"));
    let retired: Vec<[u8; FINGERPRINT_LEN]> = kr["retired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|fp| unhex(fp.as_str().unwrap()).try_into().unwrap())
        .collect();
    assert_eq!(retired.len(), 2);
    let rotation = KeyRotation {
        member_id: MEMBER,
        new_keys: key_fingerprint(&new_public_keys),
        retired,
    };
    assert_eq!(field("context"), KEY_ROTATION_CONTEXT);
    assert_eq!(hex(&rotation.message()), field("message"));
    let sig = Signature::from_bytes(&unhex(field("signature"))).unwrap();
    assert_eq!(rotation.sign(&keys.signing), sig);
    rotation.verify(&new_public.signing, &sig).unwrap();
    verify(
        &new_public.signing,
        field("context"),
        &unhex(field("message")),
        &sig,
    )
    .unwrap();
    let log_extra = unhex(field("log_extra"));
    assert_eq!(rotation.log_extra(&sig), log_extra);
    assert_eq!(log_extra.len(), FINGERPRINT_LEN + 64 + 2 * FINGERPRINT_LEN);
    let (parsed, parsed_sig) = KeyRotation::from_log_extra(MEMBER, &log_extra)
        .unwrap()
        .unwrap();
    assert_eq!(parsed, rotation);
    assert_eq!(parsed_sig, sig);
    // Dropping either retired fingerprint breaks the signature.
    for i in 0..rotation.retired.len() {
        let mut fewer = rotation.clone();
        fewer.retired.remove(i);
        let err = fewer.verify(&new_public.signing, &sig).unwrap_err();
        assert_eq!(err.code(), "invalid_signature");
    }
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
    let keys = MemberKeys::open(
        &unb64(v["member_keys"]["sealed_private_keys"].as_str().unwrap()),
        &vault,
        &MEMBER,
    )
    .unwrap();
    let d = &v["device"];
    let device_sig = Signature::from_bytes(&unhex(d["signature"].as_str().unwrap())).unwrap();
    let device = certificate_from(&d["certificate"])
        .verify(&keys.public_keys(), &device_sig)
        .unwrap();
    let batch = open_device_batch(
        &keys,
        &device,
        &BATCH,
        &unb64(d["sealed_batch_key"].as_str().unwrap()),
    )
    .unwrap();
    let mut names = std::collections::HashSet::new();
    for n in v["negative"].as_array().unwrap() {
        let name = n["name"].as_str().unwrap();
        assert!(names.insert(name), "duplicate negative vector {name}");
        let bytes = |field: &str| unb64(n[field].as_str().unwrap());
        let result: Result<()> = match n["op"].as_str().unwrap() {
            "open_vault_key" => open_vault_key(
                &bytes("sealed"),
                &kek_from_file(
                    &v,
                    n["passphrase"].as_str().unwrap(),
                    n["email"].as_str().unwrap(),
                ),
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
            "open_content" => {
                let key = RecordKey::generate_with_rng(&mut ReplayRng::new(unhex(
                    n["dek"].as_str().unwrap(),
                )));
                let b: RecordBinding = serde_json::from_value(n["binding"].clone()).unwrap();
                open_content(&key, &b, &bytes("ciphertext")).map(drop)
            }
            "unwrap_record_key" => {
                let record: Uuid = serde_json::from_value(n["record_id"].clone()).unwrap();
                let version = n["version"].as_u64().unwrap();
                unwrap_record_key(&vault, &MEMBER, &record, version, &bytes("wrapped")).map(drop)
            }
            "verify_device_certificate" => {
                let sig = Signature::from_bytes(&unhex(n["signature"].as_str().unwrap())).unwrap();
                certificate_from(&n["certificate"])
                    .verify(&keys.public_keys(), &sig)
                    .map(drop)
            }
            "open_device_batch" => {
                let batch_id: Uuid = serde_json::from_value(n["batch_id"].clone()).unwrap();
                open_device_batch(&keys, &device, &batch_id, &bytes("sealed_batch_key")).map(drop)
            }
            "open_device_record" => {
                let b: RecordBinding = serde_json::from_value(n["binding"].clone()).unwrap();
                let s: SealedRecord = serde_json::from_value(n["sealed"].clone()).unwrap();
                open_device_record(&batch, &b, &s).map(drop)
            }
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
