//! SMTP connections of our own for `smtp://` URLs, with `TCP_NODELAY`.
//!
//! lettre 0.11.23 writes a message's body and its final `\r\n.\r\n` as two writes on a
//! socket with Nagle's algorithm on, so every message waits for the server's delayed
//! ACK: 40 ms, which caps one connection at about 22 messages a second (lettre's pull
//! request #1159 sets `TCP_NODELAY`; it is merged but not yet released). Until then the
//! connection is made here, with `TCP_NODELAY`, and handed to lettre's own SMTP
//! protocol code (`AsyncSmtpConnection::connect_with_transport`), STARTTLS and AUTH
//! included. The pool keeps at most `concurrency` connections (the sender never has
//! more messages in flight), drops one idle for over a minute, and a message that fails
//! on a reused connection is tried once more on a fresh one (the server may have closed
//! an idle connection).

use crate::mailer::SendFailure;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Longest wait for a connection or for one message.
pub const TIMEOUT: Duration = Duration::from_secs(30);
const MAX_IDLE: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tls {
    None,
    Opportunistic,
    Required,
}

/// Where to connect and how, and the idle connections.
pub struct Direct {
    host: String,
    port: u16,
    tls: Tls,
    hello: ClientId,
    credentials: Option<Credentials>,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

fn failure(what: &str, e: impl std::fmt::Display) -> SendFailure {
    SendFailure {
        message: format!("{what}: {e}"),
        permanent: false,
    }
}

impl Direct {
    /// Reads `smtp://[user:password@]host[:port][/hello-name][?tls=required|opportunistic]`.
    pub fn parse(text: &str) -> Result<Direct, String> {
        let url = url::Url::parse(text).map_err(|e| e.to_string())?;
        if url.scheme() != "smtp" {
            return Err(format!("unknown scheme {:?}", url.scheme()));
        }
        let host = url
            .host_str()
            .ok_or("no host")?
            .trim_matches(['[', ']'])
            .to_owned();
        let tls = match url.query_pairs().find(|(k, _)| k == "tls") {
            None => Tls::None,
            Some((_, v)) if v == "required" => Tls::Required,
            Some((_, v)) if v == "opportunistic" => Tls::Opportunistic,
            Some((_, v)) => return Err(format!("tls={v} is neither required nor opportunistic")),
        };
        let port = url
            .port()
            .unwrap_or(if tls == Tls::None { 25 } else { 587 });
        let hello = match url.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|e| e.to_string())
        };
        let credentials = match url.password() {
            Some(p) => Some(Credentials::new(decode(url.username())?, decode(p)?)),
            None => None,
        };
        Ok(Direct {
            host,
            port,
            tls,
            hello,
            credentials,
            idle: Mutex::new(Vec::new()),
        })
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendFailure> {
        let tcp = tokio::time::timeout(
            TIMEOUT,
            tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        .map_err(|_| failure("connecting to the SMTP server", "timed out"))?
        .map_err(|e| failure("connecting to the SMTP server", e))?;
        tcp.set_nodelay(true)
            .map_err(|e| failure("setting TCP_NODELAY", e))?;
        let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
            .await
            .map_err(SendFailure::from)?;
        let starttls = match self.tls {
            Tls::None => false,
            Tls::Opportunistic => conn.can_starttls(),
            Tls::Required => {
                if !conn.can_starttls() {
                    conn.abort().await;
                    return Err(failure(
                        "the SMTP server",
                        "does not offer STARTTLS, which notices.smtp_url requires (tls=required)",
                    ));
                }
                true
            }
        };
        if starttls {
            let params = TlsParameters::new(self.host.clone()).map_err(SendFailure::from)?;
            conn.starttls(params, &self.hello)
                .await
                .map_err(SendFailure::from)?;
        }
        if let Some(c) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], c)
                .await
                .map_err(SendFailure::from)?;
        }
        Ok(conn)
    }

    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        while let Some((conn, since)) = idle.pop() {
            if since.elapsed() < MAX_IDLE && !conn.has_broken() {
                return Some(conn);
            }
        }
        None
    }

    fn put_idle(&self, conn: AsyncSmtpConnection) {
        if !conn.has_broken() {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            idle.push((conn, Instant::now()));
        }
    }

    async fn send_on(
        &self,
        mut conn: AsyncSmtpConnection,
        envelope: &Envelope,
        email: &[u8],
    ) -> Result<(), (SendFailure, bool)> {
        match tokio::time::timeout(TIMEOUT, conn.send(envelope, email)).await {
            Ok(Ok(_)) => {
                self.put_idle(conn);
                Ok(())
            }
            Ok(Err(e)) => {
                // A refusal of this message leaves the connection usable; a broken
                // connection is dropped.
                let usable = !conn.has_broken();
                let f = SendFailure::from(e);
                if usable {
                    self.put_idle(conn);
                }
                Err((f, usable))
            }
            Err(_) => Err((failure("sending", "timed out"), false)),
        }
    }

    /// Sends one message.
    pub async fn send(&self, envelope: &Envelope, email: &[u8]) -> Result<(), SendFailure> {
        if let Some(conn) = self.take_idle() {
            match self.send_on(conn, envelope, email).await {
                Ok(()) => return Ok(()),
                // The server answered: that is the outcome.
                Err((f, true)) => return Err(f),
                // The reused connection was gone: once more on a new one.
                Err((_, false)) => {}
            }
        }
        let conn = self.connect().await?;
        self.send_on(conn, envelope, email)
            .await
            .map_err(|(f, _)| f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_port_tls_and_credentials() {
        let d = Direct::parse("smtp://localhost").unwrap();
        assert_eq!(
            (d.host.as_str(), d.port, d.tls),
            ("localhost", 25, Tls::None)
        );
        let d = Direct::parse("smtp://u%40x:p%2Fw@mail.example.org?tls=required").unwrap();
        assert_eq!((d.port, d.tls), (587, Tls::Required));
        assert!(d.credentials.is_some());
        let d = Direct::parse("smtp://[::1]:2525/relay.example?tls=opportunistic").unwrap();
        assert_eq!(
            (d.host.as_str(), d.port, d.tls),
            ("::1", 2525, Tls::Opportunistic)
        );
        assert!(Direct::parse("smtp://h?tls=maybe").is_err());
        assert!(Direct::parse("http://h").is_err());
    }
}
