//! Bytes on the wire: unpadded base64url strings. Every byte field of the
//! API is a [`Base64Url`], which carries its encoding and its schema, so a
//! wire type says what a field is in one line.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes (ciphertext, sealed keys, signatures) sent as unpadded base64url.
/// `Debug` shows only the length: these are never worth printing, and some
/// are key material.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Base64Url(pub Vec<u8>);

impl Base64Url {
    /// The bytes.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }
}

impl std::fmt::Debug for Base64Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Base64Url({} bytes)", self.0.len())
    }
}

impl std::ops::Deref for Base64Url {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl std::ops::DerefMut for Base64Url {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

impl PartialEq<Vec<u8>> for Base64Url {
    fn eq(&self, other: &Vec<u8>) -> bool {
        &self.0 == other
    }
}

impl PartialEq<Base64Url> for Vec<u8> {
    fn eq(&self, other: &Base64Url) -> bool {
        self == &other.0
    }
}

impl AsRef<[u8]> for Base64Url {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Base64Url {
    fn from(v: Vec<u8>) -> Self {
        Base64Url(v)
    }
}

impl From<Base64Url> for Vec<u8> {
    fn from(b: Base64Url) -> Vec<u8> {
        b.0
    }
}

impl Serialize for Base64Url {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&URL_SAFE_NO_PAD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64Url {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        URL_SAFE_NO_PAD
            .decode(text)
            .map(Base64Url)
            .map_err(|_| serde::de::Error::custom("not unpadded base64url"))
    }
}

impl utoipa::PartialSchema for Base64Url {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .content_encoding("base64url")
            .pattern(Some("^[A-Za-z0-9_-]*$"))
            .description(Some("Bytes as unpadded base64url (RFC 4648 §5)."))
            .into()
    }
}

impl utoipa::ToSchema for Base64Url {}

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded base64url (e.g. from a header); `None` if it is not.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_unpadded_url_safe_and_hides_bytes_in_debug() {
        let b = Base64Url(vec![0xfb, 0xff, 0x00]);
        let text = serde_json::to_string(&b).ok();
        assert_eq!(text.as_deref(), Some("\"-_8A\""));
        let back: Result<Base64Url, _> = serde_json::from_str("\"-_8A\"");
        assert_eq!(back.ok(), Some(b.clone()));
        assert!(serde_json::from_str::<Base64Url>("\"+/8A\"").is_err());
        assert!(serde_json::from_str::<Base64Url>("\"-_8A==\"").is_err());
        assert_eq!(format!("{b:?}"), "Base64Url(3 bytes)");
    }
}
