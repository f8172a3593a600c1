//! One pass of the sender: claim what is due, send it with bounded concurrency, and
//! record each outcome as soon as it is known.

use crate::mailer::Mailer;
use crate::outbox::{self, Queued};
use crate::NoticeError;
use datacoop_store::Db;
use futures_util::stream::{self, StreamExt};

/// How long a claim holds: longer than any one message takes (the transport's timeout
/// is 30 s), so a live sender never loses its rows to another.
pub const LEASE_MICROS: u64 = 120_000_000;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Accepted by the SMTP server.
    pub sent: usize,
    /// Failed for now; due again after a backoff.
    pub retrying: usize,
    /// Given up on.
    pub failed: usize,
}

/// The wait before the next attempt: 30 s, doubling, at most 1 hour.
pub fn backoff_micros(attempts: i32) -> u64 {
    let step = attempts.clamp(1, 8) as u32 - 1;
    (30_000_000u64 << step).min(3_600_000_000)
}

/// Sends up to `limit` due notices. `now` is read when the pass starts and for each
/// outcome (the application's clock).
pub async fn deliver(
    db: &Db,
    mailer: &Mailer,
    now: &(dyn Fn() -> u64 + Sync),
    limit: i64,
) -> Result<Delivery, NoticeError> {
    let start = now();
    let batch: Vec<Queued> = db
        .write(move |c| outbox::claim(c, start, LEASE_MICROS, limit))
        .await?;
    let max_attempts = mailer.settings().max_attempts.max(1) as i32;
    let concurrency = mailer.settings().concurrency.max(1);
    let outcomes: Vec<Result<Outcome, NoticeError>> = stream::iter(batch)
        .map(|notice| async move {
            let result = mailer.send(&notice).await;
            let at = now();
            let id = notice.id.clone();
            match result {
                Ok(()) => {
                    db.write_grouped(move |c| outbox::mark_sent(c, &id, at))
                        .await?;
                    Ok(Outcome::Sent)
                }
                Err(failure) => {
                    let retry = (!failure.permanent && notice.attempts < max_attempts)
                        .then(|| backoff_micros(notice.attempts));
                    tracing::warn!(
                        notice = %notice.id,
                        attempt = notice.attempts,
                        error = %failure.message,
                        retry_in_s = retry.map(|r| r / 1_000_000),
                        "a notice was not sent"
                    );
                    let message = failure.message;
                    db.write_grouped(move |c| outbox::mark_failed(c, &id, at, &message, retry))
                        .await?;
                    Ok(if retry.is_some() {
                        Outcome::Retrying
                    } else {
                        Outcome::Failed
                    })
                }
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut done = Delivery::default();
    for outcome in outcomes {
        match outcome? {
            Outcome::Sent => done.sent += 1,
            Outcome::Retrying => done.retrying += 1,
            Outcome::Failed => done.failed += 1,
        }
    }
    Ok(done)
}

enum Outcome {
    Sent,
    Retrying,
    Failed,
}
