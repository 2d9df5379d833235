//! The kiosk on a real display: Slint's event loop on the main thread (winit on a desktop,
//! linuxkms on the booth), the runtime on tokio threads beside it.
//!
//! The UI thread never waits: screens, live-view frames and the photo are pushed to it with
//! `slint::invoke_from_event_loop`, already decoded; touches go to the runtime over a channel.
//! In demo mode a simulated graduate holds up their code on the scan screen and presses the
//! seat button on the chair screen, so one person at a desk can walk the whole session.

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kiosk_ui::Ui;
use kiosk_ui::model::{Screen, ScreenModel};
use kiosk_ui::pixels::{self, Pixels};
use tokio::sync::oneshot;

use crate::assemble::{self, Sims};
use crate::config::{Config, Orientation};
use crate::flow::Event;
use crate::journal::Journal;
use crate::runtime::{Handle, Runtime};
use crate::service::sim::DEMO_ROSTER;

thread_local! {
    /// The UI, owned by the Slint thread; reached from other threads through the event loop.
    static UI: RefCell<Option<Ui>> = const { RefCell::new(None) };
}

fn on_ui(f: impl FnOnce(&Ui) + Send + 'static) {
    let _ = kiosk_ui::invoke_from_event_loop(move || {
        UI.with(|ui| {
            if let Some(ui) = ui.borrow().as_ref() {
                f(ui);
            }
        })
    });
}

/// Run the kiosk in a window (or fullscreen) until the window closes.
pub fn run(cfg: Config, demo_graduate: bool, fullscreen: bool) -> anyhow::Result<()> {
    let cfg = Arc::new(cfg);
    std::fs::create_dir_all(&cfg.kiosk.data_dir)
        .with_context(|| format!("creating {}", cfg.kiosk.data_dir.display()))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let _enter = rt.enter();
    let journal = Journal::open(&cfg.kiosk.data_dir.join(Path::new("journal.sqlite3")))?;
    let (parts, sims) = assemble::parts(&cfg, journal)?;
    let (runtime, handle) = Runtime::new(cfg.clone(), parts);
    let (stop, stopped) = oneshot::channel::<()>();
    let runtime_task = rt.spawn(crate::runtime::supervise(runtime, async {
        let _ = stopped.await;
    }));

    let ui = Ui::new().context("opening the display (is a Slint backend compiled in?)")?;
    ui.set_portrait(cfg.display.orientation == Orientation::Portrait);
    let events = handle.events.clone();
    ui.connect(move |intent| {
        let _ = events.send(Event::Intent(intent));
    });
    ui.render(&handle.screen.borrow());
    ui.show(fullscreen)?;
    UI.with(|slot| *slot.borrow_mut() = Some(ui));

    rt.spawn(push_screens(handle.clone()));
    rt.spawn(push_frames(handle.clone()));
    rt.spawn(push_photo(handle.clone()));
    if demo_graduate {
        rt.spawn(simulated_graduate(handle.clone(), sims_handles(&sims)));
    }

    kiosk_ui::run_event_loop()?;
    UI.with(|slot| slot.borrow_mut().take());
    let _ = stop.send(());
    let _ = rt.block_on(runtime_task);
    drop(sims);
    Ok(())
}

async fn push_screens(handle: Handle) {
    let mut rx = handle.screen.clone();
    while rx.changed().await.is_ok() {
        let model: ScreenModel = rx.borrow_and_update().clone();
        on_ui(move |ui| ui.render(&model));
    }
}

async fn push_frames(handle: Handle) {
    let mut frames = handle.frames.clone();
    while frames.changed().await.is_ok() {
        let Some(frame) = frames.borrow_and_update().clone() else {
            continue;
        };
        if !handle.screen.borrow().live_view {
            continue;
        }
        let decoded: Option<Pixels> =
            tokio::task::spawn_blocking(move || pixels::decode(&frame.jpeg, true))
                .await
                .ok()
                .flatten();
        on_ui(move |ui| ui.set_live_frame(decoded));
    }
}

async fn push_photo(handle: Handle) {
    let mut photo = handle.photo.clone();
    while photo.changed().await.is_ok() {
        let bytes = photo.borrow_and_update().clone();
        let decoded = match bytes {
            Some(b) => tokio::task::spawn_blocking(move || pixels::decode(&b, false))
                .await
                .ok()
                .flatten(),
            None => None,
        };
        on_ui(move |ui| ui.set_photo(decoded));
    }
}

struct SimHandles {
    camera: Option<camera_driver::sim::SimControl>,
    serial: Option<chair_control::sim::SimHandle>,
}

fn sims_handles(sims: &Sims) -> SimHandles {
    SimHandles {
        camera: sims.camera.clone(),
        serial: sims.serial.as_ref().map(|s| s.handle()),
    }
}

/// The demo's graduate: shows their code a moment after the scan screen appears and puts the
/// phone away once it is accepted; holds the seat button briefly on the chair screen.
async fn simulated_graduate(handle: Handle, sims: SimHandles) {
    let mut rx = handle.screen.clone();
    let mut last = Screen::Attract;
    while rx.changed().await.is_ok() {
        let screen = rx.borrow_and_update().screen;
        if screen == last {
            continue;
        }
        last = screen;
        match screen {
            Screen::Scan => {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                if let Some(camera) = &sims.camera {
                    camera.present_qr(Some(DEMO_ROSTER[0].0));
                }
            }
            Screen::Chair => {
                if let Some(serial) = &sims.serial {
                    serial.press_button(Some(true));
                    tokio::time::sleep(Duration::from_millis(800)).await;
                    serial.press_button(None);
                }
            }
            _ => {
                if let Some(camera) = &sims.camera {
                    camera.present_qr(None);
                }
            }
        }
    }
}
