//! A corpus of camera frames with shooting codes, made by code: a phone held up in the booth,
//! then the troubles real frames have (rotation, tilt, blur, noise, low contrast, heavy JPEG,
//! dark-mode negatives, a phone far away), plus frames with no code at all to catch false
//! positives. Deterministic for a given seed.

use image::{Rgb, RgbImage};
use imageproc::geometric_transformations::{
    Border, Interpolation, Projection, rotate_about_center, warp,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What makes a frame hard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Difficulty {
    /// The phone held straight, about 200 px of code.
    Clean,
    /// The phone far away: modules of 2–3 px.
    Small,
    /// Rotated 15–60°.
    Rotated,
    /// Seen at an angle (perspective).
    Tilted,
    /// Out of focus.
    Blurred,
    /// Sensor noise.
    Noisy,
    /// A dim screen under studio light.
    LowContrast,
    /// Heavy JPEG compression.
    Jpeg,
    /// Dark-mode screen: light modules on dark.
    Negative,
    /// No code in view (false-positive check).
    NoCode,
}

impl Difficulty {
    /// All classes, in report order.
    pub const ALL: [Difficulty; 10] = [
        Difficulty::Clean,
        Difficulty::Small,
        Difficulty::Rotated,
        Difficulty::Tilted,
        Difficulty::Blurred,
        Difficulty::Noisy,
        Difficulty::LowContrast,
        Difficulty::Jpeg,
        Difficulty::Negative,
        Difficulty::NoCode,
    ];

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            Difficulty::Clean => "clean",
            Difficulty::Small => "small",
            Difficulty::Rotated => "rotated",
            Difficulty::Tilted => "tilted",
            Difficulty::Blurred => "blurred",
            Difficulty::Noisy => "noisy",
            Difficulty::LowContrast => "low-contrast",
            Difficulty::Jpeg => "jpeg",
            Difficulty::Negative => "negative",
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
    /// The code in view, if any.
    pub payload: Option<String>,
    /// JPEG bytes, as a camera's live view delivers them.
    pub jpeg: Vec<u8>,
}

const W: u32 = 1280;
const H: u32 = 720;

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    img.write_with_encoder(enc).unwrap();
    out
}

/// The booth with a phone whose screen shows `payload` at `module` px per module.
fn phone_scene(
    payload: Option<&str>,
    module: u32,
    dark: u8,
    light: u8,
    negative: bool,
    rng: &mut StdRng,
) -> RgbImage {
    let mut img = RgbImage::from_pixel(W, H, Rgb([100, 197, 255]));
    // A figure behind the phone.
    for y in 300..H {
        for x in 380..900 {
            img.put_pixel(x, y, Rgb([38, 48, 78]));
        }
    }
    let modules = payload.map_or(29, |p| {
        qrcode::QrCode::new(p.as_bytes()).unwrap().width() as u32
    });
    let screen = (modules + 8) * module;
    let (pw, ph) = (screen + 40, screen * 2);
    let cx = W / 2 + rng.random_range(0..120) - 60;
    let cy = H / 2 + rng.random_range(0..80) - 40;
    let (x0, y0) = (cx - pw / 2, cy.saturating_sub(ph / 3));
    let bg = if negative { dark } else { light };
    for y in y0..(y0 + ph).min(H) {
        for x in x0..(x0 + pw).min(W) {
            img.put_pixel(x, y, Rgb([20, 20, 24]));
        }
    }
    let (sx, sy) = (x0 + 20, y0 + 20);
    for y in sy..(sy + screen).min(H) {
        for x in sx..(sx + screen).min(W) {
            img.put_pixel(x, y, Rgb([bg, bg, bg]));
        }
    }
    match payload {
        Some(p) => {
            let code = qrcode::QrCode::new(p.as_bytes()).unwrap();
            let fg = if negative { light } else { dark };
            for (i, c) in code.to_colors().iter().enumerate() {
                if *c == qrcode::Color::Dark {
                    let (mx, my) = (i as u32 % modules, i as u32 / modules);
                    let (px, py) = (sx + (mx + 4) * module, sy + (my + 4) * module);
                    for y in py..(py + module).min(H) {
                        for x in px..(px + module).min(W) {
                            img.put_pixel(x, y, Rgb([fg, fg, fg]));
                        }
                    }
                }
            }
        }
        None => {
            // Something code-like but not a code: app icons in a grid.
            for i in 0..12 {
                let (gx, gy) = (
                    sx + 16 + (i % 3) * (screen / 3),
                    sy + 16 + (i / 3) * (screen / 4),
                );
                let c = rng.random_range(0..200);
                for y in gy..(gy + screen / 6).min(H) {
                    for x in gx..(gx + screen / 6).min(W) {
                        img.put_pixel(x, y, Rgb([c, 255 - c, c / 2]));
                    }
                }
            }
        }
    }
    img
}

fn add_noise(img: &mut RgbImage, sigma: f32, rng: &mut StdRng) {
    for p in img.pixels_mut() {
        // Sum of uniforms approximates a Gaussian; good enough for sensor noise.
        let n: f32 = (0..4).map(|_| rng.random_range(-1.0f32..1.0)).sum::<f32>() * sigma * 0.87;
        for c in 0..3 {
            p[c] = (f32::from(p[c]) + n).clamp(0.0, 255.0) as u8;
        }
    }
}

/// `per_class` frames of every class.
pub fn generate(per_class: usize, seed: u64) -> Vec<Sample> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::new();
    for d in Difficulty::ALL {
        for i in 0..per_class {
            let payload = (d != Difficulty::NoCode).then(|| {
                format!(
                    "GPK1.CORPUS-{}-{i:04}-{:08X}",
                    d.name().to_uppercase(),
                    rng.random::<u32>()
                )
            });
            let p = payload.as_deref();
            let mut quality = 90;
            let img = match d {
                Difficulty::Clean | Difficulty::NoCode => {
                    phone_scene(p, 6, 20, 245, false, &mut rng)
                }
                Difficulty::Small => {
                    phone_scene(p, rng.random_range(2..=3), 20, 245, false, &mut rng)
                }
                Difficulty::Rotated => {
                    let s = phone_scene(p, 6, 20, 245, false, &mut rng);
                    let angle = rng.random_range(15.0f32..60.0).to_radians()
                        * if i % 2 == 0 { 1.0 } else { -1.0 };
                    rotate_about_center(
                        &s,
                        angle,
                        Interpolation::Bilinear,
                        Border::Constant(Rgb([100, 197, 255])),
                    )
                }
                Difficulty::Tilted => {
                    let s = phone_scene(p, 7, 20, 245, false, &mut rng);
                    let (w, h) = (W as f32, H as f32);
                    let k = rng.random_range(0.12f32..0.22);
                    let from = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
                    let to = if i % 2 == 0 {
                        [
                            (w * k, h * k),
                            (w * (1.0 - k * 0.3), 0.0),
                            (w * (1.0 - k * 0.3), h),
                            (w * k, h * (1.0 - k)),
                        ]
                    } else {
                        [
                            (0.0, h * k * 0.5),
                            (w, 0.0),
                            (w * (1.0 - k), h * (1.0 - k * 0.6)),
                            (w * k, h),
                        ]
                    };
                    let proj = Projection::from_control_points(from, to).unwrap();
                    warp(
                        &s,
                        proj,
                        Interpolation::Bilinear,
                        Border::Constant(Rgb([100, 197, 255])),
                    )
                }
                Difficulty::Blurred => {
                    let s = phone_scene(p, 6, 20, 245, false, &mut rng);
                    image::imageops::blur(&s, rng.random_range(1.5f32..2.8))
                }
                Difficulty::Noisy => {
                    let mut s = phone_scene(p, 6, 20, 245, false, &mut rng);
                    add_noise(&mut s, rng.random_range(30.0..50.0), &mut rng);
                    s
                }
                Difficulty::LowContrast => {
                    let dark = rng.random_range(115..135);
                    phone_scene(p, 6, dark, dark + rng.random_range(22..32), false, &mut rng)
                }
                Difficulty::Jpeg => {
                    quality = rng.random_range(6..12);
                    phone_scene(p, 5, 20, 245, false, &mut rng)
                }
                Difficulty::Negative => phone_scene(p, 6, 18, 235, true, &mut rng),
            };
            out.push(Sample {
                name: format!("{}-{i:03}", d.name()),
                difficulty: d,
                payload,
                jpeg: jpeg(&img, quality),
            });
        }
    }
    out
}
