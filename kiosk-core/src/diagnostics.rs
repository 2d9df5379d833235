//! The one diagnostics model: a typed check of one part of the booth, produced in one place
//! (`kiosk_app::diagnostics`) and read by `kiosk doctor` (text and JSON), the technician's
//! maintenance screen and the runtime's device checks.
//!
//! Hints are enums here; their words live once, in both languages, in the translation files
//! (`assets/translations`, context `hint-…`, see [`Hint::context`]).

use serde::{Deserialize, Serialize};

/// A part of the booth that is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// The DSLR.
    Camera,
    /// The studio lights' controller.
    Lights,
    /// The chair's controller.
    Chair,
    /// The collection service.
    Service,
    /// Free space where the journal and photos live.
    Disk,
    /// The camera's power source (mains or battery). `kiosk doctor` only, as are those below.
    CameraPower,
    /// Where the camera saves a shot (internal RAM, not the card).
    CaptureTarget,
    /// A test shot, processed like a graduate's photo.
    TestShot,
    /// The seat moved up and down, and its limit switches.
    ChairTravel,
    /// The serial port's device file and its name.
    SerialPort,
    /// The USB QR scanner's input device.
    Scanner,
    /// TLS to the collection service.
    Tls,
    /// The kiosk's clock against the service's.
    Clock,
    /// The Chinese font the screens need.
    Fonts,
    /// Voice guidance: its prompts and the sound output.
    Voice,
    /// The configuration file.
    Config,
    /// The journal's integrity and its key.
    Journal,
    /// Who may read the data directory, the journal's key and the credential.
    Permissions,
}

impl Part {
    /// The part's stable name (JSON, logs, the screen's translation key).
    pub fn name(self) -> &'static str {
        match self {
            Part::Camera => "camera",
            Part::Lights => "lights",
            Part::Chair => "chair",
            Part::Service => "service",
            Part::Disk => "disk",
            Part::CameraPower => "camera_power",
            Part::CaptureTarget => "capture_target",
            Part::TestShot => "test_shot",
            Part::ChairTravel => "chair_travel",
            Part::SerialPort => "serial_port",
            Part::Scanner => "scanner",
            Part::Tls => "tls",
            Part::Clock => "clock",
            Part::Fonts => "fonts",
            Part::Voice => "voice",
            Part::Config => "config",
            Part::Journal => "journal",
            Part::Permissions => "permissions",
        }
    }
}

/// How a check came out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// As it should be.
    #[default]
    Pass,
    /// Works, but needs attention soon.
    Warn,
    /// Broken: the booth cannot serve graduates with it.
    Fail,
}

/// Why a device failed, as the flow and operators see it (the drivers' error kinds, and the
/// chair motor's own fault bits). Its [`FaultKind::name`] is what references and logs show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The camera is gone (cable, power).
    Disconnected,
    /// Another program holds the camera.
    Claimed,
    /// The camera was busy.
    Busy,
    /// No answer in time.
    Timeout,
    /// The camera refused a request.
    Refused,
    /// The camera cannot do what was asked.
    Unsupported,
    /// The camera's storage is full.
    StoreFull,
    /// The camera's driver thread is gone.
    DriverGone,
    /// The serial port could not be opened.
    Port,
    /// A serial device did not answer.
    NoReply,
    /// A garbled or mismatched reply.
    Protocol,
    /// The device answered with a Modbus exception.
    Exception,
    /// A name the register map does not have.
    UnknownName,
    /// The chair motor's overcurrent bit.
    Overcurrent,
    /// The chair motor's stall bit.
    Stalled,
    /// The collection service does not answer (diagnostics only).
    Unavailable,
    /// Not enough free disk, or the data directory cannot be read (diagnostics only).
    DiskFull,
}

impl FaultKind {
    /// The stable name (`no_reply`, `overcurrent`, …) used in references such as
    /// `chair-overcurrent`.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Disconnected => "disconnected",
            FaultKind::Claimed => "claimed",
            FaultKind::Busy => "busy",
            FaultKind::Timeout => "timeout",
            FaultKind::Refused => "refused",
            FaultKind::Unsupported => "unsupported",
            FaultKind::StoreFull => "store_full",
            FaultKind::DriverGone => "driver_gone",
            FaultKind::Port => "port",
            FaultKind::NoReply => "no_reply",
            FaultKind::Protocol => "protocol",
            FaultKind::Exception => "exception",
            FaultKind::UnknownName => "unknown",
            FaultKind::Overcurrent => "overcurrent",
            FaultKind::Stalled => "stalled",
            FaultKind::Unavailable => "unavailable",
            FaultKind::DiskFull => "disk_full",
        }
    }
}

/// What a technician should do about a failed check. Worded in the translation files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hint {
    /// The camera does not answer: cable, power, `kiosk camera list`.
    CameraConnection,
    /// A serial controller does not answer: adapter, wiring, power, port path.
    SerialWiring,
    /// The chair's motor reports overcurrent or a stall: clear the seat's travel, power-cycle.
    ChairMotorFault,
    /// The collection service does not answer: network, URL, credential.
    ServiceUnreachable,
    /// Less than 1 GiB free where photos are kept.
    DiskFull,
    /// The camera runs on its battery.
    CameraPower,
    /// The camera saves to its card.
    CaptureTarget,
    /// The test shot could not be processed.
    TestShot,
    /// The seat did not travel, or a limit switch did not answer.
    ChairTravel,
    /// The serial port is missing, not ours, or named by the kernel's changing number.
    SerialName,
    /// The USB scanner is missing or unreadable.
    Scanner,
    /// TLS to the service fails.
    Tls,
    /// The clock is off.
    Clock,
    /// The Chinese font is missing.
    Fonts,
    /// Voice guidance is silent: prompts not built, or no sound output.
    Voice,
    /// The configuration is wrong.
    Config,
    /// A part runs on its simulator.
    Simulated,
    /// The journal is damaged.
    Journal,
    /// The journal's key is missing.
    JournalKey,
    /// Files others can read.
    Permissions,
}

impl Hint {
    /// Every hint (tests check each has words in both languages).
    pub const ALL: [Hint; 20] = [
        Hint::CameraConnection,
        Hint::SerialWiring,
        Hint::ChairMotorFault,
        Hint::ServiceUnreachable,
        Hint::DiskFull,
        Hint::CameraPower,
        Hint::CaptureTarget,
        Hint::TestShot,
        Hint::ChairTravel,
        Hint::SerialName,
        Hint::Scanner,
        Hint::Tls,
        Hint::Clock,
        Hint::Fonts,
        Hint::Voice,
        Hint::Config,
        Hint::Simulated,
        Hint::Journal,
        Hint::JournalKey,
        Hint::Permissions,
    ];

    /// The hint's stable key (its serde name): what the maintenance screen picks the words by.
    pub fn key(self) -> &'static str {
        match self {
            Hint::CameraConnection => "camera_connection",
            Hint::SerialWiring => "serial_wiring",
            Hint::ChairMotorFault => "chair_motor_fault",
            Hint::ServiceUnreachable => "service_unreachable",
            Hint::DiskFull => "disk_full",
            Hint::CameraPower => "camera_power",
            Hint::CaptureTarget => "capture_target",
            Hint::TestShot => "test_shot",
            Hint::ChairTravel => "chair_travel",
            Hint::SerialName => "serial_name",
            Hint::Scanner => "scanner",
            Hint::Tls => "tls",
            Hint::Clock => "clock",
            Hint::Fonts => "fonts",
            Hint::Voice => "voice",
            Hint::Config => "config",
            Hint::Simulated => "simulated",
            Hint::Journal => "journal",
            Hint::JournalKey => "journal_key",
            Hint::Permissions => "permissions",
        }
    }

    /// The translation context that holds this hint's words (`@tr("hint-…" => "…")` in the
    /// screens; `msgctxt` in the .po file).
    pub fn context(self) -> &'static str {
        match self {
            Hint::CameraConnection => "hint-camera-connection",
            Hint::SerialWiring => "hint-serial-wiring",
            Hint::ChairMotorFault => "hint-chair-motor-fault",
            Hint::ServiceUnreachable => "hint-service-unreachable",
            Hint::DiskFull => "hint-disk-full",
            Hint::CameraPower => "hint-camera-power",
            Hint::CaptureTarget => "hint-capture-target",
            Hint::TestShot => "hint-test-shot",
            Hint::ChairTravel => "hint-chair-travel",
            Hint::SerialName => "hint-serial-name",
            Hint::Scanner => "hint-scanner",
            Hint::Tls => "hint-tls",
            Hint::Clock => "hint-clock",
            Hint::Fonts => "hint-fonts",
            Hint::Voice => "hint-voice",
            Hint::Config => "hint-config",
            Hint::Simulated => "hint-simulated",
            Hint::Journal => "hint-journal",
            Hint::JournalKey => "hint-journal-key",
            Hint::Permissions => "hint-permissions",
        }
    }
}

/// One part's check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Which part.
    pub part: Part,
    /// How it came out.
    pub status: Status,
    /// Language-neutral figures for the screen (names, numbers, units), or the device's own
    /// error text when it failed.
    pub figures: String,
    /// A fuller line for the terminal and the JSON report.
    pub detail: String,
    /// Why it failed: what the flow's `DeviceFault` carries.
    pub fault: Option<FaultKind>,
    /// What to do about it, when it did not pass.
    pub hint: Option<Hint>,
    /// How long the check took, ms.
    pub ms: u64,
}

impl Check {
    /// A passed check showing `figures`.
    pub fn passed(part: Part, figures: impl Into<String>) -> Self {
        let figures = figures.into();
        Self {
            part,
            status: Status::Pass,
            detail: figures.clone(),
            figures,
            fault: None,
            hint: None,
            ms: 0,
        }
    }

    /// A failed check: the device's own `error` text, the fault kind, what to do.
    pub fn failed(part: Part, error: impl Into<String>, fault: FaultKind, hint: Hint) -> Self {
        let error = error.into();
        Self {
            part,
            status: Status::Fail,
            detail: error.clone(),
            figures: error,
            fault: Some(fault),
            hint: Some(hint),
            ms: 0,
        }
    }

    /// A check that warns (`Status::Warn`) or fails (`Status::Fail`) about something that is
    /// not a device fault (a setting, a file, the clock): `detail`, what to do.
    pub fn problem(part: Part, status: Status, detail: impl Into<String>, hint: Hint) -> Self {
        let detail = detail.into();
        Self {
            part,
            status,
            figures: detail.clone(),
            detail,
            fault: None,
            hint: Some(hint),
            ms: 0,
        }
    }

    /// Whether the part can be used.
    pub fn ok(&self) -> bool {
        self.status != Status::Fail
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hints_key_is_its_serde_name_and_its_context_follows() {
        for hint in Hint::ALL {
            let serde = serde_json::to_value(hint).unwrap();
            assert_eq!(serde, hint.key(), "{hint:?}");
            assert_eq!(
                hint.context(),
                format!("hint-{}", hint.key().replace('_', "-")),
                "{hint:?}"
            );
        }
    }
}
