//! Bridges between the blocking stream encryption of `datacoop-crypto` and
//! reqwest's async byte streams: one blocking thread per transfer, joined to
//! the async side by a bounded channel of byte frames, so memory stays
//! constant (a few frames) whatever the file's size.

use bytes::{Bytes, BytesMut};
use datacoop_crypto::stream::{CHUNK_SIZE, STREAM_HEADER_LEN, TAG_LEN};
use datacoop_crypto::{decrypt_stream, BlobBinding, RecordKey, StreamEncryptor};
use futures_util::stream::{Stream, StreamExt};
use futures_util::FutureExt;
use std::io::{self, BufWriter, Read, Write};
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Progress callback: plaintext bytes done so far.
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// Bytes per frame handed to the HTTP body (several sealed chunks).
const FRAME: usize = 512 * 1024;
/// Frames buffered between the two sides.
const FRAMES_IN_FLIGHT: usize = 4;
/// A downloaded frame at least this large is handed over without gathering.
const DIRECT_FRAME: usize = 64 * 1024;

/// Ciphertext length of a plaintext of `plain` bytes (docs/crypto.md section 12).
pub fn ciphertext_len(plain: u64) -> u64 {
    let chunk = CHUNK_SIZE as u64;
    let chunks = plain.div_ceil(chunk).max(1);
    STREAM_HEADER_LEN as u64 + plain + chunks * TAG_LEN as u64
}

/// Counts bytes passing through a reader or writer and reports them.
struct Counting<T> {
    inner: T,
    done: u64,
    progress: Progress,
}

impl<T: Read> Read for Counting<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        (self.progress)(self.done);
        Ok(n)
    }
}

impl<T: Write> Write for Counting<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.done += n as u64;
        (self.progress)(self.done);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Sends every write as one frame into the channel.
struct ChannelWriter(mpsc::Sender<io::Result<Bytes>>);

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the upload stopped"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Encrypts exactly `size` bytes of `reader` on a blocking thread; returns
/// the ciphertext as a stream for a request body. A read error, or a file
/// shorter than `size`, ends the stream with an error (the server then
/// stores nothing).
pub fn encrypting_body<R: Read + Send + 'static>(
    reader: R,
    size: u64,
    key: RecordKey,
    binding: BlobBinding,
    progress: Progress,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    let (tx, rx) = mpsc::channel(FRAMES_IN_FLIGHT);
    let fail = tx.clone();
    tokio::task::spawn_blocking(move || {
        let res = (|| -> io::Result<()> {
            let mut out = BufWriter::with_capacity(FRAME, ChannelWriter(tx));
            let mut input = Counting {
                inner: reader.take(size),
                done: 0,
                progress,
            };
            let mut enc =
                StreamEncryptor::new(&mut out, &key, &binding).map_err(io::Error::other)?;
            let n = enc.write_from(&mut input).map_err(io::Error::other)?;
            if n != size {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("the file changed while it was read: {n} of {size} bytes"),
                ));
            }
            enc.finish().map_err(io::Error::other)?;
            out.flush()
        })();
        if let Err(e) = res {
            let _ = fail.blocking_send(Err(e));
        }
    });
    receiver_stream(rx)
}

fn receiver_stream<T: Send + 'static>(
    rx: mpsc::Receiver<T>,
) -> impl Stream<Item = T> + Send + 'static {
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}

/// Reads frames from the channel as one byte stream.
struct ChannelReader {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(frame) => self.current = frame?,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// Decrypts a ciphertext byte stream into `writer` on a blocking thread.
/// Resolves to the plaintext length once the final chunk has been verified;
/// on any error, whatever was written must be discarded.
pub async fn decrypt_into<S, E, W>(
    mut body: S,
    writer: W,
    key: RecordKey,
    binding: BlobBinding,
    progress: Progress,
) -> Result<u64, String>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
    W: Write + Send + 'static,
{
    let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(FRAMES_IN_FLIGHT * 4);
    let worker: JoinHandle<Result<u64, String>> = tokio::task::spawn_blocking(move || {
        let reader = ChannelReader {
            rx,
            current: Bytes::new(),
        };
        let mut out = Counting {
            inner: BufWriter::with_capacity(FRAME, writer),
            done: 0,
            progress,
        };
        let n = decrypt_stream(reader, &mut out, &key, &binding)
            .map_err(|e| format!("the file does not decrypt (damaged, cut or not yours): {e}"))?;
        out.flush()
            .map_err(|e| format!("cannot write the file: {e}"))?;
        Ok(n)
    });
    // Hand over whatever has arrived, up to a frame at a time: the network's
    // small reads would otherwise cost a thread wake-up each.
    let mut pending = BytesMut::new();
    let (mut failed, mut more) = (None, true);
    while more {
        match body.next().await {
            // Large frames go as they are; only small ones are gathered.
            Some(Ok(b)) if b.len() >= DIRECT_FRAME => {
                if tx.send(Ok(b)).await.is_err() {
                    break;
                }
                continue;
            }
            item => match absorb(item, &mut pending) {
                Ok(m) => more = m,
                Err(e) => failed = Some(e),
            },
        }
        while more && failed.is_none() && pending.len() < FRAME {
            let Some(item) = body.next().now_or_never() else {
                break;
            };
            match absorb(item, &mut pending) {
                Ok(m) => more = m,
                Err(e) => failed = Some(e),
            }
        }
        if failed.is_some() {
            break;
        }
        if !pending.is_empty() && tx.send(Ok(pending.split().freeze())).await.is_err() {
            break;
        }
    }
    if let Some(e) = &failed {
        let _ = tx.send(Err(io::Error::other(e.clone()))).await;
    }
    drop(tx);
    let res = worker
        .await
        .map_err(|e| format!("decryption task failed: {e}"))?;
    match (res, failed) {
        (Ok(n), None) => Ok(n),
        (_, Some(e)) => Err(e),
        (Err(e), None) => Err(e),
    }
}

/// Appends one item of the body to `pending`; `Ok(false)` at its end.
fn absorb<E: std::fmt::Display>(
    item: Option<Result<Bytes, E>>,
    pending: &mut BytesMut,
) -> Result<bool, String> {
    match item {
        None => Ok(false),
        Some(Err(e)) => Err(format!("download interrupted: {e}")),
        Some(Ok(b)) => {
            pending.extend_from_slice(&b);
            Ok(true)
        }
    }
}
