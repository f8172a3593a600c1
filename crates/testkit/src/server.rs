//! The real server on `127.0.0.1:0`, in its own actix system thread.

use crate::{Backend, TestDb};
use actix_web::web;
use datacoop_api::auth::{Role, TokenPair};
use datacoop_app::App;
use datacoop_client::Client;
use datacoop_server::config::{Config, Secret};
use datacoop_server::InThread;
use std::net::SocketAddr;
use uuid::Uuid;

/// A running server with its own database; stopped when dropped.
pub struct TestServer {
    /// The bound address.
    pub addr: SocketAddr,
    /// The server's application, for minting tokens and reaching the database.
    pub app: web::Data<App>,
    /// The backend it runs on.
    pub backend: Backend,
    /// The server; dropped (stopped) before the database.
    _server: InThread,
    /// The test database (kept alive as long as the server).
    pub db: TestDb,
}

impl TestServer {
    /// Starts a server on a fresh database; `None` when the backend is not
    /// available outside CI (see [`TestDb::create`]).
    pub async fn start(backend: Backend) -> Option<TestServer> {
        Self::start_with(backend, |_| {}).await
    }

    /// Like [`TestServer::start`], with a chance to adjust the configuration.
    pub async fn start_with(
        backend: Backend,
        adjust: impl FnOnce(&mut Config),
    ) -> Option<TestServer> {
        let db = TestDb::create(backend)?;
        let mut config = Config {
            listen: "127.0.0.1:0".into(),
            data_dir: db.dir.path().join("data"),
            database_url: Some(Secret(db.url.clone())),
            workers: 2,
            ..Config::default()
        };
        config.database.pool_size = 4;
        adjust(&mut config);
        let server = match InThread::start(config).await {
            Ok(s) => s,
            Err(e) => panic!("test server failed to start: {e}"),
        };
        let server = TestServer {
            addr: server.addr,
            app: server.app.clone(),
            backend,
            _server: server,
            db,
        };
        // The listener is bound, so this waits for the first answer, not a timer.
        server.client().readyz().await.expect("server ready");
        Some(server)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// An anonymous client for this server.
    pub fn client(&self) -> Client {
        Client::new(&self.base_url()).expect("client")
    }

    /// Starts a session for a new subject of `role` (registration belongs to
    /// the accounts crate; this is for testing the token machinery).
    pub async fn session(&self, role: Role) -> (Uuid, TokenPair) {
        let subject = Uuid::now_v7();
        let pair = self
            .app
            .start_session(subject.into(), role, None)
            .await
            .expect("session");
        (subject, pair)
    }
}
