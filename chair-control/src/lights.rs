//! The light controller: channel levels, on/off, presets with a ramp.

use std::sync::Arc;

use crate::bus::Bus;
use crate::error::{DeviceError, ErrorKind};
use crate::map::LightsMap;

/// Driver for the light controller.
pub struct Lights {
    bus: Arc<Bus>,
    map: LightsMap,
}

impl Lights {
    /// Lights on `bus` with register map `map`.
    pub fn new(bus: Arc<Bus>, map: LightsMap) -> Self {
        Self { bus, map }
    }

    /// Apply a named preset: ramp time first, then every level, then the on/off mask.
    pub async fn preset(&self, name: &str) -> Result<(), DeviceError> {
        let preset = self.map.presets.get(name).ok_or_else(|| {
            DeviceError::new(ErrorKind::Unknown, "lights", format!("no preset {name:?}"))
        })?;
        self.bus
            .write(self.map.slave, self.map.ramp_register, &[self.map.ramp_ms])
            .await?;
        let mut mask = 0u16;
        for (bit, (channel, register)) in self.map.channels.iter().enumerate() {
            let level = preset.get(channel).copied().unwrap_or(0);
            self.bus.write(self.map.slave, *register, &[level]).await?;
            if level > 0 {
                mask |= 1 << bit;
            }
        }
        self.bus
            .write(self.map.slave, self.map.enable_register, &[mask])
            .await
    }

    /// Set one channel's level (0 turns it off).
    pub async fn set(&self, channel: &str, level: u16) -> Result<(), DeviceError> {
        let register = *self.map.channels.get(channel).ok_or_else(|| {
            DeviceError::new(
                ErrorKind::Unknown,
                "lights",
                format!(
                    "no channel {channel:?} (known: {})",
                    self.map.channel_names().join(", ")
                ),
            )
        })?;
        let level = level.min(self.map.max_level);
        self.bus.write(self.map.slave, register, &[level]).await?;
        let bit = self
            .map
            .channels
            .keys()
            .position(|c| c == channel)
            .unwrap_or(0);
        let mask = self
            .bus
            .read_holding_register(self.map.slave, self.map.enable_register)
            .await?;
        let mask = if level > 0 {
            mask | 1 << bit
        } else {
            mask & !(1 << bit)
        };
        self.bus
            .write(self.map.slave, self.map.enable_register, &[mask])
            .await
    }

    /// Current levels by channel, as the controller reports them.
    pub async fn levels(&self) -> Result<Vec<(String, u16)>, DeviceError> {
        let mut out = Vec::new();
        for (channel, register) in &self.map.channels {
            let level = self
                .bus
                .read_holding_register(self.map.slave, *register)
                .await?;
            out.push((channel.clone(), level));
        }
        Ok(out)
    }
}
