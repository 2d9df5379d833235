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
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use tokio::task::JoinHandle;

use super::sim::SimService;
use super::wire::{
    self, H_CODE, H_IDEMPOTENCY, H_KIOSK, H_NONCE, H_SHA256, H_SHOT, H_SIGNATURE, H_TIMESTAMP,
};
use super::{CollectionService, ServiceError};
use kiosk_core::flow::{PaymentState, RejectReason, ReviewState};

/// Faults to inject; set from a test (or `[service.sim]`) while the server runs.
#[derive(Default)]
pub struct Faults {
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
    faults: Arc<Faults>,
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
    faults: Arc<Faults>,
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
        let faults = Arc::new(Faults::default());
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
    pub fn faults(&self) -> &Faults {
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

fn problem(
    status: StatusCode,
    error: &str,
    message: impl Into<String>,
) -> (StatusCode, serde_json::Value) {
    let body = serde_json::to_value(wire::Problem {
        error: error.into(),
        message: message.into(),
    })
    .unwrap_or_default();
    (status, body)
}

fn service_problem(e: ServiceError) -> (StatusCode, serde_json::Value) {
    match e {
        ServiceError::Rejected(RejectReason::Unknown) => problem(
            StatusCode::NOT_FOUND,
            "unknown_code",
            "not a code this service issued",
        ),
        ServiceError::Rejected(RejectReason::Expired) => {
            problem(StatusCode::GONE, "expired_code", "the code expired")
        }
        ServiceError::Rejected(RejectReason::RawChsi) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "raw_chsi_code",
            "a CHSI image-collection code, not a personal shooting code",
        ),
        ServiceError::Refused(m) => problem(StatusCode::NOT_FOUND, "not_found", m),
        ServiceError::Unavailable(m) => problem(StatusCode::SERVICE_UNAVAILABLE, "unavailable", m),
    }
}

/// One request as the handlers need it: method, URI, headers and the whole body (the
/// signature covers the body, so it is read before anything else).
struct Req {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for Req {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, _: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, 32 << 20)
            .await
            .map_err(|e| (StatusCode::PAYLOAD_TOO_LARGE, e.to_string()).into_response())?;
        Ok(Self {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
        })
    }
}

/// Faults, signature, then the handler; the exchange is logged under `route`.
async fn guarded(
    state: &AppState,
    route: &str,
    req: &Req,
    handler: impl std::future::Future<Output = (StatusCode, serde_json::Value)>,
) -> Response {
    let Req {
        method,
        uri,
        headers,
        body,
    } = req;
    let latency = state.faults.latency_ms.load(Ordering::Relaxed);
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let take = |n: &AtomicU32| {
        n.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1))
            .is_ok()
    };
    let dropped = take(&state.faults.drop_next);
    let (status, json) = if take(&state.faults.stall_next) {
        tokio::time::sleep(Duration::from_secs(60)).await;
        problem(StatusCode::GATEWAY_TIMEOUT, "unavailable", "stalled")
    } else if take(&state.faults.fail_next) {
        problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "injected fault",
        )
    } else if let Err(why) = authenticate(state, method, uri, headers, body) {
        problem(StatusCode::UNAUTHORIZED, "bad_signature", why)
    } else {
        handler.await
    };
    state
        .log
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(Exchange {
            method: method.to_string(),
            route: route.to_owned(),
            status: status.as_u16(),
            body: json.clone(),
            request: serde_json::from_slice(body).unwrap_or(serde_json::Value::Null),
            headers: headers.keys().map(|k| k.as_str().to_owned()).collect(),
            raw: (
                uri.path_and_query()
                    .map_or(uri.path(), |p| p.as_str())
                    .to_owned(),
                headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into()))
                    .collect(),
                body.to_vec(),
            ),
        });
    state.logged.send_modify(|n| *n += 1);
    if dropped {
        // The work is done; the answer is lost on the way (the body breaks off mid-stream).
        return Response::builder()
            .status(status)
            .body(axum::body::Body::new(Broken))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    if status == StatusCode::NO_CONTENT {
        return status.into_response();
    }
    (status, axum::Json(json)).into_response()
}

/// A response body that fails at once: the server hangs up instead of answering.
struct Broken;

impl http_body::Body for Broken {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection dropped (injected fault)",
        ))))
    }
}

fn authenticate(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| format!("missing {name}"))
    };
    if header(H_KIOSK)? != state.kiosk {
        return Err("unknown kiosk".into());
    }
    let ts: u64 = header(H_TIMESTAMP)?
        .parse()
        .map_err(|_| "bad timestamp".to_owned())?;
    let now = kiosk_core::clock::now_secs();
    if now.abs_diff(ts) > wire::MAX_SKEW_SECS {
        return Err("timestamp too far from the service's clock".into());
    }
    let nonce = header(H_NONCE)?;
    if !(16..=64).contains(&nonce.len()) {
        return Err("the nonce must be 16 to 64 characters".into());
    }
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let text = wire::canonical(
        method.as_str(),
        path,
        ts,
        |name| headers.get(name).and_then(|v| v.to_str().ok()),
        body,
    );
    if !wire::verify(&state.secret, &text, header(H_SIGNATURE)?) {
        return Err("signature does not match".into());
    }
    let mut seen = state.nonces.lock().unwrap_or_else(|p| p.into_inner());
    seen.retain(|_, at| now.abs_diff(*at) <= 2 * wire::MAX_SKEW_SECS);
    if seen.contains_key(nonce) {
        return Err("replayed request: this nonce was already used".into());
    }
    if seen.len() >= MAX_NONCES {
        return Err("too many requests in the replay window".into());
    }
    seen.insert(nonce.to_owned(), ts);
    Ok(())
}

fn json<T: Serialize>(status: StatusCode, v: T) -> (StatusCode, serde_json::Value) {
    (status, serde_json::to_value(v).unwrap_or_default())
}

fn expires_in(secs: u64) -> u64 {
    kiosk_core::clock::now_secs() + secs
}

async fn resolve(State(s): State<Arc<AppState>>, req: Req) -> Response {
    let handler = async {
        let Ok(req) = serde_json::from_slice::<wire::ResolveRequest>(&req.body) else {
            return problem(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "expected {\"code\": …}",
            );
        };
        match s.sim.resolve(&req.code).await {
            Ok(r) => json(
                StatusCode::OK,
                wire::Resolved {
                    name_masked: r.identity.name,
                    id_number_masked: r.identity.id_number,
                    school: r.identity.school,
                    level: r.identity.level,
                    shots_used: r.shots_used,
                    shots_max: s.shots_max.load(Ordering::SeqCst),
                    expires_at: expires_in(7 * 24 * 3600),
                },
            ),
            Err(e) => service_problem(e),
        }
    };
    guarded(&s, "/v1/codes/resolve", &req, handler).await
}

async fn upload(State(s): State<Arc<AppState>>, req: Req) -> Response {
    let handler = async {
        let h = |n: &str| {
            req.headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        let (code, key, sum) = (h(H_CODE), h(H_IDEMPOTENCY), h(H_SHA256));
        let Ok(shot) = h(H_SHOT).parse::<u8>() else {
            return problem(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "x-shot must be 1..3",
            );
        };
        if key.len() < 8 || code.is_empty() {
            return problem(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "idempotency-key and x-shooting-code are required",
            );
        }
        if wire::sha256_hex(&req.body) != sum {
            return problem(
                StatusCode::BAD_REQUEST,
                "bad_checksum",
                "the body does not match x-content-sha256; nothing stored",
            );
        }
        let shots_max = s.shots_max.load(Ordering::SeqCst);
        if shot == 0 || shot > shots_max {
            return problem(
                StatusCode::CONFLICT,
                "no_shots_left",
                format!("shot {shot} of {shots_max}"),
            );
        }
        let existed = s.sim.has_upload(code, shot);
        match s.sim.upload(code, shot, &req.body).await {
            Ok(submission) => json(
                if existed {
                    StatusCode::OK
                } else {
                    StatusCode::CREATED
                },
                wire::Submission {
                    submission,
                    shots_used: s.sim.shots(code),
                },
            ),
            Err(e) => service_problem(e),
        }
    };
    guarded(&s, "/v1/uploads", &req, handler).await
}

async fn review(
    State(s): State<Arc<AppState>>,
    Path(submission): Path<String>,
    req: Req,
) -> Response {
    let handler = async {
        match s.sim.review(&submission).await {
            Ok(r) => {
                let (state, reasons) = match r {
                    ReviewState::Pending => ("pending", vec![]),
                    ReviewState::Passed => ("passed", vec![]),
                    ReviewState::Failed(r) => ("failed", r),
                };
                json(
                    StatusCode::OK,
                    wire::Review {
                        state: state.into(),
                        reasons: reasons
                            .into_iter()
                            .map(|(zh, en)| wire::Reason { zh, en })
                            .collect(),
                    },
                )
            }
            Err(e) => service_problem(e),
        }
    };
    guarded(&s, "/v1/submissions/{submission}/review", &req, handler).await
}

async fn order(
    State(s): State<Arc<AppState>>,
    Path(submission): Path<String>,
    req: Req,
) -> Response {
    let handler = async {
        match s.sim.review(&submission).await {
            Ok(ReviewState::Passed) => {}
            Ok(_) => {
                return problem(
                    StatusCode::CONFLICT,
                    "not_passed",
                    "the submission has not passed review",
                );
            }
            Err(e) => return service_problem(e),
        }
        match s.sim.create_order(&submission).await {
            Ok(o) => json(
                StatusCode::OK,
                wire::Order {
                    order: o.id,
                    code_url: o.code_url,
                    amount_fen: o.amount_fen,
                    expires_at: expires_in(2 * 3600),
                },
            ),
            Err(e) => service_problem(e),
        }
    };
    guarded(&s, "/v1/submissions/{submission}/order", &req, handler).await
}

fn payment_json(order: &str, state: PaymentState) -> (StatusCode, serde_json::Value) {
    let state = match state {
        PaymentState::Pending => "pending",
        PaymentState::Paid => "paid",
        PaymentState::Closed => "closed",
    };
    json(
        StatusCode::OK,
        wire::Payment {
            order: order.into(),
            state: state.into(),
        },
    )
}

async fn payment(State(s): State<Arc<AppState>>, Path(order): Path<String>, req: Req) -> Response {
    let handler = async {
        match s.sim.payment(&order).await {
            Ok(p) => payment_json(&order, p),
            Err(e) => service_problem(e),
        }
    };
    guarded(&s, "/v1/orders/{order}", &req, handler).await
}

async fn close(State(s): State<Arc<AppState>>, Path(order): Path<String>, req: Req) -> Response {
    let handler = async {
        if let Err(e) = s.sim.close_order(&order).await {
            return service_problem(e);
        }
        match s.sim.payment(&order).await {
            Ok(p) => payment_json(&order, p),
            Err(e) => service_problem(e),
        }
    };
    guarded(&s, "/v1/orders/{order}/close", &req, handler).await
}

async fn heartbeat(State(s): State<Arc<AppState>>, req: Req) -> Response {
    let handler = async {
        match serde_json::from_slice::<wire::Heartbeat>(&req.body) {
            Ok(beat) => match s.sim.heartbeat(&beat).await {
                Ok(()) => (StatusCode::NO_CONTENT, serde_json::Value::Null),
                Err(e) => service_problem(e),
            },
            Err(e) => problem(StatusCode::BAD_REQUEST, "bad_request", e.to_string()),
        }
    };
    guarded(&s, "/v1/heartbeat", &req, handler).await
}

/// Simulator only: WeChat's payment notification for `order` (idempotent, like the real one
/// arriving twice).
async fn pay(State(s): State<Arc<AppState>>, Path(order): Path<String>) -> Response {
    if s.sim.pay(&order) {
        (
            StatusCode::OK,
            axum::Json(serde_json::json!({"order": order, "state": "paid"})),
        )
            .into_response()
    } else {
        let (status, body) = problem(StatusCode::NOT_FOUND, "unknown_order", order);
        (status, axum::Json(body)).into_response()
    }
}
