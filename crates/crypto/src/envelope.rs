//! Self-describing binary envelopes: `0xDC`, a kind byte, a version byte, then the kind's fields.
//!
//! Every object this crate hands to the server is an envelope, so stored data names its
//! own format and a later version can be added without breaking what is stored. The JSON
//! form used by the API is the same bytes in unpadded base64url.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::error::{Error, Result};

/// First byte of every envelope.
pub const MAGIC: u8 = 0xDC;

/// The first format version of every kind.
pub const VERSION_1: u8 = 0x01;

/// The second format version (records and device batches: authenticated metadata, signed devices).
pub const VERSION_2: u8 = 0x02;

/// Length of the magic, kind and version bytes.
pub const HEADER_LEN: usize = 3;

/// What an envelope contains; the byte values are part of the stored format and never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Kind {
    /// Argon2id parameters and salt, as handed out by the server.
    KdfParams = 0x01,
    /// A member's published X25519 (HPKE) and Ed25519 public keys.
    MemberPublicKeys = 0x02,
    /// The vault key sealed under the passphrase-derived key-encryption key.
    VaultKeyByPassphrase = 0x10,
    /// The vault key sealed under the recovery key.
    VaultKeyByRecovery = 0x11,
    /// A member's private keys sealed under the vault key.
    MemberSecretKeys = 0x12,
    /// The vault key sealed under a shell key: the client's local copy for an unlocked
    /// shell (never sent to the server).
    VaultKeyByShell = 0x13,
    /// A record's content sealed under its data key.
    RecordContent = 0x20,
    /// A record's data key wrapped under the member's record-key wrapping key.
    RecordKeyWrap = 0x21,
    /// A pointer saying the record's data key derives from a device batch key.
    DeviceRecordKeyRef = 0x22,
    /// A device batch key sealed with HPKE to the member's public key.
    DeviceBatchKey = 0x30,
    /// A consent's share key sealed with HPKE to a study's public key.
    StudyShareKey = 0x40,
    /// A record's data key wrapped under a consent's share key.
    ShareRecordKeyWrap = 0x41,
    /// A study's X25519 private key sealed under its researcher's vault key.
    StudySecretKey = 0x42,
    /// A consent's share key sealed under the member's vault key (for later copies).
    MemberShareKey = 0x43,
    /// The header of an encrypted blob stream.
    BlobStream = 0x50,
}

impl Kind {
    /// Every kind, for tests and documentation.
    pub const ALL: [Kind; 15] = [
        Kind::KdfParams,
        Kind::MemberPublicKeys,
        Kind::VaultKeyByPassphrase,
        Kind::VaultKeyByRecovery,
        Kind::MemberSecretKeys,
        Kind::VaultKeyByShell,
        Kind::RecordContent,
        Kind::RecordKeyWrap,
        Kind::DeviceRecordKeyRef,
        Kind::DeviceBatchKey,
        Kind::StudyShareKey,
        Kind::ShareRecordKeyWrap,
        Kind::StudySecretKey,
        Kind::MemberShareKey,
        Kind::BlobStream,
    ];

    /// Human-readable name used in error messages.
    pub fn name(self) -> &'static str {
        match self {
            Kind::KdfParams => "passphrase hashing parameters",
            Kind::MemberPublicKeys => "member public keys",
            Kind::VaultKeyByPassphrase => "vault key (passphrase copy)",
            Kind::VaultKeyByRecovery => "vault key (recovery copy)",
            Kind::MemberSecretKeys => "member private keys",
            Kind::VaultKeyByShell => "vault key (local copy for an unlocked shell)",
            Kind::RecordContent => "record",
            Kind::RecordKeyWrap => "record key",
            Kind::DeviceRecordKeyRef => "device record key reference",
            Kind::DeviceBatchKey => "device batch key",
            Kind::StudyShareKey => "study share key",
            Kind::ShareRecordKeyWrap => "shared record key",
            Kind::StudySecretKey => "study private key",
            Kind::MemberShareKey => "consent share key (member's copy)",
            Kind::BlobStream => "encrypted file",
        }
    }

    /// Maps a kind byte back to a kind, if this build knows it.
    pub fn from_byte(b: u8) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| *k as u8 == b)
    }

    /// The version this build writes for this kind; it reads every version up to it.
    pub fn latest_version(self) -> u8 {
        match self {
            Kind::KdfParams
            | Kind::RecordContent
            | Kind::RecordKeyWrap
            | Kind::DeviceRecordKeyRef
            | Kind::DeviceBatchKey => VERSION_2,
            _ => VERSION_1,
        }
    }

    /// The three header bytes of an envelope of this kind in its latest version.
    pub fn header(self) -> [u8; HEADER_LEN] {
        [MAGIC, self as u8, self.latest_version()]
    }
}

/// Reads an envelope's kind and version without interpreting its body (for routing and diagnostics).
pub fn inspect(bytes: &[u8]) -> Result<(Kind, u8)> {
    if bytes.len() < HEADER_LEN {
        return Err(Error::malformed("envelope", "shorter than its header"));
    }
    if bytes[0] != MAGIC {
        return Err(Error::NotAnEnvelope);
    }
    let kind = Kind::from_byte(bytes[1]).ok_or(Error::Malformed {
        what: "envelope",
        reason: "unknown kind byte",
    })?;
    Ok((kind, bytes[2]))
}

/// Checks the header against the expected kind and its latest version, and returns the body.
pub(crate) fn open(bytes: &[u8], expected: Kind) -> Result<&[u8]> {
    match open_versioned(bytes, expected)? {
        (v, body) if v == expected.latest_version() => Ok(body),
        (v, _) => Err(Error::UnsupportedVersion {
            kind: expected.name(),
            version: v,
        }),
    }
}

/// Checks the header against the expected kind and any version this build reads; returns both.
pub(crate) fn open_versioned(bytes: &[u8], expected: Kind) -> Result<(u8, &[u8])> {
    if bytes.len() < HEADER_LEN {
        return Err(Error::malformed(expected.name(), "shorter than its header"));
    }
    if bytes[0] != MAGIC {
        return Err(Error::NotAnEnvelope);
    }
    if bytes[1] != expected as u8 {
        return Err(Error::WrongKind {
            expected: expected.name(),
            found: bytes[1],
        });
    }
    if bytes[2] == 0 || bytes[2] > expected.latest_version() {
        return Err(Error::UnsupportedVersion {
            kind: expected.name(),
            version: bytes[2],
        });
    }
    Ok((bytes[2], &bytes[HEADER_LEN..]))
}

/// Encodes bytes as unpadded base64url, the form envelopes take in JSON.
pub fn to_base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded base64url, the form envelopes take in JSON.
pub fn from_base64url(text: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| Error::malformed("base64url text", "not unpadded base64url"))
}

/// Serde adapter: `#[serde(with = "datacoop_crypto::envelope::base64url")]` on a `Vec<u8>` field.
pub mod base64url {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes bytes as an unpadded base64url string.
    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::to_base64url(bytes))
    }

    /// Deserializes an unpadded base64url string into bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        super::from_base64url(&text).map_err(serde::de::Error::custom)
    }
}

/// Reads fixed-size fields off the front of an envelope body with typed errors.
pub(crate) struct BodyReader<'a> {
    rest: &'a [u8],
    what: &'static str,
}

impl<'a> BodyReader<'a> {
    pub(crate) fn new(body: &'a [u8], what: &'static str) -> Self {
        BodyReader { rest: body, what }
    }

    pub(crate) fn take<const N: usize>(&mut self) -> Result<[u8; N]> {
        if self.rest.len() < N {
            return Err(Error::malformed(self.what, "too short"));
        }
        let (head, rest) = self.rest.split_at(N);
        self.rest = rest;
        head.try_into()
            .map_err(|_| Error::malformed(self.what, "too short"))
    }

    pub(crate) fn finish(self) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::malformed(self.what, "unexpected trailing bytes"))
        }
    }
}
