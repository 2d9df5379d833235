//! One link (a serial port, or an in-memory pipe in tests), one Modbus RTU client, shared by
//! the devices on it.
//!
//! Every request has a timeout (tokio-modbus waits forever for a silent device). After a
//! timeout or a wire error the port is closed and re-opened on the next request, which both
//! resynchronises the framing and picks up a USB-serial adapter that re-enumerated. Requests are
//! retried with a doubling backoff; all of ours are idempotent (register reads and writes).
//! Every reply is checked against its request: a read must carry exactly the registers asked
//! for and a write must echo what was written, because tokio-modbus only debug-asserts that and
//! a short reply would otherwise panic a driver indexing it.

use std::borrow::Cow;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio_modbus::client::{Client, Context};
use tokio_modbus::prelude::SlaveContext;
use tokio_modbus::{Request, Response, Slave};
use tracing::{debug, warn};

use crate::error::{DeviceError, ErrorKind};
use crate::link::{Link, PortConfig, SerialLink};

/// A Modbus RTU bus on one [`Link`], normally a serial port.
pub struct Bus {
    link: Box<dyn Link>,
    /// The serial settings of a bus made by [`Bus::new`].
    port: Option<PortConfig>,
    timeout: Duration,
    retries: u32,
    /// The open client, and whether the line may still carry a late reply to a request that
    /// timed out.
    ctx: Mutex<(Option<Context>, bool)>,
}

enum Op<'a> {
    ReadHolding(u16, u16),
    ReadInput(u16, u16),
    Write(u16, &'a [u16]),
}

impl Op<'_> {
    fn request(&self) -> Request<'_> {
        match self {
            Op::ReadHolding(a, n) => Request::ReadHoldingRegisters(*a, *n),
            Op::ReadInput(a, n) => Request::ReadInputRegisters(*a, *n),
            Op::Write(a, [word]) => Request::WriteSingleRegister(*a, *word),
            Op::Write(a, words) => Request::WriteMultipleRegisters(*a, Cow::Borrowed(words)),
        }
    }

    /// The registers a reply carries if it answers this request exactly, or what is wrong with
    /// it. tokio-modbus checks the slave and the function code; the rest is ours to check.
    fn check(&self, response: Response) -> Result<Vec<u16>, String> {
        match (self, response) {
            (Op::ReadHolding(a, n), Response::ReadHoldingRegisters(words))
            | (Op::ReadInput(a, n), Response::ReadInputRegisters(words)) => {
                if words.len() == usize::from(*n) {
                    Ok(words)
                } else {
                    Err(count_mismatch(*a, usize::from(*n), words.len()))
                }
            }
            (Op::Write(a, [word]), Response::WriteSingleRegister(echo_a, echo_word)) => {
                if (echo_a, echo_word) == (*a, *word) {
                    Ok(Vec::new())
                } else {
                    Err(format!(
                        "wrote {word:#06x} to register {a:#06x}, the reply echoed {echo_word:#06x} to {echo_a:#06x}"
                    ))
                }
            }
            (Op::Write(a, words), Response::WriteMultipleRegisters(echo_a, echo_n)) => {
                if (echo_a, usize::from(echo_n)) == (*a, words.len()) {
                    Ok(Vec::new())
                } else {
                    Err(format!(
                        "wrote {} at {a:#06x}, the reply confirmed {} at {echo_a:#06x}",
                        registers(words.len()),
                        registers(usize::from(echo_n)),
                    ))
                }
            }
            (_, other) => Err(format!("the reply {other:?} does not answer the request")),
        }
    }
}

/// "1 register", "2 registers".
fn registers(n: usize) -> String {
    if n == 1 {
        "1 register".into()
    } else {
        format!("{n} registers")
    }
}

fn count_mismatch(addr: u16, asked: usize, carried: usize) -> String {
    format!(
        "asked for {} at {addr:#06x}, the reply carried {carried}",
        registers(asked)
    )
}

impl Bus {
    /// A bus on the serial port `cfg.path`; the port opens on first use.
    pub fn new(cfg: PortConfig) -> Self {
        let timeout = Duration::from_millis(cfg.timeout_ms);
        let retries = cfg.retries;
        let mut bus = Self::with_link(SerialLink::new(cfg.clone()), timeout, retries);
        bus.port = Some(cfg);
        bus
    }

    /// A bus on any link (an in-memory [`DuplexLink`](crate::DuplexLink) in tests), with a
    /// per-request `timeout` and `retries` extra attempts after a failed request.
    pub fn with_link(link: impl Link, timeout: Duration, retries: u32) -> Self {
        Self {
            link: Box::new(link),
            port: None,
            timeout,
            retries,
            ctx: Mutex::new((None, false)),
        }
    }

    /// The serial settings, for a bus made by [`Bus::new`].
    pub fn config(&self) -> Option<&PortConfig> {
        self.port.as_ref()
    }

    /// The link's name: the port path for a serial port.
    pub fn name(&self) -> &str {
        self.link.name()
    }

    fn who(&self, slave: u8) -> String {
        format!("{} slave {slave}", self.link.name())
    }

    async fn once(&self, slave: u8, op: &Op<'_>) -> Result<Vec<u16>, DeviceError> {
        let mut guard = self.ctx.lock().await;
        let (slot, dirty) = &mut *guard;
        if *dirty {
            // RTU frames carry no transaction id: a late reply to an earlier read has the same
            // header as the reply to the next one and would be taken for it. Let the line go
            // quiet (a device later than twice the timeout is treated as absent), then start
            // on a fresh stream.
            tokio::time::sleep(self.timeout * 2).await;
            *slot = None;
            *dirty = false;
        }
        if slot.is_none() {
            *slot = Some(tokio_modbus::client::rtu::attach(self.link.open()?));
        }
        let ctx = slot.as_mut().expect("opened above");
        ctx.set_slave(Slave(slave));
        // `Client::call`, not the `Reader`/`Writer` helpers: those only debug-assert that the
        // reply fits the request (a panic in a debug build, a short Vec in release), so the
        // check is made here, in `Op::check`.
        let call = ctx.call(op.request());
        match tokio::time::timeout(self.timeout, call).await {
            Err(_) => {
                *dirty = true;
                Err(DeviceError::new(
                    ErrorKind::NoReply,
                    self.who(slave),
                    // tokio-modbus answers a reply with a bad CRC by dropping bytes and waiting for
                    // a valid frame, so a garbled reply also ends here.
                    format!(
                        "no valid reply within {} ms (the device is silent, or its reply failed the CRC check)",
                        self.timeout.as_millis()
                    ),
                ))
            }
            Ok(Err(e)) => {
                *slot = None;
                let kind = match e {
                    tokio_modbus::Error::Protocol(_) => ErrorKind::Protocol,
                    tokio_modbus::Error::Transport(_) => ErrorKind::Port,
                };
                Err(DeviceError::new(kind, self.who(slave), e.to_string()))
            }
            Ok(Ok(Err(exception))) => Err(DeviceError::new(
                ErrorKind::Exception,
                self.who(slave),
                format!("device refused the request: {exception}"),
            )),
            Ok(Ok(Ok(response))) => op.check(response).map_err(|message| {
                // A well-formed reply that does not fit may be a very late answer to an earlier
                // request, with ours still on its way: resynchronise as after a timeout.
                *dirty = true;
                DeviceError::new(ErrorKind::Protocol, self.who(slave), message)
            }),
        }
    }

    async fn request(&self, slave: u8, op: Op<'_>) -> Result<Vec<u16>, DeviceError> {
        let mut backoff = Duration::from_millis(20);
        let mut attempt = 0;
        loop {
            match self.once(slave, &op).await {
                Ok(words) => return Ok(words),
                // The device understood and said no: asking again will not change its mind.
                Err(e) if e.kind == ErrorKind::Exception || attempt >= self.retries => {
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

    /// One register's value from a reply that [`Bus::request`] has already checked.
    fn single(&self, slave: u8, addr: u16, words: &[u16]) -> Result<u16, DeviceError> {
        match words {
            [word] => Ok(*word),
            // Unreachable while `Op::check` holds; an error here keeps a panic out of the
            // long-lived tasks that poll the devices should that ever change.
            _ => Err(DeviceError::new(
                ErrorKind::Protocol,
                self.who(slave),
                count_mismatch(addr, 1, words.len()),
            )),
        }
    }

    /// Read one holding register.
    pub async fn read_holding_register(&self, slave: u8, addr: u16) -> Result<u16, DeviceError> {
        let words = self.read_holding(slave, addr, 1).await?;
        self.single(slave, addr, &words)
    }

    /// Read one input register.
    pub async fn read_input_register(&self, slave: u8, addr: u16) -> Result<u16, DeviceError> {
        let words = self.read_input(slave, addr, 1).await?;
        self.single(slave, addr, &words)
    }

    /// Read `count` holding registers from `addr`; the reply carries exactly `count`, or this
    /// is an [`ErrorKind::Protocol`] error.
    pub async fn read_holding(
        &self,
        slave: u8,
        addr: u16,
        count: u16,
    ) -> Result<Vec<u16>, DeviceError> {
        self.request(slave, Op::ReadHolding(addr, count)).await
    }

    /// Read `count` input registers from `addr`; the reply carries exactly `count`, or this is
    /// an [`ErrorKind::Protocol`] error.
    pub async fn read_input(
        &self,
        slave: u8,
        addr: u16,
        count: u16,
    ) -> Result<Vec<u16>, DeviceError> {
        self.request(slave, Op::ReadInput(addr, count)).await
    }

    /// Write registers from `addr` (function 6 for one, 16 for several). The reply must echo
    /// the address and the value (or the count), or this is an [`ErrorKind::Protocol`] error.
    pub async fn write(&self, slave: u8, addr: u16, words: &[u16]) -> Result<(), DeviceError> {
        self.request(slave, Op::Write(addr, words))
            .await
            .map(|_| ())
    }
}

#[cfg(all(test, feature = "sim"))]
mod tests;
