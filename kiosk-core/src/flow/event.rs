//! What happens to the flow (events) and what the flow asks the world to do (effects).

use crate::model::{Intent, MaintenanceView, SeatHint};
use serde::{Deserialize, Serialize};

use super::devices::LightPreset;
use super::state::Identity;
pub use crate::diagnostics::FaultKind;

/// A QR payload after classification (`kiosk_app::qr::classify`). Only personal codes carry
/// their payload; the others are refused locally and their contents are not kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScannedCode {
    /// A personal shooting code from the agency's mini-program.
    Personal(String),
    /// A raw 学信网 image-collection code.
    RawChsi,
    /// Anything else.
    Foreign,
    /// Two or more different personal codes in view at once: none is used, and the graduate
    /// is asked to show only their own.
    SeveralPersonal,
}

/// Why the service refused a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RejectReason {
    /// Not a code the service issued.
    Unknown,
    /// The service recognised a raw CHSI code.
    RawChsi,
    /// Expired.
    Expired,
}

/// Which service call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceOp {
    /// Resolving a shooting code.
    Resolve,
    /// Uploading the photo.
    Upload,
    /// Polling the review.
    Review,
    /// Creating the payment order.
    CreateOrder,
    /// Polling the payment.
    Payment,
}

/// Why a capture failed. None of these counts as one of the graduate's shots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaptureProblem {
    /// The camera did not answer in time.
    Timeout,
    /// The camera was busy; trying again usually works.
    Busy,
    /// The camera is gone.
    Disconnected,
}

/// A device the kiosk depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Device {
    /// The DSLR.
    Camera,
    /// Studio lights.
    Lights,
    /// The motorised chair.
    Chair,
}

impl Device {
    /// Short name for references and logs.
    pub fn name(self) -> &'static str {
        match self {
            Device::Camera => "camera",
            Device::Lights => "lights",
            Device::Chair => "chair",
        }
    }
}

/// The review result the service reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewState {
    /// Still reviewing.
    Pending,
    /// Accepted.
    Passed,
    /// Refused, with reasons in (zh, en).
    Failed(Vec<(String, String)>),
}

/// The payment state the service reports. Only the service's SUCCESS is `Paid`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentState {
    /// Not paid yet.
    Pending,
    /// Paid (WeChat SUCCESS, confirmed by the service).
    Paid,
    /// Closed or expired on the service side.
    Closed,
}

/// A payment order as the service created it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderInfo {
    /// Service order id.
    pub id: String,
    /// WeChat Native `code_url` to show as a QR code.
    pub code_url: String,
    /// Amount in fen.
    pub amount_fen: u32,
}

/// Everything that can happen to the flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Time passes: the runtime's wall clock in ms since the Unix epoch.
    Tick {
        /// Current time.
        now_ms: u64,
    },
    /// The graduate touched something.
    Intent(Intent),
    /// A QR code was read (live view or USB scanner) and classified.
    CodeScanned(ScannedCode),
    /// The service resolved the code. `shots_used` is already the larger of the service's count
    /// and the local journal's.
    CodeResolved {
        /// Masked identity.
        identity: Identity,
        /// Shots the service has counted for this code.
        shots_used: u8,
        /// Shots this kiosk's journal holds for the code. One the service never saw (its upload
        /// still pending when the kiosk restarted) still counts: the flow takes the larger.
        #[serde(default)]
        shots_on_kiosk: u8,
        /// Shots the service allows this code, when it says: it wins over `flow.max_shots`.
        shots_max: Option<u8>,
        /// When the code stops working (ms since the epoch), when the service says: at or before
        /// the flow's time the code is refused as expired.
        #[serde(default)]
        expires_at_ms: Option<u64>,
    },
    /// The service refused the code.
    CodeRejected(RejectReason),
    /// A service call failed (down, slow, 5xx after retries).
    ServiceFailed(ServiceOp),
    /// The camera delivered shot number `shot`, and the kiosk checked the photo.
    Captured {
        /// 1-based shot number.
        shot: u8,
        /// The kiosk's checks on the photo, in display order.
        checks: Vec<ShotCheck>,
    },
    /// The capture failed; not counted.
    CaptureFailed(CaptureProblem),
    /// The service refused the upload for good (a 4xx answer: retrying would change nothing).
    UploadRefused,
    /// The service holds the photo.
    Uploaded {
        /// Service submission id.
        submission: String,
    },
    /// The review's current state.
    ReviewUpdate(ReviewState),
    /// The payment order exists.
    OrderCreated(OrderInfo),
    /// An order's current state, from a poll or from closing it. Heard only for the session's
    /// current order: the answer about an order the graduate has moved on from (closed when
    /// it expired, a new one since made) changes nothing.
    PaymentUpdate {
        /// The order the answer is about.
        order: String,
        /// Its state.
        state: PaymentState,
    },
    /// A device failed.
    DeviceFault {
        /// Which device.
        device: Device,
        /// Why (no personal data); its name is shown to staff.
        kind: FaultKind,
    },
    /// The live view's face tracking changed its seat hint, or the kiosk started or stopped
    /// driving the seat itself. Sent on change only (not per frame).
    Seat {
        /// The hint; None until the first frame is judged.
        hint: Option<SeatHint>,
        /// The kiosk is driving the seat (`chair.auto_level`).
        levelling: bool,
    },
    /// All devices answer again.
    DevicesHealthy,
    /// The kiosk restarted with this state from the journal.
    Restored,
    /// The runtime checked a PIN typed on the maintenance keypad against the stored hash. The PIN
    /// itself never reaches the flow.
    PinChecked {
        /// Whether it matched.
        ok: bool,
    },
    /// The maintenance screen's checks (or test shot) finished.
    MaintenanceReport(MaintenanceView),
    /// The maintenance test shot's outcome, e.g. `6000×4000 JPEG, 3.2 MB, 640 ms`.
    TestShotTaken {
        /// One line for the technician.
        summary: String,
    },
}

/// Which way the technician drives the seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChairMove {
    /// Raise the seat.
    Up,
    /// Lower the seat.
    Down,
    /// Stop.
    Stop,
}

/// What the flow asks the runtime to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    /// Start or stop the camera's live view.
    LiveView(bool),
    /// Start or stop looking for QR codes in the live view and the USB scanner.
    QrScanning(bool),
    /// Set the lights to a preset.
    Lights(LightPreset),
    /// Enable or disable the chair motor.
    ChairMotor(bool),
    /// Start or stop tracking the face on the live view (the seat hint, the eye guide, the
    /// crop frame, and the seat's automatic levelling when the motor is on too).
    FaceTracking(bool),
    /// Ask the service who this code belongs to.
    ResolveCode {
        /// The personal shooting code.
        code: String,
    },
    /// Fire the shutter for shot number `shot` of `code`, with the camera set for the
    /// graduate's lighting choice.
    Capture {
        /// The shooting code the photo belongs to (it is journaled under it).
        code: String,
        /// 1-based shot number.
        shot: u8,
        /// The graduate wears glasses (the camera preset to make sure of before the shot).
        glasses: bool,
    },
    /// Set the camera up for the lighting choice (well before the shot).
    CameraPreset {
        /// The glasses preset (true) or the standard one.
        glasses: bool,
    },
    /// Accept PINs from the maintenance keypad (true) or ignore them (false).
    PinEntry(bool),
    /// Upload shot `shot` of the session's code.
    Upload {
        /// Shooting code.
        code: String,
        /// Shot number.
        shot: u8,
    },
    /// Ask the service about the review.
    PollReview {
        /// Submission id.
        submission: String,
    },
    /// Ask the service for a payment order.
    CreateOrder {
        /// Submission id.
        submission: String,
    },
    /// Ask the service about the payment.
    PollPayment {
        /// Order id.
        order: String,
    },
    /// Tell the service the graduate left: close the order.
    CloseOrder {
        /// Order id.
        order: String,
    },
    /// Check every device again and report `DevicesHealthy` or a `DeviceFault`.
    CheckDevices,
    /// Maintenance mode: run every check (devices, service, disk, log) and answer
    /// `MaintenanceReport`.
    MaintenanceDiagnostics,
    /// Maintenance mode: take a test shot (not counted, not uploaded) and answer
    /// `TestShotTaken`.
    MaintenanceTestShot,
    /// Maintenance mode: drive the seat (the motor is enabled while maintenance mode is up).
    ChairDrive(ChairMove),
    /// Maintenance mode opened or closed (logged for operators).
    MaintenanceMode {
        /// Opened (true) or closed.
        open: bool,
    },
    /// A wrong maintenance PIN (logged for operators; the PIN itself is never known here).
    PinRefused {
        /// Wrong PINs since the last right one, across openings and restarts.
        failures: u32,
        /// The keypad is now locked for this long (0: not locked).
        locked_secs: u32,
    },
    /// A session began (logging, metrics).
    SessionStarted {
        /// Session number.
        seq: u64,
    },
    /// Delete the kiosk's copies of this code's photos: the session is over, and whatever the
    /// service does not hold by now was not chosen.
    DiscardPhotos {
        /// The shooting code.
        code: String,
    },
    /// The session ended (logging, metrics).
    SessionEnded {
        /// Session number.
        seq: u64,
        /// How it ended, for operators.
        outcome: SessionOutcome,
    },
}

/// How a session ended: the metrics' `outcome` label, the log's `outcome` field and the logs
/// summary's funnel all use these names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionOutcome {
    /// The photo passed review and was paid for.
    Paid,
    /// Paid-for review still running when the graduate left (the result follows by code).
    ReviewPending,
    /// The graduate left (back on the first screen, or the cancel button).
    Cancelled,
    /// Nobody touched the screen for too long.
    IdleTimeout,
    /// The review refused the photo and the graduate finished there.
    ReviewFailed,
    /// The service refused the upload.
    UploadRefused,
    /// The upload could not be delivered.
    UploadFailed,
    /// A device the session needed failed.
    DeviceFault,
}

impl SessionOutcome {
    /// Every outcome, in funnel order.
    pub const ALL: [SessionOutcome; 8] = [
        Self::Paid,
        Self::ReviewPending,
        Self::Cancelled,
        Self::IdleTimeout,
        Self::ReviewFailed,
        Self::UploadRefused,
        Self::UploadFailed,
        Self::DeviceFault,
    ];

    /// The stable name (`paid`, `idle_timeout`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Paid => "paid",
            Self::ReviewPending => "review_pending",
            Self::Cancelled => "cancelled",
            Self::IdleTimeout => "idle_timeout",
            Self::ReviewFailed => "review_failed",
            Self::UploadRefused => "upload_refused",
            Self::UploadFailed => "upload_failed",
            Self::DeviceFault => "device_fault",
        }
    }

    /// The outcome named `name` (as [`Self::as_str`] writes it), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == name)
    }
}

impl std::fmt::Display for SessionOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One of the kiosk's own checks on a shot (the photo crate's check, reduced to what the flow
/// and the screen need). CHSI's review has the last word.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShotCheck {
    /// The check's stable name (`head_tilt`, `eyes_open`, …).
    pub name: String,
    /// Met, broken, or could not be measured.
    pub pass: Option<bool>,
    /// What to do (broken), why not measured, or what was checked (met); Chinese.
    pub zh: String,
    /// The same in English.
    pub en: String,
}
