//! Screen model → Slint properties; Slint actions → intents. Small pure `map_*` functions.

use std::cell::RefCell;

use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};

use crate::model::{self, Intent, Lang, MaintenanceCommand, ScreenModel};
use crate::pixels::{self, Pixels};
use crate::{
    Action, Bridge, Check, DoneKind, FrameWindow, KioskWindow, Notice, PayStage, PhotoCheck,
    Reason, ReviewStage, ScanNotice, Screen, SeatHint, ShootStage, Words,
};

/// The booth window and its adapter. Lives on the UI thread.
pub struct Ui {
    window: KioskWindow,
    last_qr: RefCell<Option<String>>,
    last_lang: RefCell<Option<Lang>>,
    /// The screen and stage last rendered: the exit dialog closes when they change.
    last_stage: RefCell<Option<String>>,
}

/// The intent a Slint action stands for.
pub fn map_action(action: Action) -> Intent {
    match action {
        Action::Start => Intent::Start,
        Action::ChooseGraduatePhoto => Intent::ChooseGraduatePhoto,
        Action::PrepareShoot => Intent::PrepareShoot,
        Action::ConfirmIdentity => Intent::ConfirmIdentity,
        Action::GlassesYes => Intent::ChooseGlasses(true),
        Action::GlassesNo => Intent::ChooseGlasses(false),
        Action::AcceptRules => Intent::AcceptRules,
        Action::ChairReady => Intent::ChairReady,
        Action::TakePhoto => Intent::TakePhoto,
        Action::Retake => Intent::Retake,
        Action::UsePhoto => Intent::UsePhoto,
        Action::RetryPayment => Intent::RetryPayment,
        Action::Back => Intent::Back,
        Action::Cancel => Intent::Cancel,
        Action::StillHere => Intent::StillHere,
        Action::Finish => Intent::Finish,
        Action::LangZh => Intent::SetLanguage(Lang::Zh),
        Action::LangEn => Intent::SetLanguage(Lang::En),
        Action::RetryDevices => Intent::RetryDevices,
        Action::MaintenanceGesture => Intent::MaintenanceGesture,
        Action::MaintenanceRefresh => Intent::Maintenance(MaintenanceCommand::Refresh),
        Action::MaintenanceTestShot => Intent::Maintenance(MaintenanceCommand::TestShot),
        Action::MaintenanceLightsIdle => Intent::Maintenance(MaintenanceCommand::LightsIdle),
        Action::MaintenanceLightsStandard => {
            Intent::Maintenance(MaintenanceCommand::LightsStandard)
        }
        Action::MaintenanceLightsGlasses => Intent::Maintenance(MaintenanceCommand::LightsGlasses),
        Action::MaintenanceLightsOff => Intent::Maintenance(MaintenanceCommand::LightsOff),
        Action::MaintenanceChairUp => Intent::Maintenance(MaintenanceCommand::ChairUp),
        Action::MaintenanceChairDown => Intent::Maintenance(MaintenanceCommand::ChairDown),
        Action::MaintenanceChairStop => Intent::Maintenance(MaintenanceCommand::ChairStop),
        Action::MaintenanceExit => Intent::Maintenance(MaintenanceCommand::Exit),
    }
}

fn map_screen(s: model::Screen) -> Screen {
    use model::Screen as M;
    match s {
        M::Attract => Screen::Attract,
        M::PhotoType => Screen::PhotoType,
        M::Prepare => Screen::Prepare,
        M::Scan => Screen::Scan,
        M::Confirm => Screen::Confirm,
        M::Lighting => Screen::Lighting,
        M::Rules => Screen::Rules,
        M::Chair => Screen::Chair,
        M::Shoot => Screen::Shoot,
        M::Review => Screen::Review,
        M::Pay => Screen::Pay,
        M::Done => Screen::Done,
        M::OutOfService => Screen::OutOfService,
        M::MaintenancePin => Screen::MaintenancePin,
        M::Maintenance => Screen::Maintenance,
    }
}

fn map_notice(n: Option<model::ScanNotice>) -> ScanNotice {
    use model::ScanNotice as M;
    match n {
        None => ScanNotice::None,
        Some(M::Checking) => ScanNotice::Checking,
        Some(M::RawChsiCode) => ScanNotice::RawChsiCode,
        Some(M::ForeignCode) => ScanNotice::ForeignCode,
        Some(M::SeveralCodes) => ScanNotice::SeveralCodes,
        Some(M::UnknownCode) => ScanNotice::UnknownCode,
        Some(M::ExpiredCode) => ScanNotice::ExpiredCode,
        Some(M::NoShotsLeft) => ScanNotice::NoShotsLeft,
        Some(M::ServiceUnavailable) => ScanNotice::ServiceUnavailable,
    }
}

fn map_seat(h: Option<model::SeatHint>) -> SeatHint {
    match h {
        None => SeatHint::Unknown,
        Some(model::SeatHint::NoFace) => SeatHint::NoFace,
        Some(model::SeatHint::Raise) => SeatHint::Raise,
        Some(model::SeatHint::Lower) => SeatHint::Lower,
        Some(model::SeatHint::Good) => SeatHint::Good,
    }
}

fn map_shoot(s: model::ShootStage) -> ShootStage {
    use model::ShootStage as M;
    match s {
        M::Ready => ShootStage::Ready,
        M::Countdown => ShootStage::Countdown,
        M::Capturing => ShootStage::Capturing,
        M::Preview => ShootStage::Preview,
        M::Failed => ShootStage::Failed,
    }
}

fn map_review(s: model::ReviewStage) -> ReviewStage {
    match s {
        model::ReviewStage::Uploading => ReviewStage::Uploading,
        model::ReviewStage::Waiting => ReviewStage::Waiting,
        model::ReviewStage::Failed => ReviewStage::Failed,
        model::ReviewStage::Refused => ReviewStage::Refused,
        model::ReviewStage::Unreachable => ReviewStage::Unreachable,
    }
}

fn map_pay(s: model::PayStage) -> PayStage {
    match s {
        model::PayStage::Creating => PayStage::Creating,
        model::PayStage::Showing => PayStage::Showing,
        model::PayStage::Expired => PayStage::Expired,
        model::PayStage::Failed => PayStage::Failed,
    }
}

/// "m:ss" for a number of seconds (digits only; the words around it are translated in Slint).
fn clock(secs: u32) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// A short key naming what is on screen, e.g. `shoot-countdown` (walkthrough file names, tests).
pub fn screen_key(m: &ScreenModel) -> String {
    use model::Screen as M;
    let base = match m.screen {
        M::Attract => "attract",
        M::PhotoType => "photo-type",
        M::Prepare => "prepare",
        M::Scan => "scan",
        M::Confirm => "confirm",
        M::Lighting => "lighting",
        M::Rules => "rules",
        M::Chair => "chair",
        M::Shoot => "shoot",
        M::Review => "review",
        M::Pay => "pay",
        M::Done => "done",
        M::OutOfService => "out-of-service",
        M::MaintenancePin => "maintenance-pin",
        M::Maintenance => "maintenance",
    };
    let stage = match m.screen {
        M::Scan => m.scan_notice.map(|n| match n {
            model::ScanNotice::Checking => "checking",
            // Each refusal says something else: each is its own screen.
            model::ScanNotice::RawChsiCode => "chsi-code",
            model::ScanNotice::ForeignCode => "foreign-code",
            model::ScanNotice::SeveralCodes => "several-codes",
            model::ScanNotice::UnknownCode => "unknown-code",
            model::ScanNotice::ExpiredCode => "expired-code",
            model::ScanNotice::NoShotsLeft => "no-shots-left",
            model::ScanNotice::ServiceUnavailable => "service-unavailable",
        }),
        // What the live view says about the seat is what the chair screen is about.
        M::Chair => m.seat_hint.map(|h| match h {
            model::SeatHint::NoFace => "no-face",
            model::SeatHint::Raise => "raise",
            model::SeatHint::Lower => "lower",
            model::SeatHint::Good => "good",
        }),
        M::Shoot => Some(match m.shoot_stage {
            model::ShootStage::Ready => "ready",
            model::ShootStage::Countdown => "countdown",
            model::ShootStage::Capturing => "capturing",
            // A photo a check flagged is its own screen: retake is primary there.
            model::ShootStage::Preview if m.photo_flagged => "preview-flagged",
            model::ShootStage::Preview => "preview",
            model::ShootStage::Failed => "failed",
        }),
        M::Review => Some(match m.review_stage {
            model::ReviewStage::Uploading => "uploading",
            model::ReviewStage::Waiting if m.review_overdue => "slow",
            model::ReviewStage::Waiting => "waiting",
            model::ReviewStage::Failed => "failed",
            model::ReviewStage::Refused => "refused",
            model::ReviewStage::Unreachable => "unreachable",
        }),
        M::Pay => Some(match m.pay_stage {
            model::PayStage::Creating => "creating",
            model::PayStage::Showing => "showing",
            model::PayStage::Expired => "expired",
            model::PayStage::Failed => "failed",
        }),
        M::Done => (m.done_kind == model::DoneKind::ReviewPending).then_some("review-pending"),
        M::Maintenance => m.maintenance.as_ref().and_then(|v| {
            if v.checks.is_empty() {
                Some("checking")
            } else if v.test_shot.is_some() {
                Some("test-shot")
            } else {
                None
            }
        }),
        _ => None,
    };
    let mut key = match stage {
        Some(stage) => format!("{base}-{stage}"),
        None => base.to_owned(),
    };
    if m.idle_warning_secs.is_some() {
        key.push_str("-idle-warning");
    }
    key
}

impl Ui {
    /// Create the window (the Slint platform must be set up first: a backend or
    /// [`crate::headless`]).
    /// The notice's facts are its defaults until [`Ui::set_notice`] gives the config's.
    pub fn new() -> Result<Self, slint::PlatformError> {
        let ui = Self {
            window: KioskWindow::new()?,
            last_qr: RefCell::new(None),
            last_lang: RefCell::new(None),
            last_stage: RefCell::new(None),
        };
        ui.set_notice(&model::Notice::default());
        Ok(ui)
    }

    /// The Slint window.
    pub fn window(&self) -> &KioskWindow {
        &self.window
    }

    /// Send every touch to `on_intent` (which must not block: hand it to a channel).
    pub fn connect(&self, on_intent: impl Fn(Intent) + 'static) {
        self.window
            .global::<Bridge>()
            .on_act(move |action| on_intent(map_action(action)));
    }

    /// Send every PIN typed on the maintenance keypad to `on_pin` (which must not block). The PIN is
    /// not an [`Intent`]: it never enters the flow, its journal or its logs.
    pub fn connect_pin(&self, on_pin: impl Fn(String) + 'static) {
        self.window
            .global::<Bridge>()
            .on_pin_entered(move |pin| on_pin(pin.to_string()));
    }

    /// Type a PIN on the maintenance keypad and press OK, as a technician would (walkthrough):
    /// goes through the same callback as the keypad.
    pub fn enter_pin(&self, pin: &str) {
        self.window
            .global::<Bridge>()
            .invoke_pin_entered(pin.into());
    }

    /// Hide the mouse cursor everywhere (kiosk mode on a touchscreen).
    pub fn set_kiosk_mode(&self, on: bool) {
        self.window.global::<Bridge>().set_kiosk_mode(on);
    }

    /// Press a button as a touch would (walkthrough, tests): goes through the same callback.
    pub fn act(&self, action: Action) {
        self.window.global::<Bridge>().invoke_act(action);
    }

    /// The footer's "退出拍照" as a touch does it: leaves at once where leaving costs nothing,
    /// else opens the dialog that says what it costs.
    pub fn leave(&self) {
        self.window.global::<Bridge>().invoke_leave();
    }

    /// Whether the exit dialog is up.
    pub fn exit_dialog_open(&self) -> bool {
        let b = self.window.global::<Bridge>();
        b.get_exit_dialog() && !b.get_exit_cost().is_empty()
    }

    /// The exit dialog's primary button: stay.
    pub fn stay(&self) {
        self.window.global::<Bridge>().set_exit_dialog(false);
    }

    /// Show the window, fullscreen on the booth.
    pub fn show(&self, fullscreen: bool) -> Result<(), slint::PlatformError> {
        if fullscreen {
            self.window.window().set_fullscreen(true);
        }
        self.window.show()
    }

    /// Use portrait layout.
    pub fn set_portrait(&self, portrait: bool) {
        self.window.global::<Bridge>().set_portrait(portrait);
    }

    /// Show a screen model.
    pub fn render(&self, m: &ScreenModel) {
        if *self.last_lang.borrow() != Some(m.lang) {
            // Ignored if no translation is bundled (the source language is Chinese).
            let _ = slint::select_bundled_translation(m.lang.translation());
            *self.last_lang.borrow_mut() = Some(m.lang);
        }
        let b = self.window.global::<Bridge>();
        // A dialog asked on one screen is not an answer on the next (payment came in, the
        // idle timeout went home).
        let stage = format!("{:?}/{:?}/{:?}", m.screen, m.shoot_stage, m.pay_stage);
        if self.last_stage.borrow().as_ref() != Some(&stage) {
            b.set_exit_dialog(false);
            *self.last_stage.borrow_mut() = Some(stage);
        }
        b.set_screen(map_screen(m.screen));
        b.set_english(m.lang == Lang::En);
        let (step, steps) = m.step.unwrap_or((0, 10));
        b.set_step(i32::from(step));
        b.set_steps(i32::from(steps));
        b.set_idle_warning(m.idle_warning_secs.map_or(-1, |s| s as i32));
        b.set_time_left(m.time_left_secs.map(clock).unwrap_or_default().into());
        b.set_can_back(m.can_go_back);
        b.set_can_cancel(m.can_cancel);
        b.set_live_view(m.live_view);
        b.set_seat_hint(map_seat(m.seat_hint));
        b.set_seat_levelling(m.seat_levelling);
        b.set_scan_notice(map_notice(m.scan_notice));
        let id = m.identity.clone().unwrap_or_default();
        b.set_name(id.name.into());
        b.set_id_number(id.id_number.into());
        b.set_school(id.school.into());
        b.set_level(id.level.into());
        b.set_shots_used(i32::from(m.shots_used));
        b.set_glasses_off(m.glasses == Some(false));
        b.set_shots_max(i32::from(m.shots_max));
        b.set_shoot_stage(map_shoot(m.shoot_stage));
        b.set_countdown(m.countdown as i32);
        b.set_review_stage(map_review(m.review_stage));
        b.set_review_progress(m.review_progress);
        b.set_review_overdue(m.review_overdue);
        b.set_upload_retries(m.upload_retries as i32);
        let reasons: Vec<Reason> = m
            .reasons
            .iter()
            .map(|r| Reason {
                zh: SharedString::from(r.zh.as_str()),
                en: SharedString::from(r.en.as_str()),
            })
            .collect();
        b.set_reasons(ModelRc::new(VecModel::from(reasons)));
        b.set_photo_checks(ModelRc::new(VecModel::from(photo_checks(&m.photo_checks))));
        b.set_photo_flagged(m.photo_flagged);
        b.set_pay_stage(map_pay(m.pay_stage));
        b.set_amount(yuan(m.amount_fen).into());
        b.set_order_ref(m.order_ref.clone().unwrap_or_default().into());
        if *self.last_qr.borrow() != m.pay_qr {
            let image = m
                .pay_qr
                .as_deref()
                .and_then(pixels::qr)
                .map(Image::from_rgb8)
                .unwrap_or_default();
            b.set_pay_qr(image);
            *self.last_qr.borrow_mut() = m.pay_qr.clone();
        }
        b.set_done_kind(match m.done_kind {
            model::DoneKind::Paid => DoneKind::Paid,
            model::DoneKind::ReviewPending => DoneKind::ReviewPending,
        });
        b.set_fault_reference(m.fault_reference.clone().unwrap_or_default().into());
        b.set_pin_failures(i32::from(m.pin_failures));
        b.set_pin_attempts(i32::from(m.pin_attempts));
        b.set_pin_locked_minutes(m.pin_locked_secs.div_ceil(60) as i32);
        b.set_maintenance_lights(m.maintenance_lights.clone().unwrap_or_default().into());
        let panel = m.maintenance.clone().unwrap_or_default();
        b.set_has_diagnostics(!panel.checks.is_empty());
        b.set_maintenance_busy(panel.busy);
        b.set_test_shot(panel.test_shot.unwrap_or_default().into());
        let checks: Vec<Check> = panel
            .checks
            .into_iter()
            .map(|c| Check {
                part: c.part.name().into(),
                ok: c.ok(),
                detail: c.figures.into(),
                hint: c.hint.map(hint_key).unwrap_or_default().into(),
            })
            .collect();
        b.set_checks(ModelRc::new(VecModel::from(checks)));
        let lines: Vec<SharedString> = panel.log_lines.into_iter().map(Into::into).collect();
        b.set_log_lines(ModelRc::new(VecModel::from(lines)));
    }

    /// Show a live-view frame (decoded and mirrored off the UI thread).
    pub fn set_live_frame(&self, frame: Option<Pixels>) {
        let b = self.window.global::<Bridge>();
        b.set_has_live_frame(frame.is_some());
        b.set_live_frame(frame.map(Image::from_rgb8).unwrap_or_default());
    }

    /// The notice's facts the screens quote (set once: they come from the config).
    pub fn set_notice(&self, n: &model::Notice) {
        let words = |w: &model::Words| Words {
            zh: w.zh.as_str().into(),
            en: w.en.as_str().into(),
        };
        let b = self.window.global::<Bridge>();
        b.set_notice(Notice {
            studio: words(&n.studio),
            studio_address: words(&n.studio_address),
            studio_hours: words(&n.studio_hours),
            deadline: words(&n.deadline),
            info_office: words(&n.info_office),
            info_phone: n.info_phone.as_str().into(),
            price: yuan(n.price_fen).into(),
        });
    }

    /// Where the eyes belong on the live view, as a share of the frame height (from the top).
    pub fn set_eye_guide(&self, eye_line: f32) {
        self.window.global::<Bridge>().set_eye_guide(eye_line);
    }

    /// The photo's 3:4 window on the live view, in fractions of the camera's frame as the
    /// camera sees it (x, y, width, height); mirrored here like the picture. None hides it.
    pub fn set_face_window(&self, window: Option<[f32; 4]>) {
        let b = self.window.global::<Bridge>();
        b.set_has_face_window(window.is_some());
        if let Some([x, y, w, h]) = window {
            b.set_face_window(FrameWindow {
                x: 1.0 - x - w,
                y,
                w,
                h,
            });
        }
    }

    /// Show the photo just taken.
    pub fn set_photo(&self, photo: Option<Pixels>) {
        self.window
            .global::<Bridge>()
            .set_photo(photo.map(Image::from_rgb8).unwrap_or_default());
    }
}

/// The key the maintenance screen picks a hint's words by (the enum's serde name).
fn hint_key(hint: kiosk_core::diagnostics::Hint) -> &'static str {
    hint.key()
}

/// The preview's lines: broken checks with what to do, then those not measured, then one line
/// for the checks that passed: naming each when nothing else is listed (fourteen full lines
/// would not fit beside the photo), counting them when something failed or went unmeasured,
/// so what to fix keeps the room and "use anyway" stays above the footer.
fn photo_checks(lines: &[model::CheckLine]) -> Vec<PhotoCheck> {
    let text = |zh: &str, en: &str| PhotoCheck {
        kind: 0,
        zh: SharedString::from(zh),
        en: SharedString::from(en),
    };
    let mut out: Vec<PhotoCheck> = Vec::new();
    for (want, kind) in [(Some(false), 2), (None, 3)] {
        out.extend(lines.iter().filter(|l| l.pass == want).map(|l| PhotoCheck {
            kind,
            ..text(&l.zh, &l.en)
        }));
    }
    let passed: Vec<&model::CheckLine> = lines.iter().filter(|l| l.pass == Some(true)).collect();
    if !passed.is_empty() && !out.is_empty() {
        let n = passed.len();
        out.push(PhotoCheck {
            kind: 1,
            ..text(
                &format!("其余 {n} 项检查均已通过"),
                &format!("The other {n} checks passed"),
            )
        });
    } else if !passed.is_empty() {
        let zh: Vec<&str> = passed.iter().map(|l| l.zh.as_str()).collect();
        // Each English name wraps whole (its spaces no-break), so no line ends in a scrap
        // of one ("… Hair clear of the / eyes"); semicolons between them, as a name may hold
        // a comma ("Mouth closed, no teeth").
        let en: Vec<String> = passed.iter().map(|l| l.en.replace(' ', "\u{a0}")).collect();
        out.push(PhotoCheck {
            kind: 1,
            ..text(&zh.join("、"), &en.join("; "))
        });
    }
    out
}

/// An amount in fen as yuan with two decimals ("20.00"), as WeChat Pay shows it.
fn yuan(fen: u32) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}
