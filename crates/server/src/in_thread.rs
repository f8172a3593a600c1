//! The server on its own thread with its own actix system, for programs that embed it:
//! the test harness and the benchmark programs. Stopped (gracefully) when dropped.

use crate::{start, Config};
use actix_web::web;
use datacoop_app::App;
use std::net::SocketAddr;
use std::thread::JoinHandle;

/// A server running on its own thread.
pub struct InThread {
    /// The bound address.
    pub addr: SocketAddr,
    /// Its application (tokens, the database, the clock).
    pub app: web::Data<App>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl InThread {
    /// Starts the server with `config` on a new thread; the error says why it did not.
    pub async fn start(config: Config) -> Result<InThread, String> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let system = actix_rt::System::new();
            system.block_on(async move {
                match start(config).await {
                    Ok(running) => {
                        let _ = tx.send(Ok((running.addr, running.app.clone())));
                        let handle = running.server.handle();
                        let server = actix_rt::spawn(running.server);
                        let _ = stop_rx.await;
                        handle.stop(false).await;
                        let _ = server.await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string()));
                    }
                }
            });
        });
        let (addr, app) = rx
            .await
            .map_err(|_| "the server thread ended before it started".to_owned())??;
        Ok(InThread {
            addr,
            app,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }
}

impl Drop for InThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
