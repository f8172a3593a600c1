//! What a blob upload must refuse, on SQLite and PostgreSQL: a body cut off
//! mid-stream, a wrong length or hash, missing headers, a stream of another
//! blob, too large a file. Each gets a problem document (never a 500) and
//! leaves nothing: no row, no object, an empty staging directory. Retries of
//! the same ciphertext are idempotent; other ciphertext under an id is a conflict.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod blob_common;

use blob_common::{blob_dir, content, files, member, raw_blob, staging_empties};
use datacoop_api::blobs::{BlobMeta, BlobQuery, HEADER_SHA256, HEADER_SIZE};
use datacoop_client::member::MemberSession;
use datacoop_testkit::{backend_tests, Backend, TestServer};
use std::io::{Read, Write};
use uuid::Uuid;

backend_tests!(
    refused_uploads_leave_nothing,
    cut_upload_leaves_nothing,
    retries_are_idempotent,
    too_large_is_413,
);

async fn problem(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    assert_eq!(
        res.headers()["content-type"],
        "application/problem+json",
        "status {status}"
    );
    let p: serde_json::Value = res.json().await.unwrap();
    (status, p["code"].as_str().unwrap().to_owned())
}

async fn nothing_stored(srv: &TestServer, s: &MemberSession, kept: usize) {
    assert_eq!(
        s.list_blobs(&BlobQuery::default())
            .await
            .unwrap()
            .items
            .len(),
        kept
    );
    assert!(staging_empties(srv).await, "staging is not empty");
    assert_eq!(files(&blob_dir(srv).join("blobs")).len(), kept);
}

fn chunked(data: Vec<u8>) -> reqwest::Body {
    let pieces: Vec<Result<Vec<u8>, std::io::Error>> =
        data.chunks(10_000).map(|c| Ok(c.to_vec())).collect();
    reqwest::Body::wrap_stream(futures_util::stream::iter(pieces))
}

async fn refused_uploads_leave_nothing(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let s = member(&srv, "careful@example.org").await;
    let id = Uuid::now_v7();
    let blob = raw_blob(&s, id, id, &content(200_000, 3));
    let len = blob.ciphertext.len();

    // A declared hash that is not the body's.
    let res = blob
        .put(&s)
        .header(HEADER_SHA256, "00".repeat(32))
        .body(blob.ciphertext.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await, (422, "blob_hash_mismatch".into()));
    nothing_stored(&srv, &s, 0).await;

    // A chunked body without a declared length, or longer or shorter than declared.
    let res = blob
        .put(&s)
        .body(chunked(blob.ciphertext.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await, (411, "length_required".into()));
    for declared in [len - 10, len + 10] {
        let res = blob
            .put(&s)
            .header(HEADER_SIZE, declared)
            .body(chunked(blob.ciphertext.clone()))
            .send()
            .await
            .unwrap();
        assert_eq!(problem(res).await, (422, "blob_size_mismatch".into()));
    }
    nothing_stored(&srv, &s, 0).await;

    // A stream sealed for another blob id, and bytes that are no stream at all.
    let other = raw_blob(&s, id, Uuid::now_v7(), &content(1000, 4));
    let res = other
        .put(&s)
        .body(other.ciphertext.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await, (422, "not_a_blob_stream".into()));
    for body in [vec![7u8; 50], vec![7u8; 5000]] {
        let res = blob.put(&s).body(body).send().await.unwrap();
        assert_eq!(problem(res).await, (422, "not_a_blob_stream".into()));
    }

    // Missing or malformed headers.
    let res = s
        .client
        .request(reqwest::Method::PUT, &format!("/api/v1/blobs/{id}"))
        .body(blob.ciphertext.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await, (422, "invalid".into()));
    let wrapped = datacoop_api::b64::encode(&blob.wrapped_key);
    let res = blob
        .put_with(&s, "Not A Category!", &wrapped)
        .body(blob.ciphertext.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 422);
    let res = blob
        .put_with(&s, "health.documents", "%%%")
        .body(blob.ciphertext.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 422);
    nothing_stored(&srv, &s, 0).await;

    // The right hash is accepted.
    let res = blob
        .put(&s)
        .header(HEADER_SHA256, blob.sha256())
        .body(blob.ciphertext.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let meta: BlobMeta = res.json().await.unwrap();
    assert_eq!(meta.sha256, blob.sha256());
    nothing_stored(&srv, &s, 1).await;
}

/// Sends the headers and part of the body over a raw connection, then
/// closes the sending side: the body ends before its Content-Length.
fn cut_upload(addr: std::net::SocketAddr, token: &str, blob: &blob_common::RawBlob) -> String {
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "PUT /api/v1/blobs/{} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {}\r\n\
         Datacoop-Blob-Category: health.documents\r\nDatacoop-Wrapped-Key: {}\r\n\
         Datacoop-Sealed-Meta: {}\r\n\r\n",
        blob.id,
        blob.ciphertext.len(),
        datacoop_api::b64::encode(&blob.wrapped_key),
        datacoop_api::b64::encode(&blob.sealed_meta),
    );
    conn.write_all(head.as_bytes()).unwrap();
    conn.write_all(&blob.ciphertext[..blob.ciphertext.len() / 2])
        .unwrap();
    conn.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = Vec::new();
    let _ = conn.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

async fn cut_upload_leaves_nothing(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let s = member(&srv, "flaky@example.org").await;
    let id = Uuid::now_v7();
    // Several parts reach the store before the cut.
    let blob = raw_blob(&s, id, id, &content(5 * 1024 * 1024, 9));
    let (addr, token) = (srv.addr, s.access_token.clone());
    let answer = tokio::task::spawn_blocking(move || cut_upload(addr, &token, &blob))
        .await
        .unwrap();
    // The half-closed connection still gets the problem document.
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    nothing_stored(&srv, &s, 0).await;
    assert_eq!(s.blob(id).await.unwrap_err().status(), Some(404));
}

async fn retries_are_idempotent(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let s = member(&srv, "retry@example.org").await;
    let id = Uuid::now_v7();
    let blob = raw_blob(&s, id, id, &content(150_000, 5));
    let res = blob
        .put(&s)
        .body(blob.ciphertext.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(
        res.headers()["location"],
        format!("/api/v1/blobs/{id}").as_str()
    );
    let first: BlobMeta = res.json().await.unwrap();
    // The same ciphertext again (a retry after a lost answer): 200, same blob.
    let res = blob
        .put(&s)
        .body(blob.ciphertext.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let again: BlobMeta = res.json().await.unwrap();
    assert_eq!(again, first);
    // Other ciphertext under the same id: a conflict, and the first stays.
    let other = raw_blob(&s, id, id, &content(150_000, 6));
    let res = other
        .put(&s)
        .body(other.ciphertext.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await, (409, "blob_exists".into()));
    nothing_stored(&srv, &s, 1).await;
    assert_eq!(s.blob(id).await.unwrap(), first);
}

async fn too_large_is_413(backend: Backend) {
    let Some(srv) = TestServer::start_with(backend, |c| c.blobs.max_bytes = 100_000).await else {
        return;
    };
    let s = member(&srv, "big@example.org").await;
    let id = Uuid::now_v7();
    let blob = raw_blob(&s, id, id, &content(150_000, 7));
    let res = blob
        .put(&s)
        .body(blob.ciphertext.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await, (413, "payload_too_large".into()));
    // Chunked and under-declared: cut off at the limit all the same.
    let res = blob
        .put(&s)
        .header(HEADER_SIZE, 99_000)
        .body(chunked(blob.ciphertext.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await, (422, "blob_size_mismatch".into()));
    nothing_stored(&srv, &s, 0).await;
    // Under the limit it goes through.
    let small = raw_blob(&s, id, id, &content(50_000, 8));
    let res = small
        .put(&s)
        .body(small.ciphertext.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}
