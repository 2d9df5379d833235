//! Times the face detector on the astronaut portrait (512 × 512) and on the same portrait in a
//! 960 × 640 live-view-sized frame on the booth's blue; prints faces and milliseconds.
//!
//! `scripts/fetch-models.sh`, then `cargo run --release -p kiosk-photo --example detect [IMAGE]`.

use std::path::PathBuf;
use std::time::Instant;

use image::{Rgb, RgbImage};
use kiosk_photo::{Detector, DetectorConfig};

fn median_ms(det: &Detector, img: &RgbImage, runs: usize) -> Result<f64, kiosk_photo::PhotoError> {
    det.detect(img)?; // warm-up: first run allocates the plans' buffers
    let mut t: Vec<f64> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        det.detect(img)?;
        t.push(start.elapsed().as_secs_f64() * 1e3);
    }
    t.sort_by(f64::total_cmp);
    Ok(t[runs / 2])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../target/photo-cache/portraits/astronaut.png")
        });
    let portrait = image::open(&path)
        .map_err(|e| format!("{}: {e}; run scripts/fetch-models.sh", path.display()))?
        .to_rgb8();
    let mut frame = RgbImage::from_pixel(960, 640, Rgb([100, 197, 255]));
    let x = (960 - i64::from(portrait.width())) / 2;
    let y = (640 - i64::from(portrait.height())) / 2;
    image::imageops::overlay(&mut frame, &portrait, x, y);

    for min_face in [20.0, 60.0] {
        let det = Detector::new(DetectorConfig {
            min_face,
            ..DetectorConfig::from_env()
        })?;
        for (name, img) in [("portrait", &portrait), ("960x640", &frame)] {
            let faces = det.detect(img)?;
            let ms = median_ms(&det, img, 15)?;
            let eyes = faces
                .first()
                .map(|f| (f.landmarks.eye_left, f.landmarks.eye_right));
            println!(
                "{name:>9} {}x{} min_face {min_face:>3}: {} face(s), {ms:6.1} ms, eyes {eyes:?}",
                img.width(),
                img.height(),
                faces.len()
            );
        }
    }
    Ok(())
}
