//! The kiosk on a real display: Slint's event loop on the main thread (winit on a desktop,
//! linuxkms on the booth), the runtime on tokio threads beside it.
//!
//! The UI thread never waits: screens, live-view frames and the photo are pushed to it with
//! `slint::invoke_from_event_loop`, already decoded; touches go to the runtime over a channel.
//! In demo mode a simulated graduate holds up their code on the scan screen and presses the
//! seat button on the chair screen, so one person at a desk can walk the whole session.

use std::cell::RefCell;
use std::sync::Arc;

use anyhow::Context;
use kiosk_core::model::ScreenModel;
use kiosk_ui::Ui;

use crate::assemble;
use crate::config::{Config, Orientation};
use crate::headless::print_screen;
use crate::runtime::Handle;
use crate::ui_feed;

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

/// How the display runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mode {
    /// A simulated graduate holds up their code and presses the seat button (demo).
    pub demo_graduate: bool,
    /// Kiosk mode: the display backend comes from `display.backend`, the mouse cursor hidden.
    pub fullscreen: bool,
    /// Every screen, once set on the UI thread, as a JSON line on stdout (`{"key", "screen"}`,
    /// as `kiosk headless` prints them): for scripts and the window test. Demo only: the screen
    /// holds the graduate's name and ID, which must not reach a booth's logs.
    pub print_screens: bool,
}

/// Run the kiosk in a window (or fullscreen) until the window closes.
pub fn run(cfg: Config, mode: Mode) -> anyhow::Result<()> {
    let Mode {
        demo_graduate,
        fullscreen,
        print_screens,
    } = mode;
    let backend = if fullscreen {
        cfg.display.backend
    } else {
        crate::config::DisplayBackend::Winit
    };
    kiosk_ui::select_backend(backend.slint_name())
        .map_err(|e| anyhow::anyhow!("{e} (config key `display.backend`)"))?;
    let level = cfg.logging.level.clone();
    let cfg = Arc::new(cfg);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let _enter = rt.enter();
    // SIGTERM (and the log-level signals) are caught from before the kiosk starts: one that arrives while it starts (it
    // says KIOSK_STARTED from its own task) is an orderly stop too, not the default death.
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let log_level = kiosk_ops::telemetry::follow_signals(level)?;
    let kiosk = assemble::Started::start(cfg.clone())?;
    let handle = kiosk.handle.clone();

    let ui = Ui::new().with_context(|| {
        format!(
            "opening the display with the {} backend (config key `display.backend`)",
            backend.slint_name()
        )
    })?;
    ui.set_portrait(cfg.display.orientation == Orientation::Portrait);
    ui.set_kiosk_mode(fullscreen);
    ui.set_eye_guide(cfg.photo.eye_guide);
    ui.set_notice(&cfg.notice);
    ui_feed::connect(&ui, &handle);
    let first = handle.screen.borrow().clone();
    ui.render(&first);
    ui.show(fullscreen)?;
    UI.with(|slot| *slot.borrow_mut() = Some(ui));
    if print_screens {
        // From the event loop, as every later screen. A line says the screen is set; its frame
        // reaches the display a moment later (softbuffer presents without a notice), so a
        // reader that needs the pixels waits on the display (tests/window).
        on_ui(move |_| print_screen(&first));
    }

    rt.spawn(push_screens(handle.clone(), print_screens));
    rt.spawn(ui_feed::frames(handle.clone(), |px| {
        on_ui(move |ui| ui.set_live_frame(px))
    }));
    rt.spawn(ui_feed::photo(handle.clone(), |px| {
        on_ui(move |ui| ui.set_photo(px))
    }));
    rt.spawn(ui_feed::face_window(handle.clone(), |w| {
        on_ui(move |ui| ui.set_face_window(w))
    }));
    if demo_graduate {
        let graduate = crate::graduate::Graduate::new(&kiosk.sims, crate::graduate::Pace::Human);
        rt.spawn(graduate.follow(handle.clone()));
    }

    // SIGTERM (systemd stopping the booth) ends the event loop and shuts down as closing the
    // window does; a crash of the runtime, after its emergency stop, ends the process non-zero
    // so that systemd starts it again rather than leaving a frozen screen.
    let crashed = kiosk.crashed();
    rt.spawn(log_level);
    rt.spawn(async move {
        tokio::select! {
            _ = term.recv() => {
                tracing::info!("SIGTERM: shutting down");
                kiosk_ui::quit_event_loop();
            }
            () = crashed => {
                tracing::error!("the runtime crashed: ending the process");
                std::process::exit(CRASH_EXIT_CODE);
            }
        }
    });
    kiosk_ui::run_event_loop()?;
    UI.with(|slot| slot.borrow_mut().take());
    rt.block_on(kiosk.stop());
    Ok(())
}

/// Exit status after a crash of the runtime (EX_SOFTWARE).
const CRASH_EXIT_CODE: i32 = 70;

async fn push_screens(handle: Handle, print_screens: bool) {
    let mut rx = handle.screen.clone();
    while rx.changed().await.is_ok() {
        let model: ScreenModel = rx.borrow_and_update().clone();
        on_ui(move |ui| {
            ui.render(&model);
            if print_screens {
                print_screen(&model);
            }
        });
    }
}
