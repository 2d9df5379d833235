//! The photo on its way and under review: uploading it (with retries), polling the review, the
//! review's verdict, and the ways out when the photo failed or could not be sent.

use crate::model::{DoneKind, Intent};

use super::event::{Effect, Event, ReviewState, ServiceOp, SessionOutcome};
use super::state::{FlowConfig, Pay, Phase, Review, Shoot, State};
use super::step::{end_session, secs, shots_left, submitted_shot};

pub(super) fn on_tick(cfg: &FlowConfig, state: &mut State, now: u64, effects: &mut Vec<Effect>) {
    let code = state.session.as_ref().and_then(|s| s.code.clone());
    match &mut state.phase {
        Phase::Review(Review::Uploading {
            retry_at_ms: retry @ Some(_),
            ..
        }) if retry.is_some_and(|t| now >= t) => {
            *retry = None;
            if let (Some(code), Some(shot)) = (code, submitted_shot(state.session.as_ref())) {
                effects.push(Effect::Upload { code, shot });
            }
        }
        Phase::Review(Review::Waiting {
            since_ms,
            next_poll_ms,
        }) => {
            if now.saturating_sub(*since_ms) >= secs(cfg.review_timeout_secs) {
                state.phase = Phase::Done {
                    kind: DoneKind::ReviewPending,
                    until_ms: now + secs(cfg.done_secs),
                };
            } else if now >= *next_poll_ms {
                *next_poll_ms = now + secs(cfg.review_poll_secs);
                if let Some(submission) = state.session.as_ref().and_then(|s| s.submission.clone())
                {
                    effects.push(Effect::PollReview { submission });
                }
            }
        }
        _ => {}
    }
}

pub(super) fn on_intent(
    cfg: &FlowConfig,
    state: &mut State,
    intent: Intent,
    effects: &mut Vec<Effect>,
) {
    match (&state.phase, intent) {
        (Phase::Review(Review::Failed(_)), Intent::Retake) if shots_left(cfg, state) => {
            if let Some(s) = state.session.as_mut() {
                s.shot_on_screen = None;
                s.shot_checks.clear();
                s.submitted_shot = None;
                s.submission = None;
            }
            state.phase = Phase::Shoot(Shoot::Ready);
        }
        (Phase::Review(Review::Failed(_)), Intent::Finish) => {
            end_session(state, SessionOutcome::ReviewFailed, effects)
        }
        (Phase::Review(Review::Unsent { refused }), Intent::Finish) => {
            let outcome = if *refused {
                SessionOutcome::UploadRefused
            } else {
                SessionOutcome::UploadFailed
            };
            end_session(state, outcome, effects)
        }
        _ => {}
    }
}

pub(super) fn on_answer(
    cfg: &FlowConfig,
    state: &mut State,
    event: Event,
    effects: &mut Vec<Effect>,
) {
    let now = state.now_ms;
    match (&state.phase, event) {
        (Phase::Review(Review::Uploading { .. }), Event::Uploaded { submission }) => {
            if let Some(s) = state.session.as_mut() {
                s.submission = Some(submission);
                // The service holds the photo: no copy stays on the kiosk. Deleted only now,
                // after this state (with the submission) is journaled: deleted earlier, a
                // restart in between would resume an upload with nothing to send.
                if let Some(code) = s.code.clone() {
                    effects.push(Effect::DiscardPhotos { code });
                }
            }
            state.phase = Phase::Review(Review::Waiting {
                since_ms: now,
                next_poll_ms: now + secs(cfg.review_poll_secs),
            });
        }
        (
            Phase::Review(Review::Uploading { failures, .. }),
            Event::ServiceFailed(ServiceOp::Upload),
        ) => {
            let failures = failures + 1;
            state.phase = if failures >= cfg.upload_max_failures {
                Phase::Review(Review::Unsent { refused: false })
            } else {
                Phase::Review(Review::Uploading {
                    failures,
                    retry_at_ms: Some(now + secs(cfg.upload_retry_secs)),
                })
            };
        }
        (Phase::Review(Review::Uploading { .. }), Event::UploadRefused) => {
            state.phase = Phase::Review(Review::Unsent { refused: true });
        }
        (Phase::Review(Review::Waiting { .. }), Event::ReviewUpdate(review)) => match review {
            ReviewState::Pending => {}
            ReviewState::Passed => {
                let Some(submission) = state.session.as_ref().and_then(|s| s.submission.clone())
                else {
                    return;
                };
                state.phase = Phase::Pay(Pay::Creating);
                effects.push(Effect::CreateOrder { submission });
            }
            ReviewState::Failed(reasons) => state.phase = Phase::Review(Review::Failed(reasons)),
        },
        _ => {}
    }
}

/// An upload in flight is sent again at once; a review being waited for is polled at once.
pub(super) fn on_restored(state: &mut State, effects: &mut Vec<Effect>) {
    let now = state.now_ms;
    let code = state.session.as_ref().and_then(|s| s.code.clone());
    match &mut state.phase {
        Phase::Review(Review::Uploading { retry_at_ms, .. }) => {
            *retry_at_ms = None;
            if let (Some(code), Some(shot)) = (code, submitted_shot(state.session.as_ref())) {
                effects.push(Effect::Upload { code, shot });
            }
        }
        Phase::Review(Review::Waiting { next_poll_ms, .. }) => *next_poll_ms = now,
        _ => {}
    }
}
