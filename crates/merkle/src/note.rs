//! C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys via `ring`: the envelope
//! that carries checkpoints, and that witnesses can later add cosignatures to.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::signature::{Ed25519KeyPair, KeyPair as _, UnparsedPublicKey, ED25519};

use crate::error::NoteError;
use crate::hash::sha256;

/// Signature type byte of Ed25519 in key ids and verifier keys.
pub const ALG_ED25519: u8 = 0x01;

/// Signature lines begin with an em dash and a space.
const SIG_PREFIX: &str = "\u{2014} ";

/// Most signature lines parsed in one note (the spec asks for at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// A trusted Ed25519 note key: what a client pins to verify the log's checkpoints.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    key_id: u32,
    public_key: [u8; 32],
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifierKey({self})")
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut key = Vec::with_capacity(33);
        key.push(ALG_ED25519);
        key.extend_from_slice(&self.public_key);
        write!(
            f,
            "{}+{:08x}+{}",
            self.name,
            self.key_id,
            STANDARD.encode(key)
        )
    }
}

impl VerifierKey {
    /// The verifier key of an Ed25519 public key under `name`.
    pub fn new(name: &str, public_key: &[u8; 32]) -> Result<Self, NoteError> {
        check_key_name(name)?;
        Ok(VerifierKey {
            name: name.to_owned(),
            key_id: key_id(name, public_key),
            public_key: *public_key,
        })
    }

    /// Parses `<name>+<hex key id>+<base64(0x01 ‖ public key)>`, checking the key id.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(key_b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(NoteError::BadVerifierKey("expected name+keyid+key"));
        };
        check_key_name(name)?;
        if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(NoteError::BadVerifierKey("key id must be 8 hex digits"));
        }
        let claimed_id = u32::from_str_radix(id_hex, 16)
            .map_err(|_| NoteError::BadVerifierKey("key id must be 8 hex digits"))?;
        let key = STANDARD
            .decode(key_b64)
            .map_err(|_| NoteError::BadVerifierKey("key is not standard base64"))?;
        let (alg, public_key) = key
            .split_first()
            .ok_or(NoteError::BadVerifierKey("key is empty"))?;
        if *alg != ALG_ED25519 {
            return Err(NoteError::BadVerifierKey("not an Ed25519 key (type 0x01)"));
        }
        let public_key = <[u8; 32]>::try_from(public_key)
            .map_err(|_| NoteError::BadVerifierKey("Ed25519 key must be 32 bytes"))?;
        let vkey = VerifierKey::new(name, &public_key)?;
        if vkey.key_id != claimed_id {
            return Err(NoteError::BadVerifierKey(
                "key id does not match name and key",
            ));
        }
        Ok(vkey)
    }

    /// The key name, which signature lines carry.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key id, which prefixes each signature.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The raw Ed25519 public key.
    pub fn public_key(&self) -> &[u8; 32] {
        &self.public_key
    }
}

/// Key id of an Ed25519 note key: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[..4], big-endian.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    let h = sha256(&[name.as_bytes(), b"\n", &[ALG_ED25519], public_key]);
    u32::from_be_bytes([h.0[0], h.0[1], h.0[2], h.0[3]])
}

/// The verifier key string a client pins: `<name>+<hex key id>+<base64(0x01 ‖ key)>`.
pub fn verifier_key_string(name: &str, public_key: &[u8; 32]) -> Result<String, NoteError> {
    Ok(VerifierKey::new(name, public_key)?.to_string())
}

/// Signs note `text` (which must end in a newline) and returns the whole signed note.
pub fn sign_note(text: &str, key_name: &str, key: &Ed25519KeyPair) -> Result<String, NoteError> {
    check_key_name(key_name)?;
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed("note text must end with a newline"));
    }
    if has_forbidden_chars(text) {
        return Err(NoteError::Malformed("control character in note text"));
    }
    let public_key = <[u8; 32]>::try_from(key.public_key().as_ref())
        .map_err(|_| NoteError::Malformed("Ed25519 public key is not 32 bytes"))?;
    let id = key_id(key_name, &public_key);
    let mut sig = Vec::with_capacity(68);
    sig.extend_from_slice(&id.to_be_bytes());
    sig.extend_from_slice(key.sign(text.as_bytes()).as_ref());
    Ok(format!(
        "{text}\n{SIG_PREFIX}{key_name} {}\n",
        STANDARD.encode(sig)
    ))
}

/// Verifies `note` against the trusted `verifier` and returns the signed text.
///
/// Per c2sp.org/signed-note: signatures by other keys (other name, or same name with
/// another key id) are ignored, so witnesses can cosign; a signature by the trusted key that
/// fails is an error; and at least one signature by the trusted key must verify.
pub fn open_note<'a>(note: &'a str, verifier: &VerifierKey) -> Result<&'a str, NoteError> {
    if has_forbidden_chars(note) {
        return Err(NoteError::Malformed("control character in note"));
    }
    let split = note
        .rfind("\n\n")
        .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
    let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
    if sigs.is_empty() || !sigs.ends_with('\n') {
        return Err(NoteError::Malformed(
            "signature block must be non-empty and end with a newline",
        ));
    }
    let public_key = UnparsedPublicKey::new(&ED25519, verifier.public_key);
    let mut verified = false;
    for (count, line) in sigs[..sigs.len() - 1].split('\n').enumerate() {
        if count >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures(MAX_SIGNATURES));
        }
        let rest = line
            .strip_prefix(SIG_PREFIX)
            .ok_or(NoteError::Malformed("signature line must start with '— '"))?;
        let (name, b64) = rest.split_once(' ').ok_or(NoteError::Malformed(
            "signature line must be '— name signature'",
        ))?;
        if check_key_name(name).is_err() || b64.is_empty() {
            return Err(NoteError::Malformed("bad key name in signature line"));
        }
        let sig = STANDARD
            .decode(b64)
            .map_err(|_| NoteError::Malformed("signature is not standard base64"))?;
        if sig.len() < 5 {
            return Err(NoteError::Malformed("signature too short"));
        }
        let id = u32::from_be_bytes([sig[0], sig[1], sig[2], sig[3]]);
        if name != verifier.name || id != verifier.key_id {
            continue; // Someone else's signature (a witness, a rotated key): ignore.
        }
        if public_key.verify(text.as_bytes(), &sig[4..]).is_err() {
            return Err(NoteError::BadSignature {
                name: verifier.name.clone(),
                key_id: verifier.key_id,
            });
        }
        verified = true;
    }
    if !verified {
        return Err(NoteError::NoTrustedSignature {
            name: verifier.name.clone(),
            key_id: verifier.key_id,
        });
    }
    Ok(text)
}

/// Key names are non-empty, without Unicode spaces or '+'.
fn check_key_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.contains('+') || name.chars().any(char::is_whitespace) {
        return Err(NoteError::BadKeyName(name.to_owned()));
    }
    if has_forbidden_chars(name) {
        return Err(NoteError::BadKeyName(name.to_owned()));
    }
    Ok(())
}

/// ASCII control characters other than newline are not allowed anywhere in a note.
fn has_forbidden_chars(text: &str) -> bool {
    text.chars().any(|c| c < ' ' && c != '\n')
}
