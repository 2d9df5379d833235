//! The transition function. Every event in every phase lands here; anything not listed is
//! ignored (returns the state unchanged and no effects), never a panic.
//!
//! This file holds what every phase shares (the clock and the idle timeout, the language,
//! leaving and going back, device faults, the seat, starting and ending a session) and hands
//! the rest to the module of the phase the kiosk is in, each with its ticks, touches, answers
//! and restart: `start.rs` (from the attract screen to the chair), `shoot.rs`, `review.rs`,
//! `pay.rs` (payment and the done screen) and `maintenance.rs` (out of service, the PIN and the
//! technician's screen).

use crate::model::{DoneKind, Intent};

use super::devices::DeviceWants;
use super::event::{Device, Effect, Event, SessionOutcome};
use super::state::{FlowConfig, Pay, Phase, Review, Session, Shoot, State};
use super::{maintenance, pay, review, shoot, start};

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

/// The parts of the session, each a module with its phases' behaviour.
enum Part {
    Start,
    Shoot,
    Review,
    Pay,
    Maintenance,
}

fn part(phase: &Phase) -> Part {
    match phase {
        Phase::Attract
        | Phase::PhotoType
        | Phase::Prepare
        | Phase::Scan { .. }
        | Phase::Confirm
        | Phase::Lighting
        | Phase::Rules
        | Phase::Chair => Part::Start,
        Phase::Shoot(_) => Part::Shoot,
        Phase::Review(_) => Part::Review,
        Phase::Pay(_) | Phase::Done { .. } => Part::Pay,
        Phase::OutOfService { .. } | Phase::MaintenancePin { .. } | Phase::Maintenance(_) => {
            Part::Maintenance
        }
    }
}

pub(super) fn secs(s: u32) -> u64 {
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
            maintenance::leave(state, effects);
        } else {
            end_session(state, SessionOutcome::IdleTimeout, effects);
        }
        return;
    }
    match part(&state.phase) {
        Part::Start => {}
        Part::Shoot => shoot::on_tick(state, now, effects),
        Part::Review => review::on_tick(cfg, state, now, effects),
        Part::Pay => pay::on_tick(cfg, state, now, effects),
        Part::Maintenance => maintenance::on_tick(cfg, state, now, effects),
    }
}

fn on_intent(cfg: &FlowConfig, state: &mut State, intent: Intent, effects: &mut Vec<Effect>) {
    let maintaining = matches!(
        state.phase,
        Phase::MaintenancePin { .. } | Phase::Maintenance(_)
    );
    if state.session.is_some() || maintaining {
        state.last_activity_ms = state.now_ms;
    }
    match intent {
        Intent::SetLanguage(lang) => return state.lang = lang,
        Intent::StillHere => return,
        // The technician's screens have their own way out.
        _ if maintaining => return maintenance::on_intent(cfg, state, intent, effects),
        Intent::Back if matches!(state.phase, Phase::PhotoType) => {
            return end_session(state, SessionOutcome::Cancelled, effects);
        }
        Intent::Cancel if cancel_allowed(&state.phase) => {
            return end_session(state, SessionOutcome::Cancelled, effects);
        }
        Intent::Back => {
            if let Some(previous) = back_of(&state.phase) {
                if matches!(state.phase, Phase::Confirm) {
                    start::forget_code(state);
                }
                state.phase = previous;
            }
            return;
        }
        _ => {}
    }
    match part(&state.phase) {
        Part::Start => start::on_intent(cfg, state, intent, effects),
        Part::Shoot => shoot::on_intent(cfg, state, intent, effects),
        Part::Review => review::on_intent(cfg, state, intent, effects),
        Part::Pay => pay::on_intent(state, intent, effects),
        Part::Maintenance => maintenance::on_intent(cfg, state, intent, effects),
    }
}

fn on_answer(cfg: &FlowConfig, state: &mut State, event: Event, effects: &mut Vec<Effect>) {
    match event {
        Event::DeviceFault { device, kind } => {
            let reference = format!("{}-{}", device.name(), kind.name());
            if let Phase::OutOfService { .. } = state.phase {
                state.phase = Phase::OutOfService { reference };
            } else if fault_stops(&state.phase, device) {
                state.pending_fault = Some(reference);
                end_session(state, SessionOutcome::DeviceFault, effects);
            } else {
                state.pending_fault = Some(reference);
            }
        }
        Event::DevicesHealthy => {
            state.pending_fault = None;
            if matches!(state.phase, Phase::OutOfService { .. }) {
                state.phase = Phase::Attract;
            }
        }
        Event::Seat { hint, levelling } => {
            if matches!(state.phase, Phase::Chair | Phase::Shoot(Shoot::Ready)) {
                // A face that moved to a new hint is a graduate at work on the seat (holding
                // its button, say): as good as a touch for the idle timeout. Leaving the frame
                // is not.
                let moved = state.seat.and_then(|s| s.hint) != hint
                    && hint.is_some_and(|h| h != crate::model::SeatHint::NoFace);
                if moved {
                    state.last_activity_ms = state.now_ms;
                }
                state.seat = Some(super::state::SeatState { hint, levelling });
            }
        }
        other => match part(&state.phase) {
            Part::Start => start::on_answer(cfg, state, other, effects),
            Part::Shoot => shoot::on_answer(state, other),
            Part::Review => review::on_answer(cfg, state, other, effects),
            Part::Pay => pay::on_answer(cfg, state, other),
            Part::Maintenance => maintenance::on_answer(cfg, state, other, effects),
        },
    }
}

/// After a restart: re-issue whatever was in flight, and step back from anything the devices
/// were in the middle of (a countdown or a capture cannot resume).
fn on_restored(state: &mut State, effects: &mut Vec<Effect>) {
    state.last_activity_ms = state.now_ms;
    match part(&state.phase) {
        Part::Start => start::on_restored(state, effects),
        Part::Shoot => shoot::on_restored(state),
        Part::Review => review::on_restored(state, effects),
        Part::Pay => pay::on_restored(state, effects),
        Part::Maintenance => maintenance::on_restored(state, effects),
    }
}

pub(super) fn done_outcome(kind: DoneKind) -> SessionOutcome {
    match kind {
        DoneKind::Paid => SessionOutcome::Paid,
        DoneKind::ReviewPending => SessionOutcome::ReviewPending,
    }
}

pub(super) fn submitted_shot(session: Option<&Session>) -> Option<u8> {
    session.and_then(|s| s.submitted_shot)
}

pub(super) fn shots_left(cfg: &FlowConfig, state: &State) -> bool {
    state
        .session
        .as_ref()
        .is_some_and(|s| s.shots_used < max_shots(cfg, Some(s)))
}

/// Shots allowed for the session's code: the service's word when it gave one, else the config.
pub(super) fn max_shots(cfg: &FlowConfig, session: Option<&Session>) -> u8 {
    session.and_then(|s| s.shots_max).unwrap_or(cfg.max_shots)
}

pub(super) fn begin_session(state: &mut State, effects: &mut Vec<Effect>) {
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
pub(super) fn end_session(state: &mut State, outcome: SessionOutcome, effects: &mut Vec<Effect>) {
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
    back_to_start(state);
}

/// Back to the start, or out of service when a device fault is known (and kept until the
/// devices are found healthy).
pub(super) fn back_to_start(state: &mut State) {
    state.phase = match state.pending_fault.take() {
        Some(reference) => Phase::OutOfService { reference },
        None => Phase::Attract,
    };
}

/// Whether the graduate may leave from here. Not while the shutter fires, nor while the service
/// is taking the photo or reviewing it (leaving would abandon a counted shot mid-flight).
pub(super) fn cancel_allowed(phase: &Phase) -> bool {
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

/// Whether a device fault stops the current phase at once. Once the graduate has a photo, the
/// session carries on (the service has what it needs) and the kiosk goes out of service after.
fn fault_stops(phase: &Phase, device: Device) -> bool {
    let before_shot = matches!(part(phase), Part::Start);
    let shooting = matches!(
        phase,
        Phase::Shoot(Shoot::Ready | Shoot::Countdown { .. } | Shoot::Capturing | Shoot::Failed(_))
    );
    match device {
        Device::Camera | Device::Lights => before_shot || shooting,
        Device::Chair => before_shot,
    }
}
