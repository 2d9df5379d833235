//! The kiosk's configuration: one TOML file. Every key has a default, and the defaults are
//! demo mode (simulated camera, serial simulator, in-process service), so a fresh machine runs
//! with no file at all. A broken file is refused at start with the file, the key and the reason.

use std::path::{Path, PathBuf};

use chair_control::{ChairMap, LightsMap, PortConfig};
use kiosk_core::model::Lang;
use serde::{Deserialize, Serialize};

use crate::photo::PhotoConfig;
use crate::qr::QrRules;
use collection_service::sim::SimServiceConfig;
use kiosk_core::flow::FlowConfig;

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

/// Where things are and who this kiosk is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KioskSection {
    /// Kiosk id, in logs and out-of-service references.
    pub id: String,
    /// Starting language.
    pub language: Lang,
    /// Directory for the journal and logs.
    pub data_dir: PathBuf,
    /// Days the journal keeps its shot counters (keyed digests of shooting codes, so nobody
    /// takes more shots than allowed) and its transitions after they were last written.
    /// Photos never wait: they go when the service holds them or the session ends.
    pub keep_days: u32,
}

impl Default for KioskSection {
    fn default() -> Self {
        Self {
            id: "demo-kiosk".into(),
            language: Lang::Zh,
            data_dir: PathBuf::from("kiosk-data"),
            keep_days: 60,
        }
    }
}

/// Which implementation drives a device or service.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// The simulator (demo mode).
    #[default]
    Sim,
    /// The real thing.
    Real,
}

/// `[camera]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CameraSection {
    /// `sim` or `real` (libgphoto2).
    pub backend: Backend,
    /// Simulated capture size.
    pub sim_capture_size: (u32, u32),
    /// Capture timeout, ms (1000..=120000).
    pub capture_timeout_ms: u64,
    /// Live-view frame interval, ms (20..=1000).
    pub preview_interval_ms: u64,
    /// Which camera to open (real backend): model as `kiosk camera list` shows it, and/or
    /// port; both empty: the first camera found.
    pub model: String,
    /// Port, e.g. `usb:001,004` (changes when re-plugged; prefer the model).
    pub port: String,
    /// Settings applied before each shot, by lighting: libgphoto2 key → value (e.g.
    /// `iso = "100"`, `f-number = "f/8"`). What the camera accepted is read back and
    /// differences are logged.
    pub presets: CameraPresets,
}

/// Camera settings per lighting mode.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CameraPresets {
    /// Without glasses (the standard portrait light).
    pub standard: std::collections::BTreeMap<String, String>,
    /// With glasses (key and fill moved; often a stop more light).
    pub glasses: std::collections::BTreeMap<String, String>,
}

impl Default for CameraSection {
    fn default() -> Self {
        let preset = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        Self {
            backend: Backend::Sim,
            sim_capture_size: (6000, 4000),
            capture_timeout_ms: 15_000,
            preview_interval_ms: 40,
            model: String::new(),
            port: String::new(),
            presets: CameraPresets {
                standard: preset(&[
                    ("iso", "100"),
                    ("f-number", "f/8"),
                    ("shutterspeed", "1/125"),
                    ("whitebalance", "Flash"),
                ]),
                glasses: preset(&[
                    ("iso", "200"),
                    ("f-number", "f/8"),
                    ("shutterspeed", "1/125"),
                    ("whitebalance", "Flash"),
                ]),
            },
        }
    }
}

/// `[serial]`: the bus the lights and chair share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SerialSection {
    /// `sim` (simulator on a pty) or `real` (the port below).
    pub backend: Backend,
    /// How often the lights and chair are checked while nothing else talks to them, ms.
    pub health_interval_ms: u64,
    /// How often the chair's status (fault bits) is read during the chair step, ms.
    pub chair_poll_ms: u64,
    /// Port settings.
    pub port: PortConfig,
}

impl Default for SerialSection {
    fn default() -> Self {
        Self {
            backend: Backend::Sim,
            health_interval_ms: 10_000,
            chair_poll_ms: 500,
            port: PortConfig::default(),
        }
    }
}

/// `[service]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServiceSection {
    /// `sim` (in-process) or `real` (HTTPS).
    pub backend: Backend,
    /// Service base URL (https only).
    pub url: String,
    /// File holding this kiosk's credential.
    pub credential_path: PathBuf,
    /// Longest a whole call may take, retries included, ms.
    pub timeout_ms: u64,
    /// Longest one HTTP request may take, ms.
    pub request_timeout_ms: u64,
    /// Retries of a call after a timeout, a dropped connection or a 5xx (all the kiosk's calls
    /// are idempotent; a 4xx is an answer and never retried).
    pub retries: u32,
    /// How often the kiosk tells the service it is alive (screen and devices), seconds.
    pub heartbeat_secs: u64,
    /// The simulator's behaviour.
    pub sim: SimServiceConfig,
}

impl Default for ServiceSection {
    fn default() -> Self {
        Self {
            backend: Backend::Sim,
            url: "https://collect.example.invalid/api".into(),
            credential_path: PathBuf::from("/etc/photo-kiosk/credential"),
            timeout_ms: 10_000,
            request_timeout_ms: 3_000,
            retries: 2,
            heartbeat_secs: 60,
            sim: SimServiceConfig::default(),
        }
    }
}

/// `[logging]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoggingSection {
    /// Filter, e.g. `info` or `kiosk_app=debug,info`.
    pub level: String,
    /// JSON-lines log file, relative to `kiosk.data_dir` unless absolute: a link to today's
    /// file (`<stem>.<YYYY-MM-DD>.jsonl`, a new one each day).
    pub json_file: PathBuf,
    /// Daily log files kept; older ones are removed.
    pub keep_days: usize,
    /// A day's log file stops growing at this size (MB); one line says so.
    pub max_file_mb: u64,
}

impl Default for LoggingSection {
    fn default() -> Self {
        Self {
            level: "info".into(),
            json_file: PathBuf::from("kiosk.log.jsonl"),
            keep_days: 30,
            max_file_mb: 100,
        }
    }
}

/// Screen orientation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    /// 1920 × 1080.
    #[default]
    Landscape,
    /// 1080 × 1920.
    Portrait,
}

/// Which Slint backend draws the screen (it must be compiled in: features `window` and
/// `linuxkms` of kiosk-app).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DisplayBackend {
    /// A desktop window through winit (development, `kiosk demo`).
    #[default]
    Winit,
    /// Straight to the display through DRM/KMS and libinput: the booth PC, no X or Wayland.
    Linuxkms,
}

impl DisplayBackend {
    /// Slint's name for it (`SLINT_BACKEND`).
    pub fn slint_name(self) -> &'static str {
        match self {
            DisplayBackend::Winit => "winit",
            DisplayBackend::Linuxkms => "linuxkms",
        }
    }
}

/// `[display]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisplaySection {
    /// Orientation of the booth's screen.
    pub orientation: Orientation,
    /// Which backend `kiosk run` uses.
    pub backend: DisplayBackend,
}

/// `[maintenance]`: the technician's maintenance mode (diagnostics and device controls).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MaintenanceSection {
    /// Argon2id PHC string of the technician PIN (`kiosk maintenance-pin hash`). The default is the
    /// demo PIN's, which `kiosk config check` refuses once anything is real.
    pub pin_hash: String,
}

impl Default for MaintenanceSection {
    fn default() -> Self {
        Self {
            pin_hash: crate::pin::DEMO_PIN_HASH.into(),
        }
    }
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

    /// Rules serde cannot express. Returns (key, message).
    pub fn validate(&self) -> Result<(), (String, String)> {
        self.metrics
            .addr()
            .map_err(|e| ("metrics.listen".to_owned(), e))?;
        let f = &self.flow;
        if f.max_shots == 0 {
            return Err(("flow.max_shots".into(), "must be at least 1".into()));
        }
        if f.idle_warning_secs >= f.idle_timeout_secs {
            return Err((
                "flow.idle_warning_secs".into(),
                format!(
                    "must be less than flow.idle_timeout_secs ({})",
                    f.idle_timeout_secs
                ),
            ));
        }
        for (key, v) in [
            ("flow.review_poll_secs", u64::from(f.review_poll_secs)),
            ("flow.payment_poll_secs", u64::from(f.payment_poll_secs)),
            ("flow.payment_window_secs", u64::from(f.payment_window_secs)),
            ("flow.pin_attempts", u64::from(f.pin_attempts)),
            ("flow.pin_lock_secs", u64::from(f.pin_lock_secs)),
            ("flow.upload_max_failures", u64::from(f.upload_max_failures)),
            (
                "flow.service_refresh_secs",
                u64::from(f.service_refresh_secs),
            ),
            ("kiosk.keep_days", u64::from(self.kiosk.keep_days)),
            ("logging.keep_days", self.logging.keep_days as u64),
            ("serial.health_interval_ms", self.serial.health_interval_ms),
            ("serial.chair_poll_ms", self.serial.chair_poll_ms),
        ] {
            if v == 0 {
                return Err((key.into(), "must be at least 1".into()));
            }
        }
        if self.service.backend == Backend::Real {
            let loopback = reqwest::Url::parse(&self.service.url)
                .is_ok_and(|u| collection_service::client::is_loopback(&u));
            let https = self.service.url.starts_with("https://");
            let simulator = loopback && self.service.url.starts_with("http://");
            if !(https || simulator) {
                return Err((
                    "service.url".into(),
                    "must start with https:// (plain http only to the loopback simulator)".into(),
                ));
            }
        }
        self.photo.validate()?;
        let (w, h) = self.camera.sim_capture_size;
        if w.min(h) < kiosk_photo::decode::MIN_SIDE
            || u64::from(w) * u64::from(h) > self.photo.max_pixels
        {
            return Err((
                "camera.sim_capture_size".into(),
                format!(
                    "must be at least {0} × {0} and at most photo.max_pixels ({1}) pixels",
                    kiosk_photo::decode::MIN_SIDE,
                    self.photo.max_pixels
                ),
            ));
        }
        let (min, max) = self.qr.token_len;
        if min == 0 || min > max || max > crate::qr::MAX_TOKEN_LEN {
            return Err((
                "qr.token_len".into(),
                format!(
                    "must be [shortest, longest] with 1 ≤ shortest ≤ longest ≤ {}",
                    crate::qr::MAX_TOKEN_LEN
                ),
            ));
        }
        // Ranges a booth can live with: a value outside them is a typo, not a choice (a zero
        // countdown shoots before the graduate is still, a zero preview interval spins a core,
        // a timeout of u64::MAX never notices a camera that hung).
        for (key, v, range, unit) in [
            (
                "camera.capture_timeout_ms",
                self.camera.capture_timeout_ms,
                1_000..=120_000,
                "ms: a DSLR's capture and download of its largest JPEG",
            ),
            (
                "camera.preview_interval_ms",
                self.camera.preview_interval_ms,
                20..=1_000,
                "ms between live-view frames: 50 to 1 per second",
            ),
            (
                "flow.countdown_secs",
                u64::from(f.countdown_secs),
                1..=10,
                "seconds the graduate sees before the shot",
            ),
        ] {
            if !range.contains(&v) {
                return Err((
                    key.into(),
                    format!(
                        "must be {}..={} ({unit}), not {v}",
                        range.start(),
                        range.end()
                    ),
                ));
            }
        }
        if !(0.5..=60.0).contains(&self.chair.auto_level_max_secs) {
            return Err((
                "chair.auto_level_max_secs".into(),
                "must be 0.5..=60 (seconds of seat travel)".into(),
            ));
        }
        if self.serial.backend == Backend::Real && self.serial.port.path.is_empty() {
            return Err((
                "serial.port.path".into(),
                "must name the serial device".into(),
            ));
        }
        if let Err(message) = crate::pin::check_hash(&self.maintenance.pin_hash) {
            return Err(("maintenance.pin_hash".into(), message));
        }
        let real = [
            self.camera.backend,
            self.serial.backend,
            self.service.backend,
        ]
        .contains(&Backend::Real);
        if real && self.maintenance.pin_hash == crate::pin::DEMO_PIN_HASH {
            return Err((
                "maintenance.pin_hash".into(),
                "is still the demo PIN's hash; a booth needs its own: `kiosk maintenance-pin hash`"
                    .into(),
            ));
        }
        self.validate_notice()?;
        self.voice.validate()?;
        self.lights.validate()
    }

    /// Every fact of `[notice]` is shown to graduates: none may be empty.
    fn validate_notice(&self) -> Result<(), (String, String)> {
        let n = &self.notice;
        for (key, words) in [
            ("studio", &n.studio),
            ("studio_address", &n.studio_address),
            ("studio_hours", &n.studio_hours),
            ("deadline", &n.deadline),
            ("info_office", &n.info_office),
        ] {
            for (lang, text) in [("zh", &words.zh), ("en", &words.en)] {
                if text.trim().is_empty() {
                    return Err((
                        format!("notice.{key}.{lang}"),
                        "is empty; the screens quote it to graduates".into(),
                    ));
                }
            }
        }
        if n.price_fen == 0 {
            return Err((
                "notice.price_fen".into(),
                "is 0; the start screen tells graduates what the photo costs, in fen (2000 = ¥20.00)"
                    .into(),
            ));
        }
        if n.info_phone.trim().is_empty() {
            return Err((
                "notice.info_phone".into(),
                "is empty; the confirm screen gives it to graduates whose data is wrong".into(),
            ));
        }
        Ok(())
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
