//! The collection-service simulator as a real HTTP server (axum) on loopback, speaking the API
//! of `docs/api/collection-service.openapi.json` over the same simulated service demo mode
//! uses in-process. Requests must carry a valid kiosk signature. Faults can be injected:
//! latency, 5xx answers, and answers that never come (the client's timeout). Every exchange
//! is recorded for the contract test.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use serde::Serialize;
use tokio::task::JoinHandle;

use super::sim::SimService;

mod guard;
mod routes;

use guard::*;
use routes::*;

/// Faults to inject into the HTTP exchanges (as the chair simulator's `WireFaults` into its
/// serial line); set from a test (or `[service.sim]`) while the server runs.
#[derive(Default)]
pub struct HttpFaults {
    /// Added to every answer, ms.
    pub latency_ms: AtomicU64,
    /// Answer this many of the next requests with 503.
    pub fail_next: AtomicU32,
    /// Hold this many of the next requests for a minute (the client times out).
    pub stall_next: AtomicU32,
    /// Carry out this many of the next requests, then drop the connection instead of
    /// answering (the kiosk never learns whether it worked: a lost answer).
    pub drop_next: AtomicU32,
}

/// One request and its answer, as the contract test reads them.
#[derive(Clone, Debug, Serialize)]
pub struct Exchange {
    /// GET, POST.
    pub method: String,
    /// The route as the OpenAPI document names it, e.g. `/v1/orders/{order}`.
    pub route: String,
    /// Status answered.
    pub status: u16,
    /// The JSON answered (null for none).
    pub body: serde_json::Value,
    /// The request's JSON body (null for none or not JSON).
    pub request: serde_json::Value,
    /// The request's header names, lower case.
    pub headers: Vec<String>,
    /// The request as it came: path and query, headers (name, value), body. Tests replay it.
    pub raw: (String, Vec<(String, String)>, Vec<u8>),
}

struct AppState {
    sim: Arc<SimService>,
    secret: Vec<u8>,
    kiosk: String,
    faults: Arc<HttpFaults>,
    log: Mutex<Vec<Exchange>>,
    /// Bumped after every exchange, so tests wait on events instead of polling.
    logged: tokio::sync::watch::Sender<usize>,
    /// Shots allowed per code (the real service's own rule; tests lower it).
    shots_max: AtomicU8,
    /// Nonces of accepted requests and their timestamps, kept while a replay of them would
    /// still be within the clock window.
    nonces: Mutex<HashMap<String, u64>>,
}

/// Nonces remembered at most (a kiosk makes a few requests a second; this is hours of them).
/// Past it the service refuses requests rather than forget a nonce too early.
const MAX_NONCES: usize = 100_000;

/// A running simulator server.
pub struct SimServer {
    addr: SocketAddr,
    faults: Arc<HttpFaults>,
    state: Arc<AppState>,
    task: JoinHandle<()>,
}

impl SimServer {
    /// Serve `sim` on 127.0.0.1 (a free port) for kiosk `kiosk` with credential `secret`.
    pub async fn start(sim: Arc<SimService>, kiosk: &str, secret: &[u8]) -> std::io::Result<Self> {
        Self::start_on(sim, kiosk, secret, 0).await
    }

    /// As [`Self::start`], on `port` (0: any free one).
    pub async fn start_on(
        sim: Arc<SimService>,
        kiosk: &str,
        secret: &[u8],
        port: u16,
    ) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let faults = Arc::new(HttpFaults::default());
        let state = Arc::new(AppState {
            sim,
            secret: secret.to_vec(),
            kiosk: kiosk.to_owned(),
            faults: faults.clone(),
            log: Mutex::new(Vec::new()),
            logged: tokio::sync::watch::Sender::new(0),
            shots_max: AtomicU8::new(3),
            nonces: Mutex::new(HashMap::new()),
        });
        let app = Router::new()
            .route("/api/v1/codes/resolve", post(resolve))
            .route("/api/v1/uploads", post(upload))
            .route("/api/v1/submissions/{submission}/review", get(review))
            .route("/api/v1/submissions/{submission}/order", post(order))
            .route("/api/v1/orders/{order}", get(payment))
            .route("/api/v1/orders/{order}/close", post(close))
            .route("/api/v1/heartbeat", post(heartbeat))
            .route("/sim/orders/{order}/pay", post(pay))
            .with_state(state.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the service simulator stopped");
            }
        });
        Ok(Self {
            addr,
            faults,
            state,
            task,
        })
    }

    /// The API's base URL (`http://127.0.0.1:PORT/api`).
    pub fn url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    /// Allow `n` shots per code from now on (3 unless changed), as a service with a stricter
    /// rule than the kiosk's config would.
    pub fn limit_shots(&self, n: u8) {
        self.state.shots_max.store(n, Ordering::SeqCst);
    }

    /// The injectable faults.
    pub fn faults(&self) -> &HttpFaults {
        &self.faults
    }

    /// Wait (at most `timeout`) until the exchanges so far satisfy `pred`.
    pub async fn wait_for(&self, timeout: Duration, pred: impl Fn(&[Exchange]) -> bool) -> bool {
        let mut rx = self.state.logged.subscribe();
        tokio::time::timeout(timeout, async {
            loop {
                if pred(&self.exchanges()) {
                    return true;
                }
                if rx.changed().await.is_err() {
                    return false;
                }
            }
        })
        .await
        .unwrap_or(false)
    }

    /// Every exchange so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.state
            .log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The last order this service made (what the pay screen's QR code is for).
    pub fn last_order(&self) -> Option<String> {
        self.exchanges()
            .iter()
            .rev()
            .find(|x| x.route == "/v1/submissions/{submission}/order" && x.status == 200)
            .and_then(|x| x.body["order"].as_str().map(str::to_owned))
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
