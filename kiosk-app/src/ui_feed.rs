//! Feeds the UI its images: live-view frames (mirrored) and the photo just taken, decoded on
//! blocking worker threads so the UI thread never decodes. Used by the window and by the
//! headless walkthrough alike.

use kiosk_ui::pixels::{self, Pixels};

use crate::runtime::Handle;

/// Touches and PIN entries on `ui` go to the kiosk behind `handle`.
pub fn connect(ui: &kiosk_ui::Ui, handle: &Handle) {
    let events = handle.events.clone();
    ui.connect(move |intent| {
        let _ = events.send(kiosk_core::flow::Event::Intent(intent));
    });
    let pins = handle.pins.clone();
    ui.connect_pin(move |pin| {
        let _ = pins.send(pin);
    });
}

/// Decode each new live-view frame while the screen shows live view; hand it to `sink`.
pub async fn frames(handle: Handle, sink: impl Fn(Option<Pixels>) + Send + 'static) {
    let mut frames = handle.frames.clone();
    while frames.changed().await.is_ok() {
        let Some(frame) = frames.borrow_and_update().clone() else {
            continue;
        };
        if !handle.screen.borrow().live_view {
            continue;
        }
        let decoded = tokio::task::spawn_blocking(move || pixels::decode(&frame.jpeg, true))
            .await
            .ok()
            .flatten();
        sink(decoded);
    }
}

/// Decode the photo on the preview screen whenever it changes; hand it to `sink`.
pub async fn photo(handle: Handle, sink: impl Fn(Option<Pixels>) + Send + 'static) {
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
        sink(decoded);
    }
}

/// The photo's window on the live view while the flow tracks the face, as (x, y, width,
/// height) in fractions of the camera's frame; None when no face is seen or tracking is off.
pub async fn face_window(handle: Handle, sink: impl Fn(Option<[f32; 4]>) + Send + 'static) {
    let mut tracked = handle.tracked.clone();
    let mut shown = None;
    while tracked.changed().await.is_ok() {
        let window = tracked
            .borrow_and_update()
            .as_ref()
            .and_then(|t| t.seen.as_ref())
            .map(|s| [s.window.x, s.window.y, s.window.width, s.window.height]);
        if window != shown {
            shown = window;
            sink(window);
        }
    }
}
