//! Serial device errors: "the device said no" kept apart from "the wire failed".

/// Coarse kind, for health and the flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The port could not be opened (unplugged adapter, wrong path, permissions).
    Port,
    /// No answer within the timeout.
    NoReply,
    /// A garbled or mismatched frame.
    Protocol,
    /// The device answered with a Modbus exception.
    Exception,
    /// A name the register map does not have (channel, preset).
    Unknown,
}

impl ErrorKind {
    /// Short name for health and out-of-service references.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Port => "port",
            ErrorKind::NoReply => "no_reply",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Exception => "exception",
            ErrorKind::Unknown => "unknown",
        }
    }
}

/// A lights or chair error.
#[derive(Debug, thiserror::Error)]
#[error("{device}: {message}")]
pub struct DeviceError {
    /// Coarse kind.
    pub kind: ErrorKind,
    /// "lights", "chair" or the port path.
    pub device: String,
    /// What happened, with a hint where one helps.
    pub message: String,
}

impl DeviceError {
    /// Build an error.
    pub fn new(kind: ErrorKind, device: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind,
            device: device.into(),
            message: message.into(),
        }
    }

    /// The error's kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}
