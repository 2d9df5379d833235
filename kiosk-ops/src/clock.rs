//! The kiosk's one clock: wall-clock milliseconds since the Unix epoch, as the flow's `Tick`
//! carries them (wall clock, so deadlines in the journal survive a restart).

use std::time::{SystemTime, UNIX_EPOCH};

/// Wall-clock time in ms since the Unix epoch (0 if the clock is before 1970).
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
