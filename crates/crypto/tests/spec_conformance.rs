//! A second, independent implementation of the *opening* side of docs/crypto.md, built only
//! from raw primitives (argon2, ring HKDF/HMAC, RustCrypto XChaCha20/ChaCha20-Poly1305, raw
//! HPKE), run against tests/vectors.json. If the spec and the crate disagree, this fails.
//! It reads both the current formats (specification version 2) and the version-1 data that
//! must stay readable (records, device batches, version-1 KDF parameters). It never calls
//! the crate's KDF, record or device code.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, XChaCha20Poly1305};
use common::{hex, pattern, unb64, unhex};
use hpke::{Deserializable, Kem as _, Serializable};
use ring::{hkdf, hmac};
use serde_json::Value;
use uuid::Uuid;

type Kem = hpke::kem::X25519HkdfSha256;

/// C(field, …): each field as u32be(len) ‖ bytes.
fn c(fields: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in fields {
        out.extend_from_slice(&(f.len() as u32).to_be_bytes());
        out.extend_from_slice(f);
    }
    out
}

struct L(usize);
impl hkdf::KeyType for L {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf_with(salt: &[u8], ikm: &[u8], info: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 32];
    hkdf::Salt::new(hkdf::HKDF_SHA256, salt)
        .extract(ikm)
        .expand(&[info], L(32))
        .unwrap()
        .fill(&mut out)
        .unwrap();
    out
}

fn derive(ikm: &[u8], info: &[u8]) -> Vec<u8> {
    hkdf_with(b"datacoop/v1/hkdf", ikm, info)
}

fn uuid(v: &Value) -> [u8; 16] {
    *Uuid::parse_str(v.as_str().unwrap()).unwrap().as_bytes()
}

/// Opens a committed XChaCha20-Poly1305 box: header(3) ‖ nonce(24) ‖ commitment(32) ‖ ct ‖ tag(16).
fn open_box(kind: u8, version: u8, key: &[u8], aad: &[u8], env: &[u8]) -> Vec<u8> {
    try_open_box(kind, version, key, aad, env).expect("box opens")
}

fn try_open_box(kind: u8, version: u8, key: &[u8], aad: &[u8], env: &[u8]) -> Option<Vec<u8>> {
    assert_eq!(&env[..3], &[0xDC, kind, version]);
    let nonce = &env[3..27];
    let commit = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, key),
        &[b"datacoop/v1/key-commitment".as_slice(), nonce].concat(),
    );
    assert_eq!(commit.as_ref(), &env[27..59], "key commitment");
    let full_aad = [&env[..3], aad].concat();
    XChaCha20Poly1305::new_from_slice(key)
        .unwrap()
        .decrypt(
            nonce.try_into().unwrap(),
            Payload {
                msg: &env[59..],
                aad: &full_aad,
            },
        )
        .ok()
}

/// Opens an HPKE envelope (aad = its 3-byte header) in base mode, or in auth mode from `sender`.
fn hpke_open(
    header: [u8; 3],
    sk: &<Kem as hpke::Kem>::PrivateKey,
    sender: Option<&<Kem as hpke::Kem>::PublicKey>,
    info: &[u8],
    env: &[u8],
) -> Option<Vec<u8>> {
    assert_eq!(env.len(), 3 + 32 + 48);
    assert_eq!(&env[..3], &header);
    let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&env[3..35]).unwrap();
    let mode = match sender {
        None => hpke::OpModeR::Base,
        Some(pk) => hpke::OpModeR::Auth(pk.clone()),
    };
    hpke::single_shot_open::<hpke::aead::ChaCha20Poly1305, hpke::kdf::HkdfSha256, Kem>(
        &mode,
        sk,
        &enc,
        info,
        &env[35..],
        &header,
    )
    .ok()
}

/// The version-2 content AAD of a record binding in its JSON form (section 9).
fn record_aad_v2(b: &Value) -> Vec<u8> {
    let mut fields: Vec<Vec<u8>> = vec![
        b"datacoop/v2/record".to_vec(),
        uuid(&b["member_id"]).to_vec(),
        uuid(&b["record_id"]).to_vec(),
        b["version"].as_u64().unwrap().to_be_bytes().to_vec(),
        b["content_type"].as_str().unwrap().as_bytes().to_vec(),
        b["category"].as_str().unwrap().as_bytes().to_vec(),
        b["type_code"].as_str().unwrap().as_bytes().to_vec(),
    ];
    match b["effective_at"].as_i64() {
        None => {
            assert!(b["effective_at"].is_null());
            fields.push(vec![0]);
        }
        Some(micros) => {
            fields.push(vec![1]);
            fields.push(micros.to_be_bytes().to_vec());
        }
    }
    match b["author"]["kind"].as_str().unwrap() {
        "member" => fields.push(vec![0]),
        "device" => {
            fields.push(vec![1]);
            fields.push(uuid(&b["author"]["id"]).to_vec());
        }
        other => panic!("unknown author kind {other}"),
    }
    c(&fields.iter().map(Vec::as_slice).collect::<Vec<_>>())
}

/// The version-1 content AAD (the old JSON binding has only these fields).
fn record_aad_v1(b: &Value) -> Vec<u8> {
    c(&[
        b"datacoop/v1/record",
        &[1],
        &uuid(&b["member_id"]),
        &uuid(&b["record_id"]),
        &b["version"].as_u64().unwrap().to_be_bytes(),
        b["content_type"].as_str().unwrap().as_bytes(),
    ])
}

/// The bytes a member signs for a device (section 10): categories sorted, duplicates dropped.
fn certificate_message(cert: &Value) -> Vec<u8> {
    let mut fields: Vec<Vec<u8>> = vec![
        b"datacoop/v1/device-certificate".to_vec(),
        uuid(&cert["member_id"]).to_vec(),
        uuid(&cert["device_id"]).to_vec(),
        cert["name"].as_str().unwrap().as_bytes().to_vec(),
    ];
    match cert["categories"].as_array() {
        None => fields.push(vec![0]),
        Some(list) => {
            let mut cats: Vec<&str> = list.iter().map(|c| c.as_str().unwrap()).collect();
            cats.sort_unstable();
            cats.dedup();
            fields.push(vec![1]);
            fields.push((cats.len() as u32).to_be_bytes().to_vec());
            fields.extend(cats.iter().map(|c| c.as_bytes().to_vec()));
        }
    }
    fields.push(unhex(cert["public_key"].as_str().unwrap()));
    c(&fields.iter().map(Vec::as_slice).collect::<Vec<_>>())
}

fn ed25519_verify(public: &[u8], context: &str, message: &[u8], signature: &[u8]) -> bool {
    let signed = c(&[b"datacoop/v1/signature", context.as_bytes(), message]);
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public)
        .verify(&signed, signature)
        .is_ok()
}

fn crockford_decode(code: &str) -> Vec<u8> {
    let alphabet = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bits = String::new();
    for ch in code.chars().filter(|c| *c != '-') {
        let v = alphabet.iter().position(|a| *a as char == ch).unwrap();
        bits.push_str(&format!("{v:05b}"));
    }
    (0..bits.len() / 8)
        .map(|i| u8::from_str_radix(&bits[i * 8..i * 8 + 8], 2).unwrap())
        .collect()
}

fn nfc(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfc().collect()
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes(b.try_into().unwrap())
}

/// Section 6: the Argon2id input and salt for `passphrase` and `email` under a `KdfParams`
/// envelope, then `(auth_key, KEK)`. Version 2 hashes the NFC form with the salt
/// `SHA-256(C("datacoop/v2/argon2-salt", email, salt))`; version 1 the bytes as given with
/// the envelope's salt.
fn argon2_inputs(passphrase: &str, email: &str, env: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let salt = &env[15..31];
    match env[2] {
        1 => (passphrase.as_bytes().to_vec(), salt.to_vec()),
        2 => (
            nfc(passphrase).into_bytes(),
            ring::digest::digest(
                &ring::digest::SHA256,
                &c(&[b"datacoop/v2/argon2-salt", email.as_bytes(), salt]),
            )
            .as_ref()
            .to_vec(),
        ),
        other => panic!("KdfParams version {other}"),
    }
}

/// `(auth_key, KEK)` from the `passphrase`, `email` and `params_envelope` of a vector.
fn passphrase_keys(k: &Value) -> (Vec<u8>, Vec<u8>) {
    let env = unb64(k["params_envelope"].as_str().unwrap());
    assert_eq!(env.len(), 31);
    assert_eq!(&env[..2], &[0xDC, 0x01]);
    let (input, salt) = argon2_inputs(
        k["passphrase"].as_str().unwrap(),
        k["email"].as_str().unwrap(),
        &env,
    );
    let (m, t, p) = (be32(&env[3..7]), be32(&env[7..11]), be32(&env[11..15]));
    let params = argon2::Params::new(m, t, p, Some(32)).unwrap();
    let mut master = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(&input, &salt, &mut master)
        .unwrap();
    (
        derive(&master, &c(&[b"datacoop/v1/auth-key"])),
        derive(&master, &c(&[b"datacoop/v1/kek"])),
    )
}

/// Checks a KDF vector of envelope `version` field by field; returns its KEK.
fn passphrase_kdf(k: &Value, version: u8) -> Vec<u8> {
    let env = unb64(k["params_envelope"].as_str().unwrap());
    assert_eq!(&env[..3], &[0xDC, 0x01, version]);
    assert_eq!(k["version"], version);
    assert_eq!(u64::from(be32(&env[3..7])), k["memory_kib"]);
    assert_eq!(u64::from(be32(&env[7..11])), k["iterations"]);
    assert_eq!(u64::from(be32(&env[11..15])), k["parallelism"]);
    assert_eq!(hex(&env[15..]), k["salt"].as_str().unwrap());
    // The email as the server stores it: trimmed, lower case.
    let email = k["email"].as_str().unwrap();
    assert_eq!(email, email.trim().to_lowercase());
    let passphrase = k["passphrase"].as_str().unwrap();
    let (_, salt) = argon2_inputs(passphrase, email, &env);
    assert_eq!(hex(&salt), k["argon2_salt"].as_str().unwrap());
    assert_eq!(salt.len(), if version == 1 { 16 } else { 32 });
    if let Some(composed) = k["passphrase_nfc"].as_str() {
        assert_eq!(version, 2);
        assert_ne!(composed, passphrase, "given in another form than NFC");
        assert_eq!(nfc(passphrase), composed);
    }
    let (auth, kek) = passphrase_keys(k);
    assert_eq!(hex(&auth), k["auth_key"].as_str().unwrap());
    kek
}

#[test]
fn vectors_open_with_an_independent_implementation_of_the_spec() {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors.json"))
            .unwrap(),
    )
    .unwrap();

    // Passphrase KDF: every `kdf[]` vector in version 2, `kdf_legacy` in version 1.
    let kdf = v["kdf"].as_array().unwrap();
    let keks: Vec<Vec<u8>> = kdf.iter().map(|k| passphrase_kdf(k, 2)).collect();
    let kek = keks[0].clone();
    let env = unb64(kdf[0]["params_envelope"].as_str().unwrap());
    assert_eq!(&env[..3], &[0xDC, 0x01, 0x02]);
    assert_eq!(&env[3..15], &[0, 0, 0x4C, 0, 0, 0, 0, 2, 0, 0, 0, 1]);
    assert!(
        kdf.iter().any(|k| k["passphrase_nfc"].is_string()),
        "an NFC vector"
    );
    let legacy = &v["kdf_legacy"];
    passphrase_kdf(legacy, 1);
    assert_eq!(legacy["salt"], kdf[0]["salt"]);
    assert_ne!(legacy["auth_key"], kdf[0]["auth_key"]);

    // The passphrase negatives: the KEK they derive fails the vault box's key commitment.
    for n in v["negative"].as_array().unwrap() {
        let sealed = unb64(n["sealed"].as_str().unwrap_or_default());
        if n["op"] == "open_vault_key" && sealed.get(2) == Some(&1) {
            assert_eq!(n["expected_error"], "wrong_key");
            let wrong = Value::from_iter([
                ("passphrase", n["passphrase"].clone()),
                ("email", n["email"].clone()),
                ("params_envelope", kdf[0]["params_envelope"].clone()),
            ]);
            let commit = hmac::sign(
                &hmac::Key::new(hmac::HMAC_SHA256, &passphrase_keys(&wrong).1),
                &[b"datacoop/v1/key-commitment".as_slice(), &sealed[3..27]].concat(),
            );
            assert_ne!(commit.as_ref(), &sealed[27..59]);
        }
    }

    // Vault key, both copies.
    let vv = &v["vault"];
    let member = uuid(&vv["member_id"]);
    let vault_aad = c(&[b"datacoop/v1/vault-key", &member]);
    let vault = open_box(
        0x10,
        1,
        &kek,
        &vault_aad,
        &unb64(vv["sealed_by_passphrase"].as_str().unwrap()),
    );
    assert_eq!(hex(&vault), vv["vault_key"].as_str().unwrap());
    let payload = crockford_decode(vv["recovery_code"].as_str().unwrap());
    assert_eq!(payload.len(), 35);
    assert_eq!(payload[0], 1);
    let check = ring::digest::digest(
        &ring::digest::SHA256,
        &[b"datacoop/v1/recovery-code".as_slice(), &payload[..33]].concat(),
    );
    assert_eq!(&check.as_ref()[..2], &payload[33..]);
    assert_eq!(
        hex(&payload[1..33]),
        vv["recovery_secret"].as_str().unwrap()
    );
    let rwrap = derive(&payload[1..33], &c(&[b"datacoop/v1/recovery-wrap-key"]));
    assert_eq!(
        open_box(
            0x11,
            1,
            &rwrap,
            &vault_aad,
            &unb64(vv["sealed_by_recovery"].as_str().unwrap())
        ),
        vault
    );

    // Member keys.
    let mk = &v["member_keys"];
    let mk_wrap = derive(&vault, &c(&[b"datacoop/v1/member-keys-wrap-key"]));
    let private = open_box(
        0x12,
        1,
        &mk_wrap,
        &c(&[b"datacoop/v1/member-keys", &member]),
        &unb64(mk["sealed_private_keys"].as_str().unwrap()),
    );
    let (sk, pk) = Kem::derive_keypair(&unhex(mk["hpke_ikm"].as_str().unwrap()));
    assert_eq!(&private[..32], &sk.to_bytes()[..]);
    assert_eq!(hex(&private[32..]), mk["ed25519_seed"].as_str().unwrap());
    let pubs = unb64(mk["public_keys_envelope"].as_str().unwrap());
    assert_eq!(&pubs[..3], &[0xDC, 0x02, 0x01]);
    assert_eq!(&pubs[3..35], &pk.to_bytes()[..]);
    let ed = ring::signature::Ed25519KeyPair::from_seed_unchecked(&private[32..]).unwrap();
    assert_eq!(
        &pubs[35..],
        ring::signature::KeyPair::public_key(&ed).as_ref()
    );

    // Records (version 2): content and wrap bound to every visible field and the version.
    let rwk = derive(&vault, &c(&[b"datacoop/v1/record-key-wrap-key"]));
    let mut json_dek = Vec::new();
    for r in v["records"].as_array().unwrap() {
        let b = &r["binding"];
        assert_eq!(hex(&record_aad_v2(b)), r["aad"].as_str().unwrap());
        let dek = open_box(
            0x21,
            2,
            &rwk,
            &c(&[
                b"datacoop/v2/record-key-wrap",
                &uuid(&b["member_id"]),
                &uuid(&b["record_id"]),
                &b["version"].as_u64().unwrap().to_be_bytes(),
            ]),
            &unb64(r["sealed"]["wrapped_key"].as_str().unwrap()),
        );
        assert_eq!(hex(&dek), r["dek"].as_str().unwrap());
        let plain = open_box(
            0x20,
            2,
            &dek,
            &record_aad_v2(b),
            &unb64(r["sealed"]["ciphertext"].as_str().unwrap()),
        );
        assert_eq!(plain, r["plaintext"].as_str().unwrap().as_bytes());
        if r["name"] == "json" {
            json_dek = dek;
        }
    }

    // Records of version 1 (member, record, version and content type bound; no more).
    for r in v["legacy_records"].as_array().unwrap() {
        let b = &r["binding"];
        assert_eq!(hex(&record_aad_v1(b)), r["aad"].as_str().unwrap());
        let dek = open_box(
            0x21,
            1,
            &rwk,
            &c(&[
                b"datacoop/v1/record-key-wrap",
                &uuid(&b["member_id"]),
                &uuid(&b["record_id"]),
            ]),
            &unb64(r["sealed"]["wrapped_key"].as_str().unwrap()),
        );
        assert_eq!(hex(&dek), r["dek"].as_str().unwrap());
        let plain = open_box(
            0x20,
            1,
            &dek,
            &record_aad_v1(b),
            &unb64(r["sealed"]["ciphertext"].as_str().unwrap()),
        );
        assert_eq!(plain, r["plaintext"].as_str().unwrap().as_bytes());
    }

    // Device: the member's signed certificate, an HPKE auth-mode batch, derived record keys.
    let d = &v["device"];
    let (device, batch) = (uuid(&d["device_id"]), uuid(&d["batch_id"]));
    let (device_sk, device_pk) =
        Kem::derive_keypair(&unhex(d["device_hpke_ikm"].as_str().unwrap()));
    assert_eq!(
        hex(&device_sk.to_bytes()),
        d["device_private_key"].as_str().unwrap()
    );
    assert_eq!(
        hex(&device_pk.to_bytes()),
        d["device_public_key"].as_str().unwrap()
    );
    let cert = &d["certificate"];
    assert_eq!(uuid(&cert["member_id"]), member);
    assert_eq!(uuid(&cert["device_id"]), device);
    assert_eq!(
        cert["public_key"].as_str().unwrap(),
        d["device_public_key"].as_str().unwrap()
    );
    let message = certificate_message(cert);
    assert_eq!(hex(&message), d["message"].as_str().unwrap());
    assert_eq!(d["context"], "datacoop/v1/device-certificate");
    // Verified with the member's own Ed25519 key (the seed opened from box 0x12 above).
    let member_ed25519 = ring::signature::KeyPair::public_key(&ed).as_ref().to_vec();
    assert!(ed25519_verify(
        &member_ed25519,
        "datacoop/v1/device-certificate",
        &message,
        &unhex(d["signature"].as_str().unwrap())
    ));
    let batch_info = c(&[b"datacoop/v2/device-batch", &member, &device, &batch]);
    let sealed_batch = unb64(d["sealed_batch_key"].as_str().unwrap());
    let batch_key = hpke_open(
        [0xDC, 0x30, 0x02],
        &sk,
        Some(&device_pk),
        &batch_info,
        &sealed_batch,
    )
    .expect("auth-mode batch opens");
    assert_eq!(hex(&batch_key), d["batch_key"].as_str().unwrap());
    // Base mode (what anyone holding the member's public key could have made) does not open it.
    assert!(hpke_open([0xDC, 0x30, 0x02], &sk, None, &batch_info, &sealed_batch).is_none());
    let key_ref = unb64(d["sealed"]["wrapped_key"].as_str().unwrap());
    assert_eq!(key_ref, [&[0xDC, 0x22, 0x02][..], &batch].concat());
    let db = &d["binding"];
    assert_eq!(db["author"]["kind"], "device");
    assert_eq!(uuid(&db["author"]["id"]), device);
    assert!(cert["categories"]
        .as_array()
        .unwrap()
        .contains(&db["category"]));
    let dek = derive(
        &batch_key,
        &c(&[
            b"datacoop/v1/device-record-key",
            &member,
            &batch,
            &uuid(&db["record_id"]),
        ]),
    );
    assert_eq!(hex(&dek), d["dek"].as_str().unwrap());
    assert_eq!(hex(&record_aad_v2(db)), d["aad"].as_str().unwrap());
    let device_ct = unb64(d["sealed"]["ciphertext"].as_str().unwrap());
    let plain = open_box(0x20, 2, &dek, &record_aad_v2(db), &device_ct);
    assert_eq!(plain, d["plaintext"].as_str().unwrap().as_bytes());
    // The author is authenticated: the same content under a member-authored binding fails.
    let mut as_member = db.clone();
    as_member["author"] = serde_json::json!({"kind": "member"});
    assert!(try_open_box(0x20, 2, &dek, &record_aad_v2(&as_member), &device_ct).is_none());

    // A version-1 device batch: base mode, old info, old key reference, version-1 record.
    let ld = &v["legacy_device"];
    let lbatch = uuid(&ld["batch_id"]);
    let lsealed = unb64(ld["sealed_batch_key"].as_str().unwrap());
    let linfo = c(&[b"datacoop/v1/device-batch", &member, &lbatch]);
    let lkey = hpke_open([0xDC, 0x30, 0x01], &sk, None, &linfo, &lsealed).unwrap();
    assert_eq!(hex(&lkey), ld["batch_key"].as_str().unwrap());
    assert_eq!(
        unb64(ld["sealed"]["wrapped_key"].as_str().unwrap()),
        [&[0xDC, 0x22, 0x01][..], &lbatch].concat()
    );
    let ldek = derive(
        &lkey,
        &c(&[
            b"datacoop/v1/device-record-key",
            &member,
            &lbatch,
            &uuid(&ld["binding"]["record_id"]),
        ]),
    );
    assert_eq!(hex(&ldek), ld["dek"].as_str().unwrap());
    let plain = open_box(
        0x20,
        1,
        &ldek,
        &record_aad_v1(&ld["binding"]),
        &unb64(ld["sealed"]["ciphertext"].as_str().unwrap()),
    );
    assert_eq!(plain, ld["plaintext"].as_str().unwrap().as_bytes());

    // The negative device vectors fail here too: forged certificates do not verify, and no
    // refused batch opens in auth mode from the certified key.
    for n in v["negative"].as_array().unwrap() {
        match n["op"].as_str().unwrap() {
            "verify_device_certificate" => assert!(!ed25519_verify(
                &member_ed25519,
                "datacoop/v1/device-certificate",
                &certificate_message(&n["certificate"]),
                &unhex(n["signature"].as_str().unwrap())
            )),
            "open_device_batch" => {
                let env = unb64(n["sealed_batch_key"].as_str().unwrap());
                let info = c(&[
                    b"datacoop/v2/device-batch",
                    &member,
                    &device,
                    &uuid(&n["batch_id"]),
                ]);
                if env[2] == 0x02 {
                    assert!(
                        hpke_open([0xDC, 0x30, 0x02], &sk, Some(&device_pk), &info, &env).is_none()
                    );
                } else {
                    assert_eq!(n["expected_error"], "unauthenticated");
                }
            }
            _ => {}
        }
    }

    // Study share.
    let s = &v["share"];
    let (study_sk, study_pk) = Kem::derive_keypair(&unhex(s["study_hpke_ikm"].as_str().unwrap()));
    assert_eq!(
        hex(&study_pk.to_bytes()),
        s["study_public_key"].as_str().unwrap()
    );
    let (study, consent) = (uuid(&s["study_id"]), uuid(&s["consent_id"]));
    let share = hpke_open(
        [0xDC, 0x40, 0x01],
        &study_sk,
        None,
        &c(&[b"datacoop/v1/study-share", &study, &consent]),
        &unb64(s["sealed_share_key"].as_str().unwrap()),
    )
    .unwrap();
    assert_eq!(hex(&share), s["share_key"].as_str().unwrap());
    let rec = &v["records"][0];
    let shared_dek = open_box(
        0x41,
        1,
        &share,
        &c(&[
            b"datacoop/v1/share-record-key-wrap",
            &consent,
            &uuid(&rec["binding"]["record_id"]),
        ]),
        &unb64(s["share_wrapped_dek"].as_str().unwrap()),
    );
    assert_eq!(shared_dek, json_dek);

    // Streams, with RustCrypto ChaCha20-Poly1305 (the crate uses ring's).
    for st in v["streams"].as_array().unwrap() {
        let bytes = unb64(st["stream"].as_str().unwrap());
        let dek = unhex(st["dek"].as_str().unwrap());
        let (prefix, commit) = (&bytes[..67], &bytes[67..99]);
        assert_eq!(&prefix[..3], &[0xDC, 0x50, 0x01]);
        assert_eq!(&prefix[3..19], &uuid(&st["member_id"]));
        assert_eq!(&prefix[19..35], &uuid(&st["blob_id"]));
        let nonce = &prefix[35..67];
        assert_eq!(
            hkdf_with(nonce, &dek, &c(&[b"datacoop/v1/stream-header", prefix])),
            commit
        );
        let payload_key = hkdf_with(
            nonce,
            &dek,
            &c(&[b"datacoop/v1/stream-payload-key", prefix]),
        );
        let aead = ChaCha20Poly1305::new_from_slice(&payload_key).unwrap();
        let chunks: Vec<&[u8]> = bytes[99..].chunks(65536 + 16).collect();
        let mut plain = Vec::new();
        for (i, chunk) in chunks.iter().enumerate() {
            let mut n = [0u8; 12];
            n[3..11].copy_from_slice(&(i as u64).to_be_bytes());
            n[11] = u8::from(i + 1 == chunks.len());
            plain.extend(
                aead.decrypt(
                    &n.into(),
                    Payload {
                        msg: chunk,
                        aad: b"",
                    },
                )
                .unwrap(),
            );
        }
        assert_eq!(
            plain,
            pattern(st["plaintext_len"].as_u64().unwrap() as usize)
        );
    }

    // Signatures.
    let sg = &v["signatures"][0];
    let msg = unhex(sg["message"].as_str().unwrap());
    let signed = c(&[
        b"datacoop/v1/signature",
        sg["context"].as_str().unwrap().as_bytes(),
        &msg,
    ]);
    assert_eq!(hex(&signed), sg["signed_bytes"].as_str().unwrap());
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::ED25519,
        unhex(sg["public_key"].as_str().unwrap()),
    )
    .verify(&signed, &unhex(sg["signature"].as_str().unwrap()))
    .unwrap();
}
