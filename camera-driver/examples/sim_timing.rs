//! Times the simulated camera's rendering (draw + JPEG encode) with an empty cache.
//!
//! `cargo run -p camera-driver --example sim_timing`

use std::time::{Duration, Instant};

use camera_driver::Camera;
use camera_driver::sim::{SimCamera, SimConfig, SimControl};

fn main() {
    for (w, h, runs) in [(960, 640, 30), (1500, 1000, 10), (6000, 4000, 5)] {
        let mut t = Vec::new();
        let mut last = Vec::new();
        for _ in 0..runs {
            let cfg = SimConfig {
                preview_size: (w, h),
                capture_size: (w, h),
                capture_latency: Duration::ZERO,
                ..SimConfig::default()
            };
            let mut cam = SimCamera::new(SimControl::new(), cfg);
            let start = Instant::now();
            let jpeg = if w <= 1000 {
                cam.preview().unwrap()
            } else {
                cam.capture().unwrap()
            };
            t.push(start.elapsed().as_secs_f64() * 1e3);
            last = jpeg;
        }
        // The JPEG encode alone, on the same picture at the same quality.
        let img = image::load_from_memory(&last).unwrap().to_rgb8();
        let quality = if w <= 1000 { 80 } else { 92 };
        let mut e = Vec::new();
        for _ in 0..runs {
            let start = Instant::now();
            let mut out = Vec::new();
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
            img.write_with_encoder(encoder).unwrap();
            e.push(start.elapsed().as_secs_f64() * 1e3);
        }
        t.sort_by(f64::total_cmp);
        e.sort_by(f64::total_cmp);
        println!(
            "{w}x{h}: draw + encode median {:.1} ms (min {:.1}, max {:.1}); encode alone median {:.1} ms; {runs} runs",
            t[runs / 2],
            t[0],
            t[runs - 1],
            e[runs / 2],
        );
    }
}
