//! The application's clock. Governance decides by time (notice periods, voting periods,
//! closing on time), so the moment comes from here: the system clock in service, a
//! clock the caller sets in tests and in catch-up checks.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The system clock, or a set one.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<AtomicU64>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(None)
    }

    /// A clock that stands at `micros` (unix microseconds) until moved.
    pub fn manual(micros: u64) -> Self {
        Clock(Some(Arc::new(AtomicU64::new(micros))))
    }

    /// Now, unix microseconds.
    pub fn now_micros(&self) -> u64 {
        match &self.0 {
            Some(t) => t.load(Ordering::SeqCst),
            None => datacoop_store::time::now_micros().max(0) as u64,
        }
    }

    /// Moves a set clock forward (no effect on the system clock).
    pub fn advance(&self, by: Duration) {
        if let Some(t) = &self.0 {
            t.fetch_add(
                by.as_micros().min(u128::from(u64::MAX)) as u64,
                Ordering::SeqCst,
            );
        }
    }
}
