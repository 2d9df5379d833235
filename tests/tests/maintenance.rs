//! Technician maintenance mode end to end: the hidden gesture, the PIN checked against the config's
//! Argon2id hash, diagnostics from the real devices (simulated over the serial protocol), a
//! test shot, lights and chair driven from the screen, and everything put back on the way out.

use std::time::Duration;

use chair_control::sim::SimHandle;
use kiosk_app::pin::hash_pin;
use kiosk_core::model::{Intent, MaintenanceCommand, Screen};
use kiosk_e2e::{Kiosk, fast_config};

/// Not the demo PIN: this test's config has its own hash.
const PIN: &str = "97531864";

/// Wait (at most 10 s) until `cond` holds; for device state the screen does not show. Checked
/// again after every request the simulated controllers answer.
async fn eventually(serial: &SimHandle, what: &str, cond: impl Fn() -> bool) {
    assert!(
        serial.until(Duration::from_secs(10), |_| cond()).await,
        "timed out waiting for {what}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technician_opens_maintenance_mode_checks_and_drives_the_devices_and_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.sqlite3");
    let mut cfg = fast_config(dir.path());
    cfg.maintenance.pin_hash = hash_pin(PIN).unwrap();
    let glasses_key = cfg.lights.presets["glasses"]["key"];
    let idle_key = cfg.lights.presets["idle"]["key"];
    let k = Kiosk::start(cfg.clone(), &journal);
    k.until("attract", |m| m.screen == Screen::Attract).await;
    let serial = k.sims.serial.as_ref().unwrap().handle();

    // The hidden corner brings up the keypad; a wrong PIN is counted and refused.
    k.touch(Intent::MaintenanceGesture);
    k.until("keypad", |m| m.screen == Screen::MaintenancePin)
        .await;
    k.handle.pins.send("1234".into()).unwrap();
    let m = k.until("one failure", |m| m.pin_failures == 1).await;
    assert_eq!(m.screen, Screen::MaintenancePin);

    // The right PIN opens maintenance mode; the first checks arrive with every part answering.
    k.handle.pins.send(PIN.into()).unwrap();
    let m = k
        .until("diagnostics", |m| {
            m.screen == Screen::Maintenance
                && m.maintenance.as_ref().is_some_and(|s| !s.checks.is_empty())
        })
        .await;
    let report = m.maintenance.unwrap();
    let parts: Vec<&str> = report.checks.iter().map(|c| c.part.name()).collect();
    assert_eq!(parts, ["camera", "lights", "chair", "service", "disk"]);
    for c in &report.checks {
        assert!(c.ok(), "{:?} failed: {}", c.part, c.detail);
    }
    // Figures only on the touchscreen (its words are translated): the seat height in mm.
    assert!(
        report.checks[2].figures.ends_with(" mm"),
        "{}",
        report.checks[2].figures
    );
    assert!(serial.motor_enabled());

    // Lights: the chosen preset reaches the controller.
    k.touch(Intent::Maintenance(MaintenanceCommand::LightsGlasses));
    eventually(&serial, "glasses preset", || {
        serial.light_level("key") == Some(glasses_key)
    })
    .await;

    // Chair: up moves the seat.
    let start = serial.height_mm();
    k.touch(Intent::Maintenance(MaintenanceCommand::ChairUp));
    eventually(&serial, "seat rising", || serial.height_mm() > start + 2.0).await;
    k.touch(Intent::Maintenance(MaintenanceCommand::ChairStop));

    // A test shot: measured, shown, not counted anywhere.
    k.touch(Intent::Maintenance(MaintenanceCommand::TestShot));
    let m = k
        .until("test shot", |m| {
            m.maintenance
                .as_ref()
                .is_some_and(|s| s.test_shot.is_some() && !s.busy)
        })
        .await;
    let line = m.maintenance.unwrap().test_shot.unwrap();
    assert!(line.starts_with("1500×1000 · "), "{line}");
    assert!(
        line.contains("→ 480×640"),
        "processed like a graduate's photo: {line}"
    );
    assert!(
        k.handle.photo.borrow().is_some(),
        "the test shot is on screen"
    );

    // Leaving: the start screen, motor off, lights back to idle, the photo gone.
    k.touch(Intent::Maintenance(MaintenanceCommand::Exit));
    k.until("attract", |m| m.screen == Screen::Attract).await;
    eventually(&serial, "motor off", || !serial.motor_enabled()).await;
    eventually(&serial, "idle lights", || {
        serial.light_level("key") == Some(idle_key)
    })
    .await;
    assert!(k.handle.photo.borrow().is_none());

    // The PIN never reached the journal (the flow never sees it).
    k.stop().await;
    for suffix in ["", "-wal"] {
        let bytes = std::fs::read(format!("{}{suffix}", journal.display())).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(PIN), "the PIN is in the journal{suffix}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_pins_count_across_a_restart_lock_the_keypad_and_a_restart_closes_maintenance_mode() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.sqlite3");
    let mut cfg = fast_config(dir.path());
    cfg.maintenance.pin_hash = hash_pin(PIN).unwrap();
    cfg.flow.pin_lock_secs = 1;
    let k = Kiosk::start(cfg.clone(), &journal);
    k.until("attract", |m| m.screen == Screen::Attract).await;
    k.touch(Intent::MaintenanceGesture);
    k.until("keypad", |m| m.screen == Screen::MaintenancePin)
        .await;
    for n in 1..=2 {
        k.handle.pins.send("000000".into()).unwrap();
        k.until("failure", |m| m.pin_failures == n).await;
    }
    // Restarting does not reset the count: the next wrong PIN closes and locks the keypad.
    k.stop().await;
    let k = Kiosk::start(cfg.clone(), &journal);
    k.until("attract", |m| m.screen == Screen::Attract).await;
    k.touch(Intent::MaintenanceGesture);
    k.until("keypad, two failures", |m| {
        m.screen == Screen::MaintenancePin && m.pin_failures == 2
    })
    .await;
    k.handle.pins.send("000000".into()).unwrap();
    k.until("keypad closed", |m| m.screen == Screen::Attract)
        .await;
    k.touch(Intent::MaintenanceGesture);
    k.until("keypad locked", |m| {
        m.screen == Screen::MaintenancePin && m.pin_locked_secs > 0
    })
    .await;
    // The right PIN while locked is not even checked; once the lock ends it is.
    k.handle.pins.send(PIN.into()).unwrap();
    let m = k.until("unlocked", |m| m.pin_locked_secs == 0).await;
    assert_eq!(
        m.screen,
        Screen::MaintenancePin,
        "the PIN sent while locked was ignored"
    );

    // Open it properly, then "lose power": the next start is at the start screen with the
    // motor off, and the PIN is needed again.
    k.handle.pins.send(PIN.into()).unwrap();
    k.until("service", |m| m.screen == Screen::Maintenance)
        .await;
    k.stop().await;

    let k = Kiosk::start(cfg, &journal);
    k.until("attract after restart", |m| m.screen == Screen::Attract)
        .await;
    let serial = k.sims.serial.as_ref().unwrap().handle();
    eventually(&serial, "motor off", || !serial.motor_enabled()).await;
}
