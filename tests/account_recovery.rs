//! Recovery with the recovery code through the real server and the real
//! client, on SQLite and PostgreSQL: the happy path, and every proof the
//! server must refuse (replayed, forged, altered, unknown email, rate limit).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod account_common;

use account_common::{member_with_record, only_record, NEW, PASS};
use datacoop_api::accounts::{
    LoginMaterialReplaced, RecoveryComplete, RecoveryStart, RecoveryStartRequest,
};
use datacoop_client::{account, member, Client};
use datacoop_crypto::{
    derive_passphrase_keys, open_vault_key_with_recovery, seal_vault_key,
    seal_vault_key_for_recovery, KdfParams, MemberKeys, RecoveryKey, RecoveryRequest, SigningKey,
};
use datacoop_testkit::{backend_tests, Backend, TestServer};
use diesel::RunQueryDsl;
use reqwest::Method;

backend_tests!(
    recovery_sets_a_new_passphrase_and_revokes_every_session,
    recovery_refuses_replayed_forged_and_altered_proofs,
    the_vault_key_alone_does_not_recover,
    a_new_recovery_code_replaces_the_old,
    an_account_from_0_1_recovers_once_with_its_member_key,
    recovery_start_for_unknown_emails_is_a_stable_decoy,
    recovery_is_rate_limited,
);

async fn recovery_sets_a_new_passphrase_and_revokes_every_session(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let (code, mut s) = member_with_record(&c, "bo@example.org", "catch: 12 kg cod").await;
    let (other_code, _) = member_with_record(&c, "cy@example.org", "other").await;

    // Another account's code does not open this account: refused on the client.
    let err = account::recover(&c, "bo@example.org", &other_code, NEW)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("recovery code"), "{err}");
    let typo = account::recover(&c, "bo@example.org", "ABCD-EFGH", NEW)
        .await
        .unwrap_err();
    assert!(typo.to_string().contains("recovery code"), "{typo}");

    let done = account::recover(&c, "BO@example.org ", &code, NEW)
        .await
        .unwrap();
    assert_eq!(done.replaced.member_id, s.member_id);
    assert_eq!(done.replaced.sessions_revoked, 1);
    assert!(!format!("{done:?}").contains(&done.recovery_code));
    assert_eq!(s.refresh().await.unwrap_err().status(), Some(401));
    assert!(member::login(&c, "bo@example.org", PASS, None)
        .await
        .is_err());
    let back = member::login(&c, "bo@example.org", NEW, None)
        .await
        .unwrap();
    assert_eq!(back.vault_key, s.vault_key);
    assert_eq!(only_record(&back).await, b"catch: 12 kg cod");

    // The used code no longer works; the new one does, for a later loss.
    let err = account::recover(&c, "bo@example.org", &code, PASS)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("recovery code"), "{err}");
    account::recover(&c, "bo@example.org", &done.recovery_code, PASS)
        .await
        .unwrap();
    member::login(&c, "bo@example.org", PASS, None)
        .await
        .unwrap();
}

async fn start(c: &Client, email: &str) -> RecoveryStart {
    datacoop_client::json(
        c.request(Method::POST, "/api/v1/auth/recovery/start")
            .json(&RecoveryStartRequest {
                email: email.into(),
            })
            .send()
            .await,
    )
    .await
    .unwrap()
}

/// A complete request for `start`, with a new recovery code, signed with `signer`.
fn proof(
    email: &str,
    start: &RecoveryStart,
    vault_code: &str,
    signer: &SigningKey,
) -> RecoveryComplete {
    let rk = RecoveryKey::from_code(vault_code).unwrap();
    let vault =
        open_vault_key_with_recovery(&start.recovery_vault_key, &rk, &start.member_id).unwrap();
    let params = KdfParams::generate().unwrap();
    let (auth, kek) =
        derive_passphrase_keys(NEW, email.trim().to_lowercase().as_str(), &params).unwrap();
    let sealed = seal_vault_key(&vault, &kek, &start.member_id).unwrap();
    let kdf_params = params.to_envelope();
    let next = RecoveryKey::generate().unwrap();
    let next_sealed = seal_vault_key_for_recovery(&vault, &next, &start.member_id).unwrap();
    let next_public = next.verifying_key().unwrap().as_bytes().to_vec();
    let signature = RecoveryRequest {
        member_id: &start.member_id,
        challenge: &start.challenge,
        kdf_params: &kdf_params,
        auth_key: auth.as_bytes(),
        sealed_vault_key: &sealed,
        new_recovery_vault_key: &next_sealed,
        new_recovery_public_key: &next_public,
    }
    .sign(signer);
    RecoveryComplete {
        email: email.into(),
        challenge: start.challenge.clone(),
        kdf_params: kdf_params.into(),
        auth_key: auth.as_bytes().to_vec().into(),
        sealed_vault_key: sealed.into(),
        new_recovery_vault_key: next_sealed.into(),
        new_recovery_public_key: next_public.into(),
        signature: signature.to_bytes().to_vec().into(),
    }
}

fn signer(code: &str) -> SigningKey {
    RecoveryKey::from_code(code).unwrap().signing_key().unwrap()
}

fn stranger() -> SigningKey {
    SigningKey::generate().unwrap()
}

async fn complete(c: &Client, body: &RecoveryComplete) -> Result<LoginMaterialReplaced, u16> {
    datacoop_client::json(
        c.request(Method::POST, "/api/v1/auth/recovery/complete")
            .json(body)
            .send()
            .await,
    )
    .await
    .map_err(|e| {
        let p = e.problem().unwrap();
        if p.status == 401 {
            assert_eq!(p.code, "recovery_failed");
        }
        p.status
    })
}

async fn recovery_refuses_replayed_forged_and_altered_proofs(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let email = "di@example.org";
    let (code, s) = member_with_record(&c, email, "x").await;
    let st = start(&c, email).await;
    assert!(!st.legacy_proof);
    let keys = signer(&code);

    // Signed by someone else's key (what a server-side thief could make): refused.
    assert_eq!(
        complete(&c, &proof(email, &st, &code, &stranger()))
            .await
            .unwrap_err(),
        401
    );
    // A valid signature over other material: refused.
    let mut altered = proof(email, &st, &code, &keys);
    altered.auth_key[0] ^= 1;
    assert_eq!(complete(&c, &altered).await.unwrap_err(), 401);
    // A forged challenge: refused.
    let mut forged = st.clone();
    forged.challenge[20] ^= 1;
    assert_eq!(
        complete(&c, &proof(email, &forged, &code, &keys))
            .await
            .unwrap_err(),
        401
    );
    // Another account's email with this proof: refused.
    member::register(&c, "el@example.org", PASS).await.unwrap();
    let mut elsewhere = proof(email, &st, &code, &keys);
    elsewhere.email = "el@example.org".into();
    assert_eq!(complete(&c, &elsewhere).await.unwrap_err(), 401);

    // The genuine proof works once; replaying it is refused (the challenge is spent).
    let genuine = proof(email, &st, &code, &keys);
    assert_eq!(complete(&c, &genuine).await.unwrap().member_id, s.member_id);
    assert_eq!(complete(&c, &genuine).await.unwrap_err(), 401);
    member::login(&c, email, NEW, None).await.unwrap();
}

/// Whoever read the vault key once (a stolen session file) can open the member's own
/// signing key, but that no longer recovers the account: the proof must come from the code.
async fn the_vault_key_alone_does_not_recover(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let email = "thief@example.org";
    let (code, s) = member_with_record(&c, email, "x").await;
    let st = start(&c, email).await;
    let member_keys =
        MemberKeys::open(&st.sealed_member_keys, &s.vault_key, &st.member_id).unwrap();
    assert_eq!(
        complete(&c, &proof(email, &st, &code, &member_keys.signing))
            .await
            .unwrap_err(),
        401
    );
    member::login(&c, email, PASS, None).await.unwrap();
}

async fn a_new_recovery_code_replaces_the_old(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let email = "re@example.org";
    let (old, s) = member_with_record(&c, email, "x").await;
    let err = s.new_recovery_code(email, NEW).await.unwrap_err();
    assert_eq!(err.status(), Some(403), "the current passphrase is needed");
    let new = s.new_recovery_code(email, PASS).await.unwrap();
    assert_ne!(new, old);
    let err = account::recover(&c, email, &old, NEW).await.unwrap_err();
    assert!(err.to_string().contains("recovery code"), "{err}");
    account::recover(&c, email, &new, NEW).await.unwrap();
    let back = member::login(&c, email, NEW, None).await.unwrap();
    assert_eq!(only_record(&back).await, b"x");
}

/// An account registered before datacoop 0.2 has no recovery public key: its first
/// recovery is signed by the member's key (opened with the code) and registers one.
async fn an_account_from_0_1_recovers_once_with_its_member_key(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let email = "old@example.org";
    let (code, _) = member_with_record(&c, email, "from 0.1").await;
    srv.app
        .db()
        .write(|conn| -> Result<usize, datacoop_store::StoreError> {
            Ok(diesel::sql_query("UPDATE members SET recovery_public_key = NULL").execute(conn)?)
        })
        .await
        .unwrap();
    assert!(start(&c, email).await.legacy_proof);
    let done = account::recover(&c, email, &code, NEW).await.unwrap();
    assert!(
        !start(&c, email).await.legacy_proof,
        "a recovery key is registered"
    );
    let err = account::recover(&c, email, &code, PASS).await.unwrap_err();
    assert!(err.to_string().contains("recovery code"), "{err}");
    account::recover(&c, email, &done.recovery_code, PASS)
        .await
        .unwrap();
    let back = member::login(&c, email, PASS, None).await.unwrap();
    assert_eq!(only_record(&back).await, b"from 0.1");
}

async fn recovery_start_for_unknown_emails_is_a_stable_decoy(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let (code, _) = member_with_record(&c, "fa@example.org", "x").await;
    let real = start(&c, "fa@example.org").await;
    let d1 = start(&c, "ghost@example.org").await;
    let d2 = start(&c, "Ghost@Example.org").await;
    assert_eq!(d1.member_id, d2.member_id);
    assert_eq!(d1.member_id.get_version_num(), 7);
    assert_eq!(d1.recovery_vault_key, d2.recovery_vault_key);
    assert_eq!(d1.sealed_member_keys, d2.sealed_member_keys);
    assert_ne!(d1.challenge, d2.challenge);
    for (r, d) in [
        (&real.recovery_vault_key, &d1.recovery_vault_key),
        (&real.sealed_member_keys, &d1.sealed_member_keys),
        (&real.challenge, &d1.challenge),
    ] {
        assert_eq!((r.len(), &r[..3]), (d.len(), &d[..3]));
    }
    assert_ne!(
        start(&c, "other-ghost@example.org").await.member_id,
        d1.member_id
    );

    // The real code does not open a decoy, so the client stops before completing.
    let err = account::recover(&c, "ghost@example.org", &code, NEW)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("recovery code"), "{err}");
    // Completing for an unknown email looks like any other failed proof.
    let mut body = proof("fa@example.org", &real, &code, &stranger());
    body.email = "ghost@example.org".into();
    body.challenge = d1.challenge.clone();
    assert_eq!(complete(&c, &body).await.unwrap_err(), 401);
}

async fn recovery_is_rate_limited(backend: Backend) {
    // A first wait long enough that the genuine attempt below still falls in it.
    let Some(srv) = TestServer::start_with(backend, |c| c.auth.failure_delay_secs = 600).await
    else {
        return;
    };
    let c = srv.client();
    let (code, _) = member_with_record(&c, "go@example.org", "x").await;
    // The free failed proofs (auth.free_failures, 5), then both steps answer
    // 429 with Retry-After.
    for _ in 0..5 {
        let st = start(&c, "go@example.org").await;
        let failed = complete(&c, &proof("go@example.org", &st, &code, &stranger())).await;
        assert_eq!(failed.unwrap_err(), 401);
    }
    let res = c
        .request(Method::POST, "/api/v1/auth/recovery/start")
        .json(&serde_json::json!({"email": "go@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    // Even the genuine code must wait; other accounts are not affected.
    let err = account::recover(&c, "go@example.org", &code, NEW)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(429));
    let (other_code, _) = member_with_record(&c, "gu@example.org", "x").await;
    account::recover(&c, "gu@example.org", &other_code, NEW)
        .await
        .unwrap();
}
