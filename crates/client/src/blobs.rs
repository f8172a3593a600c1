//! Blobs on the member's machine: a file is encrypted here as it streams to
//! the server and decrypted here as it streams back, in constant memory
//! (never read whole). Its name and media type travel only inside a sealed
//! box; the server sees the category, sizes and the ciphertext's hash.

mod io;

pub use io::{ciphertext_len, Progress};

use crate::member::MemberSession;
use crate::{check, empty, json, ClientError};
use datacoop_api::blobs::{
    BlobMeta, BlobPage, BlobPrivateMeta, BlobQuery, HEADER_CATEGORY, HEADER_SEALED_META,
    HEADER_SIZE, HEADER_WRAPPED_KEY, META_CONTENT_TYPE,
};
use datacoop_api::paths;
use datacoop_crypto::{
    open_content, seal_content_with_rng, unwrap_record_key, wrap_record_key_with_rng, BlobBinding,
    RecordBinding, RecordKey,
};
use reqwest::{header, Method};
use std::path::Path;
use std::sync::Arc;
use uuid::Uuid;

/// A blob with its metadata opened here.
#[derive(Debug, Clone)]
pub struct BlobInfo {
    /// What the server stores.
    pub meta: BlobMeta,
    /// The file name, media type and plaintext size (decrypted here).
    pub private: BlobPrivateMeta,
}

/// A file to upload: where its bytes come from and what to call it.
#[derive(Debug, Clone)]
pub struct BlobSource {
    /// The file name to remember (no directories).
    pub name: String,
    /// Media type of the content.
    pub media_type: String,
    /// Plaintext length, bytes.
    pub size: u64,
}

/// A media type from a file name's extension (the common ones for health and catch data).
pub fn media_type_for(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "tif" | "tiff" => "image/tiff",
        "dcm" => "application/dicom",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "xml" => "application/xml",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "gpx" => "application/gpx+xml",
        "fit" => "application/vnd.ant.fit",
        _ => "application/octet-stream",
    }
}

/// The last path component, refused if there is none: never a path.
pub fn safe_file_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next()?.trim();
    let ok = !last.is_empty() && last != "." && last != ".." && !last.chars().any(char::is_control);
    ok.then(|| last.to_owned())
}

fn file_error(what: &str, path: &Path, e: impl std::fmt::Display) -> ClientError {
    ClientError::File(format!("cannot {what} {}: {e}", path.display()))
}

/// What one upload keeps across attempts: the data key, its wrap and the sealed metadata.
struct Sealing {
    key: RecordKey,
    wrapped_key: Vec<u8>,
    sealed_meta: Vec<u8>,
}

/// The binding of a blob's sealed metadata (file name, media type, size): the blob's id
/// as record id, version 1, and its visible category, so the server cannot re-file it.
pub fn blob_meta_binding(member_id: Uuid, blob_id: Uuid, category: &str) -> RecordBinding {
    RecordBinding {
        member_id,
        record_id: blob_id,
        version: 1,
        content_type: META_CONTENT_TYPE.to_owned(),
        category: category.to_owned(),
        type_code: String::new(),
        effective_at: None,
        author: datacoop_crypto::Author::Member,
    }
}

impl MemberSession {
    fn blob_binding(&self, id: Uuid) -> BlobBinding {
        BlobBinding {
            member_id: self.member_id,
            blob_id: id,
        }
    }

    fn meta_binding(&self, id: Uuid, category: &str) -> RecordBinding {
        blob_meta_binding(self.member_id, id, category)
    }

    fn blob_key(&self, meta: &BlobMeta) -> Result<RecordKey, ClientError> {
        unwrap_record_key(
            &self.vault_key,
            &self.member_id,
            &meta.id,
            1,
            &meta.wrapped_key,
        )
        .map_err(|e| {
            ClientError::crypto(
                &format!(
                    "the key of blob {} does not open (tampered or not yours)",
                    meta.id
                ),
                e,
            )
        })
    }

    /// Opens a blob's sealed metadata (file name, media type, size) here.
    pub fn open_blob_meta(&self, meta: &BlobMeta) -> Result<BlobPrivateMeta, ClientError> {
        let key = self.blob_key(meta)?;
        let plain = open_content(
            &key,
            &self.meta_binding(meta.id, &meta.category),
            &meta.sealed_meta,
        )
        .map_err(|e| ClientError::crypto("the blob's metadata does not open", e))?;
        serde_json::from_slice(&plain)
            .map_err(|e| ClientError::Decode(format!("blob metadata: {e}")))
    }

    fn seal_blob(
        &self,
        id: Uuid,
        source: &BlobSource,
        category: &str,
    ) -> Result<Sealing, ClientError> {
        let mut rng =
            datacoop_crypto::rng::os_rng().map_err(|e| ClientError::crypto("randomness", e))?;
        let key = RecordKey::generate_with_rng(&mut rng);
        let private = BlobPrivateMeta {
            name: source.name.clone(),
            media_type: source.media_type.clone(),
            size: source.size,
        };
        let text = serde_json::to_vec(&private).map_err(|e| ClientError::Decode(e.to_string()))?;
        Ok(Sealing {
            wrapped_key: wrap_record_key_with_rng(
                &self.vault_key,
                &self.member_id,
                &id,
                1,
                &key,
                &mut rng,
            )
            .map_err(|e| ClientError::crypto("wrapping the file key", e))?,
            sealed_meta: seal_content_with_rng(
                &key,
                &self.meta_binding(id, category),
                &text,
                &mut rng,
            )
            .map_err(|e| ClientError::crypto("sealing the file name", e))?,
            key,
        })
    }

    /// One attempt: streams the encrypted reader to `PUT /blobs/{id}`.
    async fn put_blob<R: std::io::Read + Send + 'static>(
        &self,
        id: Uuid,
        reader: R,
        size: u64,
        category: &str,
        sealing: &Sealing,
        progress: Progress,
    ) -> Result<BlobMeta, ClientError> {
        let body = io::encrypting_body(
            reader,
            size,
            sealing.key.clone(),
            self.blob_binding(id),
            progress,
        );
        let length = ciphertext_len(size);
        json(
            self.client
                .request(Method::PUT, &paths::blob(id))
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .header(header::CONTENT_LENGTH, length)
                .header(HEADER_SIZE, length)
                .header(HEADER_CATEGORY, category)
                .header(
                    HEADER_WRAPPED_KEY,
                    datacoop_api::b64::encode(&sealing.wrapped_key),
                )
                .header(
                    HEADER_SEALED_META,
                    datacoop_api::b64::encode(&sealing.sealed_meta),
                )
                .body(reqwest::Body::wrap_stream(body))
                .send()
                .await,
        )
        .await
    }

    /// Encrypts and uploads what `open` yields (called again for a retry),
    /// as blob `id`. A lost answer is retried safely: if the server already
    /// stored this upload (same wrapped key), that is the answer; if it
    /// stored nothing (a cut upload leaves nothing), the upload runs again.
    pub async fn upload_blob_from<R, F>(
        &self,
        id: Uuid,
        open: F,
        source: &BlobSource,
        category: &str,
        progress: Progress,
    ) -> Result<BlobInfo, ClientError>
    where
        R: std::io::Read + Send + 'static,
        F: Fn() -> Result<R, ClientError>,
    {
        let sealing = self.seal_blob(id, source, category)?;
        let mut attempt = 0;
        let meta = loop {
            attempt += 1;
            let res = self
                .put_blob(
                    id,
                    open()?,
                    source.size,
                    category,
                    &sealing,
                    progress.clone(),
                )
                .await;
            match res {
                Err(ClientError::Transport(e)) if attempt < 3 => match self.blob(id).await {
                    Ok(meta) if meta.wrapped_key == sealing.wrapped_key => break meta,
                    Ok(_) => return Err(ClientError::Transport(e)),
                    Err(err) if err.status() == Some(404) => continue,
                    Err(_) => return Err(ClientError::Transport(e)),
                },
                other => break other?,
            }
        };
        let private = self.open_blob_meta(&meta)?;
        Ok(BlobInfo { meta, private })
    }

    /// Encrypts a file here and uploads it as a new blob, streaming (the
    /// file is never read whole). `progress` gets the plaintext bytes sent.
    pub async fn upload_blob(
        &self,
        path: &Path,
        category: &str,
        progress: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<BlobInfo, ClientError> {
        let size = std::fs::metadata(path)
            .map_err(|e| file_error("read", path, e))?
            .len();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .and_then(|n| safe_file_name(&n))
            .ok_or_else(|| ClientError::File(format!("{} is not a file", path.display())))?;
        let source = BlobSource {
            media_type: media_type_for(&name).to_owned(),
            name,
            size,
        };
        let owned = path.to_owned();
        let open = move || std::fs::File::open(&owned).map_err(|e| file_error("open", &owned, e));
        self.upload_blob_from(Uuid::now_v7(), open, &source, category, Arc::new(progress))
            .await
    }

    /// One page of blob metadata (names stay sealed: see [`Self::open_blob_meta`]).
    pub async fn list_blobs(&self, query: &BlobQuery) -> Result<BlobPage, ClientError> {
        json(
            self.client
                .request(Method::GET, paths::BLOBS)
                .query(query)
                .send()
                .await,
        )
        .await
    }

    /// One blob's metadata as the server stores it.
    pub async fn blob(&self, id: Uuid) -> Result<BlobMeta, ClientError> {
        json(
            self.client
                .request(Method::GET, &paths::blob(id))
                .send()
                .await,
        )
        .await
    }

    /// Downloads a blob and decrypts it into `writer` as it arrives; returns
    /// the plaintext length. On error, discard what was written.
    pub async fn download_blob_to<W: std::io::Write + Send + 'static>(
        &self,
        info: &BlobInfo,
        writer: W,
        progress: Progress,
    ) -> Result<u64, ClientError> {
        let id = info.meta.id;
        let key = self.blob_key(&info.meta)?;
        let res = check(
            self.client
                .request(Method::GET, &paths::blob_content(id))
                .send()
                .await,
        )
        .await?;
        let n = io::decrypt_into(
            Box::pin(res.bytes_stream()),
            writer,
            key,
            self.blob_binding(id),
            progress,
        )
        .await
        .map_err(ClientError::Crypto)?;
        if n != info.private.size {
            return Err(ClientError::Crypto(format!(
                "blob {id} decrypted to {n} bytes, its sealed metadata says {}",
                info.private.size
            )));
        }
        Ok(n)
    }

    /// Downloads a blob into `target`: the plaintext goes to a temporary file
    /// beside it, renamed into place only after the last chunk verified.
    /// An existing `target` is replaced only with `overwrite`.
    pub async fn download_blob(
        &self,
        id: Uuid,
        target: &Path,
        overwrite: bool,
        progress: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<BlobInfo, ClientError> {
        if !overwrite && target.exists() {
            return Err(ClientError::File(format!(
                "{} exists; choose another name or replace it with --force",
                target.display()
            )));
        }
        let meta = self.blob(id).await?;
        let private = self.open_blob_meta(&meta)?;
        let info = BlobInfo { meta, private };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => std::path::PathBuf::from("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".datacoop-")
            .suffix(".partial")
            .tempfile_in(&dir)
            .map_err(|e| file_error("write in", &dir, e))?;
        let file = tmp
            .as_file()
            .try_clone()
            .map_err(|e| file_error("write", tmp.path(), e))?;
        self.download_blob_to(&info, file, Arc::new(progress))
            .await?;
        let persisted = if overwrite {
            tmp.persist(target).map(|_| ())
        } else {
            tmp.persist_noclobber(target).map(|_| ())
        };
        persisted.map_err(|e| file_error("write", target, e.error))?;
        Ok(info)
    }

    /// Deletes a blob.
    pub async fn delete_blob(&self, id: Uuid) -> Result<(), ClientError> {
        empty(
            self.client
                .request(Method::DELETE, &paths::blob(id))
                .send()
                .await,
        )
        .await
    }
}
