//! What every request meets before its handler: the body read whole, the kiosk's signature and
//! replay checked, the injected faults applied, the exchange recorded; and the problem bodies
//! errors answer with.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::*;
use crate::ServiceError;
use crate::wire::{self, H_KIOSK, H_NONCE, H_SIGNATURE, H_TIMESTAMP};
use kiosk_core::flow::RejectReason;

pub(super) fn problem(
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

pub(super) fn service_problem(e: ServiceError) -> (StatusCode, serde_json::Value) {
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
        ServiceError::Refused(r) => problem(StatusCode::NOT_FOUND, "not_found", r.to_string()),
        ServiceError::Unavailable(o) => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            o.to_string(),
        ),
    }
}

/// One request as the handlers need it: method, URI, headers and the whole body (the
/// signature covers the body, so it is read before anything else).
pub(super) struct Req {
    method: Method,
    uri: Uri,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
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
pub(super) async fn guarded(
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
pub(super) struct Broken;

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

pub(super) fn authenticate(
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

pub(super) fn json<T: Serialize>(status: StatusCode, v: T) -> (StatusCode, serde_json::Value) {
    (status, serde_json::to_value(v).unwrap_or_default())
}

pub(super) fn expires_in(secs: u64) -> u64 {
    kiosk_core::clock::now_secs() + secs
}
