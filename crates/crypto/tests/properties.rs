//! Property tests: round trips at every size, any single-bit change rejected, and no decoder
//! panics on random or mutated input.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::io::Write;
use std::sync::OnceLock;

use common::legacy::{self, V1Binding};
use datacoop_crypto::envelope::{from_base64url, inspect};
use datacoop_crypto::*;
use proptest::prelude::*;
use uuid::Uuid;

const CHUNK: usize = 65536;

struct Fixture {
    kek: Kek,
    vault: VaultKey,
    recovery: RecoveryKey,
    keys: MemberKeys,
    study: HpkeKeyPair,
    share: ShareKey,
    member: Uuid,
    device_keys: HpkeKeyPair,
    device: VerifiedDevice,
    opened_batch: OpenedDeviceBatch,
    valid: Vec<Vec<u8>>,
}

const DEVICE: Uuid = Uuid::from_u128(8);

fn device_certificate(
    public_key: HpkePublicKey,
    categories: Option<Vec<String>>,
) -> DeviceCertificate {
    DeviceCertificate {
        member_id: Uuid::from_u128(1),
        device_id: DEVICE,
        name: "bathroom scale".into(),
        categories,
        public_key,
    }
}

fn legacy_binding(record_id: Uuid) -> V1Binding {
    V1Binding {
        member_id: Uuid::from_u128(1),
        record_id,
        version: 1,
        content_type: "t".into(),
    }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let member = Uuid::from_u128(1);
        let params = KdfParams::new(KdfParams::FLOOR_MEMORY_KIB, 2, 1, [9; SALT_LEN]).unwrap();
        let (_, kek) = derive_passphrase_keys("pass", "member@example.org", &params).unwrap();
        let vault = VaultKey::generate().unwrap();
        let recovery = RecoveryKey::generate().unwrap();
        let keys = MemberKeys::generate().unwrap();
        let study = HpkeKeyPair::generate().unwrap();
        let share = ShareKey::generate(Uuid::from_u128(5), Uuid::from_u128(6)).unwrap();
        let rec = seal_record(&vault, &binding(Uuid::from_u128(2), 1, "t"), b"content").unwrap();
        let device_keys = HpkeKeyPair::generate().unwrap();
        let cert = device_certificate(device_keys.public_key().clone(), Some(vec!["t".into()]));
        let sig = cert.sign(&keys);
        let device = cert.verify(&keys.public_keys(), &sig).unwrap();
        let batch = DeviceBatch::new(
            keys.hpke.public_key(),
            &device_keys,
            member,
            DEVICE,
            Uuid::from_u128(3),
        )
        .unwrap();
        let drec = batch
            .seal_record(&device_binding(Uuid::from_u128(4)), b"device")
            .unwrap();
        let opened_batch = open_device_batch(
            &keys,
            &device,
            &Uuid::from_u128(3),
            batch.sealed_batch_key(),
        )
        .unwrap();
        let dek =
            unwrap_record_key(&vault, &member, &Uuid::from_u128(2), 1, &rec.wrapped_key).unwrap();
        let mut stream = StreamEncryptor::new(Vec::new(), &dek, &blob()).unwrap();
        stream.write_all(&[5u8; 1000]).unwrap();
        // Version-1 data, made by the tests' own encoder of the old format.
        let mut rng = rng::os_rng().unwrap();
        let (_, legacy_ct, legacy_wrap) = legacy::seal_record_v1(
            &vault.to_local_bytes(),
            &legacy_binding(Uuid::from_u128(2)),
            b"old content",
            &mut rng,
        );
        let (_, legacy_batch) = legacy::seal_device_batch_v1(
            keys.hpke.public_key().as_bytes(),
            &member,
            &Uuid::from_u128(3),
            &mut rng,
        );
        // Version-1 KDF parameters, as a server still hands them out for old accounts.
        let mut legacy_params = params.to_envelope();
        legacy_params[2] = 1;
        let valid = vec![
            params.to_envelope(),
            keys.public_keys().to_envelope(),
            seal_vault_key(&vault, &kek, &member).unwrap(),
            seal_vault_key_for_recovery(&vault, &recovery, &member).unwrap(),
            keys.seal(&vault, &member).unwrap(),
            rec.ciphertext.clone(),
            rec.wrapped_key.clone(),
            drec.wrapped_key.clone(),
            batch.sealed_batch_key().to_vec(),
            share.seal_to_study(study.public_key()).unwrap(),
            share.wrap_record_key(&Uuid::from_u128(2), &dek).unwrap(),
            stream.finish().unwrap(),
            legacy_ct,
            legacy_wrap,
            legacy_batch,
            drec.ciphertext.clone(),
            legacy_params,
        ];
        Fixture {
            kek,
            vault,
            recovery,
            keys,
            study,
            share,
            member,
            device_keys,
            device,
            opened_batch,
            valid,
        }
    })
}

fn binding(record_id: Uuid, version: u64, content_type: &str) -> RecordBinding {
    RecordBinding {
        member_id: Uuid::from_u128(1),
        record_id,
        version,
        content_type: content_type.into(),
        category: "t".into(),
        type_code: "8867-4".into(),
        effective_at: Some(1_700_000_000_000_000),
        author: Author::Member,
    }
}

fn device_binding(record_id: Uuid) -> RecordBinding {
    RecordBinding {
        author: Author::Device(DEVICE),
        ..binding(record_id, 1, "t")
    }
}

fn blob() -> BlobBinding {
    BlobBinding {
        member_id: Uuid::from_u128(1),
        blob_id: Uuid::from_u128(7),
    }
}

/// Feeds bytes to every decoder; the only requirement is a typed result, never a panic.
fn feed_all(bytes: &[u8]) {
    let f = fixture();
    let m = &f.member;
    let r2 = Uuid::from_u128(2);
    let _ = inspect(bytes);
    let _ = KdfParams::from_envelope(bytes);
    let _ = MemberPublicKeys::from_envelope(bytes);
    let _ = open_vault_key(bytes, &f.kek, m);
    let _ = open_vault_key_with_recovery(bytes, &f.recovery, m);
    let _ = MemberKeys::open(bytes, &f.vault, m);
    let _ = unwrap_record_key(&f.vault, m, &r2, 1, bytes);
    let _ = record_format(bytes);
    let _ = device_record_batch_id(bytes);
    let _ = device_batch_format(bytes);
    let _ = open_device_batch(&f.keys, &f.device, &Uuid::from_u128(3), bytes);
    let _ = open_legacy_device_batch(&f.keys, m, &Uuid::from_u128(3), bytes);
    let _ = open_device_record(
        &f.opened_batch,
        &device_binding(Uuid::from_u128(4)),
        &SealedRecord {
            ciphertext: bytes.to_vec(),
            wrapped_key: f.valid[7].clone(),
        },
    );
    let _ = open_device_record(
        &f.opened_batch,
        &device_binding(Uuid::from_u128(4)),
        &SealedRecord {
            ciphertext: f.valid[15].clone(),
            wrapped_key: bytes.to_vec(),
        },
    );
    if let Ok(sig) = Signature::from_bytes(bytes) {
        let cert = device_certificate(f.device_keys.public_key().clone(), None);
        let _ = cert.verify(&f.keys.public_keys(), &sig);
    }
    let _ = ShareKey::open_as_study(&f.study, Uuid::from_u128(5), Uuid::from_u128(6), bytes);
    let _ = f.share.unwrap_record_key(&r2, bytes);
    let sealed = SealedRecord {
        ciphertext: bytes.to_vec(),
        wrapped_key: f.valid[6].clone(),
    };
    let _ = open_record(&f.vault, &binding(r2, 1, "t"), &sealed);
    let _ = open_record(
        &f.vault,
        &binding(r2, 1, "t"),
        &SealedRecord {
            ciphertext: bytes.to_vec(),
            wrapped_key: f.valid[13].clone(),
        },
    );
    if let Ok(dek) = unwrap_record_key(&f.vault, m, &r2, 1, &f.valid[6]) {
        let _ = decrypt_stream(bytes, &mut std::io::sink(), &dek, &blob());
    }
    let _ = Signature::from_bytes(bytes);
    let _ = VerifyingKey::from_bytes(bytes);
    let _ = HpkePublicKey::from_bytes(bytes);
    let _ = HpkeKeyPair::from_private_bytes(bytes);
    let _ = CanonicalReader::new(bytes, "datacoop/v1/record").and_then(|mut r| r.uuid().map(drop));
    let text = String::from_utf8_lossy(bytes);
    let _ = RecoveryKey::from_code(&text);
    let _ = from_base64url(&text);
    let _ = serde_json::from_str::<SealedRecord>(&text);
    let _ = serde_json::from_str::<RecordBinding>(&text);
    let _ = serde_json::from_str::<KdfParams>(&text);
}

/// A reader that hands out at most `piece` bytes per call.
struct Chunky<'a> {
    data: &'a [u8],
    piece: usize,
}

impl std::io::Read for Chunky<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = out.len().min(self.piece).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn sizes() -> impl Strategy<Value = usize> {
    prop_oneof![
        prop::sample::select(vec![
            0,
            1,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            2 * CHUNK - 1,
            2 * CHUNK,
            2 * CHUNK + 1,
            3 * CHUNK
        ]),
        0usize..(3 * CHUNK + 10),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn stream_round_trips_at_every_size(size in sizes(), write_piece in 1usize..100_000, read_piece in 1usize..100_000) {
        let key = RecordKey::generate().unwrap();
        let data: Vec<u8> = (0..size).map(|i| (i % 253) as u8).collect();
        let mut enc = StreamEncryptor::new(Vec::new(), &key, &blob()).unwrap();
        for piece in data.chunks(write_piece) {
            enc.write_all(piece).unwrap();
        }
        let ct = enc.finish().unwrap();
        let chunks = if size == 0 { 1 } else { size.div_ceil(CHUNK) };
        prop_assert_eq!(ct.len(), 99 + size + 16 * chunks);
        let mut dec = StreamDecryptor::new(&ct[..], &key, &blob()).unwrap();
        let mut out = Vec::with_capacity(size);
        let mut buf = vec![0u8; read_piece];
        loop {
            let n = std::io::Read::read(&mut dec, &mut buf).unwrap();
            if n == 0 { break; }
            out.extend_from_slice(&buf[..n]);
        }
        prop_assert_eq!(&out, &data);

        // The copy-free helpers, fed by a reader that returns short reads.
        let mut src = Chunky { data: &data, piece: read_piece };
        let (n, ct2) = encrypt_stream(&mut src, Vec::new(), &key, &blob()).unwrap();
        prop_assert_eq!(n as usize, size);
        prop_assert_eq!(ct2.len(), ct.len());
        let mut out2 = Vec::new();
        prop_assert_eq!(decrypt_stream(Chunky { data: &ct2, piece: write_piece }, &mut out2, &key, &blob()).unwrap() as usize, size);
        prop_assert_eq!(out2, data);
    }

    #[test]
    fn any_bit_flip_in_a_stream_is_rejected(bit in 0usize..((99 + CHUNK + 16 + 500 + 16) * 8)) {
        let key = RecordKey::generate().unwrap();
        let mut enc = StreamEncryptor::new(Vec::new(), &key, &blob()).unwrap();
        enc.write_all(&vec![1u8; CHUNK + 500]).unwrap();
        let mut ct = enc.finish().unwrap();
        ct[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(decrypt_stream(&ct[..], &mut std::io::sink(), &key, &blob()).is_err());
    }

    #[test]
    fn records_round_trip_and_reject_any_bit_flip(
        plaintext in prop::collection::vec(any::<u8>(), 0..2048),
        version in any::<u64>(),
        content_type in "[a-z/+.-]{1,40}",
        category in "[a-z-]{0,20}",
        type_code in "[0-9A-Za-z-]{0,12}",
        effective_at in any::<Option<i64>>(),
        flip in any::<prop::sample::Index>(),
        in_key in any::<bool>(),
    ) {
        let f = fixture();
        let b = RecordBinding { member_id: f.member, record_id: Uuid::from_u128(42), version, content_type, category, type_code, effective_at, author: Author::Member };
        let sealed = seal_record(&f.vault, &b, &plaintext).unwrap();
        prop_assert_eq!(&*open_record(&f.vault, &b, &sealed).unwrap(), &plaintext[..]);
        let mut bad = sealed.clone();
        let target = if in_key { &mut bad.wrapped_key } else { &mut bad.ciphertext };
        let bit = flip.index(target.len() * 8);
        target[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(open_record(&f.vault, &b, &bad).is_err());
    }

    #[test]
    fn any_bit_flip_in_the_aad_is_rejected(field in 0usize..8, flip in any::<prop::sample::Index>()) {
        let f = fixture();
        let b = RecordBinding { version: 9, content_type: "text/plain".into(), ..binding(Uuid::from_u128(42), 9, "t") };
        let sealed = seal_record(&f.vault, &b, b"payload").unwrap();
        let flip_str = |s: String| { let mut c = s.into_bytes(); let i = flip.index(c.len() * 7); c[i / 7] ^= 1 << (i % 7); String::from_utf8(c).unwrap() };
        let mut other = b.clone();
        match field {
            0 => { let mut m = *other.member_id.as_bytes(); let i = flip.index(128); m[i / 8] ^= 1 << (i % 8); other.member_id = Uuid::from_bytes(m); }
            1 => { let mut r = *other.record_id.as_bytes(); let i = flip.index(128); r[i / 8] ^= 1 << (i % 8); other.record_id = Uuid::from_bytes(r); }
            2 => other.version ^= 1 << flip.index(64),
            3 => other.content_type = flip_str(other.content_type),
            4 => other.category = flip_str(other.category),
            5 => other.type_code = flip_str(other.type_code),
            6 => other.effective_at = match flip.index(65) { 64 => None, i => other.effective_at.map(|t| t ^ (1i64 << i)) },
            _ => other.author = Author::Device(Uuid::from_u128(flip.index(1 << 20) as u128)),
        }
        prop_assert!(open_record(&f.vault, &other, &sealed).is_err());
        // Content alone, with the right key: the AAD change is caught by the AEAD.
        let dek = unwrap_record_key(&f.vault, &b.member_id, &b.record_id, b.version, &sealed.wrapped_key).unwrap();
        prop_assert_eq!(open_content(&dek, &other, &sealed.ciphertext).unwrap_err().code(), "tampered");
        // The wrap is bound to the member, the record and the version.
        if field <= 2 {
            prop_assert_eq!(unwrap_record_key(&f.vault, &other.member_id, &other.record_id, other.version, &sealed.wrapped_key).unwrap_err().code(), "tampered");
        }
    }

    #[test]
    fn certificates_verify_in_any_category_order_and_fail_on_any_change(
        cats in prop::collection::vec("[a-z-]{1,12}", 0..6),
        rotate in any::<prop::sample::Index>(),
        change in 0usize..6,
        extra in "[a-z-]{1,12}",
    ) {
        let f = fixture();
        let cert = device_certificate(f.device_keys.public_key().clone(), Some(cats.clone()));
        let sig = cert.sign(&f.keys);
        // Order and repetition of categories do not matter: they are signed sorted and deduplicated.
        let mut shuffled = cats.clone();
        if !shuffled.is_empty() {
            let n = rotate.index(shuffled.len());
            shuffled.rotate_left(n);
            shuffled.reverse();
            shuffled.push(shuffled[0].clone());
        }
        let same = DeviceCertificate { categories: Some(shuffled), ..cert.clone() };
        prop_assert!(same.verify(&f.keys.public_keys(), &sig).is_ok());
        let mut other = cert.clone();
        match change {
            0 => other.name.push('x'),
            1 => other.categories.as_mut().unwrap().push(format!("{extra}!")),
            2 => other.categories = None,
            3 => other.device_id = Uuid::from_u128(9),
            4 => other.member_id = Uuid::from_u128(9),
            _ => other.public_key = f.study.public_key().clone(),
        }
        prop_assert_eq!(other.verify(&f.keys.public_keys(), &sig).unwrap_err().code(), "invalid_signature");
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn kdf_params_keep_their_version_and_compare_per_dimension(
        (va, vb) in (1u8..=2, 1u8..=2),
        a in (KdfParams::FLOOR_MEMORY_KIB..=256 * 1024, 2u32..=16, 1u32..=16),
        b in (KdfParams::FLOOR_MEMORY_KIB..=256 * 1024, 2u32..=16, 1u32..=16),
    ) {
        let make = |(m, t, p): (u32, u32, u32), version: u8| {
            let mut env = KdfParams::new(m, t, p, [1; SALT_LEN]).unwrap().to_envelope();
            env[2] = version;
            let params = KdfParams::from_envelope(&env).unwrap();
            assert_eq!(params.to_envelope(), env);
            let json = serde_json::to_string(&params).unwrap();
            assert_eq!(serde_json::from_str::<KdfParams>(&json).unwrap(), params);
            params
        };
        let (pa, pb) = (make(a, va), make(b, vb));
        prop_assert_eq!(pa.version(), va);
        prop_assert_eq!(pa.is_legacy(), va == 1);
        let expected = va >= vb && a.0 >= b.0 && a.1 >= b.1 && a.2 >= b.2;
        prop_assert_eq!(pa.at_least(&pb.cost()), expected);
        prop_assert!(pa.at_least(&pa.cost()));
    }

    #[test]
    fn random_bytes_never_panic_a_decoder(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        feed_all(&bytes);
    }

    #[test]
    fn random_bytes_behind_a_valid_header_never_panic(which in 0usize..17, body in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut bytes = fixture().valid[which][..3].to_vec();
        bytes.extend_from_slice(&body);
        feed_all(&bytes);
    }

    #[test]
    fn mutated_envelopes_never_panic_and_authenticated_ones_fail(
        which in 0usize..17,
        pos in any::<prop::sample::Index>(),
        op in 0u8..4,
        byte in any::<u8>(),
    ) {
        let f = fixture();
        let mut bytes = f.valid[which].clone();
        let i = pos.index(bytes.len());
        match op {
            0 => bytes[i] ^= byte | 1,
            1 => bytes.truncate(i),
            2 => bytes.insert(i, byte),
            _ => bytes.push(byte),
        }
        feed_all(&bytes);
        // Every sealed kind must refuse the mutation (0, 1 and 16 are plain data; 7, the
        // device record's key reference, only names a batch).
        let r2 = Uuid::from_u128(2);
        let refused = match which {
            2 => open_vault_key(&bytes, &f.kek, &f.member).is_err(),
            3 => open_vault_key_with_recovery(&bytes, &f.recovery, &f.member).is_err(),
            4 => MemberKeys::open(&bytes, &f.vault, &f.member).is_err(),
            5 => open_record(&f.vault, &binding(r2, 1, "t"), &SealedRecord { ciphertext: bytes.clone(), wrapped_key: f.valid[6].clone() }).is_err(),
            6 => unwrap_record_key(&f.vault, &f.member, &r2, 1, &bytes).is_err(),
            8 => open_device_batch(&f.keys, &f.device, &Uuid::from_u128(3), &bytes).is_err(),
            9 => ShareKey::open_as_study(&f.study, Uuid::from_u128(5), Uuid::from_u128(6), &bytes).is_err(),
            10 => f.share.unwrap_record_key(&r2, &bytes).is_err(),
            11 => {
                let dek = unwrap_record_key(&f.vault, &f.member, &r2, 1, &f.valid[6]).unwrap();
                decrypt_stream(&bytes[..], &mut std::io::sink(), &dek, &blob()).is_err()
            }
            12 => open_record(&f.vault, &binding(r2, 1, "t"), &SealedRecord { ciphertext: bytes.clone(), wrapped_key: f.valid[13].clone() }).is_err(),
            13 => unwrap_record_key(&f.vault, &f.member, &r2, 1, &bytes).is_err(),
            14 => open_legacy_device_batch(&f.keys, &f.member, &Uuid::from_u128(3), &bytes).is_err(),
            15 => open_device_record(&f.opened_batch, &device_binding(Uuid::from_u128(4)), &SealedRecord { ciphertext: bytes.clone(), wrapped_key: f.valid[7].clone() }).is_err(),
            _ => true,
        };
        prop_assert!(refused, "mutation of envelope {} was accepted", which);
    }
}
