//! What operators get from a booth, apart from the booth itself:
//!
//! - [`telemetry`]: the tracing subscriber: stderr (journald under systemd) and daily JSON-lines
//!   files, the level changed at run time by a signal.
//! - [`logs`]: `kiosk logs summary`, a season of a booth's (or a fleet's) coded lines.
//! - [`metrics`]: the Prometheus gauges and counters, their `/metrics` endpoint, and the
//!   heartbeat's [`collection_service::wire::KioskHealth`] from the same figures.
//! - [`systemd`]: readiness, watchdog and stopping notifications.
//! - [`disk`]: free bytes on the data directory's file system (the clock is
//!   `kiosk_core::clock`, shared with the collection-service simulator).
//!
//! The coded events themselves (what happened, with which fields) are `kiosk_core::ops`: the
//! flow decides them, this crate writes, counts and reads them.

pub mod disk;
pub mod logs;
pub mod metrics;
pub mod systemd;
pub mod telemetry;
