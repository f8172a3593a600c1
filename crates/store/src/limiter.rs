//! Login rate limiting, per account and per client address, in memory.
//!
//! Failed logins count against both keys in a fixed window; a success clears
//! the account's count. In a multi-replica deployment each replica limits on
//! its own (documented in docs/operations.md).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per account per window.
pub const PER_ACCOUNT: u32 = 10;
/// Failures allowed per address per window.
pub const PER_ADDRESS: u32 = 50;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Counts failed logins.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    counts: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    /// `Err(seconds to wait)` when the account or the address is over its limit.
    pub fn check(&self, account: &str, address: &str) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(map) = self.counts.lock() else {
            return Ok(());
        };
        for (key, limit) in [
            (account_key(account), PER_ACCOUNT),
            (address_key(address), PER_ADDRESS),
        ] {
            if let Some((n, start)) = map.get(&key) {
                let elapsed = now.duration_since(*start);
                if elapsed < WINDOW && *n >= limit {
                    return Err((WINDOW - elapsed).as_secs().max(1));
                }
            }
        }
        Ok(())
    }

    /// Records a failure against both keys.
    pub fn failed(&self, account: &str, address: &str) {
        let now = Instant::now();
        let Ok(mut map) = self.counts.lock() else {
            return;
        };
        if map.len() > 100_000 {
            map.retain(|_, (_, start)| now.duration_since(*start) < WINDOW);
        }
        for key in [account_key(account), address_key(address)] {
            let entry = map.entry(key).or_insert((0, now));
            if now.duration_since(entry.1) >= WINDOW {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    /// Clears the account's failures after a successful login.
    pub fn succeeded(&self, account: &str) {
        if let Ok(mut map) = self.counts.lock() {
            map.remove(&account_key(account));
        }
    }
}

fn account_key(a: &str) -> String {
    format!("a:{a}")
}

fn address_key(a: &str) -> String {
    format!("i:{a}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_after_too_many_failures_and_success_clears() {
        let l = LoginLimiter::default();
        for _ in 0..PER_ACCOUNT {
            assert!(l.check("x@y", "1.2.3.4").is_ok());
            l.failed("x@y", "1.2.3.4");
        }
        assert!(l.check("x@y", "5.6.7.8").is_err());
        assert!(l.check("z@y", "1.2.3.4").is_ok());
        l.succeeded("x@y");
        assert!(l.check("x@y", "1.2.3.4").is_ok());
    }
}
