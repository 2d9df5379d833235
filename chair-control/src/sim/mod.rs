//! A light controller and a chair controller answering Modbus RTU on a pseudo-terminal or on
//! any in-memory stream.
//!
//! [`SimBus::spawn`] opens a pty pair, serves both slaves on the master end (RTU framing in
//! [`stream`], requests decoded by tokio-modbus), and gives the slave end's path (`/dev/pts/N`) to whoever should talk to it: the
//! production [`crate::Bus`], or a technician's Modbus tool (`kiosk sim-serial`). Without a pty,
//! [`SimHandle::new`] makes the controllers and [`SimHandle::serve`] answers on one stream;
//! [`SimHandle::link`] is a [`DuplexLink`] a bus can use, for tests that need no terminal.
//!
//! The chair moves at a set speed between its limits; the seat button moves it while the motor
//! is enabled. Faults: a device that stops answering, or answers late.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;
use tokio_modbus::prelude::{ExceptionCode, Request, Response, SlaveRequest};

use crate::link::DuplexLink;
use crate::map::{ChairMap, LightsMap};

pub(crate) mod stream;
pub use stream::crc16;
mod wire;
pub use wire::WireFaults;

/// A fault the simulator injects into its replies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimFault {
    /// Answer normally.
    None,
    /// Do not answer at all.
    NoReply,
    /// Answer after this delay.
    Late(Duration),
}

/// Physical behaviour of the simulated chair.
#[derive(Clone, Debug)]
pub struct ChairPhysics {
    /// Lowest seat height, mm.
    pub min_mm: f32,
    /// Highest seat height, mm.
    pub max_mm: f32,
    /// Speed, mm per second.
    pub speed_mm_s: f32,
    /// Starting height, mm.
    pub start_mm: f32,
}

impl Default for ChairPhysics {
    fn default() -> Self {
        Self {
            min_mm: 420.0,
            max_mm: 620.0,
            speed_mm_s: 40.0,
            start_mm: 500.0,
        }
    }
}

struct ChairSim {
    physics: ChairPhysics,
    height: f32,
    enabled: bool,
    command: u16,
    button: Option<bool>,
    overcurrent: bool,
    stalled: bool,
    updated: Instant,
}

impl ChairSim {
    /// Direction the seat moves now: +1 up, -1 down, 0 still.
    fn direction(&self) -> f32 {
        if !self.enabled || self.overcurrent || self.stalled {
            return 0.0;
        }
        match (self.button, self.command) {
            (Some(true), _) | (None, 1) => 1.0,
            (Some(false), _) | (None, 2) => -1.0,
            _ => 0.0,
        }
    }

    /// Move the seat for the time since the last update (no timers: physics is lazy).
    fn advance(&mut self) {
        let now = Instant::now();
        let dt = now.duration_since(self.updated).as_secs_f32();
        self.updated = now;
        let p = &self.physics;
        self.height =
            (self.height + self.direction() * p.speed_mm_s * dt).clamp(p.min_mm, p.max_mm);
    }
}

struct State {
    lights: LightsMap,
    chair_map: ChairMap,
    holding: BTreeMap<(u8, u16), u16>,
    chair: ChairSim,
    faults: BTreeMap<u8, SimFault>,
    requests: u64,
}

impl State {
    fn chair_inputs(&mut self, addr: u16) -> u16 {
        self.chair.advance();
        let m = &self.chair_map;
        if addr == m.height_register {
            return (self.chair.height / m.height_scale_mm).round() as u16;
        }
        if addr == m.status_register {
            let c = &self.chair;
            let p = &c.physics;
            let mut bits = 0u16;
            let mut set = |bit: u8, on: bool| {
                if on {
                    bits |= 1 << bit;
                }
            };
            set(m.bit_lower_limit, c.height <= p.min_mm);
            set(m.bit_upper_limit, c.height >= p.max_mm);
            set(m.bit_button_up, c.button == Some(true));
            set(m.bit_button_down, c.button == Some(false));
            set(m.bit_overcurrent, c.overcurrent);
            set(m.bit_stalled, c.stalled);
            let d = c.direction();
            let blocked = (d > 0.0 && c.height >= p.max_mm) || (d < 0.0 && c.height <= p.min_mm);
            set(m.bit_moving, d != 0.0 && !blocked);
            return bits;
        }
        0
    }

    fn write(&mut self, slave: u8, addr: u16, value: u16) -> Result<(), ExceptionCode> {
        if slave == self.chair_map.slave {
            self.chair.advance();
            if addr == self.chair_map.motor_enable_register {
                self.chair.enabled = value != 0;
            } else if addr == self.chair_map.command_register {
                if value > 2 {
                    return Err(ExceptionCode::IllegalDataValue);
                }
                self.chair.command = value;
            } else {
                return Err(ExceptionCode::IllegalDataAddress);
            }
        } else if !self.holding_exists(slave, addr) {
            return Err(ExceptionCode::IllegalDataAddress);
        } else if value > self.lights.max_level && self.lights.channels.values().any(|r| *r == addr)
        {
            return Err(ExceptionCode::IllegalDataValue);
        }
        self.holding.insert((slave, addr), value);
        Ok(())
    }

    /// Whether `slave` has a holding register at `addr`: the registers its map names, and
    /// nothing else, as a real controller has.
    fn holding_exists(&self, slave: u8, addr: u16) -> bool {
        if slave == self.chair_map.slave {
            let m = &self.chair_map;
            return addr == m.motor_enable_register || addr == m.command_register;
        }
        let l = &self.lights;
        slave == l.slave
            && (addr == l.enable_register
                || addr == l.ramp_register
                || l.channels.values().any(|r| *r == addr))
    }

    /// Whether `slave` has an input register at `addr` (only the chair has any).
    fn input_exists(&self, slave: u8, addr: u16) -> bool {
        let m = &self.chair_map;
        slave == m.slave && (addr == m.height_register || addr == m.status_register)
    }

    /// Check a read's span as a controller does: 1 to 125 registers (Modbus application
    /// protocol 6.3/6.4: ILLEGAL DATA VALUE otherwise), every one of them present (ILLEGAL
    /// DATA ADDRESS otherwise). A wrong register map in the config fails here, on the
    /// simulator, as it would on the booth.
    fn check_span(
        addr: u16,
        count: u16,
        exists: impl Fn(u16) -> bool,
    ) -> Result<std::ops::Range<u16>, ExceptionCode> {
        if count == 0 || count > 125 {
            return Err(ExceptionCode::IllegalDataValue);
        }
        let end = addr
            .checked_add(count)
            .ok_or(ExceptionCode::IllegalDataAddress)?;
        if (addr..end).all(exists) {
            Ok(addr..end)
        } else {
            Err(ExceptionCode::IllegalDataAddress)
        }
    }

    fn answer(&mut self, slave: u8, request: Request<'_>) -> Result<Response, ExceptionCode> {
        self.requests += 1;
        match request {
            Request::ReadHoldingRegisters(addr, count) => {
                let span = Self::check_span(addr, count, |a| self.holding_exists(slave, a))?;
                let words = span
                    .map(|a| self.holding.get(&(slave, a)).copied().unwrap_or(0))
                    .collect();
                Ok(Response::ReadHoldingRegisters(words))
            }
            Request::ReadInputRegisters(addr, count) => {
                let span = Self::check_span(addr, count, |a| self.input_exists(slave, a))?;
                let words = span.map(|a| self.chair_inputs(a)).collect();
                Ok(Response::ReadInputRegisters(words))
            }
            Request::WriteSingleRegister(addr, value) => {
                self.write(slave, addr, value)?;
                Ok(Response::WriteSingleRegister(addr, value))
            }
            Request::WriteMultipleRegisters(addr, words) => {
                let count = u16::try_from(words.len()).unwrap_or(u16::MAX);
                if count == 0 || count > 123 {
                    return Err(ExceptionCode::IllegalDataValue);
                }
                Self::check_span(addr, count, |a| self.holding_exists(slave, a))?;
                for (i, w) in words.iter().enumerate() {
                    self.write(slave, addr + i as u16, *w)?;
                }
                Ok(Response::WriteMultipleRegisters(addr, count))
            }
            _ => Err(ExceptionCode::IllegalFunction),
        }
    }
}

/// Scripts the simulator from outside. Cheap to clone.
#[derive(Clone)]
pub struct SimHandle(Arc<Mutex<State>>, Arc<tokio::sync::watch::Sender<u64>>);

impl SimHandle {
    /// Both controllers at rest (motor off, lights at 0, no faults), on no wire yet.
    pub fn new(lights: LightsMap, chair: ChairMap, physics: ChairPhysics) -> Self {
        Self(
            Arc::new(Mutex::new(State {
                lights,
                chair_map: chair,
                holding: BTreeMap::new(),
                chair: ChairSim {
                    height: physics.start_mm,
                    physics,
                    enabled: false,
                    command: 0,
                    button: None,
                    overcurrent: false,
                    stalled: false,
                    updated: Instant::now(),
                },
                faults: BTreeMap::new(),
                requests: 0,
            })),
            Arc::new(tokio::sync::watch::channel(0).0),
        )
    }

    /// Wait until `cond` holds for the controllers, checking again after every request they
    /// answer (nothing else changes what a test can observe but time); false if `timeout`
    /// passed first. For tests that wait on device state the kiosk's screen does not show.
    pub async fn until(
        &self,
        timeout: std::time::Duration,
        cond: impl Fn(&SimHandle) -> bool,
    ) -> bool {
        let mut answered = self.1.subscribe();
        tokio::time::timeout(timeout, async {
            while !cond(self) {
                if answered.changed().await.is_err() {
                    return;
                }
            }
        })
        .await
        .is_ok()
            && cond(self)
    }

    /// Answer Modbus RTU requests on `stream` until the other end closes it. Several streams
    /// may be served at once; they share the controllers' state.
    pub async fn serve<T>(&self, stream: T) -> std::io::Result<()>
    where
        T: AsyncRead + AsyncWrite + Unpin,
    {
        stream::serve(stream, Service(self.clone())).await
    }

    /// An in-memory link to these controllers: each time a bus opens it, a task starts serving
    /// a fresh `tokio::io::duplex` pipe, and ends when the bus drops the pipe.
    pub fn link(&self) -> DuplexLink {
        let handle = self.clone();
        DuplexLink::new("sim-duplex", move |far_end| {
            let handle = handle.clone();
            tokio::spawn(async move {
                if let Err(e) = handle.serve(far_end).await {
                    tracing::debug!(error = %e, "in-memory simulator link stopped");
                }
            });
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Inject a fault into one slave's replies.
    pub fn fault(&self, slave: u8, fault: SimFault) {
        self.lock().faults.insert(slave, fault);
    }

    /// The graduate holds the seat button: Some(true) up, Some(false) down, None released.
    pub fn press_button(&self, up: Option<bool>) {
        let mut s = self.lock();
        s.chair.advance();
        s.chair.button = up;
    }

    /// Raise or clear the chair motor's fault bits (a fault stops the motor).
    pub fn chair_fault(&self, overcurrent: bool, stalled: bool) {
        let mut s = self.lock();
        s.chair.advance();
        s.chair.overcurrent = overcurrent;
        s.chair.stalled = stalled;
    }

    /// Whether the chair motor is enabled right now.
    pub fn motor_enabled(&self) -> bool {
        self.lock().chair.enabled
    }

    /// Seat height now, mm.
    pub fn height_mm(&self) -> f32 {
        let mut s = self.lock();
        s.chair.advance();
        s.chair.height
    }

    /// A light channel's level as the controller holds it.
    pub fn light_level(&self, channel: &str) -> Option<u16> {
        let s = self.lock();
        let register = *s.lights.channels.get(channel)?;
        Some(
            s.holding
                .get(&(s.lights.slave, register))
                .copied()
                .unwrap_or(0),
        )
    }

    /// Requests answered or refused so far.
    pub fn requests(&self) -> u64 {
        self.lock().requests
    }
}

type Reply = Pin<Box<dyn Future<Output = Result<Option<Response>, ExceptionCode>> + Send>>;

struct Service(SimHandle);

impl tokio_modbus::server::Service for Service {
    type Request = SlaveRequest<'static>;
    type Response = Option<Response>;
    type Exception = ExceptionCode;
    type Future = Reply;

    fn call(&self, req: Self::Request) -> Self::Future {
        let mut s = self.0.lock();
        let known = [s.lights.slave, s.chair_map.slave];
        if !known.contains(&req.slave) {
            // Nobody on the bus has that address: silence, as on a real RS-485 line.
            return Box::pin(std::future::ready(Ok(None)));
        }
        let fault = s.faults.get(&req.slave).copied().unwrap_or(SimFault::None);
        if fault == SimFault::NoReply {
            return Box::pin(std::future::ready(Ok(None)));
        }
        let answer = s.answer(req.slave, req.request).map(Some);
        drop(s);
        self.0.1.send_modify(|n| *n += 1);
        match fault {
            SimFault::Late(delay) => Box::pin(async move {
                tokio::time::sleep(delay).await;
                answer
            }),
            _ => Box::pin(std::future::ready(answer)),
        }
    }
}

/// A running simulator. Dropping it stops the server and closes the ptys.
pub struct SimBus {
    path: String,
    handle: SimHandle,
    task: JoinHandle<()>,
    wire: Mutex<wire::Wire>,
}

impl SimBus {
    /// Start both simulated controllers on a new pseudo-terminal.
    pub fn spawn(
        lights: LightsMap,
        chair: ChairMap,
        physics: ChairPhysics,
    ) -> std::io::Result<Self> {
        let (master, slave) = tokio_serial::SerialStream::pair()?;
        let wire = wire::Wire::new(slave)?;
        let path = wire.path().display().to_string();
        let handle = SimHandle::new(lights, chair, physics);
        let server = handle.clone();
        let task = tokio::spawn(async move {
            // The same framing loop as the in-memory links (not tokio-modbus's RTU server,
            // whose request decoder panics on some malformed writes: see `stream`).
            if let Err(e) = server.serve(master).await {
                tracing::debug!(error = %e, "serial simulator stopped");
            }
        });
        Ok(Self {
            path,
            handle,
            task,
            wire: Mutex::new(wire),
        })
    }

    /// The path a driver opens: a stable symlink to the current `/dev/pts/N`, as udev's
    /// `/dev/photo-kiosk/bus` is to `/dev/ttyUSB0`.
    pub fn path(&self) -> &str {
        &self.path
    }

    fn wire(&self) -> std::sync::MutexGuard<'_, wire::Wire> {
        self.wire.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Damage replies on the wire (CRC errors, noise).
    pub fn wire_faults(&self, faults: WireFaults) {
        self.wire().set_faults(faults);
    }

    /// Replies sent, corrupted and preceded by noise so far.
    pub fn wire_stats(&self) -> (u64, u64, u64) {
        self.wire().stats()
    }

    /// Unplug the adapter: the open port breaks and the path disappears.
    pub fn vanish(&self) {
        self.wire().vanish();
    }

    /// Plug it back: a new pty behind the same path.
    pub fn reappear(&self) -> std::io::Result<()> {
        self.wire().appear()
    }

    /// Scripting handle.
    pub fn handle(&self) -> SimHandle {
        self.handle.clone()
    }
}

impl Drop for SimBus {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod duplex_tests;
#[cfg(test)]
mod tests;
