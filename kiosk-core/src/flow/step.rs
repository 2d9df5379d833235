//! The transition function. Every event in every phase lands here; anything not listed is
//! ignored (returns the state unchanged and no effects), never a panic.

use crate::model::{DoneKind, Intent, MaintenanceCommand, ScanNotice};

use super::devices::{DeviceWants, LightPreset};
use super::event::{
    CaptureProblem, ChairMove, Device, Effect, Event, PaymentState, RejectReason, ReviewState,
    ScannedCode, ServiceOp, SessionOutcome,
};
use super::state::{FlowConfig, MaintenancePanel, Pay, Phase, Review, Session, Shoot, State};

/// How long the same refused code is ignored while it stays in front of the camera.
const REFUSED_QUIET_MS: u64 = 5_000;

/// Advance the flow by one event.
pub fn step(cfg: &FlowConfig, mut state: State, event: Event) -> (State, Vec<Effect>) {
    let before_phase = state.phase.clone();
    let before = DeviceWants::of(&state.phase, state.session.as_ref());
    let restored = matches!(event, Event::Restored);
    let mut effects = Vec::new();

    match event {
        Event::Tick { now_ms } => on_tick(cfg, &mut state, now_ms, &mut effects),
        Event::Intent(intent) => on_intent(cfg, &mut state, intent, &mut effects),
        Event::Restored => on_restored(&mut state, &mut effects),
        other => on_answer(cfg, &mut state, other, &mut effects),
    }

    // The maintenance screen's own refreshes are not a new screen (the technician's touches are
    // what keep it open).
    let same_service = matches!(
        (&before_phase, &state.phase),
        (Phase::Maintenance(_), Phase::Maintenance(_))
    );
    if state.phase != before_phase && !same_service {
        // A new screen: the graduate gets the full idle time to read it.
        state.last_activity_ms = state.now_ms;
    }
    let after = DeviceWants::of(&state.phase, state.session.as_ref());
    if !after.face_tracking {
        state.seat = None;
    }
    let mut devices = Vec::new();
    if restored {
        after.force(&mut devices);
    } else {
        before.diff(after, &mut devices);
    }
    devices.extend(effects);
    (state, devices)
}

fn secs(s: u32) -> u64 {
    u64::from(s) * 1_000
}

/// Phases in which the graduate is expected to act, so the idle timeout runs.
pub(super) fn idle_applies(phase: &Phase) -> bool {
    match phase {
        Phase::PhotoType
        | Phase::Prepare
        | Phase::Confirm
        | Phase::Lighting
        | Phase::Rules
        | Phase::Chair
        | Phase::Shoot(Shoot::Ready | Shoot::Preview | Shoot::Failed(_))
        | Phase::Review(Review::Failed(_) | Review::Unsent { .. })
        | Phase::Pay(Pay::Expired | Pay::Failed)
        | Phase::MaintenancePin { .. } => true,
        Phase::Scan { resolving, .. } => !resolving,
        _ => false,
    }
}

fn on_tick(cfg: &FlowConfig, state: &mut State, now_ms: u64, effects: &mut Vec<Effect>) {
    // Wall clocks may step backwards (NTP); never let time run backwards inside the flow.
    state.now_ms = state.now_ms.max(now_ms);
    let now = state.now_ms;

    if idle_applies(&state.phase)
        && now.saturating_sub(state.last_activity_ms) >= secs(cfg.idle_timeout_secs)
    {
        if matches!(state.phase, Phase::MaintenancePin { .. }) {
            leave_service(state, effects);
        } else {
            end_session(state, SessionOutcome::IdleTimeout, effects);
        }
        return;
    }

    let code = state.session.as_ref().and_then(|s| s.code.clone());
    match &mut state.phase {
        Phase::Shoot(Shoot::Countdown { fire_at_ms }) if now >= *fire_at_ms => {
            if let (Some(code), Some(session)) = (code, &state.session) {
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
        Phase::MaintenancePin { locked, .. } if *locked && !state.pin_guard.locked(now) => {
            *locked = false;
        }
        Phase::Maintenance(_)
            if now.saturating_sub(state.last_activity_ms) >= secs(cfg.service_idle_secs) =>
        {
            leave_service(state, effects);
        }
        Phase::Maintenance(panel) if !panel.busy && now >= panel.next_refresh_ms => {
            panel.busy = true;
            panel.next_refresh_ms = now + secs(cfg.service_refresh_secs);
            effects.push(Effect::MaintenanceDiagnostics);
        }
        _ => {}
    }
}

/// Leave the PIN keypad or the maintenance screen: back to the start, or to out-of-service when a
/// device is (still) known to be broken; the devices are checked again either way.
fn leave_service(state: &mut State, effects: &mut Vec<Effect>) {
    if matches!(state.phase, Phase::Maintenance(_)) {
        effects.push(Effect::MaintenanceMode { open: false });
    }
    effects.push(Effect::CheckDevices);
    state.phase = match state.pending_fault.take() {
        Some(reference) => Phase::OutOfService { reference },
        None => Phase::Attract,
    };
}

fn on_service_command(
    cfg: &FlowConfig,
    state: &mut State,
    cmd: MaintenanceCommand,
    effects: &mut Vec<Effect>,
) {
    let now = state.now_ms;
    let Phase::Maintenance(panel) = &mut state.phase else {
        return;
    };
    let lights = |preset| Some(preset);
    let preset = match cmd {
        MaintenanceCommand::LightsIdle => lights(LightPreset::Idle),
        MaintenanceCommand::LightsStandard => lights(LightPreset::Standard),
        MaintenanceCommand::LightsGlasses => lights(LightPreset::Glasses),
        MaintenanceCommand::LightsOff => lights(LightPreset::Off),
        _ => None,
    };
    if let Some(preset) = preset {
        // A phase change: the device diff sends the preset (and restores idle on the way out).
        panel.lights = preset;
        return;
    }
    match cmd {
        MaintenanceCommand::Refresh | MaintenanceCommand::TestShot if panel.busy => {}
        MaintenanceCommand::Refresh => {
            panel.busy = true;
            panel.next_refresh_ms = now + secs(cfg.service_refresh_secs);
            effects.push(Effect::MaintenanceDiagnostics);
        }
        MaintenanceCommand::TestShot => {
            panel.busy = true;
            effects.push(Effect::MaintenanceTestShot);
        }
        MaintenanceCommand::ChairUp => effects.push(Effect::ChairDrive(ChairMove::Up)),
        MaintenanceCommand::ChairDown => effects.push(Effect::ChairDrive(ChairMove::Down)),
        MaintenanceCommand::ChairStop => effects.push(Effect::ChairDrive(ChairMove::Stop)),
        MaintenanceCommand::Exit => leave_service(state, effects),
        _ => {}
    }
}

fn done_outcome(kind: DoneKind) -> SessionOutcome {
    match kind {
        DoneKind::Paid => SessionOutcome::Paid,
        DoneKind::ReviewPending => SessionOutcome::ReviewPending,
    }
}

fn submitted_shot(session: Option<&Session>) -> Option<u8> {
    session.and_then(|s| s.submitted_shot)
}

fn shots_left(cfg: &FlowConfig, state: &State) -> bool {
    state
        .session
        .as_ref()
        .is_some_and(|s| s.shots_used < max_shots(cfg, Some(s)))
}

/// Shots allowed for the session's code: the service's word when it gave one, else the config.
pub(super) fn max_shots(cfg: &FlowConfig, session: Option<&Session>) -> u8 {
    session.and_then(|s| s.shots_max).unwrap_or(cfg.max_shots)
}

fn begin_session(state: &mut State, effects: &mut Vec<Effect>) {
    state.sessions_started += 1;
    let seq = state.sessions_started;
    state.session = Some(Session {
        seq,
        ..Session::default()
    });
    state.last_refused = None;
    effects.push(Effect::SessionStarted { seq });
    state.phase = Phase::PhotoType;
}

/// End the session: close an open order, report the outcome, and return to the start (or to
/// out-of-service when a fault arrived while the graduate did not need the device).
fn end_session(state: &mut State, outcome: SessionOutcome, effects: &mut Vec<Effect>) {
    if let Some(session) = state.session.take() {
        if matches!(state.phase, Phase::Pay(Pay::Showing { .. }))
            && let Some(order) = &session.order
        {
            effects.push(Effect::CloseOrder {
                order: order.id.clone(),
            });
        }
        if let Some(code) = session.code {
            effects.push(Effect::DiscardPhotos { code });
        }
        effects.push(Effect::SessionEnded {
            seq: session.seq,
            outcome,
        });
    }
    state.last_refused = None;
    state.phase = match state.pending_fault.take() {
        Some(reference) => Phase::OutOfService { reference },
        None => Phase::Attract,
    };
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

/// Whether the graduate may leave from here. Not while the shutter fires, nor while the service
/// is taking the photo or reviewing it (leaving would abandon a counted shot mid-flight).
fn can_cancel(phase: &Phase) -> bool {
    !matches!(
        phase,
        Phase::Attract
            | Phase::OutOfService { .. }
            | Phase::Done { .. }
            | Phase::Shoot(Shoot::Capturing)
            | Phase::Review(Review::Uploading { .. } | Review::Waiting { .. })
            | Phase::Pay(Pay::Creating)
    )
}

/// The screen one step back, where there is one.
fn back_of(phase: &Phase) -> Option<Phase> {
    Some(match phase {
        Phase::Prepare => Phase::PhotoType,
        Phase::Scan { .. } => Phase::Prepare,
        Phase::Confirm => Phase::Scan {
            notice: None,
            resolving: false,
        },
        Phase::Lighting => Phase::Confirm,
        Phase::Rules => Phase::Lighting,
        Phase::Chair => Phase::Rules,
        Phase::Shoot(Shoot::Ready | Shoot::Failed(_) | Shoot::Countdown { .. }) => Phase::Chair,
        _ => return None,
    })
}

pub(super) fn back_allowed(phase: &Phase) -> bool {
    matches!(phase, Phase::PhotoType) || back_of(phase).is_some()
}

pub(super) fn cancel_allowed(phase: &Phase) -> bool {
    can_cancel(phase)
}

fn on_intent(cfg: &FlowConfig, state: &mut State, intent: Intent, effects: &mut Vec<Effect>) {
    if state.session.is_some()
        || matches!(
            state.phase,
            Phase::MaintenancePin { .. } | Phase::Maintenance(_)
        )
    {
        state.last_activity_ms = state.now_ms;
    }
    let now = state.now_ms;
    match (&state.phase, intent) {
        (_, Intent::SetLanguage(lang)) => state.lang = lang,
        (_, Intent::StillHere) => {}
        (Phase::Attract, Intent::Start) => begin_session(state, effects),
        (Phase::OutOfService { .. }, Intent::RetryDevices) => effects.push(Effect::CheckDevices),
        (Phase::Attract | Phase::OutOfService { .. }, Intent::MaintenanceGesture) => {
            if let Phase::OutOfService { reference } = &state.phase {
                // Remembered so leaving maintenance mode goes back out of service unless fixed.
                state.pending_fault = Some(reference.clone());
            }
            state.phase = Phase::MaintenancePin {
                failures: state.pin_guard.in_round(cfg.pin_attempts),
                locked: state.pin_guard.locked(now),
            };
        }
        (Phase::MaintenancePin { .. } | Phase::Maintenance(_), Intent::Cancel | Intent::Back) => {
            leave_service(state, effects)
        }
        (Phase::Maintenance(_), Intent::Maintenance(cmd)) => {
            on_service_command(cfg, state, cmd, effects)
        }
        (Phase::PhotoType, Intent::Back) => end_session(state, SessionOutcome::Cancelled, effects),
        (phase, Intent::Cancel) if can_cancel(phase) => {
            end_session(state, SessionOutcome::Cancelled, effects)
        }
        (phase, Intent::Back) => {
            if let Some(previous) = back_of(phase) {
                if matches!(phase, Phase::Confirm) {
                    forget_code(state);
                }
                state.phase = previous;
            }
        }
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

fn forget_code(state: &mut State) {
    if let Some(s) = state.session.as_mut() {
        s.code = None;
        s.identity = None;
        s.shots_used = 0;
    }
    state.last_refused = None;
}

fn refuse(state: &mut State, code: ScannedCode, notice: ScanNotice) {
    let now = state.now_ms;
    state.last_refused = Some((code, now));
    state.phase = Phase::Scan {
        notice: Some(notice),
        resolving: false,
    };
}

/// Whether a device fault stops the current phase at once. Once the graduate has a photo, the
/// session carries on (the service has what it needs) and the kiosk goes out of service after.
fn fault_stops(phase: &Phase, device: Device) -> bool {
    let before_shot = matches!(
        phase,
        Phase::Attract
            | Phase::PhotoType
            | Phase::Prepare
            | Phase::Scan { .. }
            | Phase::Confirm
            | Phase::Lighting
            | Phase::Rules
            | Phase::Chair
    );
    let shooting = matches!(
        phase,
        Phase::Shoot(Shoot::Ready | Shoot::Countdown { .. } | Shoot::Capturing | Shoot::Failed(_))
    );
    match device {
        Device::Camera | Device::Lights => before_shot || shooting,
        Device::Chair => before_shot,
    }
}

fn on_answer(cfg: &FlowConfig, state: &mut State, event: Event, effects: &mut Vec<Effect>) {
    let now = state.now_ms;
    match (&state.phase, event) {
        (
            Phase::Scan {
                resolving: false, ..
            },
            Event::CodeScanned(code),
        ) => {
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
            Phase::Scan {
                resolving: true, ..
            },
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
        (
            Phase::Scan {
                resolving: true, ..
            },
            Event::CodeRejected(reason),
        ) => refuse_code(state, reason),
        (
            Phase::Scan {
                resolving: true, ..
            },
            Event::ServiceFailed(ServiceOp::Resolve),
        ) => {
            let code = state.session.as_mut().and_then(|s| s.code.take());
            refuse(
                state,
                code.map_or(ScannedCode::Foreign, ScannedCode::Personal),
                ScanNotice::ServiceUnavailable,
            );
        }
        (Phase::Chair | Phase::Shoot(Shoot::Ready), Event::Seat { hint, levelling }) => {
            // A face that moved to a new hint is a graduate at work on the seat (holding its
            // button, say): as good as a touch for the idle timeout. Leaving the frame is not.
            let moved = state.seat.and_then(|s| s.hint) != hint
                && hint.is_some_and(|h| h != crate::model::SeatHint::NoFace);
            if moved {
                state.last_activity_ms = state.now_ms;
            }
            state.seat = Some(super::state::SeatState { hint, levelling });
        }
        (Phase::Shoot(Shoot::Capturing), Event::Captured { shot, checks }) => {
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
        (Phase::Shoot(Shoot::Capturing), Event::CaptureFailed(problem)) => {
            state.phase = Phase::Shoot(Shoot::Failed(problem));
        }
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
        (Phase::MaintenancePin { locked: false, .. }, Event::PinChecked { ok }) => {
            if ok {
                state.pin_guard = Default::default();
                state.phase = Phase::Maintenance(MaintenancePanel {
                    lights: LightPreset::Idle,
                    report: None,
                    busy: true,
                    next_refresh_ms: now + secs(cfg.service_refresh_secs),
                });
                effects.push(Effect::MaintenanceMode { open: true });
                effects.push(Effect::MaintenanceDiagnostics);
            } else {
                let guard = &mut state.pin_guard;
                let locked_secs = guard.refuse(now, cfg.pin_attempts, cfg.pin_lock_secs);
                effects.push(Effect::PinRefused {
                    failures: guard.failures,
                    locked_secs,
                });
                if locked_secs > 0 {
                    leave_service(state, effects);
                } else {
                    state.phase = Phase::MaintenancePin {
                        failures: guard.in_round(cfg.pin_attempts),
                        locked: false,
                    };
                }
            }
        }
        (Phase::Maintenance(_), Event::MaintenanceReport(mut report)) => {
            if let Phase::Maintenance(panel) = &mut state.phase {
                // Checks do not take test shots: the last test shot's line stays on screen.
                if report.test_shot.is_none() {
                    report.test_shot = panel.report.as_mut().and_then(|r| r.test_shot.take());
                }
                panel.report = Some(report);
                panel.busy = false;
            }
        }
        (Phase::Maintenance(_), Event::TestShotTaken { summary }) => {
            if let Phase::Maintenance(panel) = &mut state.phase {
                panel.report.get_or_insert_with(Default::default).test_shot = Some(summary);
                panel.busy = false;
            }
        }
        (phase, Event::DeviceFault { device, kind }) => {
            let reference = format!("{}-{}", device.name(), kind.name());
            if let Phase::OutOfService { .. } = phase {
                state.phase = Phase::OutOfService { reference };
            } else if fault_stops(phase, device) {
                state.pending_fault = Some(reference);
                end_session(state, SessionOutcome::DeviceFault, effects);
            } else {
                state.pending_fault = Some(reference);
            }
        }
        (phase, Event::DevicesHealthy) => {
            state.pending_fault = None;
            if matches!(phase, Phase::OutOfService { .. }) {
                state.phase = Phase::Attract;
            }
        }
        _ => {}
    }
}

/// After a restart: re-issue whatever was in flight, and step back from anything the devices
/// were in the middle of (a countdown or a capture cannot resume).
fn on_restored(state: &mut State, effects: &mut Vec<Effect>) {
    let now = state.now_ms;
    state.last_activity_ms = now;
    let code = state.session.as_ref().and_then(|s| s.code.clone());
    let submission = state.session.as_ref().and_then(|s| s.submission.clone());
    match &mut state.phase {
        Phase::Scan {
            resolving: true, ..
        } => match code {
            Some(code) => effects.push(Effect::ResolveCode { code }),
            None => {
                state.phase = Phase::Scan {
                    notice: None,
                    resolving: false,
                }
            }
        },
        Phase::Shoot(Shoot::Countdown { .. } | Shoot::Capturing) => {
            state.phase = Phase::Shoot(Shoot::Failed(CaptureProblem::Timeout));
        }
        // Maintenance mode does not survive a restart: the technician enters the PIN again.
        Phase::MaintenancePin { .. } | Phase::Maintenance(_) => {
            state.phase = match state.pending_fault.take() {
                Some(reference) => Phase::OutOfService { reference },
                None => Phase::Attract,
            };
            effects.push(Effect::CheckDevices);
        }
        Phase::Review(Review::Uploading { retry_at_ms, .. }) => {
            *retry_at_ms = None;
            if let (Some(code), Some(shot)) = (code, submitted_shot(state.session.as_ref())) {
                effects.push(Effect::Upload { code, shot });
            }
        }
        Phase::Review(Review::Waiting { next_poll_ms, .. })
        | Phase::Pay(Pay::Showing { next_poll_ms, .. }) => *next_poll_ms = now,
        Phase::Pay(Pay::Creating) => {
            if let Some(submission) = submission {
                effects.push(Effect::CreateOrder { submission });
            }
        }
        _ => {}
    }
}
