//! Framing cases: a well-placed subject, and each way a capture can defeat the standard.

use super::*;

const STD: Standard = Standard::CHSI;

/// A subject whose eyes are `eye_gap` apart around `(cx, eye_y)`, crown `crown_gap` above.
fn subject(cx: f32, eye_y: f32, eye_gap: f32, crown_gap: f32) -> Subject {
    Subject {
        eye_left: Point {
            x: cx - eye_gap / 2.0,
            y: eye_y,
        },
        eye_right: Point {
            x: cx + eye_gap / 2.0,
            y: eye_y,
        },
        crown_y: eye_y - crown_gap,
        face_width: eye_gap * FACE_WIDTH_PER_EYE_DISTANCE,
    }
}

fn limits(f: &Framing) -> Vec<Limit> {
    f.broken.iter().map(|b| b.limit).collect()
}

#[test]
fn a_well_placed_subject_lands_on_the_targets() {
    // A 6000 × 4000 capture, eyes 330 px apart, crown 600 px above them.
    let f = frame(&STD, &subject(3000.0, 1500.0, 330.0, 600.0), 6000, 4000);
    assert!(f.ok(), "{f:?}");
    assert_eq!(f.crop.width * 4, f.crop.height * 3);
    assert!((f.placement.eye_line - 250.0).abs() < 1.5, "{f:?}");
    assert!((f.placement.crown - 80.0).abs() < 1.5, "{f:?}");
    assert!(f.placement.off_centre.abs() < 1.0, "{f:?}");
    // 170 output px per 600 input px: the 693 px face comes out about 196 px.
    assert!((f.placement.face_width - 196.3).abs() < 1.0, "{f:?}");
}

#[test]
fn face_width_wins_when_it_conflicts_with_crown_to_eye_distance() {
    // Eyes 300 px apart (face 630 px) and crown only 300 px above: at the 170 px target span
    // the face would be 357 px; the face limit caps it at 300 and the span fits the bands.
    let f = frame(&STD, &subject(3000.0, 1500.0, 300.0, 300.0), 6000, 4000);
    assert!(f.ok(), "{f:?}");
    assert!(f.placement.face_width <= 300.0 + 0.5, "{f:?}");
    assert!((200.0..=300.0).contains(&f.placement.eye_line));
}

#[test]
fn a_head_cut_off_at_the_top_is_named_with_its_row() {
    let f = frame(&STD, &subject(3000.0, 400.0, 300.0, 400.0), 6000, 4000);
    assert_eq!(f.crop.y, 0);
    assert_eq!(
        f.broken[0],
        Broken {
            limit: Limit::HeadCutOff,
            value: 0.0,
            min: 1.0,
            max: f32::INFINITY
        }
    );
    assert!(limits(&f).contains(&Limit::Crown), "{f:?}");
    assert!(f.placement.crown < 50.0);
}

#[test]
fn a_face_too_big_for_the_capture_gives_the_whole_height_and_says_so() {
    // A close-up: eyes 900 px apart in a 4000 px high frame; the face needs a window of
    // 900 × 2.1 / 300 × 640 ≈ 4032 px, more than the frame.
    let f = frame(&STD, &subject(3000.0, 1800.0, 900.0, 1000.0), 6000, 4000);
    assert_eq!(f.crop.height, 4000);
    assert_eq!(f.crop.width, 3000);
    let b = f
        .broken
        .iter()
        .find(|b| b.limit == Limit::FaceWidth)
        .expect("face width broken");
    assert!(b.value > 300.0, "{b:?}");
    assert_eq!((b.min, b.max), (180.0, 300.0));
}

#[test]
fn a_subject_at_the_edge_is_off_centre_by_a_stated_amount() {
    // Eyes 100 px from the left edge: the window cannot extend past the edge.
    let f = frame(&STD, &subject(100.0, 1500.0, 150.0, 300.0), 6000, 4000);
    assert_eq!(f.crop.x, 0);
    let b = f
        .broken
        .iter()
        .find(|b| b.limit == Limit::Centring)
        .expect("centring broken");
    assert!(b.value < -12.0, "{b:?}");
    assert_eq!(limits(&f), vec![Limit::Centring]);
}

#[test]
fn a_subject_sitting_low_keeps_eyes_in_band_when_the_frame_allows() {
    // Eyes near the bottom of a 960 × 640 live-view frame: the window is pushed up against the
    // bottom edge and the eye line lands low.
    let f = frame(&STD, &subject(480.0, 600.0, 60.0, 150.0), 960, 640);
    assert_eq!(f.crop.y + f.crop.height, 640);
    assert!(limits(&f).contains(&Limit::EyeLine), "{f:?}");
    assert!(f.placement.eye_line > 300.0);
}

#[test]
fn nonsense_input_gives_a_window_inside_the_image() {
    let s = Subject {
        eye_left: Point {
            x: f32::NAN,
            y: -5.0,
        },
        eye_right: Point { x: 1e9, y: -5.0 },
        crown_y: 10.0,
        face_width: 0.0,
    };
    let f = frame(&STD, &s, 10, 10);
    assert!(
        f.crop.x + f.crop.width <= 10 && f.crop.y + f.crop.height <= 10,
        "{f:?}"
    );
    assert!(!f.ok());
}
