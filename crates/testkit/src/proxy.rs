//! A hostile server for the client's tests: a proxy on `127.0.0.1:0` in front
//! of the real server that forwards every request and lets a test rewrite the
//! answers, one thing per scenario, the way a compromised server could.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use datacoop_client::Client;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;

/// The request an answer belongs to.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, e.g. `/api/v1/records/…`.
    pub path: String,
    /// The query string, without `?`.
    pub query: String,
    /// The answer's status.
    pub status: u16,
}

type Rule = Arc<dyn Fn(&Exchange, &mut Vec<u8>) + Send + Sync>;

/// The proxy; stopped when dropped.
pub struct TamperProxy {
    /// The bound address.
    pub addr: SocketAddr,
    rule: Arc<RwLock<Option<Rule>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    rule: Arc<RwLock<Option<Rule>>>,
}

async fn forward(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let url = if query.is_empty() {
        format!("{}{path}", shared.upstream)
    } else {
        format!("{}{path}?{query}", shared.upstream)
    };
    let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes())
        .unwrap_or(reqwest::Method::GET);
    let mut out = shared.http.request(method, url).body(body.to_vec());
    for (name, value) in req.headers() {
        if name != "host" && name != "content-length" {
            out = out.header(name.as_str(), value.as_bytes());
        }
    }
    let res = match out.send().await {
        Ok(r) => r,
        Err(e) => return HttpResponse::BadGateway().body(e.to_string()),
    };
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let mut bytes = res.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    let rule = shared.rule.read().ok().and_then(|r| r.clone());
    if let Some(rule) = rule {
        let ex = Exchange {
            method: req.method().to_string(),
            path,
            query,
            status,
        };
        rule(&ex, &mut bytes);
    }
    let mut answer =
        HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY));
    for (name, value) in &headers {
        if name != "content-length" && name != "transfer-encoding" {
            answer.insert_header((name.as_str(), value.as_bytes()));
        }
    }
    answer.body(bytes)
}

impl TamperProxy {
    /// Starts a proxy in front of `upstream` (e.g. `http://127.0.0.1:PORT`).
    pub async fn start(upstream: String) -> TamperProxy {
        let rule: Arc<RwLock<Option<Rule>>> = Arc::new(RwLock::new(None));
        let shared = web::Data::new(Shared {
            upstream,
            http: reqwest::Client::new(),
            rule: rule.clone(),
        });
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let system = actix_rt::System::new();
            system.block_on(async move {
                let server = actix_web::HttpServer::new(move || {
                    actix_web::App::new()
                        .app_data(shared.clone())
                        .app_data(web::PayloadConfig::new(256 << 20))
                        .default_service(web::to(forward))
                })
                .workers(1)
                .bind("127.0.0.1:0")
                .expect("proxy binds");
                let addr = server.addrs()[0];
                let server = server.run();
                let handle = server.handle();
                let _ = tx.send(addr);
                let task = actix_rt::spawn(server);
                let _ = stop_rx.await;
                handle.stop(false).await;
                let _ = task.await;
            });
        });
        let addr = rx.await.expect("proxy thread answered");
        TamperProxy {
            addr,
            rule,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT` of the proxy.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// An anonymous client that talks to the real server through the proxy.
    pub fn client(&self) -> Client {
        Client::new(&self.base_url()).expect("client")
    }

    /// Rewrites the raw bytes of every answer from now on.
    pub fn set(&self, rule: impl Fn(&Exchange, &mut Vec<u8>) + Send + Sync + 'static) {
        if let Ok(mut r) = self.rule.write() {
            *r = Some(Arc::new(rule));
        }
    }

    /// Rewrites the JSON of successful answers whose path starts with `prefix`.
    pub fn rewrite_json(
        &self,
        prefix: &'static str,
        rule: impl Fn(&Exchange, &mut serde_json::Value) + Send + Sync + 'static,
    ) {
        self.set(move |ex, bytes| {
            if !ex.path.starts_with(prefix) || !(200..300).contains(&ex.status) {
                return;
            }
            if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(bytes) {
                rule(ex, &mut v);
                *bytes = serde_json::to_vec(&v).expect("JSON");
            }
        });
    }

    /// Forwards honestly again.
    pub fn clear(&self) {
        if let Ok(mut r) = self.rule.write() {
            *r = None;
        }
    }
}

impl Drop for TamperProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
