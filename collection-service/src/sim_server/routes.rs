//! The API's handlers, one per route of `docs/api/collection-service.openapi.json`, and the
//! simulator's own payment button.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::*;
use crate::CollectionService;
use crate::wire::{self, H_CODE, H_IDEMPOTENCY, H_SHA256, H_SHOT};
use kiosk_core::flow::{PaymentState, ReviewState};

pub(super) async fn resolve(State(s): State<Arc<AppState>>, req: Req) -> Response {
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

pub(super) async fn upload(State(s): State<Arc<AppState>>, req: Req) -> Response {
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

pub(super) async fn review(
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

pub(super) async fn order(
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

pub(super) fn payment_json(order: &str, state: PaymentState) -> (StatusCode, serde_json::Value) {
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

pub(super) async fn payment(
    State(s): State<Arc<AppState>>,
    Path(order): Path<String>,
    req: Req,
) -> Response {
    let handler = async {
        match s.sim.payment(&order).await {
            Ok(p) => payment_json(&order, p),
            Err(e) => service_problem(e),
        }
    };
    guarded(&s, "/v1/orders/{order}", &req, handler).await
}

pub(super) async fn close(
    State(s): State<Arc<AppState>>,
    Path(order): Path<String>,
    req: Req,
) -> Response {
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

pub(super) async fn heartbeat(State(s): State<Arc<AppState>>, req: Req) -> Response {
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
pub(super) async fn pay(State(s): State<Arc<AppState>>, Path(order): Path<String>) -> Response {
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
