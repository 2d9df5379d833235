//! The measures behind the checks: numbers read from the photo's pixels around the face's
//! landmarks (d below is the distance between the eyes). No verdicts here; `checks.rs` compares
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

/// Mean colour of some pixels; `None` for none.
fn mean_rgb(pixels: impl Iterator<Item = [u8; 3]>) -> Option<[f32; 3]> {
    let (mut sum, mut n) = ([0f32; 3], 0f32);
    for p in pixels {
        for (s, v) in sum.iter_mut().zip(p) {
            *s += f32::from(v);
        }
        n += 1.0;
    }
    (n > 0.0).then(|| sum.map(|s| s / n))
}

/// Skin luma: the median of the cheek patches.
pub(crate) fn skin_luma(img: &RgbImage, face: &Face) -> Option<f32> {
    median(cheeks(img, face).map(luma).collect())
}

/// Skin colour: the mean of the cheek patches.
pub(crate) fn skin_rgb(img: &RgbImage, face: &Face) -> Option<[f32; 3]> {
    mean_rgb(cheeks(img, face))
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

/// Nose offset from the eyes' midpoint along the eye line, in inter-eye distances: 0 facing
/// the camera, about ±0.2 at 20° of yaw.
pub fn turn(face: &Face) -> f32 {
    let lm = &face.landmarks;
    let (l, r) = (lm.eye_left, lm.eye_right);
    let d = l.dist(r).max(1.0);
    let axis = Point {
        x: (r.x - l.x) / d,
        y: (r.y - l.y) / d,
    };
    let mid = l.mid(r);
    let mouth = lm.mouth_left.mid(lm.mouth_right);
    // Nose and mouth centre both swing with yaw; their mean is steadier than either.
    let off = |p: Point| ((p.x - mid.x) * axis.x + (p.y - mid.y) * axis.y) / d;
    (off(lm.nose) + off(mouth)) / 2.0
}

/// Eye opening: for each column through the eye, the run of dark pixels that crosses the eye
/// centre's row (± 6 % of the eye distance, the landmarks' error); the upper quartile over the
/// columns, in eye distances. The smaller of the two eyes; `None` without skin to compare with.
pub fn eye_opening(img: &RgbImage, face: &Face) -> Option<f32> {
    let skin = skin_luma(img, face)?;
    let d = face.inter_eye();
    let dark = |x: u32, y: u32| luma(img.get_pixel(x, y).0) < 0.6 * skin;
    let lm = &face.landmarks;
    let mut worst = f32::INFINITY;
    for e in [lm.eye_left, lm.eye_right] {
        let r = around(img, e, 0.14 * d, 0.25 * d);
        let band = around(img, e, 0.0, 0.06 * d);
        let mut runs = Vec::new();
        for x in r.0..r.2 {
            let Some(seed) = (band.1..band.3.max(band.1 + 1)).find(|&y| y < r.3 && dark(x, y))
            else {
                runs.push(0.0);
                continue;
            };
            let mut top = seed;
            while top > r.1 && dark(x, top - 1) {
                top -= 1;
            }
            let mut bottom = seed;
            while bottom + 1 < r.3 && dark(x, bottom + 1) {
                bottom += 1;
            }
            runs.push((bottom - top + 1) as f32);
        }
        if runs.is_empty() {
            return None;
        }
        runs.sort_by(f32::total_cmp);
        let q3 = runs[runs.len() * 3 / 4];
        worst = worst.min(q3 / d);
    }
    worst.is_finite().then_some(worst)
}

/// The lips' area between the mouth corners: (share of tooth-coloured pixels, share of dark
/// pixels of an open mouth).
pub fn mouth_measures(img: &RgbImage, face: &Face) -> Option<(f32, f32)> {
    let skin = skin_luma(img, face)?;
    let lm = &face.landmarks;
    let (ml, mr) = (lm.mouth_left, lm.mouth_right);
    let w = ml.dist(mr);
    let d = face.inter_eye();
    let y = (ml.y + mr.y) / 2.0;
    let r = rect(
        img,
        ml.x + 0.15 * w,
        y - 0.10 * d,
        mr.x - 0.15 * w,
        y + 0.12 * d,
    );
    let teeth = share(img, r, |p| {
        luma(p) > (0.95 * skin).max(120.0) && saturation(p) < 0.22
    })?;
    let open = share(img, r, |p| luma(p) < 0.3 * skin)?;
    Some((teeth, open))
}

/// Variance of the 4-neighbour Laplacian over the variance of the luma, in the band of both
/// eyes: contrast-independent, and small when the eyes are blurred (motion, focus).
pub fn sharpness_at_eyes(img: &RgbImage, face: &Face) -> Option<f32> {
    let lm = &face.landmarks;
    let d = face.inter_eye();
    let (l, r) = (lm.eye_left, lm.eye_right);
    let ey = l.mid(r).y;
    let (x0, y0, x1, y1) = rect(
        img,
        l.x - 0.35 * d,
        ey - 0.25 * d,
        r.x + 0.35 * d,
        ey + 0.25 * d,
    );
    if x1 < x0 + 3 || y1 < y0 + 3 {
        return None;
    }
    let at = |x: u32, y: u32| luma(img.get_pixel(x, y).0);
    let (mut s, mut s2, mut n) = (0f64, 0f64, 0f64);
    let (mut l1, mut l2) = (0f64, 0f64);
    for y in y0 + 1..y1 - 1 {
        for x in x0 + 1..x1 - 1 {
            let c = at(x, y);
            let (up, down) = (at(x, y - 1), at(x, y + 1));
            let (left, right) = (at(x - 1, y), at(x + 1, y));
            // Specular patches (lens glare) are flat and clipped: they say nothing about focus.
            if [c, up, down, left, right].iter().any(|&v| v >= 235.0) {
                continue;
            }
            let lap = up + down + left + right - 4.0 * c;
            s += f64::from(c);
            s2 += f64::from(c) * f64::from(c);
            l1 += f64::from(lap);
            l2 += f64::from(lap) * f64::from(lap);
            n += 1.0;
        }
    }
    if n < 16.0 {
        return None;
    }
    let var_luma = s2 / n - (s / n).powi(2);
    let var_lap = l2 / n - (l1 / n).powi(2);
    (var_luma > 1.0).then(|| (var_lap / var_luma) as f32)
}

/// Share of specular pixels (near-white, unsaturated) on the area a pair of lenses covers.
/// Catch-lights in the pupils are a few pixels each and stay far below the limit.
pub fn glare_share(img: &RgbImage, face: &Face) -> Option<f32> {
    let lm = &face.landmarks;
    let d = face.inter_eye();
    let (mut n, mut hit) = (0f32, 0f32);
    for e in [lm.eye_left, lm.eye_right] {
        let r = around(img, e, 0.4 * d, 0.28 * d);
        for p in pixels(img, r) {
            n += 1.0;
            hit += f32::from(u8::from(luma(p) >= 235.0 && saturation(p) < 0.12));
        }
    }
    (n > 0.0).then(|| hit / n)
}

/// Share of the forehead just above the eyebrows closer to the hair's colour than to the
/// skin's. The hair colour is read just below the crown; `None` when there is no crown, or hair
/// and skin are too alike to tell apart.
pub fn forehead_hair(img: &RgbImage, face: &Face, crown: Option<f32>) -> Option<f32> {
    let crown = crown?;
    let skin = skin_rgb(img, face)?;
    let lm = &face.landmarks;
    let d = face.inter_eye();
    let mid = lm.eye_left.mid(lm.eye_right);
    let hair_r = rect(
        img,
        mid.x - 0.3 * d,
        crown + 2.0,
        mid.x + 0.3 * d,
        crown + 0.15 * d + 3.0,
    );
    let hair = mean_rgb(pixels(img, hair_r))?;
    let apart = (0..3)
        .map(|c| (hair[c] - skin[c]).powi(2))
        .sum::<f32>()
        .sqrt();
    if apart < 50.0 {
        return None;
    }
    // Above the brows (≈ 0.3 eye distances above the eyes) and below a normal hairline.
    let r = rect(
        img,
        lm.eye_left.x,
        mid.y - 0.8 * d,
        lm.eye_right.x,
        mid.y - 0.5 * d,
    );
    share(img, r, |p| rgb_dist(p, hair) < rgb_dist(p, skin))
}
