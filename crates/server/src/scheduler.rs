//! The server's background jobs: closing votes on time and queuing the scheduled
//! notices (every `governance.close_interval_secs`, and at once on start, catching up
//! with anything due while the server was down), removing old sent notices from the
//! outbox (hourly, `notices.keep_days`), and sending the notice outbox. Several
//! replicas may run them: each close is re-checked under the governance log's lock,
//! each scheduled notice is queued once, and each outbox row is sent by the one sender
//! holding its lease.

use actix_web::web;
use datacoop_app::App;
use std::time::Duration;

/// How often old sent notices are removed.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Starts the jobs on the current (actix) runtime.
pub fn spawn(app: web::Data<App>, close_interval: Duration, send_interval: Duration) {
    let governance = app.clone();
    actix_rt::spawn(async move {
        let mut pruned: Option<std::time::Instant> = None;
        loop {
            governance_pass(&governance).await;
            if pruned.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
                prune(&governance).await;
                pruned = Some(std::time::Instant::now());
            }
            tokio::time::sleep(close_interval).await;
        }
    });
    if app.sends_notices() {
        actix_rt::spawn(async move {
            loop {
                match app.deliver_notices().await {
                    // More may be waiting: look again at once.
                    Ok(d) if d.sent + d.failed > 0 => {
                        tracing::debug!(
                            sent = d.sent,
                            retrying = d.retrying,
                            failed = d.failed,
                            "notices sent"
                        );
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "sending notices failed; retrying"),
                }
                tokio::time::sleep(send_interval).await;
            }
        });
    }
}

async fn governance_pass(app: &App) {
    match app.close_due_votes().await {
        Ok(closed) => {
            for (motion, count) in closed {
                tracing::info!(%motion, carried = count.carried, "scheduler closed a vote");
            }
        }
        Err(e) => tracing::warn!(error = %e, "closing due votes failed; retrying"),
    }
    match app.queue_due_notices().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(motions = n, "scheduled notices queued"),
        Err(e) => tracing::warn!(error = %e, "queuing scheduled notices failed; retrying"),
    }
}

async fn prune(app: &App) {
    match app.prune_notices().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, "old notices removed from the outbox"),
        Err(e) => tracing::warn!(error = %e, "removing old notices failed; retrying"),
    }
    match app.remove_expired_register_data().await {
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "removing expired register data failed; retrying"),
    }
}
