//! A booth frame made in code for the benchmarks: a real portrait (Grace Hopper, US Navy,
//! public domain; `scripts/fetch-models.sh` fetches it) cut out along a head-and-shoulders
//! silhouette and placed where a seated graduate sits on the booth's light-blue backdrop, under
//! slightly uneven light, with sensor-like noise from a fixed-seed generator.
//!
//! Not flattering on purpose: a flat drawing compresses to almost nothing and decodes far faster
//! than a camera's JPEG. With the noise, a 6000 × 4000 frame at quality 92 is about the size of
//! a 24 MP DSLR capture.
//!
//! Shared by `photo/benches` and `kiosk-app/benches` (included with `#[path]`; a file in a
//! subdirectory of `benches/` is not a bench target of its own).

use std::path::{Path, PathBuf};

use image::{RgbImage, imageops::FilterType};

/// The booth's backdrop, `photo.background_rgb`'s default.
pub const BACKDROP: [f32; 3] = [100.0, 197.0, 255.0];

/// Standard deviation of the luminance noise, in 8-bit levels.
pub const LUMA_NOISE: f32 = 6.0;

/// Standard deviation of the colour noise of red and blue, in 8-bit levels.
pub const CHROMA_NOISE: f32 = 3.0;

/// Where `scripts/fetch-models.sh` puts the portraits (`KIOSK_PORTRAIT_DIR` overrides), for a
/// crate one directory below the workspace root.
pub fn portrait_dir() -> PathBuf {
    std::env::var_os("KIOSK_PORTRAIT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| photo_cache().join("portraits"))
}

/// The workspace's photo cache (`KIOSK_PHOTO_CACHE` overrides), as in `scripts/fetch-models.sh`.
pub fn photo_cache() -> PathBuf {
    std::env::var_os("KIOSK_PHOTO_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let krate = Path::new(env!("CARGO_MANIFEST_DIR"));
            krate.parent().unwrap_or(krate).join("target/photo-cache")
        })
}

/// `grace_hopper.jpg` (512 × 600), or a message naming the script that fetches it.
pub fn load_hopper() -> Result<RgbImage, String> {
    let path = portrait_dir().join("grace_hopper.jpg");
    image::open(&path)
        .map(|img| img.to_rgb8())
        .map_err(|e| {
            format!(
                "portrait {} unavailable ({e}); run scripts/fetch-models.sh (or set KIOSK_PORTRAIT_DIR)",
                path.display()
            )
        })
}

// Geometry of grace_hopper.jpg, in its own pixels: the eyes as hand-measured in
// photo/tests/portraits.rs, the face from under the cap's brim to the chin, and a
// head-and-shoulders outline that leaves out the flag and the sky.
const EYES_MID: (f32, f32) = (263.75, 188.75);
const FACE_TOP: f32 = 140.0;
const CHIN: f32 = 338.0;
const HEAD_CENTRE: (f32, f32) = (265.0, 185.0);
const HEAD_AXES: (f32, f32) = (105.0, 172.0);
/// Left and right edges of neck, shoulders and chest by row (row, left, right). Past the
/// portrait's right edge (512) the jacket is carried on.
const BODY: [(f32, f32, f32); 9] = [
    (310.0, 195.0, 345.0),
    (335.0, 190.0, 335.0),
    (362.0, 110.0, 421.0),
    (377.0, 65.0, 450.0),
    (392.0, 52.0, 476.0),
    (410.0, 40.0, 501.0),
    (455.0, 27.0, 530.0),
    (550.0, 15.0, 540.0),
    (600.0, 12.0, 540.0),
];
/// Width of the silhouette's soft edge, in portrait pixels.
const EDGE: f32 = 1.5;

/// How far inside the body's outline column `u` of row `v` is (negative: outside).
fn inside_body(u: f32, v: f32) -> f32 {
    if v < BODY[0].0 {
        return f32::NEG_INFINITY;
    }
    let (mut left, mut right) = (BODY[BODY.len() - 1].1, BODY[BODY.len() - 1].2);
    for pair in BODY.windows(2) {
        let ((v0, l0, r0), (v1, l1, r1)) = (pair[0], pair[1]);
        if v <= v1 {
            let t = (v - v0) / (v1 - v0);
            (left, right) = (l0 + (l1 - l0) * t, r0 + (r1 - r0) * t);
            break;
        }
    }
    (u - left).min(right - u)
}

/// How much of the subject (0–1) covers portrait point (u, v): inside the head's ellipse or
/// the body's outline, with a soft edge. Below the portrait the body carries on.
fn coverage(u: f32, v: f32) -> f32 {
    let (du, dv) = (u - HEAD_CENTRE.0, v - HEAD_CENTRE.1);
    let r = ((du / HEAD_AXES.0).powi(2) + (dv / HEAD_AXES.1).powi(2)).sqrt();
    let head = (1.0 - r) * HEAD_AXES.0;
    (head.max(inside_body(u, v)) / EDGE + 0.5).clamp(0.0, 1.0)
}

/// SplitMix64: tiny, fast, and the same numbers on every platform and version.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A `width` × `height` booth frame: the face (cap brim to chin) a quarter of the frame's
/// height, the eyes 35 % from the top and centred, as a seated graduate's after the chair step.
pub fn booth_frame(portrait: &RgbImage, width: u32, height: u32, seed: u64) -> RgbImage {
    let (w, h) = (width as f32, height as f32);
    let scale = h / 4.0 / (CHIN - FACE_TOP);
    // The portrait resized once (CatmullRom keeps what detail there is), then placed.
    let (pw, ph) = (
        (portrait.width() as f32 * scale).round().max(1.0) as u32,
        (portrait.height() as f32 * scale).round().max(1.0) as u32,
    );
    let big = image::imageops::resize(portrait, pw, ph, FilterType::CatmullRom);
    let left = w / 2.0 - EYES_MID.0 * scale;
    let top = 0.35 * h - EYES_MID.1 * scale;
    render(width, height, BACKDROP, seed, |fx, fy| {
        let a = coverage((fx - left) / scale, (fy - top) / scale);
        if a <= 0.0 {
            return (a, [0; 3]);
        }
        let py = ((fy - top).max(0.0) as u32).min(ph - 1);
        let ppx = ((fx - left).max(0.0) as u32).min(pw - 1);
        (a, big.get_pixel(ppx, py).0)
    })
}

/// A `width` × `height` booth frame with a person cut out of a real photograph: `person` and
/// its outline `alpha` (255 = person) already at the frame's scale, their top-left corner at
/// `(left, top)` in the frame, on `backdrop`. Below its last row the person carries on (the
/// body continues out of the picture); beside and above it is backdrop.
#[allow(dead_code)] // Used by photo/tests/faces.rs; the benches that include this file do not.
pub fn seated(
    person: &RgbImage,
    alpha: &image::GrayImage,
    (left, top): (f32, f32),
    (width, height): (u32, u32),
    backdrop: [f32; 3],
    seed: u64,
) -> RgbImage {
    let (pw, ph) = person.dimensions();
    render(width, height, backdrop, seed, |fx, fy| {
        let (u, v) = (fx - left, fy - top);
        if u < 0.0 || v < 0.0 || u >= pw as f32 {
            return (0.0, [0; 3]);
        }
        let (x, y) = (u as u32, (v as u32).min(ph - 1));
        (
            f32::from(alpha.get_pixel(x, y).0[0]) / 255.0,
            person.get_pixel(x, y).0,
        )
    })
}

/// The backdrop under the booth's slightly uneven light, the subject blended over it with the
/// coverage `subject(x, y)` gives for each pixel centre, then sensor-like noise.
fn render(
    width: u32,
    height: u32,
    backdrop: [f32; 3],
    seed: u64,
    subject: impl Fn(f32, f32) -> (f32, [u8; 3]),
) -> RgbImage {
    let (w, h) = (width as f32, height as f32);
    // Luma and chroma noise: sums of four (two) uniform bytes, near-Gaussian, scaled to the
    // standard deviations above (a byte-sum of n has sd sqrt(n × (256² − 1) / 12)).
    let luma_k = LUMA_NOISE / 147.8;
    let chroma_k = CHROMA_NOISE / 104.5;
    let mut rng = SplitMix64(seed);

    let mut out = RgbImage::new(width, height);
    let raw: &mut [u8] = &mut out;
    let row_len = width as usize * 3;
    for (y, row) in raw.chunks_exact_mut(row_len).enumerate() {
        let fy = y as f32 + 0.5;
        // The light falls off a little towards the frame's edges (up to 8 % in the corners).
        let dy = (fy - 0.4 * h) / (h / 2.0);
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            let fx = x as f32 + 0.5;
            let dx = (fx - w / 2.0) / (w / 2.0);
            let light = 1.0 - 0.04 * (dx * dx + dy * dy);
            let mut rgb = backdrop.map(|c| c * light);
            let (a, s) = subject(fx, fy);
            if a > 0.0 {
                for (o, &s) in rgb.iter_mut().zip(&s) {
                    *o += (f32::from(s) - *o) * a;
                }
            }
            let n = rng.next().to_le_bytes();
            let luma = (i32::from(n[0]) + i32::from(n[1]) + i32::from(n[2]) + i32::from(n[3]) - 510)
                as f32
                * luma_k;
            let cr = (i32::from(n[4]) + i32::from(n[5]) - 255) as f32 * chroma_k;
            let cb = (i32::from(n[6]) + i32::from(n[7]) - 255) as f32 * chroma_k;
            let noise = [luma + cr, luma - 0.5 * (cr + cb), luma + cb];
            for ((o, v), n) in px.iter_mut().zip(rgb).zip(noise) {
                *o = (v + n).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}
