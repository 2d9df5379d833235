//! The measures behind the checks: numbers read from the photo's pixels around the face's
//! landmarks (d below is the distance between the eyes). No verdicts here; `checks/` compares
//! them with the limits and words the reasons.

use image::RgbImage;

use crate::{Face, Point};

/// Rec. 601 luma.
pub(crate) fn luma(p: [u8; 3]) -> f32 {
    0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2])
}

/// (max − min) / max: 0 for grey and white, near 1 for pure colours.
pub(crate) fn saturation(p: [u8; 3]) -> f32 {
    let max = p.iter().copied().max().unwrap_or(0);
    let min = p.iter().copied().min().unwrap_or(0);
    if max == 0 {
        0.0
    } else {
        f32::from(max - min) / f32::from(max)
    }
}

/// A rectangle of the photo clamped to its bounds: `(x0, y0, x1, y1)`, ends exclusive.
pub(crate) fn rect(img: &RgbImage, x0: f32, y0: f32, x1: f32, y1: f32) -> (u32, u32, u32, u32) {
    let (w, h) = img.dimensions();
    let c = |v: f32, m: u32| (v.max(0.0) as u32).min(m);
    (c(x0, w), c(y0, h), c(x1.ceil(), w), c(y1.ceil(), h))
}

/// [`rect`] of half-width `hx` and half-height `hy` around `c`.
fn around(img: &RgbImage, c: Point, hx: f32, hy: f32) -> (u32, u32, u32, u32) {
    rect(img, c.x - hx, c.y - hy, c.x + hx, c.y + hy)
}

pub(crate) fn pixels(
    img: &RgbImage,
    r: (u32, u32, u32, u32),
) -> impl Iterator<Item = [u8; 3]> + '_ {
    (r.1..r.3).flat_map(move |y| (r.0..r.2).map(move |x| img.get_pixel(x, y).0))
}

/// Share of the rectangle's pixels for which `f` holds; `None` for an empty rectangle.
pub(crate) fn share(
    img: &RgbImage,
    r: (u32, u32, u32, u32),
    f: impl Fn([u8; 3]) -> bool,
) -> Option<f32> {
    let (mut n, mut hit) = (0u32, 0u32);
    for p in pixels(img, r) {
        n += 1;
        hit += u32::from(f(p));
    }
    (n > 0).then(|| hit as f32 / n as f32)
}

pub(crate) fn median(mut v: Vec<f32>) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    Some(v[v.len() / 2])
}

/// The two cheek patches below the eyes, where skin is measured.
fn cheeks<'a>(img: &'a RgbImage, face: &Face) -> impl Iterator<Item = [u8; 3]> + 'a {
    let lm = &face.landmarks;
    let d = face.inter_eye();
    [lm.eye_left, lm.eye_right].into_iter().flat_map(move |e| {
        let r = rect(
            img,
            e.x - 0.12 * d,
            e.y + 0.35 * d,
            e.x + 0.12 * d,
            e.y + 0.55 * d,
        );
        pixels(img, r)
    })
}

/// Skin luma: the median of the cheek patches.
pub(crate) fn skin_luma(img: &RgbImage, face: &Face) -> Option<f32> {
    median(cheeks(img, face).map(luma).collect())
}

pub(crate) fn rgb_dist(p: [u8; 3], q: [f32; 3]) -> f32 {
    (0..3)
        .map(|c| (f32::from(p[c]) - q[c]).powi(2))
        .sum::<f32>()
        .sqrt()
}

/// Eye-line angle in degrees (positive: the image-right eye is higher).
pub fn tilt_deg(face: &Face) -> f32 {
    let (l, r) = (face.landmarks.eye_left, face.landmarks.eye_right);
    (l.y - r.y).atan2(r.x - l.x).to_degrees()
}

/// The eye-line angle through the pupils: [`tilt_deg`] with the MTCNN eye points moved to
/// [`pupils`], or the landmarks' own angle when either pupil cannot be found.
///
/// MTCNN's eye points wander by a few pixels with glare, lids and lashes, which at the photo's
/// ~100 px between the eyes is a degree or more. Measured on the training corpus (15 seeds ×
/// 13 cases, `kiosk-app/tests/photo_corpus.rs`): on level heads the landmarks read 0.7–1.5°
/// on average and up to 3.2° (glare) and 3.9° (a dark shot), against a 4° limit; through the
/// pupils 0.2–0.3° and up to 1.1° (3.5° dark). On tilted heads the error against the drawn
/// angle fell from 1.22° to 0.28° on average, 2.8° to 1.0° at worst.
pub fn tilt_deg_at_pupils(img: &RgbImage, face: &Face) -> f32 {
    match pupils(img, face) {
        Some([l, r]) => (l.y - r.y).atan2(r.x - l.x).to_degrees(),
        None => tilt_deg(face),
    }
}

/// The centres of the dark iris and pupil around each MTCNN eye point, image-left first: the
/// centroid of the pixels darker than 60 % of the skin within ±0.16 × ±0.10 inter-eye
/// distances, each weighted by the square of how much darker it is (the pupil outweighs lashes
/// and a glasses rim; glare, being bright, weighs nothing). `None` when either eye has fewer
/// than four pixels that dark (a face too dark to tell, or no skin to compare with).
pub fn pupils(img: &RgbImage, face: &Face) -> Option<[Point; 2]> {
    let skin = skin_luma(img, face)?;
    let d = face.inter_eye();
    let lm = &face.landmarks;
    Some([
        pupil(img, skin, d, lm.eye_left)?,
        pupil(img, skin, d, lm.eye_right)?,
    ])
}

/// [`pupils`] for the eye point `e`, given the skin's luma and the inter-eye distance `d`.
fn pupil(img: &RgbImage, skin: f32, d: f32, e: Point) -> Option<Point> {
    let (x0, y0, x1, y1) = around(img, e, 0.16 * d, 0.10 * d);
    let (mut sw, mut sx, mut sy, mut n) = (0.0f32, 0.0f32, 0.0f32, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            let dark = 0.6 * skin - luma(img.get_pixel(x, y).0);
            if dark > 0.0 {
                let w = dark * dark;
                sw += w;
                sx += w * x as f32;
                sy += w * y as f32;
                n += 1;
            }
        }
    }
    (n >= 4).then(|| Point {
        x: sx / sw,
        y: sy / sw,
    })
}
