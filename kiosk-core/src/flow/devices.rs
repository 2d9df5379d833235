//! What each phase wants from the devices, and the effects that move them there.
//!
//! Device effects are never written into individual transitions. Each phase declares the
//! device state it wants; the step function compares the wants before and after a transition
//! and emits exactly the difference. So the chair motor is enabled in the chair step and
//! disabled on *every* way out of it (back, cancel, idle timeout, fault) by construction.

use serde::{Deserialize, Serialize};

use super::event::Effect;
use super::state::{Phase, Session, Shoot};

/// Named light presets (the register values live in chair-control's config).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LightPreset {
    /// Dim, between sessions.
    Idle,
    /// Portrait lighting for graduates without glasses.
    Standard,
    /// Key and fill moved to keep reflections off lenses.
    Glasses,
    /// Everything off (out of service, shutdown).
    Off,
}

impl LightPreset {
    /// The preset's config name.
    pub fn name(self) -> &'static str {
        match self {
            LightPreset::Idle => "idle",
            LightPreset::Standard => "standard",
            LightPreset::Glasses => "glasses",
            LightPreset::Off => "off",
        }
    }
}

/// The device state a phase wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceWants {
    /// Camera live view running.
    pub live_view: bool,
    /// QR scanning on.
    pub qr: bool,
    /// Chair motor enabled.
    pub chair_motor: bool,
    /// Light preset.
    pub lights: LightPreset,
    /// The camera preset for the lighting choice (true: glasses), while shooting lights are on.
    pub camera_preset: Option<bool>,
    /// The maintenance keypad takes PINs.
    pub pin_entry: bool,
    /// The face on the live view is tracked (seat hint, eye guide, crop frame).
    pub face_tracking: bool,
}

impl DeviceWants {
    /// What `phase` wants, given the session's glasses choice.
    pub fn of(phase: &Phase, session: Option<&Session>) -> Self {
        let shooting_light = match session.and_then(|s| s.glasses) {
            Some(true) => LightPreset::Glasses,
            Some(false) => LightPreset::Standard,
            None => LightPreset::Idle,
        };
        let (live_view, qr, chair_motor, lights) = match phase {
            Phase::Scan { .. } => (true, true, false, LightPreset::Idle),
            Phase::Rules => (false, false, false, shooting_light),
            Phase::Chair => (true, false, true, shooting_light),
            Phase::Shoot(Shoot::Preview) => (false, false, false, shooting_light),
            Phase::Shoot(_) => (true, false, false, shooting_light),
            Phase::OutOfService { .. } => (false, false, false, LightPreset::Off),
            // The technician drives the seat and picks the lights; both go back on the way out.
            Phase::Maintenance(panel) => (false, false, true, panel.lights),
            _ => (false, false, false, LightPreset::Idle),
        };
        let camera_preset = match lights {
            LightPreset::Glasses if lights == shooting_light => Some(true),
            LightPreset::Standard if lights == shooting_light => Some(false),
            _ => None,
        };
        Self {
            live_view,
            qr,
            chair_motor,
            lights,
            camera_preset,
            pin_entry: matches!(phase, Phase::MaintenancePin { locked: false, .. }),
            face_tracking: matches!(phase, Phase::Chair | Phase::Shoot(Shoot::Ready)),
        }
    }

    /// Effects that take the devices from `self` to `next`. The chair motor is switched off
    /// first and on last, so no ordering of effects leaves it running by mistake.
    pub fn diff(self, next: DeviceWants, out: &mut Vec<Effect>) {
        if self.chair_motor && !next.chair_motor {
            out.push(Effect::ChairMotor(false));
        }
        if self.qr && !next.qr {
            out.push(Effect::QrScanning(false));
        }
        if self.live_view != next.live_view {
            out.push(Effect::LiveView(next.live_view));
        }
        if !self.qr && next.qr {
            out.push(Effect::QrScanning(true));
        }
        if self.lights != next.lights {
            out.push(Effect::Lights(next.lights));
        }
        if let Some(glasses) = next.camera_preset
            && self.camera_preset != next.camera_preset
        {
            out.push(Effect::CameraPreset { glasses });
        }
        if self.pin_entry != next.pin_entry {
            out.push(Effect::PinEntry(next.pin_entry));
        }
        if self.face_tracking != next.face_tracking {
            out.push(Effect::FaceTracking(next.face_tracking));
        }
        if !self.chair_motor && next.chair_motor {
            out.push(Effect::ChairMotor(true));
        }
    }

    /// Effects that put every device into this state regardless of what it was (after a
    /// restart nothing is known about the devices).
    pub fn force(self, out: &mut Vec<Effect>) {
        if !self.chair_motor {
            out.push(Effect::ChairMotor(false));
        }
        out.push(Effect::QrScanning(self.qr));
        out.push(Effect::LiveView(self.live_view));
        out.push(Effect::Lights(self.lights));
        if let Some(glasses) = self.camera_preset {
            out.push(Effect::CameraPreset { glasses });
        }
        out.push(Effect::PinEntry(self.pin_entry));
        out.push(Effect::FaceTracking(self.face_tracking));
        if self.chair_motor {
            out.push(Effect::ChairMotor(true));
        }
    }
}
