//! The simulated graduate of demo mode: what they show the booth and do with the seat button,
//! screen by screen. One graduate for the window demo, `kiosk headless`, the walkthrough and
//! the tests, so every mode exercises the same presentations.

use std::time::Duration;

use camera_driver::sim::SimControl;
use chair_control::sim::SimHandle;
use kiosk_core::model::Screen;

use crate::assemble::Simulators;
use crate::runtime::Handle;
use crate::service::sim::DEMO_ROSTER;

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
    code: String,
    pace: Pace,
}

impl Graduate {
    /// The first demo graduate (their personal shooting code from the roster).
    pub fn new(sims: &Simulators, pace: Pace) -> Self {
        Self {
            camera: sims.camera.clone(),
            serial: sims.serial.as_ref().map(|s| s.handle()),
            code: DEMO_ROSTER[0].0.to_owned(),
            pace,
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

    /// Press the seat's up button and let go.
    pub async fn tap_seat_button(&self) {
        if let Some(serial) = &self.serial {
            serial.press_button(Some(true));
            if self.pace == Pace::Human {
                tokio::time::sleep(Duration::from_millis(800)).await;
            }
            serial.press_button(None);
        }
    }

    /// What the graduate does when `screen` appears: shows the code on the scan screen (and
    /// only there), taps the seat button on the chair screen.
    pub async fn on_screen(&self, screen: Screen) {
        match screen {
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
