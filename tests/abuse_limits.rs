//! What stands between the open internet and the server's slow passphrase
//! hash, through the real server on SQLite and PostgreSQL: failed attempts
//! are counted before the hash runs (a burst cannot pass), the wait grows
//! and a success clears it, a stranger cannot hold a member's email for
//! long, registrations are limited per address and a taken email costs no
//! hash, a full set of hashing permits answers 503 (never 500), and
//! forwarding headers count only from a trusted proxy.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod account_common;

use account_common::PASS;
use datacoop_client::{member, Client};
use datacoop_crypto::derive_passphrase_keys;
use datacoop_testkit::{backend_tests, Backend, TestServer};
use futures_util::future::join_all;
use reqwest::{Method, Response};
use std::time::Duration;

backend_tests!(
    a_burst_of_wrong_logins_cannot_pass_the_free_failures,
    the_wait_grows_and_a_success_clears_it,
    a_stranger_cannot_hold_a_members_email_for_long,
    registrations_are_limited_per_address,
    a_taken_email_costs_no_hash,
    one_hashing_permit_answers_busy_never_500,
    forwarded_for_counts_only_from_a_trusted_proxy,
);

/// An authentication key that matches nobody.
fn wrong_key() -> String {
    datacoop_api::b64::encode(&[0u8; 32])
}

/// The member's real authentication key, derived here as the client does.
async fn right_key(c: &Client, email: &str) -> String {
    let params = member::prelogin(c, email).await.unwrap();
    let (auth, _) = derive_passphrase_keys(PASS, email, &params).unwrap();
    datacoop_api::b64::encode(auth.as_bytes())
}

async fn login(c: &Client, email: &str, auth_key: &str, forwarded_for: Option<&str>) -> Response {
    let mut req = c
        .request(Method::POST, "/api/v1/auth/login")
        .json(&serde_json::json!({ "email": email, "auth_key": auth_key }));
    if let Some(xff) = forwarded_for {
        req = req.header("X-Forwarded-For", xff);
    }
    req.send().await.unwrap()
}

/// The status and, for a 429 or 503, the `Retry-After` seconds.
fn outcome(res: &Response) -> (u16, Option<u64>) {
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
    (res.status().as_u16(), retry)
}

/// Waits out a `Retry-After` (the wait is what is tested, not a timer).
async fn wait(secs: u64) {
    tokio::time::sleep(Duration::from_secs(secs) + Duration::from_millis(50)).await;
}

async fn metric(c: &Client, name: &str) -> u64 {
    let text = c
        .request(Method::GET, "/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{name} not in /metrics:\n{text}"))
}

async fn a_burst_of_wrong_logins_cannot_pass_the_free_failures(backend: Backend) {
    let Some(srv) = TestServer::start_with(backend, |c| {
        // Long enough that no straggler of the burst sees the wait end.
        c.auth.failure_delay_secs = 600;
        c.auth.hash_wait_ms = 120_000;
    })
    .await
    else {
        return;
    };
    let c = srv.client();
    member::register(&c, "bu@example.org", PASS).await.unwrap();
    let key = wrong_key();
    let burst = (0..20).map(|_| login(&c, "bu@example.org", &key, None));
    let answers: Vec<_> = join_all(burst).await.iter().map(outcome).collect();
    let failed = answers.iter().filter(|(s, _)| *s == 401).count();
    let limited = answers
        .iter()
        .filter(|(s, retry)| *s == 429 && retry.is_some_and(|r| r >= 1))
        .count();
    assert_eq!((failed, limited), (5, 15), "{answers:?}");
    // The real passphrase waits too: the account is what is protected.
    let err = member::login(&c, "bu@example.org", PASS, None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(429));
}

async fn the_wait_grows_and_a_success_clears_it(backend: Backend) {
    let Some(srv) = TestServer::start_with(backend, |c| c.auth.free_failures = 2).await else {
        return;
    };
    let c = srv.client();
    member::register(&c, "gr@example.org", PASS).await.unwrap();
    let key = wrong_key();
    for _ in 0..2 {
        assert_eq!(
            outcome(&login(&c, "gr@example.org", &key, None).await).0,
            401
        );
    }
    // Each failure past the free ones doubles the wait (1 s, 2 s, 4 s).
    let mut waits = Vec::new();
    for round in 0..3 {
        let (status, retry) = outcome(&login(&c, "gr@example.org", &key, None).await);
        assert_eq!(status, 429);
        let retry = retry.unwrap();
        waits.push(retry);
        wait(retry).await;
        if round < 2 {
            assert_eq!(
                outcome(&login(&c, "gr@example.org", &key, None).await).0,
                401
            );
        }
    }
    assert!(waits.windows(2).all(|w| w[1] > w[0]), "{waits:?}");

    // The member gets in, and the count starts again from nothing.
    member::login(&c, "gr@example.org", PASS, None)
        .await
        .unwrap();
    for _ in 0..2 {
        assert_eq!(
            outcome(&login(&c, "gr@example.org", &key, None).await).0,
            401
        );
    }
    assert_eq!(
        outcome(&login(&c, "gr@example.org", &key, None).await),
        (429, Some(1))
    );
}

async fn a_stranger_cannot_hold_a_members_email_for_long(backend: Backend) {
    let Some(srv) = TestServer::start_with(backend, |c| {
        c.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        c.auth.free_failures = 2;
        c.auth.max_failure_delay_secs = 2;
    })
    .await
    else {
        return;
    };
    let c = srv.client();
    member::register(&c, "ma@example.org", PASS).await.unwrap();
    let right = right_key(&c, "ma@example.org").await;
    let stranger = Some("203.0.113.7");
    let key = wrong_key();
    // The stranger guesses whenever allowed and hammers in between; the
    // hammering counts nothing and no wait passes the cap.
    let mut guesses = 0;
    for _ in 0..40 {
        let (status, retry) = outcome(&login(&c, "ma@example.org", &key, stranger).await);
        match status {
            401 => guesses += 1,
            429 => {
                let retry = retry.unwrap();
                assert!(retry <= 2, "{retry}");
                if guesses >= 5 {
                    break;
                }
                for _ in 0..3 {
                    let again = outcome(&login(&c, "ma@example.org", &key, stranger).await);
                    assert!(again.0 == 429 && again.1 <= Some(retry), "{again:?}");
                }
                wait(retry).await;
            }
            other => panic!("{other}"),
        }
    }
    assert_eq!(guesses, 5);
    // The member, from elsewhere, waits at most the cap and gets in.
    let member = Some("198.51.100.2");
    let (status, retry) = outcome(&login(&c, "ma@example.org", &right, member).await);
    assert_eq!(status, 429);
    wait(retry.unwrap()).await;
    let res = login(&c, "ma@example.org", &right, member).await;
    assert_eq!(res.status(), 200);
}

async fn registrations_are_limited_per_address(backend: Backend) {
    let Some(srv) = TestServer::start_with(backend, |c| c.auth.registrations_per_minute = 2).await
    else {
        return;
    };
    let c = srv.client();
    member::register(&c, "r1@example.org", PASS).await.unwrap();
    member::register(&c, "r2@example.org", PASS).await.unwrap();
    let err = member::register(&c, "r3@example.org", PASS)
        .await
        .unwrap_err();
    let problem = err.problem().unwrap();
    assert_eq!(
        (problem.status, problem.code.as_str()),
        (429, "too_many_requests")
    );
    assert!(
        problem.detail.contains("new accounts"),
        "{}",
        problem.detail
    );
    // Nothing was created, and nothing was hashed for it.
    assert_eq!(metric(&c, "datacoop_password_hashes_total").await, 2);
    let err = member::login(&c, "r3@example.org", PASS, None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
}

async fn a_taken_email_costs_no_hash(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let c = srv.client();
    member::register(&c, "ta@example.org", PASS).await.unwrap();
    let before = metric(&c, "datacoop_password_hashes_total").await;
    assert_eq!(before, 1);
    for email in ["ta@example.org", " TA@example.org "] {
        let err = member::register(&c, email, "another passphrase")
            .await
            .unwrap_err();
        assert_eq!(err.problem().unwrap().code, "account_exists");
    }
    assert_eq!(metric(&c, "datacoop_password_hashes_total").await, before);
}

async fn one_hashing_permit_answers_busy_never_500(backend: Backend) {
    let Some(srv) = TestServer::start_with(backend, |c| {
        c.auth.max_concurrent_hashes = 1;
        c.auth.hash_wait_ms = 1;
    })
    .await
    else {
        return;
    };
    let c = srv.client();
    member::register(&c, "pe@example.org", PASS).await.unwrap();
    let key = wrong_key();
    let emails: Vec<String> = (0..24).map(|i| format!("nobody{i}@example.org")).collect();
    let answers = join_all(emails.iter().map(|e| login(&c, e, &key, None))).await;
    let mut busy = 0;
    for res in answers {
        match outcome(&res) {
            (401, _) => {}
            (503, Some(retry)) => {
                assert!(retry >= 1);
                busy += 1;
                let problem: serde_json::Value = res.json().await.unwrap();
                assert_eq!(problem["code"], "server_busy");
                let detail = problem["detail"].as_str().unwrap();
                assert!(detail.contains("busy checking passphrases"), "{detail}");
            }
            other => panic!("every answer is 401 or 503 with Retry-After: {other:?}"),
        }
    }
    assert_eq!(
        metric(&c, "datacoop_password_hashes_refused_total").await,
        busy
    );
    // Busy answers count nothing against anyone, and the permit came back.
    member::login(&c, "pe@example.org", PASS, None)
        .await
        .unwrap();
}

async fn forwarded_for_counts_only_from_a_trusted_proxy(backend: Backend) {
    let limits = |c: &mut datacoop_server::Config| {
        c.auth.free_failures_per_address = 3;
        c.auth.failure_delay_secs = 600;
    };
    let key = wrong_key();

    // Untrusted peer: the header is ignored, every request is 127.0.0.1.
    let Some(direct) = TestServer::start_with(backend, limits).await else {
        return;
    };
    let c = direct.client();
    let mut statuses = Vec::new();
    for i in 0..5 {
        let xff = format!("203.0.113.{i}");
        let res = login(&c, &format!("d{i}@example.org"), &key, Some(&xff)).await;
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    drop(direct);

    // Behind a trusted proxy (127.0.0.1): each forwarded client has its own bucket.
    let Some(proxied) = TestServer::start_with(backend, |c| {
        limits(c);
        c.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await
    else {
        return;
    };
    let c = proxied.client();
    for i in 0..5 {
        let xff = format!("203.0.113.{i}");
        let res = login(&c, &format!("p{i}@example.org"), &key, Some(&xff)).await;
        assert_eq!(res.status(), 401, "{xff}");
    }
    for i in 0..3 {
        let res = login(&c, &format!("q{i}@example.org"), &key, Some("198.51.100.9")).await;
        assert_eq!(res.status(), 401);
    }
    // Limited; a forged entry to the left of what the proxy appended changes nothing.
    for xff in ["198.51.100.9", "192.0.2.55, 198.51.100.9"] {
        let res = login(&c, "q9@example.org", &key, Some(xff)).await;
        assert_eq!(outcome(&res).0, 429, "{xff}");
    }
    let res = login(&c, "q9@example.org", &key, Some("198.51.100.10")).await;
    assert_eq!(res.status(), 401);
}
