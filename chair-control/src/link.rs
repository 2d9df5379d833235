//! What a [`Bus`](crate::Bus) speaks Modbus RTU over: a serial port in production, an
//! in-memory pipe in tests.
//!
//! tokio-modbus's RTU client takes any `AsyncRead + AsyncWrite` stream
//! (`tokio_modbus::client::rtu::attach_slave`). A [`Link`] is what the bus calls to get one,
//! on first use and again after every resync, because resynchronising an RTU line means
//! throwing the old stream away: [`SerialLink`] re-opens the port and flushes it, [`DuplexLink`]
//! hands out a fresh `tokio::io::duplex` pipe whose far end it gives to a device (the simulator,
//! or a test's hand-written fake).

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, DuplexStream};

use crate::error::{DeviceError, ErrorKind};

/// Serial settings of one bus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PortConfig {
    /// Device path or udev symlink, e.g. `/dev/photo-kiosk/lights`.
    pub path: String,
    /// Baud rate.
    pub baud: u32,
    /// `none`, `even` or `odd` (anything else is refused when the config is read).
    pub parity: Parity,
    /// Per-request timeout in ms.
    pub timeout_ms: u64,
    /// Extra attempts after a failed request.
    pub retries: u32,
}

impl Default for PortConfig {
    fn default() -> Self {
        Self {
            path: "/dev/photo-kiosk/bus".into(),
            baud: 19_200,
            parity: Parity::None,
            timeout_ms: 300,
            retries: 2,
        }
    }
}

/// The parity bit of an RTU character.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Parity {
    /// No parity bit.
    #[default]
    None,
    /// Even parity (Modbus's default).
    Even,
    /// Odd parity.
    Odd,
}

impl From<Parity> for tokio_serial::Parity {
    fn from(p: Parity) -> Self {
        match p {
            Parity::None => tokio_serial::Parity::None,
            Parity::Even => tokio_serial::Parity::Even,
            Parity::Odd => tokio_serial::Parity::Odd,
        }
    }
}

/// A byte stream tokio-modbus can frame RTU on. Implemented for every suitable type; it exists
/// because a trait object can name only one non-auto trait.
pub trait Transport: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Transport for T {}

/// Opens the stream a bus talks over.
pub trait Link: Send + Sync + 'static {
    /// Names the link in errors and logs (the port path for a serial port).
    fn name(&self) -> &str;

    /// Open a fresh stream. The bus drops the previous one first, so bytes still in flight on
    /// it (a late reply) cannot reach the new one.
    fn open(&self) -> Result<Box<dyn Transport>, DeviceError>;
}

/// The production link: a serial port opened from a [`PortConfig`].
#[derive(Clone, Debug)]
pub struct SerialLink {
    cfg: PortConfig,
}

impl SerialLink {
    /// A link to `cfg.path`; nothing is opened until the bus asks.
    pub fn new(cfg: PortConfig) -> Self {
        Self { cfg }
    }

    /// The port settings.
    pub fn config(&self) -> &PortConfig {
        &self.cfg
    }
}

impl Link for SerialLink {
    fn name(&self) -> &str {
        &self.cfg.path
    }

    fn open(&self) -> Result<Box<dyn Transport>, DeviceError> {
        let builder =
            tokio_serial::new(&self.cfg.path, self.cfg.baud).parity(self.cfg.parity.into());
        let port = tokio_serial::SerialStream::open(&builder).map_err(|e| {
            DeviceError::new(
                ErrorKind::Port,
                &self.cfg.path,
                format!("cannot open serial port: {e} (is the adapter plugged in, and is the kiosk user in the dialout group?)"),
            )
        })?;
        // Bytes a late device sent after our last timeout would be read as the next reply.
        let _ = tokio_serial::SerialPort::clear(&port, tokio_serial::ClearBuffer::Input);
        Ok(Box::new(port))
    }
}

/// Buffer of each direction of a [`DuplexLink`] pipe: room for the largest RTU frame (256
/// bytes) several times over, so neither side ever waits on the other mid-frame.
const DUPLEX_BUFFER: usize = 1024;

type FarEnd = dyn Fn(DuplexStream) + Send + Sync;

/// An in-memory link: every open makes a new `tokio::io::duplex` pipe, keeps one end and hands
/// the other to `far_end`, which is expected to spawn a device serving it. When the bus drops
/// the near end (a resync), the device sees end-of-stream and its task ends.
pub struct DuplexLink {
    name: String,
    far_end: Box<FarEnd>,
}

impl DuplexLink {
    /// A link called `name` whose far ends go to `far_end`. It runs inside the bus's request,
    /// so on a tokio runtime: `tokio::spawn` works there.
    pub fn new(
        name: impl Into<String>,
        far_end: impl Fn(DuplexStream) + Send + Sync + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            far_end: Box::new(far_end),
        }
    }
}

impl std::fmt::Debug for DuplexLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DuplexLink")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Link for DuplexLink {
    fn name(&self) -> &str {
        &self.name
    }

    fn open(&self) -> Result<Box<dyn Transport>, DeviceError> {
        let (near, far) = tokio::io::duplex(DUPLEX_BUFFER);
        (self.far_end)(far);
        Ok(Box::new(near))
    }
}
