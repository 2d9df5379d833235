//! The photo kiosk's pure core, shared by the runtime (`kiosk-app`) and the touchscreen
//! (`kiosk-ui`): the session flow as a state machine ([`flow`]), the screen model and the
//! intents that cross to and from the UI ([`model`]), and the journal's versioned snapshot
//! ([`snapshot`]).
//!
//! Its normal dependencies are serde and serde_json only: no UI toolkit, no async runtime, no
//! database, no camera. So the flow's tests build and run in seconds, and whatever the edges
//! change, the decisions are tested here.

pub mod clock;
pub mod diagnostics;
pub mod flow;
pub mod mask;
pub mod model;
pub mod ops;
pub mod snapshot;
