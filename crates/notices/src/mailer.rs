//! Sending over SMTP with `lettre`: one pooled transport, each notice a plain-text
//! message whose Message-ID is its outbox id.

use crate::outbox::Queued;
use crate::NoticeError;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Where and how notices are sent.
#[derive(Clone)]
pub struct MailerSettings {
    /// `smtp://host:port` (plain, for a relay on the same host), `smtp://host?tls=required`
    /// (STARTTLS) or `smtps://user:password@host` (TLS); the password never appears in
    /// logs or `Debug`.
    pub smtp_url: String,
    /// The sender, `Name <address>`.
    pub from: String,
    /// Messages in flight at once (pooled SMTP connections).
    pub concurrency: usize,
    /// Attempts before a notice is given up on.
    pub max_attempts: u32,
}

impl std::fmt::Debug for MailerSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailerSettings")
            .field("smtp_url", &redact(&self.smtp_url))
            .field("from", &self.from)
            .field("concurrency", &self.concurrency)
            .field("max_attempts", &self.max_attempts)
            .finish()
    }
}

/// An SMTP URL without its password.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…@{}", &url[..s], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

/// Checks an e-mail address as SMTP would take it; returns it trimmed.
pub fn valid_address(text: &str) -> Result<String, NoticeError> {
    let text = text.trim();
    text.parse::<lettre::Address>()
        .map(|_| text.to_owned())
        .map_err(|e| NoticeError::Address(format!("{text:?} is not an e-mail address ({e})")))
}

/// The configured SMTP transport and sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    domain: String,
    settings: MailerSettings,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Why one message was not sent.
#[derive(Debug)]
pub struct SendFailure {
    /// What went wrong, without secrets.
    pub message: String,
    /// The server refused for good (a 5xx reply): retrying will not help.
    pub permanent: bool,
}

impl Mailer {
    /// Builds the transport (no connection is made until the first message).
    pub fn new(settings: MailerSettings) -> Result<Mailer, NoticeError> {
        let from: Mailbox = settings.from.parse().map_err(|e| {
            NoticeError::Config(format!(
                "notices.from {:?} is not a sender such as \"Cooperative <board@example.org>\" ({e})",
                settings.from
            ))
        })?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| {
                NoticeError::Config(format!(
                    "notices.smtp_url {} is not an SMTP URL such as smtp://localhost:25 or \
                     smtps://user:password@mail.example.org ({e})",
                    redact(&settings.smtp_url)
                ))
            })?
            .timeout(Some(Duration::from_secs(30)))
            .pool_config(PoolConfig::new().max_size(settings.concurrency.max(1) as u32))
            .build();
        Ok(Mailer {
            domain: from.email.domain().to_owned(),
            transport,
            from,
            settings,
        })
    }

    /// The settings it was built from.
    pub fn settings(&self) -> &MailerSettings {
        &self.settings
    }

    /// The Message-ID of a notice: the same for every attempt.
    pub fn message_id(&self, id: &str) -> String {
        format!("<notice.{id}@{}>", self.domain)
    }

    /// Sends one notice.
    pub async fn send(&self, notice: &Queued) -> Result<(), SendFailure> {
        let to: Mailbox = notice.recipient.parse().map_err(|e| SendFailure {
            message: format!("recipient {:?}: {e}", notice.recipient),
            permanent: true,
        })?;
        let message = Message::builder()
            .message_id(Some(self.message_id(&notice.id)))
            .from(self.from.clone())
            .to(to)
            .subject(notice.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(notice.body.clone())
            .map_err(|e| SendFailure {
                message: format!("cannot compose the message: {e}"),
                permanent: true,
            })?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| SendFailure {
                permanent: e.is_permanent(),
                message: e.to_string(),
            })
    }
}
