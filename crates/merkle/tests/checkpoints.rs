//! Signed checkpoints: round trip with a fresh key, and everything a verifier must refuse.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_merkle::*;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair as _};

const ORIGIN: &str = "coop.example/accesslog";

fn keypair() -> Ed25519KeyPair {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
}

fn vkey_of(key: &Ed25519KeyPair, name: &str) -> String {
    verifier_key_string(name, key.public_key().as_ref().try_into().unwrap()).unwrap()
}

fn checkpoint() -> Checkpoint {
    Checkpoint {
        origin: ORIGIN.into(),
        size: 1_000_000,
        root: leaf_hash(b"root"),
    }
}

#[test]
fn sign_then_verify_round_trips() {
    let key = keypair();
    let signed = sign_checkpoint(&checkpoint(), ORIGIN, &key).unwrap();
    let vkey = vkey_of(&key, ORIGIN);
    assert_eq!(
        parse_and_verify_checkpoint(&signed, &vkey).unwrap(),
        checkpoint()
    );
    // Layout: body, blank line, one signature line of 4 + 64 bytes.
    let (body, sig) = signed.split_once("\n\n").unwrap();
    assert_eq!(format!("{body}\n"), checkpoint().to_note_text().unwrap());
    let b64 = sig
        .strip_prefix(&format!("— {ORIGIN} "))
        .unwrap()
        .trim_end();
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert_eq!(raw.len(), 68);
    let parsed = VerifierKey::parse(&vkey).unwrap();
    assert_eq!(
        u32::from_be_bytes(raw[..4].try_into().unwrap()),
        parsed.key_id()
    );
    assert_eq!(VerifierKey::parse(&vkey).unwrap().to_string(), vkey);
    // Empty tree.
    let empty = Checkpoint {
        size: 0,
        root: EMPTY_ROOT,
        ..checkpoint()
    };
    let signed = sign_checkpoint(&empty, ORIGIN, &key).unwrap();
    assert_eq!(parse_and_verify_checkpoint(&signed, &vkey).unwrap(), empty);
}

#[test]
fn witness_cosignatures_are_ignored_but_ours_is_required() {
    let log = keypair();
    let witness = keypair();
    let signed = sign_checkpoint(&checkpoint(), ORIGIN, &log).unwrap();
    let witness_signed = sign_checkpoint(&checkpoint(), "witness.example", &witness).unwrap();
    let witness_line = witness_signed.split_once("\n\n").unwrap().1;
    let cosigned = format!("{signed}{witness_line}");
    assert_eq!(
        parse_and_verify_checkpoint(&cosigned, &vkey_of(&log, ORIGIN)).unwrap(),
        checkpoint()
    );
    // Only the witness signed: missing log signature.
    assert!(matches!(
        parse_and_verify_checkpoint(&witness_signed, &vkey_of(&log, ORIGIN)),
        Err(NoteError::NoTrustedSignature { .. })
    ));
}

#[test]
fn refuses_forgeries_and_malformed_notes() {
    let key = keypair();
    let vkey = vkey_of(&key, ORIGIN);
    let signed = sign_checkpoint(&checkpoint(), ORIGIN, &key).unwrap();
    let verify = |text: &str| parse_and_verify_checkpoint(text, &vkey);

    // Altered body: size, root, origin.
    for altered in [
        signed.replace("1000000", "1000001"),
        signed.replacen(&leaf_hash(b"root").to_base64(), &EMPTY_ROOT.to_base64(), 1),
        signed.replacen("coop.example", "evil.example", 1),
    ] {
        assert!(
            matches!(verify(&altered), Err(NoteError::BadSignature { .. })),
            "{altered}"
        );
    }

    // Signed by another key under our name: its key id differs, so it is an unknown key and
    // the note has no trusted signature.
    let other = sign_checkpoint(&checkpoint(), ORIGIN, &keypair()).unwrap();
    assert!(matches!(
        verify(&other),
        Err(NoteError::NoTrustedSignature { .. })
    ));

    // Our signature bytes under a tweaked key id: unknown key, so no trusted signature.
    let (body, sig_line) = signed.split_once("\n\n").unwrap();
    let b64 = sig_line.trim_end().rsplit_once(' ').unwrap().1;
    use base64::Engine as _;
    let b64e = base64::engine::general_purpose::STANDARD;
    let mut raw = b64e.decode(b64).unwrap();
    raw[0] ^= 1;
    let wrong_id = format!("{body}\n\n— {ORIGIN} {}\n", b64e.encode(&raw));
    assert!(matches!(
        verify(&wrong_id),
        Err(NoteError::NoTrustedSignature { .. })
    ));

    // Right key id, corrupted signature.
    let mut raw = b64e.decode(b64).unwrap();
    raw[10] ^= 1;
    let bad_sig = format!("{body}\n\n— {ORIGIN} {}\n", b64e.encode(&raw));
    assert!(matches!(
        verify(&bad_sig),
        Err(NoteError::BadSignature { .. })
    ));

    // No signatures at all / no blank line / missing final newline / trailing garbage line.
    for malformed in [
        format!("{body}\n"),
        format!("{body}\n\n"),
        signed.replacen("\n\n", "\n", 1),
        signed.trim_end().to_string(),
        format!("{signed}garbage\n"),
        format!("{signed}\n"),
        signed.replace('—', "-"),
        signed.replacen(&format!("— {ORIGIN} "), &format!("— {ORIGIN}  "), 1),
        signed.replacen("\n", "\r\n", 1),
        signed.replacen("1000000", "1000000\t", 1),
    ] {
        assert!(verify(&malformed).is_err(), "{malformed:?}");
    }

    // Bodies that are validly signed but are not our checkpoint format.
    for body in [
        format!(
            "{ORIGIN}\n1000000\n{}\nextension line\n",
            EMPTY_ROOT.to_base64()
        ),
        format!("{ORIGIN}\n1000000\n"),
        format!("{ORIGIN}\n01000000\n{}\n", EMPTY_ROOT.to_base64()),
        format!("{ORIGIN}\n+1000000\n{}\n", EMPTY_ROOT.to_base64()),
        format!("{ORIGIN}\n-1\n{}\n", EMPTY_ROOT.to_base64()),
        format!(
            "{ORIGIN}\n18446744073709551616\n{}\n",
            EMPTY_ROOT.to_base64()
        ),
        format!("{ORIGIN}\n\n{}\n", EMPTY_ROOT.to_base64()),
        format!("\n1000000\n{}\n", EMPTY_ROOT.to_base64()),
        format!(
            "{ORIGIN}\n1000000\n{}\n",
            EMPTY_ROOT.to_base64().trim_end_matches('=')
        ),
        format!("{ORIGIN}\n1000000\n{}\n", leaf_hash(b"x").to_hex()),
        format!("{ORIGIN}\n1000000\nAAAA\n"),
    ] {
        let signed = sign_note(&body, ORIGIN, &key).unwrap();
        assert!(
            matches!(verify(&signed), Err(NoteError::BadCheckpoint(_))),
            "{body:?}"
        );
    }
}

#[test]
fn refuses_bad_inputs_when_signing() {
    let key = keypair();
    for name in ["", "has space", "has+plus", "tab\there"] {
        assert!(matches!(
            sign_checkpoint(&checkpoint(), name, &key),
            Err(NoteError::BadKeyName(_))
        ));
    }
    let bad_origin = Checkpoint {
        origin: "two\nlines".into(),
        ..checkpoint()
    };
    assert!(sign_checkpoint(&bad_origin, ORIGIN, &key).is_err());
    let empty_origin = Checkpoint {
        origin: String::new(),
        ..checkpoint()
    };
    assert!(sign_checkpoint(&empty_origin, ORIGIN, &key).is_err());
    assert!(sign_note("no final newline", ORIGIN, &key).is_err());
}

#[test]
fn too_many_signatures_are_refused() {
    let key = keypair();
    let signed = sign_checkpoint(&checkpoint(), ORIGIN, &key).unwrap();
    let line = signed.split_once("\n\n").unwrap().1;
    let foreign = line.replace(ORIGIN, "someone.else");
    let many = format!("{signed}{}", foreign.repeat(MAX_SIGNATURES));
    assert!(matches!(
        parse_and_verify_checkpoint(&many, &vkey_of(&key, ORIGIN)),
        Err(NoteError::TooManySignatures(_))
    ));
    // Sixteen cosignatures are fine (the spec's minimum).
    let sixteen = format!("{signed}{}", foreign.repeat(16));
    assert!(parse_and_verify_checkpoint(&sixteen, &vkey_of(&key, ORIGIN)).is_ok());
}

proptest::proptest! {
    /// Arbitrary text never panics the note parser.
    #[test]
    fn arbitrary_notes_never_panic(text in "\\PC*", cut in 0usize..200) {
        let key = keypair();
        let vkey = vkey_of(&key, ORIGIN);
        let _ = parse_and_verify_checkpoint(&text, &vkey);
        let signed = sign_checkpoint(&checkpoint(), ORIGIN, &key).unwrap();
        let mut cut = cut.min(signed.len());
        while !signed.is_char_boundary(cut) {
            cut -= 1;
        }
        let _ = parse_and_verify_checkpoint(&format!("{}{text}", &signed[..cut]), &vkey);
        let _ = VerifierKey::parse(&text);
    }
}
