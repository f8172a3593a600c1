//! The foundation through the front door: the real server on an ephemeral
//! port, driven by the real client, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_api::auth::Role;
use datacoop_testkit::{backend_tests, Backend, TestServer};
use reqwest::Method;

backend_tests!(
    health_readiness_and_metrics,
    errors_are_problem_json,
    tokens_are_checked,
    refresh_rotates_and_detects_reuse,
    parallel_refreshes_of_one_token_rotate_it_once,
    logout_revokes_the_session,
    readiness_follows_the_database,
);

async fn health_readiness_and_metrics(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    assert_eq!(c.healthz().await.unwrap().status, "ok");
    let ready = c.readyz().await.unwrap();
    assert_eq!(ready.database, Some(true));
    let res = c.request(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(text.contains("datacoop_http_requests_total{"), "{text}");
    assert!(text.contains("route=\"/readyz\""), "{text}");
    let doc = c
        .request(Method::GET, "/openapi.json")
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), 200);
}

async fn problem(res: reqwest::Response, status: u16, code: &str) {
    assert_eq!(res.status().as_u16(), status);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert!(body["detail"].as_str().unwrap().len() > 10, "{body}");
}

async fn errors_are_problem_json(backend: Backend) {
    let Some(srv) = TestServer::start_with(backend, |c| c.http.json_limit_bytes = 1024).await
    else {
        return;
    };
    let c = srv.client();
    let refresh = "/api/v1/auth/refresh";
    problem(
        c.request(Method::GET, "/nope").send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
    problem(
        c.request(Method::POST, refresh)
            .body("{\"refresh_token\":\"x\"}")
            .send()
            .await
            .unwrap(),
        415,
        "unsupported_media_type",
    )
    .await;
    problem(
        c.request(Method::POST, refresh)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap(),
        400,
        "bad_request",
    )
    .await;
    problem(
        c.request(Method::POST, refresh)
            .json(&serde_json::json!({"refresh_token": 5}))
            .send()
            .await
            .unwrap(),
        400,
        "bad_request",
    )
    .await;
    let big = serde_json::json!({"refresh_token": "x".repeat(4096)});
    problem(
        c.request(Method::POST, refresh)
            .json(&big)
            .send()
            .await
            .unwrap(),
        413,
        "payload_too_large",
    )
    .await;
}

async fn tokens_are_checked(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let whoami = "/api/v1/auth/whoami";
    problem(
        c.request(Method::GET, whoami).send().await.unwrap(),
        401,
        "missing_token",
    )
    .await;

    let (subject, pair) = srv.session(Role::Member).await;
    let me = c.with_token(&pair.access_token).whoami().await.unwrap();
    assert_eq!((me.subject, me.role), (subject, Role::Member));

    let (expired, _) = srv
        .app
        .tokens()
        .issue_at(
            subject,
            Role::Member,
            me.session,
            datacoop_auth::now_secs() - 7200,
        )
        .unwrap();
    let res = c
        .with_token(expired)
        .request(Method::GET, whoami)
        .send()
        .await
        .unwrap();
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("expired"));
    problem(res, 401, "token_expired").await;

    let mut tampered = pair.access_token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    problem(
        c.with_token(tampered)
            .request(Method::GET, whoami)
            .send()
            .await
            .unwrap(),
        401,
        "invalid_token",
    )
    .await;

    // A token signed by another server's secret.
    let other = datacoop_auth::Tokens::new(
        &datacoop_auth::TokenSecret::generate().unwrap(),
        datacoop_auth::TokenSettings::default(),
    );
    let (foreign, _) = other.issue(subject, Role::Steward, me.session).unwrap();
    problem(
        c.with_token(foreign)
            .request(Method::GET, whoami)
            .send()
            .await
            .unwrap(),
        401,
        "invalid_token",
    )
    .await;
}

async fn refresh_rotates_and_detects_reuse(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let (subject, first) = srv.session(Role::Researcher).await;
    let second = c.refresh(&first.refresh_token).await.unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    let me = c.with_token(&second.access_token).whoami().await.unwrap();
    assert_eq!((me.subject, me.role), (subject, Role::Researcher));

    // Replaying the spent token revokes the whole session…
    let err = c.refresh(&first.refresh_token).await.unwrap_err();
    assert_eq!(err.problem().unwrap().code, "refresh_token_reused");
    // …so the legitimate holder's current token stops working too.
    let err = c.refresh(&second.refresh_token).await.unwrap_err();
    assert_eq!(err.problem().unwrap().code, "invalid_refresh_token");
    let err = c.refresh("never-issued").await.unwrap_err();
    assert_eq!(err.status(), Some(401));
}

/// Two clients racing with one refresh token (a copied token) cannot both
/// get a new pair: at most one wins, and the race counts as reuse.
async fn parallel_refreshes_of_one_token_rotate_it_once(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    for _ in 0..5 {
        let (_, pair) = srv.session(Role::Member).await;
        let tries = (0..16).map(|_| {
            let c = srv.client();
            let token = pair.refresh_token.clone();
            async move { c.refresh(&token).await }
        });
        let results = futures_util::future::join_all(tries).await;
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert!(
            won <= 1,
            "{won} of 16 parallel refreshes of one token succeeded"
        );
        for r in results.iter().filter_map(|r| r.as_ref().err()) {
            let code = r.problem().map(|p| p.code.clone()).unwrap_or_default();
            assert!(
                code == "refresh_token_reused" || code == "invalid_refresh_token",
                "{r:?}"
            );
        }
    }
}

async fn logout_revokes_the_session(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    let (subject, pair) = srv.session(Role::Member).await;
    let (_, other) = srv.session(Role::Member).await;
    c.logout(&pair.refresh_token).await.unwrap();
    c.logout(&pair.refresh_token).await.unwrap(); // twice is harmless
    let err = c.refresh(&pair.refresh_token).await.unwrap_err();
    assert_eq!(err.problem().unwrap().code, "invalid_refresh_token");
    // Another session is unaffected.
    c.refresh(&other.refresh_token).await.unwrap();
    let live = datacoop_auth::sessions::list(srv.app.db(), subject)
        .await
        .unwrap();
    assert!(live.is_empty());
}

async fn readiness_follows_the_database(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    assert!(c.readyz().await.is_ok());
    if backend == Backend::Postgres {
        // Take the database away under the running server.
        srv.db.drop_now();
        let err = c.readyz().await.unwrap_err();
        assert_eq!(err.status(), Some(503));
        // Liveness is not readiness: the process still answers.
        assert!(c.healthz().await.is_ok());
    }
}
