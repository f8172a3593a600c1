//! `stream`: a large file (2 GiB by default) up and down through the real
//! CLI (`datacoop blobs upload` / `blobs get`, each its own child process)
//! against the spawned release server; MB/s each way, hashes compared, and
//! the peak memory (VmHWM) of the server and of each client process.

use crate::report::{Out, Table};
use crate::server::{mib, proc_cpu, ServerArgs};
use crate::PASSPHRASE;
use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Options of `stream`.
#[derive(clap::Args)]
pub struct StreamArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Size of the generated file, bytes.
    #[arg(long, default_value_t = 2 * 1024 * 1024 * 1024)]
    size: u64,
    /// Folder for the generated file and the download [default: a temporary folder].
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
}

/// A child process's figures: wall time, peak RSS, CPU time (sampled from /proc while it ran).
pub(crate) struct ChildRun {
    pub took: Duration,
    pub peak: Option<u64>,
    pub cpu: Option<Duration>,
    pub stdout: Vec<u8>,
}

fn status_kib(pid: u32, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// Runs a command, sampling its VmHWM and CPU time every 20 ms until it exits.
pub(crate) fn run_sampled(mut cmd: Command) -> Result<ChildRun> {
    let t = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start the datacoop CLI")?;
    let pid = child.id();
    let mut out = child.stdout.take().context("no stdout")?;
    let mut err = child.stderr.take().context("no stderr")?;
    let reader = std::thread::spawn(move || {
        let mut o = Vec::new();
        let mut e = Vec::new();
        let _ = out.read_to_end(&mut o);
        let _ = err.read_to_end(&mut e);
        (o, e)
    });
    let (mut peak, mut cpu) = (None, None);
    let status = loop {
        if let Some(k) = status_kib(pid, "VmHWM:") {
            peak = Some(k * 1024);
        }
        if let Some(c) = proc_cpu(pid) {
            cpu = Some(c);
        }
        if let Some(s) = child.try_wait()? {
            break s;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = t.elapsed();
    let (stdout, stderr) = reader
        .join()
        .map_err(|_| anyhow::anyhow!("output reader panicked"))?;
    if !status.success() {
        bail!("{:?} failed: {}", cmd, String::from_utf8_lossy(&stderr));
    }
    Ok(ChildRun {
        took,
        peak,
        cpu,
        stdout,
    })
}

/// Writes `size` bytes of incompressible data; returns its SHA-256.
fn generate(path: &Path, size: u64) -> Result<Vec<u8>> {
    let mut f = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(path).with_context(|| format!("create {}", path.display()))?,
    );
    let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        for word in buf.chunks_mut(8) {
            // xorshift64*: fast, and ChaCha20 output would not compress better anyway.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let v = state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes();
            word.copy_from_slice(&v[..word.len()]);
        }
        let n = left.min(buf.len() as u64) as usize;
        f.write_all(&buf[..n])?;
        hash.update(&buf[..n]);
        left -= n as u64;
    }
    // On disk before the clock starts, so its writeback does not compete with the transfers.
    f.into_inner()
        .map_err(|e| anyhow::anyhow!("write the file: {e}"))?
        .sync_all()?;
    Ok(hash.finish().as_ref().to_vec())
}

fn sha256_file(path: &Path) -> Result<Vec<u8>> {
    let mut f = std::fs::File::open(path)?;
    let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(hash.finish().as_ref().to_vec());
        }
        hash.update(&buf[..n]);
    }
}

fn secs(d: Option<Duration>) -> String {
    d.map(|d| format!("{:.2} s", d.as_secs_f64()))
        .unwrap_or_else(|| "n/a".into())
}

/// Runs the stream benchmark.
pub async fn run(a: StreamArgs, out: &Out) -> Result<()> {
    let bin = a.server.bin()?;
    let setting = a.server.settings().into_iter().next().flatten();
    let srv = a.server.start(setting.as_deref()).await?;
    let tmp = tempfile::Builder::new()
        .prefix("datacoop-bench-stream-")
        .tempdir_in(a.dir.clone().unwrap_or_else(std::env::temp_dir))?;
    let file = tmp.path().join("wearable-export.bin");
    let back = tmp.path().join("downloaded.bin");
    println!(
        "stream: generating {} in {} …",
        mib(Some(a.size)),
        tmp.path().display()
    );
    let source_hash = generate(&file, a.size)?;

    let home = tmp.path().join("home");
    let email = format!("stream-{}@bench.invalid", Uuid::new_v4().simple());
    let cmd = |args: &[&str]| {
        let mut c = Command::new(&bin);
        c.args(args)
            .env("DATACOOP_HOME", &home)
            .env("DATACOOP_SERVER", &srv.url)
            .env("DATACOOP_PASSPHRASE", PASSPHRASE);
        c
    };
    for step in ["register", "login"] {
        run_sampled(cmd(&["member", step, "--email", &email]))?;
    }
    let rss_start = srv.rss();
    let file_s = file.to_string_lossy().into_owned();

    let cpu0 = srv.cpu();
    let up = run_sampled(cmd(&["--json", "blobs", "upload", &file_s]))?;
    let up_server_cpu = srv.cpu().zip(cpu0).map(|(b, a)| b.saturating_sub(a));
    let server_peak_up = srv.peak_rss();
    let v: serde_json::Value = serde_json::from_slice(&up.stdout)
        .with_context(|| format!("upload output: {}", String::from_utf8_lossy(&up.stdout)))?;
    let id = v[0]["id"]
        .as_str()
        .context("the upload printed no id")?
        .to_owned();

    let back_s = back.to_string_lossy().into_owned();
    let cpu0 = srv.cpu();
    let down = run_sampled(cmd(&["--json", "blobs", "get", &id, "-o", &back_s]))?;
    let down_server_cpu = srv.cpu().zip(cpu0).map(|(b, a)| b.saturating_sub(a));
    let server_peak_down = srv.peak_rss();
    let same = sha256_file(&back)? == source_hash;
    if !same {
        bail!("the downloaded file differs from the uploaded one");
    }

    let rate = |d: Duration| format!("{:.0}", a.size as f64 / d.as_secs_f64() / 1e6);
    let mut t = Table::new(
        &format!(
            "Blob stream: a {} file through the CLI (`datacoop blobs upload` / `blobs get`, each a child process) and the release server ({})",
            mib(Some(a.size)),
            srv.label
        ),
        &[
            "direction",
            "what runs",
            "time",
            "MB/s",
            "client peak RSS",
            "server peak RSS so far",
            "client CPU",
            "server CPU",
        ],
    );
    t.row(vec![
        "upload".into(),
        "read → encrypt → HTTP → SHA-256 → blob store (staging, rename)".into(),
        format!("{:.2} s", up.took.as_secs_f64()),
        rate(up.took),
        mib(up.peak),
        mib(server_peak_up),
        secs(up.cpu),
        secs(up_server_cpu),
    ]);
    t.row(vec![
        "download".into(),
        "blob store → HTTP → decrypt → temp file → rename".into(),
        format!("{:.2} s", down.took.as_secs_f64()),
        rate(down.took),
        mib(down.peak),
        mib(server_peak_down),
        secs(down.cpu),
        secs(down_server_cpu),
    ]);
    t.note(format!(
        "Server RSS before the upload {}; SHA-256 of the download equals the source: {same}. MB = 10^6 bytes; times are whole CLI processes (start, session file, metadata calls included).",
        mib(rss_start)
    ));
    t.note("Target: ≥ 300 MB/s each way for 2 GiB, server and client peak memory < 64 MiB.");
    out.table(&t)
}
