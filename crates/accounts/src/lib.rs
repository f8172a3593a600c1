//! Encrypted per-member data accounts. The server side of the member's
//! vault: it stores login material (a slow, peppered hash of the client's
//! authentication key), sealed keys and record ciphertext, and never anything
//! it could decrypt.
#![forbid(unsafe_code)]

pub mod blobs;
pub mod deletion;
pub mod devices;
mod error;
pub mod hasher;
mod login_material;
pub mod members;
pub mod passphrase;
pub mod records;
pub mod records_read;
pub mod recovery;
pub mod rotation;

pub use deletion::{erase_member, Erased};
pub use error::AccountError;
pub use hasher::Hasher;
pub use members::Pepper;
pub use passphrase::Confirmed;
