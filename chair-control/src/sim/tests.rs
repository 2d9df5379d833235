//! The simulator and the production driver joined over a real pseudo-terminal: framing,
//! timeouts, CRC errors and a vanishing adapter as the serial port sees them.

use super::*;
use crate::{Bus, Chair, Direction, ErrorKind, Lights, PortConfig};

fn bus_for(sim: &SimBus) -> Arc<Bus> {
    Arc::new(Bus::new(PortConfig {
        path: sim.path().into(),
        baud: 115_200,
        timeout_ms: 200,
        retries: 1,
        ..PortConfig::default()
    }))
}

fn sim() -> SimBus {
    SimBus::spawn(
        LightsMap::default(),
        ChairMap::default(),
        ChairPhysics::default(),
    )
    .unwrap()
}

#[tokio::test]
async fn presets_reach_the_controller_over_a_real_pty() {
    let sim = sim();
    let lights = Lights::new(bus_for(&sim), LightsMap::default());
    lights.preset("glasses").await.unwrap();
    assert_eq!(sim.handle().light_level("key"), Some(900));
    lights.preset("off").await.unwrap();
    assert_eq!(sim.handle().light_level("key"), Some(0));
    lights.set("hair", 250).await.unwrap();
    let levels = lights.levels().await.unwrap();
    assert!(levels.contains(&("hair".into(), 250)));
    let err = lights.preset("disco").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unknown);
}

#[tokio::test]
async fn chair_moves_only_with_the_motor_enabled() {
    let sim = sim();
    let chair = Chair::new(bus_for(&sim), ChairMap::default());
    let start = chair.status().await.unwrap().height_mm;
    chair.drive(Some(Direction::Up)).await.unwrap();
    let s = chair.status().await.unwrap();
    assert!(!s.moving && !s.motor_enabled);
    chair.motor(true).await.unwrap();
    assert!(sim.handle().motor_enabled());
    // Wait for the seat to rise by polling its status, not by sleeping a fixed time.
    let risen = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let s = chair.status().await.unwrap();
            if s.height_mm >= start + 4.0 {
                break s;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("seat rose");
    assert!(risen.moving);
    chair.motor(false).await.unwrap();
    assert!(!sim.handle().motor_enabled());
    assert!(!chair.status().await.unwrap().moving);
}

#[tokio::test]
async fn the_seat_button_works_while_enabled() {
    let sim = sim();
    let chair = Chair::new(bus_for(&sim), ChairMap::default());
    chair.motor(true).await.unwrap();
    sim.handle().press_button(Some(false));
    let s = chair.status().await.unwrap();
    assert!(s.button_down && s.moving);
    sim.handle().press_button(None);
    assert!(!chair.status().await.unwrap().moving);
}

#[tokio::test]
async fn silent_device_times_out_then_recovers() {
    let sim = sim();
    let chair = Chair::new(bus_for(&sim), ChairMap::default());
    sim.handle().fault(2, SimFault::NoReply);
    let err = chair.status().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoReply);
    sim.handle().fault(2, SimFault::None);
    assert!(chair.status().await.is_ok());
}

#[tokio::test]
async fn late_reply_is_a_timeout_not_a_confused_answer() {
    let sim = sim();
    let lights = Lights::new(bus_for(&sim), LightsMap::default());
    sim.handle()
        .fault(1, SimFault::Late(Duration::from_millis(300)));
    assert_eq!(
        lights.levels().await.unwrap_err().kind(),
        ErrorKind::NoReply
    );
    sim.handle().fault(1, SimFault::None);
    // Replies still in flight from the slow period are flushed before the next request.
    lights.set("key", 321).await.unwrap();
    assert!(
        lights
            .levels()
            .await
            .unwrap()
            .contains(&("key".into(), 321))
    );
}

#[tokio::test]
async fn crc_errors_and_noise_are_errors_then_the_bus_recovers() {
    let sim = sim();
    let lights = Lights::new(bus_for(&sim), LightsMap::default());
    sim.wire_faults(WireFaults {
        corrupt_every: 1,
        noise_every: 0,
    });
    let err = lights.levels().await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::NoReply | ErrorKind::Protocol),
        "{err}"
    );
    assert!(err.to_string().contains("CRC"), "{err}");
    // Noise before a reply: the decoder drops it and finds the frame.
    sim.wire_faults(WireFaults {
        corrupt_every: 0,
        noise_every: 1,
    });
    assert_eq!(lights.levels().await.unwrap().len(), 4);
    sim.wire_faults(WireFaults::default());
    lights.set("fill", 444).await.unwrap();
    assert!(
        lights
            .levels()
            .await
            .unwrap()
            .contains(&("fill".into(), 444))
    );
    assert!(sim.wire_stats().1 >= 1);
}

#[tokio::test]
async fn a_vanished_adapter_is_a_port_error_until_it_comes_back() {
    let sim = sim();
    let chair = Chair::new(bus_for(&sim), ChairMap::default());
    chair.status().await.unwrap();
    sim.vanish();
    let err = chair.status().await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Port | ErrorKind::NoReply),
        "{err}"
    );
    let err = chair.status().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Port, "the path is gone: {err}");
    sim.reappear().unwrap();
    chair.status().await.unwrap();
}

/// 10,000 requests with every 100th reply corrupted: every failure is a clean error, the
/// retries carry every request through, and the controller ends with exactly the state
/// written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_requests_through_crc_errors_keep_the_state() {
    let sim = sim();
    let bus = Arc::new(Bus::new(PortConfig {
        path: sim.path().into(),
        baud: 115_200,
        // A pty answers in well under a millisecond; a short timeout keeps the quiet period
        // after each damaged reply short.
        timeout_ms: 50,
        retries: 3,
        ..PortConfig::default()
    }));
    sim.wire_faults(WireFaults {
        corrupt_every: 100,
        noise_every: 0,
    });
    let map = LightsMap::default();
    let mut expected = [0u16; 4];
    for i in 0..10_000u32 {
        let channel = (i % 4) as usize;
        if i % 2 == 0 {
            let level = (i % 1000) as u16;
            bus.write(map.slave, channel as u16, &[level])
                .await
                .unwrap();
            expected[channel] = level;
        } else {
            let got = bus
                .read_holding(map.slave, channel as u16, 1)
                .await
                .unwrap();
            assert_eq!(got, [expected[channel]], "request {i}");
        }
    }
    let (replies, corrupted, _) = sim.wire_stats();
    assert!(corrupted >= 90, "{corrupted} of {replies} corrupted");
    for (channel, level) in expected.iter().enumerate() {
        let got = bus
            .read_holding(map.slave, channel as u16, 1)
            .await
            .unwrap();
        assert_eq!(got, [*level]);
    }
}

#[tokio::test]
async fn device_exception_is_reported_with_its_meaning() {
    let sim = sim();
    let bus = bus_for(&sim);
    let err = bus.write(2, 0x01, &[7]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Exception);
    assert!(err.to_string().contains("refused"), "{err}");
}

#[tokio::test]
async fn missing_port_is_a_port_error_with_a_hint() {
    let bus = Bus::new(PortConfig {
        path: "/dev/does-not-exist".into(),
        ..PortConfig::default()
    });
    let err = bus.read_holding(1, 0, 1).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Port);
    assert!(err.to_string().contains("dialout"), "{err}");
}

/// A register map that does not match the controllers (a technician's typo in the config) is
/// refused by the simulator as a real controller refuses it, with ILLEGAL DATA ADDRESS, so
/// `kiosk doctor` and the tests see it; before, any address read as zeros.
#[tokio::test]
async fn a_register_the_controller_does_not_have_is_an_illegal_address() {
    let sim = sim();
    let bus = bus_for(&sim);
    let lights_slave = LightsMap::default().slave;
    let chair_slave = ChairMap::default().slave;
    for (what, err) in [
        (
            "holding 9999",
            bus.read_holding(lights_slave, 9999, 1).await.unwrap_err(),
        ),
        (
            "input 9999",
            bus.read_input(chair_slave, 9999, 1).await.unwrap_err(),
        ),
        (
            "write 9999",
            bus.write(lights_slave, 9999, &[1]).await.unwrap_err(),
        ),
    ] {
        assert_eq!(err.kind(), ErrorKind::Exception, "{what}: {err}");
        assert!(
            err.to_string()
                .to_lowercase()
                .contains("illegal data address"),
            "{what}: {err}"
        );
    }
    // Zero registers is not a read a controller answers.
    let err = bus.read_holding(lights_slave, 0, 0).await.unwrap_err();
    assert_ne!(err.kind(), ErrorKind::Port, "{err}");

    // The production drivers with a map one register off.
    let mut lights_map = LightsMap::default();
    let first = lights_map.channels.values_mut().next().unwrap();
    *first += 100;
    let lights = Lights::new(bus.clone(), lights_map);
    assert_eq!(
        lights.levels().await.unwrap_err().kind(),
        ErrorKind::Exception
    );
    let chair_map = ChairMap {
        height_register: ChairMap::default().height_register + 7,
        ..ChairMap::default()
    };
    let chair = Chair::new(bus.clone(), chair_map);
    assert_eq!(
        chair.status().await.unwrap_err().kind(),
        ErrorKind::Exception
    );

    // The right map still reads.
    let lights = Lights::new(bus.clone(), LightsMap::default());
    assert!(lights.levels().await.is_ok());
    assert!(Chair::new(bus, ChairMap::default()).status().await.is_ok());
}
