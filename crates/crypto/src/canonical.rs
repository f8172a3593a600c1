//! Canonical, length-prefixed encodings: the only bytes this crate signs, derives from or binds as AAD.
//!
//! An encoding is a sequence of fields; each field is a 4-byte big-endian length followed
//! by that many bytes. The first field is always a context string (for example
//! `datacoop/v1/record`), so two encodings for different purposes can never be equal.
//! Integers are fixed-width big-endian (`u8` 1 byte, `u32` 4, `u64` 8), UUIDs their
//! 16 bytes, strings UTF-8. The same values always give the same bytes, unlike JSON.

use uuid::Uuid;

use crate::error::{Error, Result};

/// Builds a canonical encoding; start with a context string naming the purpose and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    buf: Vec<u8>,
}

impl Canonical {
    /// Starts an encoding whose first field is `context`, which separates purposes (domain separation).
    pub fn new(context: &str) -> Self {
        let mut c = Canonical {
            buf: Vec::with_capacity(64 + context.len()),
        };
        c.push(context.as_bytes());
        c
    }

    fn push(&mut self, field: &[u8]) {
        // Fields are bounded by the callers (ids, keys, short strings); a field over
        // 4 GiB cannot be encoded, so saturate rather than wrap and let the length check in the
        // reader reject it.
        let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(field);
    }

    /// Appends one byte (a version or flag).
    pub fn u8(mut self, v: u8) -> Self {
        self.push(&[v]);
        self
    }

    /// Appends a 32-bit integer, big-endian.
    pub fn u32(mut self, v: u32) -> Self {
        self.push(&v.to_be_bytes());
        self
    }

    /// Appends a 64-bit integer, big-endian (record versions, counters, timestamps).
    pub fn u64(mut self, v: u64) -> Self {
        self.push(&v.to_be_bytes());
        self
    }

    /// Appends a UUID as its 16 bytes (member, record, study, consent and batch ids).
    pub fn uuid(mut self, id: &Uuid) -> Self {
        self.push(id.as_bytes());
        self
    }

    /// Appends arbitrary bytes (hashes, keys, nested canonical encodings).
    pub fn bytes(mut self, v: &[u8]) -> Self {
        self.push(v);
        self
    }

    /// Appends a UTF-8 string.
    pub fn str(mut self, v: &str) -> Self {
        self.push(v.as_bytes());
        self
    }

    /// The encoded bytes so far, without consuming the builder.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Finishes the encoding.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads back a canonical encoding field by field, refusing anything not produced by [`Canonical`].
#[derive(Debug)]
pub struct CanonicalReader<'a> {
    rest: &'a [u8],
}

const WHAT: &str = "canonical encoding";

impl<'a> CanonicalReader<'a> {
    /// Starts reading; fails unless the first field equals `context` (so a ballot is never read as a receipt).
    pub fn new(bytes: &'a [u8], context: &str) -> Result<Self> {
        let mut r = CanonicalReader { rest: bytes };
        if r.field()? != context.as_bytes() {
            return Err(Error::malformed(WHAT, "unexpected context string"));
        }
        Ok(r)
    }

    fn field(&mut self) -> Result<&'a [u8]> {
        if self.rest.len() < 4 {
            return Err(Error::malformed(WHAT, "truncated length prefix"));
        }
        let (len, rest) = self.rest.split_at(4);
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        if rest.len() < len {
            return Err(Error::malformed(
                WHAT,
                "field longer than the remaining bytes",
            ));
        }
        let (field, rest) = rest.split_at(len);
        self.rest = rest;
        Ok(field)
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N]> {
        self.field()?
            .try_into()
            .map_err(|_| Error::malformed(WHAT, "fixed-width field has the wrong length"))
    }

    /// Reads a one-byte field.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.fixed::<1>()?[0])
    }

    /// Reads a 32-bit big-endian field.
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.fixed()?))
    }

    /// Reads a 64-bit big-endian field.
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(self.fixed()?))
    }

    /// Reads a 16-byte UUID field.
    pub fn uuid(&mut self) -> Result<Uuid> {
        Ok(Uuid::from_bytes(self.fixed()?))
    }

    /// Reads a bytes field.
    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        self.field()
    }

    /// Reads a UTF-8 string field.
    pub fn str(&mut self) -> Result<&'a str> {
        std::str::from_utf8(self.field()?)
            .map_err(|_| Error::malformed(WHAT, "string is not UTF-8"))
    }

    /// Ends reading; fails if bytes remain, so two different byte strings never decode alike.
    pub fn finish(self) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::malformed(
                WHAT,
                "trailing bytes after the last field",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_length_prefixed_big_endian() {
        let bytes = Canonical::new("ab").u8(7).u64(1).str("x").finish();
        assert_eq!(
            bytes,
            [
                0, 0, 0, 2, b'a', b'b', 0, 0, 0, 1, 7, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
                1, b'x'
            ]
        );
    }

    #[test]
    fn reader_round_trips_and_rejects_trailing_bytes() {
        let id = Uuid::from_bytes([9; 16]);
        let bytes = Canonical::new("ctx").uuid(&id).u32(5).bytes(b"hi").finish();
        let mut r = CanonicalReader::new(&bytes, "ctx").unwrap();
        assert_eq!(r.uuid().unwrap(), id);
        assert_eq!(r.u32().unwrap(), 5);
        assert_eq!(r.bytes().unwrap(), b"hi");
        r.finish().unwrap();
        assert!(CanonicalReader::new(&bytes, "other").is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        let mut r = CanonicalReader::new(&longer, "ctx").unwrap();
        r.uuid().unwrap();
        r.u32().unwrap();
        r.bytes().unwrap();
        assert!(r.finish().is_err());
    }
}
