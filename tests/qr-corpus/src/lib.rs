//! A corpus of live-view frames with QR codes, made by code to be hard rather than to flatter the
//! kiosk: a phone screen or a printed card held up in the booth, each placed in 3-D (turned in
//! the plane, tilted up to 35°) and then put through what a camera does to it: soft optics,
//! sensor noise and JPEG, and per class the trouble real frames have (a phone far away, motion
//! blur, defocus, a dim room, heavy JPEG, glare, moiré, dark mode, two codes at once), plus frames
//! with code-like things and no code, to catch false positives.
//!
//! Payloads are of three kinds, giving QR versions 2–10: a personal shooting token, a long
//! 学信网 URL and Chinese text.
//!
//! Two sets come from two seeds. [`TUNE_SEED`] is the one to look at while choosing the
//! decoder's steps; [`TEST_SEED`] is held apart: the benchmark reports on it, and nothing is
//! chosen by looking at its results. Deterministic for a given seed.

use image::{RgbImage, Rgba, RgbaImage};
use imageproc::drawing::{draw_filled_ellipse_mut, draw_filled_rect_mut};
use imageproc::geometric_transformations::{Border, Interpolation, Projection, warp_into};
use imageproc::rect::Rect;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The seed of the set the decoder is tuned on.
pub const TUNE_SEED: u64 = 2026;
/// The seed of the held-apart test set: report on it, never tune on it.
pub const TEST_SEED: u64 = 0x7E57_5E7A;

/// What makes a frame hard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Difficulty {
    /// A phone held up fairly straight, modules of 4–6 px.
    Clean,
    /// Far away: modules of 2–3 px.
    Small,
    /// Turned any way in the plane.
    Rotated,
    /// Tilted 20–35° away from the camera (perspective).
    Tilted,
    /// Moving: a linear smear of 3–8 px.
    MotionBlur,
    /// Out of focus.
    Defocus,
    /// A dim booth: dark frame, heavy sensor noise.
    Noisy,
    /// JPEG quality 30–45.
    Jpeg,
    /// A studio light reflected on the screen, washing out part of the code.
    Glare,
    /// The screen's pixel grid beating against the sensor's.
    Moire,
    /// A dark-mode screen: light modules on dark.
    DarkMode,
    /// A printed card: grey ink on off-white paper, shaded by the light.
    Printed,
    /// Two codes in the frame; both must be read.
    TwoCodes,
    /// No code: phone apps, cards and square patterns (false-positive check).
    NoCode,
}

impl Difficulty {
    /// All classes, in report order.
    pub const ALL: [Difficulty; 14] = [
        Difficulty::Clean,
        Difficulty::Small,
        Difficulty::Rotated,
        Difficulty::Tilted,
        Difficulty::MotionBlur,
        Difficulty::Defocus,
        Difficulty::Noisy,
        Difficulty::Jpeg,
        Difficulty::Glare,
        Difficulty::Moire,
        Difficulty::DarkMode,
        Difficulty::Printed,
        Difficulty::TwoCodes,
        Difficulty::NoCode,
    ];

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            Difficulty::Clean => "clean",
            Difficulty::Small => "small",
            Difficulty::Rotated => "rotated",
            Difficulty::Tilted => "tilted",
            Difficulty::MotionBlur => "motion-blur",
            Difficulty::Defocus => "defocus",
            Difficulty::Noisy => "noisy",
            Difficulty::Jpeg => "jpeg",
            Difficulty::Glare => "glare",
            Difficulty::Moire => "moire",
            Difficulty::DarkMode => "dark-mode",
            Difficulty::Printed => "printed",
            Difficulty::TwoCodes => "two-codes",
            Difficulty::NoCode => "no-code",
        }
    }
}

/// One frame.
pub struct Sample {
    /// File-friendly name.
    pub name: String,
    /// Its class.
    pub difficulty: Difficulty,
    /// The codes in view (none, one, or two).
    pub payloads: Vec<String>,
    /// JPEG bytes, as a camera's live view delivers them.
    pub jpeg: Vec<u8>,
}

/// Live-view frame size.
pub const W: u32 = 1280;
/// Live-view frame size.
pub const H: u32 = 720;

const BACKDROP: Rgba<u8> = Rgba([104, 170, 222, 255]);

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    img.write_with_encoder(enc).unwrap();
    out
}

/// A payload of one of the three kinds, for frame `i`.
fn payload(i: usize, rng: &mut StdRng) -> String {
    const URL_SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const HANZI: &[char] = &[
        '学', '信', '网', '图', '像', '采', '集', '码', '毕', '业', '生', '姓', '名', '张', '王',
        '李', '证', '件', '照', '片', '北', '京', '大', '研', '究', '院', '校', '号', '年', '月',
    ];
    match i % 3 {
        0 => {
            let n = rng.random_range(16..=40);
            let token: String = (0..n)
                .map(|_| URL_SAFE[rng.random_range(0..URL_SAFE.len())] as char)
                .collect();
            format!("GPK1.{token}")
        }
        1 => {
            let n = rng.random_range(40..=110);
            let hex: String = (0..n)
                .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap())
                .collect();
            format!("https://my.chsi.com.cn/archive/gdjy/photo/collect.action?c={hex}")
        }
        _ => {
            let n = rng.random_range(12..=45);
            let text: String = (0..n)
                .map(|_| HANZI[rng.random_range(0..HANZI.len())])
                .collect();
            format!(
                "学信网图像采集：{text}。编号{}",
                rng.random_range(100_000..999_999)
            )
        }
    }
}

/// `p` as a phone's app encodes it, at error-correction level M: ASCII in the smallest mix of
/// modes, anything else as UTF-8 bytes marked by ECI 26. (The `qrcode` crate's own choice puts
/// some UTF-8 byte pairs in Kanji mode, which no reader turns back into the same text.)
fn encode(p: &str) -> qrcode::QrCode {
    use qrcode::{EcLevel, QrCode, Version, bits::Bits};
    if p.is_ascii() {
        return QrCode::with_error_correction_level(p.as_bytes(), EcLevel::M).unwrap();
    }
    (1..=40)
        .find_map(|v| {
            let mut bits = Bits::new(Version::Normal(v));
            bits.push_eci_designator(26).ok()?;
            bits.push_byte_data(p.as_bytes()).ok()?;
            bits.push_terminator(EcLevel::M).ok()?;
            QrCode::with_bits(bits, EcLevel::M).ok()
        })
        .unwrap()
}

/// What the code is shown on.
#[derive(Clone, Copy, PartialEq)]
enum Medium {
    /// A phone screen: light (or dark-mode) screen in a black body, app chrome around the code.
    Phone { dark_mode: bool },
    /// A printed card: ink on paper.
    Card { ink: u8, paper: u8 },
}

/// The object held up: a flat RGBA picture of a phone or card showing `code` (or code-like
/// decoys when `None`) at `module` px per module.
fn object(code: Option<&str>, module: u32, medium: Medium, rng: &mut StdRng) -> RgbaImage {
    let (modules, colors) = match code {
        Some(p) => {
            let qr = encode(p);
            (qr.width() as u32, Some(qr.to_colors()))
        }
        None => (rng.random_range(25..45), None),
    };
    let quiet = match medium {
        Medium::Phone { .. } => rng.random_range(2..=4),
        Medium::Card { .. } => 4,
    };
    let side = (modules + 2 * quiet) * module;
    let (fg, bg, body, margin) = match medium {
        Medium::Phone { dark_mode: false } => {
            let l = rng.random_range(225..=250);
            (
                rng.random_range(10..30),
                l,
                Rgba([18, 18, 22, 255]),
                side / 8 + 12,
            )
        }
        Medium::Phone { dark_mode: true } => {
            let d = rng.random_range(18..=40);
            (
                rng.random_range(200..235),
                d,
                Rgba([12, 12, 14, 255]),
                side / 8 + 12,
            )
        }
        Medium::Card { ink, paper } => (
            ink,
            paper,
            Rgba([paper, paper, paper.saturating_sub(12), 255]),
            side / 5,
        ),
    };
    let w = side + 2 * margin;
    let h = match medium {
        Medium::Phone { .. } => w * 2,
        Medium::Card { .. } => w * 5 / 4,
    };
    let mut img = RgbaImage::from_pixel(w, h, body);
    let screen = Rgba([bg, bg, bg, 255]);
    let (bezel, top) = match medium {
        Medium::Phone { .. } => (8, h / 5),
        Medium::Card { .. } => (0, h / 10),
    };
    draw_filled_rect_mut(
        &mut img,
        Rect::at(bezel, bezel).of_size(w - 2 * bezel as u32, h - 2 * bezel as u32),
        screen,
    );
    // App chrome or card print: a coloured title bar and lines of "text" above and below.
    if let Medium::Phone { .. } = medium {
        draw_filled_rect_mut(
            &mut img,
            Rect::at(bezel, bezel + 20).of_size(w - 2 * bezel as u32, top / 3),
            Rgba([7, 193, 96, 255]),
        );
    }
    let line = Rgba([fg.max(60), fg.max(60), fg.max(60), 255]);
    for k in 0..4 {
        let y = top / 2 + k * 14;
        let len = rng.random_range(w / 4..w * 3 / 4);
        draw_filled_rect_mut(
            &mut img,
            Rect::at(margin as i32, y as i32).of_size(len, 6),
            line,
        );
        let y2 = top + side + 16 + k * 16;
        if y2 + 8 < h {
            draw_filled_rect_mut(
                &mut img,
                Rect::at(margin as i32, y2 as i32).of_size(len / 2 + 10, 7),
                line,
            );
        }
    }
    let ink = Rgba([fg, fg, fg, 255]);
    let (ox, oy) = (margin + quiet * module, top + quiet * module);
    match colors {
        Some(colors) => {
            for (k, c) in colors.iter().enumerate() {
                if *c == qrcode::Color::Dark {
                    let (mx, my) = (k as u32 % modules, k as u32 / modules);
                    draw_filled_rect_mut(
                        &mut img,
                        Rect::at((ox + mx * module) as i32, (oy + my * module) as i32)
                            .of_size(module, module),
                        ink,
                    );
                }
            }
        }
        None => {
            // Decoys: a grid of icons, and on half the frames three nested squares in three
            // corners, like a code's finder patterns with nothing between them.
            let cell = modules * module / 4;
            for k in 0..16 {
                let c = rng.random_range(0..200u8);
                draw_filled_rect_mut(
                    &mut img,
                    Rect::at((ox + (k % 4) * cell) as i32, (oy + (k / 4) * cell) as i32)
                        .of_size(cell * 2 / 3, cell * 2 / 3),
                    Rgba([c, 255 - c, c / 2, 255]),
                );
            }
            if rng.random_bool(0.5) {
                let span = modules * module;
                for (fx, fy) in [(0, 0), (span - 7 * module, 0), (0, span - 7 * module)] {
                    for (inset, colour) in [(0, ink), (1, screen), (2, ink)] {
                        let s = (7 - 2 * inset) * module;
                        draw_filled_rect_mut(
                            &mut img,
                            Rect::at(
                                (ox + fx + inset * module) as i32,
                                (oy + fy + inset * module) as i32,
                            )
                            .of_size(s, s),
                            colour,
                        );
                    }
                }
            }
        }
    }
    img
}

/// Where an object of `w` × `h` lands in the frame: centred at `(cx, cy)`, scaled by `scale`,
/// turned `roll` in the plane, then tilted `yaw` (about the vertical) and `pitch` (about the
/// horizontal), seen through a lens of focal length 1100 px.
struct Pose {
    cx: f32,
    cy: f32,
    scale: f32,
    roll: f32,
    yaw: f32,
    pitch: f32,
}

fn place(frame: &mut RgbaImage, obj: &RgbaImage, pose: &Pose) {
    const F: f32 = 1100.0;
    let (w, h) = (obj.width() as f32, obj.height() as f32);
    let corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    let (sr, cr) = pose.roll.sin_cos();
    let (sy, cy) = pose.yaw.sin_cos();
    let (sp, cp) = pose.pitch.sin_cos();
    let to = corners.map(|(x, y)| {
        let (x, y) = ((x - w / 2.0) * pose.scale, (y - h / 2.0) * pose.scale);
        let (x, y) = (x * cr - y * sr, x * sr + y * cr);
        let (x, z) = (x * cy, -x * sy);
        let (y, z) = (y * cp - z * sp, y * sp + z * cp);
        let k = F / (F + z);
        (pose.cx + x * k, pose.cy + y * k)
    });
    let proj = Projection::from_control_points(corners, to).unwrap();
    // A sensor pixel integrates over its area: blur the object by about half a frame pixel
    // before sampling it, or the small classes come out as crisp as a print.
    let obj = imageproc::filter::gaussian_blur_f32(obj, 0.45 / pose.scale);
    let mut layer = RgbaImage::new(frame.width(), frame.height());
    warp_into(
        &obj,
        proj,
        Interpolation::Bilinear,
        Border::Constant(Rgba([0, 0, 0, 0])),
        &mut layer,
    );
    image::imageops::overlay(frame, &layer, 0, 0);
}

/// The booth behind the code: a backdrop lit from one side and the graduate holding it.
fn booth(rng: &mut StdRng) -> RgbaImage {
    let fall = rng.random_range(0.0f32..0.25);
    let mut img = RgbaImage::from_fn(W, H, |x, _| {
        let k = 1.0 - fall * x as f32 / W as f32;
        let [r, g, b, a] = BACKDROP.0;
        let [r, g, b] = [r, g, b].map(|c| (f32::from(c) * k) as u8);
        Rgba([r, g, b, a])
    });
    let cx = rng.random_range(540..740);
    draw_filled_ellipse_mut(&mut img, (cx, 250), 110, 140, Rgba([222, 184, 160, 255]));
    draw_filled_ellipse_mut(&mut img, (cx, 150), 120, 80, Rgba([24, 20, 20, 255]));
    draw_filled_rect_mut(
        &mut img,
        Rect::at(cx - 260, 400).of_size(520, H - 400),
        Rgba([36, 44, 70, 255]),
    );
    img
}

fn gaussian_noise(img: &mut RgbImage, sigma: f32, rng: &mut StdRng) {
    if sigma <= 0.0 {
        return;
    }
    for p in img.pixels_mut() {
        // Sum of four uniforms: close enough to a Gaussian for sensor noise. Luma noise plus a
        // little chroma noise, as a small sensor gives.
        let n: f32 = (0..4).map(|_| rng.random_range(-1.0f32..1.0)).sum::<f32>() * sigma * 0.87;
        for c in 0..3 {
            let chroma = rng.random_range(-0.15f32..0.15) * sigma;
            p[c] = (f32::from(p[c]) + n + chroma).clamp(0.0, 255.0) as u8;
        }
    }
}

/// A straight smear of `len` px at angle `angle`, as a hand moving during the exposure.
fn motion_blur(img: &RgbImage, len: f32, angle: f32) -> RgbImage {
    let size = (len.ceil() as u32) | 1;
    let mut k = vec![0f32; (size * size) as usize];
    let c = (size / 2) as f32;
    let (s, co) = angle.sin_cos();
    let steps = (len * 4.0) as i32;
    for t in 0..=steps {
        let d = len * (t as f32 / steps as f32 - 0.5);
        let (x, y) = ((c + d * co).round() as u32, (c + d * s).round() as u32);
        k[(y.min(size - 1) * size + x.min(size - 1)) as usize] += 1.0;
    }
    let total: f32 = k.iter().sum();
    k.iter_mut().for_each(|v| *v /= total);
    let kernel = imageproc::kernel::Kernel::new(&k, size, size);
    imageproc::filter::filter(img, kernel, |v: f32| v.clamp(0.0, 255.0) as u8)
}

/// A lens out of focus: a uniform disc of radius `r`.
fn defocus(img: &RgbImage, r: f32) -> RgbImage {
    let size = (2.0 * r).ceil() as u32 | 1;
    let c = (size / 2) as f32;
    let mut k: Vec<f32> = (0..size * size)
        .map(|i| {
            let (x, y) = ((i % size) as f32 - c, (i / size) as f32 - c);
            if x * x + y * y <= r * r { 1.0 } else { 0.0 }
        })
        .collect();
    let total: f32 = k.iter().sum();
    k.iter_mut().for_each(|v| *v /= total);
    let kernel = imageproc::kernel::Kernel::new(&k, size, size);
    imageproc::filter::filter(img, kernel, |v: f32| v.clamp(0.0, 255.0) as u8)
}

/// A soft reflection of the studio light: brightness added in an ellipse, strongest at its
/// centre, over part of the code.
fn glare(obj: &mut RgbaImage, at: (f32, f32), radius: f32, strength: f32) {
    let (w, h) = obj.dimensions();
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (
                (x as f32 - at.0) / radius,
                (y as f32 - at.1) / (radius * 0.6),
            );
            let d2 = dx * dx + dy * dy;
            if d2 < 4.0 {
                let add = strength * (-d2 * 1.5).exp();
                let p = obj.get_pixel_mut(x, y);
                for c in 0..3 {
                    p[c] = (f32::from(p[c]) + add).min(255.0) as u8;
                }
            }
        }
    }
}

/// The screen's pixel grid beating against the sensor's: a fine sinusoidal pattern over the
/// object (the resampling into the frame turns it into coarse bands).
fn moire(obj: &mut RgbaImage, period: f32, angle: f32, depth: f32) {
    let (s, c) = angle.sin_cos();
    let f = std::f32::consts::TAU / period;
    for (x, y, p) in obj.enumerate_pixels_mut() {
        let v = 1.0 - depth * (0.5 + 0.5 * ((x as f32 * c + y as f32 * s) * f).sin());
        for ch in 0..3 {
            p[ch] = (f32::from(p[ch]) * v) as u8;
        }
    }
}

/// Light falling off across a card: darker towards one corner.
fn shade(obj: &mut RgbaImage, depth: f32) {
    let (w, h) = obj.dimensions();
    for (x, y, p) in obj.enumerate_pixels_mut() {
        let v = 1.0 - depth * (x as f32 / w as f32 + y as f32 / h as f32) / 2.0;
        for ch in 0..3 {
            p[ch] = (f32::from(p[ch]) * v) as u8;
        }
    }
}

fn tilt(rng: &mut StdRng, max_deg: f32) -> f32 {
    rng.random_range(-max_deg..=max_deg).to_radians()
}

/// `per_class` frames of every class, from `seed`.
pub fn generate(per_class: usize, seed: u64) -> Vec<Sample> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::new();
    for d in Difficulty::ALL {
        for i in 0..per_class {
            out.push(frame(d, i, &mut rng));
        }
    }
    out
}

fn frame(d: Difficulty, i: usize, rng: &mut StdRng) -> Sample {
    let mut scene = booth(rng);
    let phone = Medium::Phone {
        dark_mode: d == Difficulty::DarkMode,
    };
    let mut payloads = Vec::new();
    let count = match d {
        Difficulty::NoCode => 0,
        Difficulty::TwoCodes => 2,
        _ => 1,
    };
    for k in 0..count.max(1) {
        let code = (count > 0).then(|| payload(i + k, rng));
        let medium = match d {
            Difficulty::Printed => Medium::Card {
                ink: rng.random_range(35..90),
                paper: rng.random_range(195..235),
            },
            Difficulty::TwoCodes | Difficulty::NoCode if rng.random_bool(0.5) => Medium::Card {
                ink: 40,
                paper: 225,
            },
            _ => phone,
        };
        // The module size in the frame; the object is drawn at 2× and scaled down by the pose,
        // so module edges land between pixels as a camera sees them.
        let module_px: f32 = match d {
            Difficulty::Small => rng.random_range(2.0..3.0),
            Difficulty::TwoCodes | Difficulty::Jpeg | Difficulty::Moire => {
                rng.random_range(3.0..4.5)
            }
            _ => rng.random_range(3.5..6.0),
        };
        let mut obj = object(code.as_deref(), 8, medium, rng);
        match d {
            Difficulty::Glare => {
                let (w, h) = obj.dimensions();
                let at = (
                    rng.random_range(w as f32 * 0.3..w as f32 * 0.7),
                    rng.random_range(h as f32 * 0.25..h as f32 * 0.55),
                );
                glare(
                    &mut obj,
                    at,
                    w as f32 * rng.random_range(0.12..0.22),
                    rng.random_range(90.0..170.0),
                );
            }
            Difficulty::Moire => moire(
                &mut obj,
                rng.random_range(2.6..4.2),
                rng.random_range(0.0..std::f32::consts::PI),
                rng.random_range(0.25..0.45),
            ),
            Difficulty::Printed => shade(&mut obj, rng.random_range(0.15..0.35)),
            _ => {}
        }
        let (roll, yaw, pitch) = match d {
            Difficulty::Rotated => (rng.random_range(0.0..std::f32::consts::TAU), 0.0, 0.0),
            Difficulty::Tilted => {
                let steep = rng.random_range(20.0f32..35.0).to_radians()
                    * if rng.random_bool(0.5) { 1.0 } else { -1.0 };
                if rng.random_bool(0.5) {
                    (tilt(rng, 15.0), steep, tilt(rng, 10.0))
                } else {
                    (tilt(rng, 15.0), tilt(rng, 10.0), steep)
                }
            }
            _ => (tilt(rng, 12.0), tilt(rng, 12.0), tilt(rng, 12.0)),
        };
        let (cx, cy) = if count == 2 {
            (
                if k == 0 { 360.0 } else { 920.0 } + rng.random_range(-40.0..40.0),
                rng.random_range(330.0..390.0),
            )
        } else {
            (
                rng.random_range(420.0..860.0),
                rng.random_range(300.0..420.0),
            )
        };
        let pose = Pose {
            cx,
            cy,
            scale: module_px / 8.0,
            roll,
            yaw,
            pitch,
        };
        place(&mut scene, &obj, &pose);
        payloads.extend(code);
    }

    // The camera: soft optics, then the class's trouble, then sensor noise and JPEG.
    let mut img = image::DynamicImage::ImageRgba8(scene).to_rgb8();
    img = imageproc::filter::gaussian_blur_f32(&img, rng.random_range(0.5..0.9));
    let mut noise = rng.random_range(1.5..4.0);
    let mut quality = rng.random_range(70..=92);
    match d {
        Difficulty::MotionBlur => {
            img = motion_blur(
                &img,
                rng.random_range(3.0..8.0),
                rng.random_range(0.0..std::f32::consts::PI),
            );
        }
        Difficulty::Defocus => img = defocus(&img, rng.random_range(1.5..3.2)),
        Difficulty::Noisy => {
            let gain = rng.random_range(0.35..0.6);
            for p in img.pixels_mut() {
                for c in 0..3 {
                    p[c] = (f32::from(p[c]) * gain) as u8;
                }
            }
            noise = rng.random_range(10.0..22.0);
        }
        Difficulty::Jpeg => quality = rng.random_range(30..=45),
        _ => {}
    }
    gaussian_noise(&mut img, noise, rng);
    Sample {
        name: format!("{}-{i:03}", d.name()),
        difficulty: d,
        payloads,
        jpeg: jpeg(&img, quality),
    }
}
