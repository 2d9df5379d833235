//! systemd's notification protocol (`Type=notify`, `WatchdogSec=`), through `sd-notify`:
//! READY once the runtime's loop runs, WATCHDOG from that loop, STOPPING at shutdown. Without
//! `NOTIFY_SOCKET` (not under systemd) every call does nothing.
//!
//! The watchdog is fed from the runtime's own loop, not a timer of its own, so a loop that
//! hangs stops the notifications and systemd restarts the kiosk (`deploy/photo-kiosk.service`).

use std::time::{Duration, Instant};

use sd_notify::NotifyState;

/// Tell systemd the kiosk is up.
pub fn ready() {
    notify(&[NotifyState::Ready, NotifyState::Status("serving graduates")]);
}

/// Tell systemd the kiosk is shutting down.
pub fn stopping() {
    notify(&[NotifyState::Stopping]);
}

fn notify(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::debug!(error = %e, "systemd notification not delivered");
    }
}

/// Feeds systemd's watchdog at half its interval, when systemd set one.
pub struct Watchdog {
    every: Option<Duration>,
    last: Option<Instant>,
}

impl Watchdog {
    /// From `WATCHDOG_USEC` (and `WATCHDOG_PID`), as systemd sets them.
    pub fn from_env() -> Self {
        Self {
            every: sd_notify::watchdog_enabled().map(|d| d / 2),
            last: None,
        }
    }

    /// Call from the loop that must not hang; sends WATCHDOG=1 when due.
    pub fn pet(&mut self, now: Instant) {
        let Some(every) = self.every else { return };
        if self.last.is_none_or(|t| now.duration_since(t) >= every) {
            self.last = Some(now);
            notify(&[NotifyState::Watchdog]);
        }
    }
}
