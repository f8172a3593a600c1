//! E-mail notices (issue 17; docs/governance.md, "Notices"): like a members' mailing
//! list. A use case queues its notices in the outbox in the same transaction as the
//! event they tell of, so a notice is never lost; the sender claims due notices under a
//! lease, sends them over SMTP with `lettre`, and records each outcome at once, retrying
//! with backoff. Every notice keeps one Message-ID for all its attempts, so the rare
//! resend after a crash between the SMTP server's acceptance and its record is the same
//! message, which mail systems recognise.
#![forbid(unsafe_code)]

mod deliver;
mod direct;
mod mailer;
mod outbox;

pub use deliver::{backoff_micros, deliver, Delivery};
pub use mailer::{redact, valid_address, Mailer, MailerSettings, SendFailure};
pub use outbox::{
    claim, enqueue, mark_failed, mark_sent, prune, status, topic, Notice, OutboxStatus, Queued,
};

use datacoop_store::StoreError;

/// Why notices could not be queued, claimed or configured.
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A query failed.
    #[error("notice outbox: {0}")]
    Query(#[from] diesel::result::Error),
    /// An address is not one SMTP takes.
    #[error("{0}")]
    Address(String),
    /// The `[notices]` configuration does not hold.
    #[error("{0}")]
    Config(String),
}
