//! Sending over SMTP with `lettre`: one pooled transport, each notice a plain-text
//! message whose Message-ID is its outbox id.

use crate::direct::{Direct, TIMEOUT};
use crate::outbox::Queued;
use crate::NoticeError;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;

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
    /// Seconds a sender holds the notices it took: after a crash, those wait this long
    /// before another sender (or the restarted one) takes them.
    pub lease_secs: u64,
}

impl std::fmt::Debug for MailerSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailerSettings")
            .field("smtp_url", &redact(&self.smtp_url))
            .field("from", &self.from)
            .field("concurrency", &self.concurrency)
            .field("max_attempts", &self.max_attempts)
            .field("lease_secs", &self.lease_secs)
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
    route: Route,
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

impl From<lettre::transport::smtp::Error> for SendFailure {
    fn from(e: lettre::transport::smtp::Error) -> Self {
        SendFailure {
            permanent: e.is_permanent(),
            message: e.to_string(),
        }
    }
}

#[derive(Clone)]
enum Route {
    /// `smtp://`: our own pooled connections with `TCP_NODELAY` (see [`crate::direct`]).
    Direct(Arc<Direct>),
    /// `smtps://` (TLS from the first byte): lettre's pooled transport.
    Lettre(AsyncSmtpTransport<Tokio1Executor>),
}

impl Mailer {
    /// Builds the transport (no connection is made until the first message). Call it
    /// within a Tokio runtime: lettre's pool for `smtps://` starts its task here.
    pub fn new(settings: MailerSettings) -> Result<Mailer, NoticeError> {
        let from: Mailbox = settings.from.parse().map_err(|e| {
            NoticeError::Config(format!(
                "notices.from {:?} is not a sender such as \"Cooperative <board@example.org>\" ({e})",
                settings.from
            ))
        })?;
        let bad_url = |e: String| {
            NoticeError::Config(format!(
                "notices.smtp_url {} is not an SMTP URL such as smtp://localhost:25, \
                 smtp://mail.example.org?tls=required or smtps://user:password@mail.example.org \
                 ({e})",
                redact(&settings.smtp_url)
            ))
        };
        let route = if settings.smtp_url.starts_with("smtps:") {
            Route::Lettre(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
                    .map_err(|e| bad_url(e.to_string()))?
                    .timeout(Some(TIMEOUT))
                    .pool_config(PoolConfig::new().max_size(settings.concurrency.max(1) as u32))
                    .build(),
            )
        } else {
            Route::Direct(Arc::new(
                Direct::parse(&settings.smtp_url).map_err(bad_url)?,
            ))
        };
        Ok(Mailer {
            domain: from.email.domain().to_owned(),
            route,
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
        match &self.route {
            Route::Direct(d) => d.send(message.envelope(), &message.formatted()).await,
            Route::Lettre(t) => t.send(message).await.map(|_| ()).map_err(Into::into),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str) -> MailerSettings {
        MailerSettings {
            smtp_url: url.into(),
            from: "Coop <board@coop.example>".into(),
            concurrency: 2,
            max_attempts: 3,
            lease_secs: 60,
        }
    }

    #[tokio::test]
    async fn the_password_never_shows() {
        let url = "smtps://board:hunter2@mail.example.org";
        assert_eq!(redact(url), "smtps://…@mail.example.org");
        let m = Mailer::new(settings(url)).unwrap();
        assert!(!format!("{m:?}").contains("hunter2"));
        let m = Mailer::new(settings("smtp://board:hunter2@mail.example.org")).unwrap();
        assert!(!format!("{m:?}").contains("hunter2"));
    }

    #[test]
    fn message_ids_are_stable_and_of_the_senders_domain() {
        let m = Mailer::new(settings("smtp://localhost")).unwrap();
        assert_eq!(m.message_id("abc"), "<notice.abc@coop.example>");
        assert!(Mailer::new(MailerSettings {
            from: "not an address".into(),
            ..settings("smtp://localhost")
        })
        .is_err());
        assert!(Mailer::new(settings("ftp://x")).is_err());
        assert!(valid_address(" ana@example.org ").is_ok());
        assert!(valid_address("ana").is_err());
    }
}
