//! A panic in the runtime does not leave the booth as it was: the chair motor is disabled and
//! the lights switched off before the crash is reported (the process then ends non-zero and
//! systemd starts it again).

use kiosk_app::assemble;
use kiosk_app::journal::Journal;
use kiosk_app::runtime::{Ended, settle, spawn_owned};
use kiosk_e2e::fast_config;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runtime_panic_disables_the_motor_and_switches_the_lights_off() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fast_config(dir.path());
    let journal = Journal::open(&dir.path().join("journal.sqlite3")).unwrap();
    let (world, sims) = assemble::world(&cfg, journal, kiosk_core::clock::Clock::Wall).unwrap();
    let serial = sims
        .serial
        .as_ref()
        .expect("demo mode has the serial simulator")
        .handle();
    let channels: Vec<String> = cfg.lights.channels.keys().cloned().collect();
    assert!(!channels.is_empty());

    // The chair step of a session: motor enabled, lights on.
    world.chair.motor(true).await.unwrap();
    world.lights.preset("glasses").await.unwrap();
    assert!(serial.motor_enabled());
    assert!(channels.iter().any(|c| serial.light_level(c) != Some(0)));

    let ended = settle(
        &world,
        spawn_owned(async { panic!("a bug in the runtime") }),
    )
    .await;
    assert_eq!(ended, Ended::Crashed);
    assert!(!serial.motor_enabled(), "the motor is still enabled");
    for c in &channels {
        assert_eq!(serial.light_level(c), Some(0), "light {c} still on");
    }

    // A runtime that ends normally is not a crash (and the stop is not run twice).
    assert_eq!(settle(&world, spawn_owned(async {})).await, Ended::Stopped);
}
