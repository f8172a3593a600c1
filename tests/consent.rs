//! Consent through the front door: members consent to an approved study (one to a
//! subset of its categories); their machines make the de-identified study copies of
//! exactly the covered records; the server countersigns each receipt and the members'
//! access logs record the grants; one withdraws and the copies are gone at once.
//! Refused: a study that does not recruit, categories the study did not ask for, a
//! tampered receipt, a copy of a record the consent does not cover, a device's or a
//! researcher's token, a receipt a hostile server changed. SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_api::b64::Base64Url;
use datacoop_api::log::Action;
use datacoop_consent_core::wire::{
    ConsentQuery, ConsentRequest, ConsentState, StudyCopies, StudyCopyUpload,
};
use datacoop_consent_core::ConsentReceipt;
use datacoop_crypto::sign::context::CONSENT_RECEIPT;
use datacoop_store::schema::{consent_withdrawals, study_copies};
use datacoop_testkit::{backend_tests, Backend, TamperProxy};
use diesel::prelude::*;

backend_tests!(members_consent_and_withdraw,);

mod gov_common;
mod research_common;
use gov_common::{account, code, server, PASS};
use research_common::{approved_study, keys, other, terms, upload, vital};

async fn members_consent_and_withdraw(backend: Backend) {
    let t0 = datacoop_api::time::parse_micros("2027-03-01T09:00:00Z").unwrap() as u64;
    let Some(srv) = server(backend, t0).await else {
        return;
    };
    let ada = account(&srv, "ada@example.org").await;
    let ben = account(&srv, "ben@example.org").await;
    let (gov_key, log_key) = keys(&ada).await;
    // Ada: three blood pressures from 2026, one from before the study's period, a
    // night's sleep, and lab results the study does not ask for.
    upload(
        &ada,
        &[
            vital("2026-03-01", 122),
            vital("2026-03-02", 118),
            vital("2026-04-11", 131),
            vital("2023-06-01", 140),
            other("health.sleep", "2026-03-01"),
            other("health.lab", "2026-03-01"),
        ],
    )
    .await;
    upload(
        &ben,
        &[
            vital("2025-01-05", 125),
            vital("2025-01-06", 127),
            other("health.sleep", "2025-01-05"),
        ],
    )
    .await;

    let a = approved_study(&srv, t0, &terms()).await;
    let study = a.study.id;

    // Unknown study; categories the study did not ask for (refused on the machine).
    let e = ada
        .grant_consent(uuid::Uuid::now_v7(), &gov_key, &log_key, None, |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(code(&e).0, 404);
    let e = ada
        .grant_consent(
            study,
            &gov_key,
            &log_key,
            Some(vec!["health.lab".into()]),
            |_, _| {},
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("does not ask for"), "{e}");

    // Ada consents to everything the study asks for, Ben to his blood pressure only.
    let mut seen = Vec::new();
    let granted = ada
        .grant_consent(study, &gov_key, &log_key, None, |d, t| seen.push((d, t)))
        .await
        .unwrap();
    assert_eq!(granted.state, ConsentState::Active);
    assert_eq!(
        granted.copies, 4,
        "3 blood pressures in the period and the sleep"
    );
    assert_eq!(seen.last(), Some(&(4, 4)));
    assert!(granted.server_signature.is_some() && granted.granted_index.is_some());
    let ben_c = ben
        .grant_consent(
            study,
            &gov_key,
            &log_key,
            Some(vec!["health.vital-signs".into()]),
            |_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(ben_c.copies, 2);
    assert_ne!(ben_c.receipt.pseudonym, granted.receipt.pseudonym);
    let again = ben
        .grant_consent(study, &gov_key, &log_key, None, |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(code(&again), (409, "already_consented".into()));

    // The copies hold de-identified content under the study's binding: nothing of the
    // record's id, the practitioner or the note; dates reduced to month and year.
    let copies: Vec<(String, Option<String>)> = srv
        .app
        .db()
        .read(move |c| {
            study_copies::table
                .filter(study_copies::consent.eq(granted.id.to_string()))
                .select((study_copies::category, study_copies::effective))
                .load(c)
                .map_err(datacoop_store::StoreError::Query)
        })
        .await
        .unwrap();
    assert!(
        copies
            .iter()
            .all(|(_, e)| e.as_deref().is_some_and(|e| e.len() == 7)),
        "{copies:?}"
    );

    // The member's access log holds the grant, with study and consent.
    let entries = datacoop_client::log::all_entries(&ada, Default::default())
        .await
        .unwrap();
    let grant = entries
        .iter()
        .filter_map(|e| e.entry.as_ref())
        .find(|e| e.action == Action::ConsentGranted)
        .expect("the grant is logged");
    assert_eq!(grant.consent, Some(granted.id));
    assert_eq!(grant.study, Some(study));

    // The receipt reads back with both signatures checked.
    let shown = ada.consent(granted.id, &log_key).await.unwrap();
    assert_eq!(shown.receipt, granted.receipt);
    let list = ada.consents(&ConsentQuery::default()).await.unwrap();
    assert_eq!(list.consents.len(), 1);

    // A receipt signed, then changed: refused; a copy of a record outside the consent.
    let keys = ada.member_keys().await.unwrap();
    let mut r = ConsentReceipt {
        consent: uuid::Uuid::now_v7(),
        pseudonym: uuid::Uuid::new_v4(),
        ..granted.receipt.clone()
    };
    let sig = datacoop_crypto::sign(&keys.signing, CONSENT_RECEIPT, &r.message());
    r.categories = vec!["health.sleep".into()];
    let forged = ConsentRequest {
        receipt: r,
        member_signature: sig.to_bytes().to_vec().into(),
        sealed_share_key: Base64Url([vec![0xDC, 0x40, 0x01], vec![0; 80]].concat()),
        member_share_key: None,
    };
    let res = ada
        .client
        .request(reqwest::Method::POST, datacoop_api::paths::CONSENTS)
        .json(&forged)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("not signed by your key"), "{body}");
    let lab = ada
        .list_all(
            &datacoop_api::records::RecordQuery {
                category: Some("health.lab".into()),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    let bad = StudyCopies {
        copies: vec![StudyCopyUpload {
            id: uuid::Uuid::new_v4(),
            source: lab[0].id,
            source_version: lab[0].version,
            category: "health.lab".into(),
            type_code: "x".into(),
            effective: None,
            content_type: "application/json".into(),
            ciphertext: Base64Url(vec![1; 40]),
            wrapped_key: Base64Url(vec![1; 40]),
        }],
    };
    let res = ada
        .client
        .request(
            reqwest::Method::POST,
            &datacoop_api::paths::consent_copies(granted.id),
        )
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);

    // Ben withdraws: his copies are gone at once; his pseudonym is remembered as
    // withdrawn; the log records it; withdrawing again changes nothing.
    let w = ben.withdraw_consent(ben_c.id).await.unwrap();
    assert_eq!((w.state, w.copies), (ConsentState::Withdrawn, 0));
    ben.withdraw_consent(ben_c.id).await.unwrap();
    let pseudonym = ben_c.receipt.pseudonym.to_string();
    let tomb: i64 = srv
        .app
        .db()
        .read(move |c| {
            consent_withdrawals::table
                .filter(consent_withdrawals::pseudonym.eq(pseudonym))
                .count()
                .get_result(c)
                .map_err(datacoop_store::StoreError::Query)
        })
        .await
        .unwrap();
    assert_eq!(tomb, 1);
    let entries = datacoop_client::log::all_entries(&ben, Default::default())
        .await
        .unwrap();
    assert!(entries
        .iter()
        .filter_map(|e| e.entry.as_ref())
        .any(|e| e.action == Action::ConsentWithdrawn && e.consent == Some(ben_c.id)));
    let res = ben
        .client
        .request(
            reqwest::Method::POST,
            &datacoop_api::paths::consent_activation(ben_c.id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);

    // Only the member's own token consents: not a device's, not a researcher's.
    let (_, creds) = ada.add_device("wearable bridge", None).await.unwrap();
    for token in [
        creds.token.as_str(),
        a.researcher.session.access_token.as_str(),
    ] {
        let res = reqwest::Client::new()
            .post(format!(
                "{}{}",
                srv.base_url(),
                datacoop_api::paths::CONSENTS
            ))
            .bearer_auth(token)
            .json(&forged)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    }
    // Nor does anyone read another member's consent.
    let e = ben.consent(granted.id, &log_key).await.unwrap_err();
    assert_eq!(code(&e).0, 404);

    // A hostile server that changes the receipt it shows is caught.
    let proxy = TamperProxy::start(srv.base_url()).await;
    let via = datacoop_client::member::login(&proxy.client(), "ada@example.org", PASS, None)
        .await
        .unwrap();
    proxy.rewrite_json("/api/v1/consents/", |_, v| {
        v["receipt"]["categories"] = serde_json::json!(["health.vital-signs"]);
    });
    let e = via.consent(granted.id, &log_key).await.unwrap_err();
    assert!(e.to_string().contains("not the one you signed"), "{e}");
    proxy.clear();

    // The researcher closes the study: Ada's consent has expired and takes no data.
    a.researcher.close_study(study).await.unwrap();
    let expired = ada.consent(granted.id, &log_key).await.unwrap();
    assert_eq!(expired.state, ConsentState::Expired);
    let res = ada
        .client
        .request(
            reqwest::Method::POST,
            &datacoop_api::paths::consent_copies(granted.id),
        )
        .json(&StudyCopies { copies: vec![] })
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let _ = a.steward;
    let _ = a.voter;
}
