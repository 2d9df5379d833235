//! Paying and the done screen: the order and its QR code, polling the payment, its expiry and
//! retry, and the done screen's own timeout.

use crate::model::{DoneKind, Intent};

use super::event::{Effect, Event, PaymentState, ServiceOp};
use super::state::{FlowConfig, Pay, Phase, State};
use super::step::{done_outcome, end_session, secs};

pub(super) fn on_tick(cfg: &FlowConfig, state: &mut State, now: u64, effects: &mut Vec<Effect>) {
    match &mut state.phase {
        Phase::Pay(Pay::Showing {
            expires_at_ms,
            next_poll_ms,
        }) => {
            let order = state.session.as_ref().and_then(|s| s.order.as_ref());
            if now >= *expires_at_ms {
                if let Some(order) = order {
                    effects.push(Effect::CloseOrder {
                        order: order.id.clone(),
                    });
                }
                state.phase = Phase::Pay(Pay::Expired);
            } else if now >= *next_poll_ms {
                *next_poll_ms = now + secs(cfg.payment_poll_secs);
                if let Some(order) = order {
                    effects.push(Effect::PollPayment {
                        order: order.id.clone(),
                    });
                }
            }
        }
        Phase::Done { kind, until_ms } if now >= *until_ms => {
            let outcome = done_outcome(*kind);
            end_session(state, outcome, effects);
        }
        _ => {}
    }
}

pub(super) fn on_intent(state: &mut State, intent: Intent, effects: &mut Vec<Effect>) {
    match (&state.phase, intent) {
        (Phase::Pay(Pay::Expired | Pay::Failed), Intent::RetryPayment) => {
            if let Some(submission) = state.session.as_ref().and_then(|s| s.submission.clone()) {
                if let Some(s) = state.session.as_mut() {
                    s.order = None;
                }
                state.phase = Phase::Pay(Pay::Creating);
                effects.push(Effect::CreateOrder { submission });
            }
        }
        (Phase::Done { kind, .. }, Intent::Finish) => {
            let outcome = done_outcome(*kind);
            end_session(state, outcome, effects);
        }
        _ => {}
    }
}

pub(super) fn on_answer(cfg: &FlowConfig, state: &mut State, event: Event) {
    let now = state.now_ms;
    match (&state.phase, event) {
        (Phase::Pay(Pay::Creating), Event::OrderCreated(order)) => {
            if let Some(s) = state.session.as_mut() {
                s.order = Some(order);
            }
            state.phase = Phase::Pay(Pay::Showing {
                expires_at_ms: now + secs(cfg.payment_window_secs),
                next_poll_ms: now + secs(cfg.payment_poll_secs),
            });
        }
        (Phase::Pay(Pay::Creating), Event::ServiceFailed(ServiceOp::CreateOrder)) => {
            state.phase = Phase::Pay(Pay::Failed);
        }
        (
            Phase::Pay(Pay::Showing { .. } | Pay::Expired),
            Event::PaymentUpdate {
                order,
                state: payment,
            },
        ) if state
            .session
            .as_ref()
            .and_then(|s| s.order.as_ref())
            .is_some_and(|current| current.id == order) =>
        {
            match payment {
                PaymentState::Paid => {
                    state.phase = Phase::Done {
                        kind: DoneKind::Paid,
                        until_ms: now + secs(cfg.done_secs),
                    }
                }
                PaymentState::Closed if matches!(state.phase, Phase::Pay(Pay::Showing { .. })) => {
                    state.phase = Phase::Pay(Pay::Expired)
                }
                _ => {}
            }
        }
        _ => {}
    }
}

/// A payment being shown is polled at once; an order being created is asked for again.
pub(super) fn on_restored(state: &mut State, effects: &mut Vec<Effect>) {
    let now = state.now_ms;
    let submission = state.session.as_ref().and_then(|s| s.submission.clone());
    match &mut state.phase {
        Phase::Pay(Pay::Showing { next_poll_ms, .. }) => *next_poll_ms = now,
        Phase::Pay(Pay::Creating) => {
            if let Some(submission) = submission {
                effects.push(Effect::CreateOrder { submission });
            }
        }
        _ => {}
    }
}
