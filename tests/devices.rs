//! Write-only device tokens through the real server and client, on SQLite
//! and PostgreSQL: a device adds records sealed to the member's key and can
//! do nothing else; the member reads them, lists and revokes devices.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod account_common;

use account_common::{catch, member_with_record, PASS};
use datacoop_api::auth::Role;
use datacoop_api::records::RecordQuery;
use datacoop_client::device::DeviceClient;
use datacoop_client::Client;
use datacoop_testkit::{backend_tests, Backend, TestServer};
use reqwest::Method;

backend_tests!(
    a_device_adds_and_the_member_reads,
    a_device_token_can_only_add,
    revoked_and_deleted_devices_are_refused,
);

async fn status(
    c: &Client,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, String) {
    let mut req = c.request(method, path);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let code = res.status().as_u16();
    let text = res.text().await.unwrap();
    let code_field = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    (code, code_field)
}

async fn a_device_adds_and_the_member_reads(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let (_, s) = member_with_record(&c, "fisher@example.org", "own note").await;
    let (info, creds) = s
        .add_device("boat logger", Some(vec!["catch.landing".into()]))
        .await
        .unwrap();
    assert_eq!(info.records_added, 0);
    assert!(creds.token.starts_with("dcdev_"));
    assert!(
        !format!("{creds:?}").contains(&creds.token),
        "the token is redacted in Debug"
    );

    let device = DeviceClient::new(&creds).unwrap();
    let up = device
        .seal(&[catch("Gadus morhua"), catch("Pollachius virens")])
        .unwrap();
    assert_eq!(device.send(&up).await.unwrap().stored, 2);
    // A retried batch (lost answer) stores nothing twice.
    assert_eq!(device.send(&up).await.unwrap().stored, 2);
    let up2 = device.seal(&[catch("Merlangius merlangus")]).unwrap();
    device.send(&up2).await.unwrap();

    let page = s
        .list(&RecordQuery {
            category: Some("catch.landing".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    let mut species = Vec::new();
    for m in &page.items {
        assert_eq!(m.device_id, Some(info.id));
        let (_, plain) = s.get(m.id).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&plain).unwrap();
        species.push(v["species"].as_str().unwrap().to_owned());
    }
    species.sort();
    assert_eq!(
        species,
        ["Gadus morhua", "Merlangius merlangus", "Pollachius virens"]
    );
    // The member's own record is still opened with the vault key.
    let own = s
        .list(&RecordQuery {
            category: Some("health.vital-signs".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(own.items[0].device_id, None);
    assert_eq!(
        s.get(own.items[0].id).await.unwrap().1.as_slice(),
        b"own note"
    );

    let listed = s.devices().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].records_added, 3);
    assert!(listed[0].last_used_at.is_some() && listed[0].revoked_at.is_none());
}

async fn a_device_token_can_only_add(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let (_, s) = member_with_record(&c, "fisher@example.org", "own note").await;
    let (_, other) = member_with_record(&c, "other@example.org", "theirs").await;
    let (info, creds) = s
        .add_device("boat logger", Some(vec!["catch.landing".into()]))
        .await
        .unwrap();
    let device = DeviceClient::new(&creds).unwrap();
    let up = device.seal(&[catch("Gadus morhua")]).unwrap();
    device.send(&up).await.unwrap();
    let record = up.records[0].id;
    let dc = c.with_token(&creds.token);

    // Nothing to list or read with a device token, not even what it added.
    for path in [
        "/api/v1/records".to_owned(),
        format!("/api/v1/records/{record}"),
        "/api/v1/devices".to_owned(),
        format!("/api/v1/devices/batches/{}", up.batch_id),
        "/api/v1/members/me/keys".to_owned(),
        "/api/v1/log/entries".to_owned(),
        "/api/v1/auth/whoami".to_owned(),
        "/api/v1/auth/sessions".to_owned(),
    ] {
        assert_eq!(
            status(&dc, Method::GET, &path, None).await,
            (403, "device_token_not_allowed".into()),
            "{path}"
        );
    }
    for (method, path) in [
        (Method::DELETE, format!("/api/v1/records/{record}")),
        (Method::DELETE, format!("/api/v1/devices/{}", info.id)),
        (Method::POST, "/api/v1/devices".to_owned()),
    ] {
        let (code, _) = status(&dc, method, &path, Some(serde_json::json!({"name": "x"}))).await;
        assert_eq!(code, 403, "{path}");
    }
    // A device cannot change a record (only version 1), nor add outside its categories.
    let mut next = device.seal(&[catch("Gadus morhua")]).unwrap();
    next.records[0].version = 2;
    let (code, problem) = status(
        &dc,
        Method::POST,
        "/api/v1/device/records",
        Some(serde_json::to_value(&next).unwrap()),
    )
    .await;
    assert_eq!((code, problem.as_str()), (403, "device_scope"));
    let mut health = catch("x");
    health.category = "health.vital-signs".into();
    let wrong = device.seal(&[health]).unwrap();
    let err = device.send(&wrong).await.unwrap_err();
    assert_eq!(err.status(), Some(403));
    // A record whose key is not a reference to the batch is refused.
    let mut forged = device.seal(&[catch("Gadus morhua")]).unwrap();
    forged.records[0].wrapped_key = vec![0xdc, 0x21, 0x01, 0, 0].into();
    assert_eq!(device.send(&forged).await.unwrap_err().status(), Some(422));
    assert_eq!(
        s.devices().await.unwrap()[0].records_added,
        1,
        "refused batches stored nothing"
    );

    // Member and other-role tokens cannot use the device endpoint.
    let body = serde_json::to_value(device.seal(&[catch("Gadus morhua")]).unwrap()).unwrap();
    let (code, _) = status(
        &s.client,
        Method::POST,
        "/api/v1/device/records",
        Some(body.clone()),
    )
    .await;
    assert_eq!(code, 403);
    let (_, pair) = srv.session(Role::Researcher).await;
    let (code, _) = status(
        &c.with_token(&pair.access_token),
        Method::POST,
        "/api/v1/device/records",
        Some(body),
    )
    .await;
    assert_eq!(code, 403);

    // Another member sees none of it.
    assert_eq!(
        status(
            &other.client,
            Method::DELETE,
            &format!("/api/v1/devices/{}", info.id),
            None
        )
        .await
        .0,
        404
    );
    assert_eq!(
        status(
            &other.client,
            Method::GET,
            &format!("/api/v1/devices/batches/{}", up.batch_id),
            None
        )
        .await
        .0,
        404
    );
    assert!(other.devices().await.unwrap().is_empty());
}

async fn revoked_and_deleted_devices_are_refused(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let (_, s) = member_with_record(&c, "fisher@example.org", "own note").await;
    let (info, creds) = s.add_device("wearable bridge", None).await.unwrap();
    let device = DeviceClient::new(&creds).unwrap();
    let first = device.seal(&[catch("Gadus morhua")]).unwrap();
    device.send(&first).await.unwrap();

    let revoked = s.revoke_device(info.id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    s.revoke_device(info.id).await.unwrap(); // twice is fine
    let err = device
        .send(&device.seal(&[catch("x")]).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.problem().unwrap().code, "invalid_device_token");
    assert_eq!(
        s.list(&RecordQuery::default()).await.unwrap().items.len(),
        2
    );

    // A garbage device token is refused the same way.
    let forged = c.with_token("dcdev_not-a-real-token");
    assert_eq!(
        status(
            &forged,
            Method::POST,
            "/api/v1/device/records",
            Some(serde_json::to_value(&first).unwrap())
        )
        .await,
        (401, "invalid_device_token".into())
    );

    // Deleting the account deletes its devices.
    let (_, creds2) = s.add_device("second", None).await.unwrap();
    let device2 = DeviceClient::new(&creds2).unwrap();
    let done = s.delete_account("fisher@example.org", PASS).await.unwrap();
    assert_eq!(done.devices_deleted, 2);
    let err = device2
        .send(&device2.seal(&[catch("x")]).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
}
