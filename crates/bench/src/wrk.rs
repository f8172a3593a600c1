//! The same creates and reads driven by wrk, as a cross-check of our own load
//! loop. A Lua script gives every create a fresh pre-sealed body (new record
//! id) and every read an existing id; each wrk thread takes every other line.

use crate::server::Server;
use anyhow::{bail, Context, Result};
use datacoop_api::paths;
use datacoop_client::member::{MemberSession, RecordDraft};
use std::io::Write;
use std::process::Command;
use std::time::Duration;
use uuid::Uuid;

const SCRIPT: &str = r#"
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  mode = args[1]
  local nthreads = tonumber(args[4])
  items = {}
  local k = 0
  for line in io.lines(args[2]) do
    if k % nthreads == tid then items[#items + 1] = line end
    k = k + 1
  end
  hdr = { ["Authorization"] = "Bearer " .. args[3], ["Content-Type"] = "application/json" }
  i = 0
end
function request()
  i = i + 1
  local item = items[((i - 1) % #items) + 1]
  if mode == "create" then
    return wrk.format("POST", "{RECORDS}", hdr, item)
  end
  return wrk.format("GET", "{RECORDS}/" .. item, hdr)
end
"#;

/// What one wrk run printed.
pub struct WrkResult {
    /// Requests completed.
    pub requests: u64,
    /// Requests/sec.
    pub rate: f64,
    /// Median latency as wrk prints it.
    pub p50: String,
    /// 99th percentile latency as wrk prints it.
    pub p99: String,
    /// Maximum latency as wrk prints it.
    pub max: String,
    /// Non-2xx answers.
    pub non2xx: u64,
    /// Server CPU time during the run.
    pub server_cpu: Option<Duration>,
}

const THREADS: usize = 2;

fn wrk(
    srv: &Server,
    mode: &str,
    file: &std::path::Path,
    token: &str,
    conns: usize,
    secs: u64,
    script: &std::path::Path,
) -> Result<WrkResult> {
    let cpu0 = srv.cpu();
    let out = Command::new("wrk")
        .arg(format!("-t{THREADS}"))
        .arg(format!("-c{conns}"))
        .arg(format!("-d{secs}s"))
        .arg("--latency")
        .arg("-s")
        .arg(script)
        .arg(&srv.url)
        .arg("--")
        .arg(mode)
        .arg(file)
        .arg(token)
        .arg(THREADS.to_string())
        .output()
        .context("cannot run wrk; install it (apt-get install wrk) or run crates/bench/run.sh")?;
    let server_cpu = cpu0.zip(srv.cpu()).map(|(a, b)| b.saturating_sub(a));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        bail!("wrk failed: {text}{}", String::from_utf8_lossy(&out.stderr));
    }
    let mut r = WrkResult {
        requests: 0,
        rate: 0.0,
        p50: String::new(),
        p99: String::new(),
        max: String::new(),
        non2xx: 0,
        server_cpu,
    };
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.as_slice() {
            ["Latency", _avg, _sd, max, ..] => r.max = (*max).to_owned(),
            ["50%", v] => r.p50 = (*v).to_owned(),
            ["99%", v] => r.p99 = (*v).to_owned(),
            [n, "requests", "in", ..] => r.requests = n.parse().unwrap_or(0),
            ["Non-2xx", "or", "3xx", "responses:", n] => r.non2xx = n.parse().unwrap_or(0),
            ["Requests/sec:", v] => r.rate = v.parse().unwrap_or(0.0),
            _ => {}
        }
    }
    if r.requests == 0 {
        bail!("could not read wrk's output:\n{text}");
    }
    Ok(r)
}

/// Runs wrk for creates (fresh bodies) and reads (existing ids).
pub async fn run_phases(
    srv: &Server,
    s: &MemberSession,
    ids: &[Uuid],
    size: usize,
    conns: usize,
    secs: u64,
) -> Result<Vec<(String, WrkResult)>> {
    let dir = tempfile::Builder::new()
        .prefix("datacoop-bench-wrk-")
        .tempdir()?;
    let script = dir.path().join("records.lua");
    std::fs::write(&script, SCRIPT.replace("{RECORDS}", paths::RECORDS))?;
    // Enough fresh bodies for 15,000 creates/s; more would be a repeat (an
    // idempotent no-op), so a run that exhausts them is flagged.
    let n = 15_000 * secs as usize;
    let bodies_path = dir.path().join("bodies.ndjson");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&bodies_path)?);
        let content = vec![b'x'; size];
        for start in (0..n).step_by(1000) {
            let drafts: Vec<RecordDraft> = (start..n.min(start + 1000))
                .map(|_| RecordDraft {
                    category: "health.vital-signs".into(),
                    type_code: "loinc:8867-4".into(),
                    effective_at: Some("2026-03-01T07:30:00Z".into()),
                    content_type: "application/json".into(),
                    content: content.clone(),
                })
                .collect();
            for u in s.seal(&drafts)? {
                serde_json::to_writer(&mut f, &u)?;
                f.write_all(b"\n")?;
            }
        }
        f.flush()?;
    }
    let ids_path = dir.path().join("ids.txt");
    std::fs::write(
        &ids_path,
        ids.iter().map(|u| format!("{u}\n")).collect::<String>(),
    )?;
    let token = &s.access_token;
    let c = wrk(srv, "create", &bodies_path, token, conns, secs, &script)?;
    let create_label = if c.requests as usize > n {
        "create (INVALID: bodies ran out, repeats counted)".to_owned()
    } else {
        "create `POST /api/v1/records`".to_owned()
    };
    let r = wrk(srv, "read", &ids_path, token, conns, secs, &script)?;
    Ok(vec![
        (create_label, c),
        ("read `GET /api/v1/records/{id}`".to_owned(), r),
    ])
}
