//! The booth's touchscreen: Slint screens (`ui/*.slint`) and a thin adapter.
//!
//! The adapter takes a [`model::ScreenModel`] and sets the Slint `Bridge` global's properties
//! ([`Ui::render`]); touches come back through the `Bridge.act` callback as
//! [`model::Intent`]s ([`Ui::connect`]). It decides nothing. Images (live view, the photo, the
//! payment QR) are decoded or generated off the UI thread into pixel buffers ([`pixels`]).

pub mod headless;
#[cfg(feature = "layout-check")]
pub mod layout_check;
pub mod pixels;

/// The screen model and intents live in the pure core; re-exported so the UI reads as one crate.
pub use kiosk_core::model;

mod adapter;

pub use adapter::{Ui, map_action};

/// Why the display backend could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The backend is not compiled into this binary.
    #[error(
        "display backend `{name}` is not compiled into this binary: build kiosk-app with `--features {feature}`"
    )]
    NotCompiled {
        /// The backend asked for.
        name: String,
        /// The cargo feature that compiles it in.
        feature: String,
    },
    /// Slint would not select it.
    #[error("display backend `{name}`: {reason}")]
    Slint {
        /// The backend asked for.
        name: String,
        /// Slint's words.
        reason: String,
    },
}

/// Use Slint's `name` backend (`winit` or `linuxkms`) for the display, with the software
/// renderer. Fails with a clear message when that backend is not compiled in.
pub fn select_backend(name: &str) -> Result<(), BackendError> {
    // Not a `match`: with both features on, clippy would ask for `matches!`, wrong without them.
    let compiled = (name == "winit" && cfg!(feature = "window"))
        || (name == "linuxkms" && cfg!(feature = "linuxkms"));
    if !compiled {
        let feature = if name == "winit" { "window" } else { name };
        return Err(BackendError::NotCompiled {
            name: name.to_owned(),
            feature: feature.to_owned(),
        });
    }
    slint::BackendSelector::new()
        .backend_name(name.into())
        .renderer_name("software".into())
        .select()
        .map_err(|e| BackendError::Slint {
            name: name.to_owned(),
            reason: e.to_string(),
        })
}

/// Run the display's event loop until the last window closes (main thread only).
pub fn run_event_loop() -> Result<(), slint::PlatformError> {
    slint::run_event_loop()
}

/// Run `f` on the UI thread soon; callable from any thread. False when the loop has ended.
pub fn invoke_from_event_loop(f: impl FnOnce() + Send + 'static) -> bool {
    slint::invoke_from_event_loop(f).is_ok()
}

/// End [`run_event_loop`] soon, from any thread (SIGTERM). False when the loop has ended.
pub fn quit_event_loop() -> bool {
    invoke_from_event_loop(|| {
        let _ = slint::quit_event_loop();
    })
}

/// The Rust side of the `.slint` files, generated at build time.
#[allow(clippy::all, clippy::todo, clippy::pedantic)]
mod generated {
    slint::include_modules!();
}
pub use generated::*;
