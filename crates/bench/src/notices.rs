//! The notice figure of issue 17: an assembly convened for N members with an e-mail
//! address queues N notices in the convening's transaction; the server's sender delivers
//! them to a local SMTP server. Timed from the convening request to the last notice
//! accepted by the SMTP server.
//!
//! The SMTP server is `aiosmtpd` (PyPI), started here storing every message in a
//! maildir, unless `--smtp-url` names another. The datacoop server runs in this process
//! (the real routes, database, outbox and sender on 127.0.0.1).

use crate::report::{per_second, Out, Table};
use anyhow::{anyhow, Context, Result};
use datacoop_app::Clock;
use datacoop_client::member;
use datacoop_client::Client;
use datacoop_governance_core::wire::{ConveneRequest, RegisterRequest};
use datacoop_governance_core::Form;
use datacoop_server::config::{Config, Secret};
use futures_util::stream::{self, StreamExt};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DAY: u64 = 86_400_000_000;
const STEWARD: &str = "steward@bench.invalid";

/// Options.
#[derive(Clone, Debug, clap::Args)]
pub struct NoticeArgs {
    /// Members in the register, each with an e-mail address.
    #[arg(long, default_value_t = 10_000)]
    members: usize,
    /// SMTP connections the sender uses (`notices.concurrency`).
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Send to this SMTP server instead of an aiosmtpd started here.
    #[arg(long)]
    smtp_url: Option<String>,
    /// Run on this PostgreSQL database (it must be empty) instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
}

struct Sink {
    child: Child,
    maildir: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sink() -> Result<(Sink, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let dir = tempfile::tempdir()?;
    let maildir = dir.path().join("mail");
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start aiosmtpd (python3 -m pip install aiosmtpd, or give --smtp-url)")?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        anyhow::ensure!(Instant::now() < deadline, "aiosmtpd did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((
        Sink {
            child,
            maildir,
            _dir: dir,
        },
        format!("smtp://127.0.0.1:{port}"),
    ))
}

/// Runs the convening and prints the figure.
pub async fn run(a: NoticeArgs, out: &Out) -> Result<()> {
    let (sink, smtp_url) = match &a.smtp_url {
        Some(u) => (None, u.clone()),
        None => {
            let (s, u) = start_sink()?;
            (Some(s), u)
        }
    };
    let dir = tempfile::tempdir()?;
    let t0 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_micros() as u64;
    let mut config = Config {
        listen: "127.0.0.1:0".into(),
        data_dir: dir.path().join("data"),
        database_url: a.database_url.clone().map(Secret),
        ..Config::default()
    };
    config.clock = Clock::manual(t0);
    config.governance.stewards = vec![STEWARD.into()];
    config.auth.registrations_per_minute = 0;
    config.notices.smtp_url = Some(Secret(smtp_url.clone()));
    config.notices.concurrency = a.connections;
    config.notices.from = "Bench eG <board@bench.invalid>".into();
    let backend = if a.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite (synchronous=full)"
    };
    let srv = datacoop_server::InThread::start(config)
        .await
        .map_err(|e| anyhow!("the server did not start: {e}"))?;
    let anon = Client::new(&format!("http://{}", srv.addr))?;
    member::register(&anon, STEWARD, crate::PASSPHRASE).await?;
    let steward = member::login(&anon, STEWARD, crate::PASSPHRASE, None).await?;
    let n = a.members;
    eprintln!("entering {n} members with e-mail addresses in the register…");
    stream::iter(0..n)
        .map(|i| {
            let steward = &steward;
            async move {
                steward
                    .gov_register(&RegisterRequest {
                        name: format!("Member {i}"),
                        contact: format!("Street {i}, 10115 Berlin"),
                        email: Some(format!("member{i}@bench.invalid")),
                        joined_at: None,
                        shares: 1,
                        votes: None,
                    })
                    .await
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;

    eprintln!(
        "convening: {n} notices to {smtp_url} over {} connections…",
        a.connections
    );
    let t = Instant::now();
    steward
        .gov_convene(&ConveneRequest {
            title: "Benchmark assembly".into(),
            form: Form::Virtual,
            starts_at: datacoop_api::time::format_micros((t0 + 15 * DAY) as i64),
            ends_at: datacoop_api::time::format_micros((t0 + 16 * DAY) as i64),
            place: None,
            how_to_take_part: None,
            body: None,
        })
        .await?;
    let queued_s = t.elapsed().as_secs_f64();
    let deadline = Instant::now() + Duration::from_secs(600);
    let status = loop {
        let s = srv
            .app
            .notice_status()
            .await
            .map_err(|e| anyhow!("outbox: {e}"))?;
        if s.sent + s.failed >= n as u64 {
            break s;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "only {} of {n} notices sent after 10 minutes",
            s.sent
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let delivered_s = t.elapsed().as_secs_f64();
    anyhow::ensure!(status.failed == 0, "{} notices failed", status.failed);
    let stored = sink
        .as_ref()
        .map(|s| std::fs::read_dir(s.maildir.join("new")).map(|d| d.count()))
        .transpose()?;

    let mut table = Table::new(
        &format!(
            "Notices: an assembly convened for {n} members ({backend}, {} SMTP connections)",
            a.connections
        ),
        &["phase", "what", "seconds", "per second"],
    );
    table.row(vec![
        "queue".into(),
        format!("convening with {n} notices in its transaction"),
        format!("{queued_s:.2}"),
        per_second(n, queued_s),
    ]);
    table.row(vec![
        "deliver".into(),
        format!("from the request to the last notice accepted (target < 30 s)"),
        format!("{delivered_s:.2}"),
        per_second(n, delivered_s),
    ]);
    if let Some(k) = stored {
        table.note(format!(
            "aiosmtpd on loopback stored {k} messages in its maildir"
        ));
    }
    out.table(&table)
}
