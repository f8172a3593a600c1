//! The blob store on a local directory: staging, publish, read back, refusals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn chunks(data: &[u8], size: usize) -> Vec<Result<Bytes, String>> {
    data.chunks(size)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

async fn read_all(store: &BlobStore, sha: &str) -> Vec<u8> {
    let (size, mut s) = store.get(sha).await.unwrap();
    let mut out = Vec::new();
    while let Some(b) = s.next().await {
        out.extend_from_slice(&b.unwrap());
    }
    assert_eq!(out.len() as u64, size);
    out
}

#[test]
fn locations_parse() {
    assert_eq!(
        BlobLocation::parse("s3://bucket/a/b/").unwrap(),
        BlobLocation::S3 {
            bucket: "bucket".into(),
            prefix: "a/b".into()
        }
    );
    assert_eq!(
        BlobLocation::parse("file:///var/x").unwrap(),
        BlobLocation::Dir("/var/x".into())
    );
    assert_eq!(
        BlobLocation::parse("rel/dir").unwrap(),
        BlobLocation::Dir("rel/dir".into())
    );
    assert!(BlobLocation::parse("gs://x").is_err());
    assert!(BlobLocation::parse("s3://").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stage_publish_get_delete() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::open(&BlobLocation::Dir(dir.path().to_owned())).unwrap();
    // Several parts, a last partial one, pieces that straddle part boundaries.
    let data: Vec<u8> = (0..(3 * LOCAL_PART + 12345))
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    let staged = store
        .stage(futures_util::stream::iter(chunks(&data, 70_001)), u64::MAX)
        .await
        .unwrap();
    assert_eq!(staged.size, data.len() as u64);
    let expected = ring::digest::digest(&ring::digest::SHA256, &data);
    assert_eq!(&staged.sha256[..], expected.as_ref());
    assert_eq!(files(&dir.path().join("staging")).len(), 1);
    let sha = store.publish(staged).await.unwrap();
    assert!(files(&dir.path().join("staging")).is_empty());
    assert!(store.exists(&sha).await.unwrap());
    assert_eq!(read_all(&store, &sha).await, data);
    store.delete(&sha).await.unwrap();
    store.delete(&sha).await.unwrap();
    assert!(!store.exists(&sha).await.unwrap());
    assert!(matches!(
        store.get(&sha).await.err(),
        Some(StoreError::BlobMissing(_))
    ));
    assert!(store.get("../etc/passwd").await.is_err());

    // An empty body is a valid (empty) object.
    let empty = store
        .stage(futures_util::stream::iter(chunks(&[], 1)), 10)
        .await
        .unwrap();
    let sha = store.publish(empty).await.unwrap();
    assert!(read_all(&store, &sha).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_and_oversized_uploads_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::open(&BlobLocation::Dir(dir.path().to_owned())).unwrap();
    let mut items = chunks(&vec![1u8; 2 * LOCAL_PART], 65536);
    items.push(Err("connection reset".into()));
    let err = store
        .stage(futures_util::stream::iter(items), u64::MAX)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BlobBody(_)), "{err}");
    let err = store
        .stage(
            futures_util::stream::iter(chunks(&vec![1u8; 3 * LOCAL_PART], 65536)),
            LOCAL_PART as u64,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BlobTooLarge(_)), "{err}");
    assert!(files(&dir.path().join("staging")).is_empty());
    assert!(files(&dir.path().join("blobs")).is_empty());

    // A discarded upload leaves nothing either; a crash's leftovers are swept.
    let staged = store
        .stage(futures_util::stream::iter(chunks(b"abc", 1)), 10)
        .await
        .unwrap();
    store.discard(staged).await;
    assert!(files(&dir.path().join("staging")).is_empty());
    std::fs::write(dir.path().join("staging/leftover#1"), b"x").unwrap();
    std::fs::write(dir.path().join("staging/leftover"), b"x").unwrap();
    assert_eq!(store.sweep_staging().await.unwrap(), 2);
    assert!(files(&dir.path().join("staging")).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_uploads_flush_early_and_clean_up() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::open(&BlobLocation::Dir(dir.path().to_owned())).unwrap();
    // Past the early-sync threshold: the staging file is flushed while streaming.
    let data: Vec<u8> = (0..40 * 1024 * 1024).map(|i| (i % 239) as u8).collect();
    let mut items = chunks(&data, 256 * 1024);
    items.push(Err("cut".into()));
    assert!(store
        .stage(futures_util::stream::iter(items), u64::MAX)
        .await
        .is_err());
    assert!(files(&dir.path().join("staging")).is_empty());
    let staged = store
        .stage(
            futures_util::stream::iter(chunks(&data, 256 * 1024)),
            u64::MAX,
        )
        .await
        .unwrap();
    let sha = store.publish(staged).await.unwrap();
    assert!(files(&dir.path().join("staging")).is_empty());
    assert_eq!(read_all(&store, &sha).await, data);
}
