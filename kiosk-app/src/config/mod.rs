//! The kiosk's configuration: one TOML file. Every key has a default, and the defaults are
//! demo mode (simulated camera, serial simulator, in-process service), so a fresh machine runs
//! with no file at all. A broken file is refused at start with the file, the key and the reason.

use std::path::{Path, PathBuf};

use chair_control::{ChairMap, LightsMap, PortConfig};
use kiosk_core::model::Lang;
use serde::{Deserialize, Serialize};

use crate::photo_lab::PhotoConfig;
use crate::qr::QrRules;
use collection_service::sim::SimServiceConfig;
use kiosk_core::flow::FlowConfig;

mod sections;
mod validate;

pub use sections::*;

/// A configuration problem, naming the file and the key.
#[derive(Debug, thiserror::Error)]
#[error("{file}: key `{key}`: {message}")]
pub struct ConfigError {
    /// The file.
    pub file: String,
    /// Dotted key path (`flow.idle_timeout_secs`), or `-` for the whole file.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// The whole configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `[kiosk]`.
    pub kiosk: KioskSection,
    /// `[flow]`: timings and limits.
    pub flow: FlowConfig,
    /// `[camera]`.
    pub camera: CameraSection,
    /// `[serial]`.
    pub serial: SerialSection,
    /// `[lights]`: register map and presets.
    pub lights: LightsMap,
    /// `[chair]`: register map.
    pub chair: ChairMap,
    /// `[service]`.
    pub service: ServiceSection,
    /// `[qr]`: code classification.
    pub qr: QrRules,
    /// `[scanner]`: a USB barcode scanner, if the booth has one.
    pub scanner: crate::scanner::ScannerConfig,
    /// `[photo]`: crop and checks.
    pub photo: PhotoConfig,
    /// `[logging]`.
    pub logging: LoggingSection,
    /// `[display]`.
    pub display: DisplaySection,
    /// `[maintenance]` (`[service_mode]`, its name before, is still read).
    #[serde(alias = "service_mode")]
    pub maintenance: MaintenanceSection,
    /// `[metrics]`: the Prometheus endpoint.
    pub metrics: kiosk_ops::metrics::MetricsSection,
    /// `[notice]`: the notice's facts the screens quote (alternative studio, deadline,
    /// information office).
    pub notice: kiosk_core::model::Notice,
    /// `[voice]`: spoken prompts and the countdown's beeps.
    pub voice: crate::voice::VoiceSection,
}

impl Config {
    /// Parse and validate TOML text; `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, ConfigError> {
        let err = |key: String, message: String| ConfigError {
            file: file.to_owned(),
            key,
            message,
        };
        let de = toml::Deserializer::parse(text).map_err(|e| err("-".into(), e.to_string()))?;
        let cfg: Config = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            // toml's message repeats the source line; the first line is the reason.
            let message = e
                .inner()
                .message()
                .lines()
                .next()
                .unwrap_or("invalid")
                .to_owned();
            err(if key == "." { "-".into() } else { key }, message)
        })?;
        cfg.validate().map_err(|(key, message)| err(key, message))?;
        Ok(cfg)
    }

    /// Read and validate a file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.display().to_string(),
            key: "-".into(),
            message: format!("cannot read: {e}"),
        })?;
        Self::from_toml(&path.display().to_string(), &text)
    }

    /// Make `kiosk.data_dir` (and its parents) owner-only, when it is not there yet: it holds
    /// the journal and photos.
    pub fn make_data_dir(&self) -> std::io::Result<()> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.kiosk.data_dir)
    }

    /// A path under the data directory (absolute paths are kept).
    pub fn data_path(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_owned()
        } else {
            self.kiosk.data_dir.join(p)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_demo_mode() {
        let cfg = Config::from_toml("k.toml", "").unwrap();
        assert_eq!(cfg, Config::default());
        assert_eq!(cfg.camera.backend, Backend::Sim);
    }

    #[test]
    fn errors_name_the_file_and_the_key() {
        let cases = [
            (
                "[flow]\nidle_timeout_secs = \"ninety\"\n",
                "flow.idle_timeout_secs",
            ),
            ("[flow]\nidle_timout_secs = 5\n", "flow.idle_timout_secs"),
            (
                "[flow]\nidle_timeout_secs = 10\nidle_warning_secs = 20\n",
                "flow.idle_warning_secs",
            ),
            (
                "[service]\nbackend = \"real\"\nurl = \"http://x\"\n",
                "service.url",
            ),
            (
                "[lights.presets.glasses]\nkey = 5000\n",
                "lights.presets.glasses.key",
            ),
            ("[kiosk]\nlanguage = \"fr\"\n", "kiosk.language"),
            (
                "[camera]\nsim_capture_size = [0, 0]\n",
                "camera.sim_capture_size",
            ),
            (
                "[camera]\nsim_capture_size = [20000, 20000]\n",
                "camera.sim_capture_size",
            ),
            ("[qr]\ntoken_len = [200, 1]\n", "qr.token_len"),
            ("[qr]\ntoken_len = [0, 10]\n", "qr.token_len"),
            (
                "[maintenance]\npin_hash = \"1234\"\n",
                "maintenance.pin_hash",
            ),
            (
                "[serial]\nbackend = \"real\"\nport.path = \"/dev/ttyUSB0\"\n",
                "maintenance.pin_hash",
            ),
            ("[display]\nbackend = \"x11\"\n", "display.backend"),
            // Each zero interval is named by its own key.
            (
                "[serial]\nhealth_interval_ms = 0\n",
                "serial.health_interval_ms",
            ),
            ("[serial]\nchair_poll_ms = 0\n", "serial.chair_poll_ms"),
            ("[serial.port]\nparity = \"mark\"\n", "serial.port.parity"),
            (
                "[flow]\nservice_refresh_secs = 0\n",
                "flow.service_refresh_secs",
            ),
            ("[flow]\npin_attempts = 0\n", "flow.pin_attempts"),
            // Numbers serde takes but a booth cannot live with.
            (
                "[camera]\ncapture_timeout_ms = 18446744073709551615\n",
                "camera.capture_timeout_ms",
            ),
            (
                "[camera]\ncapture_timeout_ms = 0\n",
                "camera.capture_timeout_ms",
            ),
            (
                "[camera]\npreview_interval_ms = 0\n",
                "camera.preview_interval_ms",
            ),
            ("[flow]\ncountdown_secs = 0\n", "flow.countdown_secs"),
            ("[flow]\ncountdown_secs = 3600\n", "flow.countdown_secs"),
            ("[flow]\npin_lock_secs = 0\n", "flow.pin_lock_secs"),
            (
                "[notice]\nstudio = { zh = \"某照相馆\" }\n",
                "notice.studio",
            ),
            (
                "[notice]\nstudio = { zh = \"\", en = \"X\" }\n",
                "notice.studio.zh",
            ),
            ("[notice]\ninfo_phone = \" \"\n", "notice.info_phone"),
            ("[notice]\nprice_fen = 0\n", "notice.price_fen"),
            ("[notice]\nprice_fen = -5\n", "notice.price_fen"),
            ("[notice]\nstudio_adress = \"x\"\n", "notice.studio_adress"),
            ("this is not toml", "-"),
        ];
        for (text, key) in cases {
            let e = Config::from_toml("/etc/photo-kiosk/kiosk.toml", text).unwrap_err();
            assert_eq!(e.key, key, "{text:?}: {e}");
            assert!(
                e.to_string()
                    .starts_with("/etc/photo-kiosk/kiosk.toml: key `"),
                "{e}"
            );
        }
    }

    #[test]
    fn a_booth_elsewhere_has_its_own_notice() {
        let cfg = Config::from_toml(
            "k.toml",
            "[notice]\nstudio = { zh = \"东方照相馆\", en = \"Dongfang Studio\" }\ninfo_phone = \"010-12345678\"\n",
        )
        .unwrap();
        assert_eq!(cfg.notice.studio.zh, "东方照相馆");
        assert_eq!(cfg.notice.info_phone, "010-12345678");
        // What it does not name stays the notice's.
        assert_eq!(cfg.notice.deadline, Config::default().notice.deadline);
        assert_eq!(Config::default().notice.studio.zh, "新华图片社");
    }

    #[test]
    fn defaults_round_trip_through_toml() {
        let text = toml::to_string(&Config::default()).unwrap();
        assert_eq!(Config::from_toml("x", &text).unwrap(), Config::default());
    }
}
