//! The photo checks on a generated corpus of booth captures, each made to break one rule the
//! way graduates and booths do: a tilted head, closed eyes, teeth, sitting too high, a dark or
//! blurred shot, glare on the lenses, the wrong backdrop, clothes the backdrop's colour, a
//! fringe down to the brows, a second person. Captures come from the simulated camera (a real
//! public-domain portrait, the whole person cut out along their outline and seated in the booth
//! scene, see camera-driver's `portrait.rs`), then are damaged in pixels, with sensor noise,
//! and JPEG-encoded again as a camera would.
//!
//! Two sets. `train` (Grace Hopper's face, seeds 1–3) is what the thresholds in
//! `kiosk_photo::checks` were set on. `held_out` (Eileen Collins's face from the astronaut
//! portrait, seeds 101–103, different damage strengths drawn from the same ranges) was not
//! looked at while tuning. Her face is about 90 px wide in its 512 px portrait and is enlarged
//! about three times into the scene, so every capture of that set is soft; sharpness, read at a
//! fixed scale since issue 35, may pass or fail it (a blur on top must fail). (The scene paints
//! closed lips over her smile, so her teeth do not show.) The checks' limits are now set on real
//! faces (`photo/tests/faces.rs`); this corpus keeps each drawn damage failing its own check.
//! One false reject is known and allowed: Collins's real hair, swept down to just above her
//! brows, fails `hair_over_eyes` (0.40–0.48), as such fringes do in the real-face corpus.

use std::path::PathBuf;
use std::time::Duration;

use camera_driver::Camera;
use camera_driver::sim::{Pose, SimCamera, SimConfig, SimControl};
use image::RgbImage;
use kiosk_app::photo_lab::{PhotoConfig, PhotoLab};
use kiosk_photo::{CheckName, Report};
use rand::{Rng, SeedableRng, rngs::StdRng};

const SIZE: (u32, u32) = (1500, 1000);
const BACKDROP: [u8; 3] = [100, 197, 255];
/// Clothes dyed near the backdrop's blue.
const CLOTHES_LIKE_BACKDROP: [f32; 3] = [96.0, 190.0, 250.0];

fn portrait(name: &str) -> PathBuf {
    std::env::var_os("KIOSK_PORTRAIT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/photo-cache/portraits")
        })
        .join(name)
}

/// What a case does to the scene or the pixels.
#[derive(Clone, Copy, Debug)]
enum Damage {
    None,
    Tilt(f32),
    EyesClosed,
    Teeth,
    /// Seat far too high: the head leaves the top of the frame.
    TooHigh,
    Dark(f32),
    Blur(f32),
    Glare,
    Backdrop([u8; 3]),
    ClothesLikeBackdrop,
    Fringe,
    SecondFace,
    /// The camera mounted on its side: the same scene stored turned a quarter, with the Exif
    /// orientation (6 or 8) that says how to stand it upright. Nothing may fail.
    OnItsSide(u8),
}

struct Case {
    name: String,
    damage: Damage,
    /// The check that must fail (None: every check must pass).
    fails: Option<CheckName>,
}

fn cases(rng: &mut StdRng) -> Vec<Case> {
    let c = |name: &str, damage, fails| Case {
        name: name.into(),
        damage,
        fails,
    };
    let sign = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
    let tilt = sign * rng.random_range(7.0..12.0);
    let dark = rng.random_range(0.18..0.3);
    let blur = rng.random_range(3.0..5.0);
    let grey = rng.random_range(150..215u8);
    // From a draw already made: a new draw would change every capture after it.
    let side = if sign > 0.0 { 6 } else { 8 };
    vec![
        c("good", Damage::None, None),
        c("tilted", Damage::Tilt(tilt), Some(CheckName::HeadTilt)),
        c("eyes closed", Damage::EyesClosed, Some(CheckName::EyesOpen)),
        c("teeth", Damage::Teeth, Some(CheckName::MouthClosed)),
        c("too high", Damage::TooHigh, Some(CheckName::Geometry)),
        c("dark", Damage::Dark(dark), Some(CheckName::Exposure)),
        c("blurred", Damage::Blur(blur), Some(CheckName::Sharpness)),
        c("glare", Damage::Glare, Some(CheckName::GlassesGlare)),
        c(
            "grey backdrop",
            Damage::Backdrop([grey, grey, grey]),
            Some(CheckName::Background),
        ),
        c(
            "clothes like the backdrop",
            Damage::ClothesLikeBackdrop,
            Some(CheckName::ClothingContrast),
        ),
        c("fringe", Damage::Fringe, Some(CheckName::HairOverEyes)),
        c(
            "second face",
            Damage::SecondFace,
            Some(CheckName::FaceCount),
        ),
        c("camera on its side", Damage::OnItsSide(side), None),
    ]
}

fn near(p: [u8; 3], q: [u8; 3], d: i32) -> bool {
    (0..3).all(|c| (i32::from(p[c]) - i32::from(q[c])).abs() <= d)
}

/// A soft-edged ellipse of `colour` (alpha falls off over the outer 30 %).
fn blob(img: &mut RgbImage, (cx, cy): (f32, f32), (rx, ry): (f32, f32), colour: [f32; 3]) {
    let (w, h) = img.dimensions();
    let (x0, x1) = ((cx - rx).max(0.0) as u32, ((cx + rx) as u32 + 1).min(w));
    let (y0, y1) = ((cy - ry).max(0.0) as u32, ((cy + ry) as u32 + 1).min(h));
    for y in y0..y1 {
        for x in x0..x1 {
            let r = ((x as f32 - cx) / rx).hypot((y as f32 - cy) / ry);
            let a = ((1.0 - r) / 0.3).clamp(0.0, 1.0);
            if a > 0.0 {
                let p = img.get_pixel_mut(x, y);
                for (v, c) in p.0.iter_mut().zip(colour) {
                    *v = (f32::from(*v) * (1.0 - a) + c * a) as u8;
                }
            }
        }
    }
}

/// One capture of the case, as the camera would deliver it.
fn capture(face: &str, case: &Case, rng: &mut StdRng) -> Vec<u8> {
    let control = SimControl::new();
    let mut pose = Pose::default();
    match case.damage {
        Damage::Tilt(d) => pose.tilt_deg = d,
        Damage::EyesClosed => pose.eyes_closed = true,
        Damage::Teeth => pose.teeth = true,
        Damage::TooHigh => pose.height = -0.2,
        _ => {}
    }
    // Every graduate sits a little differently.
    pose.height += rng.random_range(-0.02..0.02);
    pose.off_centre += rng.random_range(-0.03..0.03);
    control.pose_handle().set(pose);
    let mut camera = SimCamera::new(
        control,
        SimConfig {
            capture_size: SIZE,
            capture_latency: Duration::ZERO,
            portrait: Some(portrait(face)),
            ..SimConfig::default()
        },
    );
    let jpeg = camera.capture().unwrap();
    let mut img = image::load_from_memory(&jpeg).unwrap().to_rgb8();
    let [l, r] = pose.eyes_px(SIZE.0, SIZE.1);
    let d = (r.0 - l.0).hypot(r.1 - l.1);
    match case.damage {
        Damage::Dark(k) => img
            .pixels_mut()
            .for_each(|p| p.0 = p.0.map(|v| (f32::from(v) * k) as u8)),
        Damage::Blur(sigma) => img = image::imageops::blur(&img, sigma),
        Damage::Glare => {
            // The booth's lights reflected in both lenses: bright, slightly cool patches.
            for e in [l, r] {
                blob(
                    &mut img,
                    (e.0 + 0.1 * d, e.1 - 0.08 * d),
                    (0.24 * d, 0.15 * d),
                    [250.0, 252.0, 255.0],
                );
            }
        }
        Damage::Backdrop(grey) => img
            .pixels_mut()
            .filter(|p| near(p.0, BACKDROP, 40))
            .for_each(|p| p.0 = grey),
        Damage::ClothesLikeBackdrop => {
            // Everything of the person below the chin (their clothes, collar and all) dyed a
            // blue a shade off the backdrop's, keeping its light and shade.
            let chin = (l.1.max(r.1) + 1.4 * d) as u32;
            for (_, _, p) in img
                .enumerate_pixels_mut()
                .filter(|(_, y, p)| *y > chin && !near(p.0, BACKDROP, 40))
            {
                let luma = (u32::from(p.0[0]) + u32::from(p.0[1]) + u32::from(p.0[2])) as f32;
                let shade = 0.85 + 0.15 * (luma / 765.0);
                p.0 = CLOTHES_LIKE_BACKDROP.map(|c| (c * shade) as u8);
            }
        }
        Damage::Fringe => {
            let mid = ((l.0 + r.0) / 2.0, (l.1 + r.1) / 2.0);
            blob(
                &mut img,
                (mid.0, mid.1 - 0.62 * d),
                (1.2 * d, 0.42 * d),
                [36.0, 29.0, 26.0],
            );
        }
        Damage::SecondFace => {
            // Someone behind the graduate's shoulder: the face again at 70 %, to the side.
            let (fx, fy) = ((l.0 - 0.9 * d) as u32, (l.1 - 1.0 * d) as u32);
            let side = (2.0 * (r.0 - l.0) + 1.8 * d) as u32;
            let face = image::imageops::crop_imm(&img, fx, fy, side, side).to_image();
            let small = image::imageops::resize(
                &face,
                side * 7 / 10,
                side * 7 / 10,
                image::imageops::FilterType::Triangle,
            );
            image::imageops::overlay(&mut img, &small, 40, i64::from(fy));
        }
        _ => {}
    }
    // Sensor noise, then the camera's JPEG.
    for p in img.pixels_mut() {
        let n: i16 = rng.random_range(-4..=4);
        p.0 = p.0.map(|v| (i16::from(v) + n).clamp(0, 255) as u8);
    }
    let stored = match case.damage {
        Damage::OnItsSide(6) => image::imageops::rotate270(&img),
        Damage::OnItsSide(_) => image::imageops::rotate90(&img),
        _ => img,
    };
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(stored)
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out, 92,
        ))
        .unwrap();
    if let Damage::OnItsSide(value) = case.damage {
        // APP1 "Exif", a little-endian TIFF header and one IFD entry: Orientation (0x0112),
        // SHORT, count 1, the value. Right after the start-of-image marker, as cameras put it.
        let mut app1 = vec![0xFF, 0xE1, 0, 34];
        app1.extend_from_slice(b"Exif\0\0II\x2A\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0");
        app1.extend_from_slice(&[value, 0, 0, 0, 0, 0, 0, 0]);
        out.splice(2..2, app1);
    }
    out
}

fn pass(r: &Report, name: CheckName) -> Option<bool> {
    r.checks
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.pass)
}

/// Runs a set; returns the failures as readable lines (all of them, not just the first).
fn run_set(face: &str, seeds: std::ops::RangeInclusive<u64>, soft: bool) -> Vec<String> {
    let lab = PhotoLab::load(&PhotoConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut problems = Vec::new();
    for seed in seeds {
        let mut rng = StdRng::seed_from_u64(seed);
        for case in cases(&mut rng) {
            let jpeg = capture(face, &case, &mut rng);
            // Glare comes from lenses: the graduate with glasses chose the glasses lighting,
            // and glare is judged on a face only when glasses are worn.
            let glasses = matches!(case.damage, Damage::Glare);
            let photo = lab.process(&jpeg, glasses).unwrap();
            let r = &photo.report;
            let summary: Vec<String> = r
                .checks
                .iter()
                .filter(|c| c.pass != Some(true))
                .map(|c| format!("{}={:?} ({})", c.name.as_str(), c.pass, c.value))
                .collect();
            let tag = format!("{face} seed {seed} {}: {summary:?}", case.name);
            eprintln!("{tag}");
            // The held-out face is a soft source enlarged about three times. Sharpness is now
            // read at a fixed scale (48 px between the eyes), where that enlargement shows
            // little, so its verdict on the undamaged captures is left open; the real-face
            // corpus (photo/tests/faces.rs) with real defocus and motion is the reference.
            let wanted: Vec<CheckName> = case.fails.iter().copied().collect();
            for w in &wanted {
                if pass(r, *w) != Some(false) {
                    problems.push(format!("{tag}: {} should fail", w.as_str()));
                }
            }
            // Nothing else fails: a check that fires on the wrong damage misleads the graduate.
            // Darkness and blur may also hide the eyes' detail; a second face may shift the
            // backdrop statistics. Those are allowed, nothing more.
            let tolerated: &[CheckName] = match case.damage {
                // A dark shot darkens the backdrop too: it is no longer the reference colour, and
                // without it the crown cannot be read (geometry unmeasured, not "move").
                Damage::Dark(_) => &[
                    CheckName::Background,
                    CheckName::Geometry,
                    CheckName::ShouldersLevel,
                    CheckName::EyesOpen,
                    CheckName::Sharpness,
                    CheckName::HairOverEyes,
                ],
                Damage::Blur(_) => &[CheckName::EyesOpen],
                // Glare that covers the iris hides whether the eye is open, and moves where the
                // pupils read (the tilt is measured between them).
                Damage::Glare => &[CheckName::EyesOpen, CheckName::HeadTilt],
                // The lids drawn over the eyes move the whole mesh a little: the lips' gap of
                // the held-out face's painted mouth then reads just over its limit.
                Damage::EyesClosed => &[CheckName::MouthClosed],
                Damage::SecondFace => &[CheckName::Background],
                // Without the backdrop the shoulders' outline cannot be read either.
                Damage::Backdrop(_) => &[
                    CheckName::Geometry,
                    CheckName::HairOverEyes,
                    CheckName::ClothingContrast,
                    CheckName::ShouldersLevel,
                ],
                Damage::ClothesLikeBackdrop => &[CheckName::ShouldersLevel],
                // The scene tilts the whole seated person: the shoulders lean with the head.
                Damage::Tilt(_) => &[CheckName::ShouldersLevel],
                _ => &[],
            };
            // A false reject the real-face corpus also measures (photo/README.md): Collins's
            // real hair, swept down to just above her brows, reads as hair over them. And her
            // portrait's pose: turned to one side in the suit, whose shoulders slope (5–18°).
            let known_false_reject = |name: CheckName| {
                face == "astronaut.png"
                    && matches!(name, CheckName::HairOverEyes | CheckName::ShouldersLevel)
            };
            for c in &r.checks {
                let soft_blur = soft && c.name == CheckName::Sharpness;
                if c.pass != Some(true)
                    && !wanted.contains(&c.name)
                    && !tolerated.contains(&c.name)
                    && !soft_blur
                    && !known_false_reject(c.name)
                {
                    problems.push(format!(
                        "{tag}: {} unexpectedly {:?}",
                        c.name.as_str(),
                        c.pass
                    ));
                }
            }
            if r.width != 480 || r.height != 640 || !(60..=95).contains(&r.quality) {
                problems.push(format!(
                    "{tag}: file {}×{} q{}",
                    r.width, r.height, r.quality
                ));
            }
        }
    }
    problems
}

/// Seeds per set: 3, or `PHOTO_CORPUS_SEEDS` to measure on more (15 takes about 40 s; the
/// numbers in `photo/README.md` come from it).
fn seeds() -> u64 {
    std::env::var("PHOTO_CORPUS_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

#[test]
fn train_set_each_damage_fails_its_own_check_and_only_that() {
    let problems = run_set("grace_hopper.jpg", 1..=seeds(), false);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn held_out_set_with_a_face_never_tuned_on() {
    let problems = run_set("astronaut.png", 101..=100 + seeds(), true);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
