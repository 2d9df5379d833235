//! One serial port, one Modbus RTU client, shared by the devices on it.
//!
//! Every request has a timeout (tokio-modbus waits forever for a silent device). After a
//! timeout or a wire error the port is closed and re-opened on the next request, which both
//! resynchronises the framing and picks up a USB-serial adapter that re-enumerated. Requests are
//! retried with a doubling backoff; all of ours are idempotent (register reads and writes).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use tokio_modbus::Slave;
use tokio_modbus::client::{Context, Reader, Writer};
use tokio_modbus::prelude::SlaveContext;
use tracing::{debug, warn};

use crate::error::{DeviceError, ErrorKind};

/// Serial settings of one bus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PortConfig {
    /// Device path or udev symlink, e.g. `/dev/photo-kiosk/lights`.
    pub path: String,
    /// Baud rate.
    pub baud: u32,
    /// "none", "even" or "odd".
    pub parity: String,
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
            parity: "none".into(),
            timeout_ms: 300,
            retries: 2,
        }
    }
}

impl PortConfig {
    fn parity(&self) -> Result<tokio_serial::Parity, DeviceError> {
        match self.parity.as_str() {
            "none" => Ok(tokio_serial::Parity::None),
            "even" => Ok(tokio_serial::Parity::Even),
            "odd" => Ok(tokio_serial::Parity::Odd),
            other => Err(DeviceError::new(
                ErrorKind::Port,
                &self.path,
                format!("parity {other:?} is not one of none, even, odd"),
            )),
        }
    }
}

/// A Modbus RTU bus on one serial port.
pub struct Bus {
    cfg: PortConfig,
    /// The open client, and whether the line may still carry a late reply to a request that
    /// timed out.
    ctx: Mutex<(Option<Context>, bool)>,
}

enum Op<'a> {
    ReadHolding(u16, u16),
    ReadInput(u16, u16),
    Write(u16, &'a [u16]),
}

impl Bus {
    /// A bus on `cfg.path`; the port opens on first use.
    pub fn new(cfg: PortConfig) -> Self {
        Self {
            cfg,
            ctx: Mutex::new((None, false)),
        }
    }

    /// The port settings.
    pub fn config(&self) -> &PortConfig {
        &self.cfg
    }

    fn open(&self) -> Result<Context, DeviceError> {
        let builder = tokio_serial::new(&self.cfg.path, self.cfg.baud).parity(self.cfg.parity()?);
        let port = tokio_serial::SerialStream::open(&builder).map_err(|e| {
            DeviceError::new(
                ErrorKind::Port,
                &self.cfg.path,
                format!("cannot open serial port: {e} (is the adapter plugged in, and is the kiosk user in the dialout group?)"),
            )
        })?;
        // Bytes a late device sent after our last timeout would be read as the next reply.
        let _ = tokio_serial::SerialPort::clear(&port, tokio_serial::ClearBuffer::Input);
        Ok(tokio_modbus::client::rtu::attach(port))
    }

    async fn once(&self, slave: u8, op: &Op<'_>) -> Result<Vec<u16>, DeviceError> {
        let mut guard = self.ctx.lock().await;
        let (slot, dirty) = &mut *guard;
        if *dirty {
            // RTU frames carry no transaction id: a late reply to an earlier read has the same
            // header as the reply to the next one and would be taken for it. Let the line go
            // quiet (a device later than twice the timeout is treated as absent), then flush.
            tokio::time::sleep(Duration::from_millis(self.cfg.timeout_ms * 2)).await;
            *slot = None;
            *dirty = false;
        }
        if slot.is_none() {
            *slot = Some(self.open()?);
        }
        let ctx = slot.as_mut().expect("opened above");
        ctx.set_slave(Slave(slave));
        let timeout = Duration::from_millis(self.cfg.timeout_ms);
        let call = async {
            match op {
                Op::ReadHolding(a, n) => ctx.read_holding_registers(*a, *n).await,
                Op::ReadInput(a, n) => ctx.read_input_registers(*a, *n).await,
                Op::Write(a, words) if words.len() == 1 => ctx
                    .write_single_register(*a, words[0])
                    .await
                    .map(|r| r.map(|()| vec![])),
                Op::Write(a, words) => ctx
                    .write_multiple_registers(*a, words)
                    .await
                    .map(|r| r.map(|()| vec![])),
            }
        };
        let who = format!("{} slave {slave}", self.cfg.path);
        match tokio::time::timeout(timeout, call).await {
            Err(_) => {
                *dirty = true;
                Err(DeviceError::new(
                    ErrorKind::NoReply,
                    who,
                    // tokio-modbus answers a reply with a bad CRC by dropping bytes and waiting for
                    // a valid frame, so a garbled reply also ends here.
                    format!(
                        "no valid reply within {} ms (the device is silent, or its reply failed the CRC check)",
                        self.cfg.timeout_ms
                    ),
                ))
            }
            Ok(Err(e)) => {
                *slot = None;
                let kind = match e {
                    tokio_modbus::Error::Protocol(_) => ErrorKind::Protocol,
                    tokio_modbus::Error::Transport(_) => ErrorKind::Port,
                };
                Err(DeviceError::new(kind, who, e.to_string()))
            }
            Ok(Ok(Err(exception))) => Err(DeviceError::new(
                ErrorKind::Exception,
                who,
                format!("device refused the request: {exception}"),
            )),
            Ok(Ok(Ok(words))) => Ok(words),
        }
    }

    async fn request(&self, slave: u8, op: Op<'_>) -> Result<Vec<u16>, DeviceError> {
        let mut backoff = Duration::from_millis(20);
        let mut attempt = 0;
        loop {
            match self.once(slave, &op).await {
                Ok(words) => return Ok(words),
                // The device understood and said no: asking again will not change its mind.
                Err(e) if e.kind == ErrorKind::Exception || attempt >= self.cfg.retries => {
                    warn!(error = %e, attempts = attempt + 1, "serial request failed");
                    return Err(e);
                }
                Err(e) => {
                    debug!(error = %e, attempt, "serial request failed; retrying");
                    attempt += 1;
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
            }
        }
    }

    /// Read `count` holding registers from `addr`.
    pub async fn read_holding(
        &self,
        slave: u8,
        addr: u16,
        count: u16,
    ) -> Result<Vec<u16>, DeviceError> {
        self.request(slave, Op::ReadHolding(addr, count)).await
    }

    /// Read `count` input registers from `addr`.
    pub async fn read_input(
        &self,
        slave: u8,
        addr: u16,
        count: u16,
    ) -> Result<Vec<u16>, DeviceError> {
        self.request(slave, Op::ReadInput(addr, count)).await
    }

    /// Write registers from `addr` (function 6 for one, 16 for several).
    pub async fn write(&self, slave: u8, addr: u16, words: &[u16]) -> Result<(), DeviceError> {
        self.request(slave, Op::Write(addr, words))
            .await
            .map(|_| ())
    }
}
