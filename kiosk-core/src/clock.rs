//! The kiosk's one clock: wall-clock milliseconds since the Unix epoch, as the flow's `Tick`
//! carries them (wall clock, so deadlines in the journal survive a restart). The runtime, the
//! operations crate and the collection-service simulator read time here; the flow never does
//! (it is handed the time in its events).

use std::time::{SystemTime, UNIX_EPOCH};

/// Wall-clock time in ms since the Unix epoch (0 if the clock is before 1970).
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Wall-clock time in whole seconds since the Unix epoch (request signatures, payment expiry).
pub fn now_secs() -> u64 {
    now_ms() / 1000
}
