//! The simulated graduate of demo mode: what they show the booth and do with the seat button,
//! screen by screen. One graduate for the window demo, `kiosk headless`, the walkthrough and
//! the tests, so every mode exercises the same presentations.
//!
//! Each session's graduate sits at their own height in the chair (a sitting offset, see
//! [`camera_driver::sim::Seating`]): at random in the window demo, like the reference graduate
//! (well seated at the chair's starting height) in the scripted modes and the tests.
//! `KIOSK_SIM_SITTING_SEED=<number>` fixes the sequence in every mode.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use camera_driver::sim::{SeatLink, SimControl};
use chair_control::sim::SimHandle;
use kiosk_core::model::Screen;

use crate::assemble::Simulators;
use crate::runtime::Handle;
use collection_service::sim::DEMO_ROSTER;

/// How long the graduate takes: at once (scripts, tests) or like a person (the window demo).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pace {
    /// Act as soon as the screen appears.
    Immediate,
    /// Pause before showing the code and hold the seat button a moment.
    Human,
}

/// The graduate, holding the simulators' handles (absent parts are real devices: nothing to
/// show them).
#[derive(Clone)]
pub struct Graduate {
    camera: Option<SimControl>,
    serial: Option<SimHandle>,
    seat: Option<SeatLink>,
    /// Where each session's sitting offset comes from (None: offset 0 every time).
    sitting_seed: Option<u64>,
    /// Graduates seated so far.
    seated: Arc<AtomicU64>,
    code: String,
    pace: Pace,
}

impl Graduate {
    /// The first demo graduate (their personal shooting code from the roster).
    pub fn new(sims: &Simulators, pace: Pace) -> Self {
        Self {
            camera: sims.camera.clone(),
            serial: sims.serial.as_ref().map(|s| s.handle()),
            seat: sims.seat.clone(),
            sitting_seed: sitting_seed(pace),
            seated: Arc::default(),
            code: DEMO_ROSTER[0].0.to_owned(),
            pace,
        }
    }

    /// A new graduate sits down in the chair, at their own sitting height.
    pub fn sit_down(&self) {
        if let (Some(seat), Some(seed)) = (&self.seat, self.sitting_seed) {
            let n = self.seated.fetch_add(1, Ordering::Relaxed);
            let offset = seat.seating().sitting_offset_mm(seed.wrapping_add(n));
            tracing::debug!(sitting_offset_mm = offset, "simulated graduate sits down");
            seat.sit_down(offset);
        }
    }

    /// This graduate sits `offset_mm` taller in the chair than the reference graduate
    /// (negative: shorter, so their eyes start below the guide). Scripts use it to show the
    /// chair step's hints.
    pub fn sit_at(&self, offset_mm: f32) {
        if let Some(seat) = &self.seat {
            seat.sit_down(offset_mm);
        }
    }

    /// Hold the seat button that brings the eyes to the eye line until they are there (at
    /// most eight seconds), as a person watching the screen does.
    pub async fn adjust_seat(&self) {
        let (Some(serial), Some(seat)) = (&self.serial, &self.seat) else {
            return;
        };
        let target = seat.seat_for_eye_line_mm();
        let up = target >= serial.height_mm();
        serial.press_button(Some(up));
        let started = tokio::time::Instant::now();
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        loop {
            tick.tick().await;
            let now = serial.height_mm();
            let there = if up { now >= target } else { now <= target };
            if there || started.elapsed() > Duration::from_secs(8) {
                break;
            }
        }
        serial.press_button(None);
    }

    /// Lean the head `deg` degrees (positive: crown to the image's right); 0 straightens it.
    /// What the kiosk's head-tilt check exists for.
    pub fn tilt_head(&self, deg: f32) {
        if let Some(camera) = &self.camera {
            camera.pose_handle().update(|p| p.tilt_deg = deg);
        }
    }

    /// Look or sit as `change` makes the well-seated pose (eyes shut, teeth showing, off to one
    /// side), at the height where the chair put them.
    pub fn pose(&self, change: fn(&mut camera_driver::sim::Pose)) {
        if let Some(camera) = &self.camera {
            camera.pose_handle().update(|p| {
                let height = p.height;
                *p = camera_driver::sim::Pose {
                    height,
                    ..Default::default()
                };
                change(p);
            });
        }
    }

    /// Hold the phone with the shooting code up to the camera.
    pub fn show_code(&self) {
        if let Some(camera) = &self.camera {
            camera.present_qr(Some(&self.code));
        }
    }

    /// Put the phone away.
    pub fn put_code_away(&self) {
        if let Some(camera) = &self.camera {
            camera.present_qr(None);
        }
    }

    /// Press the seat's up button and let go; at a person's pace, hold the button that brings
    /// their eyes to the eye line until they get there (at most eight seconds).
    pub async fn tap_seat_button(&self) {
        let Some(serial) = &self.serial else {
            return;
        };
        match (&self.seat, self.pace) {
            (Some(_), Pace::Human) => self.adjust_seat().await,
            _ => {
                serial.press_button(Some(true));
                if self.pace == Pace::Human {
                    tokio::time::sleep(Duration::from_millis(800)).await;
                }
                serial.press_button(None);
            }
        }
    }

    /// What the graduate does when `screen` appears: sits down on the start screen (a new
    /// graduate each session), shows the code on the scan screen (and only there), taps the
    /// seat button on the chair screen.
    pub async fn on_screen(&self, screen: Screen) {
        match screen {
            Screen::Attract => {
                self.put_code_away();
                self.sit_down();
            }
            Screen::Scan => {
                if self.pace == Pace::Human {
                    tokio::time::sleep(Duration::from_millis(1500)).await;
                }
                self.show_code();
            }
            Screen::Chair => {
                self.put_code_away();
                self.tap_seat_button().await;
            }
            _ => self.put_code_away(),
        }
    }

    /// Follow the kiosk's screens until it stops (the demo modes; touches come from elsewhere).
    pub async fn follow(self, handle: Handle) {
        let mut rx = handle.screen.clone();
        let mut last = None;
        loop {
            let screen = rx.borrow_and_update().screen;
            if last != Some(screen) {
                last = Some(screen);
                self.on_screen(screen).await;
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    }
}

/// The seed of the graduates' sitting offsets: `KIOSK_SIM_SITTING_SEED` when set; else random
/// for the window demo and none (everyone sits like the reference graduate) for the scripted
/// modes, so they stay deterministic.
fn sitting_seed(pace: Pace) -> Option<u64> {
    let fixed = std::env::var("KIOSK_SIM_SITTING_SEED")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok());
    match (fixed, pace) {
        (Some(seed), _) => Some(seed),
        (None, Pace::Human) => Some(rand::random::<u64>()),
        (None, Pace::Immediate) => None,
    }
}
