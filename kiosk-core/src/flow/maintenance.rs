//! Out of service, the PIN keypad and the technician's maintenance screen: retrying the
//! devices, asking for the PIN (with its lock after wrong ones), the screen's commands and
//! refreshes, and the way back to the graduates.

use crate::model::{Intent, MaintenanceCommand};

use super::devices::LightPreset;
use super::event::{ChairMove, Effect, Event};
use super::state::{FlowConfig, MaintenancePanel, Phase, State};
use super::step::{back_to_start, secs};

pub(super) fn on_tick(cfg: &FlowConfig, state: &mut State, now: u64, effects: &mut Vec<Effect>) {
    match &mut state.phase {
        Phase::MaintenancePin { locked, .. } if *locked && !state.pin_guard.locked(now) => {
            *locked = false;
        }
        Phase::Maintenance(_)
            if now.saturating_sub(state.last_activity_ms) >= secs(cfg.service_idle_secs) =>
        {
            leave(state, effects);
        }
        Phase::Maintenance(panel) if !panel.busy && now >= panel.next_refresh_ms => {
            panel.busy = true;
            panel.next_refresh_ms = now + secs(cfg.service_refresh_secs);
            effects.push(Effect::MaintenanceDiagnostics);
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
        (Phase::OutOfService { .. }, Intent::RetryDevices) => effects.push(Effect::CheckDevices),
        (Phase::OutOfService { .. }, Intent::MaintenanceGesture) => ask_pin(cfg, state),
        (Phase::MaintenancePin { .. } | Phase::Maintenance(_), Intent::Cancel | Intent::Back) => {
            leave(state, effects)
        }
        (Phase::Maintenance(_), Intent::Maintenance(cmd)) => on_command(cfg, state, cmd, effects),
        _ => {}
    }
}

/// The hidden gesture on the attract or out-of-service screen: the PIN keypad.
pub(super) fn ask_pin(cfg: &FlowConfig, state: &mut State) {
    if let Phase::OutOfService { reference } = &state.phase {
        // Remembered so leaving maintenance mode goes back out of service unless fixed.
        state.pending_fault = Some(reference.clone());
    }
    state.phase = Phase::MaintenancePin {
        failures: state.pin_guard.in_round(cfg.pin_attempts),
        locked: state.pin_guard.locked(state.now_ms),
    };
}

pub(super) fn on_answer(
    cfg: &FlowConfig,
    state: &mut State,
    event: Event,
    effects: &mut Vec<Effect>,
) {
    let now = state.now_ms;
    match (&mut state.phase, event) {
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
                    leave(state, effects);
                } else {
                    state.phase = Phase::MaintenancePin {
                        failures: guard.in_round(cfg.pin_attempts),
                        locked: false,
                    };
                }
            }
        }
        (Phase::Maintenance(panel), Event::MaintenanceReport(mut report)) => {
            // Checks do not take test shots: the last test shot's line stays on screen.
            if report.test_shot.is_none() {
                report.test_shot = panel.report.as_mut().and_then(|r| r.test_shot.take());
            }
            panel.report = Some(report);
            panel.busy = false;
        }
        (Phase::Maintenance(panel), Event::TestShotTaken { summary }) => {
            panel.report.get_or_insert_with(Default::default).test_shot = Some(summary);
            panel.busy = false;
        }
        _ => {}
    }
}

/// Maintenance mode does not survive a restart: the technician enters the PIN again.
pub(super) fn on_restored(state: &mut State, effects: &mut Vec<Effect>) {
    if let Phase::MaintenancePin { .. } | Phase::Maintenance(_) = state.phase {
        back_to_start(state);
        effects.push(Effect::CheckDevices);
    }
}

/// Leave the PIN keypad or the maintenance screen: back to the start, or to out-of-service when a
/// device is (still) known to be broken; the devices are checked again either way.
pub(super) fn leave(state: &mut State, effects: &mut Vec<Effect>) {
    if matches!(state.phase, Phase::Maintenance(_)) {
        effects.push(Effect::MaintenanceMode { open: false });
    }
    effects.push(Effect::CheckDevices);
    back_to_start(state);
}

fn on_command(
    cfg: &FlowConfig,
    state: &mut State,
    cmd: MaintenanceCommand,
    effects: &mut Vec<Effect>,
) {
    let now = state.now_ms;
    let Phase::Maintenance(panel) = &mut state.phase else {
        return;
    };
    let preset = match cmd {
        MaintenanceCommand::LightsIdle => Some(LightPreset::Idle),
        MaintenanceCommand::LightsStandard => Some(LightPreset::Standard),
        MaintenanceCommand::LightsGlasses => Some(LightPreset::Glasses),
        MaintenanceCommand::LightsOff => Some(LightPreset::Off),
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
        MaintenanceCommand::Exit => leave(state, effects),
        _ => {}
    }
}
