//! Request-rate limiting per key (registrations per client address): a
//! generic cell rate algorithm, one instant per key, so `per_minute` requests
//! may come at once and then one every `60 s / per_minute`.

use super::{address_bucket, whole_seconds, SWEEP_ABOVE};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Allows `per_minute` requests per address per minute, in bursts of up to `per_minute`.
#[derive(Debug)]
pub struct RateLimiter {
    /// Time one request uses up; zero means no limit.
    interval: Duration,
    /// How far ahead of now a key's schedule may run (the burst).
    burst: Duration,
    /// When each key's schedule is next free.
    next: Mutex<HashMap<String, Instant>>,
}

impl RateLimiter {
    /// `per_minute` requests per address per minute; 0 turns the limit off.
    pub fn per_minute(per_minute: u32) -> RateLimiter {
        let interval = match per_minute {
            0 => Duration::ZERO,
            n => Duration::from_secs(60) / n,
        };
        RateLimiter {
            interval,
            burst: interval.saturating_mul(per_minute.saturating_sub(1)),
            next: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request from `address`, or refuses it with the seconds to wait
    /// (a refused request uses nothing up). Checked and counted in one step.
    pub fn take(&self, address: &str) -> Result<(), u64> {
        if self.interval.is_zero() {
            return Ok(());
        }
        let now = Instant::now();
        let mut map = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, next| *next > now);
        }
        let next = map.entry(address_bucket(address)).or_insert(now);
        let start = (*next).max(now);
        let ahead = start - now;
        if ahead > self.burst {
            return Err(whole_seconds(ahead - self.burst));
        }
        *next = start + self.interval;
        Ok(())
    }
}
