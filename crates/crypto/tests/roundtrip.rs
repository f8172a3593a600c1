//! End-to-end flows through the public API, as the client crate will call it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::io::{Read, Write};

use common::legacy::{self, V1Binding};
use datacoop_crypto::envelope::{inspect, Kind};
use datacoop_crypto::*;
use uuid::Uuid;

/// The account's normalised email (trimmed, lower case), as the server stores it.
const EMAIL: &str = "ana@example.org";

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
        category: "vital-signs".into(),
        type_code: "29463-7".into(),
        effective_at: Some(1_795_478_400_000_000),
        author: Author::Member,
    }
}

const DEVICE: Uuid = Uuid::from_u128(40);

fn device_binding(member_id: Uuid, record_id: Uuid) -> RecordBinding {
    RecordBinding {
        author: Author::Device(DEVICE),
        ..binding(member_id, record_id)
    }
}

/// What enrolment leaves: the device's key pair (in its credentials) and the member's
/// signature over its certificate (on the server), checked with the member's own keys.
fn enrol(
    keys: &MemberKeys,
    member: Uuid,
    categories: Option<&[&str]>,
) -> (HpkeKeyPair, VerifiedDevice) {
    let device_keys = HpkeKeyPair::generate().unwrap();
    let cert = DeviceCertificate {
        member_id: member,
        device_id: DEVICE,
        name: "bathroom scale".into(),
        categories: categories.map(|c| c.iter().map(|s| s.to_string()).collect()),
        public_key: device_keys.public_key().clone(),
    };
    let sig = cert.sign(keys);
    let verified = cert.verify(&keys.public_keys(), &sig).unwrap();
    (device_keys, verified)
}

#[test]
fn register_login_recover_and_change_passphrase() {
    let member = Uuid::from_u128(1);
    let params = floor_params();
    let (auth, kek) = derive_passphrase_keys("first passphrase", EMAIL, &params).unwrap();
    let vault = VaultKey::generate().unwrap();
    let recovery = RecoveryKey::generate().unwrap();
    let sealed_vault = seal_vault_key(&vault, &kek, &member).unwrap();
    let sealed_recovery = seal_vault_key_for_recovery(&vault, &recovery, &member).unwrap();
    let keys = MemberKeys::generate().unwrap();
    let sealed_keys = keys.seal(&vault, &member).unwrap();
    let record = seal_record(&vault, &binding(member, Uuid::from_u128(10)), b"hello").unwrap();

    // Login: same passphrase gives the same auth key and opens everything.
    let (auth2, kek2) = derive_passphrase_keys("first passphrase", EMAIL, &params).unwrap();
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
    let (_, wrong) = derive_passphrase_keys("second passphrase", EMAIL, &params).unwrap();
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
    // A passphrase change writes version-2 parameters.
    let new_params = KdfParams::generate().unwrap();
    assert_eq!(new_params.memory_kib(), 64 * 1024);
    assert_eq!(new_params.version(), 2);
    assert!(!new_params.is_legacy());
    assert_eq!(new_params.to_envelope()[..3], [0xDC, 0x01, 0x02]);
    let (_, new_kek) = derive_passphrase_keys("new passphrase", EMAIL, &floor_params()).unwrap();
    let resealed = seal_vault_key(&vault3, &new_kek, &member).unwrap();
    let vault4 = open_vault_key(&resealed, &new_kek, &member).unwrap();
    assert_eq!(
        &*open_record(&vault4, &binding(member, Uuid::from_u128(10)), &record).unwrap(),
        b"hello"
    );
    assert_eq!(
        derive_passphrase_keys("", EMAIL, &params)
            .unwrap_err()
            .code(),
        "empty_passphrase"
    );
}

/// `params` with its envelope's version byte set to `version`, decoded as the server's would be.
fn with_version(params: &KdfParams, version: u8) -> KdfParams {
    let mut env = params.to_envelope();
    env[2] = version;
    KdfParams::from_envelope(&env).unwrap()
}

#[test]
fn version_2_binds_the_email() {
    let params = floor_params();
    let (auth, kek) = derive_passphrase_keys("same passphrase", EMAIL, &params).unwrap();
    let (other_auth, other_kek) =
        derive_passphrase_keys("same passphrase", "bo@example.org", &params).unwrap();
    assert_ne!(auth, other_auth);
    // The KEK differs too: a vault sealed for one account does not open with the other's.
    let member = Uuid::from_u128(1);
    let sealed = seal_vault_key(&VaultKey::generate().unwrap(), &kek, &member).unwrap();
    assert_eq!(
        open_vault_key(&sealed, &other_kek, &member)
            .unwrap_err()
            .code(),
        "wrong_key"
    );
    // Version 1 never used the email: the same salt gave every account sharing it one hash.
    let legacy = with_version(&params, 1);
    assert_eq!(
        derive_passphrase_keys("same passphrase", EMAIL, &legacy)
            .unwrap()
            .0,
        derive_passphrase_keys("same passphrase", "bo@example.org", &legacy)
            .unwrap()
            .0
    );
    assert_ne!(
        derive_passphrase_keys("same passphrase", EMAIL, &legacy)
            .unwrap()
            .0,
        auth
    );
}

#[test]
fn version_2_normalises_the_passphrase_to_nfc() {
    let (nfc, nfd) = ("caf\u{e9} cr\u{e8}me", "cafe\u{301} cre\u{300}me");
    assert_ne!(nfc.as_bytes(), nfd.as_bytes());
    let params = floor_params();
    let (a_nfc, _) = derive_passphrase_keys(nfc, EMAIL, &params).unwrap();
    let (a_nfd, k_nfd) = derive_passphrase_keys(nfd, EMAIL, &params).unwrap();
    assert_eq!(a_nfc, a_nfd);
    // Same KEK as well: a vault sealed from one form opens from the other.
    let member = Uuid::from_u128(1);
    let vault = VaultKey::generate().unwrap();
    let (_, k_nfc) = derive_passphrase_keys(nfc, EMAIL, &params).unwrap();
    let sealed = seal_vault_key(&vault, &k_nfc, &member).unwrap();
    assert_eq!(open_vault_key(&sealed, &k_nfd, &member).unwrap(), vault);
    // Version 1 hashes the bytes as given.
    let legacy = with_version(&params, 1);
    assert_ne!(
        derive_passphrase_keys(nfc, EMAIL, &legacy).unwrap().0,
        derive_passphrase_keys(nfd, EMAIL, &legacy).unwrap().0
    );
}

/// Version-1 parameters derive exactly what datacoop 0.1 derived: the `kdf[0]` vector and the
/// vault copy sealed under its KEK, as `tests/vectors.json` held them before version 2.
#[test]
fn version_1_parameters_derive_the_old_keys() {
    let env = common::unb64("3AEBAABMAAAAAAIAAAABVR2iDGMpYmKoAB30fuvf6g");
    assert_eq!(env[..3], [0xDC, 0x01, 0x01]);
    let params = KdfParams::from_envelope(&env).unwrap();
    assert!(params.is_legacy());
    assert_eq!(params.version(), 1);
    assert_eq!(
        (
            params.memory_kib(),
            params.iterations(),
            params.parallelism()
        ),
        (19 * 1024, 2, 1)
    );
    assert_eq!(
        common::hex(params.salt()),
        "551da20c63296262a8001df47eebdfea"
    );
    // Written back with its own version byte, byte for byte.
    assert_eq!(params.to_envelope(), env);
    let (auth, kek) =
        derive_passphrase_keys("correct horse battery staple", "any@example.org", &params).unwrap();
    assert_eq!(
        common::hex(auth.as_bytes()),
        "9c2cd42387f4f0b7efe9c1e23baa7e935cf448bb61e69b87e34e68c2459eb2c9"
    );
    let member = Uuid::from_u128(0x0b0c0a1e_0000_4000_8000_000000000001);
    let sealed = common::unb64(concat!(
        "3BABxHNGtHuPxLP5JMHdcs-dw8QCBsjlxplE9RbWbZTMhniK4179mnJlpjj1IsnRREtVk7cS3aCPRRADfi",
        "AHi8uyCTwPHFKo8VQlpdurBvE03cbbsNc0-Cg6a9CPflEOxFfXlJf4620deA8"
    ));
    let vault = VaultKey::generate_with_rng(&mut common::ReplayRng::new(common::unhex(
        "75555c1d69235805f20b60bbbe93bd8be76330135254cfc0b7d395aea725963d",
    )))
    .unwrap();
    assert_eq!(open_vault_key(&sealed, &kek, &member).unwrap(), vault);
    // The same numbers as version 2 are a different derivation.
    let v2 = with_version(&params, 2);
    assert!(!v2.is_legacy());
    assert_ne!(
        derive_passphrase_keys("correct horse battery staple", "any@example.org", &v2)
            .unwrap()
            .0,
        auth
    );
}

#[test]
fn kdf_versions_on_every_decoding_path() {
    let params = floor_params();
    assert_eq!(params.version(), 2);
    assert_eq!(params.to_envelope()[2], 2);
    assert_eq!(
        KdfParams::from_envelope(&params.to_envelope()).unwrap(),
        params
    );
    // An unknown version (or 0) is refused before the body is read.
    for version in [0u8, 3, 0xFF] {
        let mut env = params.to_envelope();
        env[2] = version;
        assert_eq!(
            KdfParams::from_envelope(&env).unwrap_err().code(),
            "unsupported_version",
            "version {version}"
        );
    }
    // Version 1 keeps its floor checks.
    let mut weak = with_version(&params, 1).to_envelope();
    weak[3..7].copy_from_slice(&1024u32.to_be_bytes());
    assert_eq!(
        KdfParams::from_envelope(&weak).unwrap_err().code(),
        "kdf_params_below_floor"
    );
    // JSON: `version` is written; absent means version 1 (what datacoop 0.1 stored).
    let json = serde_json::to_value(&params).unwrap();
    assert_eq!(json["version"], 2);
    let mut old = json.clone();
    old.as_object_mut().unwrap().remove("version");
    let old: KdfParams = serde_json::from_value(old).unwrap();
    assert!(old.is_legacy());
    assert_eq!(old, with_version(&params, 1));
    let legacy_json = serde_json::to_value(&old).unwrap();
    assert_eq!(legacy_json["version"], 1);
    assert_eq!(
        serde_json::from_value::<KdfParams>(legacy_json).unwrap(),
        old
    );
    for version in [0, 3] {
        let mut bad = json.clone();
        bad["version"] = version.into();
        let err = serde_json::from_value::<KdfParams>(bad).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("format version {version}")),
            "{err}"
        );
    }
}

#[test]
fn remembered_cost_refuses_any_downgrade() {
    let params = KdfParams::new(64 * 1024, 3, 4, [3; SALT_LEN]).unwrap();
    let cost = params.cost();
    assert_eq!(
        cost,
        KdfCost {
            version: 2,
            memory_kib: 64 * 1024,
            iterations: 3,
            parallelism: 4
        }
    );
    // The cost carries no salt, and is what a client stores per account.
    let stored = serde_json::to_string(&cost).unwrap();
    assert!(!stored.contains("salt"), "{stored}");
    assert_eq!(serde_json::from_str::<KdfCost>(&stored).unwrap(), cost);

    // Equal: accepted (a new salt after a passphrase change changes nothing remembered).
    assert!(params.at_least(&cost));
    let resalted = KdfParams::new(64 * 1024, 3, 4, [4; SALT_LEN]).unwrap();
    assert!(resalted.at_least(&cost));
    // Any dimension lower than remembered: refused; higher: accepted.
    let lower = [
        KdfParams::new(64 * 1024 - 1, 3, 4, [3; SALT_LEN]).unwrap(),
        KdfParams::new(64 * 1024, 2, 4, [3; SALT_LEN]).unwrap(),
        KdfParams::new(64 * 1024, 3, 3, [3; SALT_LEN]).unwrap(),
        // Higher elsewhere does not make up for one lower dimension.
        KdfParams::new(128 * 1024, 6, 3, [3; SALT_LEN]).unwrap(),
    ];
    for p in &lower {
        assert!(!p.at_least(&cost), "{:?}", p.cost());
    }
    let higher = [
        KdfParams::new(64 * 1024 + 1, 3, 4, [3; SALT_LEN]).unwrap(),
        KdfParams::new(64 * 1024, 4, 4, [3; SALT_LEN]).unwrap(),
        KdfParams::new(64 * 1024, 3, 5, [3; SALT_LEN]).unwrap(),
        KdfParams::new(128 * 1024, 6, 8, [3; SALT_LEN]).unwrap(),
    ];
    for p in &higher {
        assert!(p.at_least(&cost), "{:?}", p.cost());
    }
    // A lower version is refused even at the same or a higher cost; a later one accepted.
    let legacy = with_version(&params, 1);
    assert!(legacy.is_legacy());
    assert_eq!(legacy.cost(), KdfCost { version: 1, ..cost });
    assert!(!legacy.at_least(&cost));
    assert!(!with_version(&higher[3], 1).at_least(&cost));
    assert!(legacy.at_least(&legacy.cost()));
    assert!(params.at_least(&legacy.cost()));
    assert!(!KdfParams::new(64 * 1024, 2, 4, [3; SALT_LEN])
        .unwrap()
        .at_least(&legacy.cost()));
}

#[test]
fn device_batches_and_study_shares() {
    let member = Uuid::from_u128(1);
    let vault = VaultKey::generate().unwrap();
    let keys = MemberKeys::generate().unwrap();
    let (device_keys, device) = enrol(&keys, member, Some(&["vital-signs"]));
    let batch_id = Uuid::from_u128(50);
    let batch = DeviceBatch::new(
        &keys.public_keys().hpke,
        &device_keys,
        member,
        DEVICE,
        batch_id,
    )
    .unwrap();
    assert_eq!(
        inspect(batch.sealed_batch_key()).unwrap(),
        (Kind::DeviceBatchKey, 2)
    );
    assert_eq!(device_batch_format(batch.sealed_batch_key()).unwrap(), 2);
    let sealed: Vec<_> = (0..5u128)
        .map(|i| {
            let b = device_binding(member, Uuid::from_u128(100 + i));
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
            .seal_record(
                &device_binding(Uuid::from_u128(9), Uuid::from_u128(1)),
                b"x"
            )
            .unwrap_err()
            .code(),
        "binding_mismatch"
    );
    assert!(format!("{batch:?}").contains("[redacted]"));
    assert_eq!(
        inspect(&sealed[0].1.wrapped_key).unwrap(),
        (Kind::DeviceRecordKeyRef, 2)
    );

    let opened = open_device_batch(&keys, &device, &batch_id, batch.sealed_batch_key()).unwrap();
    assert_eq!(opened.device(), Some(&device));
    // The member may adopt a device record's key into the vault; the record stays the
    // device's (its AAD names the device), so it opens by key and content, not open_record.
    let adopted = wrap_record_key(
        &vault,
        &member,
        &sealed[1].0.record_id,
        sealed[1].0.version,
        &opened.record_key(&sealed[1].0.record_id).unwrap(),
    )
    .unwrap();
    let dek = unwrap_record_key(
        &vault,
        &member,
        &sealed[1].0.record_id,
        sealed[1].0.version,
        &adopted,
    )
    .unwrap();
    assert_eq!(
        &*open_content(&dek, &sealed[1].0, &sealed[1].1.ciphertext).unwrap(),
        b"reading 1"
    );
    assert_eq!(
        open_record(&vault, &sealed[1].0, &sealed[1].1)
            .unwrap_err()
            .code(),
        "binding_mismatch"
    );
    let as_member = RecordBinding {
        author: Author::Member,
        ..sealed[1].0.clone()
    };
    assert_eq!(
        open_record(&vault, &as_member, &sealed[1].1)
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
            &device,
            &Uuid::from_u128(51),
            batch.sealed_batch_key()
        )
        .unwrap_err()
        .code(),
        "cannot_open"
    );
    let other_keys = MemberKeys::generate().unwrap();
    assert_eq!(
        open_device_batch(&other_keys, &device, &batch_id, batch.sealed_batch_key())
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
            [(own_b.record_id, own_b.version, own.wrapped_key.as_slice())],
        )
        .unwrap();
    // A grant names the version its wrap is for.
    assert_eq!(
        share
            .grant_from_vault(
                &vault,
                &member,
                [(
                    own_b.record_id,
                    own_b.version + 1,
                    own.wrapped_key.as_slice()
                )],
            )
            .unwrap_err()
            .code(),
        "tampered"
    );
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
    // The study sees who wrote a record, and cannot be told otherwise.
    let relabelled = RecordBinding {
        author: Author::Member,
        ..sealed[0].0.clone()
    };
    assert_eq!(
        open_shared_record(
            &study_share,
            &relabelled,
            &device_wrap,
            &sealed[0].1.ciphertext
        )
        .unwrap_err()
        .code(),
        "tampered"
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
fn every_visible_field_is_bound_into_a_version_2_record() {
    let member = Uuid::from_u128(1);
    let vault = VaultKey::generate().unwrap();
    let b = binding(member, Uuid::from_u128(10));
    let sealed = seal_record(&vault, &b, b"72 bpm").unwrap();
    assert_eq!(record_format(&sealed.ciphertext).unwrap(), 2);
    assert_eq!(
        inspect(&sealed.wrapped_key).unwrap(),
        (Kind::RecordKeyWrap, 2)
    );
    assert_eq!(&*open_record(&vault, &b, &sealed).unwrap(), b"72 bpm");
    let dek = unwrap_record_key(
        &vault,
        &member,
        &b.record_id,
        b.version,
        &sealed.wrapped_key,
    )
    .unwrap();
    let changed = [
        RecordBinding {
            category: "activity".into(),
            ..b.clone()
        },
        RecordBinding {
            type_code: "8867-4".into(),
            ..b.clone()
        },
        RecordBinding {
            effective_at: Some(1_795_478_400_000_001),
            ..b.clone()
        },
        RecordBinding {
            effective_at: Some(-1_795_478_400_000_000),
            ..b.clone()
        },
        RecordBinding {
            effective_at: None,
            ..b.clone()
        },
    ];
    for other in &changed {
        assert_eq!(
            open_record(&vault, other, &sealed).unwrap_err().code(),
            "tampered",
            "{other:?}"
        );
        assert_eq!(
            open_content(&dek, other, &sealed.ciphertext)
                .unwrap_err()
                .code(),
            "tampered"
        );
    }
    // The author: the member's own records refuse any other author before opening, and the
    // content itself (what a study opens with the key alone) refuses it too.
    let by_device = RecordBinding {
        author: Author::Device(DEVICE),
        ..b.clone()
    };
    assert_eq!(
        open_record(&vault, &by_device, &sealed).unwrap_err().code(),
        "binding_mismatch"
    );
    assert_eq!(
        open_content(&dek, &by_device, &sealed.ciphertext)
            .unwrap_err()
            .code(),
        "tampered"
    );
    assert_eq!(
        seal_record(&vault, &by_device, b"x").unwrap_err().code(),
        "binding_mismatch"
    );
    // No effective time and an empty category are values too, told apart from others.
    let bare = RecordBinding {
        category: String::new(),
        type_code: String::new(),
        effective_at: None,
        ..b.clone()
    };
    let sealed_bare = seal_record(&vault, &bare, b"").unwrap();
    assert!(open_record(&vault, &bare, &sealed_bare).unwrap().is_empty());
    assert_eq!(
        open_record(
            &vault,
            &RecordBinding {
                effective_at: Some(0),
                ..bare.clone()
            },
            &sealed_bare
        )
        .unwrap_err()
        .code(),
        "tampered"
    );
    // Metadata too long to bind is refused when sealing.
    let long = RecordBinding {
        category: "x".repeat(MAX_META_LEN + 1),
        ..b.clone()
    };
    assert_eq!(
        seal_record(&vault, &long, b"x").unwrap_err().code(),
        "invalid_input"
    );
}

#[test]
fn a_key_wrap_is_bound_to_its_record_version() {
    let member = Uuid::from_u128(1);
    let record = Uuid::from_u128(10);
    let vault = VaultKey::generate().unwrap();
    let dek = RecordKey::generate().unwrap();
    let wrapped = wrap_record_key(&vault, &member, &record, 1, &dek).unwrap();
    assert_eq!(inspect(&wrapped).unwrap(), (Kind::RecordKeyWrap, 2));
    assert_eq!(
        unwrap_record_key(&vault, &member, &record, 1, &wrapped).unwrap(),
        dek
    );
    assert_eq!(
        unwrap_record_key(&vault, &member, &record, 2, &wrapped)
            .unwrap_err()
            .code(),
        "tampered"
    );
    // So the server cannot pair version 2's content with version 1's key wrap.
    let v1 = RecordBinding {
        version: 1,
        ..binding(member, record)
    };
    let v2 = RecordBinding {
        version: 2,
        ..v1.clone()
    };
    let (s1, s2) = (
        seal_record(&vault, &v1, b"first").unwrap(),
        seal_record(&vault, &v2, b"second").unwrap(),
    );
    let spliced = SealedRecord {
        ciphertext: s2.ciphertext.clone(),
        wrapped_key: s1.wrapped_key.clone(),
    };
    assert_eq!(
        open_record(&vault, &v2, &spliced).unwrap_err().code(),
        "tampered"
    );
    assert_eq!(&*open_record(&vault, &v2, &s2).unwrap(), b"second");
}

#[test]
fn version_1_records_still_open_without_their_metadata_authenticated() {
    let member = Uuid::from_u128(1);
    let vault = VaultKey::generate().unwrap();
    let old = V1Binding {
        member_id: member,
        record_id: Uuid::from_u128(11),
        version: 4,
        content_type: "application/json".into(),
    };
    let mut rng = rng::os_rng().unwrap();
    let (_, ct, wrapped) =
        legacy::seal_record_v1(&vault.to_local_bytes(), &old, b"old data", &mut rng);
    let sealed = SealedRecord {
        ciphertext: ct,
        wrapped_key: wrapped,
    };
    assert_eq!(record_format(&sealed.ciphertext).unwrap(), 1);
    // The old JSON binding (no category, type, time or author) still parses and opens.
    let b: RecordBinding = serde_json::from_value(old.to_json()).unwrap();
    assert_eq!(b.author, Author::Member);
    assert_eq!(&*open_record(&vault, &b, &sealed).unwrap(), b"old data");
    // What version 1 bound still holds...
    for other in [
        RecordBinding {
            version: 5,
            ..b.clone()
        },
        RecordBinding {
            content_type: "text/plain".into(),
            ..b.clone()
        },
    ] {
        assert!(open_record(&vault, &other, &sealed).is_err());
    }
    // ...but the server's category, type and time are not authenticated (the client says so,
    // and offers to re-seal), and the old wrap is not bound to the version.
    let relabelled = RecordBinding {
        category: "anything".into(),
        type_code: "x".into(),
        effective_at: Some(0),
        ..b.clone()
    };
    assert_eq!(
        &*open_record(&vault, &relabelled, &sealed).unwrap(),
        b"old data"
    );
    let dek = unwrap_record_key(&vault, &member, &b.record_id, 99, &sealed.wrapped_key).unwrap();
    // Re-sealing it as version 2 binds everything.
    let resealed = seal_record(
        &vault,
        &relabelled,
        &open_content(&dek, &b, &sealed.ciphertext).unwrap(),
    )
    .unwrap();
    assert_eq!(record_format(&resealed.ciphertext).unwrap(), 2);
    assert_eq!(
        open_record(&vault, &b, &resealed).unwrap_err().code(),
        "tampered"
    );
    // A version-1 header cannot be put on a version-2 record, nor an unknown one read.
    let mut downgraded = resealed.clone();
    downgraded.ciphertext[2] = 1;
    assert_eq!(
        open_record(&vault, &relabelled, &downgraded)
            .unwrap_err()
            .code(),
        "tampered"
    );
    downgraded.ciphertext[2] = 3;
    assert_eq!(
        open_record(&vault, &relabelled, &downgraded)
            .unwrap_err()
            .code(),
        "unsupported_version"
    );
}

#[test]
fn only_a_certified_device_can_seal_a_batch() {
    let member = Uuid::from_u128(1);
    let keys = MemberKeys::generate().unwrap();
    let (device_keys, device) = enrol(&keys, member, None);
    let batch_id = Uuid::from_u128(50);

    // A key pair the certificate does not name (another device, or one the server made).
    let stranger = HpkeKeyPair::generate().unwrap();
    let batch =
        DeviceBatch::new(keys.hpke.public_key(), &stranger, member, DEVICE, batch_id).unwrap();
    assert_eq!(
        open_device_batch(&keys, &device, &batch_id, batch.sealed_batch_key())
            .unwrap_err()
            .code(),
        "cannot_open"
    );

    // A base-mode seal (all that the member's public key alone allows), current header and info.
    let mut rng = rng::os_rng().unwrap();
    let info = legacy::c(&[
        b"datacoop/v2/device-batch",
        member.as_bytes(),
        DEVICE.as_bytes(),
        batch_id.as_bytes(),
    ]);
    let forged = legacy::hpke_base_seal(
        [0xDC, 0x30, 0x02],
        keys.hpke.public_key().as_bytes(),
        &info,
        &[7; 32],
        &mut rng,
    );
    assert_eq!(
        open_device_batch(&keys, &device, &batch_id, &forged)
            .unwrap_err()
            .code(),
        "cannot_open"
    );
    // The same in the version-1 format: refused as unauthenticated, before any HPKE.
    let (_, legacy_batch) = legacy::seal_device_batch_v1(
        keys.hpke.public_key().as_bytes(),
        &member,
        &batch_id,
        &mut rng,
    );
    let err = open_device_batch(&keys, &device, &batch_id, &legacy_batch).unwrap_err();
    assert_eq!(err.code(), "unauthenticated");
    assert!(err.to_string().contains("version 1"), "{err}");

    // The certified device's own batch opens.
    let batch = DeviceBatch::new(
        keys.hpke.public_key(),
        &device_keys,
        member,
        DEVICE,
        batch_id,
    )
    .unwrap();
    assert!(open_device_batch(&keys, &device, &batch_id, batch.sealed_batch_key()).is_ok());
    // And a batch of another device id (even with this key pair) does not open as this device.
    let other_id = DeviceBatch::new(
        keys.hpke.public_key(),
        &device_keys,
        member,
        Uuid::from_u128(41),
        batch_id,
    )
    .unwrap();
    assert_eq!(
        open_device_batch(&keys, &device, &batch_id, other_id.sealed_batch_key())
            .unwrap_err()
            .code(),
        "cannot_open"
    );
}

#[test]
fn a_certificate_verifies_only_as_the_member_signed_it() {
    let member = Uuid::from_u128(1);
    let keys = MemberKeys::generate().unwrap();
    let device_keys = HpkeKeyPair::generate().unwrap();
    let cert = DeviceCertificate {
        member_id: member,
        device_id: DEVICE,
        name: "bathroom scale".into(),
        categories: Some(vec!["vital-signs".into(), "activity".into()]),
        public_key: device_keys.public_key().clone(),
    };
    let sig = cert.sign(&keys);
    let public = keys.public_keys();
    let verified = cert.clone().verify(&public, &sig).unwrap();
    assert_eq!(verified.certificate(), &cert);
    assert!(verified.allows("activity") && verified.allows("vital-signs"));
    assert!(!verified.allows("location"));
    // Category order and repetition do not change what is signed.
    let reordered = DeviceCertificate {
        categories: Some(vec![
            "activity".into(),
            "vital-signs".into(),
            "activity".into(),
        ]),
        ..cert.clone()
    };
    assert_eq!(reordered.message(), cert.message());
    assert!(reordered.verify(&public, &sig).is_ok());
    let changed = [
        DeviceCertificate {
            name: "bathroom scale (new)".into(),
            ..cert.clone()
        },
        DeviceCertificate {
            categories: Some(vec!["vital-signs".into()]),
            ..cert.clone()
        },
        DeviceCertificate {
            categories: Some(vec![
                "vital-signs".into(),
                "activity".into(),
                "location".into(),
            ]),
            ..cert.clone()
        },
        DeviceCertificate {
            categories: None,
            ..cert.clone()
        },
        DeviceCertificate {
            categories: Some(vec![]),
            ..cert.clone()
        },
        DeviceCertificate {
            public_key: HpkeKeyPair::generate().unwrap().public_key().clone(),
            ..cert.clone()
        },
        DeviceCertificate {
            device_id: Uuid::from_u128(41),
            ..cert.clone()
        },
        DeviceCertificate {
            member_id: Uuid::from_u128(2),
            ..cert.clone()
        },
    ];
    for other in changed {
        assert_eq!(
            other.clone().verify(&public, &sig).unwrap_err().code(),
            "invalid_signature",
            "{other:?}"
        );
    }
    // Signed by anyone else (the server, say), or under another context: refused.
    let server = MemberKeys::generate().unwrap();
    assert_eq!(
        cert.clone()
            .verify(&public, &cert.sign(&server))
            .unwrap_err()
            .code(),
        "invalid_signature"
    );
    let other_context = sign(&keys.signing, sign::context::BALLOT, &cert.message());
    assert_eq!(
        cert.clone()
            .verify(&public, &other_context)
            .unwrap_err()
            .code(),
        "invalid_signature"
    );
    // Verifying with the server's idea of the member's key is what a client must not do:
    // a certificate the server signed verifies only against the server's key.
    assert!(cert
        .clone()
        .verify(&server.public_keys(), &cert.sign(&server))
        .is_ok());
    // No categories in the certificate: any category.
    let any = DeviceCertificate {
        categories: None,
        ..cert.clone()
    };
    let sig = any.sign(&keys);
    assert!(any.verify(&public, &sig).unwrap().allows("anything"));
}

#[test]
fn device_records_must_name_the_device_and_a_category_it_may_add() {
    let member = Uuid::from_u128(1);
    let keys = MemberKeys::generate().unwrap();
    let (device_keys, device) = enrol(&keys, member, Some(&["vital-signs"]));
    let batch_id = Uuid::from_u128(50);
    let batch = DeviceBatch::new(
        keys.hpke.public_key(),
        &device_keys,
        member,
        DEVICE,
        batch_id,
    )
    .unwrap();
    let opened = open_device_batch(&keys, &device, &batch_id, batch.sealed_batch_key()).unwrap();

    // The device cannot seal as the member or as another device.
    for author in [Author::Member, Author::Device(Uuid::from_u128(41))] {
        let b = RecordBinding {
            author,
            ..device_binding(member, Uuid::from_u128(100))
        };
        assert_eq!(
            batch.seal_record(&b, b"x").unwrap_err().code(),
            "binding_mismatch"
        );
    }

    let b = device_binding(member, Uuid::from_u128(100));
    let sealed = batch.seal_record(&b, b"81.5 kg").unwrap();
    assert_eq!(
        &*open_device_record(&opened, &b, &sealed).unwrap(),
        b"81.5 kg"
    );
    // An Author::Member binding (or another device) on a device record is refused.
    for author in [Author::Member, Author::Device(Uuid::from_u128(41))] {
        let other = RecordBinding {
            author,
            ..b.clone()
        };
        assert_eq!(
            open_device_record(&opened, &other, &sealed)
                .unwrap_err()
                .code(),
            "binding_mismatch"
        );
    }
    // The device can seal outside its categories (it holds the batch key), but the member's
    // client refuses the record.
    let off = RecordBinding {
        category: "location".into(),
        ..device_binding(member, Uuid::from_u128(101))
    };
    let off_sealed = batch.seal_record(&off, b"52.1N 4.3E").unwrap();
    assert_eq!(
        open_device_record(&opened, &off, &off_sealed)
            .unwrap_err()
            .code(),
        "binding_mismatch"
    );
    // The server relabelling the category into an allowed one breaks the AEAD instead.
    let relabelled = RecordBinding {
        category: "vital-signs".into(),
        ..off.clone()
    };
    assert_eq!(
        open_device_record(&opened, &relabelled, &off_sealed)
            .unwrap_err()
            .code(),
        "tampered"
    );
    // Other fields are bound as for the member's records.
    let redated = RecordBinding {
        effective_at: Some(0),
        ..b.clone()
    };
    assert_eq!(
        open_device_record(&opened, &redated, &sealed)
            .unwrap_err()
            .code(),
        "tampered"
    );
    // A record of another batch.
    let other_batch = DeviceBatch::new(
        keys.hpke.public_key(),
        &device_keys,
        member,
        DEVICE,
        Uuid::from_u128(51),
    )
    .unwrap();
    let elsewhere = other_batch.seal_record(&b, b"x").unwrap();
    assert_eq!(
        open_device_record(&opened, &b, &elsewhere)
            .unwrap_err()
            .code(),
        "binding_mismatch"
    );
    // A version-1 record in a current batch (the device holds the batch key, so it could
    // write one): refused, its AAD names no author or category. Made from raw primitives: a
    // current batch sealed by the device's key pair in HPKE auth mode, which the crate opens.
    let batch_key = [9u8; 32];
    let mut rng = rng::os_rng().unwrap();
    let raw_batch = legacy::hpke_auth_seal(
        [0xDC, 0x30, 0x02],
        keys.hpke.public_key().as_bytes(),
        device_keys.private_bytes().as_slice(),
        &legacy::c(&[
            b"datacoop/v2/device-batch",
            member.as_bytes(),
            DEVICE.as_bytes(),
            batch_id.as_bytes(),
        ]),
        &batch_key,
        &mut rng,
    );
    let raw_opened = open_device_batch(&keys, &device, &batch_id, &raw_batch).unwrap();
    let old = V1Binding {
        member_id: member,
        record_id: b.record_id,
        version: b.version,
        content_type: b.content_type.clone(),
    };
    let (_, v1_ct, v1_ref) =
        legacy::seal_device_record_v1(&batch_key, &batch_id, &old, b"x", &mut rng);
    let err = open_device_record(
        &raw_opened,
        &b,
        &SealedRecord {
            ciphertext: v1_ct,
            wrapped_key: v1_ref,
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "unauthenticated");
}

#[test]
fn legacy_device_batches_open_only_on_request() {
    let member = Uuid::from_u128(1);
    let keys = MemberKeys::generate().unwrap();
    let (device_keys, device) = enrol(&keys, member, None);
    let batch_id = Uuid::from_u128(50);
    let mut rng = rng::os_rng().unwrap();
    let (batch_key, sealed_batch) = legacy::seal_device_batch_v1(
        keys.hpke.public_key().as_bytes(),
        &member,
        &batch_id,
        &mut rng,
    );
    let old = V1Binding {
        member_id: member,
        record_id: Uuid::from_u128(100),
        version: 1,
        content_type: "application/json".into(),
    };
    let (_, ct, key_ref) =
        legacy::seal_device_record_v1(&batch_key, &batch_id, &old, b"old reading", &mut rng);
    let sealed = SealedRecord {
        ciphertext: ct,
        wrapped_key: key_ref,
    };
    assert_eq!(device_batch_format(&sealed_batch).unwrap(), 1);
    assert_eq!(
        device_record_batch_id(&sealed.wrapped_key).unwrap(),
        batch_id
    );
    assert_eq!(
        open_device_batch(&keys, &device, &batch_id, &sealed_batch)
            .unwrap_err()
            .code(),
        "unauthenticated"
    );
    // The member explicitly accepts it (to re-seal it under their own key).
    let legacy_batch = open_legacy_device_batch(&keys, &member, &batch_id, &sealed_batch).unwrap();
    assert!(legacy_batch.device().is_none());
    let b: RecordBinding = serde_json::from_value(old.to_json()).unwrap();
    assert_eq!(
        &*open_device_record(&legacy_batch, &b, &sealed).unwrap(),
        b"old reading"
    );
    // The legacy path opens only version-1 batches, with their own member and batch.
    let current = DeviceBatch::new(
        keys.hpke.public_key(),
        &device_keys,
        member,
        DEVICE,
        batch_id,
    )
    .unwrap();
    assert_eq!(
        open_legacy_device_batch(&keys, &member, &batch_id, current.sealed_batch_key())
            .unwrap_err()
            .code(),
        "malformed"
    );
    assert_eq!(
        open_legacy_device_batch(&keys, &member, &Uuid::from_u128(51), &sealed_batch)
            .unwrap_err()
            .code(),
        "cannot_open"
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
    let (device_keys, device) = enrol(&keys, member, None);
    let batch =
        DeviceBatch::new(keys.hpke.public_key(), &device_keys, member, DEVICE, member).unwrap();
    let opened = open_device_batch(&keys, &device, &member, batch.sealed_batch_key()).unwrap();
    let rendered = [
        format!("{:?}", VaultKey::generate().unwrap()),
        format!("{:?}", RecordKey::generate().unwrap()),
        format!("{:?}", ShareKey::generate(member, member).unwrap()),
        format!("{:?}", RecoveryKey::generate().unwrap()),
        format!("{keys:?}"),
        format!("{device_keys:?}"),
        format!("{opened:?}"),
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
        let latest = match kind {
            Kind::KdfParams
            | Kind::RecordContent
            | Kind::RecordKeyWrap
            | Kind::DeviceRecordKeyRef
            | Kind::DeviceBatchKey => 2,
            _ => 1,
        };
        assert_eq!(kind.latest_version(), latest, "{kind:?}");
        assert_eq!(inspect(&kind.header()).unwrap(), (kind, latest));
    }
    // Bindings: the author's JSON form, and the old form without the version-2 fields.
    let b = RecordBinding {
        author: Author::Device(Uuid::from_u128(7)),
        ..binding(Uuid::from_u128(1), Uuid::from_u128(2))
    };
    let json = serde_json::to_value(&b).unwrap();
    assert_eq!(
        json["author"],
        serde_json::json!({"kind": "device", "id": "00000000-0000-0000-0000-000000000007"})
    );
    assert_eq!(
        serde_json::to_value(Author::Member).unwrap(),
        serde_json::json!({"kind": "member"})
    );
    assert_eq!(serde_json::from_value::<RecordBinding>(json).unwrap(), b);
    let old: RecordBinding = serde_json::from_str(
        r#"{"member_id":"00000000-0000-0000-0000-000000000001","record_id":"00000000-0000-0000-0000-000000000002","version":1,"content_type":"text/plain"}"#,
    )
    .unwrap();
    assert_eq!(
        (
            old.category.as_str(),
            old.type_code.as_str(),
            old.effective_at,
            old.author
        ),
        ("", "", None, Author::Member)
    );
    assert_eq!(inspect(&[0xDC, 0xEE, 1]).unwrap_err().code(), "malformed");
    assert_eq!(
        inspect(&[0x00, 0x20, 1]).unwrap_err().code(),
        "not_an_envelope"
    );
}
