//! `Write`/`Read` adapters over the sans-IO stream core, with one fixed-size chunk buffer each.

use std::io::{self, Read, Write};

use rand_core::CryptoRng;

use super::{
    BlobBinding, StreamOpener, StreamSealer, CHUNK_SIZE, SEALED_CHUNK_SIZE, STREAM_HEADER_LEN,
};
use crate::error::{Error, Result};
use crate::record::RecordKey;
use crate::rng::os_rng;

/// Encrypts everything written to it into `W`; call [`StreamEncryptor::finish`] to seal the last chunk.
///
/// Dropping it without `finish` leaves a stream that fails to decrypt (as it should).
pub struct StreamEncryptor<W: Write> {
    inner: W,
    sealer: StreamSealer,
    buf: Vec<u8>,
    failed: bool,
}

impl<W: Write> std::fmt::Debug for StreamEncryptor<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamEncryptor")
            .field("sealer", &self.sealer)
            .finish()
    }
}

impl<W: Write> StreamEncryptor<W> {
    /// Writes the header to `inner` and returns the encryptor.
    pub fn new(inner: W, key: &RecordKey, binding: &BlobBinding) -> Result<Self> {
        Self::new_with_rng(inner, key, binding, &mut os_rng()?)
    }

    /// [`StreamEncryptor::new`] with a caller-supplied generator (test vectors).
    pub fn new_with_rng(
        mut inner: W,
        key: &RecordKey,
        binding: &BlobBinding,
        rng: &mut impl CryptoRng,
    ) -> Result<Self> {
        let sealer = StreamSealer::new_with_rng(key, binding, rng)?;
        inner.write_all(sealer.header())?;
        Ok(StreamEncryptor {
            inner,
            sealer,
            buf: Vec::with_capacity(SEALED_CHUNK_SIZE),
            failed: false,
        })
    }

    fn flush_chunk(&mut self, last: bool) -> Result<()> {
        let result = self
            .sealer
            .seal_chunk(&mut self.buf, last)
            .and_then(|()| self.inner.write_all(&self.buf).map_err(Error::Io));
        self.buf.clear();
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    /// Encrypts everything `reader` yields, reading straight into the chunk buffer (one copy fewer than `io::copy`).
    pub fn write_from(&mut self, reader: &mut impl Read) -> Result<u64> {
        if self.failed {
            return Err(Error::InvalidInput {
                what: "stream",
                reason: "an earlier write failed; start again",
            });
        }
        let mut total = 0u64;
        loop {
            // Read up to one byte past a full chunk: a chunk is sealed as a middle chunk only
            // once more data is known to follow.
            let start = self.buf.len();
            self.buf.resize(CHUNK_SIZE + 1, 0);
            let got = read_full(reader, &mut self.buf[start..]);
            let n = *got.as_ref().unwrap_or(&0);
            self.buf.truncate(start + n);
            got?;
            total += n as u64;
            if self.buf.len() <= CHUNK_SIZE {
                return Ok(total);
            }
            let extra = self.buf.pop().unwrap_or_default();
            self.flush_chunk(false)?;
            self.buf.push(extra);
        }
    }

    /// Seals the final chunk, flushes, and returns the inner writer.
    pub fn finish(mut self) -> Result<W> {
        if self.failed {
            return Err(Error::InvalidInput {
                what: "stream",
                reason: "an earlier write failed; start again",
            });
        }
        self.flush_chunk(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for StreamEncryptor<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.failed {
            return Err(io::Error::other(
                "an earlier write to this encrypted stream failed",
            ));
        }
        let mut rest = data;
        while !rest.is_empty() {
            // A full buffer is sealed only once more data arrives, so the last chunk is never
            // sealed as a middle one.
            if self.buf.len() == CHUNK_SIZE {
                self.flush_chunk(false).map_err(Error::into_io)?;
            }
            let n = rest.len().min(CHUNK_SIZE - self.buf.len());
            self.buf.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        // Only whole chunks can be written; buffered plaintext waits for `finish`.
        self.inner.flush()
    }
}

/// Decrypts a stream from `R`; reads return only authenticated plaintext, and the end is reported
/// only after the final chunk has been verified.
///
/// Plaintext of earlier chunks is released before later chunks are checked: on any error,
/// discard everything read so far.
pub struct StreamDecryptor<R: Read> {
    inner: R,
    opener: StreamOpener,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    lookahead: Option<u8>,
    failed: bool,
}

impl<R: Read> std::fmt::Debug for StreamDecryptor<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamDecryptor")
            .field("opener", &self.opener)
            .finish()
    }
}

fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::Io(e)),
        }
    }
    Ok(filled)
}

impl<R: Read> StreamDecryptor<R> {
    /// Reads and checks the header (format, binding, key commitment) before returning.
    pub fn new(mut inner: R, key: &RecordKey, binding: &BlobBinding) -> Result<Self> {
        let mut header = [0u8; STREAM_HEADER_LEN];
        let got = read_full(&mut inner, &mut header)?;
        if got < STREAM_HEADER_LEN {
            // Report a wrong format or version in preference to the length.
            crate::envelope::open(&header[..got], crate::envelope::Kind::BlobStream)?;
            return Err(Error::malformed("encrypted file", "header is truncated"));
        }
        let opener = StreamOpener::new(&header, key, binding)?;
        Ok(StreamDecryptor {
            inner,
            opener,
            buf: vec![0u8; SEALED_CHUNK_SIZE + 1],
            pos: 0,
            end: 0,
            lookahead: None,
            failed: false,
        })
    }

    fn next_chunk(&mut self) -> Result<()> {
        let mut filled = 0;
        if let Some(b) = self.lookahead.take() {
            self.buf[0] = b;
            filled = 1;
        }
        // Read one byte past a full chunk: whether it exists says if this chunk is the last.
        filled += read_full(&mut self.inner, &mut self.buf[filled..])?;
        let last = filled <= SEALED_CHUNK_SIZE;
        if !last {
            self.lookahead = Some(self.buf[SEALED_CHUNK_SIZE]);
            filled = SEALED_CHUNK_SIZE;
        }
        if filled == 0 {
            return Err(Error::StreamTruncated);
        }
        // A full chunk followed by the end is either the real final chunk or a cut stream:
        // keep a copy so a failure can be told apart (once per stream at most).
        let mut spare = (last && filled == SEALED_CHUNK_SIZE).then(|| self.buf[..filled].to_vec());
        match self.opener.open_chunk(&mut self.buf[..filled], last) {
            Ok(len) => {
                self.pos = 0;
                self.end = len;
                Ok(())
            }
            Err(e) => {
                let cut_after_middle_chunk = spare
                    .as_mut()
                    .is_some_and(|copy| self.opener.opens_as(copy, false));
                Err(if cut_after_middle_chunk {
                    Error::StreamTruncated
                } else {
                    e
                })
            }
        }
    }
}

impl<R: Read> StreamDecryptor<R> {
    /// Returns the next run of authenticated plaintext without copying it, or `None` after the
    /// verified final chunk.
    pub fn read_chunk(&mut self) -> Result<Option<&[u8]>> {
        if self.pos >= self.end {
            if self.opener.is_finished() {
                return Ok(None);
            }
            if self.failed {
                return Err(Error::InvalidInput {
                    what: "stream",
                    reason: "this encrypted stream already failed to decrypt",
                });
            }
            if let Err(e) = self.next_chunk() {
                self.failed = true;
                self.buf.iter_mut().for_each(|b| *b = 0);
                return Err(e);
            }
        }
        let (start, end) = (self.pos, self.end);
        self.pos = end;
        Ok(Some(&self.buf[start..end]))
    }
}

impl<R: Read> Read for StreamDecryptor<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pos < self.end {
                let n = out.len().min(self.end - self.pos);
                out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.opener.is_finished() || out.is_empty() {
                return Ok(0);
            }
            if self.failed {
                return Err(io::Error::other(
                    "this encrypted stream already failed to decrypt",
                ));
            }
            if let Err(e) = self.next_chunk() {
                self.failed = true;
                self.buf.iter_mut().for_each(|b| *b = 0);
                return Err(e.into_io());
            }
        }
    }
}

/// Encrypts all of `reader` into `writer`; returns the plaintext length.
pub fn encrypt_stream<R: Read, W: Write>(
    reader: &mut R,
    writer: W,
    key: &RecordKey,
    binding: &BlobBinding,
) -> Result<(u64, W)> {
    let mut enc = StreamEncryptor::new(writer, key, binding)?;
    let n = enc.write_from(reader)?;
    Ok((n, enc.finish()?))
}

/// Decrypts all of `reader` into `writer`; returns the plaintext length. Discard the output on error.
pub fn decrypt_stream<R: Read, W: Write>(
    reader: R,
    writer: &mut W,
    key: &RecordKey,
    binding: &BlobBinding,
) -> Result<u64> {
    let mut dec = StreamDecryptor::new(reader, key, binding)?;
    let mut total = 0u64;
    while let Some(chunk) = dec.read_chunk()? {
        writer.write_all(chunk)?;
        total += chunk.len() as u64;
    }
    Ok(total)
}
