//! The `[notices]` section: where the members' e-mail notices are sent from and through.

use super::Secret;
use serde::{Deserialize, Serialize};

/// E-mail notice settings. Without `smtp_url` notices are queued in the outbox and
/// sent once one is configured.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NoticesConfig {
    /// The SMTP server: `smtp://localhost:25` (a relay on this host, no TLS),
    /// `smtp://mail.example.org?tls=required` (STARTTLS, port 587) or
    /// `smtps://user:password@mail.example.org` (TLS, port 465).
    pub smtp_url: Option<Secret>,
    /// The sender of notices, `Name <address>`; its domain ends every Message-ID.
    pub from: String,
    /// Messages sent at once (pooled SMTP connections).
    pub concurrency: usize,
    /// Attempts before a notice is given up on (retried with backoff: 30 s doubling,
    /// at most 1 hour apart).
    pub max_attempts: u32,
    /// Seconds a sender holds the notices it took (several replicas never send one
    /// notice at once); after a crash, the notices it held wait this long.
    pub lease_secs: u64,
    /// Hours before a vote closes that members are reminded.
    pub closing_soon_hours: u64,
    /// Days a sent notice (or one given up on) stays in the outbox, for the operator.
    pub keep_days: u64,
    /// Milliseconds the sender waits before looking for new notices when none are due.
    pub interval_ms: u64,
}

impl Default for NoticesConfig {
    fn default() -> Self {
        NoticesConfig {
            smtp_url: None,
            from: "datacoop <notices@datacoop.example>".into(),
            concurrency: 4,
            max_attempts: 12,
            lease_secs: 60,
            closing_soon_hours: 48,
            keep_days: 90,
            interval_ms: 500,
        }
    }
}
