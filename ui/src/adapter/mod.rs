//! Screen model → Slint properties; Slint actions → intents. The window's adapter here, the
//! small pure `map_*` functions in `map.rs`.

use std::cell::RefCell;

use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};

use crate::model::{self, Intent, Lang, MaintenanceCommand, ScreenModel};
use crate::pixels::{self, Pixels};
mod map;

pub use map::map_action;
use map::*;

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
