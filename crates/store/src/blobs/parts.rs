//! The moving parts of the blob store: multipart uploads with bounded
//! parallelism, large-chunk reads of local objects, and the S3 back end.

#[cfg(feature = "s3")]
use super::REMOTE_PART;
use super::{object_error, BlobStore, PARTS_IN_FLIGHT};
use crate::StoreError;
use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt};
#[cfg(feature = "s3")]
use object_store::ObjectStore;
use object_store::{MultipartUpload, PutPayloadMut};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::task::JoinSet;

/// Bytes handed to the network per chunk when a local object is read.
const READ_CHUNK: usize = 256 * 1024;

/// Dirty bytes of a local upload after which its file is flushed early.
const EARLY_SYNC_EVERY: u64 = 32 * 1024 * 1024;

/// Starts the disk writes of a local upload while it streams, so the fsync
/// that completes it (durability) flushes only the tail instead of the whole
/// file. Purely an optimisation: if the staging file cannot be opened (its
/// name is `object_store`'s `<key>#1`), nothing is flushed early and the
/// final fsync does it all.
pub(super) struct EarlySync {
    path: PathBuf,
    file: Option<Arc<std::fs::File>>,
    pending: u64,
    running: Option<tokio::task::JoinHandle<()>>,
    disabled: bool,
}

impl EarlySync {
    /// For the multipart temporary of the local file `dest`.
    pub(super) fn new(dest: &std::path::Path) -> Self {
        let mut path = dest.as_os_str().to_owned();
        path.push("#1");
        EarlySync {
            path: path.into(),
            file: None,
            pending: 0,
            running: None,
            disabled: false,
        }
    }

    fn wrote(&mut self, n: u64) {
        self.pending += n;
        if self.disabled
            || self.pending < EARLY_SYNC_EVERY
            || self.running.as_ref().is_some_and(|t| !t.is_finished())
        {
            return;
        }
        if self.file.is_none() {
            match std::fs::File::open(&self.path) {
                Ok(f) => self.file = Some(Arc::new(f)),
                Err(_) => {
                    self.disabled = true;
                    return;
                }
            }
        }
        if let Some(f) = self.file.clone() {
            self.pending = 0;
            self.running = Some(tokio::task::spawn_blocking(move || {
                let _ = f.sync_data();
            }));
        }
    }

    async fn settle(&mut self) {
        if let Some(t) = self.running.take() {
            let _ = t.await;
        }
        self.file = None;
    }
}

/// A multipart upload in progress; aborted in the background if dropped unfinished.
pub(super) struct Upload {
    pub(super) upload: Option<Box<dyn MultipartUpload>>,
    pub(super) tasks: JoinSet<object_store::Result<()>>,
    pub(super) part: PutPayloadMut,
    pub(super) part_size: usize,
    pub(super) early: Option<EarlySync>,
}

impl Upload {
    pub(super) async fn push(&mut self, mut data: Bytes) -> Result<(), StoreError> {
        while !data.is_empty() {
            let room = self.part_size - self.part.content_length();
            let piece = data.split_to(room.min(data.len()));
            self.part.push(piece);
            if self.part.content_length() == self.part_size {
                self.send_part().await?;
            }
        }
        Ok(())
    }

    async fn send_part(&mut self) -> Result<(), StoreError> {
        let payload = std::mem::take(&mut self.part).freeze();
        let len = payload.content_length() as u64;
        let upload = self
            .upload
            .as_mut()
            .ok_or_else(|| StoreError::BlobStore("upload already finished".into()))?;
        self.tasks.spawn(upload.put_part(payload));
        while self.tasks.len() >= PARTS_IN_FLIGHT {
            self.join_one().await?;
        }
        if let Some(e) = &mut self.early {
            e.wrote(len);
        }
        Ok(())
    }

    async fn join_one(&mut self) -> Result<(), StoreError> {
        match self.tasks.join_next().await {
            Some(Ok(res)) => res.map_err(object_error),
            Some(Err(e)) => Err(StoreError::BlobStore(format!("upload task failed: {e}"))),
            None => Ok(()),
        }
    }

    pub(super) async fn finish(&mut self) -> Result<(), StoreError> {
        if self.part.content_length() > 0 {
            self.send_part().await?;
        }
        while !self.tasks.is_empty() {
            self.join_one().await?;
        }
        if let Some(e) = &mut self.early {
            e.settle().await;
        }
        let mut upload = self
            .upload
            .take()
            .ok_or_else(|| StoreError::BlobStore("upload already finished".into()))?;
        if let Err(e) = upload.complete().await {
            let _ = upload.abort().await;
            return Err(object_error(e));
        }
        Ok(())
    }

    pub(super) async fn abort(&mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        if let Some(e) = &mut self.early {
            e.settle().await;
        }
        if let Some(mut u) = self.upload.take() {
            let _ = u.abort().await;
        }
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if let Some(mut u) = self.upload.take() {
            if let Ok(h) = tokio::runtime::Handle::try_current() {
                h.spawn(async move {
                    let _ = u.abort().await;
                });
            }
        }
    }
}

/// Reads a local object in large chunks on one blocking thread (the
/// `object_store` stream reads 8 KiB per blocking task).
pub(super) fn read_file(
    file: std::fs::File,
    path: PathBuf,
    range: std::ops::Range<u64>,
) -> BoxStream<'static, Result<Bytes, StoreError>> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, StoreError>>(4);
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = file;
        let fail = |e: std::io::Error| {
            StoreError::BlobStore(format!("cannot read {}: {e}", path.display()))
        };
        if let Err(e) = file.seek(SeekFrom::Start(range.start)) {
            let _ = tx.blocking_send(Err(fail(e)));
            return;
        }
        let mut left = range.end.saturating_sub(range.start);
        while left > 0 {
            let want = left.min(READ_CHUNK as u64) as usize;
            let mut buf = vec![0u8; want];
            let res = file.read_exact(&mut buf).map(|()| Bytes::from(buf));
            let failed = res.is_err();
            if tx.blocking_send(res.map_err(fail)).is_err() || failed {
                return;
            }
            left -= want as u64;
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
    .boxed()
}

#[cfg(feature = "s3")]
pub(super) fn open_s3(bucket: &str, prefix: &str) -> Result<BlobStore, StoreError> {
    use object_store::aws::AmazonS3Builder;
    use object_store::prefix::PrefixStore;
    let s3 = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .build()
        .map_err(|e| StoreError::BlobStore(format!("cannot use s3://{bucket}: {e}")))?;
    let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
        Arc::new(s3)
    } else {
        Arc::new(PrefixStore::new(s3, prefix))
    };
    Ok(BlobStore {
        inner,
        local_root: None,
        part_size: REMOTE_PART,
        label: format!("s3://{bucket}/{prefix}"),
    })
}

#[cfg(not(feature = "s3"))]
pub(super) fn open_s3(bucket: &str, prefix: &str) -> Result<BlobStore, StoreError> {
    Err(StoreError::BlobStore(format!(
        "s3://{bucket}/{prefix} needs a server built with S3 support: `cargo build --release -p datacoop --features s3`"
    )))
}
