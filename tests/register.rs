//! The register over time through the front door (§30): share changes with their
//! effective dates, a leaving computed from the day notice was given (§65(2)), and a
//! former member's personal data removed once the retention period has run out, while
//! the entry and the governance log stay whole; a member changes where their notices
//! go. The real server with a set clock, the
//! real client, SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_client::gov::{self, GovState};
use datacoop_governance_core::wire::{LeavingRequest, RegisterRequest};
use datacoop_testkit::{backend_tests, Backend};
use std::time::Duration;

mod gov_common;
use gov_common::{account, at, code, server, DAY, STEWARD};

backend_tests!(shares_leaving_and_retention_in_the_register,);

async fn shares_leaving_and_retention_in_the_register(backend: Backend) {
    let t0 = datacoop_api::time::parse_micros("2027-03-01T09:00:00Z").unwrap() as u64;
    let Some(srv) = server(backend, t0).await else {
        return;
    };
    let clock = srv.app.clock().clone();
    let steward = account(&srv, STEWARD).await;
    let mut ids = Vec::new();
    for (name, email) in [("Ada", "ada@example.org"), ("Ben", "ben@example.org")] {
        let r = steward
            .gov_register(&RegisterRequest {
                name: name.into(),
                contact: format!("{name}gasse 1, 1010 Wien"),
                email: Some(email.into()),
                joined_at: Some(at(t0 - 400 * DAY)),
                shares: 2,
                votes: None,
            })
            .await
            .unwrap();
        let s = account(&srv, email).await;
        s.gov_join(&r.invitation).await.unwrap();
        ids.push((s, r.entry.member));
    }
    let (ada, ben) = (ids[0].1, ids[1].1);

    // Ada moves her notices to another address, refuses a malformed one, then stops them.
    let e = ids[0]
        .0
        .gov_set_email(Some("ada@fischerei.example"))
        .await
        .unwrap();
    assert_eq!(e.email.as_deref(), Some("ada@fischerei.example"));
    let bad = ids[0]
        .0
        .gov_set_email(Some("not an address"))
        .await
        .unwrap_err();
    assert_eq!(code(&bad).0, 422);
    assert_eq!(
        ids[0].0.gov_me().await.unwrap().email.as_deref(),
        Some("ada@fischerei.example")
    );
    let outsider = account(&srv, "outsider@example.org").await;
    let no = outsider
        .gov_set_email(Some("x@example.org"))
        .await
        .unwrap_err();
    assert_eq!(code(&no), (403, "not_in_register".into()));
    assert!(ids[0].0.gov_set_email(None).await.unwrap().email.is_none());

    // Ada subscribes three more shares from ten days on.
    let e = steward
        .gov_shares(ada, 5, &at(t0 + 10 * DAY))
        .await
        .unwrap();
    assert_eq!(e.shares, 2, "not yet in effect");
    assert_eq!(e.share_changes.len(), 1);
    assert_eq!(e.share_changes[0].shares, 5);
    let none = steward.gov_shares(ada, 0, &at(t0)).await.unwrap_err();
    assert_eq!(code(&none).0, 422);
    let early = steward
        .gov_shares(ada, 3, &at(t0 - 500 * DAY))
        .await
        .unwrap_err();
    assert_eq!(code(&early).0, 422);
    let member = ids[1].0.gov_shares(ada, 9, &at(t0)).await.unwrap_err();
    assert_eq!(code(&member), (403, "not_a_steward".into()));
    clock.advance(Duration::from_micros(11 * DAY));
    assert_eq!(ids[0].0.gov_me().await.unwrap().shares, 5);

    // Ben gives notice today: he leaves at the end of the business year.
    let req = |leaves: Option<String>, notice: Option<String>| LeavingRequest {
        leaves_at: leaves,
        notice_given_at: notice,
    };
    let both = steward
        .gov_leaving_with(ben, &req(Some(at(t0)), Some(at(t0))))
        .await
        .unwrap_err();
    assert_eq!(code(&both).0, 422);
    let left = steward
        .gov_leaving_with(ben, &req(None, Some(at(t0 + 11 * DAY))))
        .await
        .unwrap();
    let year_end = datacoop_api::time::parse_micros("2028-01-01T00:00:00Z").unwrap() as u64;
    assert_eq!(left.leaves_at_micros, Some(year_end));
    let csv = steward.gov_register_csv().await.unwrap();
    assert!(csv.contains("5 from 2027-03-11T09:00:00Z"), "{csv}");
    assert!(csv.contains(",5,100.00 EUR,1,"), "{csv}");

    // Three years after the leaving, Ben's personal data goes; his entry stays.
    clock.advance(Duration::from_micros(
        year_end - (t0 + 11 * DAY) + 2 * 365 * DAY,
    ));
    assert_eq!(srv.app.remove_expired_register_data().await.unwrap(), 0);
    clock.advance(Duration::from_micros(366 * DAY));
    assert_eq!(srv.app.remove_expired_register_data().await.unwrap(), 1);
    assert_eq!(srv.app.remove_expired_register_data().await.unwrap(), 0);
    let list = steward.gov_register_list().await.unwrap();
    assert_eq!(list.share_value.as_deref(), Some("100.00 EUR"));
    let b = list.items.iter().find(|e| e.member == ben).unwrap();
    assert!(b.name.is_empty() && b.contact.is_empty() && b.email.is_none());
    assert!(b.personal_removed_at_micros.is_some());
    assert_eq!((b.number, b.shares), (2, 2));
    let a = list.items.iter().find(|e| e.member == ada).unwrap();
    assert_eq!((a.name.as_str(), a.shares), ("Ada", 5));
    let csv = steward.gov_register_csv().await.unwrap();
    assert!(!csv.contains("Bengasse"), "{csv}");

    // The chain holds the share change and verifies, for both.
    for (s, _) in &ids {
        let report = gov::verify(s, GovState::default()).await.unwrap();
        assert!(report.ok(), "{:?}", report.problems);
    }
}
