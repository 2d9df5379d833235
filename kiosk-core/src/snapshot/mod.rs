//! The journal's snapshot of the flow state: its own serde types, with a `version`, separate
//! from the flow's in-memory types.
//!
//! The flow's types are free to change: a renamed enum or a new field there changes nothing on
//! disk until the conversion here says so. What is on disk changes only by a new version, with
//! a conversion from every older one, so a kiosk upgraded in the middle of a graduate's session
//! resumes it.
//!
//! Versions:
//! - 0: the unversioned JSON of the flow's `State` written before this module existed (commit
//!   b6e0329 and earlier). Its shape is version 1 without the `version` field.
//! - 1: this module's [`SnapshotV1`].
//!
//! Reading never panics: [`decode`] answers [`Decoded::Resume`] with a state, or
//! [`Decoded::Fresh`] with why not and whatever could still be salvaged (the session count).
//! The shot counters live in their own table and are never touched by this.

use crate::flow::{
    CaptureProblem, Identity, OrderInfo, Pay, Phase, PinGuard, Review, ScannedCode, Session, Shoot,
    ShotCheck, State,
};
use crate::model::{DoneKind, Lang, ScanNotice};

mod v1;
use v1::PhaseV1;
pub use v1::SnapshotV1;

/// The version [`encode`] writes.
pub const VERSION: u32 = 1;

/// What [`decode`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// A snapshot this code understands: resume from it.
    Resume {
        /// The state to resume.
        state: Box<State>,
        /// The version it was written as (older ones were converted).
        version: u32,
    },
    /// Unreadable, or written by a newer kiosk: start at the attract screen.
    Fresh {
        /// Why, for the log (no personal data: serde's message names fields, not values).
        reason: String,
        /// The session count, when it could still be read, so session numbers keep rising.
        sessions_started: Option<u64>,
    },
}

/// The snapshot of `state` as JSON text.
pub fn encode(state: &State) -> String {
    serde_json::to_string(&SnapshotV1::from(state)).expect("a snapshot always serialises")
}

/// Read a snapshot written by this or any earlier version.
pub fn decode(text: &str) -> Decoded {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Decoded::Fresh {
                reason: format!("not JSON: {e}"),
                sessions_started: None,
            };
        }
    };
    let sessions_started = value.get("sessions_started").and_then(|v| v.as_u64());
    let version = match value.get("version") {
        None => 0,
        Some(v) => match v.as_u64().and_then(|v| u32::try_from(v).ok()) {
            Some(v) => v,
            None => {
                return Decoded::Fresh {
                    reason: format!("version is not a number: {v}"),
                    sessions_started,
                };
            }
        },
    };
    if version > VERSION {
        return Decoded::Fresh {
            reason: format!(
                "written by a newer kiosk (snapshot version {version}; this one reads up to {VERSION})"
            ),
            sessions_started,
        };
    }
    // Version 0 is version 1 without the field: the same reader serves both.
    match serde_json::from_value::<SnapshotV1>(value) {
        Ok(snapshot) => Decoded::Resume {
            state: Box::new(snapshot.into_state()),
            version,
        },
        Err(e) => Decoded::Fresh {
            reason: format!("snapshot version {version} unreadable: {e}"),
            sessions_started,
        },
    }
}

/// The phase's name as the journal's `transitions` table records it (`Scan`, `Shoot`, …).
pub fn phase_name(phase: &Phase) -> &'static str {
    match PhaseV1::from(phase) {
        PhaseV1::Attract => "Attract",
        PhaseV1::PhotoType => "PhotoType",
        PhaseV1::Prepare => "Prepare",
        PhaseV1::Scan { .. } => "Scan",
        PhaseV1::Confirm => "Confirm",
        PhaseV1::Lighting => "Lighting",
        PhaseV1::Rules => "Rules",
        PhaseV1::Chair => "Chair",
        PhaseV1::Shoot(_) => "Shoot",
        PhaseV1::Review(_) => "Review",
        PhaseV1::Pay(_) => "Pay",
        PhaseV1::Done { .. } => "Done",
        PhaseV1::ServicePin { .. } => "ServicePin",
        PhaseV1::Service(_) => "Service",
        PhaseV1::OutOfService { .. } => "OutOfService",
    }
}

#[cfg(test)]
mod tests;
