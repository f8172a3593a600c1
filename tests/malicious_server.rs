//! The client against a hostile server: the real server behind a proxy in
//! this process that rewrites one thing per scenario, the way a compromised
//! server could, and the real client, which must refuse each and say what it
//! refused (docs/crypto.md section 1). On SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod account_common;
mod hostile_common;

use account_common::{catch, draft, PASS};
use datacoop_api::paths;
use datacoop_api::records::RecordQuery;
use datacoop_client::device::DeviceClient;
use datacoop_client::member::{self, MemberSession};
use datacoop_client::ClientError;
use datacoop_crypto::{
    envelope::to_base64url, Author, DeviceBatch, HpkeKeyPair, HpkePublicKey, KdfParams,
    RecordBinding,
};
use datacoop_testkit::{backend_tests, Backend, TamperProxy};
use hostile_common::{hostile, member};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

backend_tests!(
    forged_device_records_are_refused,
    swapped_records_are_refused,
    relabelled_records_are_refused,
    an_old_version_relabelled_as_current_is_refused,
    substituted_member_keys_are_refused,
    endless_cursors_and_oversized_answers_are_refused,
    lowered_or_changed_kdf_parameters_are_refused,
);

/// A new login through the proxy (nothing cached from an earlier session).
async fn fresh_login(proxy: &TamperProxy, email: &str) -> MemberSession {
    member::login(&proxy.client(), email, PASS, None)
        .await
        .unwrap()
}

/// The JSON the honest server gives for `path` (the proxy has no rule yet).
async fn honest(s: &MemberSession, path: &str) -> Value {
    s.client
        .request(Method::GET, path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn refused(result: Result<impl std::fmt::Debug, ClientError>, scenario: &str, says: &str) {
    match result {
        Ok(v) => panic!("{scenario}: the client accepted it: {v:?}"),
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains(says),
                "{scenario}: refused, but the message does not say {says:?}: {text}"
            );
        }
    }
}

async fn forged_device_records_are_refused(backend: Backend) {
    let Some((_srv, proxy)) = hostile(backend).await else {
        return;
    };
    let (s, _) = member(&proxy, "fisher@example.org").await;
    let (info, creds) = s
        .add_device("boat logger", Some(vec!["catch.landing".into()]))
        .await
        .unwrap();
    let device = DeviceClient::new(&creds).unwrap();
    let up = device.seal(&[catch("Gadus morhua")]).unwrap();
    let (record, batch) = (up.records[0].id, up.batch_id);
    device.send(&up).await.unwrap();
    assert_eq!(
        s.get(record).await.unwrap().1.as_slice(),
        &catch("Gadus morhua").content[..],
        "the honest device record opens"
    );

    // The server makes its own batch under the real device's id: it knows the
    // member's public key but not the device's private key.
    let keys = s.member_keys().await.unwrap();
    let rogue = HpkeKeyPair::generate().unwrap();
    let forged =
        DeviceBatch::new(keys.hpke.public_key(), &rogue, s.member_id, info.id, batch).unwrap();
    let binding = RecordBinding {
        member_id: s.member_id,
        record_id: record,
        version: 1,
        content_type: "application/json".into(),
        category: "catch.landing".into(),
        type_code: "Gadus morhua".into(),
        effective_at: datacoop_api::time::parse_micros("2026-11-24T05:00:00Z"),
        author: Author::Device(info.id),
    };
    let sealed = forged
        .seal_record(&binding, br#"{"species":"Gadus morhua","kg":400}"#)
        .unwrap();
    let (forged_key, forged_content) = (
        to_base64url(forged.sealed_batch_key()),
        to_base64url(&sealed.ciphertext),
    );
    let (batch_path, record_path) = (paths::device_batch(batch), paths::record(record));
    proxy.rewrite_json("/api/v1/", move |ex, v| {
        if ex.path == batch_path {
            v["sealed_batch_key"] = json!(forged_key);
        } else if ex.path == record_path {
            v["ciphertext"] = json!(forged_content);
        }
    });
    let fresh = fresh_login(&proxy, "fisher@example.org").await;
    refused(
        fresh.get(record).await,
        "a batch sealed by a key that is not the device's",
        "was not sealed by device",
    );

    // The batch names a device the member never enrolled.
    let batch_path = paths::device_batch(batch);
    proxy.rewrite_json("/api/v1/", move |ex, v| {
        if ex.path == batch_path {
            v["device_id"] = json!(Uuid::now_v7());
        }
    });
    let fresh = fresh_login(&proxy, "fisher@example.org").await;
    refused(
        fresh.get(record).await,
        "a batch from a device that is not the member's",
        "not one of your devices",
    );

    // The server widens the device's categories in its list (the certificate no
    // longer matches), or swaps in its own key for the device.
    let rogue_key = to_base64url(rogue.public_key().as_bytes());
    for (what, change) in [
        ("categories", json!(null)),
        ("public_key", json!(rogue_key)),
    ] {
        proxy.rewrite_json(paths::DEVICES, move |ex, v| {
            if ex.path == paths::DEVICES {
                for d in v["items"].as_array_mut().unwrap() {
                    d[what] = change.clone();
                }
            }
        });
        let fresh = fresh_login(&proxy, "fisher@example.org").await;
        refused(
            fresh.get(record).await,
            &format!("a device whose {what} were changed"),
            "has no certificate signed by your key",
        );
    }
    proxy.clear();
    let fresh = fresh_login(&proxy, "fisher@example.org").await;
    assert!(fresh.get(record).await.is_ok(), "honest again, it opens");
}

async fn swapped_records_are_refused(backend: Backend) {
    let Some((_srv, proxy)) = hostile(backend).await else {
        return;
    };
    let (s, a) = member(&proxy, "a@example.org").await;
    let up = s.seal(&[draft("HbA1c 9.8 %")]).unwrap();
    let b = up[0].id;
    s.upload(up, "second").await.unwrap();
    let (other, c) = member(&proxy, "b@example.org").await;
    let own_b = honest(&s, &paths::record(b)).await;
    let foreign_c = honest(&other, &paths::record(c)).await;
    for (scenario, source) in [
        ("another record's content", own_b),
        ("another member's record", foreign_c),
    ] {
        let path = paths::record(a);
        proxy.rewrite_json("/api/v1/records/", move |ex, v| {
            if ex.path == path {
                v["ciphertext"] = source["ciphertext"].clone();
                v["wrapped_key"] = source["wrapped_key"].clone();
            }
        });
        refused(s.get(a).await, scenario, "does not open as shown");
    }
    // Answering for the wrong record altogether.
    let path = paths::record(a);
    let b_json = honest(&s, &paths::record(b)).await;
    proxy.rewrite_json("/api/v1/records/", move |ex, v| {
        if ex.path == path {
            *v = b_json.clone();
        }
    });
    refused(
        s.get(a).await,
        "the answer for another record",
        "answered with record",
    );
}

async fn relabelled_records_are_refused(backend: Backend) {
    let Some((_srv, proxy)) = hostile(backend).await else {
        return;
    };
    let (s, a) = member(&proxy, "lab@example.org").await;
    for (field, value) in [
        ("category", json!("health.laboratory")),
        ("type_code", json!("loinc:4548-4")),
        ("effective_at", json!("2019-01-01T00:00:00Z")),
        ("effective_at", json!(null)),
        ("content_type", json!("application/json")),
        ("version", json!(2)),
    ] {
        let path = paths::record(a);
        let v2 = value.clone();
        proxy.rewrite_json("/api/v1/records/", move |ex, v| {
            if ex.path == path {
                v[field] = v2.clone();
            }
        });
        refused(
            s.get(a).await,
            &format!("{field} changed to {value}"),
            "does not open as shown",
        );
    }
    proxy.clear();
    let opened = s.open(a).await.unwrap();
    assert_eq!(opened.meta.category, "health.vital-signs");
    assert!(opened.provenance.is_authenticated());
}

async fn an_old_version_relabelled_as_current_is_refused(backend: Backend) {
    let Some((_srv, proxy)) = hostile(backend).await else {
        return;
    };
    let (s, a) = member(&proxy, "v@example.org").await;
    let v1 = honest(&s, &paths::record(a)).await;
    let opened = s.open(a).await.unwrap();
    let meta = s.reseal(&opened).await.unwrap();
    assert_eq!(meta.version, 2);
    let path = paths::record(a);
    proxy.rewrite_json("/api/v1/records/", move |ex, v| {
        if ex.path == path {
            v["ciphertext"] = v1["ciphertext"].clone();
            v["wrapped_key"] = v1["wrapped_key"].clone();
        }
    });
    refused(
        s.get(a).await,
        "version 1 served as version 2",
        "does not open as shown",
    );
}

async fn substituted_member_keys_are_refused(backend: Backend) {
    let Some((_srv, proxy)) = hostile(backend).await else {
        return;
    };
    let (s, _) = member(&proxy, "keys@example.org").await;
    let substitute = HpkeKeyPair::generate().unwrap();
    let mut envelope = s.member_keys().await.unwrap().public_keys();
    envelope.hpke = HpkePublicKey::from_bytes(substitute.public_key().as_bytes()).unwrap();
    let forged = to_base64url(&envelope.to_envelope());
    proxy.rewrite_json(paths::MEMBER_KEYS, move |_, v| {
        v["public_keys"] = json!(forged);
    });
    refused(
        s.add_device("logger", None).await,
        "a substituted public key for the member",
        "does not match your private keys",
    );
    // Another member's sealed keys handed out at login.
    proxy.clear();
    let (other, _) = member(&proxy, "other@example.org").await;
    let theirs = honest(&other, paths::MEMBER_KEYS).await["sealed_member_keys"].clone();
    proxy.rewrite_json(paths::LOGIN, move |_, v| {
        v["sealed_member_keys"] = theirs.clone();
    });
    refused(
        member::login(&proxy.client(), "keys@example.org", PASS, None).await,
        "another member's sealed keys at login",
        "sealed member keys do not open",
    );
}

async fn endless_cursors_and_oversized_answers_are_refused(backend: Backend) {
    let Some((_srv, proxy)) = hostile(backend).await else {
        return;
    };
    let (s, _) = member(&proxy, "pages@example.org").await;
    // Each page points back at where it started (or at its own first item).
    proxy.rewrite_json(paths::RECORDS, |ex, v| {
        if ex.path == paths::RECORDS {
            let after = ex
                .query
                .split('&')
                .find_map(|kv| kv.strip_prefix("after="))
                .map(|a| json!(a));
            v["next_after"] = after.unwrap_or_else(|| v["items"][0]["id"].clone());
        }
    });
    refused(
        s.list_all(&RecordQuery::default(), None).await,
        "a cursor that never advances",
        "cursor",
    );
    proxy.set(|ex, bytes| {
        if ex.path == paths::RECORDS {
            let mut big = vec![b' '; datacoop_client::MAX_JSON_ANSWER + 1];
            big.extend_from_slice(b"{}");
            *bytes = big;
        }
    });
    refused(
        s.list(&RecordQuery::default()).await,
        "an answer larger than any honest one",
        "is longer than",
    );
}

async fn lowered_or_changed_kdf_parameters_are_refused(backend: Backend) {
    let Some((_srv, proxy)) = hostile(backend).await else {
        return;
    };
    let email = "kdf@example.org";
    let (s, _) = member(&proxy, email).await;
    let remembered = member::KdfPolicy {
        remembered: s.kdf_cost(),
        accept_weaker: false,
        accept_legacy: false,
    };
    let honest: KdfParams = {
        let v = honest_prelogin(&proxy, email).await;
        KdfParams::from_envelope(
            &datacoop_crypto::envelope::from_base64url(v.as_str().unwrap()).unwrap(),
        )
        .unwrap()
    };
    let floor = KdfParams::new(
        KdfParams::FLOOR_MEMORY_KIB,
        KdfParams::FLOOR_ITERATIONS,
        KdfParams::FLOOR_PARALLELISM,
        *honest.salt(),
    )
    .unwrap();
    let mut legacy = honest.to_envelope();
    legacy[2] = 1; // the 0.1 format: the server's salt used as is
    for (scenario, envelope, says, policy) in [
        (
            "parameters lowered to the floor",
            floor.to_envelope(),
            "than this machine accepted before for this account",
            remembered,
        ),
        (
            "the 0.1 format on an account this machine knows",
            legacy.clone(),
            "weaker than this machine accepted before",
            remembered,
        ),
        (
            "the 0.1 format on an account this machine knows, though legacy is accepted",
            legacy.clone(),
            "weaker than this machine accepted before",
            member::KdfPolicy {
                accept_legacy: true,
                ..remembered
            },
        ),
        (
            "the 0.1 format at the floor on a fresh machine that accepts the 0.1 format",
            {
                let mut e = floor.to_envelope();
                e[2] = 1;
                e
            },
            "the default an account from datacoop 0.1 had",
            member::KdfPolicy {
                accept_legacy: true,
                ..Default::default()
            },
        ),
        (
            "the 0.1 format on a fresh machine",
            legacy,
            "0.1 format",
            member::KdfPolicy::default(),
        ),
    ] {
        let forged = to_base64url(&envelope);
        proxy.rewrite_json(paths::PRELOGIN, move |_, v| {
            v["kdf_params"] = json!(forged);
        });
        refused(
            member::login_with(&proxy.client(), email, PASS, None, &policy).await,
            scenario,
            says,
        );
    }
    proxy.clear();
    member::login_with(&proxy.client(), email, PASS, None, &remembered)
        .await
        .unwrap();
}

async fn honest_prelogin(proxy: &TamperProxy, email: &str) -> Value {
    let v: Value = proxy
        .client()
        .request(Method::POST, paths::PRELOGIN)
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["kdf_params"].clone()
}
