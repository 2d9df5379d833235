use super::*;
use crate::{Landmarks, Point};

fn p(x: f32, y: f32) -> Point {
    Point { x, y }
}

/// A face with eyes 100 px apart at row 250, centred in a 480 × 640 photo.
fn face() -> Face {
    Face {
        top_left: p(130.0, 170.0),
        bottom_right: p(350.0, 420.0),
        score: 0.99,
        landmarks: Landmarks {
            eye_left: p(190.0, 250.0),
            eye_right: p(290.0, 250.0),
            nose: p(240.0, 310.0),
            mouth_left: p(205.0, 360.0),
            mouth_right: p(275.0, 360.0),
        },
    }
}

#[test]
fn tilt_follows_the_landmarks() {
    let mut f = face();
    assert!(tilt_deg(&f).abs() < 1e-3);
    f.landmarks.eye_right.y -= 10.0;
    assert!((tilt_deg(&f) - 5.71).abs() < 0.05, "{}", tilt_deg(&f));
}

#[test]
fn turn_and_pitch_name_the_way_to_move() {
    let cfg = CheckSettings::default();
    let c = head_turn(MAX_YAW_DEG + 5.0, &cfg);
    assert_eq!(c.pass, Some(false));
    assert!(c.reason_en.contains("Face the camera"));
    assert_eq!(head_turn(-MAX_YAW_DEG + 1.0, &cfg).pass, Some(true));
    let lowered = head_pitch(MAX_PITCH_DEG + 3.0, &cfg);
    assert_eq!(lowered.pass, Some(false));
    assert!(lowered.reason_en.contains("Raise your chin"), "{lowered:?}");
    let raised = head_pitch(-MAX_PITCH_DEG - 3.0, &cfg);
    assert!(raised.reason_en.contains("Lower your chin"), "{raised:?}");
}

#[test]
fn without_a_mesh_the_features_are_unmeasured_never_passed() {
    let photo = RgbImage::from_pixel(480, 640, image::Rgb([100, 197, 255]));
    let f = [face()];
    let checks = run(
        &Subject {
            photo: &photo,
            faces: &f,
            crown: Some(80.0),
            head_cut_off: false,
            mesh: None,
            face_width: None,
        },
        &CheckSettings::default(),
    );
    let names: Vec<_> = checks.iter().map(|c| c.name).collect();
    assert_eq!(names, CheckName::ALL);
    for c in &checks {
        let feature = matches!(
            c.name,
            CheckName::HeadTurn
                | CheckName::HeadPitch
                | CheckName::EyesOpen
                | CheckName::MouthClosed
                | CheckName::Exposure
                | CheckName::Sharpness
                | CheckName::GlassesGlare
                | CheckName::HairOverEyes
        );
        if feature {
            assert_eq!(c.pass, None, "{c:?}");
            assert!(c.reason_en.contains("features cannot be read"), "{c:?}");
        }
    }
}

/// Skin, with a dark iris at each of `pupils` (radius 9 px: an iris is about a tenth of the
/// distance between the eyes), a glasses rim across both brows and a bright glare patch up and
/// to the right of each iris.
fn eyes_photo(pupils: [Point; 2]) -> RgbImage {
    let mut img = RgbImage::from_pixel(480, 640, image::Rgb([205, 160, 140]));
    for (x, y, px) in img.enumerate_pixels_mut() {
        let (x, y) = (x as f32, y as f32);
        for c in pupils {
            if (x - c.x).hypot(y - c.y) < 9.0 {
                px.0 = [45, 35, 30];
            }
            if (x - c.x - 6.0).hypot(y - c.y + 5.0) < 4.0 {
                px.0 = [250, 252, 255];
            }
        }
        if (228.0..231.0).contains(&y) && (150.0..330.0).contains(&x) {
            px.0 = [60, 55, 50];
        }
    }
    img
}

#[test]
fn the_eye_line_is_read_through_the_pupils_not_the_wandering_landmarks() {
    // The head is tilted 3.4° (6 px over 100) but the landmarks, pulled by glare, read level:
    // the pupils tell the truth.
    let img = eyes_photo([p(192.0, 253.0), p(290.0, 247.0)]);
    let f = face();
    assert!(tilt_deg(&f).abs() < 1e-3);
    let [l, _] = pupils(&img, &f).unwrap();
    assert!(l.dist(p(192.0, 253.0)) < 1.0, "{l:?}");
    // An iris cut by the search window's edge reads a little towards the landmark: 2.9° here.
    let a = tilt_deg_at_pupils(&img, &f);
    assert!((a - 3.43).abs() < 0.6, "{a}");
    // And the other way: landmarks that read 4.6° on a level head pass.
    let img = eyes_photo([p(190.0, 252.0), p(290.0, 252.0)]);
    let mut g = face();
    g.landmarks.eye_right.y -= 8.0;
    assert!(tilt_deg(&g) > MAX_TILT_DEG);
    let level = head_tilt(&img, &g, &CheckSettings::default());
    assert_eq!(level.pass, Some(true), "{}", level.value);
    assert_eq!(
        head_tilt(&img, &f, &CheckSettings::default()).pass,
        Some(true)
    );
    // No dark iris to find (skin only): the landmarks' angle, so a tilt still fails.
    let bare = RgbImage::from_pixel(480, 640, image::Rgb([205, 160, 140]));
    assert_eq!(pupils(&bare, &g), None);
    assert_eq!(
        head_tilt(&bare, &g, &CheckSettings::default()).pass,
        Some(false)
    );
}

#[test]
fn without_a_face_every_check_but_the_backdrop_is_unmeasured_and_nothing_passes() {
    let photo = RgbImage::from_pixel(480, 640, image::Rgb([100, 197, 255]));
    let checks = run(
        &Subject {
            photo: &photo,
            faces: &[],
            crown: None,
            head_cut_off: false,
            mesh: None,
            face_width: None,
        },
        &CheckSettings::default(),
    );
    assert_eq!(checks.len(), CheckName::ALL.len());
    let names: Vec<_> = checks.iter().map(|c| c.name).collect();
    assert_eq!(names, CheckName::ALL);
    assert_eq!(checks[0].pass, Some(false));
    for c in &checks[1..] {
        if c.name == CheckName::Background {
            assert_eq!(c.pass, Some(true));
        } else {
            assert_eq!(c.pass, None, "{c:?}");
            assert!(!c.reason_zh.is_empty() && !c.reason_en.is_empty());
        }
    }
}

#[test]
fn geometry_names_the_way_to_move() {
    let photo = RgbImage::from_pixel(480, 640, image::Rgb([100, 197, 255]));
    let s = |crown| Subject {
        photo: &photo,
        faces: &[],
        crown: Some(crown),
        head_cut_off: false,
        mesh: None,
        face_width: None,
    };
    let cfg = CheckSettings::default();
    let f = face();
    assert_eq!(geometry(&s(80.0), &f, &cfg).pass, Some(true));
    let high = geometry(&s(30.0), &f, &cfg);
    assert_eq!(high.pass, Some(false));
    assert!(high.reason_en.contains("lower the seat"), "{high:?}");
    let mut right = face();
    right = right.mapped(|q| p(q.x + 40.0, q.y));
    let c = geometry(&s(80.0), &right, &cfg);
    assert!(c.reason_en.contains("to your right"), "{c:?}");
    assert_eq!(c.value["off_centre"], 40.0);
}

#[test]
fn every_check_has_a_label_and_a_limit() {
    let cfg = CheckSettings::default();
    for n in CheckName::ALL {
        let (zh, en) = n.label();
        assert!(!zh.is_empty() && !en.is_empty());
        assert!(!limit_of(n, &cfg).is_empty());
        assert_eq!(
            serde_json::to_value(n).unwrap(),
            serde_json::Value::String(n.as_str().into())
        );
    }
}

/// A photo on the backdrop with a dark body below the face whose shoulder line falls `deg`
/// degrees to the image's right (positive: the image-left shoulder higher).
fn body_photo(deg: f32) -> RgbImage {
    let mut img = RgbImage::from_pixel(480, 640, image::Rgb([100, 197, 255]));
    let slope = deg.to_radians().tan();
    for (x, y, px) in img.enumerate_pixels_mut() {
        let (xf, yf) = (x as f32, y as f32);
        let neck = (xf - 240.0).abs() < 60.0 && yf > 420.0;
        let shoulders = yf > 520.0 + (xf - 240.0) * slope;
        if neck || shoulders {
            *px = image::Rgb([40, 40, 50]);
        }
    }
    img
}

#[test]
fn shoulders_level_reads_the_shoulder_line_and_names_the_higher_side() {
    let cfg = CheckSettings::default();
    let level = shoulders_level(&body_photo(0.0), &face(), &cfg);
    assert_eq!(level.pass, Some(true), "{level:?}");
    assert!(level.value.as_f64().unwrap().abs() < 0.5, "{level:?}");
    let left_up = shoulders_level(&body_photo(9.0), &face(), &cfg);
    assert_eq!(left_up.pass, Some(false), "{left_up:?}");
    assert!(
        (left_up.value.as_f64().unwrap() - 9.0).abs() < 0.5,
        "{left_up:?}"
    );
    assert!(left_up.reason_en.contains("photo's left"), "{left_up:?}");
    let right_up = shoulders_level(&body_photo(-9.0), &face(), &cfg);
    assert!(right_up.reason_en.contains("photo's right"), "{right_up:?}");
    // No backdrop to read the silhouette against, or no shoulders in the photo: unmeasured.
    let white = RgbImage::from_pixel(480, 640, image::Rgb([40, 40, 50]));
    assert_eq!(shoulders_level(&white, &face(), &cfg).pass, None);
    let empty = RgbImage::from_pixel(480, 640, image::Rgb([100, 197, 255]));
    assert_eq!(shoulders_level(&empty, &face(), &cfg).pass, None);
}
