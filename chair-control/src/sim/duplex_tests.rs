//! The simulator and the production driver joined in memory over `tokio::io::duplex`: the same
//! drivers and the same controllers as the pty tests, without a terminal, and under tokio's
//! paused clock where a test waits out timeouts.

use std::future::Future;

use super::*;
use crate::{Bus, Chair, Direction, ErrorKind, Lights};

fn devices() -> SimHandle {
    SimHandle::new(
        LightsMap::default(),
        ChairMap::default(),
        ChairPhysics::default(),
    )
}

fn bus_on(sim: &SimHandle) -> Arc<Bus> {
    Arc::new(Bus::with_link(sim.link(), Duration::from_millis(200), 1))
}

/// Fails the test instead of hanging it if the driver or the simulator stops answering.
async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), f)
        .await
        .expect("finished within 10 s")
}

#[tokio::test]
async fn lights_read_and_write_over_an_in_memory_link() {
    let sim = devices();
    let bus = bus_on(&sim);
    let lights = Lights::new(bus.clone(), LightsMap::default());
    within(lights.preset("glasses")).await.unwrap();
    assert_eq!(sim.light_level("key"), Some(900));
    within(lights.set("hair", 250)).await.unwrap();
    let levels = within(lights.levels()).await.unwrap();
    assert!(levels.contains(&("hair".into(), 250)), "{levels:?}");
    // Several registers at once: function 16 out, function 3 back.
    within(bus.write(1, 0, &[11, 22, 33, 44])).await.unwrap();
    assert_eq!(
        within(bus.read_holding(1, 0, 4)).await.unwrap(),
        [11, 22, 33, 44]
    );
}

#[tokio::test]
async fn chair_status_over_an_in_memory_link() {
    let sim = devices();
    let chair = Chair::new(bus_on(&sim), ChairMap::default());
    let s = within(chair.status()).await.unwrap();
    assert_eq!(s.height_mm, 500.0);
    assert!(!s.motor_enabled && !s.moving);
    within(chair.motor(true)).await.unwrap();
    within(chair.drive(Some(Direction::Up))).await.unwrap();
    let s = within(chair.status()).await.unwrap();
    assert!(s.motor_enabled && s.moving, "{s:?}");
    sim.chair_fault(true, false);
    let s = within(chair.status()).await.unwrap();
    assert!(s.overcurrent && !s.moving, "{s:?}");
}

#[tokio::test]
async fn device_exception_over_an_in_memory_link_is_not_retried() {
    let sim = devices();
    let bus = bus_on(&sim);
    // Command 7 is neither stop, up nor down.
    let err = within(bus.write(2, 0x01, &[7])).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Exception);
    assert!(err.to_string().contains("refused"), "{err}");
    assert_eq!(
        sim.requests(),
        1,
        "the device said no; asking again is pointless"
    );
}

#[tokio::test(start_paused = true)]
async fn silent_device_over_an_in_memory_link_times_out_then_recovers() {
    let sim = devices();
    let chair = Chair::new(bus_on(&sim), ChairMap::default());
    sim.fault(2, SimFault::NoReply);
    let err = within(chair.status()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoReply);
    sim.fault(2, SimFault::None);
    within(chair.status()).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn late_reply_over_an_in_memory_link_is_a_timeout_then_the_link_is_fresh() {
    let sim = devices();
    let lights = Lights::new(bus_on(&sim), LightsMap::default());
    sim.fault(1, SimFault::Late(Duration::from_millis(300)));
    let err = within(lights.levels()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoReply);
    sim.fault(1, SimFault::None);
    // The late replies went to a pipe the bus has dropped; the next answers are the right ones.
    within(lights.set("key", 321)).await.unwrap();
    let levels = within(lights.levels()).await.unwrap();
    assert!(levels.contains(&("key".into(), 321)), "{levels:?}");
}
