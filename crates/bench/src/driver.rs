//! The load driver: concurrent tasks, each with its own keep-alive
//! connection, sending requests and recording latencies and outcomes.

use crate::server::{self, Server};
use anyhow::Result;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One request of a load phase.
pub enum Req {
    /// GET path.
    Get(String),
    /// POST path with a JSON body.
    Post(&'static str, Vec<u8>),
}

/// What a load phase measured.
pub struct Outcome {
    /// Wall time of the timed requests.
    pub elapsed: Duration,
    /// Latencies, sorted.
    pub lat: Vec<Duration>,
    /// Answers that were not the expected status.
    pub errors: usize,
    /// The first such answer.
    pub first_error: Option<String>,
    /// Server CPU time during the phase.
    pub server_cpu: Option<Duration>,
    /// Our CPU time during the phase.
    pub client_cpu: Option<Duration>,
}

impl Outcome {
    /// Requests per second.
    pub fn rate(&self) -> f64 {
        self.lat.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The q-th percentile latency.
    pub fn pct(&self, q: f64) -> Duration {
        if self.lat.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.lat.len() as f64 * q / 100.0).ceil() as usize).clamp(1, self.lat.len());
        self.lat[i - 1]
    }
}

/// Sends `n` requests from `conns` tasks, each with its own client (one
/// keep-alive connection); `make(i)` builds request `i`.
pub async fn drive(
    srv: &Server,
    token: &str,
    conns: usize,
    n: usize,
    expect: u16,
    make: Arc<dyn Fn(usize) -> Req + Send + Sync>,
) -> Result<Outcome> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    let cpu0 = srv.cpu();
    let me0 = server::self_cpu();
    let start = Instant::now();
    for _ in 0..conns {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .tcp_nodelay(true)
            .build()?;
        let next = next.clone();
        let make = make.clone();
        let base = srv.url.clone();
        let auth = format!("Bearer {token}");
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(n / conns + 1);
            let mut errors = 0usize;
            let mut first_error = None;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let req = match make(i) {
                    Req::Get(p) => http.get(format!("{base}{p}")),
                    Req::Post(p, body) => http
                        .post(format!("{base}{p}"))
                        .header("content-type", "application/json")
                        .body(body),
                }
                .header("authorization", &auth);
                let t = Instant::now();
                let res = req.send().await;
                let ok = match res {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let body = r.bytes().await;
                        match body {
                            Ok(b) if status == expect => {
                                drop(b);
                                true
                            }
                            Ok(b) => {
                                if first_error.is_none() {
                                    first_error = Some(format!(
                                        "{status}: {}",
                                        String::from_utf8_lossy(&b[..b.len().min(200)])
                                    ));
                                }
                                false
                            }
                            Err(e) => {
                                first_error.get_or_insert_with(|| e.to_string());
                                false
                            }
                        }
                    }
                    Err(e) => {
                        first_error.get_or_insert_with(|| e.to_string());
                        false
                    }
                };
                lat.push(t.elapsed());
                if !ok {
                    errors += 1;
                }
            }
            (lat, errors, first_error)
        }));
    }
    let mut lat = Vec::with_capacity(n);
    let mut errors = 0;
    let mut first_error = None;
    for t in tasks {
        let (l, e, f) = t.await?;
        lat.extend(l);
        errors += e;
        if first_error.is_none() {
            first_error = f;
        }
    }
    let elapsed = start.elapsed();
    lat.sort_unstable();
    Ok(Outcome {
        elapsed,
        lat,
        errors,
        first_error,
        server_cpu: cpu0.zip(srv.cpu()).map(|(a, b)| b.saturating_sub(a)),
        client_cpu: me0
            .zip(server::self_cpu())
            .map(|(a, b)| b.saturating_sub(a)),
    })
}
