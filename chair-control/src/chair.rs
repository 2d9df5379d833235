//! The chair controller: motor enable, up/down/stop, height, limits, the seat button, faults.

use std::sync::Arc;

use serde::Serialize;

use crate::bus::Bus;
use crate::error::DeviceError;
use crate::map::ChairMap;

/// Which way to move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Raise the seat.
    Up,
    /// Lower the seat.
    Down,
}

/// What the chair controller reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ChairStatus {
    /// Seat height in mm.
    pub height_mm: f32,
    /// Motor enabled.
    pub motor_enabled: bool,
    /// At the lower limit switch.
    pub lower_limit: bool,
    /// At the upper limit switch.
    pub upper_limit: bool,
    /// The graduate presses "up" on the seat button.
    pub button_up: bool,
    /// The graduate presses "down".
    pub button_down: bool,
    /// Motor overcurrent.
    pub overcurrent: bool,
    /// Motor stalled.
    pub stalled: bool,
    /// Moving now.
    pub moving: bool,
}

/// Driver for the chair controller.
pub struct Chair {
    bus: Arc<Bus>,
    map: ChairMap,
}

impl Chair {
    /// A chair on `bus` with register map `map`.
    pub fn new(bus: Arc<Bus>, map: ChairMap) -> Self {
        Self { bus, map }
    }

    /// Enable or disable the motor. Disabling also stops any movement.
    pub async fn motor(&self, enabled: bool) -> Result<(), DeviceError> {
        if !enabled {
            self.bus
                .write(self.map.slave, self.map.command_register, &[0])
                .await?;
        }
        self.bus
            .write(
                self.map.slave,
                self.map.motor_enable_register,
                &[u16::from(enabled)],
            )
            .await
    }

    /// Start moving (the motor must be enabled), or stop with `None`.
    pub async fn drive(&self, direction: Option<Direction>) -> Result<(), DeviceError> {
        let command = match direction {
            None => 0,
            Some(Direction::Up) => 1,
            Some(Direction::Down) => 2,
        };
        self.bus
            .write(self.map.slave, self.map.command_register, &[command])
            .await
    }

    /// Read height, switches, button and faults.
    pub async fn status(&self) -> Result<ChairStatus, DeviceError> {
        let m = &self.map;
        let height = self
            .bus
            .read_input_register(m.slave, m.height_register)
            .await?;
        let bits = self
            .bus
            .read_input_register(m.slave, m.status_register)
            .await?;
        let enabled = self
            .bus
            .read_holding_register(m.slave, m.motor_enable_register)
            .await?;
        let bit = |n: u8| bits & (1 << n) != 0;
        Ok(ChairStatus {
            height_mm: f32::from(height) * m.height_scale_mm,
            motor_enabled: enabled != 0,
            lower_limit: bit(m.bit_lower_limit),
            upper_limit: bit(m.bit_upper_limit),
            button_up: bit(m.bit_button_up),
            button_down: bit(m.bit_button_down),
            overcurrent: bit(m.bit_overcurrent),
            stalled: bit(m.bit_stalled),
            moving: bit(m.bit_moving),
        })
    }
}
