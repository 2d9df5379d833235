//! At the camera: the countdown, the capture, the preview with its checks, retakes and
//! choosing the photo to send.

use crate::model::Intent;

use super::event::{CaptureProblem, Effect, Event};
use super::state::{FlowConfig, Phase, Review, Shoot, State};
use super::step::{secs, shots_left};

pub(super) fn on_tick(state: &mut State, now: u64, effects: &mut Vec<Effect>) {
    let Phase::Shoot(Shoot::Countdown { fire_at_ms }) = state.phase else {
        return;
    };
    if now < fire_at_ms {
        return;
    }
    if let Some(session) = &state.session
        && let Some(code) = session.code.clone()
    {
        let shot = session.shots_used + 1;
        let glasses = session.glasses.unwrap_or(false);
        state.phase = Phase::Shoot(Shoot::Capturing);
        effects.push(Effect::Capture {
            code,
            shot,
            glasses,
        });
    }
}

pub(super) fn on_intent(
    cfg: &FlowConfig,
    state: &mut State,
    intent: Intent,
    effects: &mut Vec<Effect>,
) {
    let now = state.now_ms;
    match (&state.phase, intent) {
        (Phase::Shoot(Shoot::Ready | Shoot::Failed(_)), Intent::TakePhoto | Intent::Retake)
            if shots_left(cfg, state) =>
        {
            state.phase = Phase::Shoot(Shoot::Countdown {
                fire_at_ms: now + secs(cfg.countdown_secs),
            });
        }
        (Phase::Shoot(Shoot::Preview), Intent::Retake) if shots_left(cfg, state) => {
            if let Some(s) = state.session.as_mut() {
                s.shot_on_screen = None;
                s.shot_checks.clear();
            }
            state.phase = Phase::Shoot(Shoot::Ready);
        }
        (Phase::Shoot(Shoot::Preview), Intent::UsePhoto) => {
            let Some(session) = state.session.as_mut() else {
                return;
            };
            let (Some(code), Some(shot)) = (session.code.clone(), session.shot_on_screen) else {
                return;
            };
            session.submitted_shot = Some(shot);
            session.submission = None;
            state.phase = Phase::Review(Review::Uploading {
                failures: 0,
                retry_at_ms: None,
            });
            effects.push(Effect::Upload { code, shot });
        }
        _ => {}
    }
}

pub(super) fn on_answer(state: &mut State, event: Event) {
    if state.phase != Phase::Shoot(Shoot::Capturing) {
        return;
    }
    match event {
        Event::Captured { shot, checks } => {
            let Some(s) = state.session.as_mut() else {
                return;
            };
            if shot != s.shots_used + 1 {
                return;
            }
            s.shots_used = shot;
            s.shot_on_screen = Some(shot);
            s.shot_checks = checks;
            state.phase = Phase::Shoot(Shoot::Preview);
        }
        Event::CaptureFailed(problem) => state.phase = Phase::Shoot(Shoot::Failed(problem)),
        _ => {}
    }
}

/// A countdown or a capture cannot resume: the graduate is asked to take the shot again.
pub(super) fn on_restored(state: &mut State) {
    if let Phase::Shoot(Shoot::Countdown { .. } | Shoot::Capturing) = state.phase {
        state.phase = Phase::Shoot(Shoot::Failed(CaptureProblem::Timeout));
    }
}
