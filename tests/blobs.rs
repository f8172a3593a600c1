//! Blobs through the real server and the real client, on SQLite and
//! PostgreSQL: upload, list, download byte-identical at chunk-boundary sizes,
//! one access-log entry per content read, isolation between members and
//! roles, and account deletion taking the objects with it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod blob_common;

use blob_common::{blob_dir, content, files, member, PASS};
use datacoop_api::auth::Role;
use datacoop_api::blobs::BlobQuery;
use datacoop_api::log::LogEntryQuery;
use datacoop_client::log;
use datacoop_testkit::{backend_tests, Backend, TestServer};
use reqwest::Method;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

backend_tests!(
    upload_list_download_delete,
    members_and_roles_are_kept_apart,
    account_deletion_removes_the_objects,
    the_storage_quota_is_per_member,
);

async fn upload_list_download_delete(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let s = member(&srv, "files@example.org").await;
    let dir = tempfile::tempdir().unwrap();
    // Empty, exactly one chunk, one byte past it, and a few MiB (many chunks, a partial last one).
    let sizes = [0usize, 65_536, 65_537, 3 * 1024 * 1024 + 7];
    let mut uploaded = Vec::new();
    for (i, size) in sizes.iter().enumerate() {
        let path = dir.path().join(format!("report-{i}.pdf"));
        std::fs::write(&path, content(*size, i as u8)).unwrap();
        let seen = Arc::new(AtomicU64::new(0));
        let p = seen.clone();
        let category = if i % 2 == 0 {
            "health.documents"
        } else {
            "health.imaging"
        };
        let info = s
            .upload_blob(&path, category, move |n| p.store(n, Ordering::SeqCst))
            .await
            .unwrap();
        assert_eq!(seen.load(Ordering::SeqCst), *size as u64);
        assert_eq!(info.private.name, format!("report-{i}.pdf"));
        assert_eq!(info.private.media_type, "application/pdf");
        assert_eq!(info.private.size, *size as u64);
        assert_eq!(
            info.meta.size,
            datacoop_client::blobs::ciphertext_len(*size as u64)
        );
        uploaded.push((info, path));
    }
    // Content-addressed: one object per blob, named by the ciphertext's SHA-256.
    let objects = files(&blob_dir(&srv).join("blobs"));
    assert_eq!(objects.len(), sizes.len());
    for (info, _) in &uploaded {
        assert!(objects.iter().any(|p| p.ends_with(&info.meta.sha256)));
    }

    let all = s.list_blobs(&BlobQuery::default()).await.unwrap();
    assert_eq!(all.items.len(), 4);
    let imaging = s
        .list_blobs(&BlobQuery {
            category: Some("health.imaging".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(imaging.items.len(), 2);
    let (mut seen, mut after) = (Vec::new(), None);
    loop {
        let page = s
            .list_blobs(&BlobQuery {
                after,
                limit: Some(3),
                ..Default::default()
            })
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|m| m.id));
        match page.next_after {
            Some(a) => after = Some(a),
            None => break,
        }
    }
    let mut expected: Vec<_> = uploaded.iter().map(|(i, _)| i.meta.id).collect();
    expected.sort();
    assert_eq!(seen, expected);
    // Metadata reads log nothing.
    let reads = |s: &datacoop_client::member::MemberSession| {
        let s = s.clone();
        async move {
            log::all_entries(
                &s,
                LogEntryQuery {
                    action: Some("blob_read".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
        }
    };
    assert!(reads(&s).await.is_empty());

    let out = tempfile::tempdir().unwrap();
    for (n, (info, path)) in uploaded.iter().enumerate() {
        let target = out.path().join(&info.private.name);
        let got = s
            .download_blob(info.meta.id, &target, false, |_| {})
            .await
            .unwrap();
        assert_eq!(got.private, info.private);
        assert_eq!(
            std::fs::read(&target).unwrap(),
            std::fs::read(path).unwrap()
        );
        // Exactly one entry per content read, naming the blob.
        let logged = reads(&s).await;
        assert_eq!(logged.len(), n + 1);
        assert_eq!(logged[n].entry.as_ref().unwrap().record, Some(info.meta.id));
    }
    // No partial files left beside the targets; an existing target is not overwritten…
    assert_eq!(files(out.path()).len(), uploaded.len());
    let (first, _) = &uploaded[1];
    let target = out.path().join(&first.private.name);
    std::fs::write(&target, b"mine").unwrap();
    let err = s
        .download_blob(first.meta.id, &target, false, |_| {})
        .await
        .unwrap_err();
    assert!(err.to_string().contains("exists"), "{err}");
    assert_eq!(std::fs::read(&target).unwrap(), b"mine");
    // …unless asked.
    s.download_blob(first.meta.id, &target, true, |_| {})
        .await
        .unwrap();
    assert_eq!(std::fs::read(&target).unwrap().len(), 65_536);

    // Delete: the row and the object go.
    s.delete_blob(first.meta.id).await.unwrap();
    assert_eq!(s.blob(first.meta.id).await.unwrap_err().status(), Some(404));
    let res = s
        .client
        .request(
            Method::GET,
            &format!("/api/v1/blobs/{}/content", first.meta.id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        s.delete_blob(first.meta.id).await.unwrap_err().status(),
        Some(404)
    );
    assert!(!blob_dir(&srv)
        .join("blobs")
        .join(&first.meta.sha256)
        .exists());
    assert_eq!(
        s.list_blobs(&BlobQuery::default())
            .await
            .unwrap()
            .items
            .len(),
        3
    );
}

async fn members_and_roles_are_kept_apart(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let a = member(&srv, "a@example.org").await;
    let b = member(&srv, "b@example.org").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scan.png");
    std::fs::write(&path, content(100_000, 1)).unwrap();
    let info = a
        .upload_blob(&path, "health.imaging", |_| {})
        .await
        .unwrap();
    let id = info.meta.id;

    assert!(b
        .list_blobs(&BlobQuery::default())
        .await
        .unwrap()
        .items
        .is_empty());
    assert_eq!(b.blob(id).await.unwrap_err().status(), Some(404));
    assert_eq!(b.delete_blob(id).await.unwrap_err().status(), Some(404));
    let res = b
        .client
        .request(Method::GET, &format!("/api/v1/blobs/{id}/content"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let err = b
        .download_blob(id, &dir.path().join("x"), false, |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    // Still there for its owner.
    assert_eq!(a.blob(id).await.unwrap().sha256, info.meta.sha256);

    for role in [Role::Researcher, Role::Steward] {
        let (_, pair) = srv.session(role).await;
        let c = srv.client().with_token(&pair.access_token);
        for (method, path) in [
            (Method::GET, "/api/v1/blobs".to_owned()),
            (Method::GET, format!("/api/v1/blobs/{id}")),
            (Method::GET, format!("/api/v1/blobs/{id}/content")),
            (Method::DELETE, format!("/api/v1/blobs/{id}")),
            (Method::PUT, format!("/api/v1/blobs/{id}")),
        ] {
            let res = c.request(method.clone(), &path).send().await.unwrap();
            assert_eq!(res.status(), 403, "{role:?} {method} {path}");
            assert_eq!(
                res.headers()["content-type"],
                "application/problem+json",
                "{method} {path}"
            );
        }
    }
    // No token at all.
    let res = srv
        .client()
        .request(Method::GET, "/api/v1/blobs")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

async fn account_deletion_removes_the_objects(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let s = member(&srv, "leaving@example.org").await;
    let other = member(&srv, "staying@example.org").await;
    let dir = tempfile::tempdir().unwrap();
    for (i, who) in [&s, &s, &other].into_iter().enumerate() {
        let path = dir.path().join(format!("f{i}.txt"));
        std::fs::write(&path, content(70_000 + i, i as u8)).unwrap();
        who.upload_blob(&path, "health.documents", |_| {})
            .await
            .unwrap();
    }
    assert_eq!(files(&blob_dir(&srv).join("blobs")).len(), 3);
    let done = s.delete_account("leaving@example.org", PASS).await.unwrap();
    assert_eq!(done.blobs_deleted, 2);
    // Only the other member's object is left.
    let left = files(&blob_dir(&srv).join("blobs"));
    assert_eq!(left.len(), 1);
    let theirs = other.list_blobs(&BlobQuery::default()).await.unwrap();
    assert!(left[0].ends_with(&theirs.items[0].sha256));
}

async fn the_storage_quota_is_per_member(backend: Backend) {
    let Some(srv) = TestServer::start_with(backend, |c| c.blobs.quota_bytes = 300_000).await else {
        return;
    };
    let s = member(&srv, "quota@example.org").await;
    let other = member(&srv, "other@example.org").await;
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, len: usize| {
        let path = dir.path().join(name);
        std::fs::write(&path, content(len, 3)).unwrap();
        path
    };
    let first = file("a.bin", 200_000);
    s.upload_blob(&first, "health.documents", |_| {})
        .await
        .unwrap();
    // 200 kB more would pass the 300 kB quota: refused before the body, nothing stored.
    let second = file("b.bin", 200_000);
    let err = s
        .upload_blob(&second, "health.documents", |_| {})
        .await
        .unwrap_err();
    let p = err.problem().unwrap();
    assert_eq!((p.status, p.code.as_str()), (413, "blob_quota_exceeded"));
    assert!(p.detail.contains("delete files"), "{}", p.detail);
    let mine = s.list_blobs(&BlobQuery::default()).await.unwrap();
    assert_eq!(mine.items.len(), 1);
    // Another member's quota is their own; a small file still fits.
    other
        .upload_blob(&second, "health.documents", |_| {})
        .await
        .unwrap();
    s.upload_blob(&file("c.bin", 50_000), "health.documents", |_| {})
        .await
        .unwrap();
}
