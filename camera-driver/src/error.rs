//! Camera errors, with a kind the flow can match and a hint an operator can act on.

/// What went wrong, coarse enough for the flow to choose a screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No camera found, or it went away (unplugged, powered off).
    Disconnected,
    /// Another process holds the USB device.
    Claimed,
    /// The camera is busy; retrying soon usually works.
    Busy,
    /// The camera did not answer in time.
    Timeout,
    /// The camera refused a setting or an operation.
    Refused,
    /// The camera cannot do this (e.g. no live view).
    Unsupported,
    /// The camera's storage is full (a card, or RAM that was never emptied).
    StoreFull,
    /// The driver thread is gone.
    ActorGone,
}

impl ErrorKind {
    /// Short machine-readable name, used in out-of-service references and logs.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Disconnected => "disconnected",
            ErrorKind::Claimed => "claimed",
            ErrorKind::Busy => "busy",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Refused => "refused",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::StoreFull => "store_full",
            ErrorKind::ActorGone => "driver_gone",
        }
    }
}

/// A camera error.
#[derive(Clone, Debug, thiserror::Error)]
#[error("camera {op}: {message}{}", hint_suffix(.kind))]
pub struct CameraError {
    /// Coarse kind.
    pub kind: ErrorKind,
    /// The operation that failed.
    pub op: &'static str,
    /// What the camera or library said.
    pub message: String,
}

impl CameraError {
    /// Build an error.
    pub fn new(kind: ErrorKind, op: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            op,
            message: message.into(),
        }
    }

    /// The error's kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

fn hint_suffix(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Claimed => {
            " (another program holds the camera: stop the desktop's gvfs-gphoto2-volume-monitor \
             with `systemctl --user mask gvfs-gphoto2-volume-monitor` and any running gphoto2)"
        }
        ErrorKind::Disconnected => " (check the USB cable and that the camera is on AC power)",
        ErrorKind::StoreFull => {
            " (the camera's storage is full: set camera capturetarget to Internal RAM, or empty the card)"
        }
        _ => "",
    }
}
