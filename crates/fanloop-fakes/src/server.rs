//! Serving a fake's router on a loopback port for the lifetime of a value.

use std::net::SocketAddr;
use tokio::task::JoinHandle;

/// A fake listening on `127.0.0.1`; the server task stops when this is dropped.
pub struct FakeServer {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl FakeServer {
    pub async fn start(router: axum::Router) -> FakeServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeServer { addr, task }
    }

    /// `http://127.0.0.1:PORT`, the base URL to put in a channel's settings.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
