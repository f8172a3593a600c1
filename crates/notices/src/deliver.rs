//! One pass of the sender: claim what is due, send it with bounded concurrency, and
//! record each outcome as soon as it is known: a failure at once, and acceptances by one
//! recorder that marks every notice accepted since its last commit in one transaction
//! (so a connection goes on to its next message without waiting for a commit, and the
//! messages accepted but not yet recorded at any moment are those of one commit).

use crate::mailer::Mailer;
use crate::outbox::{self, Queued};
use crate::NoticeError;
use datacoop_store::Db;
use futures_util::stream::{self, StreamExt};
use tokio::sync::mpsc;

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

/// Sends the due notices one pass takes: sixteen per connection, so that a pass with a
/// healthy SMTP server ends well within the lease. `now` is read when the pass starts
/// and for each outcome (the application's clock).
pub async fn deliver(
    db: &Db,
    mailer: &Mailer,
    now: &(dyn Fn() -> u64 + Sync),
) -> Result<Delivery, NoticeError> {
    let start = now();
    let settings = mailer.settings();
    let concurrency = settings.concurrency.max(1);
    let limit = (concurrency * 16) as i64;
    let lease = settings.lease_secs.max(1).saturating_mul(1_000_000);
    let batch: Vec<Queued> = db
        .write(move |c| outbox::claim(c, start, lease, limit))
        .await?;
    let max_attempts = settings.max_attempts.max(1) as i32;
    let (accepted, mut to_record) = mpsc::unbounded_channel::<String>();
    let recorder = async move {
        let mut recorded = 0usize;
        while let Some(first) = to_record.recv().await {
            let mut ids = vec![first];
            while let Ok(id) = to_record.try_recv() {
                ids.push(id);
            }
            recorded += ids.len();
            let at = now();
            db.write(move |c| outbox::mark_sent(c, &ids, at)).await?;
        }
        Ok::<usize, NoticeError>(recorded)
    };
    let sending = stream::iter(batch)
        // The closure owns the sender half: the recorder ends once every send is done.
        .map(move |notice| {
            let accepted = accepted.clone();
            async move {
                let result = mailer.send(&notice).await;
                let at = now();
                let id = notice.id.clone();
                match result {
                    Ok(()) => {
                        // The recorder is gone only if its commit failed, reported below.
                        let _ = accepted.send(id);
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
            }
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<Result<Outcome, NoticeError>>>();
    let (outcomes, recorded) = futures_util::join!(sending, recorder);
    recorded?;
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

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_from_30_s_to_an_hour() {
        let s: Vec<u64> = (1..=10)
            .map(|a| super::backoff_micros(a) / 1_000_000)
            .collect();
        assert_eq!(s, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    }
}
