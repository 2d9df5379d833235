//! Where the time of one photo goes: decode, detection, the rest (`make_photo` minus both).
//! `cargo run -p kiosk-photo --example stages --profile dev -- CAPTURE.jpg`

use std::time::Instant;

use kiosk_photo::{CheckSettings, Detector, DetectorConfig, decode_any, photo_from};

fn main() {
    let path = std::env::args().nth(1).expect("a capture");
    let data = std::fs::read(&path).expect("readable");
    let t = Instant::now();
    let det = Detector::new(DetectorConfig::from_env()).expect("models");
    println!(
        "load detector   {:>6.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    for _ in 0..3 {
        let t = Instant::now();
        let d = decode_any(&data, 50_000_000).expect("decodes");
        let decode = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let min = d.image.width().min(d.image.height()) as f32 / 8.0;
        let faces = det.detect_min(&d.image, min).expect("detects");
        let detect = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let p = photo_from(&det, &d, &data, &CheckSettings::default(), t).expect("photo");
        let whole = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "decode {decode:>6.1} ms ({}x{})  detect {detect:>6.1} ms ({} faces)  after decode {whole:>6.1} ms (so the rest {:.1} ms)  q{}",
            d.image.width(),
            d.image.height(),
            faces.len(),
            whole - detect,
            p.report.quality
        );
    }
}
