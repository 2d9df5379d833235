//! The sections of the configuration file that belong to no crate of their own: who the kiosk
//! is, the camera, the serial bus, the collection service, logging, the display and maintenance
//! mode. (The flow's, the photo's, the QR rules' and the simulator's sections are their
//! crates' types.)

use super::*;

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
