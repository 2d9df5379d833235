//! From the attract screen to the chair: starting a session, the photo type, the preparation,
//! scanning the personal shooting code and the service's answer about it, confirming who the
//! graduate is, the lighting for glasses, the rules and the chair.

use crate::model::{Intent, ScanNotice};

use super::event::{Effect, Event, RejectReason, ScannedCode, ServiceOp};
use super::maintenance;
use super::state::{FlowConfig, Phase, Shoot, State};
use super::step::{begin_session, max_shots};

/// How long the same refused code is ignored while it stays in front of the camera.
const REFUSED_QUIET_MS: u64 = 5_000;

pub(super) fn on_intent(
    cfg: &FlowConfig,
    state: &mut State,
    intent: Intent,
    effects: &mut Vec<Effect>,
) {
    match (&state.phase, intent) {
        (Phase::Attract, Intent::Start) => begin_session(state, effects),
        (Phase::Attract, Intent::MaintenanceGesture) => maintenance::ask_pin(cfg, state),
        (Phase::PhotoType, Intent::ChooseGraduatePhoto) => state.phase = Phase::Prepare,
        (Phase::Prepare, Intent::PrepareShoot) => {
            state.phase = Phase::Scan {
                notice: None,
                resolving: false,
            }
        }
        (Phase::Confirm, Intent::ConfirmIdentity) => state.phase = Phase::Lighting,
        (Phase::Lighting, Intent::ChooseGlasses(glasses)) => {
            if let Some(s) = state.session.as_mut() {
                s.glasses = Some(glasses);
            }
            state.phase = Phase::Rules;
        }
        (Phase::Rules, Intent::AcceptRules) => state.phase = Phase::Chair,
        (Phase::Chair, Intent::ChairReady) => state.phase = Phase::Shoot(Shoot::Ready),
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
    let Phase::Scan { resolving, .. } = state.phase else {
        return;
    };
    match (resolving, event) {
        (false, Event::CodeScanned(code)) => {
            if let Some((last, at)) = &state.last_refused
                && *last == code
                && now.saturating_sub(*at) < REFUSED_QUIET_MS
            {
                return;
            }
            match code {
                ScannedCode::Personal(payload) => {
                    if let Some(s) = state.session.as_mut() {
                        s.code = Some(payload.clone());
                    }
                    state.phase = Phase::Scan {
                        notice: Some(ScanNotice::Checking),
                        resolving: true,
                    };
                    effects.push(Effect::ResolveCode { code: payload });
                }
                ScannedCode::RawChsi => refuse(state, code, ScanNotice::RawChsiCode),
                ScannedCode::Foreign => refuse(state, code, ScanNotice::ForeignCode),
                ScannedCode::SeveralPersonal => refuse(state, code, ScanNotice::SeveralCodes),
            }
        }
        (
            true,
            Event::CodeResolved {
                identity,
                shots_used,
                shots_on_kiosk,
                shots_max,
                expires_at_ms,
            },
        ) => {
            if expires_at_ms.is_some_and(|at| at <= state.now_ms) {
                refuse_code(state, RejectReason::Expired);
                return;
            }
            let Some(s) = state.session.as_mut() else {
                return;
            };
            // The kiosk's own count wins when it is higher (a shot the service never saw).
            let shots_used = shots_used.max(shots_on_kiosk);
            s.shots_max = shots_max;
            if shots_used >= max_shots(cfg, Some(s)) {
                let code = s.code.take().map(ScannedCode::Personal);
                refuse(
                    state,
                    code.unwrap_or(ScannedCode::Foreign),
                    ScanNotice::NoShotsLeft,
                );
                return;
            }
            s.identity = Some(identity);
            s.shots_used = shots_used;
            state.phase = Phase::Confirm;
        }
        (true, Event::CodeRejected(reason)) => refuse_code(state, reason),
        (true, Event::ServiceFailed(ServiceOp::Resolve)) => {
            let code = state.session.as_mut().and_then(|s| s.code.take());
            refuse(
                state,
                code.map_or(ScannedCode::Foreign, ScannedCode::Personal),
                ScanNotice::ServiceUnavailable,
            );
        }
        _ => {}
    }
}

/// A code being resolved when the kiosk stopped is resolved again.
pub(super) fn on_restored(state: &mut State, effects: &mut Vec<Effect>) {
    if let Phase::Scan {
        resolving: true, ..
    } = state.phase
    {
        match state.session.as_ref().and_then(|s| s.code.clone()) {
            Some(code) => effects.push(Effect::ResolveCode { code }),
            None => {
                state.phase = Phase::Scan {
                    notice: None,
                    resolving: false,
                }
            }
        }
    }
}

/// Back from the confirmation: the code and whom it named are forgotten.
pub(super) fn forget_code(state: &mut State) {
    if let Some(s) = state.session.as_mut() {
        s.code = None;
        s.identity = None;
        s.shots_used = 0;
    }
    state.last_refused = None;
}

/// The service (or the code's expiry) refused the code being resolved: back to the scan screen
/// saying why.
fn refuse_code(state: &mut State, reason: RejectReason) {
    let notice = match reason {
        RejectReason::Unknown => ScanNotice::UnknownCode,
        RejectReason::RawChsi => ScanNotice::RawChsiCode,
        RejectReason::Expired => ScanNotice::ExpiredCode,
    };
    let code = state.session.as_mut().and_then(|s| s.code.take());
    refuse(
        state,
        code.map_or(ScannedCode::Foreign, ScannedCode::Personal),
        notice,
    );
}

fn refuse(state: &mut State, code: ScannedCode, notice: ScanNotice) {
    let now = state.now_ms;
    state.last_refused = Some((code, now));
    state.phase = Phase::Scan {
        notice: Some(notice),
        resolving: false,
    };
}
