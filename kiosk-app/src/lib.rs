//! The photo kiosk's brain and hands: the session flow, the runtime that executes its effects,
//! the journal, configuration, QR and photo processing. The collection service's client and
//! simulator are the `collection-service` crate's.

pub mod assemble;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod display;
pub mod graduate;
pub mod headless;
pub mod journal;
pub mod photo_lab;
pub mod pin;
pub mod qr;
pub mod retention;
pub mod runtime;
pub mod scanner;
pub mod ui_feed;
pub mod voice;
pub mod walkthrough;
pub mod world;
