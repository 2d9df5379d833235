//! The graduate's session as a pure state machine: `(State, Event) -> (State, Vec<Effect>)`.
//!
//! No clock, no I/O, no async. Time arrives as [`Event::Tick`] carrying the runtime's wall
//! clock in milliseconds, devices and the collection service answer with events, and every
//! side effect the kiosk should perform is returned as an [`Effect`]. This makes every path a
//! table row in `tests.rs`, and a journal of events replayable.

mod devices;
mod event;
mod maintenance;
mod pay;
mod review;
mod shoot;
mod start;
mod state;
mod step;
#[cfg(test)]
mod tests;
mod view;

pub use devices::{DeviceWants, LightPreset};
pub use event::{
    CaptureProblem, ChairMove, Device, Effect, Event, FaultKind, OrderInfo, PaymentState,
    RejectReason, ReviewState, ScannedCode, ServiceOp, SessionOutcome, ShotCheck,
};
pub use state::{
    FlowConfig, Identity, MAX_PIN_LOCK_SECS, MaintenancePanel, Pay, Phase, PinGuard, Review,
    Session, Shoot, State,
};
pub use step::step;
pub use view::view;
