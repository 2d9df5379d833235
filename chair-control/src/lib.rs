//! The booth's studio lights and motorised chair, on an RS-485 bus speaking Modbus RTU.
//!
//! Layers, as tokio-modbus and espflash separate them: the register map ([`map`]) says where
//! each value lives and how it is scaled; the [`bus`] owns one [`link`] (a serial port in
//! production) and makes each request with a timeout, checking every reply against its request;
//! [`Lights`] and [`Chair`] are the device drivers. The simulator ([`sim`]) answers the same
//! frames on a pseudo-terminal or on an in-memory pipe, so the driver code under test is the
//! production code.

#![deny(missing_docs)]

pub mod bus;
mod chair;
mod error;
pub mod level;
mod lights;
pub mod link;
pub mod map;
#[cfg(feature = "sim")]
pub mod sim;

pub use bus::Bus;
pub use chair::{Chair, ChairStatus, Direction};
pub use error::{DeviceError, ErrorKind};
pub use lights::Lights;
pub use link::{DuplexLink, Link, Parity, PortConfig, SerialLink};
pub use map::{ChairMap, LightsMap, Preset};
