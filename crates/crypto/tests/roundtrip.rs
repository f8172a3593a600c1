//! End-to-end flows through the public API, as the client crate will call it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{Read, Write};

use datacoop_crypto::envelope::{inspect, Kind};
use datacoop_crypto::*;
use uuid::Uuid;

fn floor_params() -> KdfParams {
    KdfParams::new(
        KdfParams::FLOOR_MEMORY_KIB,
        KdfParams::FLOOR_ITERATIONS,
        KdfParams::FLOOR_PARALLELISM,
        [3; SALT_LEN],
    )
    .unwrap()
}

fn binding(member_id: Uuid, record_id: Uuid) -> RecordBinding {
    RecordBinding {
        member_id,
        record_id,
        version: 1,
        content_type: "application/json".into(),
    }
}

#[test]
fn register_login_recover_and_change_passphrase() {
    let member = Uuid::from_u128(1);
    let params = floor_params();
    let (auth, kek) = derive_passphrase_keys("first passphrase", &params).unwrap();
    let vault = VaultKey::generate().unwrap();
    let recovery = RecoveryKey::generate().unwrap();
    let sealed_vault = seal_vault_key(&vault, &kek, &member).unwrap();
    let sealed_recovery = seal_vault_key_for_recovery(&vault, &recovery, &member).unwrap();
    let keys = MemberKeys::generate().unwrap();
    let sealed_keys = keys.seal(&vault, &member).unwrap();
    let record = seal_record(&vault, &binding(member, Uuid::from_u128(10)), b"hello").unwrap();

    // Login: same passphrase gives the same auth key and opens everything.
    let (auth2, kek2) = derive_passphrase_keys("first passphrase", &params).unwrap();
    assert_eq!(auth, auth2);
    let vault2 = open_vault_key(&sealed_vault, &kek2, &member).unwrap();
    assert_eq!(vault2, vault);
    assert_eq!(
        MemberKeys::open(&sealed_keys, &vault2, &member)
            .unwrap()
            .public_keys(),
        keys.public_keys()
    );

    // Wrong passphrase and wrong member are told apart from tampering.
    let (_, wrong) = derive_passphrase_keys("second passphrase", &params).unwrap();
    assert_eq!(
        open_vault_key(&sealed_vault, &wrong, &member)
            .unwrap_err()
            .code(),
        "wrong_key"
    );
    assert_eq!(
        open_vault_key(&sealed_vault, &kek, &Uuid::from_u128(2))
            .unwrap_err()
            .code(),
        "tampered"
    );
    assert_eq!(
        open_vault_key(&sealed_recovery, &kek, &member)
            .unwrap_err()
            .code(),
        "wrong_kind"
    );

    // Recovery, then a new passphrase re-seals the vault key only; old records still open.
    let typed = RecoveryKey::from_code(&recovery.to_code()).unwrap();
    let vault3 = open_vault_key_with_recovery(&sealed_recovery, &typed, &member).unwrap();
    let new_params = KdfParams::generate().unwrap();
    assert_eq!(new_params.memory_kib(), 64 * 1024);
    let (_, new_kek) = derive_passphrase_keys("new passphrase", &floor_params()).unwrap();
    let resealed = seal_vault_key(&vault3, &new_kek, &member).unwrap();
    let vault4 = open_vault_key(&resealed, &new_kek, &member).unwrap();
    assert_eq!(
        &*open_record(&vault4, &binding(member, Uuid::from_u128(10)), &record).unwrap(),
        b"hello"
    );
    assert_eq!(
        derive_passphrase_keys("", &params).unwrap_err().code(),
        "empty_passphrase"
    );
}

#[test]
fn device_batches_and_study_shares() {
    let member = Uuid::from_u128(1);
    let vault = VaultKey::generate().unwrap();
    let keys = MemberKeys::generate().unwrap();
    let batch_id = Uuid::from_u128(50);
    let batch = DeviceBatch::new(&keys.public_keys().hpke, member, batch_id).unwrap();
    let sealed: Vec<_> = (0..5u128)
        .map(|i| {
            let b = binding(member, Uuid::from_u128(100 + i));
            (
                b.clone(),
                batch
                    .seal_record(&b, format!("reading {i}").as_bytes())
                    .unwrap(),
            )
        })
        .collect();
    assert_eq!(
        batch
            .seal_record(&binding(Uuid::from_u128(9), Uuid::from_u128(1)), b"x")
            .unwrap_err()
            .code(),
        "binding_mismatch"
    );
    assert!(format!("{batch:?}").contains("[redacted]"));

    let opened = open_device_batch(&keys, &member, &batch_id, batch.sealed_batch_key()).unwrap();
    // The member may adopt a device record's key into the vault.
    let adopted = SealedRecord {
        ciphertext: sealed[1].1.ciphertext.clone(),
        wrapped_key: wrap_record_key(
            &vault,
            &member,
            &sealed[1].0.record_id,
            &opened.record_key(&sealed[1].0.record_id).unwrap(),
        )
        .unwrap(),
    };
    assert_eq!(
        &*open_record(&vault, &sealed[1].0, &adopted).unwrap(),
        b"reading 1"
    );
    assert_eq!(
        open_record(&vault, &sealed[1].0, &sealed[1].1)
            .unwrap_err()
            .code(),
        "wrong_kind"
    );
    assert_eq!(
        device_record_batch_id(&sealed[0].1.wrapped_key).unwrap(),
        batch_id
    );
    for (i, (b, s)) in sealed.iter().enumerate() {
        assert_eq!(
            &*open_device_record(&opened, b, s).unwrap(),
            format!("reading {i}").as_bytes()
        );
    }
    assert_eq!(
        open_device_batch(
            &keys,
            &member,
            &Uuid::from_u128(51),
            batch.sealed_batch_key()
        )
        .unwrap_err()
        .code(),
        "cannot_open"
    );
    let other_keys = MemberKeys::generate().unwrap();
    assert_eq!(
        open_device_batch(&other_keys, &member, &batch_id, batch.sealed_batch_key())
            .unwrap_err()
            .code(),
        "cannot_open"
    );

    // Grant: the member re-wraps own records and a device record for a study.
    let study = HpkeKeyPair::generate().unwrap();
    let (study_id, consent_id) = (Uuid::from_u128(70), Uuid::from_u128(80));
    let share = ShareKey::generate(study_id, consent_id).unwrap();
    let sealed_share = share.seal_to_study(study.public_key()).unwrap();
    let own_b = binding(member, Uuid::from_u128(200));
    let own = seal_record(&vault, &own_b, b"own data").unwrap();
    let grants = share
        .grant_from_vault(
            &vault,
            &member,
            [(own_b.record_id, own.wrapped_key.as_slice())],
        )
        .unwrap();
    let device_wrap = share
        .wrap_record_key(
            &sealed[0].0.record_id,
            &opened.record_key(&sealed[0].0.record_id).unwrap(),
        )
        .unwrap();

    let study_share = ShareKey::open_as_study(&study, study_id, consent_id, &sealed_share).unwrap();
    assert_eq!(
        &*open_shared_record(&study_share, &own_b, &grants[0].1, &own.ciphertext).unwrap(),
        b"own data"
    );
    assert_eq!(
        &*open_shared_record(
            &study_share,
            &sealed[0].0,
            &device_wrap,
            &sealed[0].1.ciphertext
        )
        .unwrap(),
        b"reading 0"
    );
    // A wrap for one record cannot open another.
    assert!(open_shared_record(
        &study_share,
        &sealed[0].0,
        &grants[0].1,
        &sealed[0].1.ciphertext
    )
    .is_err());
    // A low-order study key is refused when sealing.
    let bad = HpkePublicKey::from_bytes(&[0u8; 32]).unwrap();
    assert_eq!(
        share.seal_to_study(&bad).unwrap_err().code(),
        "invalid_public_key"
    );
}

#[test]
fn streams_work_through_small_reads_and_writes() {
    let key = RecordKey::generate().unwrap();
    let bind = BlobBinding {
        member_id: Uuid::from_u128(1),
        blob_id: Uuid::from_u128(2),
    };
    let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7) as u8).collect();
    let mut enc = StreamEncryptor::new(Vec::new(), &key, &bind).unwrap();
    for piece in data.chunks(977) {
        enc.write_all(piece).unwrap();
    }
    let ct = enc.finish().unwrap();
    assert_eq!(ct.len(), 99 + data.len() + 4 * 16);
    assert_eq!(inspect(&ct).unwrap(), (Kind::BlobStream, 1));
    let mut dec = StreamDecryptor::new(&ct[..], &key, &bind).unwrap();
    let mut out = Vec::new();
    let mut small = [0u8; 333];
    loop {
        let n = dec.read(&mut small).unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&small[..n]);
    }
    assert_eq!(out, data);
    let other = BlobBinding {
        blob_id: Uuid::from_u128(3),
        ..bind
    };
    assert_eq!(
        StreamDecryptor::new(&ct[..], &key, &other)
            .unwrap_err()
            .code(),
        "binding_mismatch"
    );
    let wrong = RecordKey::generate().unwrap();
    assert_eq!(
        StreamDecryptor::new(&ct[..], &wrong, &bind)
            .unwrap_err()
            .code(),
        "wrong_key"
    );
    // Errors surface through io::Read and come back typed.
    let mut cut = StreamDecryptor::new(&ct[..ct.len() - 1], &key, &bind).unwrap();
    let err = std::io::copy(&mut cut, &mut std::io::sink()).unwrap_err();
    assert_eq!(Error::from_io(err).code(), "stream_chunk");
}

#[test]
fn sans_io_core_refuses_misuse() {
    let key = RecordKey::generate().unwrap();
    let bind = BlobBinding {
        member_id: Uuid::from_u128(1),
        blob_id: Uuid::from_u128(2),
    };
    let mut sealer = StreamSealer::new_with_rng(&key, &bind, &mut rng::os_rng().unwrap()).unwrap();
    let mut short = vec![1u8; 10];
    assert_eq!(
        sealer.seal_chunk(&mut short, false).unwrap_err().code(),
        "invalid_input"
    );
    sealer.seal_chunk(&mut short, true).unwrap();
    let mut more = vec![1u8; 10];
    assert_eq!(
        sealer.seal_chunk(&mut more, true).unwrap_err().code(),
        "invalid_input"
    );
    let mut opener = StreamOpener::new(sealer.header(), &key, &bind).unwrap();
    assert_eq!(
        opener
            .open_chunk(&mut short.clone(), false)
            .unwrap_err()
            .code(),
        "stream_chunk"
    );
    assert_eq!(opener.open_chunk(&mut short, true).unwrap(), 10);
    assert!(opener.is_finished());
}

#[test]
fn secrets_never_print() {
    let member = Uuid::from_u128(1);
    let keys = MemberKeys::generate().unwrap();
    let rendered = [
        format!("{:?}", VaultKey::generate().unwrap()),
        format!("{:?}", RecordKey::generate().unwrap()),
        format!("{:?}", ShareKey::generate(member, member).unwrap()),
        format!("{:?}", RecoveryKey::generate().unwrap()),
        format!("{keys:?}"),
        format!(
            "{:?}",
            StreamSealer::new_with_rng(
                &RecordKey::generate().unwrap(),
                &BlobBinding {
                    member_id: member,
                    blob_id: member
                },
                &mut rng::os_rng().unwrap()
            )
            .unwrap()
        ),
    ];
    for r in rendered {
        assert!(r.contains("[redacted]"), "{r}");
    }
}

#[test]
fn json_forms_round_trip() {
    let vault = VaultKey::generate().unwrap();
    let b = binding(Uuid::from_u128(1), Uuid::from_u128(2));
    let sealed = seal_record(&vault, &b, b"{}").unwrap();
    let json = serde_json::to_string(&sealed).unwrap();
    assert!(!json.contains('=') && !json.contains('+'));
    let back: SealedRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(back, sealed);
    let params = floor_params();
    let back: KdfParams = serde_json::from_str(&serde_json::to_string(&params).unwrap()).unwrap();
    assert_eq!(back, params);
    let keys = MemberKeys::generate().unwrap().public_keys();
    assert_eq!(
        MemberPublicKeys::from_envelope(&keys.to_envelope()).unwrap(),
        keys
    );
    let sig = sign(
        &SigningKey::generate().unwrap(),
        sign::context::BALLOT,
        b"m",
    );
    let back: Signature = serde_json::from_str(&serde_json::to_string(&sig).unwrap()).unwrap();
    assert_eq!(back, sig);
    for kind in Kind::ALL {
        assert_eq!(inspect(&kind.header()).unwrap(), (kind, 1));
    }
    assert_eq!(inspect(&[0xDC, 0xEE, 1]).unwrap_err().code(), "malformed");
    assert_eq!(
        inspect(&[0x00, 0x20, 1]).unwrap_err().code(),
        "not_an_envelope"
    );
}
