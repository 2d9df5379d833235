//! The booth's camera.
//!
//! [`Camera`] is the blocking interface one camera offers (libgphoto2 is blocking and not
//! thread-safe). [`CameraActor`] owns a camera on a dedicated OS thread and gives async callers
//! timeouts, a live-view stream and health; it re-opens the camera when it comes back.
//! [`sim::SimCamera`] is a full implementation for demo mode and tests.

#![deny(missing_docs)]

mod actor;
pub mod config_tree;
mod error;
#[cfg(feature = "gphoto2")]
pub mod gphoto;
#[cfg(feature = "sim")]
pub mod sim;

pub use actor::{ActorConfig, CameraActor, Health, Opener, SHUTTER_BUSY_TRIES};
pub use error::{CameraError, ErrorKind};
#[cfg(feature = "gphoto2")]
pub use gphoto::{GphotoCamera, Selector};

use std::time::Duration;

use serde::Serialize;

/// What a camera says about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CameraInfo {
    /// Model name, e.g. "Nikon DSC D750".
    pub model: String,
    /// Port, e.g. "usb:001,004".
    pub port: String,
    /// Battery or power source as the camera reports it, when it does.
    pub power: Option<String>,
}

/// One live-view frame.
#[derive(Clone, Debug)]
pub struct Frame {
    /// JPEG bytes as the camera produced them.
    pub jpeg: Vec<u8>,
    /// Frame number since live view started.
    pub seq: u64,
    /// When the frame arrived.
    pub at: std::time::Instant,
}

/// Something the camera reports on its own (libgphoto2's camera events).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum CameraEvent {
    /// Nothing happened within the wait.
    Timeout,
    /// A new file on the camera (after a trigger): download it by folder and name.
    NewFile {
        /// Folder on the camera.
        folder: String,
        /// File name.
        name: String,
    },
    /// A file changed.
    FileChanged {
        /// Folder on the camera.
        folder: String,
        /// File name.
        name: String,
    },
    /// A new folder.
    NewFolder {
        /// Parent folder.
        folder: String,
        /// The new folder's name.
        name: String,
    },
    /// The camera finished a capture.
    CaptureComplete,
    /// Anything else, as libgphoto2 describes it.
    Other(String),
}

/// A camera that can be driven by one thread at a time. Every call may block.
pub trait Camera: Send {
    /// Model, port and power.
    fn info(&mut self) -> Result<CameraInfo, CameraError>;
    /// One live-view (preview) frame as JPEG.
    fn preview(&mut self) -> Result<Vec<u8>, CameraError>;
    /// Leave live view so the next capture is clean (cameras answer "busy" otherwise).
    fn end_preview(&mut self) -> Result<(), CameraError> {
        Ok(())
    }
    /// Take a full-resolution photo and return its JPEG bytes (kept in camera RAM, not on the
    /// card).
    fn capture(&mut self) -> Result<Vec<u8>, CameraError>;
    /// Read one setting by its libgphoto2 name (e.g. "iso").
    fn get_config(&mut self, key: &str) -> Result<String, CameraError>;
    /// Write one setting; returns the value the camera actually accepted.
    fn set_config(&mut self, key: &str, value: &str) -> Result<String, CameraError>;
    /// Every setting the camera offers, as (key, current value), in the camera's order.
    fn list_config(&mut self) -> Result<Vec<(String, String)>, CameraError>;
    /// Fire the shutter without waiting for the file; it is announced by
    /// [`CameraEvent::NewFile`].
    fn trigger_capture(&mut self) -> Result<(), CameraError> {
        Err(CameraError::new(
            ErrorKind::Unsupported,
            "trigger",
            "this camera cannot trigger",
        ))
    }
    /// Wait up to `timeout` for the camera's next event.
    fn wait_event(&mut self, timeout: Duration) -> Result<CameraEvent, CameraError> {
        let _ = timeout;
        Ok(CameraEvent::Timeout)
    }
    /// Download a file the camera announced, into memory, and delete it from the camera.
    fn download(&mut self, folder: &str, name: &str) -> Result<Vec<u8>, CameraError> {
        let _ = (folder, name);
        Err(CameraError::new(
            ErrorKind::Unsupported,
            "download",
            "this camera has no files",
        ))
    }
}
