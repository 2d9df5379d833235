//! Modbus RTU round trips through the production driver against the simulator on a pty,
//! compared with the physical limit of the wire at 9600 and 115200 baud.
//!
//! A pseudo-terminal moves bytes at memory speed whatever baud rate is set, so what this
//! measures is the software's own cost per request (driver, tokio-modbus, pty, simulator).
//! The physical limit is the frames' bits on the wire plus the 3.5-character silences RTU
//! requires between frames; on a real RS-485 line a request takes that plus the software cost.
//!
//! Run: `cargo bench -p chair-control --bench serial_roundtrip`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chair_control::sim::{ChairPhysics, SimBus};
use chair_control::{Bus, ChairMap, LightsMap, PortConfig};

/// Bits per RTU character: start, 8 data, parity (or a second stop bit), stop.
const BITS_PER_CHAR: f64 = 11.0;

/// Wire time of one request/response pair in seconds: a read of one holding register
/// (8-byte request, 7-byte reply) with the inter-frame silence after each frame.
fn wire_time(baud: u32) -> f64 {
    let char_time = BITS_PER_CHAR / f64::from(baud);
    // Above 19200 baud the spec fixes the silence at 1.75 ms.
    let silence = if baud > 19_200 {
        0.001_75
    } else {
        3.5 * char_time
    };
    (8.0 + 7.0) * char_time + 2.0 * silence
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sim = SimBus::spawn(LightsMap::default(), ChairMap::default(), ChairPhysics::default()).unwrap();
        println!("Modbus RTU read of one holding register, production driver ↔ simulator over a pty");
        println!(
            "{:>7} {:>8} {:>10} {:>10} {:>10} {:>12} {:>14} {:>10}",
            "baud", "requests", "median µs", "p99 µs", "req/s", "wire µs", "wire req/s", "sw/wire"
        );
        for baud in [9_600u32, 115_200] {
            let bus = Arc::new(Bus::new(PortConfig {
                path: sim.path().into(),
                baud,
                timeout_ms: 500,
                retries: 0,
                ..PortConfig::default()
            }));
            for _ in 0..200 {
                bus.read_holding(1, 0, 1).await.unwrap();
            }
            let n = 5_000;
            let mut times = Vec::with_capacity(n);
            let started = Instant::now();
            for _ in 0..n {
                let t = Instant::now();
                bus.read_holding(1, 0, 1).await.unwrap();
                times.push(t.elapsed());
            }
            let total = started.elapsed();
            times.sort();
            let median = percentile(&times, 0.5);
            let wire = wire_time(baud);
            println!(
                "{:>7} {:>8} {:>10.0} {:>10.0} {:>10.0} {:>12.0} {:>14.1} {:>10.3}",
                baud,
                n,
                median.as_secs_f64() * 1e6,
                percentile(&times, 0.99).as_secs_f64() * 1e6,
                n as f64 / total.as_secs_f64(),
                wire * 1e6,
                1.0 / wire,
                median.as_secs_f64() / wire,
            );
        }
        println!("sw/wire: the software's cost per request as a fraction of the wire's own time (lower is better; 1.0 would double the latency).");
    });
}
