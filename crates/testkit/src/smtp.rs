//! A real SMTP server process for the notice tests: `aiosmtpd` (from PyPI; `.ci/run`
//! installs it) on a free loopback port, storing every message it accepts in a maildir
//! that the test reads. Outside CI a missing `aiosmtpd` skips the test; under `CI=true`
//! it fails.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One message as the SMTP server stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The Message-ID header.
    pub message_id: String,
    /// The To header.
    pub to: String,
    /// The From header.
    pub from: String,
    /// The subject, decoded.
    pub subject: String,
    /// The body, decoded.
    pub body: String,
}

/// The running SMTP sink; stopped when dropped.
pub struct SmtpSink {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

fn python() -> String {
    std::env::var("DATACOOP_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl SmtpSink {
    /// Starts the SMTP server, or `None` (outside CI) when `aiosmtpd` is not installed.
    pub fn start() -> Option<SmtpSink> {
        let installed = Command::new(python())
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!(
                    "CI=true but the SMTP server for the notice tests is missing: \
                     `{} -m pip install aiosmtpd` (see .ci/run)",
                    python()
                );
            }
            eprintln!("skipping: the SMTP server aiosmtpd is not installed (pip install aiosmtpd)");
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("datacoop-smtp-")
            .tempdir()
            .expect("a temp dir for the maildir");
        let mut sink = SmtpSink {
            child: None,
            port: free_port(),
            dir,
        };
        sink.run();
        Some(sink)
    }

    fn run(&mut self) {
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(self.maildir())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server (mail already stored stays); [`SmtpSink::restart`] brings it back
    /// on the same port.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the server again after [`SmtpSink::stop`].
    pub fn restart(&mut self) {
        self.stop();
        self.run();
    }

    /// `smtp://127.0.0.1:PORT`, for `notices.smtp_url`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn maildir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// Every message stored so far.
    pub fn messages(&self) -> Vec<Mail> {
        read_maildir(&self.maildir().join("new"))
    }

    /// Waits until at least `n` messages are stored (or `timeout` passes), then returns
    /// them all.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Mail> {
        let deadline = Instant::now() + timeout;
        loop {
            let all = self.messages();
            if all.len() >= n || Instant::now() >= deadline {
                return all;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

fn read_maildir(dir: &Path) -> Vec<Mail> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let Ok(bytes) = std::fs::read(e.path()) else {
            continue;
        };
        let parsed = mailparse::parse_mail(&bytes).expect("a stored message parses");
        let header = |name: &str| {
            use mailparse::MailHeaderMap;
            parsed.headers.get_first_value(name).unwrap_or_default()
        };
        out.push(Mail {
            message_id: header("Message-ID"),
            to: header("To"),
            from: header("From"),
            subject: header("Subject"),
            body: parsed.get_body().unwrap_or_default(),
        });
    }
    out
}
