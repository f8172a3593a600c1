//! The server under test: the release `datacoop serve` binary spawned on a
//! free port with a temporary data directory (SQLite), or one given by URL.

use anyhow::{anyhow, bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server to measure; the spawned one is killed on drop.
pub struct Server {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// The process, when we spawned it (for RSS and CPU figures).
    child: Option<Child>,
    /// Pid to read `/proc` figures from (spawned, or given with `--server-pid`).
    pid: Option<u32>,
    /// Kept alive until drop: the data directory.
    _dir: Option<tempfile::TempDir>,
    /// What this server runs with, for the report.
    pub label: String,
}

/// How to get a server.
#[derive(Clone, Debug, clap::Args)]
pub struct ServerArgs {
    /// Measure this running server instead of spawning one (e.g. http://127.0.0.1:8080).
    /// Only one synchronous setting is then measured: whatever it runs with.
    #[arg(long)]
    pub server: Option<String>,
    /// With --server: its pid, to report its peak RSS and CPU time.
    #[arg(long, requires = "server")]
    pub server_pid: Option<u32>,
    /// The `datacoop` binary to spawn [default: `datacoop` next to this executable].
    #[arg(long, value_name = "PATH")]
    pub datacoop_bin: Option<PathBuf>,
    /// SQLite `synchronous` settings to measure, each on a fresh server.
    #[arg(long, value_delimiter = ',', default_value = "full,normal")]
    pub synchronous: Vec<String>,
}

impl ServerArgs {
    /// The `datacoop` binary: the flag, else next to this executable.
    pub fn bin(&self) -> Result<PathBuf> {
        if let Some(b) = &self.datacoop_bin {
            return Ok(b.clone());
        }
        let me = std::env::current_exe().context("cannot find this executable")?;
        let dir = me
            .parent()
            .ok_or_else(|| anyhow!("executable has no directory"))?;
        let candidate = dir.join("datacoop");
        if candidate.exists() {
            Ok(candidate)
        } else {
            bail!(
                "no datacoop binary at {}; build it with `cargo build --release -p datacoop` into the same target directory, or pass --datacoop-bin",
                candidate.display()
            )
        }
    }

    /// The servers to run one after the other: (label, setting or None for --server).
    pub fn settings(&self) -> Vec<Option<String>> {
        if self.server.is_some() {
            vec![None]
        } else {
            self.synchronous.iter().map(|s| Some(s.clone())).collect()
        }
    }

    /// Starts (or targets) the server for one setting.
    pub async fn start(&self, synchronous: Option<&str>) -> Result<Server> {
        match (&self.server, synchronous) {
            (Some(url), _) => Ok(Server {
                url: url.trim_end_matches('/').to_owned(),
                child: None,
                pid: self.server_pid,
                _dir: None,
                label: format!("server at {url}"),
            }),
            (None, Some(sync)) => Server::spawn(&self.bin()?, sync).await,
            (None, None) => bail!("no server and no setting"),
        }
    }
}

impl Server {
    /// Spawns `datacoop serve` on 127.0.0.1:0 with a fresh data directory.
    pub async fn spawn(bin: &Path, synchronous: &str) -> Result<Server> {
        let dir = tempfile::Builder::new()
            .prefix("datacoop-bench-")
            .tempdir()
            .context("temp dir")?;
        let mut cmd = Command::new(bin);
        cmd.env("DATACOOP_DATABASE_SQLITE_SYNCHRONOUS", synchronous);
        let data = dir.path().join("data");
        let mut server = Server::spawn_cmd(cmd, &data, dir.path()).await?;
        server._dir = Some(dir);
        server.label = format!("spawned `datacoop serve`, SQLite, synchronous={synchronous}");
        Ok(server)
    }

    /// Spawns `datacoop serve` on 127.0.0.1:0 on an existing data directory (and
    /// PostgreSQL database, if given), e.g. one the in-process server prepared.
    pub async fn spawn_on(bin: &Path, data: &Path, database_url: Option<&str>) -> Result<Server> {
        let mut cmd = Command::new(bin);
        if let Some(url) = database_url {
            cmd.env("DATACOOP_DATABASE_URL", url);
        }
        let logs = data.parent().unwrap_or(data).to_owned();
        let mut server = Server::spawn_cmd(cmd, data, &logs).await?;
        server.label = format!(
            "spawned `datacoop serve`, {}",
            if database_url.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            }
        );
        Ok(server)
    }

    async fn spawn_cmd(mut cmd: Command, data: &Path, logs: &Path) -> Result<Server> {
        let log_path = logs.join("server.log");
        let log = std::fs::File::create(&log_path).context("server log")?;
        let mut child = cmd
            .arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .context("cannot start the datacoop binary")?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow!("no stdout from the server"))?;
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(rest) = line.split("listening on ").nth(1) {
                        break rest.trim().to_owned();
                    }
                }
                _ => {
                    let _ = child.kill();
                    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                    bail!("the server did not start:\n{log}");
                }
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let pid = child.id();
        let server = Server {
            url,
            child: Some(child),
            pid: Some(pid),
            _dir: None,
            label: "spawned `datacoop serve`".into(),
        };
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = format!("{}/readyz", self.url);
        let http = reqwest::Client::new();
        loop {
            if let Ok(r) = http.get(&url).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                bail!("the server at {} did not become ready", self.url);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Resets the peak resident set (VmHWM) to the current one, so a later
    /// [`Server::peak_rss`] is the peak of what follows.
    pub fn reset_peak(&self) -> Result<()> {
        let pid = self.pid.ok_or_else(|| anyhow!("no pid to reset"))?;
        std::fs::write(format!("/proc/{pid}/clear_refs"), "5")
            .context("cannot reset the server's peak memory (/proc/PID/clear_refs)")
    }

    /// Peak resident set (VmHWM) so far, in bytes, when the pid is known.
    pub fn peak_rss(&self) -> Option<u64> {
        self.pid
            .and_then(|p| proc_status_kib(p, "VmHWM:"))
            .map(|k| k * 1024)
    }

    /// Current resident set (VmRSS), in bytes.
    pub fn rss(&self) -> Option<u64> {
        self.pid
            .and_then(|p| proc_status_kib(p, "VmRSS:"))
            .map(|k| k * 1024)
    }

    /// CPU time (user + system) used so far by the server, when the pid is known.
    pub fn cpu(&self) -> Option<Duration> {
        self.pid.and_then(proc_cpu)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn proc_status_kib(pid: u32, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// user + system CPU time of a process (from /proc/PID/stat; USER_HZ = 100 on Linux).
pub fn proc_cpu(pid: u32) -> Option<Duration> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 here.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// This process's CPU time.
pub fn self_cpu() -> Option<Duration> {
    proc_cpu(std::process::id())
}

/// Human bytes: MiB with one decimal.
pub fn mib(bytes: Option<u64>) -> String {
    match bytes {
        Some(b) => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
        None => "n/a (pid unknown)".into(),
    }
}

/// The real server in this process (routes, database, logs on 127.0.0.1) with a clock
/// the bench moves, `steward` as the steward, no registration limit, and votes closed
/// only when the bench asks: what the governance and consent figures run against.
pub struct InProcess {
    /// The server.
    pub srv: datacoop_server::InThread,
    /// "SQLite (synchronous=full)" or "PostgreSQL", for the tables.
    pub backend: &'static str,
    _dir: tempfile::TempDir,
}

impl InProcess {
    /// The server's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self._dir.path().join("data")
    }

    /// Stops the server, keeping its data directory.
    pub fn stop(self) -> tempfile::TempDir {
        drop(self.srv);
        self._dir
    }
}

/// Starts [`InProcess`] on SQLite in a temporary directory, or on `database_url`.
pub async fn in_process(
    database_url: Option<String>,
    clock: datacoop_app::Clock,
    steward: &str,
) -> Result<InProcess> {
    let dir = tempfile::tempdir()?;
    let backend = if database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite (synchronous=full)"
    };
    let mut config = datacoop_server::config::Config {
        listen: "127.0.0.1:0".into(),
        data_dir: dir.path().join("data"),
        database_url: database_url.map(datacoop_server::config::Secret),
        ..datacoop_server::config::Config::default()
    };
    config.clock = clock;
    config.governance.stewards = vec![steward.into()];
    config.governance.close_interval_secs = 24 * 3600;
    config.auth.registrations_per_minute = 0;
    let srv = datacoop_server::InThread::start(config)
        .await
        .map_err(|e| anyhow!("the server did not start: {e}"))?;
    Ok(InProcess {
        srv,
        backend,
        _dir: dir,
    })
}
