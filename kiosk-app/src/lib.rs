//! The photo kiosk's brain and hands: the session flow, the runtime that executes its effects,
//! the journal, configuration, the collection-service client, QR and photo processing.

pub mod assemble;
pub mod cli;
pub mod clock;
pub mod config;
pub mod diagnostics;
pub mod display;
pub mod graduate;
pub mod headless;
pub mod journal;
pub mod logs;
pub mod maintenance;
pub mod mask;
pub mod metrics;
pub mod photo;
pub mod qr;
pub mod retention;
pub mod runtime;
pub mod scanner;
pub mod service;
pub mod systemd;
pub mod telemetry;
pub mod ui_feed;
pub mod voice;
pub mod walkthrough;
