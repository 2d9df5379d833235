//! Feeds the UI its images: live-view frames (mirrored) and the photo just taken, decoded on
//! blocking worker threads so the UI thread never decodes. Used by the window and by the
//! headless walkthrough alike.

use kiosk_ui::pixels::{self, Pixels};

use crate::runtime::Handle;

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
