//! The limiter's rules, on a clock the tests move by hand.

use super::*;
use std::sync::{Arc, Barrier};

const SECOND: Duration = Duration::from_secs(1);

fn fail(l: &LoginLimiter, account: &str, address: &str, now: Instant) {
    l.attempt_at(account, address, now)
        .unwrap()
        .settle_at(Outcome::Failed, now);
}

#[test]
fn free_failures_then_a_doubling_capped_wait() {
    let l = LoginLimiter::default();
    let t = Instant::now();
    for _ in 0..Policy::ACCOUNT.free {
        fail(&l, "x@y", "1.2.3.4", t);
    }
    // The fifth failure starts the wait: 1 s, then 2, 4, … up to a minute.
    assert_eq!(l.check_at("x@y", "9.9.9.9", t).unwrap_err(), 1);
    let mut now = t;
    let mut waits = Vec::new();
    for _ in 0..10 {
        let wait = l.attempt_at("x@y", "1.2.3.4", now).map(|_| ()).unwrap_err();
        waits.push(wait);
        // Refused attempts count nothing: the wait is the same however often one asks.
        assert_eq!(l.check_at("x@y", "1.2.3.4", now).unwrap_err(), wait);
        now += Duration::from_secs(wait);
        fail(&l, "x@y", "1.2.3.4", now);
    }
    assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]);
}

#[test]
fn a_success_clears_the_account_but_not_the_address() {
    let policy = Policy {
        free: 2,
        ..Policy::ACCOUNT
    };
    let l = LoginLimiter::new(policy, policy);
    let t = Instant::now();
    fail(&l, "a@y", "1.2.3.4", t);
    fail(&l, "b@y", "1.2.3.4", t);
    assert!(l.check_at("a@y", "5.6.7.8", t).is_ok(), "a has one failure");
    assert!(
        l.check_at("c@y", "1.2.3.4", t).is_err(),
        "the address has two"
    );
    let now = t + SECOND;
    l.attempt_at("a@y", "5.6.7.8", now)
        .unwrap()
        .settle_at(Outcome::Succeeded, now);
    fail(&l, "a@y", "5.6.7.8", now);
    assert!(
        l.check_at("a@y", "5.6.7.8", now).is_ok(),
        "cleared, then one"
    );
    assert!(
        l.check_at("c@y", "1.2.3.4", now).is_ok(),
        "the wait is over"
    );
    fail(&l, "c@y", "1.2.3.4", now);
    assert_eq!(l.check_at("d@y", "1.2.3.4", now).unwrap_err(), 2);
}

#[test]
fn attempts_in_flight_count_so_a_burst_cannot_pass_the_check() {
    let l = LoginLimiter::default();
    let t = Instant::now();
    let mut flying: Vec<_> = (0..Policy::ACCOUNT.free)
        .map(|_| l.attempt_at("x@y", "1.2.3.4", t).unwrap())
        .collect();
    assert!(l.attempt_at("x@y", "5.6.7.8", t).is_err());
    for a in &mut flying {
        a.settle_at(Outcome::Failed, t);
    }
    assert_eq!(l.check_at("x@y", "5.6.7.8", t).unwrap_err(), 1);
    // Past the free ones, one attempt at a time once the wait is over.
    let later = t + SECOND;
    let mut one = l.attempt_at("x@y", "1.2.3.4", later).unwrap();
    assert!(l.attempt_at("x@y", "5.6.7.8", later).is_err());
    one.settle_at(Outcome::Succeeded, later);
    assert!(l.attempt_at("x@y", "5.6.7.8", later).is_ok());
}

#[test]
fn parallel_threads_get_exactly_the_free_attempts() {
    let l = Arc::new(LoginLimiter::default());
    let threads = 32;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let (l, barrier) = (l.clone(), barrier.clone());
            std::thread::spawn(move || {
                let attempt = l.attempt("x@y", &format!("10.0.0.{i}"));
                // Every thread has asked before any outcome is known.
                barrier.wait();
                match attempt {
                    Ok(mut a) => {
                        a.failed();
                        true
                    }
                    Err(_) => false,
                }
            })
        })
        .collect();
    let passed = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|p| *p)
        .count();
    assert_eq!(passed as u32, Policy::ACCOUNT.free);
}

#[test]
fn a_dropped_attempt_fails_and_an_abandoned_one_counts_nothing() {
    let policy = Policy {
        free: 1,
        ..Policy::ACCOUNT
    };
    let l = LoginLimiter::new(policy, Policy::ADDRESS);
    let t = Instant::now();
    l.attempt_at("x@y", "1.2.3.4", t)
        .unwrap()
        .settle_at(Outcome::Abandoned, t);
    assert!(l.check_at("x@y", "1.2.3.4", t).is_ok());
    drop(l.attempt_at("x@y", "1.2.3.4", t).unwrap());
    assert!(l.check("x@y", "1.2.3.4").is_err());
}

#[test]
fn failures_are_forgotten_after_a_quiet_while() {
    let l = LoginLimiter::default();
    let t = Instant::now();
    for _ in 0..Policy::ACCOUNT.free {
        fail(&l, "x@y", "1.2.3.4", t);
    }
    let quiet = t + SECOND + FORGET_AFTER;
    for _ in 0..Policy::ACCOUNT.free {
        fail(&l, "x@y", "1.2.3.4", quiet);
    }
    assert_eq!(l.check_at("x@y", "1.2.3.4", quiet).unwrap_err(), 1);
}

#[test]
fn ipv6_addresses_share_their_64() {
    assert_eq!(address_bucket("2001:db8:1:2::5"), "2001:db8:1:2::/64");
    assert_eq!(
        address_bucket("2001:db8:1:2:ffff::1"),
        address_bucket("2001:db8:1:2::5")
    );
    assert_ne!(
        address_bucket("2001:db8:1:3::5"),
        address_bucket("2001:db8:1:2::5")
    );
    assert_eq!(address_bucket("::ffff:192.0.2.1"), "192.0.2.1");
    assert_eq!(address_bucket("192.0.2.1"), "192.0.2.1");
}

#[test]
fn rates_allow_a_burst_then_one_per_interval() {
    let r = RateLimiter::per_minute(3);
    for _ in 0..3 {
        r.take("192.0.2.1").unwrap();
    }
    let wait = r.take("192.0.2.1").unwrap_err();
    assert!((1..=20).contains(&wait), "{wait}");
    // A refused request uses nothing up; other addresses have their own.
    assert!(r.take("192.0.2.1").is_err());
    r.take("192.0.2.2").unwrap();
    let off = RateLimiter::per_minute(0);
    for _ in 0..1000 {
        off.take("192.0.2.1").unwrap();
    }
}
