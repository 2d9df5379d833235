//! `kiosk headless`: the whole kiosk (flow, runtime, journal, devices and service as configured)
//! without a display, driven by touches on standard input and reporting every screen on
//! standard output, one JSON object per line. For the crash-recovery tests (which kill this
//! process at every step of a session and start it again) and for scripted rehearsals.
//!
//! Input lines are intents as the UI sends them: `"start"`, `{"choose_glasses": false}`, …
//! Output lines: `{"key": "shoot-preview", "screen": {…the screen model…}}`. In demo mode the
//! simulated graduate shows their code on the scan screen and presses the seat button.

use std::io::{BufRead, Write};
use std::sync::Arc;

use kiosk_core::model::Intent;

use crate::assemble;
use crate::config::Config;
use kiosk_core::flow::Event;

/// Run until standard input closes or SIGTERM arrives (both shut down cleanly: chair motor off,
/// lights off). A crash of the runtime (after its emergency stop) is an error: the process ends
/// non-zero.
pub fn run(cfg: Config) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let cfg_level = cfg.logging.level.clone();
    let result = rt.block_on(async {
        // Caught from before the kiosk starts: a SIGTERM while it starts (it says KIOSK_STARTED
        // from its own task, before this function is done starting it) is an orderly stop.
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        let log_level = kiosk_ops::telemetry::follow_signals(cfg_level)?;
        let kiosk = assemble::Started::start(Arc::new(cfg))?;
        let (handle, sims) = (&kiosk.handle, &kiosk.sims);

        // The simulated graduate shows their code and taps the seat button.
        let graduate = crate::graduate::Graduate::new(sims, crate::graduate::Pace::Immediate);
        tokio::spawn(graduate.follow(handle.clone()));

        // Screens out.
        let mut screens = handle.screen.clone();
        tokio::spawn(async move {
            let mut last = String::new();
            loop {
                let model = screens.borrow_and_update().clone();
                let key = model.key();
                if key != last {
                    print_screen(&model);
                    last = key;
                }
                if screens.changed().await.is_err() {
                    break;
                }
            }
        });

        // Touches in (a blocking reader: stdin has no async API in std).
        let events = handle.events.clone();
        let reader = tokio::task::spawn_blocking(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Intent>(&line) {
                    Ok(intent) => {
                        let _ = events.send(Event::Intent(intent));
                    }
                    Err(e) => eprintln!("kiosk headless: not an intent: {line:?}: {e}"),
                }
            }
        });
        tokio::spawn(log_level);
        tokio::select! {
            _ = reader => {}
            _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
            () = kiosk.crashed() => {
                anyhow::bail!("the runtime crashed; the chair motor and the lights were switched off")
            }
        }
        kiosk.stop().await;
        Ok(())
    });
    // The standard-input reader may still be blocked on a read; do not wait for it.
    rt.shutdown_background();
    result
}

/// One screen as a JSON line on stdout, `{"key", "screen"}`: how `kiosk headless` and `kiosk
/// demo --print-screens` tell a script what is on the screen.
pub(crate) fn print_screen(model: &kiosk_core::model::ScreenModel) {
    let line = serde_json::json!({ "key": model.key(), "screen": model });
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}
