//! The detector on real portraits with hand-measured eye centres. Needs the files fetched by
//! `scripts/fetch-models.sh`; without them these tests fail and say so, never skip.

use std::path::PathBuf;

use kiosk_photo::{Detector, DetectorConfig, Face, Point};

fn portrait_dir() -> PathBuf {
    std::env::var_os("KIOSK_PORTRAIT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/photo-cache/portraits")
        })
}

fn load_portrait(name: &str) -> image::RgbImage {
    let path = portrait_dir().join(name);
    match image::open(&path) {
        Ok(img) => img.to_rgb8(),
        Err(e) => panic!(
            "portrait {} unavailable ({e}); run scripts/fetch-models.sh (or set KIOSK_PORTRAIT_DIR)",
            path.display()
        ),
    }
}

fn detector() -> Detector {
    Detector::new(DetectorConfig::from_env()).unwrap_or_else(|e| panic!("{e}"))
}

/// Eye error of the best face as a fraction of the hand-measured inter-eye distance (the worse
/// of the two eyes).
fn eye_error(face: &Face, left: Point, right: Point) -> f32 {
    let d = left.dist(right);
    let el = face.landmarks.eye_left.dist(left);
    let er = face.landmarks.eye_right.dist(right);
    el.max(er) / d
}

#[test]
fn astronaut_eyes_within_ten_percent_of_inter_eye_distance() {
    let img = load_portrait("astronaut.png");
    let faces = detector().detect(&img).unwrap();
    assert_eq!(faces.len(), 1, "one face expected: {faces:?}");
    // Measured by hand on 20× zoomed crops with a 10 px grid: the centre of each iris (the
    // catch-lights sit slightly off it). Image-left eye is Eileen Collins's right eye.
    let left = Point { x: 203.5, y: 101.5 };
    let right = Point { x: 246.5, y: 103.5 };
    let err = eye_error(&faces[0], left, right);
    eprintln!(
        "astronaut: {:?}; eye error {:.1} % of inter-eye distance",
        faces[0],
        err * 100.0
    );
    assert!(
        err < 0.10,
        "eye error {:.1} % of the inter-eye distance",
        err * 100.0
    );
}
