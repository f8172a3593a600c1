//! A bound on slow blocking work that runs at once (the server's password
//! hashes, 19 MiB each): memory stays at permits × the work's own, and
//! requests beyond it wait briefly, then are told to come back
//! ([`StoreError::Busy`]) instead of piling up threads and memory.

use crate::{blocking, StoreError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Permits for slow work; cheap to clone, clones share the permits.
#[derive(Debug, Clone)]
pub struct Permits {
    semaphore: Arc<Semaphore>,
    size: usize,
    wait: Duration,
    counts: Arc<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    ran: AtomicU64,
    refused: AtomicU64,
}

/// What the permits have done since start (for metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PermitStats {
    /// Jobs that got a permit and ran.
    pub ran: u64,
    /// Requests refused because no permit freed in time.
    pub refused: u64,
}

impl Permits {
    /// `size` jobs at once (at least one); a request waits at most `wait` for a permit.
    pub fn new(size: usize, wait: Duration) -> Permits {
        let size = size.clamp(1, Semaphore::MAX_PERMITS);
        Permits {
            semaphore: Arc::new(Semaphore::new(size)),
            size,
            wait,
            counts: Arc::default(),
        }
    }

    /// How many jobs may run at once.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Runs `f` off the async workers once a permit is free, or fails with
    /// [`StoreError::Busy`] when none frees within the wait. The blocking task
    /// holds the permit, so work whose request was cancelled still counts
    /// until it ends.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce() -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let acquire = self.semaphore.clone().acquire_owned();
        let permit = match tokio::time::timeout(self.wait, acquire).await {
            Ok(Ok(permit)) => permit,
            // Timed out (or, never here, closed).
            Ok(Err(_)) | Err(_) => {
                self.counts.refused.fetch_add(1, Ordering::Relaxed);
                return Err(StoreError::Busy(self.retry_after_secs()).into());
            }
        };
        self.counts.ran.fetch_add(1, Ordering::Relaxed);
        blocking(move || {
            let _held = permit;
            f()
        })
        .await
    }

    /// What to put in `Retry-After` when refused: the wait, rounded up, at least 1 s.
    fn retry_after_secs(&self) -> u64 {
        crate::limiter::whole_seconds(self.wait)
    }

    /// Jobs run and requests refused so far.
    pub fn stats(&self) -> PermitStats {
        PermitStats {
            ran: self.counts.ran.load(Ordering::Relaxed),
            refused: self.counts.refused.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn busy_when_no_permit_frees_in_time_and_free_again_after() {
        let permits = Permits::new(1, Duration::from_millis(20));
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let holder = {
            let permits = permits.clone();
            tokio::spawn(async move {
                permits
                    .run(move || -> Result<(), StoreError> {
                        started_tx.send(()).unwrap();
                        release_rx.recv().unwrap();
                        Ok(())
                    })
                    .await
            })
        };
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        let refused = permits.run(|| -> Result<(), StoreError> { Ok(()) }).await;
        assert!(matches!(refused, Err(StoreError::Busy(1))), "{refused:?}");
        release_tx.send(()).unwrap();
        holder.await.unwrap().unwrap();
        permits
            .run(|| -> Result<(), StoreError> { Ok(()) })
            .await
            .unwrap();
        assert_eq!(permits.stats(), PermitStats { ran: 2, refused: 1 });
    }

    #[tokio::test]
    async fn never_more_than_size_at_once() {
        let permits = Permits::new(2, Duration::from_secs(30));
        let running = Arc::new(AtomicU64::new(0));
        let peak = Arc::new(AtomicU64::new(0));
        let jobs = (0..8).map(|_| {
            let (permits, running, peak) = (permits.clone(), running.clone(), peak.clone());
            tokio::spawn(async move {
                permits
                    .run(move || -> Result<(), StoreError> {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(10));
                        running.fetch_sub(1, Ordering::SeqCst);
                        Ok(())
                    })
                    .await
            })
        });
        for job in futures_util::future::join_all(jobs).await {
            job.unwrap().unwrap();
        }
        assert!(peak.load(Ordering::SeqCst) <= 2);
        assert_eq!(Permits::new(0, Duration::ZERO).size(), 1);
    }
}
