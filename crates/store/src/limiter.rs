//! Failed-attempt limiting (login, passphrase confirmation, recovery), per
//! account and per client address, in memory; and request-rate limiting
//! ([`RateLimiter`], registrations).
//!
//! Each key may fail [`Policy::free`] times without waiting; from then on each
//! failure sets a wait before the next attempt, doubling from
//! [`Policy::first_delay`] up to [`Policy::max_delay`]. A refused attempt
//! (429) is not a failure and does not lengthen the wait, so a stranger
//! hammering an email holds it for at most `max_delay` after their last real
//! attempt, never for good. Failures are forgotten [`FORGET_AFTER`] after the
//! last wait ends; a success clears the account's failures.
//!
//! Checking and counting are one step under one lock: [`LoginLimiter::attempt`]
//! counts the attempt as in flight before the slow hash runs, so a burst of
//! parallel attempts cannot all pass the check before the first failure is
//! recorded. An attempt whose outcome is never given (the request was
//! cancelled mid-hash) counts as a failure.
//!
//! IPv6 addresses are keyed by their /64, the block one subscriber holds. In a
//! multi-replica deployment each replica limits on its own
//! (docs/operations.md).

mod rate;

pub use rate::RateLimiter;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long failures are remembered after the last wait ends.
pub const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Above this many keys, forgotten ones are swept out.
const SWEEP_ABOVE: usize = 100_000;
/// Cap on the doubling exponent (2^20 × the first delay is past any sane maximum).
const MAX_DOUBLINGS: u32 = 20;

/// How many failures a key may have for free, and how the wait then grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures answered without any wait.
    pub free: u32,
    /// The wait after the first failure past the free ones; doubles with each further one.
    pub first_delay: Duration,
    /// The longest wait.
    pub max_delay: Duration,
}

impl Policy {
    /// Per account (email): five free failures, then 1 s doubling to at most a minute.
    pub const ACCOUNT: Policy = Policy {
        free: 5,
        first_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(60),
    };
    /// Per client address: fifty free failures, then 1 s doubling to at most 15 minutes.
    pub const ADDRESS: Policy = Policy {
        free: 50,
        first_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(15 * 60),
    };

    /// The wait that follows the `failures`-th failure in a row.
    pub fn delay_after(&self, failures: u32) -> Duration {
        if failures < self.free {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free).min(MAX_DOUBLINGS);
        self.first_delay
            .saturating_mul(1 << doublings)
            .min(self.max_delay.max(self.first_delay))
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    in_flight: u32,
    /// No attempt before this instant.
    until: Instant,
}

impl Entry {
    fn new(now: Instant) -> Entry {
        Entry {
            failures: 0,
            in_flight: 0,
            until: now,
        }
    }

    fn forgotten(&self, now: Instant) -> bool {
        self.in_flight == 0 && now >= self.until + FORGET_AFTER
    }

    /// How long to wait, if an attempt now would be refused.
    fn refusal(&self, policy: &Policy, now: Instant) -> Option<Duration> {
        if now < self.until {
            return Some(self.until - now);
        }
        if self.failures + self.in_flight < policy.free || self.in_flight == 0 {
            // Within the free failures, or the wait is over: one attempt at a time.
            return None;
        }
        // Attempts in flight would use up what is left: wait for their outcome.
        Some(
            policy
                .delay_after(self.failures + self.in_flight)
                .max(Duration::from_secs(1)),
        )
    }
}

/// Counts failed attempts per account and per address.
#[derive(Debug)]
pub struct LoginLimiter {
    account: Policy,
    address: Policy,
    entries: Mutex<HashMap<String, Entry>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter::new(Policy::ACCOUNT, Policy::ADDRESS)
    }
}

/// What became of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Succeeded,
    Failed,
    /// Nothing was tried (no hashing permit, a storage fault): nothing counts.
    Abandoned,
}

impl LoginLimiter {
    /// A limiter with these policies per account and per address.
    pub fn new(account: Policy, address: Policy) -> LoginLimiter {
        LoginLimiter {
            account,
            address,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // Nothing panics while holding the lock; a poisoned map is still consistent.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Refuses with the seconds to wait, or counts an attempt in flight against
    /// both keys (in one step); give its outcome on the returned [`Attempt`].
    pub fn attempt(&self, account: &str, address: &str) -> Result<Attempt<'_>, u64> {
        self.attempt_at(account, address, Instant::now())
    }

    fn attempt_at(&self, account: &str, address: &str, now: Instant) -> Result<Attempt<'_>, u64> {
        let keys = [account_key(account), address_key(address)];
        let mut map = self.lock();
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, e| !e.forgotten(now));
        }
        self.refusal(&map, &keys, now)?;
        for key in &keys {
            let entry = map.entry(key.clone()).or_insert_with(|| Entry::new(now));
            if entry.forgotten(now) {
                *entry = Entry::new(now);
            }
            entry.in_flight += 1;
        }
        Ok(Attempt {
            limiter: self,
            keys,
            settled: false,
        })
    }

    /// `Err(seconds to wait)` when an attempt now would be refused; counts nothing
    /// (for steps that only hand out a challenge).
    pub fn check(&self, account: &str, address: &str) -> Result<(), u64> {
        self.check_at(account, address, Instant::now())
    }

    fn check_at(&self, account: &str, address: &str, now: Instant) -> Result<(), u64> {
        let keys = [account_key(account), address_key(address)];
        self.refusal(&self.lock(), &keys, now)
    }

    /// Clears an account's failures (after proof by another route, e.g. recovery).
    pub fn reset(&self, account: &str) {
        let now = Instant::now();
        if let Some(e) = self.lock().get_mut(&account_key(account)) {
            e.failures = 0;
            e.until = now;
        }
    }

    fn refusal(
        &self,
        map: &HashMap<String, Entry>,
        keys: &[String; 2],
        now: Instant,
    ) -> Result<(), u64> {
        let wait = keys
            .iter()
            .zip([&self.account, &self.address])
            .filter_map(|(key, policy)| {
                let e = map.get(key).filter(|e| !e.forgotten(now))?;
                e.refusal(policy, now)
            })
            .max();
        match wait {
            Some(w) => Err(whole_seconds(w)),
            None => Ok(()),
        }
    }

    fn settle(&self, keys: &[String; 2], outcome: Outcome, now: Instant) {
        let mut map = self.lock();
        for (i, (key, policy)) in keys.iter().zip([&self.account, &self.address]).enumerate() {
            let Some(e) = map.get_mut(key) else {
                continue;
            };
            e.in_flight = e.in_flight.saturating_sub(1);
            match outcome {
                Outcome::Failed => {
                    e.failures = e.failures.saturating_add(1);
                    e.until = e.until.max(now + policy.delay_after(e.failures));
                }
                // Only the account is cleared: an address with many accounts
                // behind it keeps its count.
                Outcome::Succeeded if i == 0 => {
                    e.failures = 0;
                    e.until = now;
                }
                Outcome::Succeeded | Outcome::Abandoned => {}
            }
        }
    }
}

/// An attempt counted in flight; say how it went. Dropped without an outcome
/// (a cancelled request) it counts as a failure, so cancelling cannot buy
/// free attempts.
#[derive(Debug)]
#[must_use = "an attempt dropped without an outcome counts as a failure"]
pub struct Attempt<'a> {
    limiter: &'a LoginLimiter,
    keys: [String; 2],
    settled: bool,
}

impl Attempt<'_> {
    fn settle(&mut self, outcome: Outcome) {
        self.settle_at(outcome, Instant::now());
    }

    fn settle_at(&mut self, outcome: Outcome, now: Instant) {
        if !self.settled {
            self.settled = true;
            self.limiter.settle(&self.keys, outcome, now);
        }
    }

    /// The proof held: the account's failures are cleared.
    pub fn succeeded(&mut self) {
        self.settle(Outcome::Succeeded);
    }

    /// The proof was wrong: counts against both keys and may start a wait.
    pub fn failed(&mut self) {
        self.settle(Outcome::Failed);
    }

    /// Nothing was tried (no hashing permit, a storage fault): counts nothing.
    pub fn abandon(&mut self) {
        self.settle(Outcome::Abandoned);
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        self.settle(Outcome::Failed);
    }
}

/// Seconds for `Retry-After`: rounded up, at least one.
pub(crate) fn whole_seconds(d: Duration) -> u64 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    secs.max(1)
}

fn account_key(a: &str) -> String {
    format!("a:{a}")
}

fn address_key(a: &str) -> String {
    format!("i:{}", address_bucket(a))
}

/// The unit an address is limited as: itself, or for IPv6 its /64 (one
/// subscriber can hold a whole /64, so single addresses would be free to vary).
pub fn address_bucket(address: &str) -> String {
    match address.parse::<IpAddr>().map(|a| a.to_canonical()) {
        Ok(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => address.to_owned(),
    }
}

#[cfg(test)]
mod tests;
