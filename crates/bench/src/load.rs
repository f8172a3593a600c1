//! `load`: single 1 KiB records, one per request, over 16 keep-alive
//! connections with a bearer token: creates, reads, and lists of a member
//! with 100,000 records. The load loop is our own (reqwest + tokio, one task
//! and one connection per client) so that every create carries a fresh
//! record id and every answer is checked; `--wrk` repeats creates and reads
//! with wrk as a cross-check.

use crate::driver::{drive, Outcome, Req};
use crate::import::member;
use crate::report::{ms, thousands, Out, Table};
use crate::server::{self, ServerArgs};
use crate::{gen, wrk};
use anyhow::{anyhow, Context, Result};
use datacoop_api::paths;
use datacoop_client::member::{MemberSession, RecordDraft};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Options of `load`.
#[derive(clap::Args)]
pub struct LoadArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Concurrent connections (one client task each).
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Timed creates (each a new record id).
    #[arg(long, default_value_t = 50_000)]
    creates: usize,
    /// Timed reads.
    #[arg(long, default_value_t = 100_000)]
    reads: usize,
    /// Untimed requests before each timed phase.
    #[arg(long, default_value_t = 2_000)]
    warmup: usize,
    /// Plaintext bytes per record.
    #[arg(long, default_value_t = 1024)]
    record_size: usize,
    /// Records of the member whose list is measured (0 skips the list phase).
    #[arg(long, default_value_t = 100_000)]
    list_records: usize,
    /// Timed list requests (per list variant).
    #[arg(long, default_value_t = 20_000)]
    lists: usize,
    /// Also measure creates and reads with wrk (must be on PATH; `crates/bench/run.sh` installs it).
    #[arg(long)]
    wrk: bool,
    /// wrk run length per phase, seconds.
    #[arg(long, default_value_t = 10)]
    wrk_seconds: u64,
    /// The sample bundle to vary for the list member's records.
    #[arg(long)]
    sample: Option<PathBuf>,
}

/// Pre-sealed single-record bodies (`POST /api/v1/records`), each a new id.
fn sealed_bodies(s: &MemberSession, n: usize, size: usize) -> Result<(Vec<Vec<u8>>, Vec<Uuid>)> {
    let mut bodies = Vec::with_capacity(n);
    let mut ids = Vec::with_capacity(n);
    for chunk_start in (0..n).step_by(1000) {
        let drafts: Vec<RecordDraft> = (chunk_start..n.min(chunk_start + 1000))
            .map(|i| {
                let mut content = format!("{{\"n\":{i},\"pad\":\"").into_bytes();
                while content.len() < size.saturating_sub(2) {
                    content.push(b'a' + (content.len() % 26) as u8);
                }
                content.extend_from_slice(b"\"}");
                RecordDraft {
                    category: "health.vital-signs".into(),
                    type_code: "loinc:8867-4".into(),
                    effective_at: Some("2026-03-01T07:30:00Z".into()),
                    content_type: "application/json".into(),
                    content,
                }
            })
            .collect();
        for u in s.seal(&drafts)? {
            ids.push(u.id);
            bodies.push(serde_json::to_vec(&u)?);
        }
    }
    Ok((bodies, ids))
}

fn cpu_per_req(o: &Outcome, d: Option<Duration>) -> String {
    d.map(|d| {
        format!(
            "{:.0} µs",
            d.as_secs_f64() * 1e6 / o.lat.len().max(1) as f64
        )
    })
    .unwrap_or_else(|| "n/a".into())
}

fn row(t: &mut Table, label: &str, what: &str, o: &Outcome) {
    t.row(vec![
        label.to_owned(),
        what.to_owned(),
        thousands(o.lat.len() as f64),
        thousands(o.rate()),
        ms(o.pct(50.0)),
        ms(o.pct(99.0)),
        ms(o.lat.last().copied().unwrap_or_default()),
        o.errors.to_string(),
        cpu_per_req(o, o.server_cpu),
        cpu_per_req(o, o.client_cpu),
    ]);
    if let Some(e) = &o.first_error {
        t.note(format!("{label} {what}: first unexpected answer: {e}"));
    }
}

/// Records per seeding request (the server takes 4 MiB bodies by default).
const SEED_BATCH: usize = 1000;

/// Seeds a member with `n` records (generated FHIR Observations) in batches of `SEED_BATCH`.
async fn seed(s: &MemberSession, n: usize, sample: Option<PathBuf>) -> Result<Vec<Uuid>> {
    let samples = gen::sample_observations(&gen::sample_path(sample))?;
    let mut ids = Vec::with_capacity(n);
    for start in (0..n).step_by(SEED_BATCH) {
        let mut drafts = Vec::new();
        for i in start..n.min(start + SEED_BATCH) {
            let o = gen::observation(&samples, i)?;
            let item = datacoop_formats::fhir::parse(serde_json::to_vec(&o)?.as_slice())?
                .items
                .into_iter()
                .next()
                .ok_or_else(|| anyhow!("generated Observation {i} did not parse"))?;
            drafts.push(RecordDraft {
                category: item.category,
                type_code: item.type_code,
                effective_at: item.effective_at,
                content_type: item.content_type,
                content: item.content,
            });
        }
        let sealed = s.seal(&drafts)?;
        ids.extend(sealed.iter().map(|u| u.id));
        s.upload(sealed, &Uuid::now_v7().to_string())
            .await
            .context("seeding the list member")?;
    }
    Ok(ids)
}

/// Runs the load figures.
pub async fn run(args: LoadArgs, out: &Out) -> Result<()> {
    let c = args.connections;
    let mut t = Table::new(
        &format!(
            "HTTP load: {} KiB records, one per request, {c} connections, bearer token on every request (load loop: Rust, reqwest + tokio, one task and one keep-alive connection per client)",
            args.record_size as f64 / 1024.0
        ),
        &[
            "server",
            "request",
            "timed requests",
            "req/s",
            "p50",
            "p99",
            "max",
            "errors",
            "server CPU/req",
            "client CPU/req",
        ],
    );
    let mut w = Table::new(
        &format!("Cross-check with wrk 4.1 ({c} connections, 2 threads, {} s per phase, Lua script varying the record id)", args.wrk_seconds),
        &["server", "request", "completed", "req/s", "p50", "p99", "max", "non-2xx", "server CPU/req"],
    );
    for setting in args.server.settings() {
        let srv = args.server.start(setting.as_deref()).await?;
        let label = format!(
            "synchronous={}",
            setting.clone().unwrap_or_else(|| srv.label.clone())
        );
        let s = member(&srv.url, "load").await?;
        let token = s.access_token.clone();
        let rss0 = srv.rss();

        // Creates: every body pre-sealed, every id new.
        let total = args.warmup + args.creates;
        let (bodies, ids) = sealed_bodies(&s, total, args.record_size)?;
        let bodies = Arc::new(std::sync::Mutex::new(
            bodies.into_iter().map(Some).collect::<Vec<_>>(),
        ));
        let take = |offset: usize| {
            let bodies = bodies.clone();
            Arc::new(move |i: usize| {
                let body = bodies
                    .lock()
                    .ok()
                    .and_then(|mut b| b.get_mut(offset + i).and_then(Option::take))
                    .unwrap_or_default();
                Req::Post(paths::RECORDS, body)
            }) as Arc<dyn Fn(usize) -> Req + Send + Sync>
        };
        drive(&srv, &token, c, args.warmup, 201, take(0)).await?;
        let o = drive(&srv, &token, c, args.creates, 201, take(args.warmup)).await?;
        row(&mut t, &label, "create `POST /api/v1/records`", &o);

        // Reads of the records just created.
        let ids = Arc::new(ids);
        let read = {
            let ids = ids.clone();
            Arc::new(move |i: usize| Req::Get(paths::record(ids[i % ids.len()])))
                as Arc<dyn Fn(usize) -> Req + Send + Sync>
        };
        drive(&srv, &token, c, args.warmup, 200, read.clone()).await?;
        let o = drive(&srv, &token, c, args.reads, 200, read).await?;
        row(&mut t, &label, "read `GET /api/v1/records/{id}`", &o);
        let peak_single = srv.peak_rss();

        if args.wrk {
            let more =
                wrk::run_phases(&srv, &s, &ids, args.record_size, c, args.wrk_seconds).await?;
            for (what, r) in more {
                w.row(vec![
                    label.clone(),
                    what,
                    thousands(r.requests as f64),
                    thousands(r.rate),
                    r.p50,
                    r.p99,
                    r.max,
                    r.non2xx.to_string(),
                    r.server_cpu
                        .map(|d| {
                            format!("{:.0} µs", d.as_secs_f64() * 1e6 / r.requests.max(1) as f64)
                        })
                        .unwrap_or_else(|| "n/a".into()),
                ]);
            }
        }
        let peak_after_wrk = srv.peak_rss();

        // Lists of a member with many records.
        if args.list_records > 0 {
            let lm = member(&srv.url, "list").await?;
            let seed_start = Instant::now();
            let mut list_ids = seed(&lm, args.list_records, args.sample.clone()).await?;
            let seeded = seed_start.elapsed();
            list_ids.sort_unstable_by_key(|u| u.to_string());
            let list_ids = Arc::new(list_ids);
            let first: Arc<dyn Fn(usize) -> Req + Send + Sync> =
                Arc::new(|_| Req::Get(format!("{}?limit=100", paths::RECORDS)));
            drive(&srv, &lm.access_token, c, args.warmup, 200, first.clone()).await?;
            let o = drive(&srv, &lm.access_token, c, args.lists, 200, first).await?;
            row(
                &mut t,
                &label,
                &format!(
                    "list `GET /api/v1/records?limit=100`, member with {} records",
                    thousands(args.list_records as f64)
                ),
                &o,
            );
            // Pages from all over the list: a cursor from a pseudo-random position.
            let spread = {
                let ids = list_ids.clone();
                Arc::new(move |i: usize| {
                    let pos =
                        (i.wrapping_mul(2_654_435_761)) % ids.len().saturating_sub(100).max(1);
                    Req::Get(format!("{}?limit=100&after={}", paths::RECORDS, ids[pos]))
                }) as Arc<dyn Fn(usize) -> Req + Send + Sync>
            };
            let o = drive(&srv, &lm.access_token, c, args.lists, 200, spread).await?;
            row(
                &mut t,
                &label,
                "list `…?limit=100&after={cursor}`, cursors spread over the whole list",
                &o,
            );
            t.note(format!(
                "{label}: seeding the list member ({} records, batches of 1,000) took {}",
                thousands(args.list_records as f64),
                ms(seeded)
            ));
        }
        t.note(format!(
            "{label}: server RSS at start {}; peak RSS (VmHWM) after the single-record creates and reads {}{}; after everything (incl. the 1,000-record seeding batches) {}",
            server::mib(rss0),
            server::mib(peak_single),
            if args.wrk { format!(", after the wrk runs {}", server::mib(peak_after_wrk)) } else { String::new() },
            server::mib(srv.peak_rss())
        ));
    }
    t.note("Targets: creates ≥ 5,000/s, reads ≥ 10,000/s, p99 < 20 ms, server RSS < 64 MiB; list of 100 of 100,000 records p99 < 10 ms at 16 clients.");
    t.note("CPU/req: CPU time (user + system, /proc/PID/stat) of the server and of this load generator during the timed phase, divided by the requests; both share the same cores.");
    out.table(&t)?;
    if args.wrk {
        out.table(&w)?;
    }
    Ok(())
}
