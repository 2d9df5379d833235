//! The photo kiosk's brain and hands: the session flow, the runtime that executes its effects,
//! the journal, configuration, the collection-service client, QR and photo processing.

pub mod flow;
