//! The contract between the kiosk's decisions and its pixels: plain data only.
//!
//! The flow ([`crate::flow`]) turns its state into a [`ScreenModel`]; the adapter maps that onto
//! Slint properties. Touches come back as [`Intent`]s. Nothing here knows about Slint, so the
//! flow can use these types without pulling a UI toolkit into its tests.

use serde::{Deserialize, Serialize};

mod key;

/// The language the graduate reads. Chinese first; English on request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The bundled-translation name Slint selects (the empty string is the source language).
    pub fn translation(self) -> &'static str {
        match self {
            Lang::Zh => "",
            Lang::En => "en",
        }
    }

    /// The other language (what the header toggle switches to).
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// What a touch on the screen asks for. The flow decides whether it is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Attract screen: begin a session.
    Start,
    /// Photo type: 高等院校毕业生照.
    ChooseGraduatePhoto,
    /// Prepare: 准备拍摄.
    PrepareShoot,
    /// Confirm: the identity shown is mine.
    ConfirmIdentity,
    /// Lighting: true when the graduate wears glasses.
    ChooseGlasses(bool),
    /// Rules read: continue.
    AcceptRules,
    /// Chair adjusted: continue to the shot.
    ChairReady,
    /// Shoot: start the countdown.
    TakePhoto,
    /// Shoot preview or failed review: take another shot.
    Retake,
    /// Shoot preview: submit this photo.
    UsePhoto,
    /// Pay: the order expired or failed; make a new one.
    RetryPayment,
    /// Go one step back.
    Back,
    /// Leave the session and return to the start.
    Cancel,
    /// Idle warning: I am still here.
    StillHere,
    /// Done (or a final message): back to the start.
    Finish,
    /// Header toggle: switch language.
    SetLanguage(Lang),
    /// Out-of-service: a technician asks the kiosk to check its devices again.
    RetryDevices,
    /// The hidden technician gesture (a long press in the top-left corner of the start or
    /// out-of-maintenance screen): asks for the maintenance PIN.
    MaintenanceGesture,
    /// A command on the technician's maintenance screen.
    Maintenance(MaintenanceCommand),
}

/// What a technician can do on the maintenance screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaintenanceCommand {
    /// Run every check again now.
    Refresh,
    /// Take a test shot (not counted anywhere, not uploaded).
    TestShot,
    /// Lights to the idle preset.
    LightsIdle,
    /// Lights to the standard (no glasses) preset.
    LightsStandard,
    /// Lights to the glasses preset.
    LightsGlasses,
    /// Lights off.
    LightsOff,
    /// Drive the seat up until Stop or the upper limit.
    ChairUp,
    /// Drive the seat down until Stop or the lower limit.
    ChairDown,
    /// Stop the seat.
    ChairStop,
    /// Leave maintenance mode: back to the start screen.
    Exit,
}

/// Which screen is up. One per step of `docs/kiosk-flow.md`, plus the out-of-maintenance screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Screen {
    /// Idle loop with the start button.
    #[default]
    Attract,
    /// Choose 高等院校毕业生照.
    PhotoType,
    /// 准备拍摄.
    Prepare,
    /// Show the personal shooting QR code to the camera.
    Scan,
    /// Masked identity: confirm or go back.
    Confirm,
    /// Glasses or not: picks the light preset.
    Lighting,
    /// The photo rules.
    Rules,
    /// Adjust the seat.
    Chair,
    /// Countdown, capture, preview.
    Shoot,
    /// Upload and the one-minute review.
    Review,
    /// WeChat Pay QR.
    Pay,
    /// Finished.
    Done,
    /// The kiosk cannot serve; where to go instead.
    OutOfService,
    /// Technician: enter the maintenance PIN.
    MaintenancePin,
    /// Technician: diagnostics and device controls.
    Maintenance,
}

impl Screen {
    /// The steps of a session in the order a graduate meets them: the logs summary's funnel
    /// and the metrics' step labels.
    pub const SESSION: [Screen; 11] = [
        Self::PhotoType,
        Self::Prepare,
        Self::Scan,
        Self::Confirm,
        Self::Lighting,
        Self::Rules,
        Self::Chair,
        Self::Shoot,
        Self::Review,
        Self::Pay,
        Self::Done,
    ];

    /// How many steps the step indicator counts (photo type … pay).
    pub const INDICATED: u8 = 10;

    /// The stable name logs, metrics and the logs summary use (`photo_type`, `out_of_service`,
    /// …; serde's name too).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Attract => "attract",
            Self::PhotoType => "photo_type",
            Self::Prepare => "prepare",
            Self::Scan => "scan",
            Self::Confirm => "confirm",
            Self::Lighting => "lighting",
            Self::Rules => "rules",
            Self::Chair => "chair",
            Self::Shoot => "shoot",
            Self::Review => "review",
            Self::Pay => "pay",
            Self::Done => "done",
            Self::OutOfService => "out_of_service",
            Self::MaintenancePin => "maintenance_pin",
            Self::Maintenance => "maintenance",
        }
    }

    /// The screen named `name` (as [`Self::name`] writes it), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Attract,
            Self::OutOfService,
            Self::MaintenancePin,
            Self::Maintenance,
        ]
        .into_iter()
        .chain(Self::SESSION)
        .find(|s| s.name() == name)
    }

    /// The step indicator's number (1 … [`Self::INDICATED`]); `None` off the indicated steps.
    pub fn indicated(self) -> Option<u8> {
        let i = self.session_index()? as u8 + 1;
        (i <= Self::INDICATED).then_some(i)
    }

    /// Where a session is on the funnel: its index in [`Self::SESSION`].
    pub fn session_index(self) -> Option<usize> {
        Self::SESSION.iter().position(|s| *s == self)
    }
}

impl std::fmt::Display for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What the live view says about the seat height (the chair step and the shoot-ready screen).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatHint {
    /// No face on the live view: sit down and look at the camera.
    NoFace,
    /// The eyes are below the guide: raise the seat.
    Raise,
    /// The eyes are above the guide: lower the seat.
    Lower,
    /// The eyes are on the guide.
    Good,
}

/// Sub-state of the shoot screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShootStage {
    /// Live view, waiting for the graduate to press the shutter button.
    #[default]
    Ready,
    /// 3-2-1 over the live view.
    Countdown,
    /// The shutter is firing (flash cue).
    Capturing,
    /// The photo is shown large: retake or use.
    Preview,
    /// The camera failed; the shot was not counted.
    Failed,
}

/// Sub-state of the review screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStage {
    /// Sending the photo to the service.
    #[default]
    Uploading,
    /// The service is reviewing (about a minute).
    Waiting,
    /// The review failed; reasons are listed.
    Failed,
    /// The service refused the upload for good: the photo was not submitted.
    Refused,
    /// The service could not be reached in all the attempts: the photo was not submitted.
    Unreachable,
}

/// Sub-state of the pay screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayStage {
    /// Asking the service for an order.
    #[default]
    Creating,
    /// The WeChat QR is up.
    Showing,
    /// The order expired or was closed: offer a new one.
    Expired,
    /// The service could not create the order.
    Failed,
}

/// Why the scan screen shows a banner over the live view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanNotice {
    /// Checking the code with the service.
    Checking,
    /// A raw 学信网 image-collection code: use the mini-program's personal code.
    RawChsiCode,
    /// Some other QR code.
    ForeignCode,
    /// Several personal codes at once: show only your own.
    SeveralCodes,
    /// Looks right but the service does not know it.
    UnknownCode,
    /// The code expired; make a new one in the mini-program.
    ExpiredCode,
    /// All three shots of this code are used.
    NoShotsLeft,
    /// The service cannot be reached right now.
    ServiceUnavailable,
}

/// How a session ended, for the done screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DoneKind {
    /// Paid: photos are printed later.
    #[default]
    Paid,
    /// Review took too long: the result will appear in the mini-program.
    ReviewPending,
}

/// The masked identity the confirm screen shows. Never holds clear personal data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityView {
    /// Masked name, e.g. 张**三.
    pub name: String,
    /// Masked ID number, e.g. *****8746.
    pub id_number: String,
    /// University name.
    pub school: String,
    /// 本科 / 研究生 …, as the service sends it.
    pub level: String,
}

/// A review failure reason in both languages, as the service sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonView {
    /// Chinese text.
    pub zh: String,
    /// English text.
    pub en: String,
}

/// One line of the preview's checks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckLine {
    /// Met (✓), broken (✗), or not measured (–).
    pub pass: Option<bool>,
    /// Chinese text.
    pub zh: String,
    /// English text.
    pub en: String,
}

/// What the technician's maintenance screen shows. Technical data, already free of personal data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintenanceView {
    /// Camera, lights, chair, service and disk, in that order.
    pub checks: Vec<crate::diagnostics::Check>,
    /// The last lines of the kiosk's log (already masked).
    pub log_lines: Vec<String>,
    /// The last test shot's outcome, e.g. `6000×4000 JPEG, 3.2 MB, 640 ms`.
    pub test_shot: Option<String>,
    /// A check or test shot is running.
    pub busy: bool,
}

/// Everything a screen needs to draw itself. Derived from the flow state; never edited by the UI.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScreenModel {
    /// Which screen.
    pub screen: Screen,
    /// Display language.
    pub lang: Lang,
    /// Step indicator: (this step, number of steps), both from 1. None outside a session.
    pub step: Option<(u8, u8)>,
    /// Seconds until the idle timeout returns to the start, when the warning is up.
    pub idle_warning_secs: Option<u32>,
    /// Seconds left on the screen's own clock (payment window), when it has one.
    pub time_left_secs: Option<u32>,
    /// Whether a "back" button is offered.
    pub can_go_back: bool,
    /// Whether a "cancel / leave" button is offered.
    pub can_cancel: bool,
    /// Whether the live view is shown.
    pub live_view: bool,
    /// The seat hint from the live view's face tracking (chair step, shoot-ready), once known.
    pub seat_hint: Option<SeatHint>,
    /// The kiosk is driving the seat itself (`chair.auto_level`).
    pub seat_levelling: bool,
    /// Scan banner.
    pub scan_notice: Option<ScanNotice>,
    /// Masked identity (confirm screen, and the header once known).
    pub identity: Option<IdentityView>,
    /// Glasses choice, once made.
    pub glasses: Option<bool>,
    /// Shots used so far for this shooting code.
    pub shots_used: u8,
    /// Shots allowed per code.
    pub shots_max: u8,
    /// Shoot sub-state.
    pub shoot_stage: ShootStage,
    /// Countdown number (3, 2, 1) during the countdown.
    pub countdown: u32,
    /// Review sub-state.
    pub review_stage: ReviewStage,
    /// Review progress 0.0 – 1.0 (time-based, about a minute).
    pub review_progress: f32,
    /// The review has taken longer than expected (the kiosk still waits, up to its timeout).
    pub review_overdue: bool,
    /// Upload attempts that failed so far (shows "retrying").
    pub upload_retries: u32,
    /// Failure reasons.
    pub reasons: Vec<ReasonView>,
    /// The kiosk's checks on the photo on the preview screen.
    pub photo_checks: Vec<CheckLine>,
    /// A check on the photo failed: "retake" is the primary choice.
    pub photo_flagged: bool,
    /// Pay sub-state.
    pub pay_stage: PayStage,
    /// The WeChat `code_url` to draw as a QR code.
    pub pay_qr: Option<String>,
    /// Amount in fen (1/100 yuan): on the pay screen, and on the done screen once paid.
    pub amount_fen: u32,
    /// The paid order's reference on the done screen (the end of its id): the graduate's proof
    /// of payment, for staff to look up.
    pub order_ref: Option<String>,
    /// How the session ended.
    pub done_kind: DoneKind,
    /// Out-of-service reference for staff (no personal data).
    pub fault_reference: Option<String>,
    /// Wrong PINs entered so far on the PIN screen.
    pub pin_failures: u8,
    /// Wrong PINs allowed before the PIN screen closes.
    pub pin_attempts: u8,
    /// The keypad is locked for this many more seconds (0: not locked).
    pub pin_locked_secs: u32,
    /// The maintenance screen's diagnostics, once the first check has run.
    pub maintenance: Option<MaintenanceView>,
    /// The light preset the technician chose (`idle`, `standard`, `glasses`, `off`).
    pub maintenance_lights: Option<String>,
}

/// A fact in both languages, as the booth's operator writes it in the config.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Words {
    fn new(zh: &str, en: &str) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// The facts of the graduates' notice that the screens quote: where else to be photographed,
/// by when, and whom to call when the data is wrong. Each booth's are its own (`[notice]` in
/// the config); the defaults are the notice in `reference/graduate-photo-notice.txt`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Notice {
    /// The studio that takes the photo when the booth cannot.
    pub studio: Words,
    /// Its address.
    pub studio_address: Words,
    /// Its opening hours.
    pub studio_hours: Words,
    /// The last day for the photo, as the notice says it.
    pub deadline: Words,
    /// Who corrects wrong personal data.
    pub info_office: Words,
    /// Their phone number.
    pub info_phone: String,
    /// What the photo costs, in fen (1/100 yuan), as the agency charges it: said on the start
    /// and prepare screens before anything begins. The order the service creates is what is
    /// charged; an order for another amount is logged (`ORDER_PRICE_DIFFERS`).
    pub price_fen: u32,
}

impl Default for Notice {
    fn default() -> Self {
        Self {
            studio: Words::new("新华图片社", "Xinhua Photo Studio"),
            studio_address: Words::new(
                "上海市虹口区虬江支路 181 号 21 楼 2108 室",
                "Room 2108, 21/F, 181 Qiujiang Branch Rd, Hongkou, Shanghai",
            ),
            studio_hours: Words::new("周一至周六 9:00–16:30", "Mon–Sat 9:00–16:30"),
            deadline: Words::new("6 月底", "the end of June"),
            info_office: Words::new("信息管理部门", "the information office"),
            info_phone: "56629328".into(),
            // The demo collection service's price (kiosk-app's SimConfig::amount_fen).
            price_fen: 2_000,
        }
    }
}
