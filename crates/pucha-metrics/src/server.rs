//! The HTTP endpoint every pucha process exposes for Prometheus and for
//! orchestrators: `/metrics` (text format), `/healthz` (the process is alive)
//! and `/readyz` (503 until the process says it is ready, and while a backing
//! service it depends on is down: `pucha_dependency_up` of that service is 0).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::metrics;

/// Whether the process is ready to work; shared between the process and `/readyz`.
///
/// Starts not ready. Clones share one state. A process that depends on backing services
/// names them with [`Readiness::requires`]: it is then not ready while the last contact
/// with one of them failed (`pucha_dependency_up{dependency}` is 0), whatever its flag.
#[derive(Debug, Clone, Default)]
pub struct Readiness {
    ready: Arc<AtomicBool>,
    requires: Arc<Mutex<Vec<crate::Dependency>>>,
}

impl Readiness {
    pub fn new() -> Readiness {
        Readiness::default()
    }

    /// The process needs `deps` to work: `/readyz` answers 503 while one is down.
    pub fn requires(self, deps: &[crate::Dependency]) -> Readiness {
        self.requires.lock().expect("readiness lock").extend(deps);
        self
    }

    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }

    pub fn is_ready(&self) -> bool {
        self.not_ready_reason().is_none()
    }

    /// Why the process is not ready (`None` when it is): it has not started or is
    /// stopping, or a service it requires is down.
    pub fn not_ready_reason(&self) -> Option<String> {
        if !self.ready.load(Ordering::SeqCst) {
            return Some("not ready: starting or stopping".into());
        }
        let down: Vec<&str> = self
            .requires
            .lock()
            .expect("readiness lock")
            .iter()
            .filter(|d| metrics().dependency_up(**d).get() == 0)
            .map(|d| d.as_str())
            .collect();
        (!down.is_empty()).then(|| {
            format!(
                "not ready: {} unreachable (pucha_dependency_up is 0)",
                down.join(" and ")
            )
        })
    }
}

/// A running metrics server. Dropping it stops the server; [`ServerHandle::shutdown`]
/// stops it and waits for in-flight requests to finish.
#[must_use = "dropping the handle stops the server"]
#[derive(Debug)]
pub struct ServerHandle {
    local_addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl ServerHandle {
    /// The address the server listens on (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Graceful shutdown: stop accepting, finish in-flight requests, return.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Binds `addr` and serves `/metrics`, `/healthz` and `/readyz` in a background task.
pub async fn serve(addr: SocketAddr, ready: Readiness) -> std::io::Result<ServerHandle> {
    let listener = TcpListener::bind(addr).await?;
    serve_listener(listener, ready)
}

/// Like [`serve`] on an already bound listener (tests bind port 0 themselves).
pub fn serve_listener(listener: TcpListener, ready: Readiness) -> std::io::Result<ServerHandle> {
    let local_addr = listener.local_addr()?;
    let app = Router::new()
        .route("/metrics", get(metrics_text))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(ready);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    tracing::info!(addr = %local_addr, "Serving /metrics, /healthz and /readyz");
    Ok(ServerHandle {
        local_addr,
        stop: Some(stop),
        task: Some(task),
    })
}

async fn metrics_text() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics().render(),
    )
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(ready): State<Readiness>) -> impl IntoResponse {
    match ready.not_ready_reason() {
        None => (StatusCode::OK, "ready\n".to_string()),
        Some(reason) => (StatusCode::SERVICE_UNAVAILABLE, format!("{reason}\n")),
    }
}
