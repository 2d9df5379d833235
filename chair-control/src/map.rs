//! The register map: where each value lives on the controllers and how it is scaled.
//!
//! Defaults describe the boards this project ships its simulator for; a technician fitting
//! another board changes the `[lights]` / `[chair]` sections of the kiosk config instead of
//! recompiling. The crate README has the table.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Light controller registers (holding registers unless noted).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LightsMap {
    /// Modbus slave id.
    pub slave: u8,
    /// Channel name → register holding its intensity, 0..=`max_level`.
    pub channels: BTreeMap<String, u16>,
    /// Register holding the on/off bitmask (bit n = channel in `channels` order).
    pub enable_register: u16,
    /// Register holding the ramp time in ms the controller uses to reach new levels.
    pub ramp_register: u16,
    /// Full scale of an intensity register.
    pub max_level: u16,
    /// Ramp time written before each preset, in ms.
    pub ramp_ms: u16,
    /// Presets: name → channel → level (0..=`max_level`; 0 = off).
    pub presets: BTreeMap<String, Preset>,
}

/// Channel levels of one preset.
pub type Preset = BTreeMap<String, u16>;

impl Default for LightsMap {
    fn default() -> Self {
        let channels: BTreeMap<String, u16> =
            [("key", 0), ("fill", 1), ("background", 2), ("hair", 3)]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
        let preset = |levels: [u16; 4]| -> Preset {
            ["key", "fill", "background", "hair"]
                .into_iter()
                .zip(levels)
                .map(|(k, v)| (k.to_owned(), v))
                .collect()
        };
        let presets = [
            ("idle", preset([150, 150, 300, 0])),
            ("standard", preset([800, 600, 700, 400])),
            // Key and fill higher and (on the booth) moved off-axis to keep glare off lenses.
            ("glasses", preset([900, 750, 700, 400])),
            ("off", preset([0, 0, 0, 0])),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Self {
            slave: 1,
            channels,
            enable_register: 0x10,
            ramp_register: 0x11,
            max_level: 1000,
            ramp_ms: 800,
            presets,
        }
    }
}

/// Chair controller registers, and whether the kiosk levels the seat itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChairMap {
    /// Modbus slave id.
    pub slave: u8,
    /// Holding register: 1 = motor enabled, 0 = disabled.
    pub motor_enable_register: u16,
    /// Holding register: 0 = stop, 1 = up, 2 = down.
    pub command_register: u16,
    /// Input register: seat height in units of `height_scale_mm`.
    pub height_register: u16,
    /// Millimetres per height unit.
    pub height_scale_mm: f32,
    /// Input register with the status bits below.
    pub status_register: u16,
    /// Status bit: lower limit switch.
    pub bit_lower_limit: u8,
    /// Status bit: upper limit switch.
    pub bit_upper_limit: u8,
    /// Status bit: the seat's up button is pressed.
    pub bit_button_up: u8,
    /// Status bit: the seat's down button is pressed.
    pub bit_button_down: u8,
    /// Status bit: motor overcurrent.
    pub bit_overcurrent: u8,
    /// Status bit: motor stalled.
    pub bit_stalled: u8,
    /// Status bit: moving.
    pub bit_moving: u8,
    /// The kiosk drives the seat during the chair step until the graduate's eyes are on the
    /// live view's eye guide ([`crate::level`]). The seat button still works and takes over.
    pub auto_level: bool,
    /// Longest the kiosk drives the seat in one chair step, seconds (the reference chair
    /// crosses its whole 200 mm travel in 5 s).
    pub auto_level_max_secs: f32,
}

impl Default for ChairMap {
    fn default() -> Self {
        Self {
            slave: 2,
            motor_enable_register: 0x00,
            command_register: 0x01,
            height_register: 0x00,
            height_scale_mm: 1.0,
            status_register: 0x01,
            bit_lower_limit: 0,
            bit_upper_limit: 1,
            bit_button_up: 2,
            bit_button_down: 3,
            bit_overcurrent: 4,
            bit_stalled: 5,
            bit_moving: 6,
            auto_level: false,
            auto_level_max_secs: 8.0,
        }
    }
}

impl LightsMap {
    /// Check that every preset names known channels and stays in range. Returns the first
    /// problem as (key path, message), for the config loader to report.
    pub fn validate(&self) -> Result<(), (String, String)> {
        for (name, preset) in &self.presets {
            for (channel, level) in preset {
                if !self.channels.contains_key(channel) {
                    return Err((
                        format!("lights.presets.{name}.{channel}"),
                        format!(
                            "no such channel (known: {})",
                            self.channel_names().join(", ")
                        ),
                    ));
                }
                if *level > self.max_level {
                    return Err((
                        format!("lights.presets.{name}.{channel}"),
                        format!("level {level} is above max_level {}", self.max_level),
                    ));
                }
            }
        }
        for required in ["idle", "standard", "glasses", "off"] {
            if !self.presets.contains_key(required) {
                return Err((
                    format!("lights.presets.{required}"),
                    "missing preset".into(),
                ));
            }
        }
        Ok(())
    }

    /// Channel names in bitmask order.
    pub fn channel_names(&self) -> Vec<&str> {
        self.channels.keys().map(String::as_str).collect()
    }
}
