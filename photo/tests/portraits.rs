//! The detector on real portraits with hand-measured eye centres. Needs the files fetched by
//! `scripts/fetch-models.sh`; without them these tests fail and say so, never skip.

use std::path::PathBuf;

use kiosk_photo::framing::{Limit, Standard, Subject, frame};
use kiosk_photo::silhouette::{Backdrop, HeadColumns, find_crown};
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

fn check(name: &str, img: &image::RgbImage, left: Point, right: Point) {
    let faces = detector().detect(img).unwrap();
    assert_eq!(faces.len(), 1, "{name}: one face expected: {faces:?}");
    let err = eye_error(&faces[0], left, right);
    eprintln!(
        "{name}: {:?}; eye error {:.1} % of inter-eye distance",
        faces[0],
        err * 100.0
    );
    assert!(
        err < 0.10,
        "{name}: eye error {:.1} % of the inter-eye distance",
        err * 100.0
    );
}

// Eye centres measured by hand on 14–20× enlargements with a 10 px grid
// (`cargo run --example zoom`): the centre of each iris, not the catch-lights. "Left" is the
// eye on the image's left, i.e. the subject's right eye.

/// Eileen Collins, NASA, public domain (scikit-image 0.26.0, `skimage/data/astronaut.png`).
const ASTRONAUT_EYES: (Point, Point) = (Point { x: 203.5, y: 101.5 }, Point { x: 246.5, y: 103.5 });

/// Grace M. Hopper, US Navy photograph, public domain (matplotlib 3.11.2,
/// `mpl-data/sample_data/grace_hopper.jpg`). Glasses, and the upper lids cover part of the iris.
const HOPPER_EYES: (Point, Point) = (Point { x: 222.5, y: 190.5 }, Point { x: 305.0, y: 187.0 });

#[test]
fn astronaut_eyes_within_ten_percent_of_inter_eye_distance() {
    let (l, r) = ASTRONAUT_EYES;
    check("astronaut", &load_portrait("astronaut.png"), l, r);
}

/// Grace Hopper's portrait as the file's own JPEG bytes.
fn hopper_jpeg() -> Vec<u8> {
    let path = portrait_dir().join("grace_hopper.jpg");
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "portrait {} unavailable ({e}); run scripts/fetch-models.sh",
            path.display()
        )
    })
}

#[test]
fn hopper_eyes_within_ten_percent_through_the_photo_decoder() {
    let jpeg = hopper_jpeg();
    // Full size: the portrait is only 512 × 600.
    let decoded = kiosk_photo::decode::decode_scaled(&jpeg, 1_000_000, 600).unwrap();
    assert_eq!(decoded.denom, 1);
    let (l, r) = HOPPER_EYES;
    check("grace_hopper", &decoded.image, l, r);
}

/// An Exif block (APP1) whose only entry is the orientation `value`, Intel byte order: what a
/// camera mounted on its side writes (`6`: turn 90° clockwise to view, `8`: counter-clockwise).
fn exif_orientation_segment(value: u8) -> Vec<u8> {
    let mut seg = vec![0xFF, 0xE1, 0x00, 0x22];
    seg.extend_from_slice(b"Exif\0\0II*\0\x08\0\0\0");
    // One IFD entry: tag 0x0112 (Orientation), type SHORT, count 1, the value; no next IFD.
    seg.extend_from_slice(&[
        1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, value, 0, 0, 0, 0, 0, 0, 0,
    ]);
    assert_eq!(seg.len(), 0x22 + 2);
    seg
}

#[test]
fn hopper_from_a_camera_on_its_side_is_stood_upright_before_detection() {
    let jpeg = hopper_jpeg();
    let upright = image::load_from_memory(&jpeg).unwrap();
    for (value, stored) in [(6, upright.rotate270()), (8, upright.rotate90())] {
        let mut data = Vec::new();
        stored
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut data, 95,
            ))
            .unwrap();
        data.splice(2..2, exif_orientation_segment(value));
        let decoded = kiosk_photo::decode::decode_scaled(&data, 1_000_000, 512).unwrap();
        assert_eq!(decoded.image.dimensions(), upright.to_rgb8().dimensions());
        // The hand-measured eyes of the upright portrait: coordinates are the viewer's.
        let (l, r) = HOPPER_EYES;
        check(
            &format!("grace_hopper, Exif orientation {value}"),
            &decoded.image,
            l,
            r,
        );
    }
}

#[test]
fn astronaut_in_a_live_view_frame_on_the_booth_blue() {
    // The portrait pasted into a 960 × 640 frame: the detector must report input coordinates.
    let portrait = load_portrait("astronaut.png");
    let mut frame = image::RgbImage::from_pixel(960, 640, image::Rgb([100, 197, 255]));
    image::imageops::overlay(&mut frame, &portrait, 224, 64);
    let (l, r) = ASTRONAUT_EYES;
    let shift = |p: Point| Point {
        x: p.x + 224.0,
        y: p.y + 64.0,
    };
    check("astronaut 960x640", &frame, shift(l), shift(r));
}

#[test]
fn no_face_on_an_empty_backdrop() {
    let frame = image::RgbImage::from_pixel(960, 640, image::Rgb([100, 197, 255]));
    assert_eq!(detector().detect(&frame).unwrap(), vec![]);
}

#[test]
fn astronaut_detected_segmented_and_framed_with_the_crown_limit_reported() {
    let img = load_portrait("astronaut.png");
    let faces = detector().detect(&img).unwrap();
    let face = faces.first().expect("a face");
    // The studio backdrop stands in for the booth's: its colour is sampled above the head.
    let mut sum = [0u32; 3];
    for y in 0..8 {
        for x in 180..280 {
            let p = img.get_pixel(x, y).0;
            (0..3).for_each(|c| sum[c] += u32::from(p[c]));
        }
    }
    let backdrop = Backdrop {
        rgb: sum.map(|v| (v / 800) as u8),
        tolerance: 40.0,
    };
    let head = HeadColumns {
        left: face.top_left.x as u32,
        right: face.bottom_right.x as u32,
        eye_row: face.landmarks.eye_left.y as u32,
    };
    // Top of the hair measured by hand: row 15 (at column 232).
    let crown = find_crown(&img, &backdrop, head).expect("a crown above the eyes");
    assert!(crown.abs_diff(15) <= 3, "crown at row {crown}");

    let f = frame(
        &Standard::CHSI,
        &Subject::from_face(face, crown as f32),
        img.width(),
        img.height(),
    );
    eprintln!("astronaut framing: {f:?}");
    assert!(f.crop.x + f.crop.width <= 512 && f.crop.y + f.crop.height <= 512);
    // Her hair is 15 px from the top of the picture; the 87 px face needs a scale of at least
    // 180 / 87 = 2.07, so the crown can be at most 15 × 2.07 = 31 px from the top: this capture
    // cannot meet the crown limit, and the best crop says so and meets everything else.
    assert_eq!(f.crop.y, 0);
    assert_eq!(f.broken.len(), 1, "{f:?}");
    assert_eq!(f.broken[0].limit, Limit::Crown);
    assert!((f.broken[0].value - 31.0).abs() < 3.0, "{f:?}");
    assert!((200.0..=300.0).contains(&f.placement.eye_line), "{f:?}");
}

/// A graduate sitting far back: Hopper's portrait (scaled 1.5×) in a 2600 × 1950 capture. The
/// photo path's fast decode (1/2) leaves her window under 640 rows; the window is decoded again
/// at full size, so the photo is cut from the capture's own pixels, never enlarged.
#[test]
fn a_small_face_in_a_large_capture_is_decoded_again_not_enlarged() {
    let hopper = image::load_from_memory(&hopper_jpeg()).unwrap().to_rgb8();
    let hopper =
        image::imageops::resize(&hopper, 768, 900, image::imageops::FilterType::CatmullRom);
    let mut capture = image::RgbImage::from_pixel(2600, 1950, image::Rgb([100, 197, 255]));
    image::imageops::overlay(&mut capture, &hopper, 916, 700);
    let mut data = Vec::new();
    image::DynamicImage::ImageRgb8(capture)
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut data, 92,
        ))
        .unwrap();
    let first = kiosk_photo::decode_any(&data, 50_000_000).unwrap();
    assert_eq!(first.denom, 2, "the test needs a reduced first decode");
    let photo = kiosk_photo::make_photo(
        &detector(),
        &data,
        &kiosk_photo::CheckSettings::default(),
        50_000_000,
    )
    .unwrap();
    let r = &photo.report;
    assert!(r.face.is_some(), "{r:?}");
    // At 1/2 the window had half its capture rows, under 640; the photo was cut from a decode
    // with every row of the window (as many decoded rows as capture rows), 640 or more.
    assert!(r.crop.height / 2 < 640, "{:?}", r.crop);
    assert_eq!(r.window_rows, r.crop.height, "{:?}", r.crop);
    assert!(r.window_rows >= 640, "{}", r.window_rows);
}
