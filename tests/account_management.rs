//! Account management through the real server and the real client, on SQLite
//! and PostgreSQL: passphrase change, sessions and deletion, and what each
//! endpoint must refuse. Recovery is in `account_recovery.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod account_common;

use account_common::{draft, member_with_record, only_record, NEW, PASS};
use datacoop_api::auth::Role;
use datacoop_api::records::RecordQuery;
use datacoop_client::{account, member};
use datacoop_crypto::derive_passphrase_keys;
use datacoop_testkit::{backend_tests, Backend, TestServer};
use reqwest::Method;

backend_tests!(
    passphrase_change_reseals_and_revokes_other_sessions,
    sessions_are_listed_and_revoked_only_by_their_owner,
    deletion_erases_the_account_and_nothing_else,
);

async fn start(c: &datacoop_client::Client, email: &str) -> datacoop_api::accounts::RecoveryStart {
    datacoop_client::json(
        c.request(Method::POST, "/api/v1/auth/recovery/start")
            .json(&serde_json::json!({ "email": email }))
            .send()
            .await,
    )
    .await
    .unwrap()
}

async fn passphrase_change_reseals_and_revokes_other_sessions(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let (_, mut laptop) = member_with_record(&c, "ana@example.org", "pulse 61").await;
    let mut phone = member::login(&c, "ana@example.org", PASS, Some("phone".into()))
        .await
        .unwrap();
    let old_params = member::prelogin(&c, "ana@example.org").await.unwrap();

    let err = laptop
        .change_passphrase("ana@example.org", "not my passphrase", NEW)
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.problem().unwrap().code.as_str()),
        (Some(403), "wrong_passphrase")
    );

    let done = laptop
        .change_passphrase("ana@example.org", PASS, NEW)
        .await
        .unwrap();
    assert_eq!(done.member_id, laptop.member_id);
    assert_eq!(done.sessions_revoked, 1);

    // The other session cannot refresh; this one can, and still reads.
    assert_eq!(phone.refresh().await.unwrap_err().status(), Some(401));
    laptop.refresh().await.unwrap();
    assert_eq!(only_record(&laptop).await, b"pulse 61");

    // The old passphrase is gone, the new one opens the same vault.
    let old = member::login(&c, "ana@example.org", PASS, None)
        .await
        .unwrap_err();
    assert_eq!(old.problem().unwrap().code, "invalid_credentials");
    let again = member::login(&c, "ana@example.org", NEW, None)
        .await
        .unwrap();
    assert_eq!(again.vault_key, laptop.vault_key);
    assert_eq!(only_record(&again).await, b"pulse 61");
    let new_params = member::prelogin(&c, "ana@example.org").await.unwrap();
    assert_ne!(new_params.salt(), old_params.salt());

    // Bad new material is refused before anything changes.
    let (current, _) = derive_passphrase_keys(NEW, "ana@example.org", &new_params).unwrap();
    let res = again
        .client
        .request(Method::PUT, "/api/v1/members/me/passphrase")
        .json(&serde_json::json!({
            "current_auth_key": datacoop_api::b64::encode(current.as_bytes()),
            "kdf_params": "3AEB", "auth_key": "AAAA", "sealed_vault_key": "3BAB",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    member::login(&c, "ana@example.org", NEW, None)
        .await
        .unwrap();

    // Only members may call it.
    let (_, pair) = srv.session(Role::Researcher).await;
    let res = c
        .with_token(&pair.access_token)
        .request(Method::PUT, "/api/v1/members/me/passphrase")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

async fn sessions_are_listed_and_revoked_only_by_their_owner(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    member::register(&c, "ha@example.org", PASS).await.unwrap();
    member::register(&c, "io@example.org", PASS).await.unwrap();
    let laptop = member::login(&c, "ha@example.org", PASS, Some("laptop".into()))
        .await
        .unwrap();
    let mut phone = member::login(&c, "ha@example.org", PASS, Some("phone".into()))
        .await
        .unwrap();
    let other = member::login(&c, "io@example.org", PASS, Some("io".into()))
        .await
        .unwrap();

    let list = laptop.sessions().await.unwrap().sessions;
    assert_eq!(list.len(), 2);
    let current: Vec<_> = list.iter().filter(|s| s.current).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].label.as_deref(), Some("laptop"));
    let phone_entry = list
        .iter()
        .find(|s| s.label.as_deref() == Some("phone"))
        .unwrap();
    assert!(!phone_entry.current);
    assert!(phone_entry.expires_at.ends_with('Z'));
    let phone_id = phone_entry.id;

    let io_id = other.sessions().await.unwrap().sessions[0].id;
    assert_eq!(
        laptop.revoke_session(io_id).await.unwrap_err().status(),
        Some(404)
    );
    assert_eq!(
        laptop
            .revoke_session(uuid::Uuid::now_v7())
            .await
            .unwrap_err()
            .status(),
        Some(404)
    );
    assert_eq!(other.sessions().await.unwrap().sessions.len(), 1);

    laptop.revoke_session(phone_id).await.unwrap();
    let left = laptop.sessions().await.unwrap().sessions;
    assert_eq!(left.len(), 1);
    assert!(left[0].current);
    assert_eq!(phone.refresh().await.unwrap_err().status(), Some(401));

    let (_, pair) = srv.session(Role::Steward).await;
    let res = c
        .with_token(&pair.access_token)
        .request(Method::GET, "/api/v1/auth/sessions")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        c.request(Method::GET, "/api/v1/auth/sessions")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

async fn deletion_erases_the_account_and_nothing_else(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let (code, ju) = member_with_record(&c, "ju@example.org", "ju's data").await;
    ju.upload(
        ju.seal(&[draft("more"), draft("and more")]).unwrap(),
        "second",
    )
    .await
    .unwrap();
    let mut ju_phone = member::login(&c, "ju@example.org", PASS, None)
        .await
        .unwrap();
    let (_, ka) = member_with_record(&c, "ka@example.org", "ka's data").await;
    let before = start(&c, "ju@example.org").await;

    let err = ju
        .delete_account("ju@example.org", "wrong passphrase")
        .await
        .unwrap_err();
    assert_eq!(err.problem().unwrap().code, "wrong_passphrase");
    assert_eq!(
        ju.list(&RecordQuery::default()).await.unwrap().items.len(),
        3
    );

    let done = ju.delete_account("ju@example.org", PASS).await.unwrap();
    assert_eq!(done.member_id, ju.member_id);
    assert_eq!(done.records_deleted, 3);
    assert_eq!(done.sessions_deleted, 2);
    assert!(done.kept.is_empty());

    // Nothing of the account answers any more.
    let login = member::login(&c, "ju@example.org", PASS, None)
        .await
        .unwrap_err();
    assert_eq!(login.problem().unwrap().code, "invalid_credentials");
    assert_eq!(ju_phone.refresh().await.unwrap_err().status(), Some(401));
    let after = start(&c, "ju@example.org").await;
    assert_ne!(
        after.member_id, before.member_id,
        "the sealed keys are gone"
    );
    assert!(account::recover(&c, "ju@example.org", &code, NEW)
        .await
        .is_err());
    assert!(ju
        .list(&RecordQuery::default())
        .await
        .unwrap()
        .items
        .is_empty());
    assert_eq!(
        ju.delete_account("ju@example.org", PASS)
            .await
            .unwrap_err()
            .status(),
        Some(404)
    );
    // A still-valid access token of the deleted account cannot store anything.
    let stale = ju.seal(&[draft("after")]);
    let err = ju.upload(stale.unwrap(), "after-delete").await.unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");

    // The deleted account's id is never given out again (the log still names it).
    let res = c
        .request(Method::POST, "/api/v1/members")
        .json(&registration_for(ju.member_id, "reuse@example.org"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let p: datacoop_api::Problem = res.json().await.unwrap();
    assert_eq!(p.code, "account_id_retired");

    // The other member is untouched; the email can be used again.
    assert_eq!(only_record(&ka).await, b"ka's data");
    member::register(&c, "ju@example.org", PASS).await.unwrap();
    let fresh = member::login(&c, "ju@example.org", PASS, None)
        .await
        .unwrap();
    assert!(fresh
        .list(&RecordQuery::default())
        .await
        .unwrap()
        .items
        .is_empty());
}

/// A well-formed registration for a chosen account id (the client always picks a fresh one).
fn registration_for(id: uuid::Uuid, email: &str) -> datacoop_api::accounts::RegisterRequest {
    use datacoop_crypto::{
        seal_vault_key, seal_vault_key_for_recovery, KdfParams, MemberKeys, RecoveryKey, VaultKey,
    };
    let params = KdfParams::generate().unwrap();
    let (auth, kek) = derive_passphrase_keys(PASS, email, &params).unwrap();
    let vault = VaultKey::generate().unwrap();
    let recovery = RecoveryKey::generate().unwrap();
    let keys = MemberKeys::generate().unwrap();
    datacoop_api::accounts::RegisterRequest {
        member_id: id,
        email: email.into(),
        kdf_params: params.to_envelope().into(),
        auth_key: auth.as_bytes().to_vec().into(),
        sealed_vault_key: seal_vault_key(&vault, &kek, &id).unwrap().into(),
        recovery_vault_key: seal_vault_key_for_recovery(&vault, &recovery, &id)
            .unwrap()
            .into(),
        recovery_public_key: recovery.verifying_key().unwrap().as_bytes().to_vec().into(),
        public_keys: keys.public_keys().to_envelope().into(),
        sealed_member_keys: keys.seal(&vault, &id).unwrap().into(),
    }
}
