//! The collection service over HTTPS (`docs/api/collection-service.openapi.json`).
//!
//! reqwest with rustls only; plain http is refused except to a loopback address (the
//! simulator). Every request is signed with the kiosk's credential. Every call the kiosk makes
//! is idempotent (reads, and writes carrying an idempotency key or naming their target), so
//! each is retried on a timeout, a dropped connection or a 5xx, with jittered exponential
//! backoff; a 4xx is an answer and is never retried.
//!
//! Redirects are never followed: the signature, the code and the photo go to `service.url`
//! and nowhere else, so a 3xx is treated as the service being unreachable. An answer is read
//! only up to [`MAX_ANSWER_BYTES`], checked against its Content-Length before reading and
//! again while reading, so a broken or hostile service cannot fill the kiosk's memory.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::{Method, StatusCode, Url};
use tracing::{info, warn};

use super::wire::{
    self, H_CODE, H_IDEMPOTENCY, H_KIOSK, H_NONCE, H_SHA256, H_SHOT, H_SIGNATURE, H_TIMESTAMP,
};
use super::{CollectionService, Outage, Refusal, Resolved, ServiceError};
use kiosk_core::flow::{Identity, OrderInfo, PaymentState, RejectReason, ReviewState};
use kiosk_core::mask;

/// Largest answer read: the service's JSON answers are a few hundred bytes.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The HTTPS client.
pub struct HttpService {
    client: reqwest::Client,
    base: Url,
    kiosk: String,
    secret: Vec<u8>,
    retries: u32,
    backoff: Duration,
}

/// Whether `url` points at this machine (where plain http is allowed: the simulator).
pub fn is_loopback(url: &Url) -> bool {
    match url.host_str() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

impl HttpService {
    /// A client for the service at `base` (e.g. `https://collect.example.com/api`).
    pub fn new(
        base: &str,
        kiosk: &str,
        secret: Vec<u8>,
        timeout: Duration,
        retries: u32,
    ) -> Result<Self, String> {
        let mut base = Url::parse(base).map_err(|e| format!("service.url {base:?}: {e}"))?;
        let loopback = is_loopback(&base);
        match base.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => {
                return Err(format!(
                    "service.url {base}: only https (plain http only to the loopback simulator)"
                ));
            }
        }
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        if secret.is_empty() {
            return Err("the kiosk credential is empty".into());
        }
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .https_only(!loopback)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("photo-kiosk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("building the HTTPS client: {e}"))?;
        Ok(Self {
            client,
            base,
            kiosk: kiosk.to_owned(),
            secret,
            retries,
            backoff: Duration::from_millis(200),
        })
    }

    /// Shorter waits between retries (tests).
    pub fn with_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    /// One call, signed, retried while the service is unavailable. Returns the final status
    /// and body (4xx included: they are answers).
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
        headers: &[(&str, String)],
    ) -> Result<(StatusCode, Vec<u8>), ServiceError> {
        let url = self.base.join(path).map_err(|e| {
            ServiceError::Refused(Refusal::Request(format!("bad path {path}: {e}")))
        })?;
        let mut attempt = 0;
        loop {
            let ts = kiosk_core::clock::now_secs();
            // A fresh nonce per attempt: the service refuses one it has seen.
            let nonce = wire::nonce();
            let path = match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_owned(),
            };
            let text = wire::canonical(
                method.as_str(),
                &path,
                ts,
                |name| match name {
                    H_KIOSK => Some(self.kiosk.as_str()),
                    H_NONCE => Some(nonce.as_str()),
                    _ => headers
                        .iter()
                        .find(|(k, _)| *k == name)
                        .map(|(_, v)| v.as_str()),
                },
                &body,
            );
            let mut req = self
                .client
                .request(method.clone(), url.clone())
                .header(H_KIOSK, &self.kiosk)
                .header(H_TIMESTAMP, ts.to_string())
                .header(H_NONCE, &nonce)
                .header(H_SIGNATURE, wire::sign(&self.secret, &text))
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(body.clone());
            for (k, v) in headers {
                req = req.header(*k, v);
            }
            use kiosk_core::ops::code;
            let (code, why): (&str, Outage) = match req.send().await {
                Ok(resp) if resp.status().is_server_error() => (
                    code::SERVICE_5XX,
                    Outage::ServerError {
                        status: resp.status().as_u16(),
                        path: url.path().to_owned(),
                    },
                ),
                Ok(resp) if resp.status().is_redirection() => (
                    code::SERVICE_REDIRECT,
                    Outage::Redirected(redirected(&url, &resp)),
                ),
                Ok(resp) => {
                    let status = resp.status();
                    match read_capped(resp).await {
                        Ok(bytes) => return Ok((status, bytes)),
                        Err((code, why)) if code == code::SERVICE_ANSWER_TOO_LARGE => {
                            (code, Outage::TooLarge(why))
                        }
                        Err((code, why)) => (code, Outage::Unreachable(why)),
                    }
                }
                Err(e) if e.is_timeout() => (
                    code::SERVICE_TIMEOUT,
                    Outage::Timeout {
                        path: url.path().to_owned(),
                    },
                ),
                Err(e) => (
                    code::SERVICE_UNREACHABLE,
                    Outage::Unreachable(format!("{e}")),
                ),
            };
            if attempt >= self.retries {
                warn!(code, attempts = attempt + 1, error = %why, "service call failed");
                return Err(ServiceError::Unavailable(why));
            }
            // Jittered exponential backoff: 0.5–1.5 × base × 2^attempt.
            let jitter = 0.5 + rand::random::<f64>();
            let wait = self
                .backoff
                .mul_f64(jitter * f64::from(1u32 << attempt.min(6)));
            info!(
                code = code::SERVICE_RETRY,
                cause = code,
                attempt,
                error = %why,
                wait_ms = wait.as_millis() as u64,
                "retrying the service"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Result<T, (StatusCode, wire::Problem)>, ServiceError> {
        let (status, bytes) = self
            .call(
                method,
                path,
                body.unwrap_or_default(),
                "application/json",
                &[],
            )
            .await?;
        decode(status, &bytes)
    }
}

/// Why a redirect is not followed, naming where it pointed (host only: a path may carry data).
fn redirected(url: &Url, resp: &reqwest::Response) -> String {
    let to = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| url.join(l).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "an unreadable location".into());
    format!(
        "{} {} redirects to {to}: not followed (the kiosk talks only to service.url)",
        resp.status(),
        url.path()
    )
}

/// The answer's body, refused before reading when its Content-Length is over
/// [`MAX_ANSWER_BYTES`] and the moment more than that has arrived without one.
/// Errors carry their event code.
async fn read_capped(mut resp: reqwest::Response) -> Result<Vec<u8>, (&'static str, String)> {
    use kiosk_core::ops::code;
    let path = resp.url().path().to_owned();
    let too_long = |len: String| {
        (
            code::SERVICE_ANSWER_TOO_LARGE,
            format!(
                "the answer to {path} is {len} bytes; the limit is {MAX_ANSWER_BYTES}: not read"
            ),
        )
    };
    if let Some(len) = resp.content_length()
        && len > MAX_ANSWER_BYTES as u64
    {
        return Err(too_long(len.to_string()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| {
        (
            code::SERVICE_UNREACHABLE,
            format!("reading the answer to {path}: {e}"),
        )
    })? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(too_long(format!("more than {}", body.len() + chunk.len())));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn decode<T: serde::de::DeserializeOwned>(
    status: StatusCode,
    bytes: &[u8],
) -> Result<Result<T, (StatusCode, wire::Problem)>, ServiceError> {
    if status.is_success() {
        serde_json::from_slice(bytes)
            .map(Ok)
            .map_err(|e| ServiceError::Refused(Refusal::Unexpected(format!("({status}) {e}"))))
    } else {
        let problem = serde_json::from_slice(bytes).unwrap_or(wire::Problem {
            error: status.as_str().into(),
            message: String::from_utf8_lossy(bytes).chars().take(200).collect(),
        });
        Ok(Err((status, problem)))
    }
}

fn refused((status, p): (StatusCode, wire::Problem)) -> ServiceError {
    ServiceError::Refused(Refusal::Problem {
        status: status.as_u16(),
        code: p.error,
        message: p.message,
    })
}

fn payment_state(p: &wire::Payment) -> Result<PaymentState, ServiceError> {
    match p.state.as_str() {
        "pending" => Ok(PaymentState::Pending),
        // Only the service's word that WeChat said SUCCESS.
        "paid" => Ok(PaymentState::Paid),
        "closed" => Ok(PaymentState::Closed),
        other => Err(ServiceError::Refused(Refusal::Unexpected(format!(
            "payment state {other:?}"
        )))),
    }
}

#[async_trait]
impl CollectionService for HttpService {
    async fn resolve(&self, code: &str) -> Result<Resolved, ServiceError> {
        let body = serde_json::to_vec(&wire::ResolveRequest { code: code.into() })
            .map_err(|e| ServiceError::Refused(Refusal::Request(e.to_string())))?;
        match self
            .json::<wire::Resolved>(Method::POST, "v1/codes/resolve", Some(body))
            .await?
        {
            Ok(r) => Ok(Resolved {
                identity: Identity {
                    // The service masks; masking again is harmless and guards a slip.
                    name: mask::name(&r.name_masked),
                    id_number: mask::id_number(&r.id_number_masked),
                    school: r.school,
                    level: r.level,
                },
                shots_used: r.shots_used,
                shots_max: Some(r.shots_max),
                expires_at: Some(r.expires_at),
            }),
            Err((StatusCode::NOT_FOUND, _)) => Err(ServiceError::Rejected(RejectReason::Unknown)),
            Err((StatusCode::GONE, _)) => Err(ServiceError::Rejected(RejectReason::Expired)),
            Err((StatusCode::UNPROCESSABLE_ENTITY, _)) => {
                Err(ServiceError::Rejected(RejectReason::RawChsi))
            }
            Err(other) => Err(refused(other)),
        }
    }

    async fn upload(&self, code: &str, shot: u8, jpeg: &[u8]) -> Result<String, ServiceError> {
        let headers = [
            (H_IDEMPOTENCY, wire::upload_key(code, shot)),
            (H_CODE, code.to_owned()),
            (H_SHOT, shot.to_string()),
            (H_SHA256, wire::sha256_hex(jpeg)),
        ];
        let (status, bytes) = self
            .call(
                Method::POST,
                "v1/uploads",
                jpeg.to_vec(),
                "image/jpeg",
                &headers,
            )
            .await?;
        match decode::<wire::Submission>(status, &bytes)? {
            Ok(s) => Ok(s.submission),
            Err(other) => Err(refused(other)),
        }
    }

    async fn review(&self, submission: &str) -> Result<ReviewState, ServiceError> {
        let path = format!("v1/submissions/{submission}/review");
        match self.json::<wire::Review>(Method::GET, &path, None).await? {
            Ok(r) => match r.state.as_str() {
                "pending" => Ok(ReviewState::Pending),
                "passed" => Ok(ReviewState::Passed),
                "failed" => Ok(ReviewState::Failed(
                    r.reasons.into_iter().map(|r| (r.zh, r.en)).collect(),
                )),
                other => Err(ServiceError::Refused(Refusal::Unexpected(format!(
                    "review state {other:?}"
                )))),
            },
            Err(other) => Err(refused(other)),
        }
    }

    async fn create_order(&self, submission: &str) -> Result<OrderInfo, ServiceError> {
        let path = format!("v1/submissions/{submission}/order");
        match self.json::<wire::Order>(Method::POST, &path, None).await? {
            Ok(o) => Ok(OrderInfo {
                id: o.order,
                code_url: o.code_url,
                amount_fen: o.amount_fen,
            }),
            Err(other) => Err(refused(other)),
        }
    }

    async fn payment(&self, order: &str) -> Result<PaymentState, ServiceError> {
        let path = format!("v1/orders/{order}");
        match self.json::<wire::Payment>(Method::GET, &path, None).await? {
            Ok(p) => payment_state(&p),
            Err(other) => Err(refused(other)),
        }
    }

    async fn heartbeat(&self, beat: &wire::Heartbeat) -> Result<(), ServiceError> {
        let body = serde_json::to_vec(beat)
            .map_err(|e| ServiceError::Refused(Refusal::Request(e.to_string())))?;
        let (status, bytes) = self
            .call(Method::POST, "v1/heartbeat", body, "application/json", &[])
            .await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(refused(decode::<()>(status, &bytes)?.unwrap_err()))
        }
    }

    async fn close_order(&self, order: &str) -> Result<PaymentState, ServiceError> {
        let path = format!("v1/orders/{order}/close");
        match self
            .json::<wire::Payment>(Method::POST, &path, None)
            .await?
        {
            Ok(p) => payment_state(&p),
            Err(other) => Err(refused(other)),
        }
    }
}
