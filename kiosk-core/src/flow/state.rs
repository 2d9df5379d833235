//! What the flow remembers: the phase of the session and what the graduate has done so far.
//!
//! The journal writes it through its own versioned types (`crate::snapshot`), never as these
//! types' serde form, so renaming anything here cannot make yesterday's journal unreadable.

use crate::model::{Lang, MaintenanceView, ScanNotice, Screen};
use serde::{Deserialize, Serialize};

use super::devices::LightPreset;
use super::event::{CaptureProblem, OrderInfo, ScannedCode};

/// Timings and limits the flow needs. Durations in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FlowConfig {
    /// Shots allowed per personal shooting code (the notice: three).
    pub max_shots: u8,
    /// Countdown before the shutter fires.
    pub countdown_secs: u32,
    /// Seconds without a touch before the session is abandoned.
    pub idle_timeout_secs: u32,
    /// How long before the idle timeout the warning appears.
    pub idle_warning_secs: u32,
    /// How often to ask the service about a review.
    pub review_poll_secs: u32,
    /// The review is "about one minute"; the progress ring fills over this long.
    pub review_expected_secs: u32,
    /// After this long the kiosk stops waiting and tells the graduate to check the mini-program.
    pub review_timeout_secs: u32,
    /// Wait between upload attempts after a failure.
    pub upload_retry_secs: u32,
    /// Failed upload attempts before the kiosk gives up and tells the graduate.
    pub upload_max_failures: u32,
    /// How often to ask the service whether the order is paid.
    pub payment_poll_secs: u32,
    /// The kiosk's own payment window (WeChat's code_url lives 2 h; we do not wait that long).
    pub payment_window_secs: u32,
    /// The done screen returns to the start after this long.
    pub done_secs: u32,
    /// Wrong maintenance PINs allowed before the keypad closes and locks.
    pub pin_attempts: u8,
    /// The first lock's length; each further one is twice as long, up to an hour.
    pub pin_lock_secs: u32,
    /// Maintenance mode returns to the start after this long without a touch.
    pub service_idle_secs: u32,
    /// How often the maintenance screen re-runs its checks.
    pub service_refresh_secs: u32,
}

impl Default for FlowConfig {
    fn default() -> Self {
        Self {
            max_shots: 3,
            countdown_secs: 3,
            idle_timeout_secs: 90,
            idle_warning_secs: 20,
            review_poll_secs: 3,
            review_expected_secs: 60,
            review_timeout_secs: 300,
            upload_retry_secs: 5,
            upload_max_failures: 24,
            payment_poll_secs: 2,
            payment_window_secs: 300,
            done_secs: 20,
            pin_attempts: 3,
            pin_lock_secs: 60,
            service_idle_secs: 300,
            service_refresh_secs: 5,
        }
    }
}

/// The identity the service resolved from a shooting code, already masked by the service or
/// by the kiosk's masking ([`crate::mask`]) before it reaches the flow.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Masked name (张**三).
    pub name: String,
    /// Masked ID number (*****8746).
    pub id_number: String,
    /// University.
    pub school: String,
    /// 本科 / 研究生.
    pub level: String,
}

/// One graduate's visit, from the start button to the end.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session {
    /// Sequence number of the session on this kiosk.
    pub seq: u64,
    /// The personal shooting code, once scanned and resolved.
    pub code: Option<String>,
    /// The masked identity the service returned for the code.
    pub identity: Option<Identity>,
    /// Shots used for this code, including earlier sessions and restarts.
    pub shots_used: u8,
    /// Shots the service allows this code, when it said (it wins over `flow.max_shots`).
    pub shots_max: Option<u8>,
    /// The glasses choice (picks the light preset).
    pub glasses: Option<bool>,
    /// The shot on screen (its number, 1-based), awaiting retake / use.
    pub shot_on_screen: Option<u8>,
    /// The kiosk's checks on the shot on screen.
    pub shot_checks: Vec<crate::flow::ShotCheck>,
    /// The shot submitted for review.
    pub submitted_shot: Option<u8>,
    /// The service's submission id, once the upload succeeded.
    pub submission: Option<String>,
    /// The payment order, once created.
    pub order: Option<OrderInfo>,
}

/// The shoot screen's stages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shoot {
    /// Live view; waiting for the graduate.
    Ready,
    /// Counting down; the shutter fires at `fire_at_ms`.
    Countdown {
        /// Wall-clock time of the shot.
        fire_at_ms: u64,
    },
    /// Waiting for the camera.
    Capturing,
    /// The photo is on screen.
    Preview,
    /// The camera failed; not counted.
    Failed(CaptureProblem),
}

/// The review screen's stages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Review {
    /// Uploading; after a failure, the next attempt is at `retry_at_ms`.
    Uploading {
        /// Failed attempts so far.
        failures: u32,
        /// When to try again (only after a failure).
        retry_at_ms: Option<u64>,
    },
    /// The service has the photo and is reviewing it.
    Waiting {
        /// When the wait began.
        since_ms: u64,
        /// When to poll next.
        next_poll_ms: u64,
    },
    /// The review failed with these reasons (zh, en).
    Failed(Vec<(String, String)>),
    /// The photo was not submitted: the service refused it (`refused`), or it could not be
    /// reached in `flow.upload_max_failures` attempts. The graduate is told and may leave.
    Unsent {
        /// The service answered no (rather than not answering).
        refused: bool,
    },
}

/// The pay screen's stages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pay {
    /// Asking the service for an order.
    Creating,
    /// The QR is up.
    Showing {
        /// The kiosk's own deadline for this order.
        expires_at_ms: u64,
        /// When to poll next.
        next_poll_ms: u64,
    },
    /// The order expired or was closed.
    Expired,
    /// The service could not create an order.
    Failed,
}

/// The technician's maintenance screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaintenancePanel {
    /// The light preset the technician chose (idle on entry).
    pub lights: LightPreset,
    /// The latest diagnostics, once the first check has answered.
    pub report: Option<MaintenanceView>,
    /// A check or test shot is running.
    pub busy: bool,
    /// When the checks run again.
    pub next_refresh_ms: u64,
}

/// Where the kiosk is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    /// Idle loop.
    #[default]
    Attract,
    /// Choose the photo type.
    PhotoType,
    /// 准备拍摄.
    Prepare,
    /// Scanning; `notice` is the banner over the live view, `resolving` while the service checks.
    Scan {
        /// Banner, if any.
        notice: Option<ScanNotice>,
        /// A code is being checked with the service; further scans are ignored.
        resolving: bool,
    },
    /// Confirm the masked identity.
    Confirm,
    /// Glasses or not.
    Lighting,
    /// The rules.
    Rules,
    /// Adjust the seat (chair motor enabled only here).
    Chair,
    /// Countdown, capture, preview.
    Shoot(Shoot),
    /// Upload and review.
    Review(Review),
    /// Payment.
    Pay(Pay),
    /// Finished; returns to the start at `until_ms`.
    Done {
        /// How it ended.
        kind: crate::model::DoneKind,
        /// When the screen returns to the start by itself.
        until_ms: u64,
    },
    /// Technician: the maintenance PIN keypad.
    MaintenancePin {
        /// Wrong PINs since the keypad last locked (or since the last right PIN).
        failures: u8,
        /// Locked after too many wrong PINs: the keypad takes none until
        /// [`PinGuard::locked_until_ms`].
        locked: bool,
    },
    /// Technician: diagnostics and device controls.
    Maintenance(MaintenancePanel),
    /// A device the kiosk needs is broken.
    OutOfService {
        /// A short reference for staff (device and error kind, no personal data).
        reference: String,
    },
}

impl Phase {
    /// The screen this phase shows.
    pub fn screen(&self) -> Screen {
        match self {
            Phase::Attract => Screen::Attract,
            Phase::PhotoType => Screen::PhotoType,
            Phase::Prepare => Screen::Prepare,
            Phase::Scan { .. } => Screen::Scan,
            Phase::Confirm => Screen::Confirm,
            Phase::Lighting => Screen::Lighting,
            Phase::Rules => Screen::Rules,
            Phase::Chair => Screen::Chair,
            Phase::Shoot(_) => Screen::Shoot,
            Phase::Review(_) => Screen::Review,
            Phase::Pay(_) => Screen::Pay,
            Phase::Done { .. } => Screen::Done,
            Phase::OutOfService { .. } => Screen::OutOfService,
            Phase::MaintenancePin { .. } => Screen::MaintenancePin,
            Phase::Maintenance(_) => Screen::Maintenance,
        }
    }
}

/// The flow's whole state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// Current phase.
    pub phase: Phase,
    /// Display language.
    pub lang: Lang,
    /// Latest wall-clock time seen in a tick (ms since the Unix epoch).
    pub now_ms: u64,
    /// Time of the graduate's last touch (or of entering a screen that waits on them).
    pub last_activity_ms: u64,
    /// The session in progress.
    pub session: Option<Session>,
    /// Sessions started so far on this kiosk (the next session's number is this plus one).
    pub sessions_started: u64,
    /// A device fault that arrived while the graduate did not need the device: the kiosk goes
    /// out of service when the session ends.
    pub pending_fault: Option<String>,
    /// The code most recently refused and when, so the same QR held in view does not
    /// re-trigger a banner or a service call for a few seconds.
    pub last_refused: Option<(ScannedCode, u64)>,
    /// The live view's seat hint and whether the kiosk drives the seat, while face tracking
    /// runs (chair step, shoot-ready). Not journaled: the next frame says it again.
    pub seat: Option<SeatState>,
    /// Wrong maintenance PINs across keypad openings and restarts, and the lock they earned.
    pub pin_guard: PinGuard,
}

/// Wrong maintenance PINs, counted until a right one, whichever keypad opening they came in,
/// and journaled, so neither closing the keypad nor restarting the kiosk resets them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PinGuard {
    /// Wrong PINs since the last right one.
    pub failures: u32,
    /// The keypad takes no PIN before this wall-clock time (ms).
    pub locked_until_ms: u64,
}

/// The longest lock, however many wrong PINs.
pub const MAX_PIN_LOCK_SECS: u32 = 3600;

impl PinGuard {
    /// A wrong PIN at `now_ms`: counted; every `attempts`-th in a row locks the keypad, for
    /// `first_lock_secs` the first time and twice as long each time after (at most an hour).
    /// Returns the lock's length in seconds (0: not locked).
    pub fn refuse(&mut self, now_ms: u64, attempts: u8, first_lock_secs: u32) -> u32 {
        self.failures += 1;
        let attempts = u32::from(attempts.max(1));
        if !self.failures.is_multiple_of(attempts) {
            return 0;
        }
        let doublings = (self.failures / attempts - 1).min(16);
        let secs = first_lock_secs
            .saturating_mul(1 << doublings)
            .min(MAX_PIN_LOCK_SECS.max(first_lock_secs));
        self.locked_until_ms = now_ms + u64::from(secs) * 1000;
        secs
    }

    /// Locked at `now_ms`.
    pub fn locked(&self, now_ms: u64) -> bool {
        now_ms < self.locked_until_ms
    }

    /// Wrong PINs since the keypad last locked.
    pub fn in_round(&self, attempts: u8) -> u8 {
        (self.failures % u32::from(attempts.max(1))) as u8
    }
}

/// The seat as the live view's face tracking sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeatState {
    /// The hint; None until the first frame is judged.
    pub hint: Option<crate::model::SeatHint>,
    /// The kiosk is driving the seat.
    pub levelling: bool,
}

impl State {
    /// A fresh state at the attract screen.
    pub fn new(now_ms: u64) -> Self {
        Self {
            now_ms,
            last_activity_ms: now_ms,
            ..Self::default()
        }
    }
}
