//! Helpers shared by the blob tests.
#![allow(dead_code)] // each test binary uses a subset

use datacoop_api::blobs::{
    BlobPrivateMeta, HEADER_CATEGORY, HEADER_SEALED_META, HEADER_WRAPPED_KEY,
};
use datacoop_client::blobs::blob_meta_binding;
use datacoop_client::member::{self, MemberSession};
use datacoop_crypto::{
    encrypt_stream, seal_content_with_rng, wrap_record_key, BlobBinding, RecordKey,
};
use datacoop_testkit::TestServer;
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// The passphrase of every test member.
pub const PASS: &str = "correct horse battery staple";

/// Registers and logs in.
pub async fn member(srv: &TestServer, email: &str) -> MemberSession {
    let c = srv.client();
    member::register(&c, email, PASS).await.unwrap();
    member::login(&c, email, PASS, None).await.unwrap()
}

/// Deterministic, non-repeating-looking content of `len` bytes.
pub fn content(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i as u64 * 2_654_435_761 + seed as u64) >> 7) as u8)
        .collect()
}

/// Files (not directories) under `dir`, recursively.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The server's blob directory.
pub fn blob_dir(srv: &TestServer) -> PathBuf {
    srv.app.blobs().local_root().unwrap().to_owned()
}

/// Waits (briefly) until the staging directory is empty; true if it became so.
pub async fn staging_empties(srv: &TestServer) -> bool {
    let staging = blob_dir(srv).join("staging");
    for _ in 0..100 {
        if files(&staging).is_empty() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

/// A blob made by hand: the ciphertext and the headers of its upload.
pub struct RawBlob {
    pub id: Uuid,
    pub ciphertext: Vec<u8>,
    pub wrapped_key: Vec<u8>,
    pub sealed_meta: Vec<u8>,
}

/// Encrypts `plain` for `s` as blob `id`, with the key sealed under `stream_id` in the header.
pub fn raw_blob(s: &MemberSession, id: Uuid, stream_id: Uuid, plain: &[u8]) -> RawBlob {
    let key = RecordKey::generate().unwrap();
    let binding = BlobBinding {
        member_id: s.member_id,
        blob_id: stream_id,
    };
    let (_, ciphertext) = encrypt_stream(&mut &plain[..], Vec::new(), &key, &binding).unwrap();
    let meta = serde_json::to_vec(&BlobPrivateMeta {
        name: "raw.bin".into(),
        media_type: "application/octet-stream".into(),
        size: plain.len() as u64,
    })
    .unwrap();
    let mut rng = datacoop_crypto::rng::os_rng().unwrap();
    let sealed_meta = seal_content_with_rng(
        &key,
        &blob_meta_binding(s.member_id, id, "health.documents"),
        &meta,
        &mut rng,
    )
    .unwrap();
    RawBlob {
        id,
        wrapped_key: wrap_record_key(&s.vault_key, &s.member_id, &id, 1, &key).unwrap(),
        sealed_meta,
        ciphertext,
    }
}

impl RawBlob {
    /// A `PUT /api/v1/blobs/{id}` with the headers, body not yet set.
    pub fn put(&self, s: &MemberSession) -> reqwest::RequestBuilder {
        self.put_with(
            s,
            "health.documents",
            &datacoop_api::b64::encode(&self.wrapped_key),
        )
    }

    /// Like [`RawBlob::put`] with the given category and wrapped-key header values.
    pub fn put_with(
        &self,
        s: &MemberSession,
        category: &str,
        wrapped_key: &str,
    ) -> reqwest::RequestBuilder {
        s.client
            .request(reqwest::Method::PUT, &format!("/api/v1/blobs/{}", self.id))
            .header(HEADER_CATEGORY, category)
            .header(HEADER_WRAPPED_KEY, wrapped_key)
            .header(
                HEADER_SEALED_META,
                datacoop_api::b64::encode(&self.sealed_meta),
            )
    }

    /// Lower-case hex SHA-256 of the ciphertext.
    pub fn sha256(&self) -> String {
        use std::fmt::Write;
        let d = ring_sha256(&self.ciphertext);
        d.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }
}

fn ring_sha256(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .to_vec()
}
