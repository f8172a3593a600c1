//! Key rotation (`POST /api/v1/members/me/keys/rotation`, `datacoop member rotate-keys`):
//! after it, everything opens with the new vault key and nothing stored opens with the old
//! one, the old recovery code and the devices stop working, the log shows the new keys as
//! the member's own, and a rotation against a changed or tampered vault changes nothing.
//! The real server, the real client, SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod account_common;
mod hostile_common;

use account_common::{catch, draft, PASS};
use datacoop_api::accounts::RecordKeyPage;
use datacoop_api::paths;
use datacoop_client::device::DeviceClient;
use datacoop_client::log::{self, LogState};
use datacoop_client::member::{self, Provenance};
use datacoop_client::{account, ClientError};
use datacoop_crypto::unwrap_record_key;
use datacoop_testkit::{backend_tests, Backend};
use hostile_common::{hostile, member};
use reqwest::Method;
use serde_json::json;

backend_tests!(
    rotation_replaces_every_key,
    a_changed_or_tampered_vault_changes_nothing,
    a_lost_answer_is_asked_for_again,
);

async fn rotation_replaces_every_key(backend: Backend) {
    let Some((_srv, proxy)) = hostile(backend).await else {
        return;
    };
    let email = "rotate@example.org";
    let c = proxy.client();
    let reg = member::register(&c, email, PASS).await.unwrap();
    let mut s = member::login(&c, email, PASS, None).await.unwrap();
    let up = s
        .seal(&[draft("HbA1c 5.4 %"), draft("weight 71 kg")])
        .unwrap();
    let (a, b) = (up[0].id, up[1].id);
    s.upload(up, "first").await.unwrap();
    let opened = s.open(b).await.unwrap();
    s.reseal(&opened).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("letter.txt");
    std::fs::write(&file, b"scan of a referral letter").unwrap();
    let blob = s
        .upload_blob(&file, "health.documents", |_| {})
        .await
        .unwrap();
    let (_, creds) = s
        .add_device("boat logger", Some(vec!["catch.landing".into()]))
        .await
        .unwrap();
    let device = DeviceClient::new(&creds).unwrap();
    let dev_up = device.seal(&[catch("Gadus morhua")]).unwrap();
    let d = dev_up.records[0].id;
    device.send(&dev_up).await.unwrap();
    let mut other = member::login(&c, email, PASS, None).await.unwrap();
    let state = log::verify(&s, LogState::default()).await.unwrap();
    assert!(state.ok(), "{:?}", state.problems);
    let old_vault = s.vault_key.clone();

    let calls = std::sync::Mutex::new(Vec::new());
    let rotated = s
        .rotate_keys(email, PASS, |n, total| {
            calls.lock().unwrap().push((n, total))
        })
        .await
        .unwrap();
    let done = &rotated.done;
    assert_eq!(
        (
            done.records_rewrapped,
            done.blobs_rewrapped,
            done.devices_revoked,
            done.sessions_revoked
        ),
        (3, 1, 1, 1)
    );
    assert_eq!(calls.lock().unwrap().last(), Some(&(4, 4)));
    assert!(!format!("{rotated:?}").contains(&rotated.recovery_code));

    // Everything opens with the new key, as before: contents, authors, the file.
    assert_eq!(s.get(a).await.unwrap().1.as_slice(), b"HbA1c 5.4 %");
    let vb = s.open(b).await.unwrap();
    assert_eq!(
        (vb.meta.version, vb.content.as_slice()),
        (2, &b"weight 71 kg"[..])
    );
    let vd = s.open(d).await.unwrap();
    assert!(
        matches!(vd.provenance, Provenance::Device(_)),
        "{:?}",
        vd.provenance
    );
    let out = dir.path().join("back.txt");
    s.download_blob(blob.meta.id, &out, false, |_| {})
        .await
        .unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), b"scan of a referral letter");

    // The old vault key opens nothing stored now.
    let keys: RecordKeyPage = s
        .client
        .request(Method::GET, paths::MEMBER_RECORD_KEYS)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(keys.items.len(), 3);
    for k in &keys.items {
        assert!(
            unwrap_record_key(&old_vault, &s.member_id, &k.id, k.version, &k.wrapped_key).is_err()
        );
        assert!(
            unwrap_record_key(&s.vault_key, &s.member_id, &k.id, k.version, &k.wrapped_key).is_ok()
        );
    }

    // A fresh login with the passphrase opens the new vault; the other session ended;
    // the device is revoked; the old recovery code recovers nothing, the new one would.
    let fresh = member::login(&c, email, PASS, None).await.unwrap();
    assert!(fresh.vault_key == s.vault_key);
    // (its access token lapses within minutes; its refresh token no longer works)
    assert!(other.refresh().await.is_err());
    assert!(device
        .send(&device.seal(&[catch("Pollachius virens")]).unwrap())
        .await
        .is_err());
    match account::recover(&c, email, &reg.recovery_code, "a brand new passphrase").await {
        // Its copy of the vault key is gone: the client cannot even open it.
        Err(e) => assert!(e.to_string().contains("recovery code does not open"), "{e}"),
        Ok(_) => panic!("the old recovery code still worked"),
    }

    // The log: the new keys are the member's, and they retired the old ones.
    let r = log::verify(&s, state.state.clone()).await.unwrap();
    assert!(r.ok(), "{:?}", r.problems);
    assert!(
        r.checked
            .iter()
            .any(|l| l.contains("retired 1 earlier key")),
        "{:?}",
        r.checked
    );
    // A second rotation names both earlier keys.
    let again = s.rotate_keys(email, PASS, |_, _| {}).await.unwrap();
    assert_eq!(again.done.devices_revoked, 0);
    let r = log::verify(&s, r.state).await.unwrap();
    assert!(r.ok(), "{:?}", r.problems);
    assert!(
        r.checked
            .iter()
            .any(|l| l.contains("retired 2 earlier key")),
        "{:?}",
        r.checked
    );

    // A key the server publishes in the member's name is still caught.
    proxy.rewrite_json(paths::LOG_ENTRIES, |_, v| {
        let items = v["items"].as_array_mut().unwrap();
        let first = items
            .iter()
            .position(|e| e["entry"]["action"] == "key_published")
            .unwrap();
        // Drop the newest publication: the retirement statement goes with it.
        let last = items
            .iter()
            .rposition(|e| e["entry"]["action"] == "key_published")
            .unwrap();
        assert!(last > first);
        items.remove(last);
    });
    let r = log::verify(&s, LogState::default()).await.unwrap();
    assert!(!r.ok());
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("no entry publishing your public keys")),
        "{:?}",
        r.problems
    );
}

async fn a_changed_or_tampered_vault_changes_nothing(backend: Backend) {
    let Some((_srv, proxy)) = hostile(backend).await else {
        return;
    };
    let email = "stale@example.org";
    let (mut s, a) = member(&proxy, email).await;
    let up = s.seal(&[draft("second")]).unwrap();
    s.upload(up, "second").await.unwrap();
    let before = s.vault_key.clone();

    // The listing leaves a record out: the server refuses the incomplete rotation.
    proxy.rewrite_json(paths::MEMBER_RECORD_KEYS, |_, v| {
        v["items"].as_array_mut().unwrap().pop();
    });
    match s.rotate_keys(email, PASS, |_, _| {}).await {
        Err(ClientError::Api(p)) => {
            assert_eq!((p.status, p.code.as_str()), (409, "rotation_stale"));
        }
        other => panic!("an incomplete rotation was accepted: {other:?}"),
    }
    // A record's wrapped key replaced by another's: the client refuses to go on.
    let a_text = a.to_string();
    proxy.rewrite_json(paths::MEMBER_RECORD_KEYS, move |_, v| {
        let items = v["items"].as_array_mut().unwrap();
        let other = items.iter().find(|i| i["id"] != json!(a_text)).unwrap()["wrapped_key"].clone();
        for i in items.iter_mut() {
            if i["id"] == json!(a_text) {
                i["wrapped_key"] = other.clone();
            }
        }
    });
    match s.rotate_keys(email, PASS, |_, _| {}).await {
        Err(ClientError::Crypto(text)) => assert!(text.contains("does not open"), "{text}"),
        other => panic!("a swapped key was re-wrapped: {other:?}"),
    }
    // A wrong passphrase: refused by the server.
    proxy.clear();
    match s.rotate_keys(email, "not the passphrase", |_, _| {}).await {
        Err(ClientError::Api(p)) => assert_eq!(p.status, 403),
        other => panic!("a wrong passphrase rotated the keys: {other:?}"),
    }
    // Nothing changed: the old key still opens everything, from a fresh login too.
    assert!(s.vault_key == before);
    let fresh = member::login(&proxy.client(), email, PASS, None)
        .await
        .unwrap();
    assert!(fresh.vault_key == before);
    assert_eq!(fresh.get(a).await.unwrap().1.as_slice(), b"HbA1c 5.4 %");
}

/// The server rotated but its answer was lost on the way: the client sends the same
/// request again, which changes nothing more and brings the answer, so the member gets
/// the new recovery code that now counts.
async fn a_lost_answer_is_asked_for_again(backend: Backend) {
    let Some((_srv, proxy)) = hostile(backend).await else {
        return;
    };
    let email = "lost@example.org";
    let (mut s, a) = member(&proxy, email).await;
    let lost = std::sync::atomic::AtomicBool::new(false);
    proxy.set(move |ex, body| {
        if ex.path == paths::MEMBER_KEY_ROTATION
            && ex.status == 200
            && !lost.swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            *body = b"{\"cut off".to_vec();
        }
    });
    let rotated = s.rotate_keys(email, PASS, |_, _| {}).await.unwrap();
    assert_eq!(rotated.done.records_rewrapped, 1);
    proxy.clear();
    assert_eq!(s.get(a).await.unwrap().1.as_slice(), b"HbA1c 5.4 %");
    account::recover(
        &proxy.client(),
        email,
        &rotated.recovery_code,
        "after the lost answer",
    )
    .await
    .unwrap();
}
