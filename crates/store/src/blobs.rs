//! Blob objects: ciphertext files in an object store (`object_store`): a
//! local directory by default, an S3-compatible bucket with the `s3` feature.
//!
//! Layout under the store's root:
//!
//! - `blobs/<sha256 hex of the ciphertext>`: stored objects (content-addressed);
//! - `staging/<uuid>`: uploads while they stream in.
//!
//! An upload streams into a staging object while its SHA-256 and length are
//! computed; it becomes `blobs/<sha256>` only through [`BlobStore::publish`],
//! which the caller runs after checking the length and hash it was promised.
//! A failed, cut or refused upload is aborted and deleted; leftovers of a
//! crash are removed by [`BlobStore::sweep_staging`] at start-up.

use crate::StoreError;
use bytes::Bytes;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{GetResultPayload, ObjectStore, ObjectStoreExt, PutPayloadMut};
use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::task::JoinSet;

/// Part size of uploads to a local directory.
const LOCAL_PART: usize = 1024 * 1024;
/// Part size of uploads to a remote store (S3 needs ≥ 5 MiB for every part but the last).
#[cfg_attr(not(feature = "s3"), allow(dead_code))]
const REMOTE_PART: usize = 6 * 1024 * 1024;
/// Parts written at the same time by one upload (bounds its memory).
const PARTS_IN_FLIGHT: usize = 2;

/// Where blobs are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobLocation {
    /// A local directory (created if missing).
    Dir(PathBuf),
    /// An S3-compatible bucket, with a key prefix (may be empty).
    S3 {
        /// Bucket name.
        bucket: String,
        /// Key prefix inside the bucket, without slashes at either end.
        prefix: String,
    },
}

impl BlobLocation {
    /// Parses `s3://bucket/prefix`, `file:///path` or a plain directory path.
    pub fn parse(text: &str) -> Result<BlobLocation, StoreError> {
        if let Some(rest) = text.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(StoreError::BlobStore(format!(
                    "{text:?} names no bucket: use s3://BUCKET/PREFIX"
                )));
            }
            return Ok(BlobLocation::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.trim_matches('/').to_owned(),
            });
        }
        if text.contains("://") && !text.starts_with("file://") {
            return Err(StoreError::BlobStore(format!(
                "unsupported blob store {text:?}: use a directory, file:///PATH or s3://BUCKET/PREFIX"
            )));
        }
        let path = text.strip_prefix("file://").unwrap_or(text);
        if path.is_empty() {
            return Err(StoreError::BlobStore("the blob directory is empty".into()));
        }
        Ok(BlobLocation::Dir(PathBuf::from(path)))
    }
}

/// An upload that streamed in completely: still in staging until published.
#[derive(Debug)]
pub struct Staged {
    key: Option<ObjectPath>,
    store: Arc<dyn ObjectStore>,
    /// SHA-256 of the ciphertext.
    pub sha256: [u8; 32],
    /// Length of the ciphertext in bytes.
    pub size: u64,
}

impl Staged {
    /// The SHA-256 as lower-case hex (the object's name).
    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // Neither published nor discarded (the request was cancelled): delete in the background.
        if let Some(key) = self.key.take() {
            let store = self.store.clone();
            if let Ok(h) = tokio::runtime::Handle::try_current() {
                h.spawn(async move {
                    let _ = store.delete(&key).await;
                });
            }
        }
    }
}

/// The blob store: cheap to clone.
#[derive(Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    local_root: Option<PathBuf>,
    part_size: usize,
    label: String,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore")
            .field("at", &self.label)
            .finish()
    }
}

fn object_error(e: object_store::Error) -> StoreError {
    StoreError::BlobStore(e.to_string())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The object name of a ciphertext hash (lower-case hex), refused unless it is one.
fn object_key(sha256_hex: &str) -> Result<ObjectPath, StoreError> {
    if sha256_hex.len() != 64
        || !sha256_hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(StoreError::BlobStore(format!(
            "not a SHA-256 in lower-case hex: {sha256_hex:?}"
        )));
    }
    Ok(ObjectPath::from(format!("blobs/{sha256_hex}")))
}

impl BlobStore {
    /// Opens the store (blocking: creates a local directory if needed).
    pub fn open(location: &BlobLocation) -> Result<BlobStore, StoreError> {
        match location {
            BlobLocation::Dir(dir) => {
                let fail = |e: &dyn Display| {
                    StoreError::BlobStore(format!(
                        "cannot use blob directory {}: {e}",
                        dir.display()
                    ))
                };
                std::fs::create_dir_all(dir.join("staging")).map_err(|e| fail(&e))?;
                std::fs::create_dir_all(dir.join("blobs")).map_err(|e| fail(&e))?;
                let fs = LocalFileSystem::new_with_prefix(dir)
                    .map_err(|e| fail(&e))?
                    .with_fsync(true);
                Ok(BlobStore {
                    inner: Arc::new(fs),
                    local_root: Some(dir.clone()),
                    part_size: LOCAL_PART,
                    label: format!("directory {}", dir.display()),
                })
            }
            BlobLocation::S3 { bucket, prefix } => open_s3(bucket, prefix),
        }
    }

    /// Where the blobs are, for logs (no secrets).
    pub fn describe(&self) -> &str {
        &self.label
    }

    /// The directory, for a local store.
    pub fn local_root(&self) -> Option<&Path> {
        self.local_root.as_deref()
    }

    /// Streams `body` into a new staging object, hashing as it goes. Fails
    /// (and leaves nothing) when the body errors or grows past `max` bytes.
    pub async fn stage<S, E>(&self, mut body: S, max: u64) -> Result<Staged, StoreError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: Display,
    {
        let name = uuid::Uuid::new_v4().to_string();
        let key = ObjectPath::from(format!("staging/{name}"));
        let upload = self.inner.put_multipart(&key).await.map_err(object_error)?;
        let mut up = Upload {
            upload: Some(upload),
            tasks: JoinSet::new(),
            part: PutPayloadMut::new(),
            part_size: self.part_size,
            early: self
                .local_root
                .as_ref()
                .map(|root| EarlySync::new(&root.join("staging").join(&name))),
        };
        let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
        let mut size = 0u64;
        let streamed: Result<(), StoreError> = async {
            while let Some(item) = body.next().await {
                let data = item.map_err(|e| StoreError::BlobBody(e.to_string()))?;
                size += data.len() as u64;
                if size > max {
                    return Err(StoreError::BlobTooLarge(max));
                }
                hash.update(&data);
                up.push(data).await?;
            }
            up.finish().await
        }
        .await;
        if let Err(e) = streamed {
            up.abort().await;
            return Err(e);
        }
        let mut sha256 = [0u8; 32];
        sha256.copy_from_slice(hash.finish().as_ref());
        Ok(Staged {
            key: Some(key),
            store: self.inner.clone(),
            sha256,
            size,
        })
    }

    /// Moves a staged upload to `blobs/<sha256>` (replacing an identical object).
    pub async fn publish(&self, mut staged: Staged) -> Result<String, StoreError> {
        let sha = staged.sha256_hex();
        let to = object_key(&sha)?;
        let Some(from) = staged.key.take() else {
            return Err(StoreError::BlobStore("already published".into()));
        };
        if let Err(e) = self.inner.rename(&from, &to).await {
            let _ = self.inner.delete(&from).await;
            return Err(object_error(e));
        }
        Ok(sha)
    }

    /// Deletes a staged upload now.
    pub async fn discard(&self, mut staged: Staged) {
        if let Some(key) = staged.key.take() {
            if let Err(e) = self.inner.delete(&key).await {
                tracing::warn!(error = %e, "cannot delete a refused upload; the start-up sweep will");
            }
        }
    }

    /// The object's length and its bytes as a stream.
    pub async fn get(
        &self,
        sha256_hex: &str,
    ) -> Result<(u64, BoxStream<'static, Result<Bytes, StoreError>>), StoreError> {
        let key = object_key(sha256_hex)?;
        let res = self.inner.get(&key).await.map_err(|e| match e {
            object_store::Error::NotFound { .. } => StoreError::BlobMissing(sha256_hex.to_owned()),
            other => object_error(other),
        })?;
        let size = res.meta.size;
        let range = res.range.clone();
        let stream = match res.payload {
            GetResultPayload::File(file, path) => read_file(file, path, range),
            GetResultPayload::Stream(s) => s.map(|r| r.map_err(object_error)).boxed(),
        };
        Ok((size, stream))
    }

    /// Deletes an object (absent is fine).
    pub async fn delete(&self, sha256_hex: &str) -> Result<(), StoreError> {
        let key = object_key(sha256_hex)?;
        match self.inner.delete(&key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(object_error(e)),
        }
    }

    /// Whether an object exists (for tests and checks).
    pub async fn exists(&self, sha256_hex: &str) -> Result<bool, StoreError> {
        let key = object_key(sha256_hex)?;
        match self.inner.head(&key).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(object_error(e)),
        }
    }

    /// Deletes every staging object (leftovers of uploads cut by a crash or
    /// a restart). Run before serving: uploads in progress would be deleted too.
    pub async fn sweep_staging(&self) -> Result<usize, StoreError> {
        let mut removed = 0;
        if let Some(root) = &self.local_root {
            // Also the multipart temporaries (`<key>#<n>`) a listing does not show.
            let dir = root.join("staging");
            let entries = std::fs::read_dir(&dir).map_err(|e| {
                StoreError::BlobStore(format!("cannot read {}: {e}", dir.display()))
            })?;
            for entry in entries.flatten() {
                if entry.path().is_file() && std::fs::remove_file(entry.path()).is_ok() {
                    removed += 1;
                }
            }
            return Ok(removed);
        }
        let prefix = ObjectPath::from("staging");
        let mut list = self.inner.list(Some(&prefix));
        while let Some(meta) = list.next().await {
            let meta = meta.map_err(object_error)?;
            self.inner
                .delete(&meta.location)
                .await
                .map_err(object_error)?;
            removed += 1;
        }
        Ok(removed)
    }
}

mod parts;

use parts::{open_s3, read_file, EarlySync, Upload};

#[cfg(test)]
mod tests;
