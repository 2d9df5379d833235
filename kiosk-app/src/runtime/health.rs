//! One health monitor for the camera and the serial devices.
//!
//! The camera actor reports its own health (it pings the camera while live view is off); the
//! serial devices are polled. How often is the flow's call, carried by its effects: while the
//! chair motor is enabled (the chair step, maintenance) the chair is read every
//! `serial.chair_poll_ms`, because a motor fault must stop the step at once; otherwise lights
//! and chair are checked every `serial.health_interval_ms`, so a dead bus is noticed before a
//! graduate needs it. While any fault is known (from whichever part of the kiosk reported it),
//! every check that passes triggers a full check of all devices, whose answer
//! (`DevicesHealthy` or the fault) goes to the flow.

use std::time::{Duration, Instant};

use camera_driver::Health;
use kiosk_core::flow::{Device, Event, FaultKind};
use tokio::sync::{mpsc, watch};
use tracing::warn;

use super::World;

/// The device faults the kiosk knows of, as the flow's `DeviceFault` events reported them
/// (`DevicesHealthy` clears them). Read by this monitor and by the heartbeat.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// The latest fault kind per device.
    pub by_device: Vec<(Device, FaultKind)>,
}

impl Faults {
    /// Take note of `event`; true when the known faults changed.
    pub fn note(&mut self, event: &Event) -> bool {
        let before = self.by_device.clone();
        match event {
            Event::DeviceFault { device, kind } => {
                self.by_device.retain(|(d, _)| d != device);
                self.by_device.push((*device, *kind));
            }
            Event::DevicesHealthy => self.by_device.clear(),
            _ => {}
        }
        self.by_device != before
    }

    /// The first known fault as a reference (`camera-disconnected`), if any.
    pub fn reference(&self) -> Option<String> {
        self.by_device
            .first()
            .map(|(d, kind)| format!("{}-{}", d.name(), kind.name()))
    }
}

/// Ask every device whether it answers (the camera re-opened first), as the flow's
/// `DevicesHealthy` or the first `DeviceFault`.
pub async fn check_devices(world: &World) -> Event {
    world.camera.reconnect();
    crate::diagnostics::device_event(&crate::diagnostics::devices(world).await)
}

/// When the serial devices are read, and what a reading leads to. Pure: the monitor feeds it
/// the time and the answers.
#[derive(Debug)]
pub(super) struct SerialSchedule {
    health_interval: Duration,
    last_check: Instant,
    failing: bool,
}

/// What to do after a serial reading.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum After {
    /// Report this fault to the flow (warned in the log the first time).
    Fault { device: Device, kind: FaultKind },
    /// The device answers again: check everything and report the outcome.
    CheckAll,
    /// Nothing to report.
    Quiet,
}

impl SerialSchedule {
    pub(super) fn new(health_interval: Duration, now: Instant) -> Self {
        Self {
            health_interval,
            last_check: now,
            failing: false,
        }
    }

    /// Whether to read now: always while the motor is enabled, otherwise every health
    /// interval. A fault known elsewhere makes the next passing reading check everything.
    pub(super) fn due(&mut self, motor_on: bool, fault_known: bool, now: Instant) -> bool {
        self.failing |= fault_known;
        if !motor_on && now.duration_since(self.last_check) < self.health_interval {
            return false;
        }
        self.last_check = now;
        true
    }

    /// What a reading's `problem` leads to.
    pub(super) fn after(&mut self, problem: Option<(Device, FaultKind)>) -> After {
        match problem {
            Some((device, kind)) => {
                self.failing = true;
                After::Fault { device, kind }
            }
            None if self.failing => After::CheckAll,
            None => After::Quiet,
        }
    }

    /// The outcome of a full check: still failing unless everything answered.
    pub(super) fn checked(&mut self, event: &Event) {
        self.failing = !matches!(event, Event::DevicesHealthy);
    }

    pub(super) fn failing(&self) -> bool {
        self.failing
    }
}

/// Read the serial devices once: the chair (its fault bits), and the lights unless the motor
/// is on (then only the chair matters, and fast).
async fn read_serial(world: &World, motor_on: bool) -> Option<(Device, FaultKind)> {
    use crate::diagnostics::serial_fault;
    match world.chair.status().await {
        Err(e) => Some((Device::Chair, serial_fault(e.kind()))),
        Ok(s) if s.overcurrent => Some((Device::Chair, FaultKind::Overcurrent)),
        Ok(s) if s.stalled => Some((Device::Chair, FaultKind::Stalled)),
        Ok(_) if motor_on => None,
        Ok(_) => world
            .lights
            .levels()
            .await
            .err()
            .map(|e| (Device::Lights, serial_fault(e.kind()))),
    }
}

/// The monitor: camera health changes and serial readings, until the runtime is gone.
pub(super) async fn monitor(
    world: World,
    motor: watch::Receiver<Option<bool>>,
    faults: watch::Receiver<Faults>,
    tx: mpsc::UnboundedSender<Event>,
    chair_poll: Duration,
    health_interval: Duration,
) {
    let mut camera = world.camera.health();
    let mut camera_down = false;
    let mut schedule = SerialSchedule::new(health_interval, Instant::now());
    let mut tick = tokio::time::interval(chair_poll);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut camera_changed = true; // the current health counts as news at start
    loop {
        if camera_changed {
            let current = camera.borrow_and_update().clone();
            match current {
                Health::Disconnected { kind, .. } => {
                    camera_down = true;
                    let _ = tx.send(Event::DeviceFault {
                        device: Device::Camera,
                        kind: crate::diagnostics::camera_fault(kind),
                    });
                }
                Health::Connected(_) if camera_down => {
                    camera_down = false;
                    let _ = tx.send(check_devices(&world).await);
                }
                _ => {}
            }
        }
        camera_changed = false;
        tokio::select! {
            r = camera.changed() => {
                if r.is_err() {
                    return;
                }
                camera_changed = true;
                continue;
            }
            _ = tick.tick() => {}
        }
        if tx.is_closed() {
            return;
        }
        let motor_on = matches!(*motor.borrow(), Some(true));
        let fault_known = !faults.borrow().by_device.is_empty();
        if !schedule.due(motor_on, fault_known, Instant::now()) {
            continue;
        }
        let was_failing = schedule.failing();
        match schedule.after(read_serial(&world, motor_on).await) {
            After::Fault { device, kind } => {
                if !was_failing {
                    warn!(
                        device = device.name(),
                        kind = kind.name(),
                        "serial device fault"
                    );
                }
                let _ = tx.send(Event::DeviceFault { device, kind });
            }
            After::CheckAll => {
                let event = check_devices(&world).await;
                schedule.checked(&event);
                let _ = tx.send(event);
            }
            After::Quiet => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEALTH: Duration = Duration::from_secs(10);

    #[test]
    fn reads_fast_while_the_motor_is_on_and_slowly_otherwise() {
        let t0 = Instant::now();
        let mut s = SerialSchedule::new(HEALTH, t0);
        assert!(!s.due(false, false, t0 + Duration::from_secs(1)));
        assert!(s.due(true, false, t0 + Duration::from_secs(1)), "motor on");
        assert!(s.due(true, false, t0 + Duration::from_millis(1_500)));
        assert!(!s.due(false, false, t0 + Duration::from_secs(5)));
        assert!(s.due(false, false, t0 + Duration::from_millis(11_500)));
    }

    #[test]
    fn a_fault_is_reported_and_recovery_checks_everything() {
        let t0 = Instant::now();
        let mut s = SerialSchedule::new(HEALTH, t0);
        assert_eq!(s.after(None), After::Quiet);
        assert_eq!(
            s.after(Some((Device::Chair, FaultKind::Overcurrent))),
            After::Fault {
                device: Device::Chair,
                kind: FaultKind::Overcurrent
            }
        );
        assert_eq!(s.after(None), After::CheckAll, "it answers again");
        s.checked(&Event::DeviceFault {
            device: Device::Lights,
            kind: FaultKind::NoReply,
        });
        assert_eq!(
            s.after(None),
            After::CheckAll,
            "not everything answered yet"
        );
        s.checked(&Event::DevicesHealthy);
        assert_eq!(s.after(None), After::Quiet);
    }

    #[test]
    fn a_fault_reported_elsewhere_is_looked_into() {
        let t0 = Instant::now();
        let mut s = SerialSchedule::new(HEALTH, t0);
        assert!(s.due(false, true, t0 + HEALTH));
        assert_eq!(s.after(None), After::CheckAll);
    }

    #[test]
    fn faults_follow_the_events() {
        let mut f = Faults::default();
        let camera = Event::DeviceFault {
            device: Device::Camera,
            kind: FaultKind::Disconnected,
        };
        assert!(f.note(&camera));
        assert!(!f.note(&camera), "the same fault again changes nothing");
        assert!(f.note(&Event::DeviceFault {
            device: Device::Camera,
            kind: FaultKind::Timeout,
        }));
        assert_eq!(f.reference().as_deref(), Some("camera-timeout"));
        assert!(!f.note(&Event::Restored));
        assert!(f.note(&Event::DevicesHealthy));
        assert_eq!(f.reference(), None);
    }
}
