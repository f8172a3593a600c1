//! Zeroize-on-drop containers for key material, whose `Debug` never prints the bytes.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Length of every symmetric key in this crate.
pub const KEY_LEN: usize = 32;

/// 32 secret bytes, wiped on drop, redacted in `Debug`, compared in constant time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct Secret32([u8; KEY_LEN]);

impl Secret32 {
    pub(crate) fn new(bytes: [u8; KEY_LEN]) -> Self {
        Secret32(bytes)
    }

    /// Copies from a slice that must be exactly 32 bytes.
    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; KEY_LEN] = bytes.try_into().ok()?;
        Some(Secret32(arr))
    }

    pub(crate) fn random(rng: &mut impl rand_core::CryptoRng) -> Self {
        let mut bytes = [0u8; KEY_LEN];
        rng.fill_bytes(&mut bytes);
        Secret32(bytes)
    }

    pub(crate) fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl ConstantTimeEq for Secret32 {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl fmt::Debug for Secret32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Decrypted content: wiped when dropped so plaintext does not linger in freed memory.
pub type Plaintext = Zeroizing<Vec<u8>>;

/// Declares a named 32-byte key type so keys of different roles cannot be mixed up.
macro_rules! secret_key_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(pub(crate) $crate::secret::Secret32);

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl ::subtle::ConstantTimeEq for $name {
            fn ct_eq(&self, other: &Self) -> ::subtle::Choice {
                self.0.ct_eq(&other.0)
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                bool::from(::subtle::ConstantTimeEq::ct_eq(self, other))
            }
        }

        impl Eq for $name {}
    };
}

pub(crate) use secret_key_type;
