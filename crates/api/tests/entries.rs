//! The canonical entry encoding: round trips, exact layout, and no panic on any input.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_api::log::*;
use datacoop_merkle::leaf_hash;
use proptest::prelude::*;
use uuid::Uuid;

fn id(n: u8) -> Uuid {
    Uuid::from_bytes([n; 16])
}

fn sample() -> AccessEntry {
    AccessEntry {
        blinding: [0xbb; 16],
        time_micros: 1_700_000_000_123_456,
        actor: Actor::Researcher {
            id: id(1),
            study: id(2),
        },
        action: Action::DatasetExport,
        member: id(3),
        chain: None,
        record: None,
        study: Some(id(2)),
        consent: Some(id(4)),
        extra: None,
    }
}

#[test]
fn layout_is_exactly_as_documented() {
    let bytes = sample().encode().unwrap();
    let mut want = vec![1u8];
    want.extend([0xbb; 16]);
    want.extend(1_700_000_000_123_456u64.to_be_bytes());
    want.push(3);
    want.extend([1; 16]);
    want.extend([2; 16]);
    want.extend([0x00, 0x03]);
    want.extend([3; 16]);
    want.push(0);
    want.push(1);
    want.extend([2; 16]);
    want.push(1);
    want.extend([4; 16]);
    want.push(0);
    assert_eq!(bytes, want);
    assert_eq!(AccessEntry::decode(&bytes).unwrap(), sample());
    assert_eq!(sample().leaf_hash().unwrap(), leaf_hash(&bytes));
}

#[test]
fn chained_layout_is_exactly_as_documented() {
    let chained = AccessEntry {
        chain: Some(MemberChain {
            seq: 7,
            prev: datacoop_merkle::Hash([0xcc; 32]),
        }),
        ..sample()
    };
    let bytes = chained.encode().unwrap();
    let legacy = sample().encode().unwrap();
    // Version 2, then the version-1 layout with seq and prev after the member.
    let member_end = 1 + 16 + 8 + 1 + 32 + 2 + 16;
    let mut want = vec![2u8];
    want.extend(&legacy[1..member_end]);
    want.extend(7u64.to_be_bytes());
    want.extend([0xcc; 32]);
    want.extend(&legacy[member_end..]);
    assert_eq!(bytes, want);
    assert_eq!(AccessEntry::decode(&bytes).unwrap(), chained);
    let json = serde_json::to_value(&chained).unwrap();
    assert_eq!(json["chain"]["seq"], 7);
    assert_eq!(
        serde_json::from_value::<AccessEntry>(json).unwrap(),
        chained
    );
}

#[test]
fn action_codes_are_stable() {
    let codes: Vec<u16> = Action::ALL.iter().map(|a| a.code()).collect();
    assert_eq!(codes, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for a in Action::ALL {
        assert_eq!(Action::from_code(a.code()), Some(a));
    }
    assert_eq!(Action::from_code(0), None);
    assert_eq!(Action::from_code(13), None);
}

#[test]
fn every_actor_round_trips() {
    for actor in [
        Actor::Member { id: id(9) },
        Actor::Device { id: id(9) },
        Actor::Researcher {
            id: id(9),
            study: id(8),
        },
        Actor::Steward { id: id(9) },
        Actor::Server,
    ] {
        for action in Action::ALL {
            let e = AccessEntry {
                actor,
                action,
                extra: Some(b"fingerprint".to_vec()),
                ..sample()
            };
            let bytes = e.encode().unwrap();
            assert_eq!(AccessEntry::decode(&bytes).unwrap(), e);
        }
    }
}

#[test]
fn malformed_entries_get_typed_errors() {
    let good = sample().encode().unwrap();
    let mut v = good.clone();
    v[0] = 3;
    assert_eq!(
        AccessEntry::decode(&v),
        Err(EntryError::UnsupportedVersion(3))
    );
    let mut v = good.clone();
    v[25] = 6;
    assert_eq!(
        AccessEntry::decode(&v),
        Err(EntryError::UnknownActorKind(6))
    );
    let mut v = good.clone();
    v[25 + 33] = 0;
    v[25 + 34] = 99;
    assert_eq!(AccessEntry::decode(&v), Err(EntryError::UnknownAction(99)));
    let mut v = good.clone();
    v.push(0);
    assert_eq!(AccessEntry::decode(&v), Err(EntryError::TrailingBytes(1)));
    let flag_at = 25 + 33 + 2 + 16;
    let mut v = good.clone();
    v[flag_at] = 2;
    assert_eq!(
        AccessEntry::decode(&v),
        Err(EntryError::InvalidFlag {
            offset: flag_at,
            flag: 2
        })
    );
    for len in 0..good.len() {
        assert!(
            matches!(
                AccessEntry::decode(&good[..len]),
                Err(EntryError::Truncated { .. })
            ),
            "prefix of {len} bytes"
        );
    }
    let too_long = AccessEntry {
        extra: Some(vec![0; MAX_EXTRA_LEN + 1]),
        ..sample()
    };
    assert!(matches!(
        too_long.encode(),
        Err(EntryError::ExtraTooLong { .. })
    ));
    let max = AccessEntry {
        extra: Some(vec![7; MAX_EXTRA_LEN]),
        ..sample()
    };
    assert_eq!(AccessEntry::decode(&max.encode().unwrap()).unwrap(), max);
}

#[test]
fn json_shape_is_friendly() {
    let e = AccessEntry {
        extra: Some(vec![1, 2, 3]),
        ..sample()
    };
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["actor"]["kind"], "researcher");
    assert_eq!(json["actor"]["study"], id(2).to_string());
    assert_eq!(json["action"], "dataset_export");
    assert_eq!(json["extra"], "AQID");
    assert!(json.get("record").is_none());
    let back: AccessEntry = serde_json::from_value(json).unwrap();
    assert_eq!(back, e);
    let server = serde_json::to_value(Actor::Server).unwrap();
    assert_eq!(server, serde_json::json!({"kind": "server"}));
}

#[test]
fn blinding_is_random() {
    let a = AccessEntry::new_blinding().unwrap();
    let b = AccessEntry::new_blinding().unwrap();
    assert_ne!(a, b);
}

fn arb_uuid() -> impl Strategy<Value = Uuid> {
    any::<[u8; 16]>().prop_map(Uuid::from_bytes)
}

fn arb_actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        arb_uuid().prop_map(|id| Actor::Member { id }),
        arb_uuid().prop_map(|id| Actor::Device { id }),
        (arb_uuid(), arb_uuid()).prop_map(|(id, study)| Actor::Researcher { id, study }),
        arb_uuid().prop_map(|id| Actor::Steward { id }),
        Just(Actor::Server),
    ]
}

fn arb_entry() -> impl Strategy<Value = AccessEntry> {
    (
        any::<[u8; 16]>(),
        any::<u64>(),
        arb_actor(),
        proptest::sample::select(Action::ALL.to_vec()),
        (
            arb_uuid(),
            proptest::option::of((any::<u64>(), any::<[u8; 32]>())),
        ),
        proptest::option::of(arb_uuid()),
        proptest::option::of(arb_uuid()),
        proptest::option::of(arb_uuid()),
        proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
    )
        .prop_map(
            |(
                blinding,
                time_micros,
                actor,
                action,
                (member, chain),
                record,
                study,
                consent,
                extra,
            )| {
                AccessEntry {
                    blinding,
                    time_micros,
                    actor,
                    action,
                    member,
                    chain: chain.map(|(seq, prev)| MemberChain {
                        seq,
                        prev: datacoop_merkle::Hash(prev),
                    }),
                    record,
                    study,
                    consent,
                    extra,
                }
            },
        )
}

proptest! {
    #[test]
    fn encode_decode_round_trips(e in arb_entry()) {
        let bytes = e.encode().unwrap();
        prop_assert_eq!(AccessEntry::decode(&bytes).unwrap(), e);
    }

    /// Fuzz-style: arbitrary bytes never panic, and whatever decodes re-encodes to the same
    /// bytes (one encoding per entry, so one leaf hash per entry).
    #[test]
    fn random_bytes_never_panic_and_decoding_is_canonical(
        bytes in proptest::collection::vec(any::<u8>(), 0..200)
    ) {
        if let Ok(e) = AccessEntry::decode(&bytes) {
            prop_assert_eq!(e.encode().unwrap(), bytes);
        }
    }

    /// Mutations of valid encodings (more likely to get deep into the decoder).
    #[test]
    fn mutated_entries_never_panic(
        e in arb_entry(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let good = e.encode().unwrap();
        // The encoding is self-delimiting: no strict prefix of an entry is an entry.
        prop_assert!(AccessEntry::decode(&good[..cut.index(good.len())]).is_err());
        let mut bytes = good;
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(d) = AccessEntry::decode(&bytes) {
            prop_assert_eq!(d.encode().unwrap(), bytes);
        }
    }
}

#[test]
fn a_researchers_chained_access_is_sealed_and_its_leaf_hides_the_member() {
    let full = AccessEntry {
        chain: Some(MemberChain {
            seq: 3,
            prev: datacoop_merkle::Hash([0xcc; 32]),
        }),
        extra: Some(export_extra(id(7), id(8))),
        ..sample()
    };
    assert!(full.is_sealed());
    let encoded = full.encode().unwrap();
    assert_eq!(AccessEntry::decode(&encoded).unwrap(), full);
    let sealed = SealedEntry::of(&full).unwrap();
    let leaf_data = full.leaf_data().unwrap();
    assert_eq!(leaf_data, sealed.encode().unwrap());
    assert_eq!(leaf_data[0], SEALED_ENTRY_VERSION);
    assert_eq!(SealedEntry::decode(&leaf_data).unwrap(), sealed);
    assert_eq!(full.leaf_hash().unwrap(), leaf_hash(&leaf_data));
    assert_eq!(leaf_of(&encoded), leaf_hash(&leaf_data));
    // Neither the member, the consent, the chain nor the blinding appears in clear.
    for secret in [
        &[3u8; 16][..],
        &[4u8; 16][..],
        &[0xcc; 32][..],
        &[0xbb; 16][..],
    ] {
        assert!(
            !leaf_data.windows(secret.len()).any(|w| w == secret),
            "the sealed form shows {secret:?}"
        );
    }
    // The commitment binds every hidden field.
    let other = AccessEntry {
        member: id(5),
        ..full.clone()
    };
    assert_ne!(other.leaf_hash().unwrap(), full.leaf_hash().unwrap());
    // Layout: version, commitment, time, researcher + study, action, no record, study, extra.
    let mut want = vec![3u8];
    want.extend(sealed.member_part.as_bytes());
    want.extend(1_700_000_000_123_456u64.to_be_bytes());
    want.push(3);
    want.extend([1; 16]);
    want.extend([2; 16]);
    want.extend([0x00, 0x03]);
    want.push(0);
    want.push(1);
    want.extend([2; 16]);
    want.extend([1, 0, 32]);
    want.extend([7; 16]);
    want.extend([8; 16]);
    assert_eq!(leaf_data, want);
    // A member's own access is not sealed; its leaf is its encoding.
    let own = AccessEntry {
        actor: Actor::Member { id: id(3) },
        ..full
    };
    assert!(!own.is_sealed());
    assert_eq!(own.leaf_data().unwrap(), own.encode().unwrap());
}

proptest! {
    #[test]
    fn sealed_decoding_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(e) = SealedEntry::decode(&bytes) {
            prop_assert_eq!(e.encode().unwrap(), bytes);
        }
    }
}
