//! The member's journey through the real server and the real client, on
//! SQLite and PostgreSQL: register, log in, upload, list, fetch, delete; and
//! what must be refused.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_api::auth::Role;
use datacoop_api::records::RecordQuery;
use datacoop_client::member::{self, RecordDraft};
use datacoop_testkit::{backend_tests, Backend, TestServer};
use reqwest::Method;

backend_tests!(
    register_login_upload_list_get_delete,
    wrong_passphrase_and_unknown_email_look_the_same,
    members_cannot_reach_each_others_records,
    no_plaintext_at_rest,
);

const PASS: &str = "correct horse battery staple";

fn draft(i: usize, category: &str, text: &str) -> RecordDraft {
    RecordDraft {
        category: category.into(),
        type_code: format!("loinc:{}", 8867 + i),
        effective_at: Some(format!("2026-11-{:02}T08:00:00Z", 1 + i)),
        content_type: "application/fhir+json".into(),
        content: text.as_bytes().to_vec(),
    }
}

async fn register_login_upload_list_get_delete(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let reg = member::register(&c, "ana@example.org", PASS).await.unwrap();
    assert!(reg.recovery_code.len() > 40);
    let err = member::register(&c, "ANA@example.org", PASS)
        .await
        .unwrap_err();
    assert_eq!(err.problem().unwrap().code, "account_exists");

    let s = member::login(&c, "ana@example.org", PASS, Some("laptop".into()))
        .await
        .unwrap();
    assert_eq!(s.member_id, reg.member_id);

    let drafts: Vec<_> = (0..5)
        .map(|i| {
            draft(
                i,
                if i % 2 == 0 {
                    "health.vital-signs"
                } else {
                    "health.laboratory"
                },
                &format!("obs {i}"),
            )
        })
        .collect();
    let sealed = s.seal(&drafts).unwrap();
    assert_eq!(
        s.upload(sealed.clone(), "import-1").await.unwrap().stored,
        5
    );
    // A retry of the same request stores nothing twice…
    assert_eq!(
        s.upload(sealed.clone(), "import-1").await.unwrap().stored,
        5
    );
    // …and the key cannot be reused for something else.
    let other = s.seal(&drafts[..1]).unwrap();
    let err = s.upload(other, "import-1").await.unwrap_err();
    assert_eq!(err.problem().unwrap().code, "idempotency_key_reused");

    let all = s.list(&RecordQuery::default()).await.unwrap();
    assert_eq!(all.items.len(), 5);
    let vitals = s
        .list(&RecordQuery {
            category: Some("health.vital-signs".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(vitals.items.len(), 3);
    let window = s
        .list(&RecordQuery {
            from: Some("2026-11-02T00:00:00Z".into()),
            to: Some("2026-11-04T00:00:00Z".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(window.items.len(), 2);

    // Cursor pagination walks everything exactly once.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .list(&RecordQuery {
                after,
                limit: Some(2),
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
    let mut expected: Vec<_> = sealed.iter().map(|u| u.id).collect();
    expected.sort();
    assert_eq!(seen, expected);

    let (meta, plain) = s.get(sealed[3].id).await.unwrap();
    assert_eq!(meta.category, "health.laboratory");
    assert_eq!(&plain[..], b"obs 3");

    s.delete(sealed[3].id).await.unwrap();
    let err = s.get(sealed[3].id).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    let err = s.delete(sealed[3].id).await.unwrap_err();
    assert_eq!(err.status(), Some(404));

    // Bad input gets a problem, never a 500, and leaves the data intact.
    let res = s
        .client
        .request(Method::POST, "/api/v1/records")
        .json(&serde_json::json!({"id": "not-a-uuid"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let mut bad = s.seal(&drafts[..1]).unwrap();
    bad[0].effective_at = Some("yesterday".into());
    let err = s.upload(bad, "bad-1").await.unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert_eq!(
        s.list(&RecordQuery::default()).await.unwrap().items.len(),
        4
    );

    s.logout().await.unwrap();
}

async fn wrong_passphrase_and_unknown_email_look_the_same(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    member::register(&c, "bo@example.org", PASS).await.unwrap();
    let wrong = member::login(&c, "bo@example.org", "not the passphrase", None)
        .await
        .unwrap_err();
    let unknown = member::login(&c, "nobody@example.org", PASS, None)
        .await
        .unwrap_err();
    let (w, u) = (wrong.problem().unwrap(), unknown.problem().unwrap());
    assert_eq!(
        (w.status, &w.code, &w.detail),
        (u.status, &u.code, &u.detail)
    );
    assert_eq!(w.code, "invalid_credentials");

    // The account is rate-limited after repeated failures (429 + Retry-After).
    let mut limited = None;
    for _ in 0..12 {
        let res = c
            .request(Method::POST, "/api/v1/auth/login")
            .json(&serde_json::json!({"email": "bo@example.org", "auth_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}))
            .send()
            .await
            .unwrap();
        if res.status() == 429 {
            limited = Some(res);
            break;
        }
    }
    let res = limited.expect("rate limit reached");
    assert!(res.headers().contains_key("retry-after"));
}

async fn members_cannot_reach_each_others_records(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    member::register(&c, "a@example.org", PASS).await.unwrap();
    member::register(&c, "b@example.org", PASS).await.unwrap();
    let a = member::login(&c, "a@example.org", PASS, None)
        .await
        .unwrap();
    let b = member::login(&c, "b@example.org", PASS, None)
        .await
        .unwrap();
    let mine = a
        .seal(&[draft(0, "health.vital-signs", "a's data")])
        .unwrap();
    a.upload(mine.clone(), "k").await.unwrap();
    let id = mine[0].id;

    assert!(b
        .list(&RecordQuery::default())
        .await
        .unwrap()
        .items
        .is_empty());
    assert_eq!(b.get(id).await.unwrap_err().status(), Some(404));
    assert_eq!(b.delete(id).await.unwrap_err().status(), Some(404));
    let mut next = mine[0].clone();
    next.version = 2;
    let res = b
        .client
        .request(Method::PUT, &format!("/api/v1/records/{id}"))
        .json(&next)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // Same id, other member: a separate record space, not a collision.
    assert_eq!(a.get(id).await.unwrap().1.as_slice(), b"a's data");

    // Researchers and stewards cannot read member records.
    for role in [Role::Researcher, Role::Steward] {
        let (_, pair) = srv.session(role).await;
        let res = c
            .with_token(&pair.access_token)
            .request(Method::GET, "/api/v1/records")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let res = c
            .with_token(&pair.access_token)
            .request(Method::GET, &format!("/api/v1/records/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    }
}

async fn no_plaintext_at_rest(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let canary = format!("CANARY-{}", uuid::Uuid::new_v4().simple());
    let passphrase = format!("pass-{}", uuid::Uuid::new_v4().simple());
    member::register(&c, "canary@example.org", &passphrase)
        .await
        .unwrap();
    let s = member::login(&c, "canary@example.org", &passphrase, None)
        .await
        .unwrap();
    let up = s
        .seal(&[draft(
            0,
            "health.vital-signs",
            &format!("{{\"note\":\"{canary}\"}}"),
        )])
        .unwrap();
    s.upload(up, "k").await.unwrap();
    // A file too: its content and its name must not be stored in clear either.
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join(format!("{canary}.txt"));
    let mut text = Vec::new();
    for _ in 0..20_000 {
        text.extend_from_slice(canary.as_bytes());
    }
    std::fs::write(&file, &text).unwrap();
    s.upload_blob(&file, "health.documents", |_| {})
        .await
        .unwrap();
    let vault = s.vault_key.to_local_bytes();

    let dump: Vec<u8> = match backend {
        Backend::Sqlite => {
            let mut all = Vec::new();
            for entry in walk(srv.db.dir.path()) {
                all.extend(std::fs::read(entry).unwrap());
            }
            all
        }
        Backend::Postgres => {
            let out = std::process::Command::new("pg_dump")
                .arg(&srv.db.url)
                .output()
                .expect("pg_dump (from Debian's postgresql-client) is needed for this test");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let mut all = out.stdout;
            // The blob store is beside the database, not in it.
            for entry in walk(srv.app.blobs().local_root().unwrap()) {
                all.extend(std::fs::read(entry).unwrap());
            }
            all
        }
    };
    assert!(dump.len() > 1000);
    let objects = walk(&srv.app.blobs().local_root().unwrap().join("blobs"));
    assert_eq!(objects.len(), 1, "the blob directory is scanned");
    for (what, needle) in [
        ("canary", canary.as_bytes()),
        ("passphrase", passphrase.as_bytes()),
        ("vault key", &vault[..]),
    ] {
        assert!(
            !dump.windows(needle.len()).any(|w| w == needle),
            "the {what} is stored in clear"
        );
    }
    // Hex-encoded forms (pg_dump writes bytea as hex) must not hold the vault key either.
    let hex: String = vault.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!dump.windows(hex.len()).any(|w| w == hex.as_bytes()));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
