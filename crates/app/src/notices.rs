//! E-mail notices: the scheduled ones (voting open, closing soon) queued when due, and
//! the outbox sent over SMTP when a mailer is configured.

use crate::{App, AppError};
use datacoop_governance as gov;
use datacoop_notices::{Delivery, OutboxStatus};

impl App {
    /// Queues the scheduled notices that are due (voting open; closing within the
    /// configured lead time). Safe on several replicas; catches up after downtime.
    pub async fn queue_due_notices(&self) -> Result<usize, AppError> {
        let lead = self.settings.governance.closing_soon_micros;
        Ok(gov::due_notices(&self.db, self.gov(), lead).await?)
    }

    /// Sends due notices from the outbox (nothing without a configured mailer).
    pub async fn deliver_notices(&self) -> Result<Delivery, AppError> {
        let Some(mailer) = &self.mailer else {
            return Ok(Delivery::default());
        };
        let clock = self.clock.clone();
        let now = move || clock.now_micros();
        datacoop_notices::deliver(&self.db, mailer, &now)
            .await
            .map_err(notice_error)
    }

    /// Removes notices sent or given up on longer ago than the configured time.
    pub async fn prune_notices(&self) -> Result<usize, AppError> {
        let before = self
            .clock
            .now_micros()
            .saturating_sub(self.settings.governance.notices_kept_micros);
        self.db
            .write(move |c| datacoop_notices::prune(c, before).map_err(notice_error))
            .await
    }

    /// Whether notices are sent (a mailer is configured), not only queued.
    pub fn sends_notices(&self) -> bool {
        self.mailer.is_some()
    }

    /// How the outbox stands.
    pub async fn notice_status(&self) -> Result<OutboxStatus, AppError> {
        self.db
            .read(|c| datacoop_notices::status(c).map_err(notice_error))
            .await
    }
}

fn notice_error(e: datacoop_notices::NoticeError) -> AppError {
    match e {
        datacoop_notices::NoticeError::Store(s) => AppError::Store(s),
        other => AppError::Invalid(other.to_string()),
    }
}
